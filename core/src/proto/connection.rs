//! [`Connection`]: one ZMTP connection as a sans-IO object — greeting, mechanism
//! handshake, then the traffic phase — with no socket, thread or clock of its own.
//!
//! Bytes come in through [`Connection::read_buf`] (the driver reads straight into the
//! spare room of a chunk of a [`ReadBuf`], so nothing is copied) or
//! [`Connection::handle_input`]; what must go out collects in a
//! [`WriteBuf`] the driver writes with one `writev` ([`Connection::write_to`]): small
//! frames copied into one staging buffer, frames of 16 KiB and more sent from their own
//! memory. Time is passed in (`now`); [`Connection::poll_timeout`] says when to call
//! [`Connection::handle_timeout`] next (handshake deadline, heartbeat PING, TTL and
//! timeout).
//!
//! Incoming messages are decoded lazily, only as many as the caller has room for
//! ([`Connection::decode_into`]): a multipart message is handed over whole or not at
//! all, FERROMQ_MAXMSGPARTS / MAXMSGTOTALSIZE are checked on each frame's header before
//! its body is buffered, and a frame's declared size is never trusted for an allocation
//! beyond the largest frame the peer has already sent.
//! Frames up to [`INLINE_MAX`] are copied into their `Msg`; larger ones are slices of the
//! read chunk they arrived in (no allocation, no copy; [`ReadBuf`] bounds what one
//! retained frame can pin).
//!
//! The socket-type rules live in [`SocketType`]'s table: a PUB drops inbound data, a
//! PUB/XPUB reads SUBSCRIBE/CANCEL as subscription messages, a SUB/XSUB sends its
//! subscriptions as commands to ZMTP 3.1 peers and as messages to 3.0 peers.
//!
//! PINGs are answered here. While the output holds less than [`WRITE_BATCH`] each PING
//! gets its PONG at once, in order (libzmq's test_heartbeats reads two PONGs for two
//! PINGs); beyond that only the newest PING's PONG is kept pending, so a peer that floods
//! PINGs without reading cannot grow our output.

use std::io::{self, Write};
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use super::command::{encode_ping, encode_pong, parse_command, Command};
use super::frame::parse_frame_header;
use super::handshake::{Handshake, HandshakeConfig, HandshakeStatus, PeerInfo};
use super::heartbeat::{Beat, Heartbeat, HeartbeatConfig};
use super::mechanism::{Mechanism, ZapReply, ZapRequest};
use super::rbuf::ReadBuf;
use super::subscription::{encode_subscription_command, parse_subscription, subscription_msg};
use super::wbuf::WriteBuf;
use super::{ProtocolError, SocketType};
use crate::msg::{Msg, INLINE_MAX};

/// The output is "full" at this many bytes: the driver stops feeding messages and PONGs
/// coalesce.
pub(crate) const WRITE_BATCH: usize = 256 * 1024;

/// What a connection enforces and announces.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionConfig {
    /// Our socket type and identity, and MAXMSGSIZE for handshake frames.
    pub handshake: HandshakeConfig,
    /// Largest frame accepted from the peer.
    pub max_frame: u64,
    /// Most frames in one incoming message (`None` = no limit).
    pub max_parts: Option<usize>,
    /// Most bytes in one incoming message (`None` = no limit).
    pub max_msg_bytes: Option<u64>,
    /// The handshake must be complete by then.
    pub handshake_deadline: Option<Instant>,
    pub heartbeat: HeartbeatConfig,
}

/// Something the driver must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// The handshake completed; messages may flow.
    HandshakeSucceeded(PeerInfo),
    /// The mechanism asks the ZAP handler; answer with [`Connection::zap_reply`].
    Zap(ZapRequest),
}

