//! `poll` over many sockets and file descriptors, `events`, and the readiness FD.

mod common;

use common::{bounded, socket};
use ferromq::{poll, Context, Error, PollItem, Socket, SocketType, DONTWAIT, POLLIN, POLLOUT};
use std::io::Write;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

/// Whether `fd` is readable within `ms`.
fn fd_readable(fd: RawFd, ms: i32) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    unsafe { libc::poll(&mut p, 1, ms) == 1 }
}

/// CPU time used by this process so far (user + system).
fn cpu_time() -> Duration {
    // SAFETY: rusage is plain integers, for which all-zero bytes are valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

#[test]
fn poll_over_100_sockets_reports_exactly_the_ready_ones() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pulls: Vec<Socket> = Vec::new();
        let mut pushes: Vec<Socket> = Vec::new();
        for i in 0..100 {
            let mut pull = socket(&ctx, SocketType::Pull);
            let mut push = socket(&ctx, SocketType::Push);
            // Half over tcp, half over inproc.
            if i % 2 == 0 {
                pull.bind("tcp://127.0.0.1:*").unwrap();
                push.connect(&pull.last_endpoint().unwrap()).unwrap();
            } else {
                pull.bind(&format!("inproc://p{i}")).unwrap();
                push.connect(&format!("inproc://p{i}")).unwrap();
            }
            pulls.push(pull);
            pushes.push(push);
        }
        let chosen = [3usize, 17, 42, 64, 99];
        for &i in &chosen {
            pushes[i].send(format!("to {i}"), 0).unwrap();
        }
        let mut seen = Vec::new();
        while seen.len() < chosen.len() {
            let mut items: Vec<PollItem<'_>> = pulls
                .iter_mut()
                .map(|s| PollItem::socket(s, POLLIN))
                .collect();
            let n = poll(&mut items, 10_000).unwrap();
            assert!(n > 0, "poll timed out with {seen:?} seen");
            let ready: Vec<usize> = items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.revents == POLLIN)
                .map(|(i, _)| i)
                .collect();
            assert_eq!(ready.len(), n);
            drop(items);
            for i in ready {
                assert_eq!(
                    String::from_utf8_lossy(&pulls[i].recv(DONTWAIT).unwrap()),
                    format!("to {i}")
                );
                seen.push(i);
            }
        }
        seen.sort();
        assert_eq!(seen, chosen);
        let mut items: Vec<PollItem<'_>> = pulls
            .iter_mut()
            .map(|s| PollItem::socket(s, POLLIN))
            .collect();
        assert_eq!(poll(&mut items, 0).unwrap(), 0);
    });
}

#[test]
fn poll_mixes_sockets_and_raw_fds() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("inproc://mixed").unwrap();
        let (mut w, r) = UnixStream::pair().unwrap();
        let fd = r.as_raw_fd();
        {
            let mut items = [
                PollItem::socket(&mut pull, POLLIN),
                PollItem::fd(fd, POLLIN),
            ];
            assert_eq!(poll(&mut items, 20).unwrap(), 0, "nothing ready yet");
        }
        let writer = std::thread::spawn(move || {
            w.write_all(b"x").unwrap();
            w
        });
        let mut items = [
            PollItem::socket(&mut pull, POLLIN),
            PollItem::fd(fd, POLLIN),
        ];
        assert_eq!(poll(&mut items, 10_000).unwrap(), 1);
        assert_eq!((items[0].revents, items[1].revents), (0, POLLIN));
        drop(writer.join().unwrap());
        // The writer closed: the descriptor reports readable (EOF).
        let mut items = [PollItem::fd(fd, POLLOUT)];
        assert_eq!(poll(&mut items, 10_000).unwrap(), 1);
    });
}

