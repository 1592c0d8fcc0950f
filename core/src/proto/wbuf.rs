//! [`WriteBuf`]: outgoing bytes of one connection, written with vectored I/O.
//!
//! Small frames are copied into one staging buffer so that thousands of messages leave in
//! a single `writev`; large frames are queued as their own `Bytes` chunk and go out
//! without being copied.
//!
//! The buffer also remembers where each message ends, so the driver can tell its pipe
//! how many messages the kernel has taken (the credit SNDHWM gives back).

use crate::msg::Msg;
use crate::proto::frame::encode_frame_header;
use bytes::{Buf, Bytes, BytesMut};
use std::collections::VecDeque;
use std::io::{self, IoSlice, Write};

/// Frames at least this large are sent from their own buffer instead of being copied.
const ZERO_COPY_MIN: usize = 16 * 1024;
/// At most this many chunks per `writev`.
const MAX_IOV: usize = 64;

#[derive(Debug, Default)]
pub(crate) struct WriteBuf {
    /// Sealed chunks, oldest first; `staging` follows them.
    chunks: VecDeque<Bytes>,
    staging: BytesMut,
    len: usize,
    /// Bytes ever pushed and ever written, since the last `clear`.
    pushed: u64,
    written: u64,
    /// Values of `pushed` at which a message ended, oldest first, not yet written.
    ends: VecDeque<u64>,
}

impl WriteBuf {
    /// Bytes waiting to be written.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one message frame.
    pub fn push_msg(&mut self, msg: &Msg) {
        let body = msg.len();
        match msg.shared() {
            Some(b) if body >= ZERO_COPY_MIN => {
                encode_frame_header(msg.more(), false, body, &mut self.staging);
                self.seal();
                self.chunks.push_back(b.clone());
            }
            _ => {
                encode_frame_header(msg.more(), false, body, &mut self.staging);
                self.staging.extend_from_slice(msg.as_bytes());
            }
        }
        let n = crate::proto::frame::header_len_for(body) + body;
        self.len += n;
        self.pushed += n as u64;
        if !msg.more() {
            self.ends.push_back(self.pushed);
        }
    }

    /// Marks the end of a message sent in another form (a subscription command).
    pub fn end_message(&mut self) {
        self.ends.push_back(self.pushed);
    }

    /// Messages whose last byte is still here.
    pub fn pending_messages(&self) -> usize {
        self.ends.len()
    }

    /// How many messages were written out completely since the last call.
    pub fn take_written_messages(&mut self) -> usize {
        let mut n = 0;
        while self.ends.front().is_some_and(|&end| end <= self.written) {
            self.ends.pop_front();
            n += 1;
        }
        n
    }

    /// Appends bytes produced by `fill` (greetings, commands).
    pub fn push_with(&mut self, fill: impl FnOnce(&mut BytesMut)) {
        let before = self.staging.len();
        fill(&mut self.staging);
        let n = self.staging.len() - before;
        self.len += n;
        self.pushed += n as u64;
    }

    fn seal(&mut self) {
        if !self.staging.is_empty() {
            self.chunks.push_back(self.staging.split().freeze());
        }
    }

    /// Drops everything (the connection is gone).
    pub fn clear(&mut self) {
        self.chunks.clear();
        self.staging.clear();
        self.len = 0;
        self.pushed = 0;
        self.written = 0;
        self.ends.clear();
    }

    /// Writes as much as one `writev` takes. Returns the byte count.
    pub fn write_to<W: Write>(&mut self, w: &mut W) -> io::Result<usize> {
        let mut slices: [IoSlice<'_>; MAX_IOV] = [IoSlice::new(&[]); MAX_IOV];
        let mut n = 0;
        for c in self.chunks.iter().take(MAX_IOV) {
            slices[n] = IoSlice::new(c);
            n += 1;
        }
        // The staging buffer comes after every chunk: it goes out only with the last.
        if n == self.chunks.len() && n < MAX_IOV && !self.staging.is_empty() {
            slices[n] = IoSlice::new(&self.staging);
            n += 1;
        }
        let written = w.write_vectored(&slices[..n])?;
        self.consume(written);
        Ok(written)
    }

    fn consume(&mut self, mut n: usize) {
        self.len -= n;
        self.written += n as u64;
        while n > 0 {
            match self.chunks.front_mut() {
                Some(c) if c.len() <= n => {
                    n -= c.len();
                    self.chunks.pop_front();
                }
                Some(c) => {
                    c.advance(n);
                    return;
                }
                None => {
                    self.staging.advance(n);
                    break;
                }
            }
        }
        if self.staging.is_empty() {
            // Reuse the allocation from its start when nothing else holds it.
            self.staging.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that takes at most `max` bytes per call.
    struct Trickle {
        out: Vec<u8>,
        max: usize,
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(self.max);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn partial_writes_keep_byte_order() {
        let mut wb = WriteBuf::default();
        let mut expected = Vec::new();
        for (i, len) in [0usize, 1, 255, 256, 20_000, 3, 70_000]
            .into_iter()
            .enumerate()
        {
            let mut m = Msg::from(vec![i as u8; len]);
            m.set_more(i % 2 == 0);
            wb.push_msg(&m);
            encode_frame_header(m.more(), false, len, &mut expected);
            expected.extend_from_slice(&m);
        }
        assert_eq!(wb.len(), expected.len());
        let mut w = Trickle {
            out: Vec::new(),
            max: 777,
        };
        while !wb.is_empty() {
            wb.write_to(&mut w).unwrap();
        }
        assert_eq!(w.out, expected);
    }

    #[test]
    fn more_chunks_than_one_writev_takes_keep_byte_order() {
        let mut wb = WriteBuf::default();
        let mut expected = Vec::new();
        for i in 0..3 * MAX_IOV {
            let len = if i % 2 == 0 { ZERO_COPY_MIN } else { 5 };
            let m = Msg::from(vec![i as u8; len]);
            wb.push_msg(&m);
            encode_frame_header(false, false, len, &mut expected);
            expected.extend_from_slice(&m);
        }
        assert!(wb.chunks.len() > MAX_IOV);
        let mut out = Vec::new();
        while !wb.is_empty() {
            wb.write_to(&mut out).unwrap();
        }
        assert_eq!(out, expected);
    }

    #[test]
    fn messages_count_as_written_once_their_last_byte_is() {
        let mut wb = WriteBuf::default();
        let mut first = Msg::from(vec![1u8; 10]);
        first.set_more(true);
        wb.push_msg(&first); // 12 bytes, not a message end
        wb.push_msg(&Msg::from(vec![2u8; 10])); // ends at 24
        wb.push_with(|b| b.extend_from_slice(b"cmd"));
        wb.end_message(); // ends at 27
        assert_eq!(wb.pending_messages(), 2);
        let mut w = Trickle {
            out: Vec::new(),
            max: 23,
        };
        wb.write_to(&mut w).unwrap();
        assert_eq!(
            wb.take_written_messages(),
            0,
            "one byte of the first message is left"
        );
        w.max = 1;
        wb.write_to(&mut w).unwrap();
        assert_eq!(wb.take_written_messages(), 1);
        w.max = 100;
        wb.write_to(&mut w).unwrap();
        assert_eq!(wb.take_written_messages(), 1);
        assert_eq!(wb.pending_messages(), 0);
        wb.push_msg(&Msg::from("x"));
        wb.clear();
        assert_eq!(wb.pending_messages(), 0);
    }
}
