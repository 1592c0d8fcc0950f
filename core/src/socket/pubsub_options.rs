//! Options of the publish-subscribe family and the request-reply probes:
//! INVERT_MATCHING, XPUB_NODROP, XPUB_MANUAL (+ LAST_VALUE), XPUB_WELCOME_MSG and
//! PROBE_ROUTER.

use super::Socket;
use crate::error::{Error, Result};
use crate::pattern::PatternOption;
use crate::proto::SocketType;
use bytes::Bytes;

impl Socket {
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

    /// `ZMQ_XPUB_WELCOME_MSG`: a message the PUB/XPUB sends to every new subscriber
    /// as soon as it connects (empty removes it). The subscriber must subscribe to it to
    /// see it. PUB and XPUB only (EINVAL otherwise).
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut xpub = ctx.socket(SocketType::Xpub)?;
    /// xpub.set_xpub_welcome_msg(b"W")?;
    /// xpub.bind("inproc://welcome")?;
    /// let mut sub = ctx.socket(SocketType::Sub)?;
    /// sub.set_subscribe(b"W")?;
    /// sub.connect("inproc://welcome")?;
    /// // The XPUB meets the new pipe (and greets it) when it next runs: here, in recv.
    /// assert_eq!(&xpub.recv(0)?[..], b"\x01W");
    /// assert_eq!(&sub.recv(0)?[..], b"W");
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_xpub_welcome_msg(&mut self, msg: &[u8]) -> Result<()> {
        if !matches!(self.ty, SocketType::Pub | SocketType::Xpub) {
            return Err(Error::Invalid);
        }
        self.opts.welcome_msg = Bytes::copy_from_slice(msg);
        Ok(())
    }

    /// `ZMQ_PROBE_ROUTER`: send an empty message to every peer as soon as it connects,
    /// so a ROUTER on the other side learns this socket's routing id without waiting
    /// for a first request. REQ, REP, DEALER and ROUTER only (EINVAL otherwise).
    ///
    /// ```
    /// use ferromq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let mut router = ctx.socket(SocketType::Router)?;
    /// router.bind("inproc://probe")?;
    /// let mut dealer = ctx.socket(SocketType::Dealer)?;
    /// dealer.set_routing_id(b"D")?;
    /// dealer.set_probe_router(true)?;
    /// dealer.connect("inproc://probe")?;
    /// let probe = router.recv_multipart(0)?;
    /// assert_eq!(&probe[0][..], b"D");
    /// assert!(probe[1].is_empty());
    /// # Ok::<(), ferromq::Error>(())
    /// ```
    pub fn set_probe_router(&mut self, on: bool) -> Result<()> {
        use SocketType::*;
        if !matches!(self.ty, Req | Rep | Dealer | Router) {
            return Err(Error::Invalid);
        }
        self.opts.probe_router = on;
        Ok(())
    }
}
