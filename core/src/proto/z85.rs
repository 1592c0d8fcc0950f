//! Z85 (ZeroMQ RFC 32): the base-85 text form of CURVE keys.
//!
//! Four bytes become five printable characters. Like libzmq's `zmq_z85_encode` /
//! `zmq_z85_decode`, encoding needs a length divisible by 4 and decoding a non-empty
//! length divisible by 5, characters from the Z85 alphabet only, and groups whose value
//! fits 32 bits. Nothing here panics or allocates more than the output size.
//!
//! ```
//! use ferromq::proto::z85;
//!
//! let text = z85::encode(&[0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]).unwrap();
//! assert_eq!(text, "HelloWorld");
//! assert_eq!(z85::decode(b"HelloWorld").unwrap(), [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]);
//! ```

use thiserror::Error;

/// The 85 characters, in value order (RFC 32).
const ALPHABET: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Marks a byte that is not a Z85 character in [`DECODER`].
const INVALID: u8 = 0xFF;

/// Character to value, for every byte (built from [`ALPHABET`] so the two cannot differ).
const DECODER: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Why a Z85 conversion failed (libzmq returns `NULL` with `EINVAL` in each case).
///
/// ```
/// use ferromq::proto::z85::{decode, Z85Error};
///
/// assert_eq!(decode(b"0123"), Err(Z85Error::BadLength));
/// assert_eq!(decode(b"####\""), Err(Z85Error::BadCharacter));
/// assert_eq!(decode(b"#####"), Err(Z85Error::Overflow));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Z85Error {
    /// Binary input not a multiple of 4 bytes, or text not a non-empty multiple of 5.
    #[error("Z85 length must be a multiple of 4 bytes (binary) or 5 characters (text)")]
    BadLength,
    /// A character outside the Z85 alphabet.
    #[error("character outside the Z85 alphabet")]
    BadCharacter,
    /// A five-character group whose value exceeds 2^32 - 1.
    #[error("Z85 group value exceeds 32 bits")]
    Overflow,
}

/// Encodes `data` (a multiple of 4 bytes long) as Z85 text.
///
/// # Errors
///
/// [`Z85Error::BadLength`] if `data.len()` is not a multiple of 4.
///
/// ```
/// use ferromq::proto::z85::{encode, Z85Error};
///
/// assert_eq!(encode(&[0xFF; 4]).unwrap(), "%nSc0");
/// assert_eq!(encode(&[]).unwrap(), "");
/// assert_eq!(encode(&[0; 42]), Err(Z85Error::BadLength));
/// ```
pub fn encode(data: &[u8]) -> Result<String, Z85Error> {
    if data.len() % 4 != 0 {
        return Err(Z85Error::BadLength);
    }
    let mut out = String::with_capacity(data.len() / 4 * 5);
    for chunk in data.chunks_exact(4) {
        let mut value = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let mut group = [0u8; 5];
        for slot in group.iter_mut().rev() {
            *slot = ALPHABET[(value % 85) as usize];
            value /= 85;
        }
        // Every alphabet byte is ASCII, so each is one char.
        out.extend(group.iter().map(|&b| char::from(b)));
    }
    Ok(out)
}

/// Decodes Z85 text (a non-empty multiple of 5 characters) into bytes.
///
/// # Errors
///
/// [`Z85Error::BadLength`], [`Z85Error::BadCharacter`] or [`Z85Error::Overflow`].
///
/// ```
/// use ferromq::proto::z85::decode;
///
/// assert_eq!(decode(b"%nSc0").unwrap(), [0xFF; 4]);
/// assert!(decode(b"%nSc1").is_err()); // 2^32: one above the largest group
/// assert!(decode(b"").is_err());
/// ```
pub fn decode(text: &[u8]) -> Result<Vec<u8>, Z85Error> {
    if text.is_empty() || text.len() % 5 != 0 {
        return Err(Z85Error::BadLength);
    }
    let mut out = Vec::with_capacity(text.len() / 5 * 4);
    for group in text.chunks_exact(5) {
        out.extend_from_slice(&decode_group(group)?);
    }
    Ok(out)
}

/// Decodes exactly `N * 5 / 4` characters into `N` bytes without allocating (for keys,
/// whose text form is 40 characters).
///
/// # Errors
///
/// [`Z85Error::BadLength`] if `text.len() * 4 != N * 5` or `N` is not a multiple of 4;
/// otherwise those of [`decode`].
///
/// ```
/// use ferromq::proto::z85::decode_array;
///
/// let key: [u8; 32] = decode_array(b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7").unwrap();
/// assert_eq!(key[0], 0x54);
/// assert!(decode_array::<32>(b"HelloWorld").is_err());
/// ```
pub fn decode_array<const N: usize>(text: &[u8]) -> Result<[u8; N], Z85Error> {
    if N == 0 || N % 4 != 0 || text.len() / 5 != N / 4 || text.len() % 5 != 0 {
        return Err(Z85Error::BadLength);
    }
    let mut out = [0u8; N];
    for (group, dest) in text.chunks_exact(5).zip(out.chunks_exact_mut(4)) {
        dest.copy_from_slice(&decode_group(group)?);
    }
    Ok(out)
}

