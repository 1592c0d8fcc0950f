//! `ferromq-peer`: a small command-line ferromq peer that the pytest suites in
//! `tests/interop/` drive as a subprocess, against pyzmq (real libzmq) or raw sockets.
//!
//! # Usage
//!
//! ```text
//! ferromq-peer push|pull|pub|sub|xpub|xsub|req|rep|dealer|router|pair
//!              (--bind EP | [--connect-routing-id ID] --connect EP)... [options]
//!
//!   --bind EP            bind to EP (repeatable; tcp:// or ipc://); prints
//!                        `ENDPOINT <resolved ep>` for each
//!   --connect EP         connect to EP (repeatable)
//!   --routing-id ID      ZMQ_ROUTING_ID (text; --routing-id-hex H for bytes), set before
//!                        any bind or connect
//!   --count N            push: messages to send (default 1); pull, sub, xsub, xpub: messages
//!                        to receive (default: run until killed / stopped); pub: rounds to
//!                        publish (counted from `START` with --wait-start; default: no limit)
//!   --size S             every frame (push) / every payload (pub) is S bytes (default 16)
//!   --sizes A,B,C        frame sizes, used in turn: frame f of message m has size
//!                        sizes[(m * parts + f) % len(sizes)] (push); pub: see below
//!   --parts K            frames per message (push, pub; default 1)
//!   --linger MS          ZMQ_LINGER
//!   --sndhwm N / --rcvhwm N / --maxmsgsize N / --handshake-ivl MS / --reconnect-ivl MS
//!   --maxmsgparts N      FERROMQ_MAXMSGPARTS (ferromq extension: frames per message)
//!                        the corresponding socket options
//!   --heartbeat-ivl MS / --heartbeat-timeout MS / --heartbeat-ttl MS
//!                        ZMQ_HEARTBEAT_IVL / ZMQ_HEARTBEAT_TIMEOUT / ZMQ_HEARTBEAT_TTL
//!   --sndbuf N / --rcvbuf N / --tcp-keepalive N / --tcp-keepalive-cnt N /
//!   --tcp-keepalive-idle S / --tcp-keepalive-intvl S / --connect-timeout MS
//!                        ZMQ_SNDBUF, ZMQ_RCVBUF, ZMQ_TCP_KEEPALIVE(_CNT/_IDLE/_INTVL),
//!                        ZMQ_CONNECT_TIMEOUT
//!   --ipv6               ZMQ_IPV6
//!   --plain-server 1 / --plain-username U / --plain-password P
//!                        PLAIN (server, or client with these credentials)
//!   --curve-server SECRET
//!                        CURVE server with this secret key (Z85)
//!   --curve-serverkey K / --curve-publickey K / --curve-secretkey K
//!                        CURVE client keys (Z85)
//!   --zap-domain D       ZMQ_ZAP_DOMAIN
//!   --monitor            print every monitor event to stderr as `MONITOR <event> <value>`
//!                        (event in hex as ZMQ_EVENT_*, value in decimal)
//!   --timeout-ms MS      give up when one send or receive blocks longer than MS (exit 3);
//!                        sub/xsub/xpub: when no message arrived for MS
//!   --quiet              pull/sub/xsub: do not print a line per message, only `DONE <n>`
//!
//! pub/sub/xpub/xsub only:
//!   --topics A,B,...     pub/xpub: topics published each round (`--topics ""` = one empty
//!                        topic); also --topic T / --topic-hex H (repeatable)
//!   --subscribe T        sub/xsub: subscribe to T (repeatable); --subscribe-hex H for bytes
//!   --subscribe-before-connect
//!                        subscribe before binding/connecting (default: after)
//!   --interval-ms X      pub/xpub: pause between publishing rounds (default 10; 0 = none)
//!   --wait-start         pub: publish from the start, but count rounds only after `START`
//!   --until-stdin-closes stop (printing DONE) when stdin reaches end of file
//!   --max-ms MS          stop (printing DONE) after MS milliseconds in any case
//!   --verbose / --verboser
//!                        xpub: ZMQ_XPUB_VERBOSE / ZMQ_XPUB_VERBOSER
//!
//! req/rep/dealer only:
//!   --count N            req, dealer: requests to send (default 1); rep, dealer --echo:
//!                        requests to answer (default: run until killed)
//!   --size/--sizes/--parts
//!                        req, dealer: request m is built like push's message m
//!   --reply-prefix P     rep, dealer --echo: the reply is one frame P followed by the
//!                        request's frames (default: the request's frames alone); also
//!                        --reply-prefix-hex H (`-` = an empty frame)
//!   --delimiter          dealer: send an empty frame before each request (to talk to a REP)
//!   --async              dealer: send all requests first, then receive all replies
//!   --echo               dealer: answer like rep (receive, print, send back), without any
//!                        envelope handling
//!   --relaxed / --correlate
//!                        ZMQ_REQ_RELAXED / ZMQ_REQ_CORRELATE (failing with EINVAL, exit 1,
//!                        on other socket types)
//!   --probe-fsm          req: before the first request, try a receive (`FSM recv-first
//!                        <errno>`); after sending it, try a second send (`FSM send-twice
//!                        <errno>`); rep: before the first request, try a send (`FSM
//!                        send-first <errno>`); after receiving it, try a second receive
//!                        (`FSM recv-twice <errno>`). Errno 0 means the call succeeded.
//!   --commands           no automatic traffic: obey stdin commands (below) until `STOP`
//!                        or end of stdin
//!
//! router/pair only:
//!   --count N            requests to answer (default: run until killed)
//!   (default mode)       serve like rep: receive, print, send the message back unchanged
//!                        (a router's reply thus goes back to the sender, by its routing id;
//!                        pair: behind --reply-prefix if given)
//!   --commands           obey stdin commands instead (below)
//!   --connect-routing-id ID
//!                        router: ZMQ_CONNECT_ROUTING_ID for the next --connect on the
//!                        command line (text; --connect-routing-id-hex H for bytes)
//!   --mandatory          ZMQ_ROUTER_MANDATORY (EINVAL, exit 1, on other socket types)
//!   --handover           ZMQ_ROUTER_HANDOVER (EINVAL, exit 1, on other socket types)
//! ```
//!
//! # Output (stdout, one line each, flushed as it is written)
//!
//! * `ENDPOINT tcp://127.0.0.1:41234` (or `ENDPOINT ipc://...`) right after each successful
//!   bind;
//! * pull/sub/xsub (and xpub for non-subscription messages):
//!   `MSG <index> <nframes> <frame>...` per message received, where each frame is `<len>:<hex>` when `len <= 32`
//!   (so an empty frame is `0:`), otherwise `<len>:crc=<8 hex digits>` with the CRC-32
//!   (IEEE, same as Python's `zlib.crc32`);
//! * pub/sub/xpub/xsub: `READY` once the socket is bound/connected and the initial
//!   subscriptions are made;
//! * xpub: `SUB <hex>` / `UNSUB <hex>` for each received single-frame message starting with
//!   0x01 / 0x00 (the topic in hex, `-` for the empty topic); the `MSG` index of other
//!   messages counts every message received, subscriptions included;
//! * `DONE <n>` once `--count` messages were sent or received, or the run was stopped by
//!   stdin/`--max-ms` (pub: n = number of rounds published, i.e. the next sequence number).
//! * req/rep/dealer/router/pair: `READY` once bound/connected; then req and dealer print
//!   `MSG <m> ...` for the reply to request m, exactly as received (a dealer's reply from
//!   a REP starts with the empty frame), and rep and dealer --echo print `MSG <i> ...` for
//!   the i-th request as the application receives it (a REP's without the envelope;
//!   a router's with the sender's routing id first, then the frames as sent).
//!   With --commands, `MSG` lines answer `RECV`, indexed by the messages received so far.
//!
//! # Commands on stdin (req/rep/dealer/router/pair with --commands; one per line)
//!
//! * `SEND <hex> [<hex>...]`: sends one message (one frame per argument, `-` = empty frame;
//!   no argument = one empty frame). Answers `SENT`. A router routes it by the first
//!   frame (e.g. `ERROR send 113` for an unknown id with --mandatory).
//! * `RECV [MS]`: receives one message (waiting at most MS milliseconds if given, else
//!   --timeout-ms). Answers a `MSG` line.
//! * `TRYRECV`: the same without waiting (`ZMQ_DONTWAIT`).
//! * `STOP`: prints `DONE <messages received>` and exits, as does end of stdin.
//!
//! A failing command answers `ERROR <what> <errno>` (e.g. `ERROR send 156384763` for
//! EFSM, `ERROR recv 11` for a timeout) and the peer keeps running.
//!
//! # Commands on stdin (pub/sub/xpub/xsub; one per line; `-` or nothing = empty bytes)
//!
//! * `SUBSCRIBE <hex>` / `UNSUBSCRIBE <hex>`: sub: ZMQ_SUBSCRIBE/ZMQ_UNSUBSCRIBE; xsub: sends
//!   0x01/0x00 + topic. Answers `SUBSCRIBED <hex>` / `UNSUBSCRIBED <hex>`.
//! * `SEND <hex> [<hex>...]`: sends one message (one frame per argument). Answers `SENT`.
//! * `START`: pub with --wait-start: answers `STARTED <seq>`; --count rounds are then
//!   published, the first having sequence number `seq`.
//! * `STOP`: stop now (prints DONE).
//!
//! A failing command answers `ERROR <what> <errno>` and the peer keeps running.
//!
//! Errors go to stderr. Exit status: 0 success, 1 ferromq error, 2 bad usage, 3 timeout.
//!
//! # Content sent by `push` (and requests sent by `req` and `dealer`)
//!
//! Byte `i` of frame `f` of message `m` (all counted from 0) is `(m + f + i) % 251`, so the
//! tests can rebuild every frame exactly.
//!
//! # Content sent by `pub` (and `xpub` with topics)
//!
//! One round (sequence number `r`, counted from 0) sends one message per topic, in the order
//! of the topics. `payload(r, f, n)` is `n` bytes, byte `i` = `b'a' + (r + f + i) % 26`, and
//! `size(f)` = `sizes[f % len(sizes)]`.
//! * `--parts 1`: one frame `topic | "|" | r (decimal) | "|" | payload(r, 0, size(0))`;
//! * `--parts K > 1`: frame 0 is the topic alone, frame f >= 1 is
//!   `r (decimal) | "|" | f (decimal) | "|" | payload(r, f, size(f))`.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use ferromq::{Context, Error, Msg, Socket, SocketType, DONTWAIT, SNDMORE};

