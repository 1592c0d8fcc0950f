//! Context options that shape the I/O threads (THREAD_NAME_PREFIX, THREAD_AFFINITY_CPU_*,
//! THREAD_SCHED_POLICY/PRIORITY), checked on the real threads through /proc.

use ferromq::{
    Context, SocketType, CTX_SOCKET_LIMIT, CTX_THREAD_AFFINITY_CPU_ADD,
    CTX_THREAD_AFFINITY_CPU_REMOVE, CTX_THREAD_NAME_PREFIX, CTX_THREAD_PRIORITY,
    CTX_THREAD_SCHED_POLICY, CTX_ZERO_COPY_RECV,
};
use std::fs;
use std::time::{Duration, Instant};

/// (thread name, Cpus_allowed_list) of every thread of this process.
fn threads() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir("/proc/self/task").unwrap().flatten() {
        let dir = entry.path();
        let (Ok(comm), Ok(status)) = (
            fs::read_to_string(dir.join("comm")),
            fs::read_to_string(dir.join("status")),
        ) else {
            continue; // the thread ended meanwhile
        };
        let cpus = status
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .unwrap_or("")
            .trim()
            .to_string();
        out.push((comm.trim().to_string(), cpus));
    }
    out
}

/// The CPUs this process may use now (the first one is the one to pin to).
fn allowed_cpus() -> Vec<i32> {
    // SAFETY: a zeroed cpu_set_t is valid; the size matches the type.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above; pid 0 is the calling thread.
    let rc = unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) };
    assert_eq!(rc, 0);
    (0..libc::CPU_SETSIZE)
        .filter(|&c| {
            // SAFETY: c < CPU_SETSIZE.
            unsafe { libc::CPU_ISSET(c as usize, &set) }
        })
        .collect()
}

#[test]
fn io_threads_take_the_name_prefix_and_the_cpu_affinity() {
    let cpu = allowed_cpus()[0];
    let ctx = Context::new();
    ctx.set(CTX_THREAD_NAME_PREFIX, 4321).unwrap();
    assert_eq!(ctx.get(CTX_THREAD_NAME_PREFIX).unwrap(), 4321);
    ctx.set(CTX_THREAD_AFFINITY_CPU_ADD, cpu).unwrap();
    ctx.set(CTX_THREAD_AFFINITY_CPU_ADD, cpu + 1).unwrap();
    ctx.set(CTX_THREAD_AFFINITY_CPU_REMOVE, cpu + 1).unwrap();
    assert!(ctx.set(CTX_THREAD_AFFINITY_CPU_REMOVE, cpu + 1).is_err());
    // The I/O threads start with the first tcp/ipc endpoint.
    let mut s = ctx.socket(SocketType::Pull).unwrap();
    s.bind("tcp://127.0.0.1:*").unwrap();
    // The thread names and pins itself as it starts: poll for it.
    let want = ("4321/ZMQbg/IO/0".to_string(), cpu.to_string());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !threads().contains(&want) {
        assert!(Instant::now() < deadline, "threads: {:?}", threads());
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn scheduling_options_follow_libzmq_rules() {
    let ctx = Context::new();
    // The defaults (-1) cannot be set back, as in libzmq.
    assert!(ctx.set(CTX_THREAD_SCHED_POLICY, -1).is_err());
    assert!(ctx.set(CTX_THREAD_PRIORITY, -1).is_err());
    assert_eq!(ctx.get(CTX_THREAD_SCHED_POLICY).unwrap(), -1);
    ctx.set(CTX_THREAD_SCHED_POLICY, libc::SCHED_OTHER).unwrap();
    assert_eq!(ctx.get(CTX_THREAD_SCHED_POLICY).unwrap(), libc::SCHED_OTHER);
    ctx.set(CTX_THREAD_PRIORITY, 1).unwrap();
    // THREAD_PRIORITY shares its number with SOCKET_LIMIT: reading gives the limit.
    assert_eq!(
        ctx.get(CTX_THREAD_PRIORITY).unwrap(),
        ctx.get(CTX_SOCKET_LIMIT).unwrap()
    );
    assert_eq!(ctx.get(CTX_ZERO_COPY_RECV).unwrap(), 1);
    ctx.set(CTX_ZERO_COPY_RECV, 0).unwrap();
    assert_eq!(ctx.get(CTX_ZERO_COPY_RECV).unwrap(), 0);
    // A real-time policy the process may not have still leaves working I/O threads.
    let rt = Context::new();
    rt.set(CTX_THREAD_SCHED_POLICY, libc::SCHED_FIFO).unwrap();
    rt.set(CTX_THREAD_PRIORITY, 1).unwrap();
    let mut pull = rt.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(10_000).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let mut push = rt.socket(SocketType::Push).unwrap();
    push.connect(&pull.last_endpoint().unwrap()).unwrap();
    push.send("scheduled", 0).unwrap();
    assert_eq!(&pull.recv(0).unwrap()[..], b"scheduled");
}
