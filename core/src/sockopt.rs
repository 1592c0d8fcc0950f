//! Socket options by libzmq number, for code that works with option numbers
//! (`zmq_setsockopt`/`zmq_getsockopt`, pyzmq's `setsockopt`): see
//! [`Socket::set_option`](crate::Socket::set_option) and
//! [`Socket::get_option`](crate::Socket::get_option).
//!
//! The constants and [`TABLE`] are generated from the one option table
//! (`core/src/options/table.rs`), which the C and Python bindings read too.

use crate::proto::SocketType;

/// How an option's value is represented (`int`, `int64_t`, or a byte string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionType {
    /// A C `int`.
    Int,
    /// A C `int64_t`.
    Int64,
    /// Bytes (routing ids, topics, endpoints).
    Bytes,
}

/// The value of an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionValue {
    /// For [`OptionType::Int`] options.
    Int(i32),
    /// For [`OptionType::Int64`] options.
    Int64(i64),
    /// For [`OptionType::Bytes`] options.
    Bytes(Vec<u8>),
}

/// How an option's value travels, and how C code clears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A C `int`.
    Int,
    /// A C `int` that `(NULL, 0)` clears (the IPC filter sets).
    IntOrNull,
    /// A C `int64_t`.
    Int64,
    /// Binary bytes (routing ids, topics).
    Bytes,
    /// A string: `zmq_getsockopt` returns it NUL-terminated, the NUL counted.
    Str,
    /// A string that only `(NULL, 0)` clears: libzmq refuses a non-NULL empty value.
    StrictStr,
}

impl ValueKind {
    /// The representation of values of this kind.
    ///
    /// ```
    /// use ferromq::sockopt::{OptionType, ValueKind};
    /// assert_eq!(ValueKind::StrictStr.option_type(), OptionType::Bytes);
    /// ```
    pub const fn option_type(self) -> OptionType {
        match self {
            ValueKind::Int | ValueKind::IntOrNull => OptionType::Int,
            ValueKind::Int64 => OptionType::Int64,
            ValueKind::Bytes | ValueKind::Str | ValueKind::StrictStr => OptionType::Bytes,
        }
    }
}

/// One row of the option table, as the bindings read it.
///
/// ```
/// use ferromq::sockopt::{info, ValueKind, LINGER};
/// use ferromq::SocketType;
/// let linger = info(LINGER).unwrap();
/// assert_eq!((linger.name, linger.number, linger.kind), ("ZMQ_LINGER", 17, ValueKind::Int));
/// assert!(linger.readable && linger.writable && linger.accepts(SocketType::Sub));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionInfo {
    /// The C name (`ZMQ_…`, or `FERROMQ_…` for ferromq's extensions).
    pub name: &'static str,
    /// The option number.
    pub number: i32,
    /// How the value travels.
    pub kind: ValueKind,
    /// Whether `get_option` answers it (EINVAL otherwise).
    pub readable: bool,
    /// Whether `set_option` takes it (EINVAL otherwise).
    pub writable: bool,
    /// The socket types that take it (others: EINVAL on set).
    pub socket_types: &'static [SocketType],
    /// A DRAFT option of libzmq 4.3: every libzmq build answers it, but the stable
    /// `zmq.h` (and so ferromq's) does not define its name.
    pub draft: bool,
}

impl OptionInfo {
    /// Whether a socket of type `ty` takes this option.
    ///
    /// ```
    /// use ferromq::sockopt::{info, ROUTER_MANDATORY};
    /// use ferromq::SocketType;
    /// let row = info(ROUTER_MANDATORY).unwrap();
    /// assert!(row.accepts(SocketType::Router) && !row.accepts(SocketType::Dealer));
    /// ```
    pub fn accepts(&self, ty: SocketType) -> bool {
        self.socket_types.contains(&ty)
    }
}

/// The socket types a table row lists (`any`: all of them).
macro_rules! row_types {
    (any) => {
        &SocketType::ALL
    };
    ([$($t:ident),*]) => {
        &[$(SocketType::$t),*]
    };
}