/// Which socket type this process plays.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Push,
    Pull,
    Pub,
    Sub,
    Xpub,
    Xsub,
    Req,
    Rep,
    Dealer,
    Router,
    Pair,
}

/// Everything the command line can say.
struct Options {
    role: Role,
    binds: Vec<String>,
    /// Endpoints to connect to, each with the CONNECT_ROUTING_ID given just before it.
    connects: Vec<(String, Option<Vec<u8>>)>,
    /// A --connect-routing-id still waiting for its --connect.
    pending_connect_rid: Option<Vec<u8>>,
    routing_id: Option<Vec<u8>>,
    /// Security flags (`--plain-*`, `--curve-*`, `--zap-domain`) in command-line order.
    security: Vec<(String, String)>,
    mandatory: bool,
    handover: bool,
    count: Option<u64>,
    sizes: Vec<usize>,
    parts: usize,
    linger: Option<i32>,
    sndhwm: Option<i32>,
    rcvhwm: Option<i32>,
    maxmsgsize: Option<i64>,
    maxmsgparts: Option<i32>,
    handshake_ivl: Option<i32>,
    reconnect_ivl: Option<i32>,
    heartbeat_ivl: Option<i32>,
    heartbeat_timeout: Option<i32>,
    heartbeat_ttl: Option<i32>,
    /// Transport options (--sndbuf etc.) as (flag, value), applied in order.
    transport: Vec<(String, i32)>,
    ipv6: bool,
    /// Print every monitor event to stderr.
    monitor: bool,
    timeout_ms: Option<i32>,
    quiet: bool,
    topics: Vec<Vec<u8>>,
    subscribe: Vec<Vec<u8>>,
    subscribe_before_connect: bool,
    interval_ms: u64,
    wait_start: bool,
    until_stdin_closes: bool,
    max_ms: Option<u64>,
    verbose: bool,
    verboser: bool,
    reply_prefix: Option<Vec<u8>>,
    delimiter: bool,
    async_send: bool,
    echo: bool,
    relaxed: bool,
    correlate: bool,
    probe_fsm: bool,
    commands: bool,
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

const USAGE: &str = "usage: ferromq-peer push|pull|pub|sub|xpub|xsub|req|rep|dealer|router|pair \
(--bind EP | [--connect-routing-id ID | --connect-routing-id-hex H] --connect EP)... \
[--routing-id ID | --routing-id-hex H] [--mandatory] [--handover] \
[--count N] [--size S | --sizes A,B,..] [--parts K] [--linger MS] [--sndhwm N] \
[--rcvhwm N] [--maxmsgsize N] [--maxmsgparts N] [--handshake-ivl MS] [--reconnect-ivl MS] \
[--timeout-ms MS] [--quiet] [--topics A,B,.. | --topic T | --topic-hex H]... \
[--subscribe T | --subscribe-hex H]... [--subscribe-before-connect] [--interval-ms X] \
[--wait-start] [--until-stdin-closes] [--max-ms MS] [--verbose] [--verboser] \
[--reply-prefix P | --reply-prefix-hex H] [--delimiter] [--async] [--echo] [--relaxed] \
[--correlate] [--probe-fsm] [--commands]";

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
        Some("pub") => Role::Pub,
        Some("sub") => Role::Sub,
        Some("xpub") => Role::Xpub,
        Some("xsub") => Role::Xsub,
        Some("req") => Role::Req,
        Some("rep") => Role::Rep,
        Some("dealer") => Role::Dealer,
        Some("router") => Role::Router,
        Some("pair") => Role::Pair,
        Some(other) => {
            return Err(format!(
                "unknown role {other:?} (want push, pull, pub, sub, xpub, xsub, req, rep, \
                 dealer, router or pair)"
            ))
        }
        None => return Err("missing role".into()),
    };
    let mut opts = Options {
        role,
        binds: Vec::new(),
        connects: Vec::new(),
        pending_connect_rid: None,
        routing_id: None,
        security: Vec::new(),
        mandatory: false,
        handover: false,
        count: None,
        sizes: vec![16],
        parts: 1,
        linger: None,
        sndhwm: None,
        rcvhwm: None,
        maxmsgsize: None,
        maxmsgparts: None,
        handshake_ivl: None,
        reconnect_ivl: None,
        heartbeat_ivl: None,
        heartbeat_timeout: None,
        heartbeat_ttl: None,
        transport: Vec::new(),
        ipv6: false,
        monitor: false,
        timeout_ms: None,
        quiet: false,
        topics: Vec::new(),
        subscribe: Vec::new(),
        subscribe_before_connect: false,
        interval_ms: 10,
        wait_start: false,
        until_stdin_closes: false,
        max_ms: None,
        verbose: false,
        verboser: false,
        reply_prefix: None,
        delimiter: false,
        async_send: false,
        echo: false,
        relaxed: false,
        correlate: false,
        probe_fsm: false,
        commands: false,
    };
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let switch = match flag.as_str() {
            "--quiet" => &mut opts.quiet,
            "--subscribe-before-connect" => &mut opts.subscribe_before_connect,
            "--wait-start" => &mut opts.wait_start,
            "--until-stdin-closes" => &mut opts.until_stdin_closes,
            "--verbose" => &mut opts.verbose,
            "--verboser" => &mut opts.verboser,
            "--delimiter" => &mut opts.delimiter,
            "--async" => &mut opts.async_send,
            "--echo" => &mut opts.echo,
            "--relaxed" => &mut opts.relaxed,
            "--correlate" => &mut opts.correlate,
            "--probe-fsm" => &mut opts.probe_fsm,
            "--commands" => &mut opts.commands,
            "--mandatory" => &mut opts.mandatory,
            "--handover" => &mut opts.handover,
            "--ipv6" => &mut opts.ipv6,
            "--monitor" => &mut opts.monitor,
            _ => {
                let value = rest
                    .next()
                    .ok_or_else(|| format!("{flag} needs a value"))?
                    .as_str();
                parse_valued(&mut opts, flag, value)?;
                continue;
            }
        };
        *switch = true;
    }
    if opts.pending_connect_rid.is_some() {
        return Err("--connect-routing-id must come before a --connect".into());
    }
    if opts.binds.is_empty() && opts.connects.is_empty() {
        return Err("give at least one --bind or --connect".into());
    }
    if opts.parts == 0 || opts.sizes.is_empty() {
        return Err("--parts and --sizes must not be empty".into());
    }
    if opts.role == Role::Pub && opts.topics.is_empty() {
        return Err("pub needs --topics (or --topic / --topic-hex)".into());
    }
    let reqrep = matches!(
        opts.role,
        Role::Req | Role::Rep | Role::Dealer | Role::Router | Role::Pair
    );
    if !reqrep && (opts.commands || opts.probe_fsm || opts.reply_prefix.is_some()) {
        return Err(
            "--commands, --probe-fsm and --reply-prefix are for req, rep, dealer, router, pair"
                .into(),
        );
    }
    if opts.role == Role::Router && opts.reply_prefix.is_some() {
        return Err("--reply-prefix would break a router's envelope".into());
    }
    if opts.role != Role::Dealer && (opts.delimiter || opts.async_send || opts.echo) {
        return Err("--delimiter, --async and --echo are for dealer only".into());
    }
    Ok(opts)
}

