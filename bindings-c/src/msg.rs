//! `zmq_msg_t` and the `zmq_msg_*` functions.
//!
//! The 64 opaque, pointer-aligned bytes of a `zmq_msg_t` hold a [`CMsg`]: a tag telling an
//! initialised message from stray bytes, flags, and the frame's body. Small frames live
//! inline (a ferromq [`Msg`] stores up to `INLINE_MAX` bytes inside itself), so the
//! common small-message path allocates nothing; `zmq_msg_init_size` of a larger frame
//! allocates a writable buffer that is handed over without copying at send;
//! `zmq_msg_init_data` wraps the caller's buffer (`Bytes::from_owner`), whose free
//! function runs exactly once, when the last reference to the frame is gone.

use crate::errno::{CResult, Errno, EFAULT, EINVAL};
use crate::ffi::guard;
use crate::ffi::int_len;
use crate::socket::with_socket;
use bytes::Bytes;
use ferromq_core::proto::Metadata;
use ferromq_core::{Msg, INLINE_MAX};
use std::os::raw::{c_char, c_int, c_void};
use std::sync::Arc;

/// A message as C sees it: 64 opaque bytes, aligned like a pointer (`zmq.h` declares
/// it itself; cbindgen does not emit this type).
#[repr(C, align(8))]
pub struct zmq_msg_t {
    _opaque: [u8; 64],
}

/// The function `zmq_msg_init_data` calls to release the caller's buffer (`zmq_free_fn`
/// in `zmq.h`, which declares that typedef itself).
type FreeFn = unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void);

const TAG: u32 = 0x4d53_4721;
const MORE: u32 = 1;
const SHARED: u32 = 2;

/// The bytes of a frame.
enum Body {
    /// A ferromq frame (received ones, small ones).
    Msg(Msg),
    /// A writable buffer from `zmq_msg_init_size` (larger than `INLINE_MAX`).
    Buf(Box<[u8]>),
    /// Shared or foreign bytes (`zmq_msg_init_data`, copies).
    Bytes(Bytes),
}

impl Body {
    fn len(&self) -> usize {
        match self {
            Body::Msg(m) => m.len(),
            Body::Buf(b) => b.len(),
            Body::Bytes(b) => b.len(),
        }
    }

    /// Whether more frames follow (only received frames, always `Body::Msg`, have any).
    fn more(&self) -> bool {
        matches!(self, Body::Msg(m) if m.more())
    }

    fn data(&mut self) -> *mut u8 {
        match self {
            // A received frame is owned by this message alone; C may write into it as
            // it may with libzmq.
            Body::Msg(m) => m.as_ptr() as *mut u8,
            Body::Buf(b) => b.as_mut_ptr(),
            Body::Bytes(b) => b.as_ptr() as *mut u8,
        }
    }

    /// Turns a private buffer into shareable bytes (no copy).
    fn make_shareable(&mut self) {
        if let Body::Buf(b) = self {
            let b = std::mem::take(b);
            *self = Body::Bytes(Bytes::from(b));
        }
    }

    /// The frame to send, moved out without copying or sharing (the body is left empty):
    /// a `Bytes` made from a buffer that is never cloned owns it alone, so building one
    /// allocates nothing. Shared bytes stay shared even when small: they may be a
    /// `zmq_msg_init_data` buffer, whose free function must run when the frame is done
    /// with, not when it is sent.
    fn take_frame(&mut self) -> Msg {
        // `zmq_msg_send` sends a `Body::Msg` in place (`Socket::send_from`) and takes only
        // the other bodies out this way.
        match std::mem::replace(self, empty()) {
            Body::Msg(m) => m,
            // Only frames larger than INLINE_MAX get a buffer: `from_bytes` keeps it.
            Body::Buf(b) => Msg::from_bytes(Bytes::from(b)),
            Body::Bytes(b) => Msg::from_shared_bytes(b),
        }
    }
}

