//! The guarantees of the module documentation, each against real sockets.

use super::*;
use crate::{Context, SocketType, POLLIN};
use std::sync::Arc;
use std::time::Duration;

fn pair(ctx: &Context) -> (Arc<SharedSocket>, Arc<SharedSocket>) {
    let a = SharedSocket::new(ctx.socket(SocketType::Pull).unwrap());
    let b = SharedSocket::new(ctx.socket(SocketType::Pull).unwrap());
    (Arc::new(a), Arc::new(b))
}

#[test]
fn opposite_orders_from_two_threads_do_not_deadlock() {
    let ctx = Context::new();
    let (a, b) = pair(&ctx);
    // Each round holds both locks across a short poll, so with argument-order locking
    // the two threads would soon hold one each and wait for the other forever.
    let spin = |first: Arc<SharedSocket>, second: Arc<SharedSocket>| {
        std::thread::spawn(move || {
            for _ in 0..300 {
                let mut locked = SharedSocket::lock_many(&[&first, &second], None).unwrap();
                let mut items: Vec<_> = locked
                    .sockets_mut()
                    .into_iter()
                    .map(|s| crate::PollItem::socket(s, POLLIN))
                    .collect();
                assert_eq!(crate::poll(&mut items, 0).unwrap(), 0);
            }
        })
    };
    let t1 = spin(Arc::clone(&a), Arc::clone(&b));
    let t2 = spin(Arc::clone(&b), Arc::clone(&a));
    t1.join().unwrap();
    t2.join().unwrap();
}

#[test]
fn a_socket_listed_twice_is_locked_once() {
    let ctx = Context::new();
    let (a, b) = pair(&ctx);
    let mut locked = SharedSocket::lock_many(&[&a, &b, &a, &a], None).unwrap();
    assert_eq!(locked.len(), 2);
    assert_eq!(locked.slot(0), locked.slot(2));
    assert_eq!(locked.slot(0), locked.slot(3));
    assert_ne!(locked.slot(0), locked.slot(1));
    assert_eq!(locked.sockets_mut().len(), 2);
}

#[test]
fn lock_many_gives_up_at_its_deadline_and_releases_what_it_took() {
    let ctx = Context::new();
    let (a, b) = pair(&ctx);
    let held = b.lock().unwrap();
    let deadline = Instant::now() + Duration::from_millis(30);
    let err = SharedSocket::lock_many(&[&a, &b], Some(deadline)).unwrap_err();
    assert_eq!(err, Error::Again);
    assert!(Instant::now() >= deadline);
    // `a` was released when the call gave up.
    assert!(a.try_lock().is_ok());
    drop(held);
    assert_eq!(SharedSocket::lock_many(&[&a, &b], None).unwrap().len(), 2);
}

#[test]
fn a_closed_socket_in_the_list_is_enotsock() {
    let ctx = Context::new();
    let (a, b) = pair(&ctx);
    assert!(b.close());
    assert_eq!(
        SharedSocket::lock_many(&[&a, &b], None).unwrap_err(),
        Error::NotSock
    );
    assert_eq!(b.try_lock().unwrap_err(), Error::NotSock);
    assert!(a.try_lock().is_ok());
}

#[test]
fn close_wakes_a_blocked_recv_and_a_thread_waiting_for_the_lock() {
    let ctx = Context::new();
    let (a, _) = pair(&ctx);
    let recv = {
        let a = Arc::clone(&a);
        std::thread::spawn(move || a.lock().and_then(|mut s| s.recv(0)).err())
    };
    // The second thread waits for the lock that the blocked recv holds.
    while a.try_lock().is_ok() {
        std::thread::yield_now();
    }
    let waiter = {
        let a = Arc::clone(&a);
        std::thread::spawn(move || a.lock().and_then(|mut s| s.recv(0)).err())
    };
    assert!(a.close());
    assert_eq!(recv.join().unwrap(), Some(Error::NotSock));
    assert_eq!(waiter.join().unwrap(), Some(Error::NotSock));
    assert!(a.is_closed());
}

#[test]
fn a_closed_cell_opens_again_with_a_new_socket() {
    let ctx = Context::new();
    let cell = SharedSocket::closed();
    assert!(cell.is_closed());
    cell.open(ctx.socket(SocketType::Push).unwrap()).unwrap();
    assert!(cell.close());
    cell.open(ctx.socket(SocketType::Pull).unwrap()).unwrap();
    assert_eq!(cell.lock().unwrap().socket_type(), SocketType::Pull);
}

#[test]
fn close_when_free_waits_for_the_call_in_progress() {
    let ctx = Context::new();
    let (a, _) = pair(&ctx);
    a.lock().unwrap().set_rcvtimeo(200).unwrap();
    let recv = {
        let a = Arc::clone(&a);
        std::thread::spawn(move || a.lock().and_then(|mut s| s.recv(0)).err())
    };
    while a.try_lock().is_ok() {
        std::thread::yield_now();
    }
    assert!(a.close_when_free());
    // The recv ran to its timeout instead of being interrupted.
    assert_eq!(recv.join().unwrap(), Some(Error::Again));
    assert!(a.is_closed());
    assert_eq!(a.lock().unwrap_err(), Error::NotSock);
}
