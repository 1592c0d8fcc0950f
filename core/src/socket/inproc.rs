//! `inproc://` bind, connect and unbind: sockets of one context joined by pipes directly,
//! without an I/O thread (see [`crate::inproc`]).

use super::{Connect, Socket};
use crate::error::{Error, Result};
use crate::inproc::Side;
use crate::options;
use std::sync::{Arc, MutexGuard};

impl Socket {
    fn registry(&self) -> MutexGuard<'_, crate::inproc::Registry> {
        self.ctx.inproc.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn inproc_side(&self) -> Side {
        Side {
            socket: Arc::clone(&self.shared),
            sndhwm: options::hwm(self.opts.sndhwm),
            rcvhwm: options::hwm(self.opts.rcvhwm),
            routing_id: self.opts.routing_id.clone(),
            conflate: self.conflates(),
        }
    }

    pub(super) fn bind_inproc(&mut self, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(Error::Invalid);
        }
        let side = self.inproc_side();
        let adopted = self.registry().bind(name, side)?;
        for pipe in adopted.pipes {
            if self.conflates() {
                pipe.set_conflate();
            }
            let id = self.pipes.insert(pipe);
            self.attach(id);
        }
        // Connects that came first may have queued subscriptions for a publisher.
        self.pattern.process_inbound(&mut self.pipes);
        self.close_rejected();
        self.inproc_binds.push(name.to_string());
        self.last_endpoint = format!("inproc://{name}");
        Ok(())
    }

    pub(super) fn connect_inproc(&mut self, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(Error::Invalid);
        }
        let side = self.inproc_side();
        let pipe = self.registry().connect(name, side);
        if let Some(rid) = self.opts.connect_routing_id.take() {
            pipe.set_routing_id(rid, true);
        }
        if self.conflates() {
            pipe.set_conflate();
        }
        let id = self.pipes.insert(pipe);
        let endpoint = format!("inproc://{name}");
        self.connects.push(Connect {
            endpoint: endpoint.clone(),
            pipe: id,
        });
        self.attach(id);
        self.close_rejected();
        self.last_endpoint = endpoint;
        Ok(())
    }

    /// Releases the name and, as libzmq does, drops the connections made through it.
    pub(super) fn unbind_inproc(&mut self, name: &str) -> Result<()> {
        if !self.registry().unbind(name, &self.shared) {
            return Err(Error::NoEnt);
        }
        self.inproc_binds.retain(|n| n != name);
        self.process_commands();
        let endpoint = format!("inproc://{name}");
        for id in self
            .pipes
            .ids_where(|p| p.bound_via() == Some(endpoint.as_str()))
        {
            self.pattern.detach(id);
            if let Some(pipe) = self.pipes.remove(id) {
                self.let_go(&pipe);
            }
        }
        Ok(())
    }

    /// Gives up the socket's inproc names and waiting connects (on close).
    pub(super) fn release_inproc(&mut self) {
        let names = std::mem::take(&mut self.inproc_binds);
        let mut registry = self.ctx.inproc.lock().unwrap_or_else(|e| e.into_inner());
        for name in names {
            registry.unbind(&name, &self.shared);
        }
        registry.forget_connector(&self.shared, self.opts.linger);
    }
}
