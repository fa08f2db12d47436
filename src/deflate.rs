//! The permessage-deflate compressor (RFC 7692 §7.2.1): what the encoder and the server use
//! to send compressed messages.

use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, CompressorOxide};
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::{MZError, MZFlush};

/// A permessage-deflate compressor (RFC 7692 §7.2.1) keeping its LZ77 window across
/// messages unless told not to (`*_no_context_takeover`).
///
/// The miniz_oxide backend always uses a 32 KiB window: an endpoint that must honour a
/// negotiated `*_max_window_bits` below 15 should reset the context after each message
/// (`no_context_takeover`) or not accept the parameter.
pub struct Deflater {
    compressor: Box<CompressorOxide>,
    no_context_takeover: bool,
}

impl std::fmt::Debug for Deflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflater")
            .field("no_context_takeover", &self.no_context_takeover)
            .finish_non_exhaustive()
    }
}

impl Deflater {
    /// A compressor; with `no_context_takeover` each message starts from an empty window.
    pub fn new(no_context_takeover: bool) -> Self {
        // zlib's default level (6) and a raw stream: negative window bits mean no zlib
        // header or trailer, as RFC 7692 wants.
        let flags = create_comp_flags_from_zip_params(6, -15, 0);
        Deflater {
            compressor: Box::new(CompressorOxide::new(flags)),
            no_context_takeover,
        }
    }

    /// A compressor that only writes stored (uncompressed) DEFLATE blocks: no
    /// back-reference at all, so what it writes inflates under any negotiated
    /// `*_max_window_bits`, 8 included (the miniz_oxide backend cannot narrow its window).
    pub fn stored() -> Self {
        let flags = create_comp_flags_from_zip_params(0, -15, 0);
        Deflater {
            compressor: Box::new(CompressorOxide::new(flags)),
            no_context_takeover: true,
        }
    }

    /// Compresses one whole message: raw DEFLATE, flushed to a byte boundary with a sync
    /// flush, and without its trailing 0x00 0x00 0xFF 0xFF.
    ///
    /// RFC 7692 §7.2.1: "Compress all the octets of the payload of the message using
    /// DEFLATE ... If the resulting data does not end with an empty DEFLATE block with
    /// no compression (the "BTYPE" bits are set to 00), append an empty DEFLATE block
    /// with no compression to the tail end. Remove 4 octets (that are 0x00 0x00 0xff
    /// 0xff) from the tail end."
    ///
    /// ```
    /// let mut deflater = wsinspect::deflate::Deflater::new(false);
    /// assert_eq!(deflater.compress_message(b"Hello"), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    /// ```
    pub fn compress_message(&mut self, data: &[u8]) -> Vec<u8> {
        // Room for the worst case (stored blocks) so one call normally finishes.
        self.compress_with_room(data, |rest| rest + rest / 16 + 1024)
    }

    /// `room(bytes left)` is how much output space to add before each call.
    fn compress_with_room(&mut self, data: &[u8], room: impl Fn(usize) -> usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut consumed = 0;
        let mut previous_filled = false;
        loop {
            // When the output fills, miniz_oxide's next call only copies out what it
            // had buffered and returns before compressing the rest: after a full
            // buffer, one more call is always made.
            out.reserve(room(data.len() - consumed));
            let written_before = out.len();
            out.resize(out.capacity(), 0);
            let step = deflate(
                &mut self.compressor,
                &data[consumed..],
                &mut out[written_before..],
                MZFlush::Sync,
            );
            out.truncate(written_before + step.bytes_written);
            consumed += step.bytes_consumed;
            let filled = out.len() == out.capacity();
            let progress = step.bytes_consumed > 0 || step.bytes_written > 0;
            match step.status {
                // A "buffer" error only means there was nothing left to do.
                Ok(_) | Err(MZError::Buf)
                    if consumed == data.len() && !filled && !previous_filled =>
                {
                    break
                }
                Ok(_) | Err(MZError::Buf) if progress || filled => previous_filled = filled,
                // No progress with room to spare, or an internal error: stop rather than
                // loop (neither happens with a valid compressor state).
                _ => break,
            }
        }
        if out.ends_with(&[0x00, 0x00, 0xFF, 0xFF]) {
            out.truncate(out.len() - 4);
        }
        if self.no_context_takeover {
            self.compressor.reset();
        }
        out
    }

    /// Forgets the window: the next message compresses as if it were the first.
    pub fn reset(&mut self) {
        self.compressor.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inflate(messages: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut inflater = flate2::Decompress::new(false);
        messages
            .iter()
            .map(|m| {
                let mut input = m.clone();
                input.extend_from_slice(&[0, 0, 0xFF, 0xFF]);
                let mut out = Vec::with_capacity(1 << 20);
                inflater
                    .decompress_vec(&input, &mut out, flate2::FlushDecompress::Sync)
                    .unwrap();
                out
            })
            .collect()
    }

    #[test]
    fn tiny_output_room_still_gives_the_whole_message() {
        let mut seed = 7u64;
        let noise: Vec<u8> = (0..40_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        let text = b"the quick brown fox ".repeat(2000);
        for room in [1usize, 7, 100, 5000] {
            let mut small = Deflater::new(false);
            let mut roomy = Deflater::new(false);
            let mut messages = Vec::new();
            for data in [&noise[..], &text[..], b"", &noise[..100]] {
                let message = small.compress_with_room(data, |_| room);
                let reference = roomy.compress_message(data);
                // Block boundaries may differ; the size may not, by much.
                assert!(message.len() <= reference.len() + 64, "room {room}");
                messages.push(message);
            }
            let expected = [
                noise.clone(),
                text.clone(),
                Vec::new(),
                noise[..100].to_vec(),
            ];
            assert!(inflate(&messages) == expected, "room {room}");
        }
    }

    #[test]
    fn stored_blocks_inflate_under_the_narrowest_window() {
        let data: Vec<u8> = b"abcdefgh".iter().copied().cycle().take(5000).collect();
        let mut d = Deflater::stored();
        let out = d.compress_message(&data);
        // Stored blocks: the data is there byte for byte, with 5-byte block headers.
        assert!(out.len() >= data.len());
        let mut inflater = crate::inflate::Inflater::with_window_bits(true, 8);
        let mut inflated = Vec::new();
        inflater.inflate(&out, &mut inflated, None).unwrap();
        inflater.finish_message(&mut inflated, None).unwrap();
        assert_eq!(inflated, data);
    }
}
