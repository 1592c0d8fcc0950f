//! The `inproc://` endpoints of a context: sockets joined directly by pipes.
//!
//! An inproc connection is one pair of [`Pipe`] ends sharing two queues crosswise; no I/O
//! thread, syscall or copy is involved. A connect may come before the bind (as in
//! libzmq): its pipe is created at once, so messages queue, and it waits here until a
//! socket binds the name, which then takes it over.

use crate::error::{Error, Result};
use crate::pipe::{InprocPeer, Pipe};
use crate::socket_shared::{SocketCmd, SocketShared};
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Arc;

/// What a connection needs to know about one of its two sockets.
#[derive(Debug, Clone)]
pub(crate) struct Side {
    pub socket: Arc<SocketShared>,
    /// SNDHWM and RCVHWM in messages (0 = unlimited).
    pub sndhwm: usize,
    pub rcvhwm: usize,
    /// The routing id this socket announces (may be empty).
    pub routing_id: Bytes,
    /// CONFLATE: the connection keeps only the newest message each way.
    pub conflate: bool,
}

/// A connect waiting for its endpoint to be bound.
struct Pending {
    connector: Side,
    connector_end: Arc<Pipe>,
    binder_end: Arc<Pipe>,
}

/// The pipe ends a bind takes over from connects that came before it.
pub(crate) struct Adopted {
    /// The binder's ends, to attach to the binding socket.
    pub pipes: Vec<Arc<Pipe>>,
}

/// The inproc names bound in one context, and the connects waiting for a name.
#[derive(Default)]
pub(crate) struct Registry {
    bound: HashMap<String, Side>,
    pending: HashMap<String, Vec<Pending>>,
}

impl Registry {
    /// Binds `name` to `binder`; EADDRINUSE if it is taken. Returns the ends of earlier
    /// connects, now wired to `binder`, whose connectors have been told.
    pub fn bind(&mut self, name: &str, binder: Side) -> Result<Adopted> {
        if self.bound.contains_key(name) {
            return Err(Error::AddrInUse);
        }
        let mut pipes = Vec::new();
        for p in self.pending.remove(name).unwrap_or_default() {
            let c = &p.connector;
            p.connector_end
                .set_binder_hwms((binder.sndhwm, binder.rcvhwm));
            p.connector_end
                .set_routing_id(binder.routing_id.clone(), false);
            p.binder_end.set_routing_id(c.routing_id.clone(), false);
            if binder.conflate {
                p.binder_end.set_conflate();
            }
            p.connector_end.set_inproc_peer(InprocPeer {
                socket: Arc::clone(&binder.socket),
                pipe: Arc::as_ptr(&p.binder_end) as usize,
            });
            // The connector learns the binder's routing id now (a ROUTER needs it).
            c.socket
                .post(SocketCmd::PeerReady(Arc::as_ptr(&p.connector_end) as usize));
            pipes.push(p.binder_end);
        }
        self.bound.insert(name.to_string(), binder);
        Ok(Adopted { pipes })
    }

    /// Connects `connector` to `name`, returning the connector's end of the new pipe.
    /// When `name` is bound, the binder gets its end at once; otherwise the connect waits
    /// here for the bind.
    pub fn connect(&mut self, name: &str, connector: Side) -> Arc<Pipe> {
        let endpoint: Arc<str> = Arc::from(format!("inproc://{name}"));
        if let Some(binder) = self.bound.get(name) {
            let (a, b) = Pipe::inproc_pair(
                &connector.socket,
                endpoint,
                (connector.sndhwm, connector.rcvhwm),
                Some((binder.sndhwm, binder.rcvhwm)),
            );
            if connector.conflate || binder.conflate {
                a.set_conflate();
            }
            a.set_routing_id(binder.routing_id.clone(), false);
            b.set_routing_id(connector.routing_id.clone(), false);
            a.set_inproc_peer(InprocPeer {
                socket: Arc::clone(&binder.socket),
                pipe: Arc::as_ptr(&b) as usize,
            });
            if !binder.socket.post(SocketCmd::Attach(b)) {
                // The binder is closing: the connection ends before it began.
                a.close_from_socket(0, None);
            }
            return a;
        }
        let (a, b) = Pipe::inproc_pair(
            &connector.socket,
            endpoint,
            (connector.sndhwm, connector.rcvhwm),
            None,
        );
        self.pending
            .entry(name.to_string())
            .or_default()
            .push(Pending {
                connector,
                connector_end: Arc::clone(&a),
                binder_end: b,
            });
        a
    }

    /// The socket bound to `name`, if any (the ZAP handler's lookup).
    pub fn bound_socket(&self, name: &str) -> Option<Arc<SocketShared>> {
        self.bound.get(name).map(|side| Arc::clone(&side.socket))
    }

    /// Releases `name` if `socket` holds it. Returns whether it did.
    pub fn unbind(&mut self, name: &str, socket: &Arc<SocketShared>) -> bool {
        match self.bound.get(name) {
            Some(side) if Arc::ptr_eq(&side.socket, socket) => {
                self.bound.remove(name);
                true
            }
            _ => false,
        }
    }

