//! [`proxy`] and [`proxy_steerable`]: the built-in device that joins two sockets
//! (`zmq_proxy`, `zmq_proxy_steerable`).
//!
//! As in libzmq, the proxy polls both sides and forwards whole messages in bursts of up
//! to [`BURST`] per turn, so one busy side cannot starve the other. It reads a side only
//! while the other can take a message (POLLOUT), and otherwise waits for that: a side at
//! its high-water mark, or without peers, never blocks the proxy in a send, so control
//! commands (TERMINATE) still get through. Each frame is copied
//! to the capture socket, if any, before it is forwarded. A multipart message counts as
//! one message in the statistics. [`proxy_echo`] and [`proxy_steerable_echo`] are the
//! proxy whose frontend and backend are one socket (`zmq_proxy(s, s, ...)`).

use crate::error::{Error, Result};
use crate::poll::{poll, PollItem, POLLIN, POLLOUT};
use crate::proto::SocketType;
use crate::socket::{Socket, SNDMORE};

/// The most messages forwarded from one side before the other gets a turn.
pub const BURST: usize = 1000;

/// Traffic through one side of a proxy.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SideStats {
    /// Messages received from this side.
    pub msg_in: u64,
    /// Bytes (all frames) received from this side.
    pub bytes_in: u64,
    /// Messages sent to this side.
    pub msg_out: u64,
    /// Bytes sent to this side.
    pub bytes_out: u64,
}

/// Runs a proxy between `frontend` and `backend` until an error (ETERM when the context is
/// terminated), copying every frame to `capture` if given. It only returns with an error,
/// as `zmq_proxy` does.
///
/// ```no_run
/// use ferromq::{proxy, Context, SocketType};
/// let ctx = Context::new();
/// let mut frontend = ctx.socket(SocketType::Router)?;
/// frontend.bind("tcp://*:5559")?;
/// let mut backend = ctx.socket(SocketType::Dealer)?;
/// backend.bind("tcp://*:5560")?;
/// let err = proxy(&mut frontend, &mut backend, None).unwrap_err();
/// # Ok::<(), ferromq::Error>(())
/// ```
pub fn proxy(
    frontend: &mut Socket,
    backend: &mut Socket,
    capture: Option<&mut Socket>,
) -> Result<()> {
    proxy_steerable(frontend, backend, capture, None)
}

/// [`proxy`] that a `control` socket can steer: a message `PAUSE` stops forwarding,
/// `RESUME` restarts it, `TERMINATE` ends the proxy (it returns `Ok`), and `STATISTICS`
/// answers on the control socket with 8 frames of native-endian `u64`: the frontend's
/// [`SideStats`] fields, then the backend's. Other control messages are ignored. A REP
/// control socket gets an empty reply to every other command (as libzmq 4.3.5 does), so
/// a REQ can steer.
///
/// ```
/// use ferromq::{proxy_steerable, Context, SocketType};
/// let ctx = Context::new();
/// let mut frontend = ctx.socket(SocketType::Pull)?;
/// frontend.bind("inproc://in")?;
/// let mut backend = ctx.socket(SocketType::Push)?;
/// backend.bind("inproc://out")?;
/// let mut control = ctx.socket(SocketType::Pair)?;
/// control.bind("inproc://control")?;
/// let mut steer = ctx.socket(SocketType::Pair)?;
/// steer.connect("inproc://control")?;
/// steer.send("TERMINATE", 0)?;
/// proxy_steerable(&mut frontend, &mut backend, None, Some(&mut control))?;
/// # Ok::<(), ferromq::Error>(())
/// ```
pub fn proxy_steerable(
    frontend: &mut Socket,
    backend: &mut Socket,
    capture: Option<&mut Socket>,
    control: Option<&mut Socket>,
) -> Result<()> {
    run(Ends::Two(frontend, backend), capture, control)
}

