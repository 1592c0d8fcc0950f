//! The typed setters and getters of the stored options, generated from the option table
//! (`core/src/options/table.rs`, its `fields` rows): each setter checks the socket type and
//! the value as its row says and stores it; each getter reads it back. Options with side
//! effects have hand-written methods (`queue_options`, `pattern_options`,
//! `transport_options`, `security_options`).

use super::Socket;
use crate::error::{Error, Result};
use crate::options::{check, option_table};
use crate::sockopt;
use bytes::Bytes;

/// A stored option value as its getter returns it.
trait Public {
    type Out;
    fn public(&self) -> Self::Out;
}

macro_rules! public_copy {
    ($($t:ty),*) => {
        $(impl Public for $t {
            type Out = $t;
            fn public(&self) -> $t {
                *self
            }
        })*
    };
}

public_copy!(i32, i64, u64, bool);

impl Public for Bytes {
    type Out = Vec<u8>;
    fn public(&self) -> Vec<u8> {
        self.to_vec()
    }
}

impl Socket {
    /// EINVAL unless the option table lets a socket of this type take `option`.
    pub(crate) fn check_accepts(&self, option: i32) -> Result<()> {
        match sockopt::info(option) {
            Some(row) if row.accepts(self.ty) => Ok(()),
            _ => Err(Error::Invalid),
        }
    }
}

/// The socket-type check of a generated setter (none for `any`).
macro_rules! row_type_check {
    ($sock:expr, $name:ident, any) => {};
    ($sock:expr, $name:ident, $types:tt) => {
        $sock.check_accepts(sockopt::$name)?
    };
}

/// The doc sentence naming a row's socket types.
macro_rules! row_types_doc {
    (any) => {
        ""
    };
    ([$($t:ident),*]) => {
        concat!("; ", stringify!($($t),*), " only (EINVAL otherwise)")
    };
}

/// A row's value as the docs write it. Rows group multi-token values in parentheses, and
/// these rules keep `stringify!` from spacing them out (`- 1`, `& [..]`).
macro_rules! value_doc {
    ((- $n:literal)) => {
        concat!("-", stringify!($n))
    };
    ((Bytes::new())) => {
        "b\"\""
    };
    ((& $($t:tt)*)) => {
        concat!("&", stringify!($($t)*))
    };
    (($($t:tt)*)) => {
        stringify!($($t)*)
    };
    ($t:tt) => {
        stringify!($t)
    };
}

/// The doc example line reading back the sample (none for write-only options).
macro_rules! row_doc_readback {
    ((-), $sample:tt) => {
        ""
    };
    (($get:ident -> $out:ty), $sample:tt) => {
        concat!(
            "assert_eq!(s.",
            stringify!($get),
            "()?, ",
            value_doc!($sample),
            ");"
        )
    };
}

/// The doc example line showing a refused value (none when every value is taken).
macro_rules! row_doc_rejects {
    ($set:ident, (-)) => {
        ""
    };
    ($set:ident, $bad:tt) => {
        concat!(
            "assert!(s.",
            stringify!($set),
            "(",
            value_doc!($bad),
            ").is_err());"
        )
    };
}

/// A row's getter (none for write-only options).
macro_rules! row_getter {
    ($cname:literal, $set:ident, $field:ident, (-)) => {};
    ($cname:literal, $set:ident, $field:ident, ($get:ident -> $out:ty)) => {
        #[doc = concat!("`", $cname, "`; see [`Socket::", stringify!($set), "`].")]
        pub fn $get(&self) -> Result<$out> {
            Ok(Public::public(&self.opts.$field))
        }
    };
}

/// Generates the typed accessors of the table's `fields` rows.
macro_rules! typed_accessors {
    (
        fields { $(
            $(#[doc = $doc:literal])*
            $cname:literal $([$draft:ident])? $name:ident = $num:expr, $kind:ident, $types:tt,
            $field:ident: $fty:ty = $default:tt, check $check:ident, number $conv:ident,
            $set:ident($arg:ty), get $get:tt, example $ex:ident $sample:tt, rejects $bad:tt;
        )* }
        custom { $($custom:tt)* }
        state { $($state:tt)* }
    ) => {
        impl Socket {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!("Option `", $cname, "` (", stringify!($num), "); default `",
                    value_doc!($default), "`", row_types_doc!($types), ".")]
                #[doc = ""]
                #[doc = "```"]
                #[doc = concat!("let mut s = ferromq::Context::new().socket(ferromq::SocketType::",
                    stringify!($ex), ")?;")]
                #[doc = concat!("s.", stringify!($set), "(", value_doc!($sample), ")?;")]
                #[doc = row_doc_readback!($get, $sample)]
                #[doc = row_doc_rejects!($set, $bad)]
                #[doc = "# Ok::<(), ferromq::Error>(())"]
                #[doc = "```"]
                pub fn $set(&mut self, v: $arg) -> Result<()> {
                    row_type_check!(self, $name, $types);
                    self.opts.$field = check::$check(v)?;
                    Ok(())
                }

                row_getter!($cname, $set, $field, $get);
            )*
        }
    };
}

option_table!(typed_accessors);
