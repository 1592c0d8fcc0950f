//! The NULL-mechanism handshake: the peer's greeting, then its READY (or ERROR).
//!
//! Input: `[our socket type] [split seed] [options] peer bytes...`. The handshake runs
//! twice over the peer bytes, fed at once and piecemeal, and must end alike. Our signature
//! goes out first whatever the peer sends, the rest of our greeting once the peer's
//! signature is in; on success the peer's type is one we may talk
//! to, its identity is what its READY said, and our READY followed our greeting.
//!
//! Other mechanisms (PLAIN, CURVE) get their own `handshake_<mechanism>` target built the
//! same way on `ferromq_fuzz::handshake::Outcome`.
#![no_main]

use bytes::{Bytes, BytesMut};
use ferromq::proto::command::encode_ready;
use ferromq::proto::greeting::{encode_greeting, MECHANISM_NULL};
use ferromq::proto::{Handshake, HandshakeConfig, HandshakeStatus, SocketType};
use ferromq_fuzz::handshake::Outcome;
use libfuzzer_sys::fuzz_target;

fn run(cfg: &HandshakeConfig, peer: &[u8], seed: u8) -> Outcome {
    let mut out = BytesMut::new();
    let mut hs = Handshake::new(cfg.clone(), &mut out);
    Outcome::drive(peer, seed, out, |input, out| hs.advance(input, out))
}

fuzz_target!(|data: &[u8]| {
    let [ty, seed, opts, peer @ ..] = data else {
        return;
    };
    let Some(ours) = SocketType::from_raw(i32::from(*ty % 11)) else {
        return;
    };
    let cfg = HandshakeConfig {
        socket_type: ours,
        identity: if opts & 1 != 0 {
            Bytes::from_static(b"fuzz-id")
        } else {
            Bytes::new()
        },
        // MAXMSGSIZE applies to handshake frames too.
        max_msg_size: (opts & 2 != 0).then_some(u64::from(opts >> 2)),
    };

    let whole = run(&cfg, peer, 0);
    let pieces = run(&cfg, peer, *seed);
    whole.assert_same(&pieces);

    // Our greeting as libzmq sends it: the padding holds the routing id's length + 1, the
    // 10-byte signature goes out at once and the other 54 bytes only once the peer's
    // signature is in (so a peer that never sends one sees the signature alone).
    let mut greeting = encode_greeting(&MECHANISM_NULL, false);
    let padding = (cfg.identity.len() as u64 + 1).to_be_bytes();
    greeting[1..9].copy_from_slice(&padding);
    assert!(whole.sent.len() >= 10, "our signature goes out at once");
    assert_eq!(
        &whole.sent[..10],
        &greeting[..10],
        "our signature goes first"
    );
    if whole.sent.len() == 10 {
        assert!(
            !matches!(whole.result, Ok(HandshakeStatus::Done(_))),
            "done without sending the rest of our greeting"
        );
        return;
    }
    assert!(
        peer.len() >= 10,
        "the rest of our greeting before the peer's signature"
    );
    assert_eq!(
        &whole.sent[..64],
        &greeting[..],
        "the rest of our greeting follows"
    );
    let mut ready = Vec::new();
    let identity = ours.sends_identity().then_some(&cfg.identity[..]);
    encode_ready(ours, identity, &mut ready);
    let rest = &whole.sent[64..];
    assert!(
        rest.is_empty() || rest == &ready[..],
        "we sent something besides READY"
    );

    if let Ok(HandshakeStatus::Done(info)) = &whole.result {
        assert_eq!(rest, &ready[..], "done without sending READY");
        assert!(ours.is_compatible_with(info.socket_type));
        let said = info.metadata.get("Identity").cloned().unwrap_or_default();
        assert_eq!(info.identity, said);
        assert_eq!(
            info.minor_version, peer[11],
            "minor version from the greeting"
        );
        assert!(
            peer.ends_with(&whole.left),
            "left-over bytes are the input's tail"
        );
    }
});