/// Applies one `--flag value` pair.
fn parse_valued(opts: &mut Options, flag: &str, value: &str) -> Result<(), String> {
    match flag {
        "--bind" => opts.binds.push(value.to_string()),
        "--connect" => opts
            .connects
            .push((value.to_string(), opts.pending_connect_rid.take())),
        "--connect-routing-id" => opts.pending_connect_rid = Some(value.as_bytes().to_vec()),
        "--connect-routing-id-hex" => {
            opts.pending_connect_rid = Some(unhex(value).map_err(|e| format!("{flag}: {e}"))?)
        }
        "--routing-id" => opts.routing_id = Some(value.as_bytes().to_vec()),
        "--routing-id-hex" => {
            opts.routing_id = Some(unhex(value).map_err(|e| format!("{flag}: {e}"))?)
        }
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
        "--maxmsgparts" => opts.maxmsgparts = Some(number(flag, value)?),
        "--handshake-ivl" => opts.handshake_ivl = Some(number(flag, value)?),
        "--reconnect-ivl" => opts.reconnect_ivl = Some(number(flag, value)?),
        "--heartbeat-ivl" => opts.heartbeat_ivl = Some(number(flag, value)?),
        "--heartbeat-timeout" => opts.heartbeat_timeout = Some(number(flag, value)?),
        "--heartbeat-ttl" => opts.heartbeat_ttl = Some(number(flag, value)?),
        "--sndbuf"
        | "--rcvbuf"
        | "--tcp-keepalive"
        | "--tcp-keepalive-cnt"
        | "--tcp-keepalive-idle"
        | "--tcp-keepalive-intvl"
        | "--connect-timeout" => opts
            .transport
            .push((flag.to_string(), number(flag, value)?)),
        "--plain-server" | "--plain-username" | "--plain-password" | "--curve-server"
        | "--curve-serverkey" | "--curve-publickey" | "--curve-secretkey" | "--zap-domain" => {
            opts.security.push((flag.to_string(), value.to_string()))
        }
        "--timeout-ms" => opts.timeout_ms = Some(number(flag, value)?),
        "--topics" => opts
            .topics
            .extend(value.split(',').map(|t| t.as_bytes().to_vec())),
        "--topic" => opts.topics.push(value.as_bytes().to_vec()),
        "--topic-hex" => opts
            .topics
            .push(unhex(value).map_err(|e| format!("{flag}: {e}"))?),
        "--subscribe" => opts.subscribe.push(value.as_bytes().to_vec()),
        "--subscribe-hex" => opts
            .subscribe
            .push(unhex(value).map_err(|e| format!("{flag}: {e}"))?),
        "--interval-ms" => opts.interval_ms = number(flag, value)?,
        "--max-ms" => opts.max_ms = Some(number(flag, value)?),
        "--reply-prefix" => opts.reply_prefix = Some(value.as_bytes().to_vec()),
        "--reply-prefix-hex" => {
            opts.reply_prefix = Some(unhex(value).map_err(|e| format!("{flag}: {e}"))?)
        }
        _ => return Err(format!("unknown option {flag:?}")),
    }
    Ok(())
}

