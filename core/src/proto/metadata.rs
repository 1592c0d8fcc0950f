//! READY's property list: `name-len(1) | name | value-len(4, big-endian) | value`, repeated.
//!
//! Names are compared case-insensitively (the spec says so) but should be emitted with
//! libzmq's spelling (`Socket-Type`, `Identity`) because libzmq compares them exactly.

use bytes::{Buf, BufMut, Bytes};

use super::ProtocolError;

/// Largest value length the spec allows (2^31 - 1).
const MAX_VALUE_LEN: usize = i32::MAX as usize;

/// An ordered list of (name, value) properties. Values share the frame's memory.
///
/// ```
/// use ferromq::proto::Metadata;
///
/// let mut md = Metadata::new();
/// md.push("Socket-Type", "PUSH");
/// assert_eq!(md.get("socket-type").map(|v| &v[..]), Some(&b"PUSH"[..]));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    entries: Vec<(Bytes, Bytes)>,
}

/// Whether `name` is a valid property name: 1 to 255 of `A-Z a-z 0-9 - _ . +`.
///
/// ```
/// use ferromq::proto::metadata::is_valid_name;
///
/// assert!(is_valid_name(b"X-Hello.World_1+"));
/// assert!(!is_valid_name(b""));
/// assert!(!is_valid_name(b"bad name"));
/// ```
pub fn is_valid_name(name: &[u8]) -> bool {
    (1..=255).contains(&name.len())
        && name
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'+'))
}

/// Reads `n` bytes off the front of `rest`, or fails with `why` if fewer remain.
fn take(rest: &mut Bytes, n: usize, why: &'static str) -> Result<Bytes, ProtocolError> {
    if rest.len() < n {
        return Err(ProtocolError::MalformedMetadata(why));
    }
    Ok(rest.split_to(n))
}

impl Metadata {
    /// An empty property list.
    ///
    /// ```
    /// use ferromq::proto::Metadata;
    ///
    /// assert!(Metadata::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a whole property list (the data of a READY command). Every length is
    /// checked against what remains; any malformed or trailing byte is an error.
    ///
    /// # Errors
    ///
    /// [`ProtocolError::MalformedMetadata`] for an empty or invalid name, a value length
    /// above 2^31 - 1, any length overrunning the data, or trailing bytes.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ferromq::proto::Metadata;
    ///
    /// let data = Bytes::from_static(b"\x0bSocket-Type\x00\x00\x00\x04PULL");
    /// let md = Metadata::parse(&data).unwrap();
    /// assert_eq!(md.get("Socket-Type").map(|v| &v[..]), Some(&b"PULL"[..]));
    /// assert!(Metadata::parse(&Bytes::from_static(b"\x0bSocket")).is_err());
    /// ```
    pub fn parse(data: &Bytes) -> Result<Metadata, ProtocolError> {
        let mut rest = data.clone();
        let mut entries = Vec::new();
        while !rest.is_empty() {
            let name_len = usize::from(rest.get_u8());
            if name_len == 0 {
                return Err(ProtocolError::MalformedMetadata("empty property name"));
            }
            let name = take(&mut rest, name_len, "property name overruns the data")?;
            if !is_valid_name(&name) {
                return Err(ProtocolError::MalformedMetadata("invalid property name"));
            }
            let mut len = take(&mut rest, 4, "value length overruns the data")?;
            let value_len = usize::try_from(len.get_u32())
                .ok()
                .filter(|&n| n <= MAX_VALUE_LEN)
                .ok_or(ProtocolError::MalformedMetadata(
                    "value length above 2^31-1",
                ))?;
            let value = take(&mut rest, value_len, "property value overruns the data")?;
            entries.push((name, value));
        }
        Ok(Metadata { entries })
    }