/// Why a connection ended. Every one is fatal for this connection only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnectionError {
    /// The handshake failed on a protocol error (monitor: HANDSHAKE_FAILED_PROTOCOL
    /// where the error has a code).
    Handshake(ProtocolError),
    /// A traffic frame broke the rules or a limit.
    Protocol(ProtocolError),
    /// A message went beyond MAXMSGPARTS or MAXMSGTOTALSIZE.
    MessageTooLarge,
    /// HANDSHAKE_IVL passed before the handshake completed.
    HandshakeTimeout,
    /// The peer was silent past HEARTBEAT_TIMEOUT or its PING's TTL.
    HeartbeatExpired,
}

/// One ZMTP connection's protocol state.
#[derive(Debug)]
pub(crate) struct Connection {
    cfg: ConnectionConfig,
    handshake: Handshake,
    /// Set once the handshake is done: the peer's ZMTP minor version (0 = 3.0:
    /// subscriptions travel as messages).
    peer_minor: Option<u8>,
    /// The mechanism wraps every traffic frame (CURVE).
    encoded: bool,
    rbuf: ReadBuf,
    /// Total size of the frame being received, when it is not complete yet.
    want: usize,
    wbuf: WriteBuf,
    /// The context of the newest PING not answered yet (one PONG at most is pending).
    pending_pong: Option<Bytes>,
    /// The last message frame sent had MORE set.
    mid_message: bool,
    /// Frames of an incoming message not complete yet.
    partial: Vec<Msg>,
    /// Frames and body bytes of the incoming message so far (counted even when its
    /// frames are thrown away), checked against the per-message bounds.
    msg_frames: usize,
    msg_bytes: u64,
    /// The last data frame received had MORE set (a PUB drops data messages whole).
    in_data_message: bool,
    heartbeat: Option<Heartbeat>,
    /// The handshake deadline was handed out by `poll_timeout`.
    deadline_armed: bool,
}

impl Connection {
    /// A NULL-mechanism connection; our greeting's signature is queued at once.
    #[cfg(test)]
    pub fn new(cfg: ConnectionConfig) -> Connection {
        let null = super::mechanism::NullMechanism::new(cfg.handshake.our_properties(), false);
        Connection::with_mechanism(cfg, Box::new(null))
    }

    /// A connection securing itself with `mechanism`.
    pub fn with_mechanism(cfg: ConnectionConfig, mechanism: Box<dyn Mechanism>) -> Connection {
        let mut signature = BytesMut::new();
        let handshake = Handshake::with_mechanism(cfg.handshake.clone(), mechanism, &mut signature);
        let mut wbuf = WriteBuf::default();
        wbuf.push_with(|out| out.extend_from_slice(&signature));
        Connection {
            cfg,
            handshake,
            peer_minor: None,
            encoded: false,
            rbuf: ReadBuf::default(),
            want: 0,
            wbuf,
            pending_pong: None,
            mid_message: false,
            partial: Vec::new(),
            msg_frames: 0,
            msg_bytes: 0,
            in_data_message: false,
            heartbeat: None,
            deadline_armed: false,
        }
    }

    /// Whether the handshake is done.
    pub fn is_established(&self) -> bool {
        self.peer_minor.is_some()
    }

    fn socket_type(&self) -> SocketType {
        self.cfg.handshake.socket_type
    }

    // ---- input ----

    /// The buffer the driver reads into: append only, into its spare capacity, which
    /// this call makes room for (towards the size of the frame being received only as
    /// fast as its bytes arrive).
    pub fn read_buf(&mut self) -> &mut BytesMut {
        self.rbuf.prepare(self.want)
    }

    /// Bytes were appended to [`Connection::read_buf`]: the peer is alive.
    pub fn received(&mut self) {
        if let Some(hb) = self.heartbeat.as_mut() {
            hb.traffic();
        }
    }

    /// Appends `data` as if read from the peer.
    pub fn handle_input(&mut self, data: &[u8]) {
        self.rbuf.extend(data, self.want);
        self.received();
    }