/// A buffer of `size` (> INLINE_MAX) bytes whose content is undefined, or ENOMEM: what
/// `zmq_msg_init_size` promises (libzmq's is a plain `malloc`). Zero-filling it would
/// cost a memset per message that the program overwrites at once.
fn uninit_buf(size: usize) -> CResult<Box<[u8]>> {
    let layout = std::alloc::Layout::array::<u8>(size).map_err(|_| Errno(libc::ENOMEM))?;
    if layout.size() == 0 {
        return Ok(Box::default());
    }
    // SAFETY: the layout has a non-zero size (checked above).
    let ptr = unsafe { std::alloc::alloc(layout) };
    if ptr.is_null() {
        return Err(Errno(libc::ENOMEM));
    }
    // SAFETY: `ptr` is an allocation of `size` bytes with the layout of `[u8; size]` from
    // the global allocator, which is what `Box<[u8]>` frees it with. Its bytes are not
    // initialised: they are the C program's to fill through `zmq_msg_data` (the buffer
    // leaves this call inside the caller's `zmq_msg_t`, across the FFI boundary, before
    // anything reads it), and ferromq only moves them as opaque data (copies and
    // writes), as libzmq sends whatever `malloc` gave when the program writes nothing.
    Ok(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, size)) })
}

/// What lives inside a `zmq_msg_t`.
#[repr(C)]
struct CMsg {
    tag: u32,
    flags: u32,
    body: Body,
    /// The peer properties of the connection a received message came from.
    meta: Option<Arc<Metadata>>,
}

const _: () = assert!(size_of::<CMsg>() <= size_of::<zmq_msg_t>());
const _: () = assert!(align_of::<CMsg>() <= align_of::<zmq_msg_t>());
const _: () = assert!(size_of::<zmq_msg_t>() == 64);
const _: () = assert!(align_of::<zmq_msg_t>() == align_of::<*const u8>());

/// The initialised message at `msg`: EFAULT for NULL or a closed/uninitialised one.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t` (64 bytes, pointer-aligned, any content)
/// not used by another thread during `'a`.
unsafe fn cmsg<'a>(msg: *mut zmq_msg_t) -> CResult<&'a mut CMsg> {
    if msg.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: `msg` points to at least 4 aligned bytes; any bit pattern is a valid u32.
    let tag = unsafe { std::ptr::read(msg as *const u32) };
    if tag != TAG {
        return Err(EFAULT);
    }
    // SAFETY: the tag is only ever written together with a valid CMsg (see `write`), and
    // cleared when it is dropped; the caller gives us exclusive use.
    Ok(unsafe { &mut *(msg as *mut CMsg) })
}

/// The initialised message at `msg`, for reading: EFAULT for NULL or a
/// closed/uninitialised one.
///
/// # Safety
/// As [`cmsg`], except that other readers may share it.
unsafe fn cmsg_ref<'a>(msg: *const zmq_msg_t) -> CResult<&'a CMsg> {
    if msg.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: `msg` points to at least 4 aligned bytes; any bit pattern is a valid u32.
    let tag = unsafe { std::ptr::read(msg as *const u32) };
    if tag != TAG {
        return Err(EFAULT);
    }
    // SAFETY: the tag is only ever written together with a valid CMsg (see `write`).
    Ok(unsafe { &*(msg as *const CMsg) })
}

/// Stores a new message at `msg`, without dropping what was there.
///
/// # Safety
/// `msg` is non-NULL and points to a `zmq_msg_t` whose content needs no dropping.
unsafe fn write(msg: *mut zmq_msg_t, body: Body, flags: u32) {
    let c = CMsg {
        tag: TAG,
        flags,
        body,
        meta: None,
    };
    // SAFETY: `zmq_msg_t` is large and aligned enough for a CMsg (static assertions).
    unsafe { std::ptr::write(msg as *mut CMsg, c) };
}

/// Drops the message at `msg` and marks it closed.
fn close(c: &mut CMsg) {
    c.tag = 0;
    let old = std::mem::replace(&mut c.body, Body::Msg(Msg::new()));
    drop(old);
    c.meta = None;
    // The empty Msg left behind owns nothing, so not dropping it later is fine.
}

fn empty() -> Body {
    Body::Msg(Msg::new())
}

