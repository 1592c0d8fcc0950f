//! CurveZMQ's building blocks (RFC 26): keys and NaCl boxes.
//!
//! The CURVE mechanism's state machines build on these; the key types are also what
//! the socket options and `zmq_curve_keypair`/`zmq_curve_public` use.
//!
//! ```
//! use ferromq::proto::curve::CurveKeyPair;
//!
//! let server = CurveKeyPair::generate().unwrap();
//! assert_eq!(server.public().to_z85().len(), 40);
//! ```

pub(crate) mod boxes;
pub(crate) mod keys;

pub use keys::{CurveKeyPair, CurvePublicKey, CurveSecretKey, KeyError, KEY_LEN, Z85_KEY_LEN};