/// Parses one numeric option value.
fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

/// Decodes hex (`-` or the empty string mean no bytes).
fn unhex(text: &str) -> Result<Vec<u8>, String> {
    if text == "-" {
        return Ok(Vec::new());
    }
    if text.len() % 2 != 0 {
        return Err(format!("odd-length hex {text:?}"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("bad hex {text:?}"))
        })
        .collect()
}

/// Encodes bytes as lowercase hex, `-` for no bytes.
fn hex_or_dash(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".to_string();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
        Role::Pub => SocketType::Pub,
        Role::Sub => SocketType::Sub,
        Role::Xpub => SocketType::Xpub,
        Role::Xsub => SocketType::Xsub,
        Role::Req => SocketType::Req,
        Role::Rep => SocketType::Rep,
        Role::Dealer => SocketType::Dealer,
        Role::Router => SocketType::Router,
        Role::Pair => SocketType::Pair,
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
    if let Some(v) = opts.maxmsgparts {
        zmq("set_maxmsgparts", sock.set_maxmsgparts(v))?;
    }
    if let Some(v) = opts.handshake_ivl {
        zmq("set_handshake_ivl", sock.set_handshake_ivl(v))?;
    }
    if let Some(v) = opts.reconnect_ivl {
        zmq("set_reconnect_ivl", sock.set_reconnect_ivl(v))?;
    }
    if let Some(v) = opts.heartbeat_ivl {
        zmq("set_heartbeat_ivl", sock.set_heartbeat_ivl(v))?;
    }
    if let Some(v) = opts.heartbeat_timeout {
        zmq("set_heartbeat_timeout", sock.set_heartbeat_timeout(v))?;
    }
    if let Some(v) = opts.heartbeat_ttl {
        zmq("set_heartbeat_ttl", sock.set_heartbeat_ttl(v))?;
    }
    for (flag, v) in &opts.transport {
        let (what, r) = match flag.as_str() {
            "--sndbuf" => ("set_sndbuf", sock.set_sndbuf(*v)),
            "--rcvbuf" => ("set_rcvbuf", sock.set_rcvbuf(*v)),
            "--tcp-keepalive" => ("set_tcp_keepalive", sock.set_tcp_keepalive(*v)),
            "--tcp-keepalive-cnt" => ("set_tcp_keepalive_cnt", sock.set_tcp_keepalive_cnt(*v)),
            "--tcp-keepalive-idle" => ("set_tcp_keepalive_idle", sock.set_tcp_keepalive_idle(*v)),
            "--tcp-keepalive-intvl" => {
                ("set_tcp_keepalive_intvl", sock.set_tcp_keepalive_intvl(*v))
            }
            // The only other flag parse_valued stores here.
            _ => ("set_connect_timeout", sock.set_connect_timeout(*v)),
        };
        zmq(what, r)?;
    }
    if opts.ipv6 {
        zmq("set_ipv6", sock.set_ipv6(true))?;
    }
    if let Some(v) = opts.timeout_ms {
        zmq("set_sndtimeo", sock.set_sndtimeo(v))?;
        zmq("set_rcvtimeo", sock.set_rcvtimeo(v))?;
    }
    if opts.verbose {
        zmq("set_xpub_verbose", sock.set_xpub_verbose(true))?;
    }
    if opts.verboser {
        zmq("set_xpub_verboser", sock.set_xpub_verboser(true))?;
    }
    if opts.relaxed {
        zmq("set_req_relaxed", sock.set_req_relaxed(true))?;
    }
    if opts.correlate {
        zmq("set_req_correlate", sock.set_req_correlate(true))?;
    }
    if let Some(id) = &opts.routing_id {
        zmq("set_routing_id", sock.set_routing_id(id))?;
    }
    for (flag, value) in &opts.security {
        let v = value.as_bytes();
        let set = match flag.as_str() {
            "--plain-server" => sock.set_plain_server(value == "1"),
            "--plain-username" => sock.set_plain_username(v),
            "--plain-password" => sock.set_plain_password(v),
            "--curve-server" => sock
                .set_curve_server(true)
                .and_then(|()| sock.set_curve_secretkey(v)),
            "--curve-serverkey" => sock.set_curve_serverkey(v),
            "--curve-publickey" => sock.set_curve_publickey(v),
            "--curve-secretkey" => sock.set_curve_secretkey(v),
            _ => sock.set_zap_domain(v),
        };
        zmq("security option", set)?;
    }
    if opts.monitor {
        // Its own thread: the main loop blocks in the socket's calls.
        let mut events = zmq(
            "monitor_stream",
            sock.monitor_stream(ferromq::monitor::EVENT_ALL),
        )?;
        std::thread::spawn(move || {
            while let Ok(ev) = events.recv(0) {
                eprintln!("MONITOR {:#x} {}", ev.number, ev.value);
            }
        });
    }
    if opts.mandatory {
        zmq("set_router_mandatory", sock.set_router_mandatory(true))?;
    }
    if opts.handover {
        zmq("set_router_handover", sock.set_router_handover(true))?;
    }

    let stdout = io::stdout();
    let mut out = stdout.lock();
    if opts.subscribe_before_connect {
        initial_subscriptions(opts, &mut sock)?;
    }
    for ep in &opts.binds {
        zmq("bind", sock.bind(ep))?;
        let resolved = zmq("last_endpoint", sock.last_endpoint())?;
        writeln!(out, "ENDPOINT {resolved}")?;
        out.flush()?;
    }
    for (ep, rid) in &opts.connects {
        if let Some(rid) = rid {
            zmq("set_connect_routing_id", sock.set_connect_routing_id(rid))?;
        }
        zmq("connect", sock.connect(ep))?;
    }
    if !opts.subscribe_before_connect {
        initial_subscriptions(opts, &mut sock)?;
    }

    match opts.role {
        Role::Push => push(opts, &mut sock, &mut out)?,
        Role::Pull => pull(opts, &mut sock, &mut out)?,
        Role::Pub | Role::Sub | Role::Xpub | Role::Xsub => {
            writeln!(out, "READY")?;
            out.flush()?;
            pubsub(opts, &mut sock, &mut out)?
        }
        Role::Req | Role::Rep | Role::Dealer | Role::Router | Role::Pair => {
            writeln!(out, "READY")?;
            out.flush()?;
            if opts.commands {
                reqrep_commands(&mut sock, &mut out, opts.timeout_ms)?
            } else if matches!(opts.role, Role::Rep | Role::Router | Role::Pair) || opts.echo {
                serve(opts, &mut sock, &mut out)?
            } else {
                ask(opts, &mut sock, &mut out)?
            }
        }
    }
    // Closing applies LINGER: queued messages still go out before the socket goes away.
    sock.close();
    drop(ctx);
    Ok(())
}

