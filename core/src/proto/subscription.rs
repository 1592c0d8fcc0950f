//! Subscriptions on the wire: ZMTP 3.0 sends them as one-frame messages
//! (`0x01 topic` subscribes, `0x00 topic` cancels, which is also the form sockets use
//! internally); ZMTP 3.1 as SUBSCRIBE/CANCEL commands. Which socket types send or read
//! them is [`SocketType`](super::SocketType)'s table.

use bytes::BytesMut;

use super::command::{encode_cancel, encode_subscribe};
use crate::msg::Msg;

/// The subscription message libzmq uses internally and ZMTP 3.0 uses on the wire:
/// `0x01 topic` subscribes, `0x00 topic` cancels.
pub(crate) fn subscription_msg(topic: &[u8], on: bool) -> Msg {
    let mut body = Vec::with_capacity(topic.len() + 1);
    body.push(u8::from(on));
    body.extend_from_slice(topic);
    Msg::from(body)
}

/// Reads a single-frame subscription message: `Some((subscribe, topic))`.
pub(crate) fn parse_subscription(msg: &Msg) -> Option<(bool, &[u8])> {
    if msg.more() {
        return None;
    }
    match msg.as_bytes().split_first() {
        Some((1, topic)) => Some((true, topic)),
        Some((0, topic)) => Some((false, topic)),
        _ => None,
    }
}

/// Writes a subscription message as the ZMTP 3.1 command it stands for; `false` (and
/// nothing written) if `msg` is not a subscription.
pub(crate) fn encode_subscription_command(msg: &Msg, out: &mut BytesMut) -> bool {
    match parse_subscription(msg) {
        Some((true, topic)) => encode_subscribe(topic, out),
        Some((false, topic)) => encode_cancel(topic, out),
        None => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let on = subscription_msg(b"A", true);
        assert_eq!(&on[..], b"\x01A");
        assert_eq!(parse_subscription(&on), Some((true, &b"A"[..])));
        let mut out = BytesMut::new();
        assert!(encode_subscription_command(&on, &mut out));
        assert_eq!(&out[..], b"\x04\x0b\x09SUBSCRIBEA");
        out.clear();
        assert!(encode_subscription_command(
            &subscription_msg(b"", false),
            &mut out
        ));
        assert_eq!(&out[..], b"\x04\x07\x06CANCEL");
        let mut multi = subscription_msg(b"A", true);
        multi.set_more(true);
        assert_eq!(parse_subscription(&multi), None);
        assert!(!encode_subscription_command(&Msg::from("\x02A"), &mut out));
    }
}