/// Initialises an empty message.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init(msg: *mut zmq_msg_t) -> c_int {
    guard(-1, || {
        if msg.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: `msg` points to a zmq_msg_t (caller's contract).
        unsafe { write(msg, empty(), 0) };
        Ok(0)
    })
}

/// Initialises a message of `size` bytes, to fill in through `zmq_msg_data`. As with
/// libzmq, their content is undefined until then.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_size(msg: *mut zmq_msg_t, size: usize) -> c_int {
    guard(-1, || {
        if msg.is_null() {
            return Err(EFAULT);
        }
        let body = if size <= INLINE_MAX {
            Body::Msg(Msg::zeroed(size))
        } else {
            Body::Buf(uninit_buf(size)?)
        };
        // SAFETY: `msg` points to a zmq_msg_t (caller's contract).
        unsafe { write(msg, body, 0) };
        Ok(0)
    })
}

/// The caller's buffer, released with its free function when the frame is dropped.
struct Foreign {
    data: *mut u8,
    len: usize,
    ffn: Option<FreeFn>,
    hint: *mut c_void,
}

// SAFETY: `zmq_msg_init_data` hands the buffer over: the library may read it and call
// the free function from any thread (as libzmq may, from an I/O thread).
unsafe impl Send for Foreign {}

impl AsRef<[u8]> for Foreign {
    fn as_ref(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `data` points to `len` bytes owned by this frame until `drop`.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }
}

impl Drop for Foreign {
    fn drop(&mut self) {
        if let Some(ffn) = self.ffn.take() {
            // SAFETY: the caller's free function, called once with its own data and hint.
            unsafe { ffn(self.data as *mut c_void, self.hint) };
        }
    }
}

/// Initialises a message over the caller's `size` bytes at `data`, without copying;
/// `ffn(data, hint)` (if not NULL) is called exactly once when the library is done with
/// them, possibly from another thread.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`; `data` points to `size` bytes that stay
/// valid until `ffn` is called (or forever, without `ffn`).
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_init_data(
    msg: *mut zmq_msg_t,
    data: *mut c_void,
    size: usize,
    ffn: Option<unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void)>,
    hint: *mut c_void,
) -> c_int {
    guard(-1, || {
        if msg.is_null() || (data.is_null() && size != 0) {
            return Err(EFAULT);
        }
        let owner = Foreign {
            data: data as *mut u8,
            len: size,
            ffn,
            hint,
        };
        let body = Body::Bytes(Bytes::from_owner(owner));
        // Without a free function the bytes are constant data, which libzmq reports as
        // shared (ZMQ_SHARED): nobody may write into them.
        let flags = if ffn.is_none() { SHARED } else { 0 };
        // SAFETY: `msg` points to a zmq_msg_t (caller's contract).
        unsafe { write(msg, body, flags) };
        Ok(0)
    })
}

/// Releases a message. EFAULT if it is not initialised.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_close(msg: *mut zmq_msg_t) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        close(unsafe { cmsg(msg) }?);
        Ok(0)
    })
}

/// Moves `src` into `dest` (whose old content is released); `src` becomes empty.
///
/// # Safety
/// Both are NULL or point to `zmq_msg_t`s.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_move(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    guard(-1, || {
        if dest == src {
            // SAFETY: as the caller guarantees.
            unsafe { cmsg(src) }?;
            return Ok(0);
        }
        // SAFETY: as the caller guarantees; distinct messages.
        let (d, s) = unsafe { (cmsg(dest)?, cmsg(src)?) };
        d.body = std::mem::replace(&mut s.body, empty());
        d.flags = s.flags;
        s.flags = 0;
        d.meta = s.meta.take();
        Ok(0)
    })
}

