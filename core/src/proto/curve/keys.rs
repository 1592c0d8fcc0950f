//! CURVE keys: Curve25519 key pairs and their two text-free forms, 32 raw bytes or 40
//! Z85 characters, parsed the way libzmq's `zmq_setsockopt` takes them.
//!
//! Secret keys are zeroized when dropped and never shown by `Debug`.

use std::fmt;

use thiserror::Error;
use x25519_dalek::{PublicKey, SharedSecret, StaticSecret};
use zeroize::Zeroizing;

use super::super::z85::{self, Z85Error};

/// Length of a key in bytes.
///
/// ```
/// assert_eq!(ferromq::proto::curve::KEY_LEN, 32);
/// ```
pub const KEY_LEN: usize = 32;

/// Length of a key in Z85 characters.
///
/// ```
/// assert_eq!(ferromq::proto::curve::Z85_KEY_LEN, 40);
/// ```
pub const Z85_KEY_LEN: usize = 40;

/// Why a key could not be read or made.
///
/// ```
/// use ferromq::proto::curve::{CurvePublicKey, KeyError};
///
/// assert_eq!(CurvePublicKey::parse(b"short"), Err(KeyError::BadLength(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum KeyError {
    /// Neither 32 bytes, nor 40 Z85 characters, nor 40 characters and a NUL (libzmq's
    /// `EINVAL`). The length given is kept.
    #[error("a CURVE key is 32 bytes or 40 Z85 characters (41 with a trailing NUL), not {0}")]
    BadLength(usize),
    /// The 40 characters are not valid Z85.
    #[error("invalid Z85 key: {0}")]
    Z85(#[from] Z85Error),
    /// The operating system's random number generator failed.
    #[error("the OS random number generator failed")]
    Random,
}

/// `N` bytes from the operating system's generator, zeroized on drop.
pub(crate) fn random_bytes<const N: usize>() -> Result<Zeroizing<[u8; N]>, KeyError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(&mut bytes[..]).map_err(|_| KeyError::Random)?;
    Ok(bytes)
}

/// Reads a key in any of the forms libzmq's `set_curve_key` accepts: 32 raw bytes, 40
/// Z85 characters, or 40 Z85 characters followed by a NUL (a C string with its
/// terminator). Unlike libzmq, a NUL inside the 40 characters is an error (libzmq would
/// decode the part before it and leave the rest of the key stale).
fn parse_key(input: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>, KeyError> {
    match input.len() {
        KEY_LEN => {
            let mut key = Zeroizing::new([0u8; KEY_LEN]);
            key.copy_from_slice(input);
            Ok(key)
        }
        Z85_KEY_LEN => Ok(Zeroizing::new(z85::decode_array(input)?)),
        n if n == Z85_KEY_LEN + 1 && input[Z85_KEY_LEN] == 0 => {
            Ok(Zeroizing::new(z85::decode_array(&input[..Z85_KEY_LEN])?))
        }
        n => Err(KeyError::BadLength(n)),
    }
}

/// A Curve25519 public key: a server's long-term key, or a client's.
///
/// ```
/// use ferromq::proto::curve::CurvePublicKey;
///
/// let key = CurvePublicKey::parse(b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7").unwrap();
/// assert_eq!(key.as_bytes()[..2], [0x54, 0xfc]);
/// assert_eq!(key.to_z85(), "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
/// assert_eq!(CurvePublicKey::parse(key.as_bytes()).unwrap(), key);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CurvePublicKey([u8; KEY_LEN]);

impl CurvePublicKey {
    /// A key from its 32 bytes.
    ///
    /// ```
    /// use ferromq::proto::curve::CurvePublicKey;
    ///
    /// assert_eq!(CurvePublicKey::from_bytes([0; 32]).as_bytes(), &[0; 32]);
    /// ```
    pub const fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        CurvePublicKey(bytes)
    }

    /// Reads 32 raw bytes, 40 Z85 characters or 40 Z85 characters and a NUL, as
    /// `ZMQ_CURVE_PUBLICKEY`/`ZMQ_CURVE_SERVERKEY` do.
    ///
    /// # Errors
    ///
    /// [`KeyError::BadLength`] or [`KeyError::Z85`].
    ///
    /// ```
    /// use ferromq::proto::curve::CurvePublicKey;
    ///
    /// let z85 = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\0";
    /// assert!(CurvePublicKey::parse(z85).is_ok());
    /// assert!(CurvePublicKey::parse(&z85[..39]).is_err());
    /// ```
    pub fn parse(input: &[u8]) -> Result<Self, KeyError> {
        Ok(CurvePublicKey(*parse_key(input)?))
    }

    /// The key's 32 bytes.
    ///
    /// ```
    /// use ferromq::proto::curve::CurvePublicKey;
    ///
    /// assert_eq!(CurvePublicKey::from_bytes([7; 32]).as_bytes()[31], 7);
    /// ```
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The key as 40 Z85 characters.
    ///
    /// ```
    /// use ferromq::proto::curve::CurvePublicKey;
    ///
    /// assert_eq!(CurvePublicKey::from_bytes([0; 32]).to_z85(), "0".repeat(40));
    /// ```
    pub fn to_z85(&self) -> String {
        encode_key(&self.0)
    }
}

