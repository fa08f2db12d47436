//! The inflater's backend natively and in the npm package's conversation module (captures
//! and conversations): zlib-rs, zlib's inflate in Rust, opened with the agreed window
//! bits as a zlib peer opens it (`inflateInit2(strm, -bits)`). Its window holds the
//! history a back-reference may reach, so a distance reaching before it fails as zlib
//! fails it ("invalid distance too far back"). It inflates straight into the message, with
//! no window managed here.
//!
//! Chosen by measurement (MB/s of inflated text on the bench inputs, one message / 16 KiB /
//! 1 KiB messages): natively JSON 1247/851/306 and source 867/615/368 against miniz_oxide's
//! 349/448/187 and 336/429/180 (the system zlib: 693/565/314 and 527/453/301); in the wasm
//! 1.4x to 2.1x miniz_oxide.

use zlib_rs::{Inflate, InflateFlush, Status as ZStatus};

use super::{Backend, Status, Step};

pub(super) struct Zlib {
    stream: Inflate,
    bits: u8,
}

impl Backend for Zlib {
    fn open(bits: u8) -> Self {
        Zlib {
            stream: Inflate::new(false, bits),
            bits,
        }
    }

    fn reset(&mut self) {
        if self.bits == 15 {
            self.stream.reset(false);
        } else {
            // zlib-rs's reset restores the default window bits (15): the agreed window
            // needs a stream opened with it.
            self.stream = Inflate::new(false, self.bits);
        }
    }

    fn step(&mut self, input: &[u8], out: &mut Vec<u8>, max: usize) -> Step {
        let start = out.len();
        // Into the spare capacity: zeroing up to 64 KiB a step before inflating over it
        // was 3.7% of the time the CLI took to read the bench capture.
        out.reserve(max);
        let (in_before, out_before) = (self.stream.total_in(), self.stream.total_out());
        // Sync flush: all the output the input makes is wanted now (a message's end is a
        // sync point, not the end of the stream).
        let status = self.stream.decompress_uninit(
            input,
            &mut out.spare_capacity_mut()[..max],
            InflateFlush::SyncFlush,
        );
        let consumed = (self.stream.total_in() - in_before) as usize;
        let produced = (self.stream.total_out() - out_before) as usize;
        // SAFETY: zlib-rs wrote `produced` bytes at the start of the spare capacity (its
        // total_out counts the bytes written to `next_out`), never more than the `max` it
        // was lent; the `min` keeps that so in any build.
        unsafe { out.set_len(start + produced.min(max)) };
        let status = match status {
            Ok(ZStatus::StreamEnd) => Status::Ended,
            // Room left over: all the input is taken (held in the bit buffer until more
            // comes); a full buffer may have more output behind it.
            Ok(ZStatus::Ok | ZStatus::BufError) if produced < max => Status::NeedsInput,
            Ok(ZStatus::Ok | ZStatus::BufError) => Status::MoreOutput,
            Err(_) => Status::Invalid,
        };
        Step {
            consumed,
            produced,
            status,
        }
    }
}
