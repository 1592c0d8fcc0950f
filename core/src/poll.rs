//! [`poll`]: wait on many sockets and file descriptors at once (`zmq_poll`).
//!
//! Sockets take part through their readiness FDs: each round clears them and reads every
//! socket's events, and only if nothing is ready does one `poll(2)` sleep on all the
//! descriptors at once. A notify that lands after a socket was looked at leaves its FD
//! readable, so the sleep ends at once and nothing is missed.

use crate::error::Result;
use crate::socket::Socket;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

/// A socket has a message to receive, or a file descriptor is readable.
pub const POLLIN: i16 = 1;
/// A socket can send without blocking, or a file descriptor is writable.
pub const POLLOUT: i16 = 2;
/// A file descriptor has an error condition (never set for sockets).
pub const POLLERR: i16 = 4;
/// A file descriptor has urgent data (never set for sockets).
pub const POLLPRI: i16 = 8;

/// What a [`PollItem`] watches.
#[derive(Debug)]
pub enum PollTarget<'a> {
    /// A ferromq socket.
    Socket(&'a mut Socket),
    /// Any file descriptor (a pipe, a TCP socket, stdin…).
    Fd(RawFd),
}

/// One entry of a [`poll`] call: what to watch, for which events, and what happened.
#[derive(Debug)]
pub struct PollItem<'a> {
    /// The socket or descriptor.
    pub target: PollTarget<'a>,
    /// The events of interest ([`POLLIN`], [`POLLOUT`], and for descriptors [`POLLPRI`]).
    pub events: i16,
    /// Set by [`poll`]: the events that hold (for descriptors, [`POLLERR`] may be set
    /// even when not asked for).
    pub revents: i16,
}

impl<'a> PollItem<'a> {
    /// Watches `socket` for `events`.
    ///
    /// ```
    /// use ferromq::{Context, PollItem, SocketType, POLLIN};
    /// let mut s = Context::new().socket(SocketType::Pull)?;
    /// let item = PollItem::socket(&mut s, POLLIN);
    /// assert_eq!(item.revents, 0);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn socket(socket: &'a mut Socket, events: i16) -> PollItem<'a> {
        PollItem {
            target: PollTarget::Socket(socket),
            events,
            revents: 0,
        }
    }

    /// Watches file descriptor `fd` for `events`.
    ///
    /// ```
    /// use ferromq::{PollItem, POLLIN};
    /// let item = PollItem::fd(0, POLLIN);
    /// assert_eq!(item.events, POLLIN);
    /// ```
    pub fn fd(fd: RawFd, events: i16) -> PollItem<'a> {
        PollItem {
            target: PollTarget::Fd(fd),
            events,
            revents: 0,
        }
    }
}

/// Waits until at least one item's events hold, or `timeout_ms` passes (-1 = no limit,
/// 0 = just look), and sets each item's `revents`. Returns how many items have events.
/// ETERM if a socket's context was terminated, EINTR if a signal interrupted the wait.
///
/// ```
/// use ferromq::{poll, Context, PollItem, SocketType, POLLIN};
/// let ctx = Context::new();
/// let mut a = ctx.socket(SocketType::Pull)?;
/// a.bind("inproc://a")?;
/// let mut b = ctx.socket(SocketType::Pull)?;
/// b.bind("inproc://b")?;
/// let mut push = ctx.socket(SocketType::Push)?;
/// push.connect("inproc://b")?;
/// push.send("for b", 0)?;
/// let mut items = [PollItem::socket(&mut a, POLLIN), PollItem::socket(&mut b, POLLIN)];
/// assert_eq!(poll(&mut items, 1000)?, 1);
/// assert_eq!((items[0].revents, items[1].revents), (0, POLLIN));
/// # Ok::<(), ferromq::Error>(())
/// ```
pub fn poll(items: &mut [PollItem<'_>], timeout_ms: i64) -> Result<usize> {
    let deadline = u64::try_from(timeout_ms)
        .ok()
        .map(|ms| Instant::now() + Duration::from_millis(ms));
    let mut fds = Vec::with_capacity(items.len());
    for item in items.iter() {
        let (fd, events) = match &item.target {
            PollTarget::Socket(s) => (s.fd()?, libc::POLLIN),
            PollTarget::Fd(fd) => (*fd, to_sys(item.events)),
        };
        fds.push(libc::pollfd {
            fd,
            events,
            revents: 0,
        });
    }
    let mut first = true;
    loop {
        // The first round only looks; later ones sleep until something may have changed.
        let wait_ms = if first { 0 } else { remaining_ms(deadline) };
        first = false;
        sys_poll(&mut fds, wait_ms)?;
        let mut ready = 0;
        for (item, pfd) in items.iter_mut().zip(&fds) {
            item.revents = match &mut item.target {
                PollTarget::Socket(s) => s.events()? & item.events,
                PollTarget::Fd(_) => from_sys(pfd.revents) & (item.events | POLLERR),
            };
            if item.revents != 0 {
                ready += 1;
            }
        }
        let expired = match deadline {
            Some(d) => Instant::now() >= d,
            None => false,
        };
        if ready > 0 || expired {
            return Ok(ready);
        }
    }
}

/// Milliseconds left until `deadline` for poll(2) (-1 = no limit), rounded up.
fn remaining_ms(deadline: Option<Instant>) -> i32 {
    match deadline {
        None => -1,
        Some(d) => {
            let left = d.saturating_duration_since(Instant::now());
            let ms = left.as_micros().div_ceil(1000);
            i32::try_from(ms).unwrap_or(i32::MAX)
        }
    }
}

fn sys_poll(fds: &mut [libc::pollfd], timeout: i32) -> Result<()> {
    crate::sys::fd::poll(fds, timeout)?;
    Ok(())
}

fn to_sys(events: i16) -> i16 {
    let mut e = 0;
    if events & POLLIN != 0 {
        e |= libc::POLLIN;
    }
    if events & POLLOUT != 0 {
        e |= libc::POLLOUT;
    }
    if events & POLLPRI != 0 {
        e |= libc::POLLPRI;
    }
    e
}

fn from_sys(revents: i16) -> i16 {
    let mut e = 0;
    if revents & libc::POLLIN != 0 {
        e |= POLLIN;
    }
    if revents & libc::POLLOUT != 0 {
        e |= POLLOUT;
    }
    if revents & libc::POLLPRI != 0 {
        e |= POLLPRI;
    }
    if revents & !(libc::POLLIN | libc::POLLOUT | libc::POLLPRI) != 0 {
        e |= POLLERR;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_bits_map_both_ways() {
        for ev in [POLLIN, POLLOUT, POLLPRI, POLLIN | POLLOUT] {
            assert_eq!(from_sys(to_sys(ev)), ev);
        }
        assert_eq!(from_sys(libc::POLLHUP), POLLERR);
        assert_eq!(from_sys(libc::POLLNVAL | libc::POLLIN), POLLERR | POLLIN);
    }

    #[test]
    fn remaining_rounds_up_and_unlimited_is_minus_one() {
        assert_eq!(remaining_ms(None), -1);
        let d = Instant::now() + Duration::from_micros(1500);
        assert!((1..=2).contains(&remaining_ms(Some(d))));
        assert_eq!(remaining_ms(Some(Instant::now())), 0);
    }
}