/// [`proxy`] with one socket as both frontend and backend: every message it receives
/// is sent back on it (`zmq_proxy(s, s, capture)` in C, which Rust's borrow rules
/// spell as a function of its own). On a ROUTER, a message goes back to the peer it came
/// from: Jupyter's heartbeat is such an echo.
///
/// ```
/// use ferromq::{proxy_echo, Context, SocketType};
/// let ctx = Context::new();
/// let mut echo = ctx.socket(SocketType::Router)?;
/// echo.bind("inproc://heartbeat")?;
/// let mut client = ctx.socket(SocketType::Dealer)?;
/// client.connect("inproc://heartbeat")?;
/// let t = std::thread::spawn(move || proxy_echo(&mut echo, None));
/// client.send("ping", 0)?;
/// assert_eq!(&client.recv(0)?[..], b"ping");
/// drop(client);
/// ctx.term(); // the proxy returns ETERM
/// assert!(t.join().unwrap().is_err());
/// # Ok::<(), ferromq::Error>(())
/// ```
pub fn proxy_echo(socket: &mut Socket, capture: Option<&mut Socket>) -> Result<()> {
    run(Ends::Echo(socket), capture, None)
}

/// [`proxy_echo`] steered by `control`, as [`proxy_steerable`] is. In STATISTICS, the
/// messages received count for the frontend and those sent for the backend.
///
/// ```
/// use ferromq::{proxy_steerable_echo, Context, SocketType};
/// let ctx = Context::new();
/// let mut echo = ctx.socket(SocketType::Rep)?;
/// echo.bind("inproc://echo")?;
/// let mut control = ctx.socket(SocketType::Pair)?;
/// control.bind("inproc://echo-control")?;
/// let mut steer = ctx.socket(SocketType::Pair)?;
/// steer.connect("inproc://echo-control")?;
/// let t = std::thread::spawn(move || {
///     proxy_steerable_echo(&mut echo, None, Some(&mut control))
/// });
/// let mut req = ctx.socket(SocketType::Req)?;
/// req.connect("inproc://echo")?;
/// req.send("hello", 0)?;
/// assert_eq!(&req.recv(0)?[..], b"hello");
/// steer.send("TERMINATE", 0)?;
/// t.join().unwrap()?;
/// # Ok::<(), ferromq::Error>(())
/// ```
pub fn proxy_steerable_echo(
    socket: &mut Socket,
    capture: Option<&mut Socket>,
    control: Option<&mut Socket>,
) -> Result<()> {
    run(Ends::Echo(socket), capture, control)
}

/// The sockets a proxy joins: two, or one that answers itself.
enum Ends<'a> {
    Two(&'a mut Socket, &'a mut Socket),
    Echo(&'a mut Socket),
}

fn run(
    mut ends: Ends<'_>,
    mut capture: Option<&mut Socket>,
    mut control: Option<&mut Socket>,
) -> Result<()> {
    let mut front = SideStats::default();
    let mut back = SideStats::default();
    let mut paused = false;
    loop {
        let (front_in, back_in, control_in) = wait(&mut ends, control.as_deref_mut(), paused)?;
        if control_in {
            if let Some(c) = control.as_deref_mut() {
                match steer(c, &front, &back)? {
                    Steer::Pause => paused = true,
                    Steer::Resume => paused = false,
                    Steer::Terminate => return Ok(()),
                    Steer::Continue => {}
                }
            }
        }
        if paused {
            continue;
        }
        match &mut ends {
            Ends::Two(frontend, backend) => {
                if front_in {
                    let to = Some(&mut **backend);
                    forward(frontend, to, capture.as_deref_mut(), &mut front, &mut back)?;
                }
                if back_in {
                    let to = Some(&mut **frontend);
                    forward(backend, to, capture.as_deref_mut(), &mut back, &mut front)?;
                }
            }
            Ends::Echo(socket) => {
                if front_in {
                    forward(socket, None, capture.as_deref_mut(), &mut front, &mut back)?;
                }
            }
        }
    }
}

