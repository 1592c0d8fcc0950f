//! Options the socket's pattern keeps (SUBSCRIBE/UNSUBSCRIBE, ROUTER_MANDATORY/HANDOVER,
//! REQ_RELAXED/CORRELATE, the XPUB options, INVERT_MATCHING): the pattern decides, in its
//! state, whether it takes them; the option table lists the socket types that may.

use super::Socket;
use crate::error::Result;
use crate::pattern::PatternOption;

impl Socket {
    /// `ZMQ_SUBSCRIBE`: receive messages whose first frame starts with `topic` (the
    /// empty topic matches everything). Counted: subscribing twice needs two
    /// unsubscribes. SUB sockets only (EINVAL otherwise).
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut sub = ctx.socket(SocketType::Sub)?;
    /// sub.set_subscribe(b"weather.")?;
    /// let mut push = ctx.socket(SocketType::Push)?;
    /// assert!(push.set_subscribe(b"x").is_err());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_subscribe(&mut self, topic: &[u8]) -> Result<()> {
        self.process_commands();
        self.pattern.subscribe(&mut self.pipes, topic, true)
    }

    /// `ZMQ_UNSUBSCRIBE`: removes one subscription to `topic` (no effect if there is
    /// none). SUB sockets only (EINVAL otherwise).
    ///
    /// ```
    /// let mut sub = ferromq::Context::new().socket(ferromq::SocketType::Sub)?;
    /// sub.set_subscribe(b"a")?;
    /// sub.set_unsubscribe(b"a")?;
    /// sub.set_unsubscribe(b"never")?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_unsubscribe(&mut self, topic: &[u8]) -> Result<()> {
        self.process_commands();
        self.pattern.subscribe(&mut self.pipes, topic, false)
    }

    /// `ZMQ_ROUTER_MANDATORY`: a message for an unknown peer fails with EHOSTUNREACH,
    /// and one for a peer at its HWM blocks (or EAGAIN), instead of being dropped.
    /// ROUTER only (EINVAL otherwise).
    ///
    /// ```
    /// use ferromq::{Context, Error, SocketType, SNDMORE};
    /// let mut router = Context::new().socket(SocketType::Router)?;
    /// router.set_router_mandatory(true)?;
    /// assert_eq!(router.send("nobody", SNDMORE), Err(Error::HostUnreach));
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_router_mandatory(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::RouterMandatory(on))
    }

    /// `ZMQ_ROUTER_HANDOVER`: a new peer announcing a routing id already in use takes it
    /// over (the old connection is closed) instead of being refused. ROUTER only.
    ///
    /// ```
    /// let mut router = ferromq::Context::new().socket(ferromq::SocketType::Router)?;
    /// router.set_router_handover(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_router_handover(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::RouterHandover(on))
    }

    /// `ZMQ_REQ_RELAXED`: allow a new request before the reply to the last one came; the
    /// old reply is then dropped, and the request goes to the next peer (the "lazy
    /// pirate" pattern). REQ only (EINVAL otherwise).
    ///
    /// ```
    /// let mut req = ferromq::Context::new().socket(ferromq::SocketType::Req)?;
    /// req.set_req_relaxed(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_req_relaxed(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::ReqRelaxed(on))
    }

    /// `ZMQ_REQ_CORRELATE`: tag each request with an id and accept only the reply that
    /// carries it back (use with REQ_RELAXED). REQ only (EINVAL otherwise).
    ///
    /// ```
    /// let mut req = ferromq::Context::new().socket(ferromq::SocketType::Req)?;
    /// req.set_req_correlate(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_req_correlate(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::ReqCorrelate(on))
    }

    /// `ZMQ_XPUB_VERBOSE`: pass every subscription up to the application, not only the
    /// first one for each topic. XPUB only (EINVAL otherwise).
    ///
    /// ```
    /// let mut x = ferromq::Context::new().socket(ferromq::SocketType::Xpub)?;
    /// x.set_xpub_verbose(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_xpub_verbose(&mut self, on: bool) -> Result<()> {
        // As libzmq: VERBOSE sets the subscribe half and turns VERBOSER's half off.
        self.pattern.set_option(PatternOption::XpubVerbose {
            subscribes: on,
            unsubscribes: false,
        })?;
        self.opts.xpub_verbose = on;
        self.opts.xpub_verboser = false;
        Ok(())
    }

    /// `ZMQ_XPUB_VERBOSER`: like XPUB_VERBOSE, and pass every unsubscription up too,
    /// not only the last one for each topic (setting it to false turns both off, as in
    /// libzmq). PUB and XPUB only (EINVAL otherwise).
    ///
    /// ```
    /// let mut x = ferromq::Context::new().socket(ferromq::SocketType::Xpub)?;
    /// x.set_xpub_verboser(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_xpub_verboser(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::XpubVerbose {
            subscribes: on,
            unsubscribes: on,
        })?;
        self.opts.xpub_verbose = on;
        self.opts.xpub_verboser = on;
        Ok(())
    }

    /// `ZMQ_XPUB_NODROP`: a PUB/XPUB whose subscriber is at its SNDHWM fails the send
    /// with EAGAIN (or blocks, without DONTWAIT, until there is room) instead of dropping
    /// the message for that subscriber. PUB and XPUB only (EINVAL otherwise).
    ///
    /// ```
    /// let mut x = ferromq::Context::new().socket(ferromq::SocketType::Xpub)?;
    /// x.set_xpub_nodrop(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_xpub_nodrop(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::XpubNodrop(on))
    }

    /// `ZMQ_XPUB_MANUAL`: the XPUB no longer applies its peers' subscriptions itself.
    /// It passes every one up to `recv`, and the application decides: after receiving a
    /// subscription, [`Socket::set_subscribe`]/[`Socket::set_unsubscribe`] on the XPUB
    /// subscribe or unsubscribe the peer that sent it, to any topic. PUB and XPUB only.
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut xpub = ctx.socket(SocketType::Xpub)?;
    /// xpub.set_xpub_manual(true)?;
    /// xpub.bind("inproc://manual")?;
    /// let mut xsub = ctx.socket(SocketType::Xsub)?; // XSUB does not filter itself
    /// xsub.connect("inproc://manual")?;
    /// xsub.send(&b"\x01A"[..], 0)?;
    /// assert_eq!(&xpub.recv(0)?[..], b"\x01A");
    /// xpub.set_subscribe(b"B")?; // the peer gets B instead of A
    /// xpub.send("A: not for it", 0)?;
    /// xpub.send("B: for it", 0)?;
    /// assert_eq!(&xsub.recv(0)?[..], b"B: for it");
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_xpub_manual(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::XpubManual {
            manual: on,
            last_value: false,
        })
    }

    /// `ZMQ_XPUB_MANUAL_LAST_VALUE` (a DRAFT option of libzmq 4.3): XPUB_MANUAL, and
    /// the first message sent after a subscription arrived goes only to the peer that
    /// sent it (a "last value cache" sends it the current value). PUB and XPUB only.
    ///
    /// ```
    /// let mut x = ferromq::Context::new().socket(ferromq::SocketType::Xpub)?;
    /// x.set_xpub_manual_last_value(true)?;
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_xpub_manual_last_value(&mut self, on: bool) -> Result<()> {
        self.pattern.set_option(PatternOption::XpubManual {
            manual: on,
            last_value: on,
        })
    }

    /// Sets `ZMQ_INVERT_MATCHING`: a SUB/XSUB receives the messages that match *none* of
    /// its subscriptions, and a PUB/XPUB sends each message to the peers whose
    /// subscriptions it does *not* match. Both ends of a pub-sub link should set it.
    /// Any socket type may set it (others ignore it, as in libzmq).
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut publisher = ctx.socket(SocketType::Pub)?;
    /// publisher.set_invert_matching(true)?;
    /// publisher.bind("inproc://inverted")?;
    /// let mut sub = ctx.socket(SocketType::Sub)?;
    /// sub.set_invert_matching(true)?;
    /// sub.set_subscribe(b"noise")?;
    /// sub.connect("inproc://inverted")?;
    /// sub.set_rcvtimeo(1000)?;
    /// // The subscription reaches the publisher asynchronously: publish until one arrives.
    /// let got = loop {
    ///     publisher.send("noise: dropped", 0)?;
    ///     publisher.send("signal", 0)?;
    ///     if let Ok(m) = sub.recv(ferromq::DONTWAIT) { break m; }
    ///     std::thread::sleep(std::time::Duration::from_millis(5));
    /// };
    /// assert_eq!(&got[..], b"signal");
    /// assert!(sub.invert_matching()?);
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_invert_matching(&mut self, on: bool) -> Result<()> {
        self.opts.invert_matching = on;
        // Types without topic matching ignore it, as libzmq's do.
        let _ = self.pattern.set_option(PatternOption::InvertMatching(on));
        Ok(())
    }

    /// `ZMQ_INVERT_MATCHING` (default false); see [`Socket::set_invert_matching`].
    pub fn invert_matching(&self) -> Result<bool> {
        Ok(self.opts.invert_matching)
    }
}
