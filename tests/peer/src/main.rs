//! `ferromq-peer`: a small command-line ferromq peer that the pytest suites in
//! `tests/interop/` drive as a subprocess, against pyzmq (real libzmq) or raw sockets.
//!
//! # Usage
//!
//! ```text
//! ferromq-peer push|pull (--bind EP | --connect EP)... [options]
//!
//!   --bind EP            bind to EP (repeatable); prints `ENDPOINT <resolved ep>` for each
//!   --connect EP         connect to EP (repeatable)
//!   --count N            messages to send (push, default 1) or to receive (pull; default:
//!                        run until killed, which is the mode the hostile-peer tests use)
//!   --size S             every frame is S bytes (push; default 16)
//!   --sizes A,B,C        frame sizes, used in turn: frame f of message m has size
//!                        sizes[(m * parts + f) % len(sizes)] (push)
//!   --parts K            frames per message (push; default 1)
//!   --linger MS          ZMQ_LINGER
//!   --sndhwm N / --rcvhwm N / --maxmsgsize N / --handshake-ivl MS / --reconnect-ivl MS
//!                        the corresponding socket options
//!   --timeout-ms MS      give up when one send or receive blocks longer than MS (exit 3)
//!   --quiet              pull: do not print a line per message, only `DONE <n>`
//! ```
//!
//! # Output (stdout, one line each, flushed as it is written)
//!
//! * `ENDPOINT tcp://127.0.0.1:41234` right after each successful bind;
//! * pull: `MSG <index> <nframes> <frame>...` per message received, where each frame is
//!   `<len>:<hex>` when `len <= 32` (so an empty frame is `0:`), otherwise
//!   `<len>:crc=<8 hex digits>` with the CRC-32 (IEEE, same as Python's `zlib.crc32`);
//! * `DONE <n>` once `--count` messages were sent or received (never in run-forever mode).
//!
//! Errors go to stderr. Exit status: 0 success, 1 ferromq error, 2 bad usage, 3 timeout.
//!
//! # Content sent by `push`
//!
//! Byte `i` of frame `f` of message `m` (all counted from 0) is `(m + f + i) % 251`, so the
//! tests can rebuild every frame exactly.

use std::io::{self, Write};
use std::process::ExitCode;

use ferromq::{Context, Error, Msg, Socket, SocketType, SNDMORE};

/// Which end of the pipeline this process plays.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Push,
    Pull,
}

/// Everything the command line can say.
struct Options {
    role: Role,
    binds: Vec<String>,
    connects: Vec<String>,
    count: Option<u64>,
    sizes: Vec<usize>,
    parts: usize,
    linger: Option<i32>,
    sndhwm: Option<i32>,
    rcvhwm: Option<i32>,
    maxmsgsize: Option<i64>,
    handshake_ivl: Option<i32>,
    reconnect_ivl: Option<i32>,
    timeout_ms: Option<i32>,
    quiet: bool,
}

