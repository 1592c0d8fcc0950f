//! Process-wide facts and settings: peer and own credentials, groups, physical memory,
//! the allocator, signal masks, temporary directories.

use std::io;

/// The credentials (`pid`, `uid`, `gid`) of the peer of Unix socket `fd` (`SO_PEERCRED`).
pub(crate) fn peer_cred(fd: std::os::fd::RawFd) -> io::Result<libc::ucred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` is a writable ucred and `len` holds its size, as SO_PEERCRED needs;
    // getsockopt writes at most `len` bytes.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(cred)
}

/// This process's own `(uid, gid, pid)`.
#[cfg(test)]
pub(crate) fn own_ids() -> (u32, u32, i32) {
    // SAFETY: getuid/getgid/getpid take no arguments and cannot fail.
    unsafe { (libc::getuid(), libc::getgid(), libc::getpid()) }
}

/// The groups of user `uid` (primary and supplementary), empty if the user is unknown.
pub(crate) fn groups_of(uid: u32) -> Vec<u32> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: zeroed passwd is a valid out-parameter for getpwuid_r.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the call; `buf` outlives the use of `pw`.
    let rc =
        unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut found) };
    if rc != 0 || found.is_null() {
        return Vec::new();
    }
    let mut groups = vec![0 as libc::gid_t; 256];
    let mut n = groups.len() as libc::c_int;
    // SAFETY: pw_name points into `buf` (alive); `groups` has room for `n` entries and
    // getgrouplist writes at most that many.
    let rc = unsafe { libc::getgrouplist(pw.pw_name, pw.pw_gid, groups.as_mut_ptr(), &mut n) };
    if rc < 0 {
        return Vec::new();
    }
    groups.truncate(usize::try_from(n).unwrap_or(0));
    groups
}

/// Bytes of physical memory (or `u64::MAX` if unknown).
pub(crate) fn physical_memory() -> u64 {
    // SAFETY: sysconf only reads system configuration values; it takes no pointers.
    let (pages, page_size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    match (u64::try_from(pages), u64::try_from(page_size)) {
        (Ok(p), Ok(s)) if p > 0 && s > 0 => p.saturating_mul(s),
        _ => u64::MAX,
    }
}

/// Asks glibc to return the free pages of every arena to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn release_free_memory() {
    // SAFETY: malloc_trim takes no pointers and only touches the allocator's own state,
    // under its locks; any thread may call it at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators return memory on their own terms.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn release_free_memory() {}

/// Blocks every signal in the calling thread.
pub(crate) fn block_all_signals() {
    // SAFETY: a sigset_t on the stack, filled by sigfillset; pthread_sigmask only reads it
    // and is given no place for the old mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Creates a directory from `template` (NUL-terminated, ending in `XXXXXX\0`) with
/// mkdtemp(3), which rewrites the six `X` in place; the template is the path on success.
pub(crate) fn make_temp_dir(template: &mut [u8]) -> io::Result<()> {
    if !template.ends_with(b"XXXXXX\0") {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    // SAFETY: `template` is writable and NUL-terminated after "XXXXXX" (checked above), as
    // mkdtemp(3) requires; it only rewrites those six bytes in place.
    let made = unsafe { libc::mkdtemp(template.as_mut_ptr().cast()) };
    if made.is_null() {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Installs a handler that does nothing for `signal` (with SA_RESTART, as signal(3)
/// does), so that the signal only interrupts blocking calls.
#[cfg(test)]
pub(crate) fn install_noop_handler(signal: libc::c_int) {
    extern "C" fn noop(_: libc::c_int) {}
    // SAFETY: a zeroed sigaction with a valid handler and flags; no old action kept.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = noop as extern "C" fn(libc::c_int) as libc::sighandler_t;
        sa.sa_flags = libc::SA_RESTART;
        assert_eq!(libc::sigaction(signal, &sa, std::ptr::null_mut()), 0);
    }
}
