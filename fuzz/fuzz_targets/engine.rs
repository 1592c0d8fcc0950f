//! The whole engine: a bound ferromq socket of every type, talked to over a real Unix
//! socket (ipc, abstract namespace) by a peer whose bytes are the input.
//!
//! Input: `[socket] [flags] [peer type] bytes...`.
//! * `socket` picks one of the bound sockets (each type, with default options or with
//!   tight ones: MAXMSGSIZE 100, HWMs 4);
//! * flags bit 0: precede the bytes with a valid greeting and READY from a peer of a
//!   compatible type (`peer type` picks it), so most inputs exercise the traffic phase;
//!   bit 1: that greeting announces ZMTP 3.0; bit 2: its READY carries an identity.
//!
//! The peer writes all its bytes (reading whatever ferromq sends meanwhile), then shuts
//! down its writing side; the socket keeps receiving (REP and ROUTER echo what they get,
//! the sending types send one message first). The iteration ends when ferromq closes the
//! connection, which it must do soon after the peer's end of stream.
//! A panic on ferromq's I/O thread, a hang or a crash is a finding.
#![no_main]

use std::io::{ErrorKind, Read};
use std::os::fd::AsRawFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use ferromq::{poll, Context, PollItem, Socket, SocketType, DONTWAIT, EFSM, POLLIN, POLLOUT};
use ferromq_fuzz::wire::null_handshake;
use libfuzzer_sys::fuzz_target;

/// How long one input may take: ferromq reads everything and closes the connection after
/// the peer's end of stream well within this.
const DEADLINE: Duration = Duration::from_secs(10);

struct Bound {
    socket: Socket,
    ty: SocketType,
    name: String,
}

struct Engine {
    bound: Vec<Bound>,
    // Dropped last: the sockets above belong to it.
    _ctx: Context,
}

fn engine() -> &'static Mutex<Engine> {
    static ENGINE: OnceLock<Mutex<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let ctx = Context::new();
        let mut bound = Vec::new();
        for tight in [false, true] {
            for raw in 0..=10 {
                let ty = SocketType::from_raw(raw).expect("types 0..=10 exist");
                let mut socket = ctx.socket(ty).expect("socket");
                socket.set_linger(0).unwrap();
                if tight {
                    socket.set_maxmsgsize(100).unwrap();
                    socket.set_rcvhwm(4).unwrap();
                    socket.set_sndhwm(4).unwrap();
                }
                match ty {
                    SocketType::Sub => socket.set_subscribe(b"").unwrap(),
                    SocketType::Req => socket.set_req_relaxed(true).unwrap(),
                    SocketType::Xpub => socket.set_xpub_verbose(tight).unwrap(),
                    SocketType::Router => socket.set_router_mandatory(tight).unwrap(),
                    _ => {}
                }
                let name = format!("ferromq-fuzz-{}-{raw}-{tight}", std::process::id());
                socket.bind(&format!("ipc://@{name}")).expect("bind");
                bound.push(Bound { socket, ty, name });
            }
        }
        Mutex::new(Engine { bound, _ctx: ctx })
    })
}

/// Sends without SIGPIPE (the fuzzer's process keeps the default disposition, so that a
/// write of ferromq's that raises SIGPIPE is a finding) and without blocking.
fn send_some(fd: i32, buf: &[u8]) -> std::io::Result<usize> {
    // SAFETY: `buf` is valid for `buf.len()` bytes; `fd` is our open socket.
    let n = unsafe {
        libc::send(
            fd,
            buf.as_ptr().cast(),
            buf.len(),
            libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT,
        )
    };
    usize::try_from(n).map_err(|_| std::io::Error::last_os_error())
}

/// Whatever the socket has for us: received and dropped, or echoed by REP and ROUTER.
///
/// The socket must be drained: a full pipe stops ferromq reading the connection (as it
/// stops libzmq), and then it cannot see the peer's end of stream either.
fn serve(b: &mut Bound) {
    for _ in 0..64 {
        let parts = match b.socket.recv_multipart(DONTWAIT) {
            Ok(parts) => parts,
            // A REQ receives only after a request (REQ_RELAXED allows one at any time).
            Err(e) if e.errno() == EFSM && b.ty == SocketType::Req => {
                if b.socket.send(&b"request"[..], DONTWAIT).is_err() {
                    return;
                }
                continue;
            }
            Err(_) => return,
        };
        if matches!(b.ty, SocketType::Rep | SocketType::Router) {
            let _ = b.socket.send_multipart(parts, DONTWAIT);
        }
    }
}

fn sends_first(ty: SocketType) -> bool {
    use SocketType::*;
    matches!(ty, Push | Pub | Xpub | Dealer | Pair | Req | Xsub)
}

fuzz_target!(|data: &[u8]| {
    let [which, flags, peer_pick, bytes @ ..] = data else {
        return;
    };
    let mut engine = engine().lock().unwrap_or_else(|e| e.into_inner());
    let count = engine.bound.len();
    let b = &mut engine.bound[usize::from(*which) % count];

    let mut input = Vec::new();
    if flags & 1 != 0 {
        let peers: Vec<SocketType> = (0..=10)
            .filter_map(SocketType::from_raw)
            .filter(|&p| b.ty.is_compatible_with(p))
            .collect();
        let peer = peers[usize::from(*peer_pick) % peers.len()];
        let minor = if flags & 2 != 0 { 0 } else { 1 };
        let id: &[u8] = if flags & 4 != 0 { b"peer-id" } else { b"" };
        input.extend_from_slice(&null_handshake(peer, minor, id));
    }
    input.extend_from_slice(bytes);

    let addr = SocketAddr::from_abstract_name(b.name.as_bytes()).expect("abstract name");
    let stream = UnixStream::connect_addr(&addr).expect("connect to the bound socket");
    let fd = stream.as_raw_fd();
    stream.set_nonblocking(true).unwrap();
    if sends_first(b.ty) {
        // Queued until the handshake completes (or refused when nobody is attached).
        let _ = b.socket.send(&b"from ferromq"[..], DONTWAIT);
    }

    let mut written = 0;
    let mut writing = true;
    let mut sink = [0u8; 16 * 1024];
    let start = Instant::now();
    loop {
        let want = if writing { POLLIN | POLLOUT } else { POLLIN };
        let mut items = [
            PollItem::socket(&mut b.socket, POLLIN),
            PollItem::fd(fd, want),
        ];
        // libFuzzer's timers (SIGALRM) interrupt the wait now and then, as they would
        // zmq_poll's: EINTR only means "look again".
        if let Err(e) = poll(&mut items, 10) {
            assert_eq!(e.errno(), libc::EINTR, "poll failed: {e}");
        }
        serve(b);
        if writing {
            match send_some(fd, &input[written..]) {
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                // ferromq dropped us (a protocol error): nothing more to write.
                Err(_) => written = input.len(),
            }
            if written == input.len() {
                writing = false;
                let _ = stream.shutdown(std::net::Shutdown::Write);
            }
        }
        match (&stream).read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
        assert!(
            start.elapsed() < DEADLINE,
            "after {DEADLINE:?} ferromq still holds the connection ({written} of {} bytes taken)",
            input.len()
        );
    }
    serve(b);
});