/// Z85 of a 32-byte key (32 is a multiple of 4, so encoding cannot fail).
fn encode_key(key: &[u8; KEY_LEN]) -> String {
    z85::encode(key).unwrap_or_default()
}

impl fmt::Debug for CurvePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CurvePublicKey")
            .field(&self.to_z85())
            .finish()
    }
}

impl fmt::Display for CurvePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_z85())
    }
}

/// A Curve25519 secret key. Zeroized on drop; `Debug` hides it.
///
/// Any 32 bytes are a valid secret: X25519 clamps them when used, as libsodium does.
///
/// ```
/// use ferromq::proto::curve::CurveSecretKey;
///
/// let secret = CurveSecretKey::parse(b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6").unwrap();
/// assert_eq!(secret.public_key().to_z85(), "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
/// assert_eq!(format!("{secret:?}"), "CurveSecretKey(..)");
/// ```
#[derive(Clone)]
pub struct CurveSecretKey(StaticSecret);

impl CurveSecretKey {
    /// A fresh random key from the operating system's generator.
    ///
    /// # Errors
    ///
    /// [`KeyError::Random`] if the OS generator fails.
    ///
    /// ```
    /// use ferromq::proto::curve::CurveSecretKey;
    ///
    /// let a = CurveSecretKey::generate().unwrap();
    /// let b = CurveSecretKey::generate().unwrap();
    /// assert_ne!(a.public_key(), b.public_key());
    /// ```
    pub fn generate() -> Result<Self, KeyError> {
        Ok(Self::from_bytes(*random_bytes::<KEY_LEN>()?))
    }

    /// A key from its 32 bytes.
    ///
    /// ```
    /// use ferromq::proto::curve::CurveSecretKey;
    ///
    /// let k = CurveSecretKey::from_bytes([1; 32]);
    /// assert_eq!(k.as_bytes(), &[1; 32]);
    /// ```
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        CurveSecretKey(StaticSecret::from(bytes))
    }

    /// Reads 32 raw bytes, 40 Z85 characters or 40 Z85 characters and a NUL, as
    /// `ZMQ_CURVE_SECRETKEY` does.
    ///
    /// # Errors
    ///
    /// [`KeyError::BadLength`] or [`KeyError::Z85`].
    ///
    /// ```
    /// use ferromq::proto::curve::CurveSecretKey;
    ///
    /// assert!(CurveSecretKey::parse(&[9; 32]).is_ok());
    /// assert!(CurveSecretKey::parse(&[9; 33]).is_err());
    /// ```
    pub fn parse(input: &[u8]) -> Result<Self, KeyError> {
        Ok(Self::from_bytes(*parse_key(input)?))
    }

    /// The matching public key (`zmq_curve_public`).
    ///
    /// ```
    /// use ferromq::proto::curve::CurveSecretKey;
    ///
    /// let k = CurveSecretKey::parse(b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs").unwrap();
    /// assert_eq!(k.public_key().to_z85(), "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    /// ```
    pub fn public_key(&self) -> CurvePublicKey {
        CurvePublicKey(PublicKey::from(&self.0).to_bytes())
    }

    /// The key's 32 bytes (for `zmq_getsockopt`). Treat them as secret.
    ///
    /// ```
    /// use ferromq::proto::curve::CurveSecretKey;
    ///
    /// assert_eq!(CurveSecretKey::from_bytes([3; 32]).as_bytes(), &[3; 32]);
    /// ```
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.as_bytes()
    }

    /// The key as 40 Z85 characters, zeroized when dropped.
    ///
    /// ```
    /// use ferromq::proto::curve::CurveSecretKey;
    ///
    /// let k = CurveSecretKey::from_bytes([0; 32]);
    /// assert_eq!(k.to_z85().as_str(), "0".repeat(40));
    /// ```
    pub fn to_z85(&self) -> Zeroizing<String> {
        Zeroizing::new(encode_key(self.as_bytes()))
    }

    /// X25519 with `their` key: the raw shared point, zeroized on drop. Callers must
    /// reject a non-contributory result (see [`super::boxes`]).
    pub(crate) fn diffie_hellman(&self, their: &CurvePublicKey) -> SharedSecret {
        self.0.diffie_hellman(&PublicKey::from(their.0))
    }
}

