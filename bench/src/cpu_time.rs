//! The line every throughput program prints last: its CPU time so far, user and system,
//! of every thread (the I/O threads' too), as the C programs in `bench/c/` print it, so
//! that `bench/run_c.sh` reads CPU time per message the same way for every library.

/// Prints `cpu time: <user µs> <sys µs> [us]`; nothing if `getrusage` fails.
pub fn print() {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `ru` is a writable rusage; getrusage fills it and reads nothing else.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) } != 0 {
        return;
    }
    // SAFETY: getrusage succeeded, so it initialised `ru` (zeroed before, too).
    let ru = unsafe { ru.assume_init() };
    // time_t and suseconds_t are 64-bit on the 64-bit Linux targets the benchmarks run on.
    let micros = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
    println!(
        "cpu time: {} {} [us]",
        micros(ru.ru_utime),
        micros(ru.ru_stime)
    );
}
