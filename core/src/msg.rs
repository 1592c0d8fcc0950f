//! [`Msg`]: one message frame, with small frames stored inline.
//!
//! Frames of up to [`INLINE_MAX`] bytes live inside the `Msg` itself, so the small-message
//! hot path allocates nothing and shares no reference count between threads (libzmq does
//! the same with its "very small messages"). Larger frames are `bytes::Bytes`, moved
//! between threads without copying.

use bytes::Bytes;
use std::fmt;
use std::ops::Deref;

/// Largest frame stored inline, without a heap allocation.
pub const INLINE_MAX: usize = 38;

#[derive(Clone)]
enum Repr {
    Inline { len: u8, buf: [u8; INLINE_MAX] },
    Shared(Bytes),
}

/// One message frame: its bytes and whether more frames of the same message follow.
///
/// `Msg` dereferences to `[u8]` and converts from the usual byte containers.
///
/// ```
/// use ferromq::Msg;
/// let m = Msg::from("hello");
/// assert_eq!(&m[..], b"hello");
/// assert_eq!(m.len(), 5);
/// assert!(!m.more());
/// let big = Msg::from(vec![7u8; 4096]); // moved, not copied
/// assert_eq!(big.to_vec().len(), 4096);
/// ```
#[derive(Clone)]
pub struct Msg {
    repr: Repr,
    more: bool,
}

impl Msg {
    /// An empty frame.
    ///
    /// ```
    /// assert!(ferromq::Msg::new().is_empty());
    /// ```
    pub fn new() -> Msg {
        Msg {
            repr: Repr::Inline {
                len: 0,
                buf: [0; INLINE_MAX],
            },
            more: false,
        }
    }

    /// A frame of `len` zero bytes: for a caller that fills it in afterwards (the C ABI's
    /// `zmq_msg_init_size`). Up to [`INLINE_MAX`] bytes it is built in place, with no
    /// call to `memset` or the allocator.
    ///
    /// ```
    /// let m = ferromq::Msg::zeroed(5);
    /// assert_eq!(&m[..], &[0; 5]);
    /// ```
    // Inline: out of line (the C ABI is another crate), the frame comes back through a
    // temporary that the caller's move reloads at other widths than it was stored, a
    // store-forwarding stall per `zmq_msg_init_size` (docs/PERFORMANCE.md, issue 14).
    #[inline]
    pub fn zeroed(len: usize) -> Msg {
        match u8::try_from(len) {
            Ok(small) if len <= INLINE_MAX => Msg {
                repr: Repr::Inline {
                    len: small,
                    buf: [0; INLINE_MAX],
                },
                more: false,
            },
            _ => Msg::from_bytes(bytes::BytesMut::zeroed(len).freeze()),
        }
    }

    /// A frame holding a copy of `data`.
    ///
    /// ```
    /// let m = ferromq::Msg::copy_from_slice(b"abc");
    /// assert_eq!(&m[..], b"abc");
    /// ```
    pub fn copy_from_slice(data: &[u8]) -> Msg {
        if data.len() <= INLINE_MAX {
            let mut buf = [0; INLINE_MAX];
            buf[..data.len()].copy_from_slice(data);
            Msg {
                repr: Repr::Inline {
                    len: data.len() as u8,
                    buf,
                },
                more: false,
            }
        } else {
            Msg {
                repr: Repr::Shared(Bytes::copy_from_slice(data)),
                more: false,
            }
        }
    }

    /// A frame over `bytes`, without copying (small frames are stored inline).
    ///
    /// ```
    /// let m = ferromq::Msg::from_bytes(bytes::Bytes::from_static(b"xyz"));
    /// assert_eq!(&m[..], b"xyz");
    /// ```
    pub fn from_bytes(bytes: Bytes) -> Msg {
        if bytes.len() <= INLINE_MAX {
            Msg::copy_from_slice(&bytes)
        } else {
            Msg {
                repr: Repr::Shared(bytes),
                more: false,
            }
        }
    }

    /// A frame over `bytes` that never copies them, small or not: whatever owns the
    /// bytes is released only when the last clone of the frame is gone (when it has been
    /// delivered or written). Foreign buffers with a release callback need this: libzmq
    /// calls `zmq_msg_init_data`'s free function only once it is done with the message,
    /// and pyzmq's zero-copy `MessageTracker` takes that call to mean "sent".
    ///
    /// ```
    /// let m = ferromq::Msg::from_shared_bytes(bytes::Bytes::from_static(b"xyz"));
    /// assert_eq!(&m[..], b"xyz");
    /// ```
    pub fn from_shared_bytes(bytes: Bytes) -> Msg {
        Msg {
            repr: Repr::Shared(bytes),
            more: false,
        }
    }