    /// Runs the handshake on the input so far. Returns an event when it completes or
    /// needs the ZAP handler; `None` once established (then use `decode_into`).
    pub fn poll_event(&mut self, now: Instant) -> Result<Option<Event>, ConnectionError> {
        if self.is_established() {
            return Ok(None);
        }
        let (rbuf, hs) = (self.rbuf.as_bytes_mut(), &mut self.handshake);
        let mut status = Ok(HandshakeStatus::NeedMore);
        self.wbuf.push_with(|out| status = hs.advance(rbuf, out));
        self.handshake_status(status, now)
    }

    /// Hands the ZAP handler's answer to the mechanism.
    pub fn zap_reply(
        &mut self,
        reply: ZapReply,
        now: Instant,
    ) -> Result<Option<Event>, ConnectionError> {
        let hs = &mut self.handshake;
        let mut status = Ok(HandshakeStatus::NeedMore);
        self.wbuf.push_with(|out| status = hs.zap_reply(reply, out));
        self.handshake_status(status, now)
    }

    fn handshake_status(
        &mut self,
        status: Result<HandshakeStatus, ProtocolError>,
        now: Instant,
    ) -> Result<Option<Event>, ConnectionError> {
        match status.map_err(ConnectionError::Handshake)? {
            HandshakeStatus::NeedMore => Ok(None),
            HandshakeStatus::Zap(request) => Ok(Some(Event::Zap(request))),
            HandshakeStatus::Done(peer) => {
                self.peer_minor = Some(peer.minor_version);
                self.encoded = self.handshake.mechanism().encodes_frames();
                self.heartbeat = Some(Heartbeat::new(self.cfg.heartbeat, now));
                Ok(Some(Event::HandshakeSucceeded(peer)))
            }
        }
    }

    /// Decodes complete messages into `out`, at most `limit` of them (a multipart message
    /// counts once and arrives whole), and answers PINGs. With `discard`, messages are
    /// decoded and dropped (a send-only socket, or one that is gone). Returns how many
    /// messages were appended.
    pub fn decode_into(
        &mut self,
        out: &mut Vec<Msg>,
        limit: usize,
        discard: bool,
    ) -> Result<usize, ConnectionError> {
        let mut complete = 0;
        while complete < limit && self.is_established() {
            let h = match parse_frame_header(self.rbuf.bytes(), Some(self.cfg.max_frame)) {
                Ok(Some(h)) => h,
                Ok(None) => break,
                Err(e) => return Err(ConnectionError::Protocol(e)),
            };
            // With CURVE every frame is a MESSAGE box; the bounds apply to what is inside.
            if !h.command && !self.encoded {
                self.check_message_bounds(h.body_len, h.more)?;
            }
            let total = h.frame_len();
            if self.rbuf.len() < total {
                self.want = total;
                break;
            }
            self.want = 0;
            self.rbuf.frame_complete(total);
            self.rbuf.advance(h.header_len);
            let (more, msg) = if self.encoded {
                // Every frame after a CURVE handshake, data or command, is a MESSAGE box
                // (libzmq sends them as data frames); a plain frame must not get through.
                // The box is opened where it lies in the read buffer (no allocation);
                // the plaintext is then copied out or split off like a plain frame's.
                let inner = self
                    .handshake
                    .mechanism_mut()
                    .decode_frame(&mut self.rbuf.as_bytes_mut()[..h.body_len])
                    .map_err(ConnectionError::Protocol)?;
                let len = h
                    .body_len
                    .checked_sub(inner.start)
                    .ok_or(ConnectionError::Protocol(ProtocolError::SizeOverflow))?;
                if inner.command {
                    self.rbuf.advance(inner.start);
                    let body = self.rbuf.split_to(len);
                    complete += usize::from(self.on_command(&body, out, discard)?);
                    continue;
                }
                self.check_message_bounds(len, inner.more)?;
                let m = if len <= INLINE_MAX || !self.rbuf.may_share(h.body_len) {
                    let m = Msg::copy_from_slice(&self.rbuf.bytes()[inner.start..h.body_len]);
                    self.rbuf.advance(h.body_len);
                    m
                } else {
                    self.rbuf.advance(inner.start);
                    Msg::from_bytes(self.rbuf.split_to(len))
                };
                (inner.more, m)
            } else if h.command {
                let body = self.rbuf.split_to(h.body_len);
                complete += usize::from(self.on_command(&body, out, discard)?);
                continue;
            } else if discard {
                self.rbuf.advance(h.body_len);
                continue;
            } else if h.body_len <= INLINE_MAX || !self.rbuf.may_share(h.body_len) {
                let m = Msg::copy_from_slice(&self.rbuf.bytes()[..h.body_len]);
                self.rbuf.advance(h.body_len);
                (h.more, m)
            } else {
                (h.more, Msg::from_bytes(self.rbuf.split_to(h.body_len)))
            };
            if !discard {
                complete += usize::from(self.on_data(msg, more, out));
            }
        }
        Ok(complete)
    }

