//! How the I/O threads run: the context options THREAD_SCHED_POLICY, THREAD_PRIORITY,
//! THREAD_AFFINITY_CPU_ADD/REMOVE and THREAD_NAME_PREFIX, applied by each I/O thread to
//! itself when it starts, as libzmq does. Unlike libzmq, which aborts when the kernel
//! refuses, a setting the process is not permitted to make (a real-time policy without
//! CAP_SYS_NICE, a CPU outside its cpuset) is skipped: the thread runs as it would
//! without it.

use std::collections::BTreeSet;

/// `ZMQ_THREAD_SCHED_POLICY_DFLT` / `ZMQ_THREAD_PRIORITY_DFLT`: leave as inherited.
pub(crate) const UNSET: i32 = -1;

/// The I/O thread settings of a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ThreadSettings {
    /// A `SCHED_*` policy, or [`UNSET`].
    pub sched_policy: i32,
    /// The static priority for SCHED_FIFO/SCHED_RR; for other policies any value asks
    /// for the highest nice value allowed (libzmq's `nice(-20)`). [`UNSET`] leaves it.
    pub priority: i32,
    /// CPUs the threads may run on (empty: no restriction).
    pub cpus: BTreeSet<i32>,
    /// THREAD_NAME_PREFIX: names become `prefix/ZMQbg/IO/n` (15 bytes kept, as Linux
    /// allows), else `ZMQbg/IO/n`, like libzmq's.
    pub name_prefix: String,
}

impl Default for ThreadSettings {
    fn default() -> ThreadSettings {
        ThreadSettings {
            sched_policy: UNSET,
            priority: UNSET,
            cpus: BTreeSet::new(),
            name_prefix: String::new(),
        }
    }
}

impl ThreadSettings {
    /// The name of I/O thread `index`, cut to the 15 bytes Linux keeps.
    pub fn thread_name(&self, index: usize) -> String {
        let mut name = if self.name_prefix.is_empty() {
            format!("ZMQbg/IO/{index}")
        } else {
            format!("{}/ZMQbg/IO/{index}", self.name_prefix)
        };
        let mut end = name.len().min(15);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
        name
    }

    /// Applies the scheduling policy, priority and CPU affinity to the calling thread,
    /// skipping whatever the kernel does not permit.
    pub fn apply_to_current_thread(&self) {
        if self.sched_policy != UNSET || self.priority != UNSET {
            self.apply_scheduling();
        }
        if !self.cpus.is_empty() {
            self.apply_affinity();
        }
    }

    fn apply_scheduling(&self) {
        let mut policy: libc::c_int = 0;
        // SAFETY: sched_param is plain data; zeroed is a valid value.
        let mut param: libc::sched_param = unsafe { std::mem::zeroed() };
        // SAFETY: both out-pointers are valid for the call.
        if unsafe { libc::pthread_getschedparam(libc::pthread_self(), &mut policy, &mut param) }
            != 0
        {
            return;
        }
        if self.sched_policy != UNSET {
            policy = self.sched_policy;
        }
        let realtime = policy == libc::SCHED_FIFO || policy == libc::SCHED_RR;
        if self.priority != UNSET {
            param.sched_priority = if realtime { self.priority } else { 0 };
        }
        // SAFETY: `param` is a valid sched_param; an error (EPERM, EINVAL) changes nothing.
        let _ = unsafe { libc::pthread_setschedparam(libc::pthread_self(), policy, &param) };
        if !realtime && self.priority != UNSET {
            // As libzmq: raise the thread's nice value as far as allowed (EPERM unless
            // privileged, then it stays as it is). On Linux nice applies per thread.
            // SAFETY: setpriority with PRIO_PROCESS and tid 0 targets the calling thread.
            let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, -20) };
        }
    }

    fn apply_affinity(&self) {
        // SAFETY: cpu_set_t is plain data; zeroed is the empty set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        let max = libc::CPU_SETSIZE;
        for &cpu in self.cpus.iter().filter(|&&c| (0..max).contains(&c)) {
            // SAFETY: `cpu` is within 0..CPU_SETSIZE (filtered above), so inside `set`.
            unsafe { libc::CPU_SET(cpu as usize, &mut set) };
        }
        // SAFETY: `set` is a valid cpu_set_t of the size given; an error (EINVAL for CPUs
        // outside the allowed set) changes nothing.
        let _ = unsafe {
            libc::pthread_setaffinity_np(libc::pthread_self(), size_of::<libc::cpu_set_t>(), &set)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_libzmq() {
        let mut s = ThreadSettings::default();
        assert_eq!(s.thread_name(0), "ZMQbg/IO/0");
        s.name_prefix = "1234".into();
        assert_eq!(s.thread_name(0), "1234/ZMQbg/IO/0");
        s.name_prefix = "longprefix".into();
        assert_eq!(s.thread_name(3), "longprefix/ZMQb");
    }

    #[test]
    fn affinity_is_applied_to_the_calling_thread() {
        let got = std::thread::spawn(|| {
            let s = ThreadSettings {
                cpus: [0].into_iter().collect(),
                ..ThreadSettings::default()
            };
            s.apply_to_current_thread();
            // SAFETY: zeroed cpu_set_t is valid; the size matches the type.
            let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
            // SAFETY: as above.
            let rc = unsafe {
                libc::pthread_getaffinity_np(
                    libc::pthread_self(),
                    size_of::<libc::cpu_set_t>(),
                    &mut set,
                )
            };
            assert_eq!(rc, 0);
            (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| {
                    // SAFETY: `c` < CPU_SETSIZE, inside `set`.
                    unsafe { libc::CPU_ISSET(c, &set) }
                })
                .collect::<Vec<_>>()
        })
        .join()
        .unwrap();
        // CPU 0 may be outside this process's cpuset; then nothing changes.
        assert!(got == vec![0] || !got.contains(&0), "affinity {got:?}");
    }

    #[test]
    fn a_refused_policy_leaves_the_thread_running() {
        std::thread::spawn(|| {
            let s = ThreadSettings {
                sched_policy: libc::SCHED_FIFO,
                priority: 1,
                ..ThreadSettings::default()
            };
            s.apply_to_current_thread(); // EPERM unprivileged: skipped, no panic
            let mut policy = 0;
            // SAFETY: zeroed sched_param is valid; out-pointers are valid.
            let mut p: libc::sched_param = unsafe { std::mem::zeroed() };
            // SAFETY: as above.
            let rc =
                unsafe { libc::pthread_getschedparam(libc::pthread_self(), &mut policy, &mut p) };
            assert_eq!(rc, 0);
            assert!(policy == libc::SCHED_FIFO || policy == libc::SCHED_OTHER);
        })
        .join()
        .unwrap();
    }
}