/// `--subscribe` topics: ZMQ_SUBSCRIBE for sub, a 0x01-prefixed message for xsub.
fn initial_subscriptions(opts: &Options, sock: &mut Socket) -> Result<(), Failure> {
    for topic in &opts.subscribe {
        match opts.role {
            Role::Sub => zmq("set_subscribe", sock.set_subscribe(topic))?,
            Role::Xsub => zmq("send subscription", sock.send(prefixed(1, topic), 0))?,
            _ => {}
        }
    }
    Ok(())
}

/// `prefix` followed by `topic` (a subscription or cancellation message).
fn prefixed(prefix: u8, topic: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(topic.len() + 1);
    body.push(prefix);
    body.extend_from_slice(topic);
    body
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

/// Request `m` as sent by req and dealer: push's message `m` (see the module docs).
fn request(opts: &Options, m: u64) -> Vec<Vec<u8>> {
    let parts = opts.parts as u64;
    (0..parts)
        .map(|f| {
            let size = opts.sizes[((m * parts + f) % opts.sizes.len() as u64) as usize];
            pattern(m, f, size)
        })
        .collect()
}

/// Sends one message frame by frame; a send blocking past --timeout-ms is a timeout.
fn send_message(sock: &mut Socket, frames: Vec<Vec<u8>>, what: &str) -> Result<(), Failure> {
    let n = frames.len();
    for (f, frame) in frames.into_iter().enumerate() {
        let flags = if f + 1 < n { SNDMORE } else { 0 };
        match sock.send(frame, flags) {
            Ok(()) => {}
            Err(Error::Again) => {
                return Err(Failure::Timeout(format!(
                    "send of frame {f} of {what} blocked too long"
                )))
            }
            Err(e) => return Err(Failure::Zmq("send", e)),
        }
    }
    Ok(())
}

/// Receives one whole message; waiting past --timeout-ms is a timeout.
fn recv_message(opts: &Options, sock: &mut Socket, what: &str) -> Result<Vec<Msg>, Failure> {
    match sock.recv_multipart(0) {
        Ok(frames) => Ok(frames),
        Err(Error::Again) => Err(Failure::Timeout(format!(
            "no {what} within {} ms",
            opts.timeout_ms.unwrap_or(-1)
        ))),
        Err(e) => Err(Failure::Zmq("recv", e)),
    }
}

/// The errno of a result, 0 for success (for the `FSM` probe lines).
fn errno_of<T>(r: ferromq::Result<T>) -> i32 {
    r.map_or_else(|e| e.errno(), |_| 0)
}

/// req, dealer: sends `--count` requests and prints each reply (lock-step, or with
/// dealer --async all requests first).
fn ask(opts: &Options, sock: &mut Socket, out: &mut impl Write) -> Result<(), Failure> {
    let count = opts.count.unwrap_or(1);
    let probe = opts.probe_fsm && opts.role == Role::Req;
    if probe {
        let r = sock.recv(DONTWAIT);
        writeln!(out, "FSM recv-first {}", errno_of(r))?;
        out.flush()?;
    }
    let build = |m: u64| {
        let mut frames = request(opts, m);
        if opts.delimiter {
            frames.insert(0, Vec::new());
        }
        frames
    };
    let print_reply = |sock: &mut Socket, out: &mut dyn Write, m: u64| -> Result<(), Failure> {
        let reply = recv_message(opts, sock, &format!("reply to request {m}"))?;
        writeln!(out, "{}", describe(m, &reply))?;
        out.flush()?;
        Ok(())
    };
    if opts.async_send {
        for m in 0..count {
            send_message(sock, build(m), &format!("request {m}"))?;
        }
        for m in 0..count {
            print_reply(sock, out, m)?;
        }
    } else {
        for m in 0..count {
            send_message(sock, build(m), &format!("request {m}"))?;
            if probe && m == 0 {
                let r = sock.send(&b"x"[..], DONTWAIT);
                writeln!(out, "FSM send-twice {}", errno_of(r))?;
                out.flush()?;
            }
            print_reply(sock, out, m)?;
        }
    }
    writeln!(out, "DONE {count}")?;
    out.flush()?;
    Ok(())
}

/// rep, router, pair, dealer --echo: receives requests, prints each, sends it back
/// (behind --reply-prefix); stops after `--count` if given. A router's request starts
/// with the sender's routing id, so the echo goes back to the sender.
fn serve(opts: &Options, sock: &mut Socket, out: &mut impl Write) -> Result<(), Failure> {
    let probe = opts.probe_fsm && opts.role == Role::Rep;
    if probe {
        let r = sock.send(&b"x"[..], DONTWAIT);
        writeln!(out, "FSM send-first {}", errno_of(r))?;
        out.flush()?;
    }
    let mut served: u64 = 0;
    // Without --count this never stops: the tests kill the process.
    while opts.count != Some(served) {
        let frames = recv_message(opts, sock, &format!("request {served}"))?;
        writeln!(out, "{}", describe(served, &frames))?;
        out.flush()?;
        if probe && served == 0 {
            let r = sock.recv(DONTWAIT);
            writeln!(out, "FSM recv-twice {}", errno_of(r))?;
            out.flush()?;
        }
        let mut reply: Vec<Vec<u8>> = Vec::with_capacity(frames.len() + 1);
        if let Some(prefix) = &opts.reply_prefix {
            reply.push(prefix.clone());
        }
        reply.extend(frames.iter().map(|f| f.to_vec()));
        send_message(sock, reply, &format!("reply {served}"))?;
        served += 1;
    }
    writeln!(out, "DONE {served}")?;
    out.flush()?;
    Ok(())
}

/// req/rep/dealer --commands: obeys stdin commands (see the module docs) until `STOP` or
/// end of stdin.
fn reqrep_commands(
    sock: &mut Socket,
    out: &mut impl Write,
    timeout_ms: Option<i32>,
) -> Result<(), Failure> {
    let mut received: u64 = 0;
    let stdin = io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let mut words = line.split_whitespace();
        let verb = words.next().unwrap_or("");
        let args: Vec<&str> = words.collect();
        match verb {
            "" => continue,
            "STOP" => break,
            "SEND" => {
                let decoded: Result<Vec<Vec<u8>>, String> = args.iter().map(|a| unhex(a)).collect();
                let frames = match decoded {
                    Ok(d) if d.is_empty() => vec![Vec::new()],
                    Ok(d) => d,
                    Err(e) => {
                        writeln!(out, "ERROR usage {e}")?;
                        out.flush()?;
                        continue;
                    }
                };
                match sock.send_multipart(frames, 0) {
                    Ok(()) => writeln!(out, "SENT")?,
                    Err(e) => writeln!(out, "ERROR send {}", e.errno())?,
                }
            }
            "RECV" | "TRYRECV" => {
                let flags = if verb == "RECV" { 0 } else { DONTWAIT };
                let wait_ms = match args.first().map(|a| a.parse::<i32>()) {
                    None => None,
                    Some(Ok(ms)) if verb == "RECV" && ms >= 0 => Some(ms),
                    Some(_) => {
                        writeln!(out, "ERROR usage bad RECV argument {args:?}")?;
                        out.flush()?;
                        continue;
                    }
                };
                if let Some(ms) = wait_ms {
                    zmq("set_rcvtimeo", sock.set_rcvtimeo(ms))?;
                }
                let got = sock.recv_multipart(flags);
                if wait_ms.is_some() {
                    zmq("set_rcvtimeo", sock.set_rcvtimeo(timeout_ms.unwrap_or(-1)))?;
                }
                match got {
                    Ok(frames) => {
                        writeln!(out, "{}", describe(received, &frames))?;
                        received += 1;
                    }
                    Err(e) => writeln!(out, "ERROR recv {}", e.errno())?,
                }
            }
            other => writeln!(out, "ERROR usage unknown command {other:?}")?,
        }
        out.flush()?;
    }
    writeln!(out, "DONE {received}")?;
    out.flush()?;
    Ok(())
}

