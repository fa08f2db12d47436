//! Inflating permessage-deflate messages (RFC 7692 §7.2.2), one direction at a time.

use flate2::{Decompress, FlushDecompress, Status};

/// The 4 octets RFC 7692 §7.2.2 appends before inflating: "Append 4 octets of 0x00 0x00
/// 0xff 0xff to the tail end of the payload of the message. Decompress the resulting
/// data using DEFLATE."
pub const DEFLATE_TRAILER: [u8; 4] = [0x00, 0x00, 0xFF, 0xFF];

/// Why a message did not inflate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InflateError {
    /// The data is not a valid DEFLATE stream (the decompressor's own words).
    Invalid(String),
    /// The output passed the size limit; it was cut at the limit.
    TooBig,
}

/// The receiving side of one direction's permessage-deflate: one raw DEFLATE stream
/// whose LZ77 window carries over from message to message unless the sender declared
/// no context takeover.
///
/// RFC 7692 §7.1.1.1: with server_no_context_takeover "the server MUST start compressing
/// each new message with an empty LZ77 sliding window"; a receiver resets its window too.
/// The window size parameters need no setting here: a 32 KiB window inflates any
/// smaller one.
///
/// ```
/// use wsinspect::Inflater;
/// let mut inflater = Inflater::new(false);
/// let mut out = Vec::new();
/// inflater.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], &mut out, None).unwrap();
/// inflater.finish_message(&mut out, None).unwrap();
/// assert_eq!(out, b"Hello");
/// ```
pub struct Inflater {
    decompress: Decompress,
    no_context_takeover: bool,
    /// The stream ended (a block with BFINAL): the rest of the message is ignored.
    stream_ended: bool,
    /// The stream is broken (invalid data or output cut short): restart at the next message.
    broken: bool,
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflater")
            .field("no_context_takeover", &self.no_context_takeover)
            .field("total_in", &self.decompress.total_in())
            .field("total_out", &self.decompress.total_out())
            .finish()
    }
}

impl Inflater {
    /// A fresh inflater; `no_context_takeover` empties the window after each message.
    pub fn new(no_context_takeover: bool) -> Self {
        Inflater {
            decompress: Decompress::new(false),
            no_context_takeover,
            stream_ended: false,
            broken: false,
        }
    }

