//! Inflating permessage-deflate messages (RFC 7692 §7.2.2), one direction at a time.
//!
//! miniz_oxide's core decompressor runs over an output window this module manages: a
//! non-wrapping buffer holding the history a back-reference may reach (the previous
//! 32 KiB under context takeover, nothing at the start of a message otherwise). A
//! distance reaching before that history is then an error the decompressor reports,
//! rather than a read of stale or zeroed window bytes.

use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

/// The 4 octets RFC 7692 §7.2.2 appends before inflating: "Append 4 octets of 0x00 0x00
/// 0xff 0xff to the tail end of the payload of the message. Decompress the resulting
/// data using DEFLATE."
pub const DEFLATE_TRAILER: [u8; 4] = [0x00, 0x00, 0xFF, 0xFF];

/// The largest LZ77 window (RFC 1951 §3.2.5: distances up to 32768; RFC 7692 §7.1.2:
/// window bits 8 to 15).
const WINDOW: usize = 32 * 1024;

/// The most output asked of the decompressor in one call.
const STEP: usize = 64 * 1024;

/// Raw DEFLATE (no zlib header); more input may always follow (a message's end is a
/// sync point, not the end of the stream); the output buffer does not wrap, so a
/// distance past its start fails.
const FLAGS: u32 = TINFL_FLAG_HAS_MORE_INPUT | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;

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
/// each new message with an empty LZ77 sliding window"; the receiver empties its window
/// too, so a message that refers back past its own start fails to inflate.
///
/// RFC 7692 §7.1.2.1/§7.1.2.2: with server_max_window_bits (client_max_window_bits) agreed,
/// the sender "MUST NOT use an LZ77 sliding window longer than" 2^bits bytes. The inflater
/// built by [`Inflater::with_window_bits`] keeps only that much history before each piece
/// it is given (the decoder gives it one frame at a time), so a frame copying from further
/// back fails as zlib fails it ("invalid distance too far back"), as both peers would.
/// Within a piece its own output stays reachable (zlib's rule for one inflate call): a
/// reference past the window into the same frame's earlier output is not caught.
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
    decompressor: Box<DecompressorOxide>,
    /// The output window: `window[..pos]` is the history a back-reference may reach,
    /// the rest room for the next output.
    window: Vec<u8>,
    pos: usize,
    no_context_takeover: bool,
    /// The agreed LZ77 window: the history kept before each piece.
    window_size: usize,
    /// The stream ended (a block with BFINAL): the rest of the message is ignored.
    stream_ended: bool,
    /// The stream is broken (invalid data): restart at the next message.
    broken: bool,
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflater")
            .field("no_context_takeover", &self.no_context_takeover)
            .field("window_size", &self.window_size)
            .field("history", &self.pos)
            .field("stream_ended", &self.stream_ended)
            .field("broken", &self.broken)
            .finish()
    }
}

impl Inflater {
    /// A fresh inflater; `no_context_takeover` empties the window after each message.
    pub fn new(no_context_takeover: bool) -> Self {
        Inflater::with_window_bits(no_context_takeover, 15)
    }

    /// A fresh inflater for an agreed window of 2^`bits` bytes (RFC 7692 §7.1.2: 8 to 15;
    /// other values are taken as 15, DEFLATE's own limit).
    ///
    /// ```
    /// use wsinspect::Inflater;
    /// // "Hello" twice, the second a back-reference of distance 5 into the first message.
    /// let mut inflater = Inflater::with_window_bits(false, 8);
    /// let mut out = Vec::new();
    /// inflater.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], &mut out, None).unwrap();
    /// inflater.finish_message(&mut out, None).unwrap();
    /// inflater.inflate(&[0xf2, 0x00, 0x11, 0x00, 0x00], &mut out, None).unwrap();
    /// inflater.finish_message(&mut out, None).unwrap();
    /// assert_eq!(out, b"HelloHello");
    /// ```
    pub fn with_window_bits(no_context_takeover: bool, bits: u8) -> Self {
        let bits = if (8..=15).contains(&bits) { bits } else { 15 };
        Inflater {
            decompressor: Box::default(),
            window: Vec::new(),
            pos: 0,
            no_context_takeover,
            window_size: 1 << bits,
            stream_ended: false,
            broken: false,
        }
    }

