//! Options by libzmq number ([`crate::sockopt`]), dispatched to the typed accessors by
//! code generated from the option table (`core/src/options/table.rs`): the table's socket
//! types, value kinds and read/write columns decide EINVAL before a typed method runs.

use super::Socket;
use crate::error::{Error, Result};
use crate::options::check::{self, relaxed_bool, strict_bool};
use crate::options::option_table;
use crate::sockopt::{self as so, OptionValue};

/// An option value as a typed method takes it, for a row's value kind.
trait IntoValue {
    fn into_value(self) -> OptionValue;
}

impl IntoValue for i32 {
    fn into_value(self) -> OptionValue {
        OptionValue::Int(self)
    }
}

impl IntoValue for bool {
    fn into_value(self) -> OptionValue {
        OptionValue::Int(i32::from(self))
    }
}

impl IntoValue for i64 {
    fn into_value(self) -> OptionValue {
        OptionValue::Int64(self)
    }
}

/// A bit mask (AFFINITY) travels as the bits of an `int64_t`.
impl IntoValue for u64 {
    fn into_value(self) -> OptionValue {
        OptionValue::Int64(i64::from_ne_bytes(self.to_ne_bytes()))
    }
}

impl IntoValue for Vec<u8> {
    fn into_value(self) -> OptionValue {
        OptionValue::Bytes(self)
    }
}

impl IntoValue for String {
    fn into_value(self) -> OptionValue {
        OptionValue::Bytes(self.into_bytes())
    }
}

/// The payload of `value` for a row of value kind `$kind` (EINVAL for another type).
macro_rules! value_of {
    (Int, $value:expr) => {
        match $value {
            OptionValue::Int(v) => Ok(*v),
            _ => Err(Error::Invalid),
        }
    };
    (IntOrNull, $value:expr) => {
        match $value {
            OptionValue::Int(v) => Ok(Some(*v)),
            // What C's `(NULL, 0)` becomes.
            OptionValue::Bytes(b) if b.is_empty() => Ok(None),
            _ => Err(Error::Invalid),
        }
    };
    (Int64, $value:expr) => {
        match $value {
            OptionValue::Int64(v) => Ok(*v),
            _ => Err(Error::Invalid),
        }
    };
    ($bytes:ident, $value:expr) => {
        match $value {
            OptionValue::Bytes(b) => Ok(b.as_slice()),
            _ => Err(Error::Invalid),
        }
    };
}

/// A custom row's `set` column applied to `value` (EINVAL when it has none).
macro_rules! set_custom {
    ($sock:expr, $kind:ident, $value:expr, (-)) => {
        Err(Error::Invalid)
    };
    ($sock:expr, $kind:ident, $value:expr, (|$s:ident, $v:ident| $body:expr)) => {{
        let $v = value_of!($kind, $value)?;
        let $s = $sock;
        $body
    }};
}

/// A custom row's `get` column (EINVAL when it has none).
macro_rules! get_custom {
    ($sock:expr, (-)) => {
        Err(Error::Invalid)
    };
    ($sock:expr, (|$s:ident| $body:expr)) => {{
        let $s = $sock;
        let value: Result<_> = $body;
        Ok(value?.into_value())
    }};
}

/// A field row's getter (EINVAL for write-only options).
macro_rules! get_field {
    ($sock:expr, (-)) => {
        Err(Error::Invalid)
    };
    ($sock:expr, ($get:ident -> $out:ty)) => {
        Ok($sock.$get()?.into_value())
    };
}

