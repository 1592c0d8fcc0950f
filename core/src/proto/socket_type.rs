//! libzmq's socket types: numbers (`zmq.h`), wire names (READY's `Socket-Type`) and
//! which pairs may talk to each other.

/// A ZeroMQ socket type. The discriminants are libzmq's `ZMQ_PAIR` ... `ZMQ_STREAM`.
///
/// ```
/// use ferromq::proto::SocketType;
///
/// assert_eq!(SocketType::Dealer as i32, 5);
/// assert_eq!(SocketType::Dealer.name(), "DEALER");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum SocketType {
    /// `ZMQ_PAIR`: exclusive one-to-one.
    Pair = 0,
    /// `ZMQ_PUB`: publisher.
    Pub = 1,
    /// `ZMQ_SUB`: subscriber.
    Sub = 2,
    /// `ZMQ_REQ`: strict request/reply client.
    Req = 3,
    /// `ZMQ_REP`: strict request/reply server.
    Rep = 4,
    /// `ZMQ_DEALER`: asynchronous request side.
    Dealer = 5,
    /// `ZMQ_ROUTER`: asynchronous, routing-id addressed reply side.
    Router = 6,
    /// `ZMQ_PULL`: pipeline receiver.
    Pull = 7,
    /// `ZMQ_PUSH`: pipeline sender.
    Push = 8,
    /// `ZMQ_XPUB`: publisher that sees subscriptions.
    Xpub = 9,
    /// `ZMQ_XSUB`: subscriber that sends subscriptions as messages.
    Xsub = 10,
    /// `ZMQ_STREAM`: raw TCP (or Unix) connections without ZMTP, addressed by routing id.
    /// It never handshakes, so no ZMTP peer is compatible with it.
    Stream = 11,
}

/// Every type that speaks ZMTP, in numeric order (index == raw value).
pub(super) const ALL: [SocketType; 11] = [
    SocketType::Pair,
    SocketType::Pub,
    SocketType::Sub,
    SocketType::Req,
    SocketType::Rep,
    SocketType::Dealer,
    SocketType::Router,
    SocketType::Pull,
    SocketType::Push,
    SocketType::Xpub,
    SocketType::Xsub,
];