/// Polls the sides (not while paused) and the control socket.
fn wait(
    ends: &mut Ends<'_>,
    control: Option<&mut Socket>,
    paused: bool,
) -> Result<(bool, bool, bool)> {
    let mut items = Vec::with_capacity(3);
    // Read a side only when the side it forwards to can take the message, else wait until
    // it can (POLLOUT): a full or peerless side never blocks the proxy in a send.
    let interest = |peer_out: bool, own_out: bool| {
        (if peer_out { POLLIN } else { 0 }) | (if own_out { 0 } else { POLLOUT })
    };
    let sides = match (paused, ends) {
        (true, _) => 0,
        (false, Ends::Two(frontend, backend)) => {
            let front_out = frontend.events()? & POLLOUT != 0;
            let back_out = backend.events()? & POLLOUT != 0;
            items.push(PollItem::socket(frontend, interest(back_out, front_out)));
            items.push(PollItem::socket(backend, interest(front_out, back_out)));
            2
        }
        (false, Ends::Echo(socket)) => {
            // One socket both ways: read regardless, as libzmq does when frontend ==
            // backend (a REP only becomes writable by reading a request).
            items.push(PollItem::socket(socket, POLLIN));
            1
        }
    };
    let has_control = control.is_some();
    if let Some(c) = control {
        items.push(PollItem::socket(c, POLLIN));
    }
    poll(&mut items, -1)?;
    let ready = |i: usize| items.get(i).is_some_and(|it| it.revents & POLLIN != 0);
    Ok((
        sides > 0 && ready(0),
        sides > 1 && ready(1),
        has_control && ready(sides),
    ))
}

enum Steer {
    Pause,
    Resume,
    Terminate,
    Continue,
}

/// Reads and applies one control command.
fn steer(control: &mut Socket, front: &SideStats, back: &SideStats) -> Result<Steer> {
    let parts = match control.recv_multipart(crate::DONTWAIT) {
        Ok(p) => p,
        Err(Error::Again) => return Ok(Steer::Continue),
        Err(e) => return Err(e),
    };
    let Some(cmd) = parts.first() else {
        return Ok(Steer::Continue);
    };
    let action = match &cmd[..] {
        b"PAUSE" => Steer::Pause,
        b"RESUME" => Steer::Resume,
        b"TERMINATE" => Steer::Terminate,
        b"STATISTICS" => {
            let values = [
                front.msg_in,
                front.bytes_in,
                front.msg_out,
                front.bytes_out,
                back.msg_in,
                back.bytes_in,
                back.msg_out,
                back.bytes_out,
            ];
            let frames: Vec<Vec<u8>> = values.iter().map(|v| v.to_ne_bytes().to_vec()).collect();
            control.send_multipart(frames, 0)?;
            return Ok(Steer::Continue);
        }
        _ => Steer::Continue,
    };
    if control.socket_type() == SocketType::Rep {
        control.send(Vec::new(), 0)?;
    }
    Ok(action)
}

/// Forwards up to [`BURST`] whole messages from `from` to `to` (`None`: back to `from`).
fn forward(
    from: &mut Socket,
    mut to: Option<&mut Socket>,
    mut capture: Option<&mut Socket>,
    from_stats: &mut SideStats,
    to_stats: &mut SideStats,
) -> Result<()> {
    for i in 0..BURST {
        // The first message was polled for; later ones must not block in `to.send` (an
        // echo is not checked, as in libzmq: a REP is writable only once it has read).
        if let Some(to) = to.as_deref_mut().filter(|_| i > 0) {
            if to.events()? & POLLOUT == 0 {
                return Ok(());
            }
        }
        let mut msg = match from.recv(crate::DONTWAIT) {
            Ok(m) => m,
            Err(Error::Again) => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut size = 0u64;
        loop {
            let more = msg.more();
            size = size.saturating_add(msg.len() as u64);
            let flags = if more { SNDMORE } else { 0 };
            if let Some(c) = capture.as_deref_mut() {
                c.send(msg.clone(), flags)?;
            }
            match to.as_deref_mut() {
                Some(to) => to.send(msg, flags)?,
                None => from.send(msg, flags)?,
            }
            if !more {
                break;
            }
            // The rest of a message arrives with its first frame.
            msg = from.recv(0)?;
        }
        from_stats.msg_in += 1;
        from_stats.bytes_in = from_stats.bytes_in.saturating_add(size);
        to_stats.msg_out += 1;
        to_stats.bytes_out = to_stats.bytes_out.saturating_add(size);
    }
    Ok(())
}