/// Lines read from stdin by a helper thread; `None` is end of file (or a read error).
fn stdin_lines() -> Receiver<Option<String>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let stdin = io::stdin();
        for line in stdin.lock().lines() {
            match line {
                Ok(line) => {
                    if tx.send(Some(line)).is_err() {
                        return;
                    }
                }
                Err(_) => break,
            }
        }
        let _ = tx.send(None);
    });
    rx
}

/// How long one receive waits before the loop looks at stdin and the clock again.
const POLL_MS: u64 = 20;

/// State of the pub/sub/xpub/xsub loop.
struct PubSub {
    /// Messages received (sub, xsub, xpub).
    received: u64,
    /// Next round's sequence number (pub, xpub with topics).
    next_seq: u64,
    /// pub with --wait-start: the sequence number `START` was given at.
    counted_from: Option<u64>,
    /// Set by `STOP`, end of stdin (with --until-stdin-closes) or --max-ms.
    stop: bool,
}

/// The pub/sub/xpub/xsub main loop: publishes rounds (pub, xpub with topics), receives and
/// prints messages (sub, xsub, xpub) and obeys stdin commands, until a stop condition.
fn pubsub(opts: &Options, sock: &mut Socket, out: &mut impl Write) -> Result<(), Failure> {
    let can_recv = opts.role != Role::Pub;
    let publishing = matches!(opts.role, Role::Pub | Role::Xpub) && !opts.topics.is_empty();
    // The loop polls: short receive timeouts, so that stdin and the clock are looked at
    // often. --timeout-ms becomes an idle limit checked by the loop itself.
    zmq("set_rcvtimeo", sock.set_rcvtimeo(POLL_MS as i32))?;
    let idle_limit = opts
        .timeout_ms
        .filter(|&ms| ms >= 0)
        .map(|ms| Duration::from_millis(ms as u64));
    let interval = Duration::from_millis(opts.interval_ms);
    let started = Instant::now();
    let mut last_activity = Instant::now();
    let mut next_round = Instant::now();
    let commands = stdin_lines();
    let mut stdin_open = true;
    let mut st = PubSub {
        received: 0,
        next_seq: 0,
        counted_from: if opts.wait_start { None } else { Some(0) },
        stop: false,
    };

    loop {
        // Commands first, so that e.g. UNSUBSCRIBED is printed as soon as it took effect.
        while stdin_open {
            match commands.try_recv() {
                Ok(Some(line)) => command(opts, sock, out, &line, &mut st)?,
                Ok(None) | Err(TryRecvError::Disconnected) => {
                    stdin_open = false;
                    if opts.until_stdin_closes {
                        st.stop = true;
                    }
                }
                Err(TryRecvError::Empty) => break,
            }
        }
        if st.stop
            || opts
                .max_ms
                .is_some_and(|ms| started.elapsed() >= Duration::from_millis(ms))
        {
            break;
        }
        if let Some(count) = opts.count {
            let done = if opts.role == Role::Pub {
                st.counted_from
                    .is_some_and(|from| st.next_seq >= from + count)
            } else {
                st.received >= count
            };
            if done {
                break;
            }
        }

        if publishing && Instant::now() >= next_round {
            publish_round(opts, sock, st.next_seq)?;
            st.next_seq += 1;
            next_round += interval;
            if next_round < Instant::now() {
                // Fell behind (slow machine): do not try to catch up in a burst.
                next_round = Instant::now() + interval;
            }
            continue;
        }

        if can_recv {
            match sock.recv_multipart(0) {
                Ok(frames) => {
                    last_activity = Instant::now();
                    report(opts, out, st.received, &frames)?;
                    st.received += 1;
                }
                Err(Error::Again) => {
                    if idle_limit.is_some_and(|limit| last_activity.elapsed() > limit) {
                        return Err(Failure::Timeout(format!(
                            "no message for {} ms after {} messages",
                            opts.timeout_ms.unwrap_or(-1),
                            st.received
                        )));
                    }
                }
                Err(e) => return Err(Failure::Zmq("recv", e)),
            }
        } else {
            let now = Instant::now();
            let nap = if publishing && next_round > now {
                (next_round - now).min(Duration::from_millis(POLL_MS))
            } else {
                Duration::from_millis(POLL_MS)
            };
            std::thread::sleep(nap);
        }
    }

    let n = if opts.role == Role::Pub {
        st.next_seq
    } else {
        st.received
    };
    writeln!(out, "DONE {n}")?;
    out.flush()?;
    Ok(())
}