    /// Inflates the next piece of a compressed message's payload, appending to `out`,
    /// which never grows far past `limit` (it is cut to `limit` and `TooBig` returned).
    pub fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        limit: Option<usize>,
    ) -> Result<(), InflateError> {
        self.run(input, out, limit, FlushDecompress::None)
    }

    /// Ends a message: inflates the appended 00 00 FF FF, then empties the window when
    /// the direction has no context takeover (or when the stream ended or broke).
    pub fn finish_message(
        &mut self,
        out: &mut Vec<u8>,
        limit: Option<usize>,
    ) -> Result<(), InflateError> {
        let result = self.run(&DEFLATE_TRAILER, out, limit, FlushDecompress::Sync);
        if self.no_context_takeover || self.stream_ended || self.broken || result.is_err() {
            self.decompress.reset(false);
            self.stream_ended = false;
            self.broken = false;
        }
        result
    }

    fn run(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        limit: Option<usize>,
        flush: FlushDecompress,
    ) -> Result<(), InflateError> {
        if self.stream_ended || self.broken {
            return Ok(());
        }
        loop {
            // Room for at least one more byte past the limit, to tell "exactly at the
            // limit" from "over it". Growth follows the output, never a declared length.
            let room = limit.map_or(usize::MAX, |l| {
                l.saturating_add(1).saturating_sub(out.len())
            });
            if room == 0 {
                return Err(self.too_big(out, limit));
            }
            if out.capacity() == out.len() {
                let want = input.len().saturating_mul(4).max(out.len()).max(256);
                out.reserve(want.min(room));
            }
            let (in_before, out_before) = (self.decompress.total_in(), self.decompress.total_out());
            let status = self
                .decompress
                .decompress_vec(input, out, flush)
                .map_err(|e| {
                    self.broken = true;
                    InflateError::Invalid(e.message().map_or_else(
                        || "invalid deflate data".to_string(),
                        |m| m.to_ascii_lowercase(),
                    ))
                })?;
            let consumed = (self.decompress.total_in() - in_before) as usize;
            let produced = self.decompress.total_out() - out_before;
            input = input.get(consumed..).unwrap_or_default();
            if limit.is_some_and(|l| out.len() > l) {
                return Err(self.too_big(out, limit));
            }
            if status == Status::StreamEnd {
                self.stream_ended = true;
                return Ok(());
            }
            let output_full = out.len() == out.capacity();
            if !output_full && (input.is_empty() || (consumed == 0 && produced == 0)) {
                return Ok(());
            }
        }
    }

    fn too_big(&mut self, out: &mut Vec<u8>, limit: Option<usize>) -> InflateError {
        if let Some(l) = limit {
            out.truncate(l);
        }
        self.broken = true;
        InflateError::TooBig
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inflates one message; like the decoder, always ends it (so a broken stream resets).
    fn inflate_message(inflater: &mut Inflater, pieces: &[&[u8]]) -> Result<Vec<u8>, InflateError> {
        let mut out = Vec::new();
        let mut result = Ok(());
        for piece in pieces {
            if result.is_ok() {
                result = inflater.inflate(piece, &mut out, None);
            }
        }
        let end = inflater.finish_message(&mut out, None);
        result.and(end).map(|()| out)
    }

    #[test]
    fn rfc7692_examples() {
        // RFC 7692 §7.2.3.1, §7.2.3.3, §7.2.3.4, §7.2.3.5.
        let cases: [&[u8]; 4] = [
            &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
            &[
                0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
            ],
            &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00],
            &[
                0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
            ],
        ];
        for case in cases {
            for split in 0..=case.len() {
                let mut inflater = Inflater::new(false);
                let (a, b) = case.split_at(split);
                assert_eq!(inflate_message(&mut inflater, &[a, b]).unwrap(), b"Hello");
                // The inflater is ready for the next message.
                assert_eq!(
                    inflate_message(&mut inflater, &[cases[0]]).unwrap(),
                    b"Hello"
                );
            }
        }
    }

    #[test]
    fn shared_window_needs_context_takeover() {
        // RFC 7692 §7.2.3.2: the second "Hello" refers back to the first.
        let first: &[u8] = &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        let second: &[u8] = &[0xf2, 0x00, 0x11, 0x00, 0x00];
        let mut kept = Inflater::new(false);
        assert_eq!(inflate_message(&mut kept, &[first]).unwrap(), b"Hello");
        assert_eq!(inflate_message(&mut kept, &[second]).unwrap(), b"Hello");
        let mut reset = Inflater::new(true);
        assert_eq!(inflate_message(&mut reset, &[first]).unwrap(), b"Hello");
        // Without the window the back-reference cannot be resolved. zlib-rs says
        // "invalid distance too far back"; miniz_oxide reads its zeroed window instead,
        // so only the wrong result shows.
        let r = inflate_message(&mut reset, &[second]);
        assert_ne!(r, Ok(b"Hello".to_vec()));
        // And the inflater recovers for the next self-contained message.
        assert_eq!(inflate_message(&mut reset, &[first]).unwrap(), b"Hello");
    }

    #[test]
    fn output_is_cut_at_the_limit() {
        // 1000 bytes of 'a' stored uncompressed would be large; a repeated-run stream
        // expands instead: deflate of b"a" * 100_000 made by hand is long, so use a
        // stored block and a small limit.
        let mut data = vec![0x01, 0x0a, 0x00, 0xf5, 0xff];
        data.extend_from_slice(b"0123456789");
        for limit in [0usize, 1, 9, 10] {
            let mut inflater = Inflater::new(false);
            let mut out = Vec::new();
            let r = inflater.inflate(&data, &mut out, Some(limit));
            if limit >= 10 {
                assert_eq!(r, Ok(()));
                assert_eq!(out, b"0123456789");
            } else {
                assert_eq!(r, Err(InflateError::TooBig));
                assert_eq!(out, &b"0123456789"[..limit]);
            }
        }
    }

    #[test]
    fn garbage_is_reported_not_panicked() {
        let mut inflater = Inflater::new(false);
        let r = inflate_message(&mut inflater, &[&[0xff, 0xff, 0xff, 0xff]]);
        assert!(matches!(r, Err(InflateError::Invalid(_))), "{r:?}");
    }
}