impl fmt::Debug for CurveSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CurveSecretKey(..)")
    }
}

/// A long-term key pair. libzmq does not check that the two halves match, and neither
/// does [`CurveKeyPair::new`]; [`CurveKeyPair::from_secret`] derives the public half.
///
/// ```
/// use ferromq::proto::curve::CurveKeyPair;
///
/// let pair = CurveKeyPair::generate().unwrap();
/// assert_eq!(pair.secret().public_key(), *pair.public());
/// let shown = format!("{pair:?}");
/// assert!(shown.contains(&pair.public().to_z85()));
/// assert!(!shown.contains(pair.secret().to_z85().as_str()));
/// ```
#[derive(Clone, Debug)]
pub struct CurveKeyPair {
    public: CurvePublicKey,
    secret: CurveSecretKey,
}

impl CurveKeyPair {
    /// A fresh random pair (`zmq_curve_keypair`).
    ///
    /// # Errors
    ///
    /// [`KeyError::Random`] if the OS generator fails.
    ///
    /// ```
    /// use ferromq::proto::curve::CurveKeyPair;
    ///
    /// let pair = CurveKeyPair::generate().unwrap();
    /// assert_eq!(pair.public().to_z85().len(), 40);
    /// ```
    pub fn generate() -> Result<Self, KeyError> {
        Ok(Self::from_secret(CurveSecretKey::generate()?))
    }

    /// The pair of `secret` and its derived public key.
    ///
    /// ```
    /// use ferromq::proto::curve::{CurveKeyPair, CurveSecretKey};
    ///
    /// let secret = CurveSecretKey::parse(b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6").unwrap();
    /// let pair = CurveKeyPair::from_secret(secret);
    /// assert_eq!(pair.public().to_z85(), "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    /// ```
    pub fn from_secret(secret: CurveSecretKey) -> Self {
        CurveKeyPair {
            public: secret.public_key(),
            secret,
        }
    }

    /// A pair as given, unchecked (libzmq takes the two socket options separately and
    /// never compares them).
    ///
    /// ```
    /// use ferromq::proto::curve::{CurveKeyPair, CurvePublicKey, CurveSecretKey};
    ///
    /// let pair = CurveKeyPair::new(CurvePublicKey::from_bytes([1; 32]), CurveSecretKey::from_bytes([2; 32]));
    /// assert_eq!(pair.public().as_bytes(), &[1; 32]);
    /// ```
    pub fn new(public: CurvePublicKey, secret: CurveSecretKey) -> Self {
        CurveKeyPair { public, secret }
    }

    /// The public half.
    ///
    /// ```
    /// use ferromq::proto::curve::CurveKeyPair;
    ///
    /// let pair = CurveKeyPair::generate().unwrap();
    /// assert_eq!(pair.public().as_bytes().len(), 32);
    /// ```
    pub fn public(&self) -> &CurvePublicKey {
        &self.public
    }