/// One five-character group to four bytes, with libzmq's checks.
fn decode_group(group: &[u8]) -> Result<[u8; 4], Z85Error> {
    let mut value: u32 = 0;
    for &c in group {
        let digit = DECODER[usize::from(c)];
        if digit == INVALID {
            return Err(Z85Error::BadCharacter);
        }
        value = value
            .checked_mul(85)
            .and_then(|v| v.checked_add(u32::from(digit)))
            .ok_or(Z85Error::Overflow)?;
    }
    Ok(value.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Known answers from libzmq 4.3.5's own `zmq_z85_encode`/`zmq_z85_decode` (the
    /// library bundled with pyzmq 27.3, called through ctypes) and RFC 32.
    #[test]
    fn libzmq_known_answers() {
        let cases: &[(&str, &str)] = &[
            ("864fd26fb559f75b", "HelloWorld"),
            (
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "009c61o!#m2NH?C3>iWS5d]J*6CRx17-skh9337x",
            ),
            ("ffffffff", "%nSc0"),
            ("00000000", "00000"),
            (
                "567d7b361dc9c682ac0693bf0b2afe9c60eeeeb5a0e8bd758376d4d573cdd612",
                "r^/rM9M=rMToK)63O8dCvd9D<PY<7iGlC+{BiSnG",
            ),
            (
                "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0\
                 dfdedddcdbdad9d8d7d6d5d4d3d2d1d0cfcecdcccbcac9c8c7c6c5c4c3c2c1c0",
                "%nI#{}$*c-{XapL]yzCv[9YPf(*0-#>Jp)!<kP4Q?})hA*Uguk/vFH4!6=T<=^6!V+Gv@F:hV9p.[%m9",
            ),
            // zmq_curve.adoc's test keys.
            (
                "bb88471d65e2659b30c55a5321cebb5aab2b70a398645c26dca2b2fcb43fc518",
                "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
            ),
            (
                "7bb864b489afa3671fbe69101f94b38972f24816dfb01b51656b3fec8dfd0888",
                "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
            ),
            (
                "54fcba24e93249969316fb617c872bb0c1d1ff14800427c594cbfacf1bc2d652",
                "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
            ),
            (
                "8e0bdd697628b91d8f245587ee95c5b04d48963f79259877b49cd9063aead3b7",
                "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
            ),
        ];
        for (bin, text) in cases {
            let bin = hex(bin);
            assert_eq!(encode(&bin).unwrap(), *text);
            assert_eq!(decode(text.as_bytes()).unwrap(), bin);
        }
    }

    /// libzmq's tests/test_base85.cpp failure cases.
    #[test]
    fn libzmq_failure_cases() {
        assert_eq!(encode(&[0]), Err(Z85Error::BadLength));
        assert_eq!(encode(&[0; 42]), Err(Z85Error::BadLength));
        assert_eq!(decode(b"01234567"), Err(Z85Error::BadLength));
        assert_eq!(decode(b"0"), Err(Z85Error::BadLength));
        assert_eq!(decode(b"#####"), Err(Z85Error::Overflow));
        assert_eq!(decode(b"%nSc1"), Err(Z85Error::Overflow));
        // libzmq's strings ("####\0047" and so on) are six bytes long in C: octal
        // escapes take three digits. They fail on length there and here.
        for c_literal in [&b"####\x047"[..], b"####\x100", b"####\x037"] {
            assert_eq!(decode(c_literal), Err(Z85Error::BadLength));
        }
        // What they meant: a bad character inside the printable range, just below it
        // and just above it.
        assert_eq!(decode(b"####\""), Err(Z85Error::BadCharacter));
        assert_eq!(decode(b"####\x1f"), Err(Z85Error::BadCharacter));
        assert_eq!(decode(b"####\x7f"), Err(Z85Error::BadCharacter));
        for c in [
            b' ', b'"', b'\'', b',', b';', b'\\', b'_', b'`', b'|', b'~', 0x7F, 0x80, 0xFF,
        ] {
            assert_eq!(
                decode(&[b'0', b'0', b'0', b'0', c]),
                Err(Z85Error::BadCharacter)
            );
        }
    }

    #[test]
    fn alphabet_and_decoder_agree() {
        let valid = DECODER.iter().filter(|&&d| d != INVALID).count();
        assert_eq!(valid, 85);
        for (i, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(usize::from(DECODER[usize::from(c)]), i);
        }
    }

    #[test]
    fn decode_array_checks_length() {
        assert_eq!(decode_array::<4>(b"%nSc0"), Ok([0xFF; 4]));
        assert_eq!(decode_array::<4>(b"%nSc0%nSc0"), Err(Z85Error::BadLength));
        assert_eq!(decode_array::<8>(b"%nSc0"), Err(Z85Error::BadLength));
        assert_eq!(decode_array::<3>(b"%nSc"), Err(Z85Error::BadLength));
        assert_eq!(decode_array::<0>(b""), Err(Z85Error::BadLength));
    }

    proptest! {
        #[test]
        fn round_trip(words in proptest::collection::vec(any::<u32>(), 0..20)) {
            let bin: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
            let text = encode(&bin).unwrap();
            prop_assert_eq!(text.len(), bin.len() / 4 * 5);
            if !bin.is_empty() {
                prop_assert_eq!(decode(text.as_bytes()).unwrap(), bin);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in proptest::collection::vec(any::<u8>(), 0..50)) {
            if let Ok(bin) = decode(&text) {
                // Whatever decodes re-encodes to the same text.
                let again = encode(&bin).unwrap();
                prop_assert_eq!(again.as_bytes(), &text[..]);
            }
        }
    }
}