/// How the run ended, mapped to the exit status.
enum Failure {
    /// A ferromq call failed (exit 1).
    Zmq(&'static str, Error),
    /// A send or receive hit `--timeout-ms` (exit 3).
    Timeout(String),
    /// Writing to stdout failed, e.g. the test closed the pipe (exit 1).
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

const USAGE: &str = "usage: ferromq-peer push|pull (--bind EP | --connect EP)... \
[--count N] [--size S | --sizes A,B,..] [--parts K] [--linger MS] [--sndhwm N] \
[--rcvhwm N] [--maxmsgsize N] [--handshake-ivl MS] [--reconnect-ivl MS] \
[--timeout-ms MS] [--quiet]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&args) {
        Ok(opts) => opts,
        Err(msg) => {
            eprintln!("ferromq-peer: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Zmq(what, e)) => {
            eprintln!("ferromq-peer: {what} failed: {e} (errno {})", e.errno());
            ExitCode::from(1)
        }
        Err(Failure::Timeout(msg)) => {
            eprintln!("ferromq-peer: timeout: {msg}");
            ExitCode::from(3)
        }
        Err(Failure::Io(e)) => {
            eprintln!("ferromq-peer: stdout: {e}");
            ExitCode::from(1)
        }
    }
}

/// Parses the command line by hand (no dependencies beyond std and ferromq).
fn parse_args(args: &[String]) -> Result<Options, String> {
    let role = match args.first().map(String::as_str) {
        Some("push") => Role::Push,
        Some("pull") => Role::Pull,
        Some(other) => return Err(format!("unknown role {other:?} (want push or pull)")),
        None => return Err("missing role".into()),
    };
    let mut opts = Options {
        role,
        binds: Vec::new(),
        connects: Vec::new(),
        count: None,
        sizes: vec![16],
        parts: 1,
        linger: None,
        sndhwm: None,
        rcvhwm: None,
        maxmsgsize: None,
        handshake_ivl: None,
        reconnect_ivl: None,
        timeout_ms: None,
        quiet: false,
    };
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        if flag == "--quiet" {
            opts.quiet = true;
            continue;
        }
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .as_str();
        match flag.as_str() {
            "--bind" => opts.binds.push(value.to_string()),
            "--connect" => opts.connects.push(value.to_string()),
            "--count" => opts.count = Some(number(flag, value)?),
            "--size" => opts.sizes = vec![number(flag, value)?],
            "--sizes" => {
                opts.sizes = value
                    .split(',')
                    .map(|s| number(flag, s.trim()))
                    .collect::<Result<_, _>>()?
            }
            "--parts" => opts.parts = number(flag, value)?,
            "--linger" => opts.linger = Some(number(flag, value)?),
            "--sndhwm" => opts.sndhwm = Some(number(flag, value)?),
            "--rcvhwm" => opts.rcvhwm = Some(number(flag, value)?),
            "--maxmsgsize" => opts.maxmsgsize = Some(number(flag, value)?),
            "--handshake-ivl" => opts.handshake_ivl = Some(number(flag, value)?),
            "--reconnect-ivl" => opts.reconnect_ivl = Some(number(flag, value)?),
            "--timeout-ms" => opts.timeout_ms = Some(number(flag, value)?),
            _ => return Err(format!("unknown option {flag:?}")),
        }
    }
    if opts.binds.is_empty() && opts.connects.is_empty() {
        return Err("give at least one --bind or --connect".into());
    }
    if opts.parts == 0 || opts.sizes.is_empty() {
        return Err("--parts and --sizes must not be empty".into());
    }
    Ok(opts)
}

/// Parses one numeric option value.
fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

/// Adds a description to a ferromq error so `main` can report which call failed.
fn zmq<T>(what: &'static str, r: ferromq::Result<T>) -> Result<T, Failure> {
    r.map_err(|e| Failure::Zmq(what, e))
}

/// Creates the socket, applies the options, binds/connects, then sends or receives.
fn run(opts: &Options) -> Result<(), Failure> {
    let ctx = Context::new();
    let kind = match opts.role {
        Role::Push => SocketType::Push,
        Role::Pull => SocketType::Pull,
    };
    let mut sock = zmq("socket", ctx.socket(kind))?;
    if let Some(v) = opts.linger {
        zmq("set_linger", sock.set_linger(v))?;
    }
    if let Some(v) = opts.sndhwm {
        zmq("set_sndhwm", sock.set_sndhwm(v))?;
    }
    if let Some(v) = opts.rcvhwm {
        zmq("set_rcvhwm", sock.set_rcvhwm(v))?;
    }
    if let Some(v) = opts.maxmsgsize {
        zmq("set_maxmsgsize", sock.set_maxmsgsize(v))?;
    }
    if let Some(v) = opts.handshake_ivl {
        zmq("set_handshake_ivl", sock.set_handshake_ivl(v))?;
    }
    if let Some(v) = opts.reconnect_ivl {
        zmq("set_reconnect_ivl", sock.set_reconnect_ivl(v))?;
    }
    if let Some(v) = opts.timeout_ms {
        zmq("set_sndtimeo", sock.set_sndtimeo(v))?;
        zmq("set_rcvtimeo", sock.set_rcvtimeo(v))?;
    }

    let stdout = io::stdout();
    let mut out = stdout.lock();
    for ep in &opts.binds {
        zmq("bind", sock.bind(ep))?;
        let resolved = zmq("last_endpoint", sock.last_endpoint())?;
        writeln!(out, "ENDPOINT {resolved}")?;
        out.flush()?;
    }
    for ep in &opts.connects {
        zmq("connect", sock.connect(ep))?;
    }

    match opts.role {
        Role::Push => push(opts, &mut sock, &mut out)?,
        Role::Pull => pull(opts, &mut sock, &mut out)?,
    }
    // Closing applies LINGER: queued messages still go out before the socket goes away.
    sock.close();
    drop(ctx);
    Ok(())
}