    /// Takes one data frame; `true` if it completed a message now in `out`.
    fn on_data(&mut self, mut msg: Msg, more: bool, out: &mut Vec<Msg>) -> bool {
        if self.socket_type().drops_inbound_data() {
            // Only subscriptions are read; other messages are dropped whole.
            let tail = std::mem::replace(&mut self.in_data_message, more);
            if !tail && !more && parse_subscription(&msg).is_some() {
                out.push(msg);
                return true;
            }
            return false;
        }
        msg.set_more(more);
        if more {
            self.partial.push(msg);
            return false;
        }
        out.append(&mut self.partial);
        out.push(msg);
        true
    }

    /// Counts a data frame against MAXMSGPARTS and MAXMSGTOTALSIZE as soon as its header
    /// is here (before its body is buffered). The header is parsed again when the frame is
    /// complete, so the count is taken only when it is first seen (`want` is 0).
    fn check_message_bounds(&mut self, body_len: usize, more: bool) -> Result<(), ConnectionError> {
        if self.want != 0 {
            return Ok(());
        }
        let frames = self.msg_frames + 1;
        let bytes = self.msg_bytes.saturating_add(body_len as u64);
        if self.cfg.max_parts.is_some_and(|max| frames > max)
            || self.cfg.max_msg_bytes.is_some_and(|max| bytes > max)
        {
            return Err(ConnectionError::MessageTooLarge);
        }
        (self.msg_frames, self.msg_bytes) = if more { (frames, bytes) } else { (0, 0) };
        Ok(())
    }

    /// Handles a traffic command; a SUBSCRIBE or CANCEL to a publisher becomes the
    /// subscription message in `out` (`true` then). Unknown and malformed commands are
    /// ignored, as in libzmq.
    fn on_command(
        &mut self,
        body: &Bytes,
        out: &mut Vec<Msg>,
        discard: bool,
    ) -> Result<bool, ConnectionError> {
        let (topic, on) = match parse_command(body) {
            Ok(Command::Ping {
                ttl_deciseconds,
                context,
            }) => {
                if let Some(hb) = self.heartbeat.as_mut() {
                    hb.ping_received(ttl_deciseconds);
                }
                if self.wbuf.len() < WRITE_BATCH {
                    self.push_command(|out| encode_pong(&context, out))?;
                } else {
                    // Copied so as not to pin the read buffer.
                    self.pending_pong = Some(Bytes::copy_from_slice(&context));
                }
                return Ok(false);
            }
            Ok(Command::Subscribe(topic)) => (topic, true),
            Ok(Command::Cancel(topic)) => (topic, false),
            _ => return Ok(false),
        };
        if discard || !self.socket_type().reads_subscriptions() {
            return Ok(false);
        }
        out.push(subscription_msg(&topic, on));
        Ok(true)
    }

    // ---- output ----

    /// Whether the output has room for more messages (under [`WRITE_BATCH`]).
    pub fn wants_messages(&self) -> bool {
        self.is_established() && self.wbuf.len() < WRITE_BATCH
    }

