//! How the I/O threads run: the context options THREAD_SCHED_POLICY, THREAD_PRIORITY,
//! THREAD_AFFINITY_CPU_ADD/REMOVE and THREAD_NAME_PREFIX, applied by each I/O thread to
//! itself when it starts, as libzmq does. Unlike libzmq, which aborts when the kernel
//! refuses, a setting the process is not permitted to make (a real-time policy without
//! CAP_SYS_NICE, a CPU outside its cpuset) is skipped: the thread runs as it would
//! without it.

use crate::sys;
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
        let Some((mut policy, mut param)) = sys::thread::sched() else {
            return;
        };
        if self.sched_policy != UNSET {
            policy = self.sched_policy;
        }
        let realtime = policy == libc::SCHED_FIFO || policy == libc::SCHED_RR;
        if self.priority != UNSET {
            param.sched_priority = if realtime { self.priority } else { 0 };
        }
        sys::thread::set_sched(policy, &param);
        if !realtime && self.priority != UNSET {
            // As libzmq: raise the thread's nice value as far as allowed.
            sys::thread::raise_nice();
        }
    }

    fn apply_affinity(&self) {
        sys::thread::set_affinity(self.cpus.iter().copied());
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
            sys::thread::affinity().expect("the kernel reports the affinity")
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
            let (policy, _) = sys::thread::sched().expect("the kernel reports the policy");
            assert!(policy == libc::SCHED_FIFO || policy == libc::SCHED_OTHER);
        })
        .join()
        .unwrap();
    }
}
