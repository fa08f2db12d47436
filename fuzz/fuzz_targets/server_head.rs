//! The server's head reader (`src/server/head.rs`, compiled in here as it stands) on
//! arbitrary bytes arriving in arbitrary reads under an arbitrary limit: it must never
//! panic; it must stop at the first blank line, or answer too-large once `max` bytes hold
//! none, or closed when the peer stops first; the chunks must tile what was read; and the
//! buffer must never grow past `max` plus one read.
#![no_main]

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncRead, ReadBuf};

#[allow(dead_code)]
#[path = "../../src/server/head.rs"]
mod head;

use head::{read_head, HeadError};

/// The biggest read the head reader asks for (its buffer).
const READ: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let [hi, lo, seed, input @ ..] = data else {
        return;
    };
    let max = usize::from(u16::from_be_bytes([*hi, *lo]));
    // Read sizes from 1 to 64 from a xorshift seeded by the third byte (a read of 0
    // bytes is the peer closing, which comes only at the end).
    let mut state = u64::from(*seed) << 32 | 0x9E37_79B9;
    let mut sizes = std::iter::from_fn(move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        Some(1 + (state % 64) as usize)
    });
    let mut reads = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let (read, after) = rest.split_at(sizes.next().unwrap_or(1).min(rest.len()));
        reads.push(read);
        rest = after;
    }
    let mut stream = Reads { reads, next: 0, taken: 0 };
    let result = {
        let mut future = std::pin::pin!(read_head(&mut stream, max));
        match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => result,
            Poll::Pending => panic!("the reader never waits, so neither may read_head"),
        }
    };

    let blank = input.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
    match result {
        Ok(head) => {
            assert_eq!(Some(head.len), blank, "the head does not end at the first blank line");
            assert!(head.len <= max);
            assert_eq!(head.bytes, input[..head.bytes.len()], "bytes differ from those read");
            assert_eq!(head.bytes.len(), stream.taken);
            let mut at = 0;
            for chunk in &head.chunks {
                assert_eq!(chunk.start, at);
                assert!(chunk.end > chunk.start && chunk.end - chunk.start <= READ);
                at = chunk.end;
            }
            assert_eq!(at, head.bytes.len());
            // The head ends in the last read.
            assert!(head.chunks.last().is_some_and(|c| c.start < head.len && head.len <= c.end));
        }
        Err(HeadError::TooLarge { max: m }) => {
            assert_eq!(m, max);
            // The limit is checked after each read: a peer that sends nothing is closed,
            // even under a limit of 0.
            let over = !input.is_empty() && input.len() >= max;
            assert!(blank.map_or(over, |end| end > max), "too large for no reason");
            assert!(stream.taken <= max + READ, "read {} bytes for a limit of {max}", stream.taken);
        }
        Err(HeadError::Closed) => {
            let under = input.is_empty() || input.len() < max;
            assert!(blank.is_none() && under, "closed with a head or past the limit");
            assert_eq!(stream.taken, input.len());
        }
    }
});

/// A peer that sends the given reads, one per `read()` (as much as fits), then closes.
struct Reads<'a> {
    reads: Vec<&'a [u8]>,
    next: usize,
    /// Bytes handed out so far.
    taken: usize,
}

impl AsyncRead for Reads<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let next = self.next;
        if let Some(read) = self.reads.get_mut(next) {
            let n = read.len().min(buf.remaining());
            buf.put_slice(&read[..n]);
            *read = &read[n..];
            if read.is_empty() {
                self.next += 1;
            }
            self.taken += n;
        }
        Poll::Ready(Ok(()))
    }
}

use std::future::Future as _;