#[test]
fn poll_wakes_on_a_message_from_another_thread_and_times_out_otherwise() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let ep = pull.last_endpoint().unwrap();
        let start = Instant::now();
        let mut items = [PollItem::socket(&mut pull, POLLIN)];
        assert_eq!(poll(&mut items, 100).unwrap(), 0);
        assert!(start.elapsed() >= Duration::from_millis(100));
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&ep).unwrap();
        let sender = std::thread::spawn(move || {
            push.send("late", 0).unwrap();
            push
        });
        let mut items = [PollItem::socket(&mut pull, POLLIN)];
        assert_eq!(poll(&mut items, -1).unwrap(), 1);
        drop(sender.join().unwrap());
    });
}

#[test]
fn pollout_follows_the_high_water_mark() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.set_rcvhwm(1).unwrap();
        pull.bind("inproc://hwm-events").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.set_sndhwm(1).unwrap();
        push.connect("inproc://hwm-events").unwrap();
        let fd = push.fd().unwrap();
        while push.send("x", DONTWAIT).is_ok() {}
        assert_eq!(push.events().unwrap() & POLLOUT, 0);
        assert!(!fd_readable(fd, 0), "events() cleared the FD");
        // The reader drains everything and comes back for more: room again.
        while pull.recv(DONTWAIT).is_ok() {}
        assert!(fd_readable(fd, 10_000), "FD fires when room frees");
        assert_ne!(push.events().unwrap() & POLLOUT, 0);
    });
}

#[test]
fn readiness_fd_fires_on_arrival_and_an_idle_socket_costs_no_cpu() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = socket(&ctx, SocketType::Pull);
        pull.bind("tcp://127.0.0.1:*").unwrap();
        let mut push = socket(&ctx, SocketType::Push);
        push.connect(&pull.last_endpoint().unwrap()).unwrap();
        let fd = pull.fd().unwrap();
        assert!(fd_readable(fd, 0), "readable when first handed out");
        // A first message, so the connection is up before the idle period.
        push.send("warm-up", 0).unwrap();
        assert_eq!(pull.poll(POLLIN, 10_000).unwrap(), POLLIN);
        assert_eq!(&pull.recv(DONTWAIT).unwrap()[..], b"warm-up");
        assert_eq!(pull.events().unwrap(), 0);

        // Idle: the FD stays unreadable and the process sleeps.
        let cpu_before = cpu_time();
        assert!(!fd_readable(fd, 500));
        let cpu_used = cpu_time() - cpu_before;
        assert!(
            cpu_used < Duration::from_millis(100),
            "idle cost {cpu_used:?}"
        );

        push.send("hello", 0).unwrap();
        assert!(fd_readable(fd, 10_000));
        assert_eq!(pull.events().unwrap(), POLLIN);
        assert_eq!(&pull.recv(DONTWAIT).unwrap()[..], b"hello");
        assert_eq!(pull.events().unwrap(), 0);
        assert!(!fd_readable(fd, 0), "drained and cleared");
    });
}

#[test]
fn poll_returns_eterm_when_the_context_shuts_down() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut pull = ctx.socket(SocketType::Pull).unwrap();
        pull.bind("inproc://term-poll").unwrap();
        let t = std::thread::spawn(move || {
            let mut items = [PollItem::socket(&mut pull, POLLIN)];
            poll(&mut items, -1).err()
        });
        ctx.shutdown();
        assert_eq!(t.join().unwrap(), Some(Error::Term));
    });
}

#[test]
fn socket_poll_waits_for_one_socket() {
    bounded(LIMIT, || {
        let ctx = Context::new();
        let mut rep = socket(&ctx, SocketType::Rep);
        rep.bind("inproc://sp").unwrap();
        let mut req = socket(&ctx, SocketType::Req);
        req.connect("inproc://sp").unwrap();
        assert_eq!(req.poll(POLLIN | POLLOUT, 0).unwrap(), POLLOUT);
        req.send("q", 0).unwrap();
        // REQ now waits for the reply: neither in nor out.
        assert_eq!(req.poll(POLLIN | POLLOUT, 0).unwrap(), 0);
        assert_eq!(rep.poll(POLLIN, 10_000).unwrap(), POLLIN);
        rep.recv(0).unwrap();
        rep.send("a", 0).unwrap();
        assert_eq!(req.poll(POLLIN, 10_000).unwrap(), POLLIN);
    });
}