/// Makes `dest` (whose old content is released) share `src`'s bytes.
///
/// # Safety
/// Both are NULL or point to `zmq_msg_t`s.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_copy(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    guard(-1, || {
        if dest == src {
            // SAFETY: as the caller guarantees.
            unsafe { cmsg(src) }?;
            return Ok(0);
        }
        // SAFETY: as the caller guarantees; distinct messages.
        let (d, s) = unsafe { (cmsg(dest)?, cmsg(src)?) };
        s.body.make_shareable();
        let body = match &s.body {
            Body::Msg(m) => Body::Msg(m.clone()),
            Body::Bytes(b) => Body::Bytes(b.clone()),
            Body::Buf(_) => unreachable!("made shareable above"),
        };
        if body.len() > INLINE_MAX {
            s.flags |= SHARED;
        }
        d.body = body;
        d.flags = s.flags;
        d.meta = s.meta.clone();
        Ok(0)
    })
}

/// A pointer to the message's bytes, valid (and writable) until it is closed, sent,
/// moved or received into. NULL for an uninitialised message.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_data(msg: *mut zmq_msg_t) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: as the caller guarantees.
        Ok(unsafe { cmsg(msg) }?.body.data() as *mut c_void)
    })
}

/// The message's size in bytes (0 for an uninitialised one).
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_size(msg: *const zmq_msg_t) -> usize {
    guard(0, || {
        // SAFETY: as the caller guarantees; only read.
        Ok(unsafe { cmsg_ref(msg) }?.body.len())
    })
}

/// 1 if more frames of the same message follow this received one, else 0.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_more(msg: *const zmq_msg_t) -> c_int {
    guard(0, || {
        // SAFETY: as the caller guarantees; only read.
        let c = unsafe { cmsg_ref(msg) }?;
        Ok(c_int::from(c.flags & MORE != 0))
    })
}

/// Message property `property`: `ZMQ_MORE`, `ZMQ_SHARED` (1 for constant data and for
/// copies), or `ZMQ_SRCFD` (the descriptor of the tcp connection a received frame came
/// from, -1 otherwise, as libzmq). EINVAL for others.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_get(msg: *const zmq_msg_t, property: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees; only read.
        let c = unsafe { cmsg_ref(msg) }?;
        match property {
            crate::constants::ZMQ_MORE => Ok(c_int::from(c.flags & MORE != 0)),
            crate::constants::ZMQ_SRCFD => Ok(source_fd(c.meta.as_deref())),
            crate::constants::ZMQ_SHARED => Ok(c_int::from(c.flags & SHARED != 0)),
            _ => Err(EINVAL),
        }
    })
}

/// The connection descriptor recorded in a received frame's metadata (`__fd`, which
/// only ferromq's own end sets), or -1.
fn source_fd(meta: Option<&Metadata>) -> c_int {
    meta.and_then(|m| m.get("__fd"))
        .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
        .unwrap_or(-1)
}

/// Sets a message property: libzmq 4.3 has none that can be set, so always EINVAL.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_set(msg: *mut zmq_msg_t, property: c_int, optval: c_int) -> c_int {
    guard(-1, || {
        let _ = (property, optval);
        // SAFETY: as the caller guarantees.
        unsafe { cmsg(msg) }?;
        Err(EINVAL)
    })
}

/// A metadata property of a received message: the READY properties of the connection
/// it came from (`"Socket-Type"`, `"Identity"`, and any others the peer sent), looked up
/// case-insensitively. The string stays valid until the message is closed. NULL with
/// EINVAL for an unknown property or a message without metadata (built locally, or
/// received over inproc), as libzmq. `"Peer-Address"` is the peer's IP address over tcp,
/// `localhost:UID:GID:PID` of the peer process over ipc.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`; `property` is NULL or a string.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_gets(
    msg: *const zmq_msg_t,
    property: *const c_char,
) -> *const c_char {
    guard(std::ptr::null(), || {
        // SAFETY: as the caller guarantees; only read.
        let c = unsafe { cmsg_ref(msg) }?;
        if property.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: a non-NULL `property` is a NUL-terminated string, as the caller
        // guarantees.
        let name = unsafe { std::ffi::CStr::from_ptr(property) };
        let meta = c.meta.as_ref().ok_or(EINVAL)?;
        crate::properties::lookup(meta, name.to_bytes()).ok_or(EINVAL)
    })
}

