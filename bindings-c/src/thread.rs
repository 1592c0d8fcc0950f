//! `zmq_threadstart` / `zmq_threadclose`: a portable thread helper.

use crate::ffi::guard_infallible;
use std::os::raw::c_void;
use std::thread::JoinHandle;

/// The thread function and its argument, moved into the new thread.
struct Start {
    func: unsafe extern "C" fn(arg: *mut c_void),
    arg: *mut c_void,
}

// SAFETY: handing `arg` to the new thread is the contract of zmq_threadstart.
unsafe impl Send for Start {}

impl Start {
    fn run(self) {
        // As libzmq's threads (zmq_threadstart's too): every signal is blocked, so signals
        // sent to the process go to the application's own threads.
        // SAFETY: a sigset_t on the stack, filled by sigfillset; pthread_sigmask only reads
        // it and is given no place for the old mask.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut set);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        }
        // SAFETY: the application's function with its own argument.
        unsafe { (self.func)(self.arg) };
    }
}

/// Starts a thread running `func(arg)`, with every signal blocked (as libzmq); returns a
/// handle for `zmq_threadclose`, or NULL.
#[no_mangle]
pub extern "C" fn zmq_threadstart(
    func: Option<unsafe extern "C" fn(arg: *mut c_void)>,
    arg: *mut c_void,
) -> *mut c_void {
    guard_infallible(std::ptr::null_mut(), || {
        let Some(func) = func else {
            return std::ptr::null_mut();
        };
        let start = Start { func, arg };
        match std::thread::Builder::new().spawn(move || start.run()) {
            Ok(handle) => Box::into_raw(Box::new(handle)) as *mut c_void,
            Err(_) => std::ptr::null_mut(),
        }
    })
}

/// Waits for the thread to finish and frees its handle.
///
/// # Safety
/// `thread` is NULL or a handle from `zmq_threadstart`, not closed yet.
#[no_mangle]
pub unsafe extern "C" fn zmq_threadclose(thread: *mut c_void) {
    if thread.is_null() {
        return;
    }
    // SAFETY: `thread` came from Box::into_raw in `zmq_threadstart`.
    let handle = unsafe { Box::from_raw(thread as *mut JoinHandle<()>) };
    guard_infallible((), move || {
        let _ = handle.join();
    });
}