impl SocketType {
    /// The name sent in READY's `Socket-Type` property, spelled exactly as libzmq does.
    ///
    /// ```
    /// use ferromq::proto::SocketType;
    ///
    /// assert_eq!(SocketType::Xpub.name(), "XPUB");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Pair => "PAIR",
            Self::Pub => "PUB",
            Self::Sub => "SUB",
            Self::Req => "REQ",
            Self::Rep => "REP",
            Self::Dealer => "DEALER",
            Self::Router => "ROUTER",
            Self::Pull => "PULL",
            Self::Push => "PUSH",
            Self::Xpub => "XPUB",
            Self::Xsub => "XSUB",
            Self::Stream => "STREAM",
        }
    }

    /// Looks a wire name up. The match is exact and case-sensitive, as in libzmq. STREAM
    /// has no wire name (it never sends READY).
    ///
    /// ```
    /// use ferromq::proto::SocketType;
    ///
    /// assert_eq!(SocketType::from_name(b"ROUTER"), Some(SocketType::Router));
    /// assert_eq!(SocketType::from_name(b"router"), None);
    /// ```
    pub fn from_name(name: &[u8]) -> Option<SocketType> {
        ALL.iter().copied().find(|t| t.name().as_bytes() == name)
    }

    /// Converts libzmq's numeric type (`ZMQ_PAIR` = 0 ... `ZMQ_STREAM` = 11).
    ///
    /// ```
    /// use ferromq::proto::SocketType;
    ///
    /// assert_eq!(SocketType::from_raw(8), Some(SocketType::Push));
    /// assert_eq!(SocketType::from_raw(11), Some(SocketType::Stream));
    /// assert_eq!(SocketType::from_raw(12), None);
    /// ```
    pub fn from_raw(v: i32) -> Option<SocketType> {
        if v == SocketType::Stream as i32 {
            return Some(SocketType::Stream);
        }
        usize::try_from(v).ok().and_then(|i| ALL.get(i).copied())
    }

    /// libzmq's numeric value for this type.
    ///
    /// ```
    /// use ferromq::proto::SocketType;
    ///
    /// assert_eq!(SocketType::Pull.raw(), 7);
    /// ```
    pub fn raw(self) -> i32 {
        self as i32
    }

    /// Whether a peer of type `peer` may connect to us (libzmq's `is_socket_type_compatible`).
    ///
    /// ```
    /// use ferromq::proto::SocketType;
    ///
    /// assert!(SocketType::Req.is_compatible_with(SocketType::Router));
    /// assert!(!SocketType::Pub.is_compatible_with(SocketType::Pull));
    /// ```
    pub fn is_compatible_with(self, peer: SocketType) -> bool {
        match self {
            Self::Pair => peer == Self::Pair,
            Self::Pub | Self::Xpub => matches!(peer, Self::Sub | Self::Xsub),
            Self::Sub | Self::Xsub => matches!(peer, Self::Pub | Self::Xpub),
            Self::Req => matches!(peer, Self::Rep | Self::Router),
            Self::Rep => matches!(peer, Self::Req | Self::Dealer),
            Self::Dealer => matches!(peer, Self::Rep | Self::Dealer | Self::Router),
            Self::Router => matches!(peer, Self::Req | Self::Dealer | Self::Router),
            Self::Pull => peer == Self::Push,
            Self::Push => peer == Self::Pull,
            Self::Stream => false,
        }
    }

    /// Whether our READY carries an `Identity` property (libzmq sends it for REQ, DEALER
    /// and ROUTER only, possibly empty).
    ///
    /// ```
    /// use ferromq::proto::SocketType;
    ///
    /// assert!(SocketType::Dealer.sends_identity());
    /// assert!(!SocketType::Push.sends_identity());
    /// ```
    pub fn sends_identity(self) -> bool {
        matches!(self, Self::Req | Self::Dealer | Self::Router)
    }

    /// Whether connections of this type carry its subscriptions upstream (SUB, XSUB).
    ///
    /// ```
    /// use ferromq::proto::SocketType;
    ///
    /// assert!(SocketType::Xsub.sends_subscriptions());
    /// assert!(!SocketType::Pub.sends_subscriptions());
    /// ```
    pub fn sends_subscriptions(self) -> bool {
        matches!(self, Self::Sub | Self::Xsub)
    }

    /// Whether this type reads subscriptions from its peers (PUB, XPUB): a ZMTP 3.1
    /// SUBSCRIBE/CANCEL command reaches it as the `0x01`/`0x00` message.
    ///
    /// ```
    /// use ferromq::proto::SocketType;
    ///
    /// assert!(SocketType::Xpub.reads_subscriptions());
    /// assert!(!SocketType::Sub.reads_subscriptions());
    /// ```
    pub fn reads_subscriptions(self) -> bool {
        matches!(self, Self::Pub | Self::Xpub)
    }

    /// Whether data from peers other than subscriptions is dropped as it is decoded
    /// (PUB: on the I/O thread, so it never occupies memory; CVE-2021-20237).
    ///
    /// ```
    /// use ferromq::proto::SocketType;
    ///
    /// assert!(SocketType::Pub.drops_inbound_data());
    /// assert!(!SocketType::Xpub.drops_inbound_data());
    /// ```
    pub fn drops_inbound_data(self) -> bool {
        self == Self::Pub
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_names_round_trip() {
        for (i, t) in ALL.iter().enumerate() {
            assert_eq!(t.raw(), i as i32);
            assert_eq!(SocketType::from_raw(i as i32), Some(*t));
            assert_eq!(SocketType::from_name(t.name().as_bytes()), Some(*t));
        }
        assert_eq!(SocketType::from_raw(-1), None);
        assert_eq!(SocketType::from_raw(11), Some(SocketType::Stream));
        assert_eq!(SocketType::from_raw(12), None);
        assert_eq!(SocketType::from_name(b""), None);
        assert_eq!(SocketType::from_name(b"PUSH\0"), None);
        assert_eq!(SocketType::from_name(b"STREAM"), None);
    }

    #[test]
    fn compatibility_is_symmetric() {
        // libzmq's table is symmetric; a bug in one arm would show up here.
        for a in ALL {
            for b in ALL {
                assert_eq!(
                    a.is_compatible_with(b),
                    b.is_compatible_with(a),
                    "{a:?} vs {b:?}"
                );
            }
        }
        let count = ALL
            .iter()
            .flat_map(|a| ALL.iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.is_compatible_with(**b))
            .count();
        // PAIR-PAIR 1, {PUB,XPUB}x{SUB,XSUB} 8, REQ-REP/ROUTER 4, REP-DEALER 2,
        // DEALER-DEALER/ROUTER 3, ROUTER-ROUTER 1, PUSH-PULL 2.
        assert_eq!(count, 21);
    }
}
