//! NaCl boxes exactly as libsodium makes them, from RustCrypto parts.
//!
//! * `crypto_box_beforenm`: X25519 of our secret and their public key, refused when the
//!   result is all zero (a low-order, non-contributory key: libsodium returns -1 there
//!   and libzmq reports `ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC`), then HSalsa20 with a
//!   zero nonce.
//! * `crypto_box_easy_afternm` / `crypto_secretbox_easy`: XSalsa20-Poly1305 with a
//!   24-byte nonce; on the wire a box is the 16-byte Poly1305 tag followed by the
//!   ciphertext (the NaCl "zero bytes" padding is never sent).
//!
//! The X25519 step uses the clamped scalar as RFC 7748 and libsodium do (x25519-dalek's
//! `mul_clamped`), so even a public key outside the prime-order subgroup gives
//! libsodium's shared secret.

use bytes::{BufMut, Bytes, BytesMut};
use crypto_secretbox::aead::generic_array::GenericArray;
use crypto_secretbox::aead::{AeadInPlace, KeyInit};
use crypto_secretbox::{Kdf, XSalsa20Poly1305};
use zeroize::Zeroizing;

use super::keys::{CurvePublicKey, CurveSecretKey, KEY_LEN};

/// Bytes a box adds to its plaintext: the Poly1305 tag, which comes first.
pub(crate) const TAG_LEN: usize = 16;

/// Length of a full nonce.
pub(crate) const NONCE_LEN: usize = 24;

/// A full 24-byte nonce.
pub(crate) type Nonce = [u8; NONCE_LEN];

/// Why a box could not be made or opened. The mechanisms report every one of these as
/// libzmq's `ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BoxError {
    /// The key agreement gave the all-zero point: their key has low order.
    LowOrderKey,
    /// The tag does not match (tampered, wrong key or wrong nonce), or the box is
    /// shorter than a tag.
    Forged,
}

/// A symmetric XSalsa20-Poly1305 key: a `crypto_box` precomputation or a
/// `crypto_secretbox` key. Zeroized on drop (by `crypto_secretbox`).
pub(crate) struct BoxKey(XSalsa20Poly1305);

impl std::fmt::Debug for BoxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoxKey(..)")
    }
}

impl BoxKey {
    /// `crypto_box_beforenm(their, ours)`.
    pub(crate) fn agree(ours: &CurveSecretKey, their: &CurvePublicKey) -> Result<Self, BoxError> {
        let shared = ours.diffie_hellman(their);
        if !shared.was_contributory() {
            return Err(BoxError::LowOrderKey);
        }
        let key = Zeroizing::new(XSalsa20Poly1305::kdf(
            GenericArray::from_slice(shared.as_bytes()),
            &GenericArray::default(),
        ));
        Ok(BoxKey(XSalsa20Poly1305::new(&key)))
    }

    /// A `crypto_secretbox` key.
    pub(crate) fn symmetric(key: &[u8; KEY_LEN]) -> Self {
        BoxKey(XSalsa20Poly1305::new(GenericArray::from_slice(key)))
    }

    /// Boxes `buf[TAG_LEN..]` in place and writes the tag into `buf[..TAG_LEN]`, which
    /// turns `[anything; 16] ++ plaintext` into the wire form of the box.
    pub(crate) fn seal_in_place(&self, nonce: &Nonce, buf: &mut [u8]) -> Result<(), BoxError> {
        let Some((tag_slot, text)) = buf.split_at_mut_checked(TAG_LEN) else {
            return Err(BoxError::Forged);
        };
        let tag = self
            .0
            .encrypt_in_place_detached(GenericArray::from_slice(nonce), b"", text)
            // Only non-empty associated data fails, and there is none.
            .map_err(|_| BoxError::Forged)?;
        tag_slot.copy_from_slice(&tag);
        Ok(())
    }

    /// Appends the box of `plaintext` (tag, then ciphertext) to `out`.
    pub(crate) fn seal_into(
        &self,
        nonce: &Nonce,
        plaintext: &[u8],
        out: &mut BytesMut,
    ) -> Result<(), BoxError> {
        let start = out.len();
        out.put_bytes(0, TAG_LEN);
        out.put_slice(plaintext);
        self.seal_in_place(nonce, &mut out[start..])
    }