    /// Inflates the next piece of a compressed message's payload, appending to `out`,
    /// which never grows past `limit`: output that would is dropped, `TooBig` returned,
    /// and the rest of the message is not inflated (the window restarts empty at the
    /// next message, so a reference back into this one fails).
    pub fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        limit: Option<usize>,
    ) -> Result<(), InflateError> {
        // The agreed window: a back-reference from this piece reaches at most
        // `window_size` bytes before it (miniz fails a distance past the buffer's start).
        if self.window_size < WINDOW && self.pos > self.window_size {
            self.window
                .copy_within(self.pos - self.window_size..self.pos, 0);
            self.pos = self.window_size;
        }
        self.run(input, out, limit)
    }

    /// Ends a message: inflates the appended 00 00 FF FF, then empties the window when
    /// the direction has no context takeover (or when the stream ended or broke).
    pub fn finish_message(
        &mut self,
        out: &mut Vec<u8>,
        limit: Option<usize>,
    ) -> Result<(), InflateError> {
        let result = self.run(&DEFLATE_TRAILER, out, limit);
        if self.no_context_takeover || self.stream_ended || self.broken {
            self.reset();
        }
        result
    }

    /// Forgets the window and any message in progress, as after a message that was
    /// abandoned midway: the next message inflates from an empty window, so a
    /// reference into what came before fails rather than reading the wrong bytes.
    pub fn reset(&mut self) {
        self.decompressor.init();
        self.pos = 0;
        self.stream_ended = false;
        self.broken = false;
    }

    fn run(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        limit: Option<usize>,
    ) -> Result<(), InflateError> {
        if self.stream_ended || self.broken {
            return Ok(());
        }
        loop {
            // Keep only the last 32 KiB of history: each byte is moved at most once per
            // 32 KiB of output, so the cost stays linear.
            if self.pos > 2 * WINDOW {
                self.window.copy_within(self.pos - WINDOW..self.pos, 0);
                self.pos = WINDOW;
            }
            // Growth follows the input and the output, never a declared length.
            let end = self.pos + input.len().saturating_mul(4).clamp(256, STEP);
            if self.window.len() < end {
                self.window.resize(end, 0);
            }
            let (status, consumed, produced) = decompress(
                &mut self.decompressor,
                input,
                &mut self.window[..end],
                self.pos,
                FLAGS,
            );
            let fresh = &self.window[self.pos..self.pos + produced];
            let room = limit.map_or(usize::MAX, |l| l.saturating_sub(out.len()));
            let over = fresh.len() > room;
            out.extend_from_slice(&fresh[..fresh.len().min(room)]);
            self.pos += produced;
            input = input.get(consumed..).unwrap_or_default();
            // Past the limit nothing more is inflated (a deflate bomb costs no more CPU
            // than the limit's worth of output): the message is abandoned, and the next
            // one starts from an empty window.
            if over {
                self.broken = true;
                return Err(InflateError::TooBig);
            }
            match status {
                TINFLStatus::Done => {
                    self.stream_ended = true;
                    break;
                }
                // All input taken (held in the bit buffer until more comes).
                TINFLStatus::NeedsMoreInput => break,
                TINFLStatus::HasMoreOutput => {}
                _ => {
                    self.broken = true;
                    return Err(InflateError::Invalid(
                        "invalid deflate data (a bad block, code or length, or a distance reaching before the window)".into(),
                    ));
                }
            }
        }
        Ok(())
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
        // Without the window the back-reference reaches before the message's start.
        let r = inflate_message(&mut reset, &[second]);
        assert!(matches!(r, Err(InflateError::Invalid(_))), "{r:?}");
        // And the inflater recovers for the next self-contained message.
        assert_eq!(inflate_message(&mut reset, &[first]).unwrap(), b"Hello");
    }

    #[test]
    fn a_first_message_cannot_refer_back() {
        // RFC 7692 §7.2.3.2's second message alone: its match (distance 5) has nothing
        // before it, with or without context takeover.
        for no_context_takeover in [false, true] {
            let mut inflater = Inflater::new(no_context_takeover);
            let r = inflate_message(&mut inflater, &[&[0xf2, 0x00, 0x11, 0x00, 0x00]]);
            assert!(matches!(r, Err(InflateError::Invalid(_))), "{r:?}");
        }
    }

    #[test]
    fn the_window_slides_across_long_messages_without_losing_a_byte() {
        // Many messages, some far longer than the window, compressed with one shared
        // window, inflated piece by piece: the history slides without losing a byte.
        let mut seed = 11u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let words: Vec<Vec<u8>> = (0..64)
            .map(|_| (0..(next() % 12 + 2)).map(|_| next() as u8).collect())
            .collect();
        for no_context_takeover in [false, true] {
            let mut deflater = crate::deflate::Deflater::new(no_context_takeover);
            let mut inflater = Inflater::new(no_context_takeover);
            for message in 0..24 {
                let length = [0, 1, 100, 5_000, 40_000, 100_000][message % 6];
                let mut data = Vec::new();
                while data.len() < length {
                    data.extend_from_slice(&words[(next() % 64) as usize]);
                }
                let wire = deflater.compress_message(&data);
                let piece = 1 + (next() % 5000) as usize;
                let pieces: Vec<&[u8]> = wire.chunks(piece).collect();
                let got = inflate_message(&mut inflater, &pieces).unwrap();
                assert!(got == data, "message {message}: {} bytes", data.len());
            }
        }
    }

    #[test]
    fn a_distance_reaches_exactly_the_history_before_it() {
        // `history` bytes in stored blocks, then a fixed-Huffman block copying 3 bytes
        // from distance 32768, the longest DEFLATE allows: fine after 32768 bytes, one
        // byte before the message's start after 32767.
        let message = |history: usize| -> Vec<u8> {
            let mut bytes = Vec::new();
            for block in [&vec![b'a'; 16384][..], &vec![b'b'; history - 16384]] {
                let len = block.len() as u16;
                bytes.push(0x00);
                bytes.extend_from_slice(&len.to_le_bytes());
                bytes.extend_from_slice(&(!len).to_le_bytes());
                bytes.extend_from_slice(block);
            }
            // BFINAL 0, BTYPE 01 (fixed); length 3 = code 257 (0000001); distance code
            // 29 (11101), base 24577, with 13 extra bits of 8191; end of block, 256
            // (0000000). Huffman codes go most significant bit first, the rest least.
            let mut bits: Vec<u8> = vec![0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1];
            bits.extend([1; 13]);
            bits.extend([0; 7]);
            let mut packed = vec![0u8; bits.len().div_ceil(8)];
            for (i, bit) in bits.iter().enumerate() {
                packed[i / 8] |= bit << (i % 8);
            }
            bytes.extend_from_slice(&packed);
            bytes
        };
        let mut inflater = Inflater::new(true);
        let fine = inflate_message(&mut inflater, &[&message(32768)]).unwrap();
        assert_eq!(fine.len(), 32768 + 3);
        assert_eq!(&fine[32768..], b"aaa");
        let r = inflate_message(&mut inflater, &[&message(32767)]);
        assert!(matches!(r, Err(InflateError::Invalid(_))), "no error");
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