    /// The secret half.
    ///
    /// ```
    /// use ferromq::proto::curve::CurveKeyPair;
    ///
    /// let pair = CurveKeyPair::generate().unwrap();
    /// assert_eq!(pair.secret().public_key(), *pair.public());
    /// ```
    pub fn secret(&self) -> &CurveSecretKey {
        &self.secret
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Key pairs made by libzmq 4.3.5 (pyzmq 27.3's `zmq.curve_keypair()`, libsodium
    /// inside), plus libzmq's documented test keys, with `zmq.curve_public` of a few
    /// chosen secrets (unclamped ones included).
    const LIBZMQ_PAIRS: &[(&str, &str)] = &[
        (
            "53N7VRBYQ.]}}z60+VNxyIl*x=)vZk!I!aotjs@>",
            "xt#1*e^b7>+](mW^O4oL4cT7Wl4wz*XtIRy3u=$A",
        ),
        (
            ")rLW.9sjt=w>fab[vsgXnp]a=^(ZGAEk-+qnhK6@",
            "T*AW92ekzU>wel.up+Ps)dz:]wbzRh9kHwD0@C1z",
        ),
        (
            "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
            "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
        ),
        (
            "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
            "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
        ),
        (
            "GNsjWh=qH7w-^x=qhp]/s}t=&^o@Iaye6T=UbUUH",
            "%nSc0%nSc0%nSc0%nSc0%nSc0%nSc0%nSc0%nSc0",
        ),
        (
            "K3HW^WVq.zo69t)(umF>:XvwTj:QGN^yKlWaVH(S",
            "009c61o!#m2NH?C3>iWS5d]J*6CRx17-skh9337x",
        ),
        (
            "fxERSn6LHg6!4!qu+m-(f-Q<1UF!=7)u0-ysJ-^F",
            "0000000000000000000000000000000000000000",
        ),
    ];

    #[test]
    fn public_from_secret_matches_libzmq() {
        for (public, secret) in LIBZMQ_PAIRS {
            let secret = CurveSecretKey::parse(secret.as_bytes()).unwrap();
            assert_eq!(secret.public_key().to_z85(), *public);
            let pair = CurveKeyPair::from_secret(secret);
            assert_eq!(
                pair.public(),
                &CurvePublicKey::parse(public.as_bytes()).unwrap()
            );
        }
    }

    #[test]
    fn parse_forms_like_setsockopt() {
        let z85 = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
        let key = CurvePublicKey::parse(z85).unwrap();
        let mut with_nul = z85.to_vec();
        with_nul.push(0);
        assert_eq!(CurvePublicKey::parse(&with_nul).unwrap(), key);
        assert_eq!(CurvePublicKey::parse(key.as_bytes()).unwrap(), key);
        // 41 bytes whose last is not NUL, other lengths, bad characters, an early NUL.
        let mut bad = with_nul.clone();
        bad[40] = b'0';
        assert_eq!(CurvePublicKey::parse(&bad), Err(KeyError::BadLength(41)));
        for n in [0, 31, 33, 39, 42, 80] {
            assert_eq!(
                CurvePublicKey::parse(&vec![b'0'; n]),
                Err(KeyError::BadLength(n))
            );
        }
        let mut bad = z85.to_vec();
        bad[7] = b' ';
        assert_eq!(
            CurveSecretKey::parse(&bad).map(|_| ()),
            Err(KeyError::Z85(Z85Error::BadCharacter))
        );
        let mut bad = with_nul;
        bad[10] = 0;
        assert!(CurvePublicKey::parse(&bad).is_err());
        assert_eq!(
            CurvePublicKey::parse(b"########################################"),
            Err(KeyError::Z85(Z85Error::Overflow))
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let pair = CurveKeyPair::from_secret(CurveSecretKey::from_bytes([0x42; 32]));
        let shown = format!("{pair:?} {:?}", pair.secret());
        assert!(!shown.contains(pair.secret().to_z85().as_str()));
        // What a derived Debug of the bytes would print.
        assert!(!shown.contains("66, 66"));
        assert!(shown.contains(&pair.public().to_z85()));
    }

    #[test]
    fn generated_pairs_differ_and_match() {
        let a = CurveKeyPair::generate().unwrap();
        let b = CurveKeyPair::generate().unwrap();
        assert_ne!(a.public(), b.public());
        assert_eq!(a.secret().public_key(), *a.public());
    }
}