/// Sends `--count` messages of `--parts` frames with the deterministic content pattern.
fn push(opts: &Options, sock: &mut Socket, out: &mut impl Write) -> Result<(), Failure> {
    let count = opts.count.unwrap_or(1);
    let parts = opts.parts as u64;
    for m in 0..count {
        for f in 0..parts {
            let size = opts.sizes[((m * parts + f) % opts.sizes.len() as u64) as usize];
            let flags = if f + 1 < parts { SNDMORE } else { 0 };
            match sock.send(pattern(m, f, size), flags) {
                Ok(()) => {}
                Err(Error::Again) => {
                    return Err(Failure::Timeout(format!(
                        "send of frame {f} of message {m} blocked too long"
                    )))
                }
                Err(e) => return Err(Failure::Zmq("send", e)),
            }
        }
    }
    writeln!(out, "DONE {count}")?;
    out.flush()?;
    Ok(())
}

/// Receives messages and prints one `MSG` line each; stops after `--count` if given.
fn pull(opts: &Options, sock: &mut Socket, out: &mut impl Write) -> Result<(), Failure> {
    let mut received: u64 = 0;
    // Without --count this never stops: the hostile-peer tests kill the process.
    while opts.count != Some(received) {
        let frames = match sock.recv_multipart(0) {
            Ok(frames) => frames,
            Err(Error::Again) => {
                return Err(Failure::Timeout(format!(
                    "no message for {} ms after {received} messages",
                    opts.timeout_ms.unwrap_or(-1)
                )))
            }
            Err(e) => return Err(Failure::Zmq("recv", e)),
        };
        if !opts.quiet {
            writeln!(out, "{}", describe(received, &frames))?;
            out.flush()?;
        }
        received += 1;
    }
    writeln!(out, "DONE {received}")?;
    out.flush()?;
    Ok(())
}

/// Frame `f` of message `m` as sent by `push`: byte `i` is `(m + f + i) % 251`.
fn pattern(m: u64, f: u64, size: usize) -> Vec<u8> {
    let start = ((m + f) % 251) as usize;
    (0..size).map(|i| ((start + i) % 251) as u8).collect()
}

/// The `MSG` line for one received message (see the module docs for the format).
fn describe(index: u64, frames: &[Msg]) -> String {
    let mut line = format!("MSG {index} {}", frames.len());
    for frame in frames {
        let bytes: &[u8] = frame;
        line.push(' ');
        line.push_str(&bytes.len().to_string());
        line.push(':');
        if bytes.len() <= 32 {
            for b in bytes {
                line.push_str(&format!("{b:02x}"));
            }
        } else {
            line.push_str(&format!("crc={:08x}", crc32(bytes)));
        }
    }
    line
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the one `zlib.crc32` computes.
/// Bitwise rather than table-driven: short and fast enough for test traffic.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_zlib() {
        // zlib.crc32(b"123456789") == 0xcbf43926, the standard check value.
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn pattern_wraps_at_251() {
        let p = pattern(250, 0, 3);
        assert_eq!(p, vec![250, 0, 1]);
        assert_eq!(pattern(1, 2, 2), vec![3, 4]);
    }

    #[test]
    fn parse_rejects_missing_endpoint() {
        let args = vec!["pull".to_string(), "--count".to_string(), "3".to_string()];
        assert!(parse_args(&args).is_err());
    }
}