/// Whether a row's getter or setter column is filled (`(-)`: it is not).
macro_rules! row_has {
    ((-)) => {
        false
    };
    ($($any:tt)*) => {
        true
    };
}

/// Whether a row is marked `[draft]`.
macro_rules! row_draft {
    () => {
        false
    };
    (draft) => {
        true
    };
}

/// Generates the option numbers and [`TABLE`] from the option table.
macro_rules! sockopt_items {
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
        $(
            #[doc = concat!("`", $cname, "`: see [`Socket::", stringify!($set),
                "`](crate::Socket::", stringify!($set), ").")]
            pub const $name: i32 = $num;
        )*
        $(
            $(#[doc = $cdoc])*
            pub const $cname_: i32 = $cnum;
        )*

        /// Every option ferromq knows, in table order.
        ///
        /// ```
        /// use ferromq::sockopt::TABLE;
        /// assert!(TABLE.iter().any(|o| o.name == "ZMQ_SUBSCRIBE" && !o.readable));
        /// ```
        pub const TABLE: &[OptionInfo] = &[
            $(OptionInfo {
                name: $cname,
                number: $num,
                kind: ValueKind::$kind,
                readable: row_has!($get),
                writable: true,
                socket_types: row_types!($types),
                draft: row_draft!($($draft)?),
            },)*
            $(OptionInfo {
                name: $ccname,
                number: $cnum,
                kind: ValueKind::$ckind,
                readable: row_has!($cget),
                writable: row_has!($cset),
                socket_types: row_types!($ctypes),
                draft: row_draft!($($cdraft)?),
            },)*
        ];

        /// The table row of option `option`, `None` if ferromq does not know it (a jump
        /// table: `zmq_getsockopt` asks it on every call).
        ///
        /// ```
        /// use ferromq::sockopt::{info, TYPE};
        /// assert!(!info(TYPE).unwrap().writable);
        /// assert!(info(62).is_none()); // ZMQ_GSSAPI_SERVER: no GSSAPI in this build
        /// ```
        pub fn info(option: i32) -> Option<&'static OptionInfo> {
            match option {
                $($name => Some(&TABLE[const { row_index($name) }]),)*
                $($cname_ => Some(&TABLE[const { row_index($cname_) }]),)*
                _ => None,
            }
        }
    };
}

crate::options::option_table!(sockopt_items);

/// Where option `option` sits in [`TABLE`], computed at compile time for [`info`] (a
/// number missing from the table fails the build).
const fn row_index(option: i32) -> usize {
    let mut i = 0;
    while i < TABLE.len() {
        if TABLE[i].number == option {
            return i;
        }
        i += 1;
    }
    panic!("an option number of the table is missing from TABLE")
}

/// The representation of option `option`, `None` if ferromq does not know it.
///
/// ```
/// use ferromq::sockopt::{option_type, OptionType, LINGER, MAXMSGSIZE, ROUTING_ID};
/// assert_eq!(option_type(LINGER), Some(OptionType::Int));
/// assert_eq!(option_type(MAXMSGSIZE), Some(OptionType::Int64));
/// assert_eq!(option_type(ROUTING_ID), Some(OptionType::Bytes));
/// assert_eq!(option_type(62), None); // ZMQ_GSSAPI_SERVER: no GSSAPI in this build
/// ```
pub fn option_type(option: i32) -> Option<OptionType> {
    info(option).map(|o| o.kind.option_type())
}

/// Whether `zmq_getsockopt` returns option `option` as a C string (NUL-terminated, the NUL
/// counted in the length), as libzmq does for its string options.
///
/// ```
/// use ferromq::sockopt::{is_string, LAST_ENDPOINT, ROUTING_ID};
/// assert!(is_string(LAST_ENDPOINT));
/// assert!(!is_string(ROUTING_ID)); // binary
/// ```
pub fn is_string(option: i32) -> bool {
    info(option)
        .is_some_and(|o| o.readable && matches!(o.kind, ValueKind::Str | ValueKind::StrictStr))
}