    /// Queues one message frame (a subscription to a ZMTP 3.1 peer goes out as its
    /// command). Only once established.
    pub fn send(&mut self, msg: &Msg) -> Result<(), ConnectionError> {
        if !self.mid_message
            && self.peer_minor.is_some_and(|minor| minor >= 1)
            && self.socket_type().sends_subscriptions()
            && parse_subscription(msg).is_some()
        {
            self.push_command(|out| {
                encode_subscription_command(msg, out);
            })?;
            self.wbuf.end_message();
            return Ok(());
        }
        self.mid_message = msg.more();
        if !self.encoded {
            self.wbuf.push_msg(msg);
            return Ok(());
        }
        let mech = self.handshake.mechanism_mut();
        let mut result = Ok(());
        self.wbuf
            .push_with(|out| result = mech.encode_frame(msg.more(), false, msg, out));
        if !msg.more() {
            self.wbuf.end_message();
        }
        result.map_err(ConnectionError::Protocol)
    }

    /// Queues a command frame written by `encode` (header included), through the
    /// mechanism if it wraps frames.
    fn push_command(&mut self, encode: impl FnOnce(&mut BytesMut)) -> Result<(), ConnectionError> {
        if !self.encoded {
            self.wbuf.push_with(encode);
            return Ok(());
        }
        let mut frame = BytesMut::new();
        encode(&mut frame);
        let header = match parse_frame_header(&frame, None) {
            Ok(Some(h)) => h.header_len,
            _ => return Err(ConnectionError::Protocol(ProtocolError::SizeOverflow)),
        };
        let mech = self.handshake.mechanism_mut();
        let mut result = Ok(());
        self.wbuf
            .push_with(|out| result = mech.encode_frame(false, true, &frame[header..], out));
        result.map_err(ConnectionError::Protocol)
    }

    /// Queues the PONG held back while the output was full. Call before writing.
    pub fn flush_pending(&mut self) -> Result<(), ConnectionError> {
        match self.pending_pong.take() {
            Some(context) => self.push_command(|out| encode_pong(&context, out)),
            None => Ok(()),
        }
    }

    /// Bytes waiting to be written.
    pub fn pending_bytes(&self) -> usize {
        self.wbuf.len()
    }

    /// Writes as much as one vectored write takes; returns the byte count.
    pub fn write_to<W: Write>(&mut self, w: &mut W) -> io::Result<usize> {
        self.wbuf.write_to(w)
    }

    /// How many messages were written out completely since the last call.
    pub fn take_written_messages(&mut self) -> usize {
        self.wbuf.take_written_messages()
    }

    /// Messages queued whose last byte has not been written.
    pub fn pending_messages(&self) -> usize {
        self.wbuf.pending_messages()
    }

    /// Whether the last message frame queued had MORE set (the rest of that message is
    /// still with the caller).
    pub fn mid_message(&self) -> bool {
        self.mid_message
    }

    // ---- timers ----

    /// A deadline the driver must arm a timer for, if one is due and not handed out yet.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        if !self.is_established() {
            if self.deadline_armed {
                return None;
            }
            self.deadline_armed = true;
            return self.cfg.handshake_deadline;
        }
        self.heartbeat.as_mut()?.timer_to_arm()
    }

    /// Runs the timers at `now`: fails a late handshake or a silent peer, sends a due
    /// PING. `reading` is false while the driver leaves input unread (silence then
    /// proves nothing).
    pub fn handle_timeout(&mut self, now: Instant, reading: bool) -> Result<(), ConnectionError> {
        let Some(hb) = self.heartbeat.as_mut() else {
            return match self.cfg.handshake_deadline {
                Some(at) if at <= now => Err(ConnectionError::HandshakeTimeout),
                _ => Ok(()),
            };
        };
        match hb.poll(now, reading) {
            Beat::Idle => Ok(()),
            Beat::Dead => Err(ConnectionError::HeartbeatExpired),
            Beat::Ping(ttl) => self.push_command(|out| encode_ping(ttl, b"", out)),
        }
    }
}
