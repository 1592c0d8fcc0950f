//! The calling thread's scheduling policy, priority, CPU affinity, and signals to a
//! thread.

/// The calling thread's `(policy, sched_param)`, or `None` if the kernel will not say.
pub(crate) fn sched() -> Option<(libc::c_int, libc::sched_param)> {
    let mut policy: libc::c_int = 0;
    // SAFETY: sched_param is plain data; zeroed is a valid value.
    let mut param: libc::sched_param = unsafe { std::mem::zeroed() };
    // SAFETY: both out-pointers are valid for the call.
    let rc = unsafe { libc::pthread_getschedparam(libc::pthread_self(), &mut policy, &mut param) };
    (rc == 0).then_some((policy, param))
}

/// Sets the calling thread's policy and parameters; an error (EPERM, EINVAL) changes
/// nothing and is ignored.
pub(crate) fn set_sched(policy: libc::c_int, param: &libc::sched_param) {
    // SAFETY: `param` is a valid sched_param borrowed for the call.
    let _ = unsafe { libc::pthread_setschedparam(libc::pthread_self(), policy, param) };
}

/// Raises the calling thread's nice value as far as allowed (EPERM unless privileged,
/// then it stays as it is). On Linux nice applies per thread.
pub(crate) fn raise_nice() {
    // SAFETY: setpriority with PRIO_PROCESS and tid 0 targets the calling thread; no
    // pointers.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, -20) };
}

/// Restricts the calling thread to `cpus` (those outside 0..CPU_SETSIZE are skipped); an
/// error (EINVAL for CPUs outside the allowed set) changes nothing and is ignored.
pub(crate) fn set_affinity(cpus: impl IntoIterator<Item = i32>) {
    // SAFETY: cpu_set_t is plain data; zeroed is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for cpu in cpus
        .into_iter()
        .filter(|c| (0..libc::CPU_SETSIZE).contains(c))
    {
        // SAFETY: `cpu` is within 0..CPU_SETSIZE (filtered above), so inside `set`.
        unsafe { libc::CPU_SET(cpu as usize, &mut set) };
    }
    // SAFETY: `set` is a valid cpu_set_t of the size given.
    let _ = unsafe {
        libc::pthread_setaffinity_np(libc::pthread_self(), size_of::<libc::cpu_set_t>(), &set)
    };
}

/// The CPUs the calling thread may run on, or `None` if the kernel will not say.
#[cfg(test)]
pub(crate) fn affinity() -> Option<Vec<usize>> {
    // SAFETY: zeroed cpu_set_t is valid; the size matches the type.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a writable cpu_set_t of the size given.
    let rc = unsafe {
        libc::pthread_getaffinity_np(libc::pthread_self(), size_of::<libc::cpu_set_t>(), &mut set)
    };
    (rc == 0).then(|| {
        (0..libc::CPU_SETSIZE as usize)
            // SAFETY: `c` < CPU_SETSIZE, inside `set`.
            .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
            .collect()
    })
}

/// The calling thread's pthread handle.
#[cfg(test)]
pub(crate) fn current() -> libc::pthread_t {
    // SAFETY: pthread_self takes no arguments and cannot fail.
    unsafe { libc::pthread_self() }
}

/// Sends `signal` to `thread`, which the caller keeps alive (not yet joined).
#[cfg(test)]
pub(crate) fn kill(thread: libc::pthread_t, signal: libc::c_int) -> std::io::Result<()> {
    // SAFETY: the caller guarantees `thread` has not been joined or detached-and-ended.
    match unsafe { libc::pthread_kill(thread, signal) } {
        0 => Ok(()),
        e => Err(std::io::Error::from_raw_os_error(e)),
    }
}