/// Sends the message on socket `s`; on success the message is empty again and the
/// result is its size.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`; `s` is NULL or a pointer returned by
/// `zmq_socket`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_send(msg: *mut zmq_msg_t, s: *mut c_void, flags: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let c = unsafe { cmsg(msg) }?;
        // SAFETY: as the caller guarantees.
        unsafe {
            with_socket(s, |sock| {
                // A ferromq frame is sent from where it lies, moved once into the pipe;
                // on success the message is left empty, on failure it keeps the frame.
                if let Body::Msg(slot) = &mut c.body {
                    let len = slot.len();
                    sock.send_from(slot, flags)?;
                    c.flags = 0;
                    c.meta = None;
                    return Ok(int_len(len));
                }
                // Taken out only once the socket is there: a bad socket leaves it alone.
                let frame = c.body.take_frame();
                let len = frame.len();
                match sock.send_or_return(frame, flags) {
                    Ok(()) => {
                        // Empty again, as libzmq leaves a sent message.
                        c.flags = 0;
                        c.meta = None;
                        Ok(int_len(len))
                    }
                    Err((e, back)) => {
                        // As libzmq: a message that was not sent stays the caller's.
                        c.body = Body::Msg(back);
                        Err(e.into())
                    }
                }
            })
        }
    })
}

/// Receives a frame into the message (its old content is released); returns its size.
///
/// # Safety
/// `msg` is NULL or points to a `zmq_msg_t`; `s` is NULL or a pointer returned by
/// `zmq_socket`.
#[no_mangle]
pub unsafe extern "C" fn zmq_msg_recv(msg: *mut zmq_msg_t, s: *mut c_void, flags: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: as the caller guarantees.
        let c = unsafe { cmsg(msg) }?;
        // SAFETY: as the caller guarantees.
        let released = unsafe {
            with_socket(s, |sock| {
                // The frame goes straight into the message (moved once, from the pipe)
                // when it holds a ferromq frame, as a reused receive message does. Its
                // old content is replaced only once a frame came, and released after the
                // socket's lock unless it is inline (it may hold a `zmq_msg_init_data`
                // buffer whose free function calls into the library).
                let released = match &mut c.body {
                    Body::Msg(slot) => {
                        let old = (!slot.is_inline()).then(|| std::mem::take(slot));
                        if let Err(e) = sock.recv_into(slot, flags) {
                            if let Some(old) = old {
                                *slot = old;
                            }
                            return Err(e.into());
                        }
                        old.map(Body::Msg)
                    }
                    body => Some(std::mem::replace(body, Body::Msg(sock.recv(flags)?))),
                };
                // Most frames come from the connection the message's last one came from:
                // then the properties it holds are already the right ones.
                let meta = sock.last_peer_metadata_ref();
                let same = match (meta, &c.meta) {
                    (Some(new), Some(old)) => Arc::ptr_eq(new, old),
                    (None, None) => true,
                    _ => false,
                };
                if !same {
                    c.meta = meta.cloned();
                }
                Ok(released)
            })
        }?;
        drop(released);
        let len = c.body.len();
        c.flags = if c.body.more() { MORE } else { 0 };
        Ok(int_len(len))
    })
}

/// Deprecated: [`zmq_msg_send`] with the socket first.
///
/// # Safety
/// As [`zmq_msg_send`].
#[no_mangle]
pub unsafe extern "C" fn zmq_sendmsg(s: *mut c_void, msg: *mut zmq_msg_t, flags: c_int) -> c_int {
    // SAFETY: same contract.
    unsafe { zmq_msg_send(msg, s, flags) }
}