    /// The frame's bytes.
    ///
    /// ```
    /// assert_eq!(ferromq::Msg::from("hi").as_bytes(), b"hi");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        match &self.repr {
            Repr::Inline { len, buf } => &buf[..usize::from(*len)],
            Repr::Shared(b) => b,
        }
    }

    /// The frame's length in bytes.
    ///
    /// ```
    /// assert_eq!(ferromq::Msg::from("four").len(), 4);
    /// ```
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Inline { len, .. } => usize::from(*len),
            Repr::Shared(b) => b.len(),
        }
    }

    /// Whether the frame is empty.
    ///
    /// ```
    /// assert!(ferromq::Msg::from("").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether more frames of the same message follow this one (`ZMQ_MORE`).
    ///
    /// ```
    /// let mut m = ferromq::Msg::from("part");
    /// m.set_more(true);
    /// assert!(m.more());
    /// ```
    pub fn more(&self) -> bool {
        self.more
    }

    /// Marks whether more frames follow. `send` sets this from its `SNDMORE` flag.
    ///
    /// ```
    /// let mut m = ferromq::Msg::new();
    /// m.set_more(true);
    /// m.set_more(false);
    /// assert!(!m.more());
    /// ```
    pub fn set_more(&mut self, more: bool) {
        self.more = more;
    }

    /// The frame's bytes as a `Bytes` handle (copies only inline frames).
    ///
    /// ```
    /// let b = ferromq::Msg::from(vec![1u8; 100]).into_bytes();
    /// assert_eq!(b.len(), 100);
    /// ```
    pub fn into_bytes(self) -> Bytes {
        match self.repr {
            Repr::Inline { len, buf } => Bytes::copy_from_slice(&buf[..usize::from(len)]),
            Repr::Shared(b) => b,
        }
    }

    /// Whether the frame's bytes are stored inside the `Msg` (up to [`INLINE_MAX`] bytes,
    /// not made with [`Msg::from_shared_bytes`]): dropping it then releases nothing.
    ///
    /// ```
    /// use ferromq::Msg;
    /// assert!(Msg::from("small").is_inline());
    /// assert!(!Msg::from(vec![0u8; 4096]).is_inline());
    /// assert!(!Msg::from_shared_bytes(bytes::Bytes::from_static(b"x")).is_inline());
    /// ```
    #[inline]
    pub fn is_inline(&self) -> bool {
        matches!(self.repr, Repr::Inline { .. })
    }

    /// The shared buffer of a large frame, for zero-copy writes; `None` for inline frames.
    pub(crate) fn shared(&self) -> Option<&Bytes> {
        match &self.repr {
            Repr::Shared(b) => Some(b),
            Repr::Inline { .. } => None,
        }
    }
}

impl Default for Msg {
    fn default() -> Msg {
        Msg::new()
    }
}

impl Deref for Msg {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Msg {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Msg {
    fn eq(&self, other: &Msg) -> bool {
        self.as_bytes() == other.as_bytes() && self.more == other.more
    }
}

impl Eq for Msg {}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Msg")
            .field("len", &self.len())
            .field("more", &self.more)
            .finish()
    }
}

impl From<&[u8]> for Msg {
    fn from(data: &[u8]) -> Msg {
        Msg::copy_from_slice(data)
    }
}

impl<const N: usize> From<&[u8; N]> for Msg {
    fn from(data: &[u8; N]) -> Msg {
        Msg::copy_from_slice(data)
    }
}

impl From<&str> for Msg {
    fn from(data: &str) -> Msg {
        Msg::copy_from_slice(data.as_bytes())
    }
}

impl From<String> for Msg {
    fn from(data: String) -> Msg {
        Msg::from(data.into_bytes())
    }
}

impl From<Vec<u8>> for Msg {
    fn from(data: Vec<u8>) -> Msg {
        if data.len() <= INLINE_MAX {
            Msg::copy_from_slice(&data)
        } else {
            Msg::from_bytes(Bytes::from(data))
        }
    }
}

impl From<&Vec<u8>> for Msg {
    fn from(data: &Vec<u8>) -> Msg {
        Msg::copy_from_slice(data)
    }
}

impl From<Bytes> for Msg {
    fn from(data: Bytes) -> Msg {
        Msg::from_bytes(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_shared_hold_the_same_bytes() {
        for len in [0, 1, INLINE_MAX - 1, INLINE_MAX, INLINE_MAX + 1, 10_000] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let a = Msg::from(&data[..]);
            let b = Msg::from(data.clone());
            let c = Msg::from(Bytes::from(data.clone()));
            assert_eq!(a.as_bytes(), &data[..]);
            assert_eq!(a, b);
            assert_eq!(b, c);
            assert_eq!(a.shared().is_some(), len > INLINE_MAX);
            assert_eq!(c.into_bytes(), Bytes::from(data));
        }
    }

    #[test]
    fn shared_bytes_are_released_with_the_last_clone_even_when_small() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;

        struct Owner(Arc<AtomicUsize>);
        impl AsRef<[u8]> for Owner {
            fn as_ref(&self) -> &[u8] {
                b"something"
            }
        }
        impl Drop for Owner {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }

        let released = Arc::new(AtomicUsize::new(0));
        let msg = Msg::from_shared_bytes(Bytes::from_owner(Owner(Arc::clone(&released))));
        assert_eq!(&msg[..], b"something");
        assert!(msg.shared().is_some());
        let queued = msg.clone();
        drop(msg);
        assert_eq!(
            released.load(Ordering::SeqCst),
            0,
            "a clone still holds the bytes"
        );
        drop(queued);
        assert_eq!(released.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn msg_stays_small() {
        assert!(size_of::<Msg>() <= 48);
    }
}