    /// Forgets the waiting connects of a socket that is closing, except those with
    /// messages queued when its `linger` is not 0: as in libzmq, a later bind still gets
    /// them (the binder reads them, then the pipe ends).
    pub fn forget_connector(&mut self, socket: &Arc<SocketShared>, linger: i32) {
        for list in self.pending.values_mut() {
            list.retain(|p| {
                !Arc::ptr_eq(&p.connector.socket, socket)
                    || (linger != 0 && p.connector_end.has_outgoing())
            });
        }
        self.pending.retain(|_, list| !list.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(hwm: usize, id: &'static [u8]) -> Side {
        Side {
            socket: Arc::new(SocketShared::default()),
            sndhwm: hwm,
            rcvhwm: hwm,
            routing_id: Bytes::from_static(id),
            conflate: false,
        }
    }

    #[test]
    fn hwm_adds_both_sides_unless_one_is_unlimited() {
        use crate::pipe::combined_hwm;
        assert_eq!(combined_hwm(10, 20), 30);
        assert_eq!(combined_hwm(0, 20), 0);
        assert_eq!(combined_hwm(10, 0), 0);
        assert_eq!(combined_hwm(usize::MAX, 1), usize::MAX);
    }

    /// Sends single-frame messages until the pipe is full.
    fn fill(p: &Pipe) -> usize {
        let mut n = 0;
        while n < 10_000 && p.send(crate::msg::Msg::from("m")).is_ok() {
            n += 1;
        }
        n
    }

    #[test]
    fn a_new_hwm_on_either_side_keeps_the_sum() {
        let mut r = Registry::default();
        let binder = side(20, b"");
        r.bind("x", binder.clone()).unwrap();
        let a = r.connect("x", side(10, b""));
        let SocketCmd::Attach(b) = binder.socket.take().remove(0) else {
            panic!("the binder gets its end");
        };
        a.set_hwms(5, 10);
        assert_eq!(
            fill(&a),
            25,
            "connector's new SNDHWM 5 + binder's RCVHWM 20"
        );
        b.set_hwms(20, 7);
        assert_eq!(fill(&b), 30, "binder's SNDHWM 20 + connector's RCVHWM 10");
        let mut got = std::collections::VecDeque::new();
        b.recv_batch(&mut got, 0);
        assert_eq!(got.len(), 25);
        got.clear();
        b.recv_batch(&mut got, 25);
        assert_eq!(fill(&a), 5 + 7, "the binder's new RCVHWM counts too");
    }

    #[test]
    fn a_connect_closed_before_the_bind_is_delivered_by_it() {
        let mut r = Registry::default();
        let conn = side(3, b"");
        let a = r.connect("x", conn.clone());
        assert_eq!(fill(&a), 3, "only the connector's SNDHWM before the bind");
        a.close_from_socket(-1, None);
        r.forget_connector(&conn.socket, -1);
        let binder = side(1, b"");
        let adopted = r.bind("x", binder.clone()).unwrap();
        assert_eq!(adopted.pipes.len(), 1);
        let mut got = std::collections::VecDeque::new();
        adopted.pipes[0].recv_batch(&mut got, 0);
        assert_eq!(got.len(), 3);
        assert!(
            matches!(binder.socket.take().as_slice(), [SocketCmd::Detach(_)]),
            "and the binder learns the connector is gone"
        );
    }

    #[test]
    fn a_connect_closed_with_linger_0_or_nothing_queued_is_forgotten() {
        let mut r = Registry::default();
        let idle = side(3, b"");
        r.connect("x", idle.clone());
        let dropped = side(3, b"");
        let a = r.connect("x", dropped.clone());
        assert!(a.send(crate::msg::Msg::from("m")).is_ok());
        r.forget_connector(&idle.socket, -1);
        r.forget_connector(&dropped.socket, 0);
        assert!(r.bind("x", side(1, b"")).unwrap().pipes.is_empty());
    }

    #[test]
    fn second_bind_of_a_name_is_refused_until_unbound() {
        let mut r = Registry::default();
        let a = side(1, b"");
        r.bind("x", a.clone()).unwrap();
        assert_eq!(r.bind("x", side(1, b"")).err(), Some(Error::AddrInUse));
        assert!(
            !r.unbind("x", &side(1, b"").socket),
            "only the owner unbinds"
        );
        assert!(r.unbind("x", &a.socket));
        assert!(r.bind("x", side(1, b"")).is_ok());
    }

    #[test]
    fn connect_before_bind_is_adopted_by_the_bind() {
        let mut r = Registry::default();
        let conn = side(2, b"c");
        let a = r.connect("x", conn.clone());
        assert!(a.send(crate::msg::Msg::from("early")).is_ok());
        let binder = side(3, b"b");
        let adopted = r.bind("x", binder.clone()).unwrap();
        assert_eq!(adopted.pipes.len(), 1);
        let b = &adopted.pipes[0];
        assert_eq!(b.routing_id().as_deref(), Some(&b"c"[..]));
        assert_eq!(a.routing_id().as_deref(), Some(&b"b"[..]));
        let mut got = std::collections::VecDeque::new();
        b.recv_batch(&mut got, 0);
        assert_eq!(&got[0][..], b"early");
        // The connector was told its peer is there.
        assert_eq!(conn.socket.take().len(), 1);
    }

    #[test]
    fn connect_to_a_bound_name_posts_the_binders_end() {
        let mut r = Registry::default();
        let binder = side(1, b"");
        r.bind("x", binder.clone()).unwrap();
        let a = r.connect("x", side(1, b""));
        let cmds = binder.socket.take();
        assert!(matches!(cmds.as_slice(), [SocketCmd::Attach(_)]));
        // HWM 1 + 1: two messages fit before the binder reads.
        assert!(a.send(crate::msg::Msg::from("1")).is_ok());
        assert!(a.send(crate::msg::Msg::from("2")).is_ok());
        assert!(a.send(crate::msg::Msg::from("3")).is_err());
    }
}
