//! The validation rules the option table's rows name (`check`: from a typed value to the
//! stored one, EINVAL when out of range) and the conversions of values given by number
//! (`number`: from the C `int`, `int64_t` or bytes to the typed value), as libzmq has them.

use crate::error::{Error, Result};
use bytes::Bytes;

/// The longest interface name SO_BINDTODEVICE takes (IFNAMSIZ, NUL included).
const IFNAMSIZ: usize = 16;

/// Any value.
pub(crate) fn any<T>(v: T) -> Result<T> {
    Ok(v)
}

/// Checks a value that must be ≥ 0.
pub(crate) fn non_negative(v: i32) -> Result<i32> {
    if v < 0 {
        Err(Error::Invalid)
    } else {
        Ok(v)
    }
}

/// Checks a value that must be > 0.
pub(crate) fn positive(v: i32) -> Result<i32> {
    if v > 0 {
        Ok(v)
    } else {
        Err(Error::Invalid)
    }
}

/// Checks a value that must be ≥ -1 (where -1 means "infinite" or "disabled").
pub(crate) fn at_least_minus_one(v: i32) -> Result<i32> {
    if v < -1 {
        Err(Error::Invalid)
    } else {
        Ok(v)
    }
}

/// Checks a 64-bit value that must be ≥ -1 (-1 = no limit).
pub(crate) fn at_least_minus_one_64(v: i64) -> Result<i64> {
    if v < -1 {
        Err(Error::Invalid)
    } else {
        Ok(v)
    }
}

/// Checks FERROMQ_MAXMSGPARTS: ≥ 1, or -1 for no limit.
pub(crate) fn msg_parts(v: i32) -> Result<i32> {
    if v == 0 || v < -1 {
        Err(Error::Invalid)
    } else {
        Ok(v)
    }
}

/// Checks TCP_KEEPALIVE: -1 (OS default), 0 (off) or 1 (on).
pub(crate) fn keepalive(v: i32) -> Result<i32> {
    if (-1..=1).contains(&v) {
        Ok(v)
    } else {
        Err(Error::Invalid)
    }
}

/// Converts HEARTBEAT_TTL from ms to the deciseconds sent on the wire, truncating
/// towards zero as libzmq does (so -99..=99 mean 0); EINVAL beyond what 16 bits hold.
pub(crate) fn heartbeat_ttl(ms: i32) -> Result<u16> {
    u16::try_from(ms / 100).map_err(|_| Error::Invalid)
}

/// Checks a routing id (and the ZAP domain, which has the same rule): 1 to 255 bytes, any
/// bytes (libzmq accepts a leading 0 too; a ROUTER treats an id that collides with one it
/// generated like any duplicate).
pub(crate) fn routing_id(id: &[u8]) -> Result<Bytes> {
    if id.is_empty() || id.len() > 255 {
        return Err(Error::Invalid);
    }
    Ok(Bytes::copy_from_slice(id))
}

/// Any bytes.
pub(crate) fn any_bytes(v: &[u8]) -> Result<Bytes> {
    Ok(Bytes::copy_from_slice(v))
}

/// At most 255 bytes (what RFC 1929 can carry).
pub(crate) fn short_bytes(v: &[u8]) -> Result<Bytes> {
    if v.len() > 255 {
        return Err(Error::Invalid);
    }
    Ok(Bytes::copy_from_slice(v))
}

/// An interface name for SO_BINDTODEVICE: at most IFNAMSIZ bytes.
pub(crate) fn ifname(v: &[u8]) -> Result<Bytes> {
    if v.len() > IFNAMSIZ {
        return Err(Error::Invalid);
    }
    Ok(Bytes::copy_from_slice(v))
}

/// A C `int` by number, as it is.
pub(crate) fn int(v: i32) -> Result<i32> {
    Ok(v)
}

/// A C `int64_t` by number, as it is.
pub(crate) fn int64(v: i64) -> Result<i64> {
    Ok(v)
}

/// A bit mask by number: the `int64_t`'s bits.
pub(crate) fn mask_bits(v: i64) -> Result<u64> {
    Ok(u64::from_ne_bytes(v.to_ne_bytes()))
}

/// Bytes by number, as they are.
pub(crate) fn bytes(v: &[u8]) -> Result<&[u8]> {
    Ok(v)
}

/// libzmq's strict boolean: 0 or 1.
pub(crate) fn strict_bool(v: i32) -> Result<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::Invalid),
    }
}

/// libzmq's relaxed boolean for pattern options: any non-negative value.
pub(crate) fn relaxed_bool(v: i32) -> Result<bool> {
    if v < 0 {
        return Err(Error::Invalid);
    }
    Ok(v != 0)
}

/// The boolean of the options libzmq stores as `value != 0`.
pub(crate) fn nonzero_bool(v: i32) -> Result<bool> {
    Ok(v != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert_eq!(non_negative(-1), Err(Error::Invalid));
        assert_eq!(at_least_minus_one(-2), Err(Error::Invalid));
        assert_eq!(at_least_minus_one(-1), Ok(-1));
        assert_eq!(at_least_minus_one_64(-2), Err(Error::Invalid));
        assert_eq!(positive(0), Err(Error::Invalid));
        assert_eq!(msg_parts(0), Err(Error::Invalid));
        assert_eq!(msg_parts(-1), Ok(-1));
        assert_eq!(keepalive(-2), Err(Error::Invalid));
        assert_eq!(keepalive(2), Err(Error::Invalid));
        assert_eq!(keepalive(0), Ok(0));
        assert_eq!(heartbeat_ttl(-99), Ok(0));
        assert_eq!(heartbeat_ttl(150), Ok(1));
        assert_eq!(heartbeat_ttl(6_553_599), Ok(65_535));
        assert_eq!(heartbeat_ttl(6_553_600), Err(Error::Invalid));
        assert_eq!(heartbeat_ttl(-100), Err(Error::Invalid));
        assert!(routing_id(b"a").is_ok());
        assert_eq!(routing_id(b""), Err(Error::Invalid));
        assert!(routing_id(b"\0x").is_ok());
        assert_eq!(routing_id(&[1; 256]), Err(Error::Invalid));
        assert!(short_bytes(&[1; 255]).is_ok());
        assert_eq!(short_bytes(&[1; 256]), Err(Error::Invalid));
        assert!(ifname(&[b'x'; 16]).is_ok());
        assert_eq!(ifname(&[b'x'; 17]), Err(Error::Invalid));
    }

    #[test]
    fn conversions_by_number() {
        assert_eq!(strict_bool(2), Err(Error::Invalid));
        assert_eq!(strict_bool(1), Ok(true));
        assert_eq!(relaxed_bool(2), Ok(true));
        assert_eq!(relaxed_bool(-1), Err(Error::Invalid));
        assert_eq!(nonzero_bool(-5), Ok(true));
        assert_eq!(mask_bits(-1), Ok(u64::MAX));
    }
}
