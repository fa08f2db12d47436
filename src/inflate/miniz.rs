//! The inflater's backend in the npm package's decoding module: miniz_oxide's core
//! decompressor over an output window managed here, within that module's size budget
//! (zlib-rs would add 14 KB to it gzipped, over the 100 KB).
//!
//! The window is a non-wrapping buffer holding the history a back-reference may reach:
//! the agreed window's worth before each piece (nothing at the start of a stream). A
//! distance reaching before that history is then an error the decompressor reports, as
//! zlib reports it, rather than a read of stale or zeroed window bytes.

use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use super::{Backend, Status, Step};

/// The largest LZ77 window (RFC 1951 §3.2.5: distances up to 32768).
const WINDOW: usize = 32 * 1024;

/// Raw DEFLATE (no zlib header); more input may always follow (a message's end is a
/// sync point, not the end of the stream); the output buffer does not wrap, so a
/// distance past its start fails.
const FLAGS: u32 = TINFL_FLAG_HAS_MORE_INPUT | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;

pub(super) struct Miniz {
    decompressor: Box<DecompressorOxide>,
    /// `window[..pos]` is the history a back-reference may reach, the rest room for the
    /// next output.
    window: Vec<u8>,
    pos: usize,
    /// The agreed LZ77 window: the history kept before each piece.
    window_size: usize,
}

impl Backend for Miniz {
    fn open(bits: u8) -> Self {
        Miniz {
            decompressor: Box::default(),
            window: Vec::new(),
            pos: 0,
            window_size: 1 << bits,
        }
    }

    fn reset(&mut self) {
        self.decompressor.init();
        self.pos = 0;
    }

    fn start_piece(&mut self) {
        // The agreed window: a back-reference from this piece reaches at most
        // `window_size` bytes before it (miniz fails a distance past the buffer's start).
        // Only here, where no match is half copied: trimming under a pending match would
        // leave its source before the buffer.
        if self.window_size < WINDOW && self.pos > self.window_size {
            self.window
                .copy_within(self.pos - self.window_size..self.pos, 0);
            self.pos = self.window_size;
        }
    }

    fn step(&mut self, input: &[u8], out: &mut Vec<u8>, max: usize) -> Step {
        // Keep only the last 32 KiB of history: each byte is moved at most once per
        // 32 KiB of output, so the cost stays linear.
        if self.pos > 2 * WINDOW {
            self.window.copy_within(self.pos - WINDOW..self.pos, 0);
            self.pos = WINDOW;
        }
        let end = self.pos + max;
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
        out.extend_from_slice(&self.window[self.pos..self.pos + produced]);
        self.pos += produced;
        let status = match status {
            TINFLStatus::Done => Status::Ended,
            // All input taken (held in the bit buffer until more comes).
            TINFLStatus::NeedsMoreInput => Status::NeedsInput,
            TINFLStatus::HasMoreOutput => Status::MoreOutput,
            _ => Status::Invalid,
        };
        Step {
            consumed,
            produced,
            status,
        }
    }
}