    /// The value of the first property called `name` (ASCII case-insensitive).
    ///
    /// ```
    /// use ferromq::proto::Metadata;
    ///
    /// let mut md = Metadata::new();
    /// md.push("Identity", "abc");
    /// assert_eq!(md.get("IDENTITY").map(|v| &v[..]), Some(&b"abc"[..]));
    /// assert!(md.get("Resource").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<&Bytes> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// The properties in wire order.
    ///
    /// ```
    /// use ferromq::proto::Metadata;
    ///
    /// let mut md = Metadata::new();
    /// md.push("A", "1");
    /// md.push("B", "2");
    /// let names: Vec<_> = md.iter().map(|(n, _)| n.clone()).collect();
    /// assert_eq!(names, ["A", "B"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&Bytes, &Bytes)> + '_ {
        self.entries.iter().map(|(n, v)| (n, v))
    }

    /// Appends a property.
    ///
    /// # Panics
    ///
    /// If `name` is not a valid property name (see [`is_valid_name`]) or `value` is longer
    /// than 2^31 - 1 bytes: those could not be encoded. Names are normally constants;
    /// check user-supplied ones with [`is_valid_name`] first.
    ///
    /// ```
    /// use ferromq::proto::Metadata;
    ///
    /// let mut md = Metadata::new();
    /// md.push("X-Color", b"blue".to_vec());
    /// assert_eq!(md.len(), 1);
    /// ```
    pub fn push(&mut self, name: impl Into<Bytes>, value: impl Into<Bytes>) {
        let (name, value) = (name.into(), value.into());
        assert!(is_valid_name(&name), "invalid ZMTP property name");
        assert!(value.len() <= MAX_VALUE_LEN, "ZMTP property value too long");
        self.entries.push((name, value));
    }

    /// Writes the property list in wire form.
    ///
    /// ```
    /// use ferromq::proto::Metadata;
    ///
    /// let mut md = Metadata::new();
    /// md.push("Socket-Type", "PULL");
    /// let mut out = Vec::new();
    /// md.encode(&mut out);
    /// assert_eq!(out, b"\x0bSocket-Type\x00\x00\x00\x04PULL");
    /// ```
    pub fn encode(&self, out: &mut impl BufMut) {
        for (name, value) in &self.entries {
            put_property(name, value, out);
        }
    }

    /// The number of bytes [`Metadata::encode`] writes.
    ///
    /// ```
    /// use ferromq::proto::Metadata;
    ///
    /// let mut md = Metadata::new();
    /// md.push("Socket-Type", "PULL");
    /// assert_eq!(md.encoded_len(), 1 + 11 + 4 + 4);
    /// ```
    pub fn encoded_len(&self) -> usize {
        self.entries.iter().map(|(n, v)| property_len(n, v)).sum()
    }

    /// Whether there are no properties.
    ///
    /// ```
    /// use ferromq::proto::Metadata;
    ///
    /// assert!(Metadata::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of properties.
    ///
    /// ```
    /// use ferromq::proto::Metadata;
    ///
    /// assert_eq!(Metadata::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Encoded size of one property.
pub(super) fn property_len(name: &[u8], value: &[u8]) -> usize {
    1 + name.len() + 4 + value.len()
}

/// Writes one property. Callers guarantee a valid name and a value below 2^31 bytes.
pub(super) fn put_property(name: &[u8], value: &[u8], out: &mut impl BufMut) {
    debug_assert!(is_valid_name(name) && value.len() <= MAX_VALUE_LEN);
    out.put_u8(name.len() as u8);
    out.put_slice(name);
    out.put_u32(value.len() as u32);
    out.put_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(b: &[u8]) -> Result<Metadata, ProtocolError> {
        Metadata::parse(&Bytes::copy_from_slice(b))
    }

    #[test]
    fn libzmq_dealer_properties() {
        let md =
            parse(b"\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x03abc").unwrap();
        assert_eq!(md.len(), 2);
        assert_eq!(&md.get("socket-type").unwrap()[..], b"DEALER");
        assert_eq!(&md.get("Identity").unwrap()[..], b"abc");
    }

    #[test]
    fn empty_list_and_empty_value() {
        assert!(parse(b"").unwrap().is_empty());
        let md = parse(b"\x08Identity\x00\x00\x00\x00").unwrap();
        assert_eq!(md.get("identity").map(|v| v.len()), Some(0));
    }

    #[test]
    fn malformed_inputs() {
        for bad in [
            &b"\x00"[..],                    // empty name
            b"\x05Ident",                    // name overruns
            b"\x03abc\x00\x00",              // value length truncated
            b"\x03abc\x00\x00\x00\x05xy",    // value overruns
            b"\x03abc\x80\x00\x00\x00",      // value length > 2^31-1
            b"\x03a c\x00\x00\x00\x00",      // bad name char
            b"\x03abc\x00\x00\x00\x00\x00",  // trailing junk
            b"\x03abc\x00\x00\x00\x01x\x01", // trailing partial property
            b"\x03abc\xff\xff\xff\xff",      // value length 2^32-1
        ] {
            assert!(
                matches!(parse(bad), Err(ProtocolError::MalformedMetadata(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn values_share_the_input_buffer() {
        let data = Bytes::from(b"\x01A\x00\x00\x00\x03xyz".to_vec());
        let md = Metadata::parse(&data).unwrap();
        let v = md.get("a").unwrap();
        assert_eq!(v.as_ptr(), data[6..].as_ptr());
    }

    #[test]
    #[should_panic(expected = "invalid ZMTP property name")]
    fn push_rejects_bad_names() {
        Metadata::new().push("has space", "x");
    }

    fn name_strategy() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                proptest::char::range('a', 'z'),
                proptest::char::range('A', 'Z'),
                proptest::char::range('0', '9'),
                Just('-'),
                Just('_'),
                Just('.'),
                Just('+'),
            ]
            .prop_map(|c| c as u8),
            1..=255,
        )
    }

    proptest! {
        #[test]
        fn round_trip(
            props in proptest::collection::vec(
                (name_strategy(), proptest::collection::vec(any::<u8>(), 0..300)),
                0..6,
            )
        ) {
            let mut md = Metadata::new();
            for (n, v) in &props {
                md.push(n.clone(), v.clone());
            }
            let mut out = Vec::new();
            md.encode(&mut out);
            prop_assert_eq!(out.len(), md.encoded_len());
            let back = Metadata::parse(&Bytes::from(out)).unwrap();
            prop_assert_eq!(back, md);
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = parse(&data);
        }
    }
}