/// Prints one received message: `SUB`/`UNSUB` lines for subscription messages on xpub,
/// `MSG` lines otherwise (unless --quiet).
fn report(opts: &Options, out: &mut impl Write, index: u64, frames: &[Msg]) -> io::Result<()> {
    if opts.role == Role::Xpub && frames.len() == 1 {
        let body: &[u8] = &frames[0];
        match body.first() {
            Some(1) => {
                writeln!(out, "SUB {}", hex_or_dash(&body[1..]))?;
                return out.flush();
            }
            Some(0) => {
                writeln!(out, "UNSUB {}", hex_or_dash(&body[1..]))?;
                return out.flush();
            }
            _ => {}
        }
    }
    if !opts.quiet {
        writeln!(out, "{}", describe(index, frames))?;
        out.flush()?;
    }
    Ok(())
}

/// Executes one stdin command (see the module docs).
fn command(
    opts: &Options,
    sock: &mut Socket,
    out: &mut impl Write,
    line: &str,
    st: &mut PubSub,
) -> Result<(), Failure> {
    let mut words = line.split_whitespace();
    let verb = words.next().unwrap_or("");
    let args: Vec<&str> = words.collect();
    let decoded: Result<Vec<Vec<u8>>, String> = args.iter().map(|a| unhex(a)).collect();
    let decoded = match decoded {
        Ok(d) => d,
        Err(e) => {
            writeln!(out, "ERROR usage {e}")?;
            return Ok(out.flush()?);
        }
    };
    let topic = decoded.first().cloned().unwrap_or_default();
    let (what, result): (&str, ferromq::Result<String>) = match verb {
        "" => return Ok(()),
        "SUBSCRIBE" | "UNSUBSCRIBE" => {
            let sub = verb == "SUBSCRIBE";
            let r = match opts.role {
                Role::Xsub => sock.send(prefixed(u8::from(sub), &topic), 0),
                _ if sub => sock.set_subscribe(&topic),
                _ => sock.set_unsubscribe(&topic),
            };
            let answer = if sub { "SUBSCRIBED" } else { "UNSUBSCRIBED" };
            (
                if sub { "subscribe" } else { "unsubscribe" },
                r.map(|()| format!("{answer} {}", hex_or_dash(&topic))),
            )
        }
        "SEND" => {
            let frames = if decoded.is_empty() {
                vec![Vec::new()]
            } else {
                decoded
            };
            (
                "send",
                sock.send_multipart(frames, 0).map(|()| "SENT".to_string()),
            )
        }
        "START" => {
            let from = *st.counted_from.get_or_insert(st.next_seq);
            ("start", Ok(format!("STARTED {from}")))
        }
        "STOP" => {
            st.stop = true;
            return Ok(());
        }
        other => {
            writeln!(out, "ERROR usage unknown command {other:?}")?;
            return Ok(out.flush()?);
        }
    };
    match result {
        Ok(answer) => writeln!(out, "{answer}")?,
        Err(e) => writeln!(out, "ERROR {what} {}", e.errno())?,
    }
    out.flush()?;
    Ok(())
}

