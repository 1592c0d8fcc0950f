//! Setting a connection up: connecting (and the SOCKS5 tunnel), then the ZMTP handshake
//! run by the connection object, and what happens when it succeeds (the pipe).

use super::*;
use crate::proto::Metadata;

impl Session {
    pub(super) fn start_connect(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let Role::Connect { addr, .. } = &self.role else {
            return Next::Keep;
        };
        let dial = addr.connect(&self.cfg.tcp);
        let pending = matches!(dial, Ok(Dial::InProgress(_)));
        match dial {
            Ok(Dial::Connected(mut s) | Dial::InProgress(mut s)) => {
                let interest = Interest::READABLE | Interest::WRITABLE;
                if ctx
                    .registry
                    .register(&mut s, Token(self.token), interest)
                    .is_ok()
                {
                    self.registered(ctx);
                    if pending {
                        self.emit(EVENT_CONNECT_DELAYED, value(libc::EINPROGRESS));
                    }
                    self.stream = Some(s);
                    self.phase = Phase::Connecting;
                    if let Some(t) = self.cfg.connect_timeout {
                        self.arm(ctx, TimerKind::Connect, t);
                    }
                    return Next::Keep;
                }
            }
            // The attempt's socket was opened and closed again, as libzmq reports it.
            Ok(Dial::Failed { fd }) => self.emit(EVENT_CLOSED, value(fd)),
            Err(_) => {}
        }
        self.schedule_reconnect(ctx)
    }

    /// Whether a non-blocking connect has completed; `Lost` if it failed.
    pub(super) fn check_connected(&mut self) -> Result<bool, Lost> {
        let s = self.stream.as_ref().ok_or(Lost)?;
        match s.take_error() {
            Ok(None) => {}
            _ => return Err(Lost),
        }
        s.is_connected().map_err(|_| Lost)
    }

    /// Starts ZMTP on the stream with the socket's security mechanism, with whatever the
    /// SOCKS proxy's peer already sent. Fails only when the mechanism cannot be built
    /// (CURVE keys that are no key pair, no randomness).
    pub(super) fn begin_handshake(&mut self) -> Result<(), Lost> {
        let cfg = ConnectionConfig {
            handshake: HandshakeConfig {
                socket_type: self.cfg.socket_type,
                identity: self.cfg.identity.clone(),
                max_msg_size: Some(self.cfg.max_frame),
            },
            max_frame: self.cfg.max_frame,
            max_parts: self.cfg.max_parts,
            max_msg_bytes: self.cfg.max_msg_bytes,
            handshake_deadline: self.handshake_deadline,
            heartbeat: self.cfg.heartbeat,
        };
        let ours = cfg.handshake.our_properties();
        let mechanism = match self
            .cfg
            .security
            .mechanism(ours, !self.cfg.zap_domain.is_empty())
        {
            Ok(m) => m,
            Err(e) => return Err(self.failed(ConnectionError::Handshake(e))),
        };
        let mut conn = Box::new(Connection::with_mechanism(cfg, mechanism));
        if !self.socks_in.is_empty() {
            let early = std::mem::take(&mut self.socks_in);
            conn.handle_input(&early);
        }
        self.phase = Phase::Zmtp(conn);
        self.can_read = true;
        self.writable = true;
        Ok(())
    }

    /// Runs the SOCKS5 negotiation (see `transport::socks`); the ZMTP handshake starts
    /// when the tunnel is open, with whatever the peer sent after the proxy's reply.
    pub(super) fn read_socks(&mut self) -> Result<(), Lost> {
        loop {
            let Phase::Socks(client) = &mut self.phase else {
                return Ok(());
            };
            let status = client.receive(&mut self.socks_in);
            // What to send next (the method list first, then each answer's follow-up).
            let out = client.pending().len();
            if out > 0 {
                self.socks_out
                    .push_with(|b| b.extend_from_slice(client.pending()));
                client.advance(out);
            }
            match status {
                Ok(true) => return self.begin_handshake(),
                Ok(false) if !self.can_read || !self.read_some()? => return Ok(()),
                Ok(false) => {}
                Err(_) => {
                    self.errno = libc::ECONNREFUSED;
                    return Err(Lost);
                }
            }
        }
    }

    /// Advances the handshake as far as the input allows, running ZAP when the mechanism
    /// asks for it. While the handler's answer is awaited the session reads on, as
    /// libzmq's engine does: the peer leaving (HANDSHAKE_FAILED_NO_DETAIL, EPIPE) or
    /// sending out of turn ends the handshake then, not at HANDSHAKE_IVL.
    pub(super) fn read_handshake(&mut self, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
        let mut answer = None;
        loop {
            if answer.is_none() && self.zap.is_some() {
                answer = self.poll_zap()?;
            }
            let Phase::Zmtp(conn) = &mut self.phase else {
                return Ok(());
            };
            let event = match answer.take() {
                Some(reply) => conn.zap_reply(reply, ctx.now),
                None => conn.poll_event(ctx.now),
            };
            match event {
                Err(e) => return Err(self.failed(e)),
                Ok(Some(Event::HandshakeSucceeded(peer))) => return self.handshake_done(peer, ctx),
                Ok(Some(Event::Zap(request))) => answer = self.start_zap(request, ctx)?,
                Ok(None) => {
                    if !self.can_read || !self.read_some()? {
                        return Ok(());
                    }
                }
            }
        }
    }

    pub(super) fn handshake_done(&mut self, peer: PeerInfo, ctx: &mut Ctx<'_>) -> Result<(), Lost> {
        let metadata = properties(&peer);
        let metadata = match &self.stream {
            Some(s) => super::super::peer_properties::with_local_properties(metadata, s),
            None => metadata,
        };
        match &mut self.role {
            Role::Connect { backoff, .. } => {
                *backoff = None;
                if let Some(pipe) = &self.pipe {
                    pipe.set_routing_id(peer.identity, false);
                    pipe.set_peer_metadata(Arc::new(metadata));
                    // ROUTER learns the peer's id; SUB re-sends what a publisher forgot.
                    pipe.peer_ready();
                }
            }
            Role::Accepted { .. } => {
                // The pipe exists only once the peer has proved itself (CVE-2020-15166).
                let wake = SessionWake {
                    io: Arc::clone(ctx.io),
                    token: self.token,
                };
                let pipe = Pipe::new(
                    Arc::clone(&self.cfg.socket),
                    wake,
                    self.cfg.sndhwm,
                    self.cfg.rcvhwm,
                );
                pipe.set_routing_id(peer.identity, false);
                pipe.set_peer_metadata(Arc::new(metadata));
                if self.cfg.conflate {
                    pipe.set_conflate();
                }
                if !self.cfg.socket.post(SocketCmd::Attach(Arc::clone(&pipe))) {
                    return Err(Lost);
                }
                self.pipe = Some(pipe);
            }
        }
        self.credit = self.pipe.as_ref().map_or(0, |p| p.inbound_credit());
        self.emit(EVENT_HANDSHAKE_SUCCEEDED, 0);
        Ok(())
    }
}

/// The properties of the peer's messages, as libzmq gathers them: `User-Id` (when ZAP
/// named one), the ZAP handler's metadata, then the peer's own.
fn properties(peer: &PeerInfo) -> Metadata {
    let mut md = Metadata::new();
    if !peer.user_id.is_empty() {
        md.push(Bytes::from_static(b"User-Id"), peer.user_id.clone());
    }
    for (name, value) in peer.zap_metadata.iter().chain(peer.metadata.iter()) {
        md.push(name.clone(), value.clone());
    }
    md
}
