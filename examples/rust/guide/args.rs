//! Positional command-line arguments with defaults, shared by the guide examples.

use std::str::FromStr;

/// The `n`-th argument (1-based) parsed as `T`, or `default` when absent. Exits with a
/// usage message when the argument does not parse.
pub fn arg<T: FromStr>(n: usize, default: T, usage: &str) -> T {
    match std::env::args().nth(n) {
        None => default,
        Some(s) => s.parse().unwrap_or_else(|_| {
            eprintln!("usage: {usage}");
            std::process::exit(2)
        }),
    }
}