/// Publishes one round: one message per topic (see the module docs for the content).
fn publish_round(opts: &Options, sock: &mut Socket, seq: u64) -> Result<(), Failure> {
    for topic in &opts.topics {
        for (f, frame) in pub_frames(topic, seq, opts.parts, &opts.sizes)
            .into_iter()
            .enumerate()
        {
            let flags = if f + 1 < opts.parts { SNDMORE } else { 0 };
            match sock.send(frame, flags) {
                Ok(()) => {}
                Err(Error::Again) => {
                    return Err(Failure::Timeout(format!(
                        "publishing round {seq} blocked (a PUB must never block)"
                    )))
                }
                Err(e) => return Err(Failure::Zmq("send", e)),
            }
        }
    }
    Ok(())
}

/// The frames `pub` sends for `topic` in round `seq`.
fn pub_frames(topic: &[u8], seq: u64, parts: usize, sizes: &[usize]) -> Vec<Vec<u8>> {
    let size = |f: usize| sizes[f % sizes.len()];
    if parts == 1 {
        let mut frame = topic.to_vec();
        frame.extend_from_slice(format!("|{seq}|").as_bytes());
        frame.extend(letters(seq, 0, size(0)));
        return vec![frame];
    }
    let mut frames = vec![topic.to_vec()];
    for f in 1..parts {
        let mut frame = format!("{seq}|{f}|").into_bytes();
        frame.extend(letters(seq, f as u64, size(f)));
        frames.push(frame);
    }
    frames
}

/// `n` letters: byte `i` is `b'a' + (seq + f + i) % 26`.
fn letters(seq: u64, f: u64, n: usize) -> impl Iterator<Item = u8> {
    let start = ((seq + f) % 26) as usize;
    (0..n).map(move |i| b'a' + ((start + i) % 26) as u8)
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

    #[test]
    fn hex_round_trip() {
        assert_eq!(unhex("0141ff").unwrap(), vec![1, 0x41, 0xff]);
        assert_eq!(unhex("-").unwrap(), Vec::<u8>::new());
        assert_eq!(unhex("").unwrap(), Vec::<u8>::new());
        assert!(unhex("0").is_err());
        assert!(unhex("zz").is_err());
        assert_eq!(hex_or_dash(&[]), "-");
        assert_eq!(hex_or_dash(&[0xab, 1]), "ab01");
    }

    #[test]
    fn pub_frames_layout() {
        assert_eq!(pub_frames(b"A", 3, 1, &[4]), vec![b"A|3|defg".to_vec()]);
        assert_eq!(
            pub_frames(b"t", 25, 3, &[2, 0]),
            vec![b"t".to_vec(), b"25|1|".to_vec(), b"25|2|bc".to_vec()]
        );
    }

    #[test]
    fn parse_pubsub_options() {
        let args: Vec<String> = [
            "sub",
            "--connect",
            "tcp://127.0.0.1:5555",
            "--subscribe",
            "A",
            "--subscribe-hex",
            "00ff",
            "--until-stdin-closes",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let opts = parse_args(&args).unwrap();
        assert_eq!(opts.subscribe, vec![b"A".to_vec(), vec![0, 0xff]]);
        assert!(opts.until_stdin_closes);
        let bad = vec!["pub".to_string(), "--bind".to_string(), "x".to_string()];
        assert!(parse_args(&bad).is_err(), "pub without topics");
    }

    #[test]
    fn parse_reqrep_options() {
        let to_args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let opts = parse_args(&to_args(&[
            "rep",
            "--bind",
            "tcp://127.0.0.1:*",
            "--reply-prefix-hex",
            "-",
            "--probe-fsm",
        ]))
        .unwrap();
        assert!(opts.role == Role::Rep && opts.probe_fsm);
        assert_eq!(opts.reply_prefix, Some(Vec::new()));
        let opts = parse_args(&to_args(&[
            "dealer",
            "--connect",
            "tcp://127.0.0.1:1",
            "--delimiter",
            "--async",
            "--parts",
            "2",
        ]))
        .unwrap();
        assert!(opts.delimiter && opts.async_send && !opts.echo);
        assert_eq!(
            request(&opts, 1),
            vec![pattern(1, 0, 16), pattern(1, 1, 16)]
        );
        assert!(parse_args(&to_args(&["req", "--connect", "x", "--echo"])).is_err());
        assert!(parse_args(&to_args(&["push", "--connect", "x", "--commands"])).is_err());
    }

    #[test]
    fn parse_router_options() {
        let to_args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let opts = parse_args(&to_args(&[
            "router",
            "--connect",
            "a",
            "--connect-routing-id-hex",
            "4142",
            "--connect",
            "b",
            "--routing-id",
            "me",
            "--mandatory",
            "--handover",
            "--commands",
        ]))
        .unwrap();
        assert!(opts.role == Role::Router && opts.mandatory && opts.handover && opts.commands);
        assert_eq!(
            opts.connects,
            vec![
                ("a".to_string(), None),
                ("b".to_string(), Some(b"AB".to_vec()))
            ]
        );
        assert_eq!(opts.routing_id, Some(b"me".to_vec()));
        let dangling = ["router", "--connect", "a", "--connect-routing-id", "x"];
        assert!(parse_args(&to_args(&dangling)).is_err());
        let prefix = ["router", "--bind", "a", "--reply-prefix", "p"];
        assert!(parse_args(&to_args(&prefix)).is_err());
        assert!(parse_args(&to_args(&["pair", "--bind", "a", "--reply-prefix", "p"])).is_ok());
    }
}