/// Generates `Socket::set_option` and `Socket::get_option` from the option table.
macro_rules! by_number {
    (
        fields { $(
            $(#[doc = $doc:literal])*
            $cname:literal $([$draft:ident])? $name:ident = $num:expr, $kind:ident, $types:tt,
            $field:ident: $fty:ty = $default:tt, check $check:ident, number $conv:ident,
            $set:ident($arg:ty), get $get:tt, example $ex:ident $sample:tt, rejects $bad:tt;
        )* }
        custom { $(
            $(#[doc = $cdoc:literal])*
            $ccname:literal $([$cdraft:ident])? $cname_:ident = $cnum:expr, $ckind:ident, $ctypes:tt,
            set $cset:tt, get $cget:tt;
        )* }
        state { $($state:tt)* }
    ) => {
        impl Socket {
            /// Sets option `option` (a [`crate::sockopt`] number) like `zmq_setsockopt`.
            /// EINVAL for unknown or read-only options, a socket type the option's row does
            /// not list, a value of the wrong [type](crate::sockopt::option_type), or a value
            /// out of range; ETERM after the context was terminated.
            ///
            /// ```
            /// use ferromq::sockopt::{OptionValue, LINGER, SUBSCRIBE, TYPE};
            /// use ferromq::{Context, Error, SocketType};
            /// let mut sub = Context::new().socket(SocketType::Sub)?;
            /// sub.set_option(LINGER, &OptionValue::Int(0))?;
            /// sub.set_option(SUBSCRIBE, &OptionValue::Bytes(b"news".to_vec()))?;
            /// assert_eq!(sub.set_option(TYPE, &OptionValue::Int(1)), Err(Error::Invalid));
            /// assert_eq!(sub.set_option(9999, &OptionValue::Int(1)), Err(Error::Invalid));
            /// # Ok::<(), ferromq::Error>(())
            /// ```
            pub fn set_option(&mut self, option: i32, value: &OptionValue) -> Result<()> {
                self.check_live()?;
                self.check_accepts(option)?;
                match option {
                    $(so::$name => {
                        let v = value_of!($kind, value)?;
                        self.$set(check::$conv(v)?)
                    })*
                    $(so::$cname_ => set_custom!(&mut *self, $ckind, value, $cset),)*
                    _ => Err(Error::Invalid),
                }
            }

            /// Reads option `option` (a [`crate::sockopt`] number) like `zmq_getsockopt`.
            /// EINVAL for unknown or write-only options (SUBSCRIBE, ROUTER_MANDATORY…, as in
            /// libzmq); ETERM after the context was terminated.
            ///
            /// ```
            /// use ferromq::sockopt::{OptionValue, LAST_ENDPOINT, MAXMSGSIZE, SNDHWM, TYPE};
            /// use ferromq::{Context, SocketType};
            /// let mut s = Context::new().socket(SocketType::Pull)?;
            /// assert_eq!(s.get_option(SNDHWM)?, OptionValue::Int(1000));
            /// assert_eq!(s.get_option(TYPE)?, OptionValue::Int(7));
            /// assert_eq!(s.get_option(MAXMSGSIZE)?, OptionValue::Int64(-1));
            /// s.bind("inproc://x")?;
            /// assert_eq!(s.get_option(LAST_ENDPOINT)?, OptionValue::Bytes(b"inproc://x".to_vec()));
            /// # Ok::<(), ferromq::Error>(())
            /// ```
            pub fn get_option(&mut self, option: i32) -> Result<OptionValue> {
                self.check_live()?;
                match option {
                    $(so::$name => get_field!(self, $get),)*
                    $(so::$cname_ => get_custom!(&mut *self, $cget),)*
                    _ => Err(Error::Invalid),
                }
            }
        }
    };
}

option_table!(by_number);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sockopt::{option_type, OptionType, MAXMSGPARTS, MAXMSGTOTALSIZE};
    use crate::{Context, SocketType};

    #[test]
    fn every_known_int_option_round_trips_or_is_write_or_read_only() {
        let ctx = Context::new();
        for opt in 0..130 {
            if option_type(opt) != Some(OptionType::Int) {
                continue;
            }
            let mut s = ctx.socket(SocketType::Dealer).unwrap();
            let Ok(OptionValue::Int(v)) = s.get_option(opt) else {
                continue; // write-only
            };
            if opt == so::HEARTBEAT_TIMEOUT {
                // Its default, -1 ("use HEARTBEAT_IVL"), cannot be set (as in libzmq).
                continue;
            }
            // Read-only options refuse writes; the others take back their own value.
            let read_only = matches!(
                opt,
                so::TYPE | so::RCVMORE | so::EVENTS | so::FD | so::MECHANISM | so::THREAD_SAFE
            );
            if matches!(opt, so::RATE | so::MULTICAST_HOPS | so::MULTICAST_MAXTPDU) {
                // Must be > 0: their defaults are, so they round-trip too.
                assert!(v > 0, "option {opt}");
            }
            assert_eq!(
                s.set_option(opt, &OptionValue::Int(v)).is_ok(),
                !read_only,
                "option {opt}"
            );
        }
    }

    #[test]
    fn booleans_follow_libzmq_strictness() {
        let ctx = Context::new();
        let mut s = ctx.socket(SocketType::Router).unwrap();
        assert_eq!(
            s.set_option(so::IMMEDIATE, &OptionValue::Int(2)),
            Err(Error::Invalid)
        );
        assert!(s
            .set_option(so::ROUTER_MANDATORY, &OptionValue::Int(2))
            .is_ok());
        assert_eq!(
            s.set_option(so::ROUTER_MANDATORY, &OptionValue::Int(-1)),
            Err(Error::Invalid)
        );
        assert_eq!(s.get_option(so::ROUTER_MANDATORY), Err(Error::Invalid));
        assert_eq!(
            s.set_option(so::LINGER, &OptionValue::Int64(0)),
            Err(Error::Invalid)
        );
    }

    #[test]
    fn the_extension_options_work_by_number() {
        assert_eq!(option_type(MAXMSGPARTS), Some(OptionType::Int));
        assert_eq!(option_type(MAXMSGTOTALSIZE), Some(OptionType::Int64));
        let mut s = Context::new().socket(SocketType::Pull).unwrap();
        assert_eq!(s.get_option(MAXMSGPARTS), Ok(OptionValue::Int(65_536)));
        s.set_option(MAXMSGPARTS, &OptionValue::Int(-1)).unwrap();
        assert_eq!(s.get_option(MAXMSGPARTS), Ok(OptionValue::Int(-1)));
        assert!(s.set_option(MAXMSGPARTS, &OptionValue::Int(-2)).is_err());
        s.set_option(MAXMSGTOTALSIZE, &OptionValue::Int64(4096))
            .unwrap();
        assert_eq!(s.get_option(MAXMSGTOTALSIZE), Ok(OptionValue::Int64(4096)));
        assert!(s.set_option(MAXMSGTOTALSIZE, &OptionValue::Int(1)).is_err());
    }

    #[test]
    fn table_numbers_and_names_are_unique() {
        for (i, a) in so::TABLE.iter().enumerate() {
            for b in &so::TABLE[i + 1..] {
                assert_ne!(a.number, b.number, "{} and {}", a.name, b.name);
                assert_ne!(a.name, b.name);
            }
            assert!(a.readable || a.writable, "{}", a.name);
            assert!(!a.socket_types.is_empty(), "{}", a.name);
        }
    }

    #[test]
    fn readable_rows_answer_with_their_kind() {
        let ctx = Context::new();
        for row in so::TABLE {
            let mut s = ctx.socket(row.socket_types[0]).unwrap();
            let got = s.get_option(row.number);
            if !row.readable {
                assert_eq!(got, Err(Error::Invalid), "{}", row.name);
                continue;
            }
            let ty = match got.unwrap() {
                OptionValue::Int(_) => OptionType::Int,
                OptionValue::Int64(_) => OptionType::Int64,
                OptionValue::Bytes(_) => OptionType::Bytes,
            };
            assert_eq!(ty, row.kind.option_type(), "{}", row.name);
        }
    }

    /// The patterns decide whether they take their options; the table's socket-type column
    /// (which `set_option` checks first) must say the same. SUBSCRIBE/UNSUBSCRIBE are left
    /// out: an XPUB takes them only under XPUB_MANUAL, from a subscriber it heard.
    #[test]
    fn pattern_options_match_the_table_socket_types() {
        type Setter = fn(&mut Socket) -> Result<()>;
        let setters: [(i32, Setter); 9] = [
            (so::ROUTER_MANDATORY, |s| s.set_router_mandatory(true)),
            (so::ROUTER_HANDOVER, |s| s.set_router_handover(true)),
            (so::REQ_RELAXED, |s| s.set_req_relaxed(true)),
            (so::REQ_CORRELATE, |s| s.set_req_correlate(true)),
            (so::XPUB_VERBOSE, |s| s.set_xpub_verbose(true)),
            (so::XPUB_VERBOSER, |s| s.set_xpub_verboser(true)),
            (so::XPUB_NODROP, |s| s.set_xpub_nodrop(true)),
            (so::XPUB_MANUAL, |s| s.set_xpub_manual(true)),
            (so::XPUB_MANUAL_LAST_VALUE, |s| {
                s.set_xpub_manual_last_value(true)
            }),
        ];
        let ctx = Context::new();
        for ty in SocketType::ALL {
            for (option, set) in setters {
                let mut s = ctx.socket(ty).unwrap();
                let row = so::info(option).unwrap();
                assert_eq!(
                    set(&mut s).is_ok(),
                    row.accepts(ty),
                    "{} on {ty:?}",
                    row.name
                );
            }
        }
    }
}