    /// Opens a box (tag, then ciphertext) in place; on success the plaintext is
    /// `boxed[TAG_LEN..]`. On failure `boxed` is left as it was.
    pub(crate) fn open_in_place(&self, nonce: &Nonce, boxed: &mut [u8]) -> Result<(), BoxError> {
        let Some((tag, text)) = boxed.split_at_mut_checked(TAG_LEN) else {
            return Err(BoxError::Forged);
        };
        self.0
            .decrypt_in_place_detached(
                GenericArray::from_slice(nonce),
                b"",
                text,
                GenericArray::from_slice(tag),
            )
            .map_err(|_| BoxError::Forged)
    }

    /// Opens a box whose plaintext is not secret (metadata, messages) into shared bytes:
    /// one copy of the box, decrypted in place. The caller has bounded `boxed.len()`.
    pub(crate) fn open_to_bytes(&self, nonce: &Nonce, boxed: &[u8]) -> Result<Bytes, BoxError> {
        let mut buf = BytesMut::from(boxed);
        self.open_in_place(nonce, &mut buf)?;
        Ok(buf.freeze().slice(TAG_LEN..))
    }

    /// Opens a box into a new buffer holding just the plaintext, zeroized on drop. The
    /// caller has bounded `boxed.len()`.
    pub(crate) fn open(&self, nonce: &Nonce, boxed: &[u8]) -> Result<Zeroizing<Vec<u8>>, BoxError> {
        if boxed.len() < TAG_LEN {
            return Err(BoxError::Forged);
        }
        let mut buf = Zeroizing::new(boxed.to_vec());
        self.open_in_place(nonce, &mut buf)?;
        buf.drain(..TAG_LEN);
        Ok(buf)
    }
}

/// A nonce made of a 16-byte prefix and an 8-byte big-endian counter (a "short nonce").
pub(crate) fn short_nonce(prefix: &[u8; 16], counter: u64) -> Nonce {
    let mut nonce = [0u8; NONCE_LEN];
    nonce[..16].copy_from_slice(prefix);
    nonce[16..].copy_from_slice(&counter.to_be_bytes());
    nonce
}