/// Deprecated: [`zmq_msg_recv`] with the socket first.
///
/// # Safety
/// As [`zmq_msg_recv`].
#[no_mangle]
pub unsafe extern "C" fn zmq_recvmsg(s: *mut c_void, msg: *mut zmq_msg_t, flags: c_int) -> c_int {
    // SAFETY: same contract.
    unsafe { zmq_msg_recv(msg, s, flags) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn new_msg() -> zmq_msg_t {
        zmq_msg_t { _opaque: [0; 64] }
    }

    #[test]
    fn layout_matches_libzmq() {
        assert_eq!(size_of::<zmq_msg_t>(), 64);
        assert_eq!(align_of::<zmq_msg_t>(), 8);
    }

    #[test]
    fn init_size_data_is_writable_and_round_trips() {
        for size in [0, 5, INLINE_MAX, INLINE_MAX + 1, 4096] {
            let mut m = new_msg();
            // SAFETY: `m` is a zmq_msg_t on the stack.
            unsafe {
                assert_eq!(zmq_msg_init_size(&mut m, size), 0);
                assert_eq!(zmq_msg_size(&m), size);
                let p = zmq_msg_data(&mut m) as *mut u8;
                std::ptr::write_bytes(p, 0xab, size);
                let mut copy = new_msg();
                zmq_msg_init(&mut copy);
                assert_eq!(zmq_msg_copy(&mut copy, &mut m), 0);
                let q = zmq_msg_data(&mut copy) as *const u8;
                assert!(std::slice::from_raw_parts(q, size)
                    .iter()
                    .all(|&b| b == 0xab));
                assert_eq!(zmq_msg_close(&mut m), 0);
                assert_eq!(zmq_msg_close(&mut copy), 0);
                assert_eq!(zmq_msg_close(&mut copy), -1);
                assert_eq!(crate::zmq_errno(), libc::EFAULT);
            }
        }
    }

    static FREED: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn count_free(data: *mut c_void, hint: *mut c_void) {
        assert_eq!(hint as usize, 42);
        // SAFETY: `data` came from Box::into_raw of a [u8; 100] below.
        drop(unsafe { Box::from_raw(data as *mut [u8; 100]) });
        FREED.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn init_data_frees_exactly_once_after_the_last_copy() {
        let buf = Box::into_raw(Box::new([7u8; 100]));
        let mut a = new_msg();
        let mut b = new_msg();
        // SAFETY: stack messages; the buffer is handed over to the message.
        unsafe {
            assert_eq!(
                zmq_msg_init_data(&mut a, buf as *mut c_void, 100, Some(count_free), 42 as _),
                0
            );
            zmq_msg_init(&mut b);
            zmq_msg_copy(&mut b, &mut a);
            assert_eq!(zmq_msg_get(&a, crate::constants::ZMQ_SHARED), 1);
            zmq_msg_close(&mut a);
            assert_eq!(FREED.load(Ordering::SeqCst), 0);
            let mut c = new_msg();
            zmq_msg_init(&mut c);
            zmq_msg_move(&mut c, &mut b);
            assert_eq!(zmq_msg_size(&b), 0);
            zmq_msg_close(&mut b);
            assert_eq!(FREED.load(Ordering::SeqCst), 0);
            zmq_msg_close(&mut c);
        }
        assert_eq!(FREED.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_receive_that_failed_leaves_the_message_and_one_that_came_replaces_it() {
        use crate::constants::{ZMQ_DONTWAIT, ZMQ_PULL, ZMQ_PUSH, ZMQ_SNDMORE};
        let ctx = crate::zmq_ctx_new();
        // SAFETY: a live context and sockets, stack messages, NUL-terminated endpoints.
        unsafe {
            let pull = crate::socket::zmq_socket(ctx, ZMQ_PULL);
            let push = crate::socket::zmq_socket(ctx, ZMQ_PUSH);
            let ep = c"inproc://msg-recv-slot".as_ptr();
            assert_eq!(crate::socket::zmq_bind(pull, ep), 0);
            assert_eq!(crate::socket::zmq_connect(push, ep), 0);
            // Old content of each kind: inline, a writable buffer, a shared frame.
            for old_size in [3, INLINE_MAX + 1, 4096] {
                let mut m = new_msg();
                assert_eq!(zmq_msg_init_size(&mut m, old_size), 0);
                std::ptr::write_bytes(zmq_msg_data(&mut m) as *mut u8, 0x5a, old_size);
                assert_eq!(zmq_msg_recv(&mut m, pull, ZMQ_DONTWAIT), -1);
                assert_eq!(crate::zmq_errno(), libc::EAGAIN);
                assert_eq!(zmq_msg_size(&m), old_size);
                let p = zmq_msg_data(&mut m) as *const u8;
                assert!(std::slice::from_raw_parts(p, old_size)
                    .iter()
                    .all(|&b| b == 0x5a));
                // Two frames of one message, then one large frame, into the same message.
                for (size, flags) in [(1, ZMQ_SNDMORE), (INLINE_MAX + 7, 0), (2000, 0)] {
                    let mut out = new_msg();
                    assert_eq!(zmq_msg_init_size(&mut out, size), 0);
                    std::ptr::write_bytes(zmq_msg_data(&mut out) as *mut u8, size as u8, size);
                    assert_eq!(zmq_msg_send(&mut out, push, flags), int_len(size));
                    assert_eq!(zmq_msg_size(&out), 0, "sent: empty again");
                    assert_eq!(zmq_msg_close(&mut out), 0);
                }
                for (size, more) in [(1, 1), (INLINE_MAX + 7, 0), (2000, 0)] {
                    assert_eq!(zmq_msg_recv(&mut m, pull, 0), int_len(size));
                    assert_eq!(zmq_msg_size(&m), size);
                    assert_eq!(zmq_msg_more(&m), more);
                    let p = zmq_msg_data(&mut m) as *const u8;
                    assert!(std::slice::from_raw_parts(p, size)
                        .iter()
                        .all(|&b| b == size as u8));
                }
                assert_eq!(zmq_msg_close(&mut m), 0);
            }
            assert_eq!(crate::socket::zmq_close(push), 0);
            assert_eq!(crate::socket::zmq_close(pull), 0);
            assert_eq!(crate::zmq_ctx_term(ctx), 0);
        }
    }

    #[test]
    fn a_message_that_was_not_sent_stays_the_callers() {
        use crate::constants::{ZMQ_DONTWAIT, ZMQ_PUSH};
        let ctx = crate::zmq_ctx_new();
        // SAFETY: a live context and socket, a stack message.
        unsafe {
            let push = crate::socket::zmq_socket(ctx, ZMQ_PUSH);
            for size in [5, INLINE_MAX + 1, 4096] {
                let mut m = new_msg();
                assert_eq!(zmq_msg_init_size(&mut m, size), 0);
                std::ptr::write_bytes(zmq_msg_data(&mut m) as *mut u8, 0x5a, size);
                // No peer: EAGAIN, and the message keeps its bytes.
                assert_eq!(zmq_msg_send(&mut m, push, ZMQ_DONTWAIT), -1);
                assert_eq!(crate::zmq_errno(), libc::EAGAIN);
                assert_eq!(zmq_msg_size(&m), size);
                let p = zmq_msg_data(&mut m) as *const u8;
                assert!(std::slice::from_raw_parts(p, size)
                    .iter()
                    .all(|&b| b == 0x5a));
                // A bad socket leaves it alone too.
                assert_eq!(zmq_msg_send(&mut m, std::ptr::null_mut(), 0), -1);
                assert_eq!(crate::zmq_errno(), libc::ENOTSOCK);
                assert_eq!(zmq_msg_size(&m), size);
                assert_eq!(zmq_msg_close(&mut m), 0);
            }
            assert_eq!(crate::socket::zmq_close(push), 0);
            assert_eq!(crate::zmq_ctx_term(ctx), 0);
        }
    }

    #[test]
    fn properties() {
        let mut m = new_msg();
        // SAFETY: a stack message.
        unsafe {
            zmq_msg_init(&mut m);
            assert_eq!(zmq_msg_get(&m, crate::constants::ZMQ_MORE), 0);
            assert_eq!(zmq_msg_get(&m, 99), -1);
            assert_eq!(zmq_msg_set(&mut m, crate::constants::ZMQ_MORE, 1), -1);
            assert!(zmq_msg_gets(&m, c"Socket-Type".as_ptr()).is_null());
            assert_eq!(crate::zmq_errno(), libc::EINVAL);
            zmq_msg_close(&mut m);
            assert_eq!(zmq_msg_size(&m), 0);
        }
    }
}