/// A nonce made of an 8-byte prefix and 16 random bytes (a "long nonce").
pub(crate) fn long_nonce(prefix: &[u8; 8], random: &[u8; 16]) -> Nonce {
    let mut nonce = [0u8; NONCE_LEN];
    nonce[..8].copy_from_slice(prefix);
    nonce[8..].copy_from_slice(random);
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn hex<const N: usize>(s: &str) -> [u8; N] {
        let mut out = [0u8; N];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    fn hex_vec(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    fn seq(start: u8) -> [u8; 32] {
        std::array::from_fn(|i| start + i as u8)
    }

    // Known answers from libsodium 1.0.x through PyNaCl 1.6.2: a = 1..=32, b = 101..=132.
    const B_PUBLIC: &str = "5714769d116bf76436ae74bc793d2c30ad1903c59ac5273805c7e2698b410c36";
    /// crypto_box_easy(64 zero bytes, "CurveZMQHELLO---" + 1, b_pk, a_sk): a HELLO box.
    const HELLO_BOX: &str = "52ed755746b2fe7829a350434ea1695310369f2583fe49f7bc69dc45c976790c\
                             2abb096244139fdf17781cf04526623f849e9133019cce273a2740f8cead0a20\
                             03ef56dfbd48a1a4bc6d626cb4d13f25";

    #[test]
    fn crypto_box_matches_libsodium() {
        let a = CurveSecretKey::from_bytes(seq(1));
        let b = CurveSecretKey::from_bytes(seq(101));
        assert_eq!(b.public_key().as_bytes(), &hex::<32>(B_PUBLIC));
        assert_eq!(
            a.public_key().as_bytes(),
            &hex::<32>("07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c")
        );
        let nonce = short_nonce(b"CurveZMQHELLO---", 1);
        let key = BoxKey::agree(&a, &b.public_key()).unwrap();
        let mut out = BytesMut::new();
        key.seal_into(&nonce, &[0; 64], &mut out).unwrap();
        assert_eq!(&out[..], &hex_vec(HELLO_BOX)[..]);
        // The other side opens it with its own precomputation.
        let back = BoxKey::agree(&b, &a.public_key()).unwrap();
        assert_eq!(&back.open(&nonce, &out).unwrap()[..], &[0; 64][..]);
    }

    #[test]
    fn secretbox_matches_libsodium() {
        let key = BoxKey::symmetric(&seq(200));
        let mut random = [0u8; 16];
        random
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = i as u8);
        let nonce = long_nonce(b"COOKIE--", &random);
        let mut out = BytesMut::new();
        key.seal_into(&nonce, b"hello, cookie", &mut out).unwrap();
        assert_eq!(
            &out[..],
            &hex_vec("bdd5167fd72b7a4b62ae8e958e5b3e0c6b16ff33b8ddf1e948f9472a06")[..]
        );
    }

    /// libsodium clamps the scalar and never reduces it mod the group order, so a
    /// public key with a small-order component (here u -> 1/u, which adds the point of
    /// order 2) gives the same shared secret. A mod-order reduced scalar would not.
    #[test]
    fn mixed_order_key_agrees_like_libsodium() {
        let a = CurveSecretKey::from_bytes(seq(1));
        let mixed = CurvePublicKey::from_bytes(hex(
            "035feda61b929fb9d739f4895225b58df258f7173be9173a6c910772094fd66d",
        ));
        let nonce = short_nonce(b"CurveZMQHELLO---", 1);
        let mut out = BytesMut::new();
        BoxKey::agree(&a, &mixed)
            .unwrap()
            .seal_into(&nonce, &[0; 64], &mut out)
            .unwrap();
        assert_eq!(&out[..], &hex_vec(HELLO_BOX)[..]);
    }

    /// libsodium's small-order blacklist (`has_small_order`), each also with the top bit
    /// set; libsodium 1.0 refuses every one in crypto_box_beforenm.
    pub(crate) const LOW_ORDER: [&str; 7] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];

    #[test]
    fn low_order_keys_are_refused() {
        let ours = CurveSecretKey::from_bytes(seq(1));
        for point in LOW_ORDER {
            let mut bytes = hex::<32>(point);
            for top in [0, 0x80] {
                bytes[31] |= top;
                let key = CurvePublicKey::from_bytes(bytes);
                assert_eq!(
                    BoxKey::agree(&ours, &key).map(|_| ()),
                    Err(BoxError::LowOrderKey),
                    "{point} | {top:#x}"
                );
            }
        }
    }

    #[test]
    fn tampering_and_short_boxes_fail_and_leave_the_box_alone() {
        let key = BoxKey::symmetric(&[7; 32]);
        let nonce = short_nonce(b"CurveZMQMESSAGEC", 3);
        let mut boxed = BytesMut::new();
        key.seal_into(&nonce, b"payload", &mut boxed).unwrap();
        for i in 0..boxed.len() {
            let mut bad = boxed.to_vec();
            bad[i] ^= 1;
            let copy = bad.clone();
            assert_eq!(key.open_in_place(&nonce, &mut bad), Err(BoxError::Forged));
            assert_eq!(bad, copy);
        }
        let other = short_nonce(b"CurveZMQMESSAGEC", 4);
        assert_eq!(key.open(&other, &boxed).map(|_| ()), Err(BoxError::Forged));
        for n in 0..TAG_LEN {
            assert_eq!(
                key.open(&nonce, &boxed[..n]).map(|_| ()),
                Err(BoxError::Forged)
            );
        }
        assert_eq!(&key.open(&nonce, &boxed).unwrap()[..], b"payload");
        // An empty plaintext boxes to the tag alone.
        let mut empty = BytesMut::new();
        key.seal_into(&nonce, b"", &mut empty).unwrap();
        assert_eq!(empty.len(), TAG_LEN);
        assert!(key.open(&nonce, &empty).unwrap().is_empty());
    }
}
