//! Inflating permessage-deflate messages (RFC 7692 §7.2.2), one direction at a time.
//!
//! The rules (the agreed window, context takeover, the size limit, a broken stream
//! restarting at the next message) are this module's; the DEFLATE decoding is a
//! backend's: zlib-rs natively and in the npm package's conversation module
//! (`inflate/zlib.rs`), miniz_oxide in its decoding module (`inflate/miniz.rs`), which has a
//! size budget.
//! Both run the same tests here, and are checked against each other and against zlib
//! itself: the same output, and a failure at the same message.

#[cfg(any(test, not(feature = "conversation")))]
mod miniz;
#[cfg(feature = "conversation")]
mod zlib;

#[cfg(not(feature = "conversation"))]
type Chosen = miniz::Miniz;
#[cfg(feature = "conversation")]
type Chosen = zlib::Zlib;

/// The 4 octets RFC 7692 §7.2.2 appends before inflating: "Append 4 octets of 0x00 0x00
/// 0xff 0xff to the tail end of the payload of the message. Decompress the resulting
/// data using DEFLATE."
pub const DEFLATE_TRAILER: [u8; 4] = [0x00, 0x00, 0xFF, 0xFF];

/// The most output asked of the backend in one call.
const STEP: usize = 64 * 1024;

/// What the inflater says of a stream it cannot read, whichever backend read it (the page's
/// decoding module and the CLI say the same words).
const INVALID: &str =
    "invalid deflate data (a bad block, code or length, or a distance reaching before the window)";

/// Why a message did not inflate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InflateError {
    /// The data is not a valid DEFLATE stream.
    Invalid(String),
    /// The output passed the size limit; it was cut at the limit.
    TooBig,
}

/// One raw DEFLATE stream's decoder, opened at the agreed window bits.
trait Backend: Sized {
    fn open(bits: u8) -> Self;
    /// Back to an empty window, at the same window bits.
    fn reset(&mut self);
    /// Before each piece of a message (the decoder gives one frame at a time).
    fn start_piece(&mut self) {}
    /// Inflates from `input`, appending at most `max` bytes (at least 1) to `out`.
    fn step(&mut self, input: &[u8], out: &mut Vec<u8>, max: usize) -> Step;
}

struct Step {
    consumed: usize,
    produced: usize,
    status: Status,
}

enum Status {
    /// A block with BFINAL ended the stream.
    Ended,
    /// All the input is taken (the bit buffer may hold some until more comes).
    NeedsInput,
    /// The output room is full: more may follow.
    MoreOutput,
    Invalid,
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
/// Within a piece its own earlier output stays reachable, as within one zlib inflate call:
/// a reference past the window into the same frame's earlier output is not caught. (The
/// zlib-rs backend is zlib: its window is the agreed one before each call of at most
/// 64 KiB of output, so in a frame longer than that it catches some such references that
/// the miniz_oxide backend lets through. Neither ever fails a stream that keeps to its
/// window.)
///
/// ```
/// use wsinspect::Inflater;
/// let mut inflater = Inflater::new(false);
/// let mut out = Vec::new();
/// inflater.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], &mut out, None).unwrap();
/// inflater.finish_message(&mut out, None).unwrap();
/// assert_eq!(out, b"Hello");
/// ```
pub struct Inflater(Inflating<Chosen>);

/// The inflater's rules over a backend.
struct Inflating<B> {
    backend: B,
    bits: u8,
    no_context_takeover: bool,
    /// The stream ended (a block with BFINAL): the rest of the message is ignored.
    stream_ended: bool,
    /// The stream is broken (invalid data, or output past the limit): restart at the
    /// next message.
    broken: bool,
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflater")
            .field("no_context_takeover", &self.0.no_context_takeover)
            .field("window_bits", &self.0.bits)
            .field("stream_ended", &self.0.stream_ended)
            .field("broken", &self.0.broken)
            .finish_non_exhaustive()
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
        Inflater(Inflating::open(no_context_takeover, bits))
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
        self.0.inflate(input, out, limit)
    }

    /// Ends a message: inflates the appended 00 00 FF FF, then empties the window when
    /// the direction has no context takeover (or when the stream ended or broke).
    pub fn finish_message(
        &mut self,
        out: &mut Vec<u8>,
        limit: Option<usize>,
    ) -> Result<(), InflateError> {
        self.0.finish_message(out, limit)
    }

    /// Forgets the window and any message in progress, as after a message that was
    /// abandoned midway: the next message inflates from an empty window, so a
    /// reference into what came before fails rather than reading the wrong bytes.
    pub fn reset(&mut self) {
        self.0.reset();
    }
}

impl<B: Backend> Inflating<B> {
    fn open(no_context_takeover: bool, bits: u8) -> Self {
        let bits = if (8..=15).contains(&bits) { bits } else { 15 };
        Inflating {
            backend: B::open(bits),
            bits,
            no_context_takeover,
            stream_ended: false,
            broken: false,
        }
    }

    fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        limit: Option<usize>,
    ) -> Result<(), InflateError> {
        self.backend.start_piece();
        self.run(input, out, limit)
    }

    fn finish_message(
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

    fn reset(&mut self) {
        self.backend.reset();
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
            let room = limit.map_or(usize::MAX, |l| l.saturating_sub(out.len()));
            // Growth follows the input and the output, never a declared length; one byte
            // past the limit tells output cut short from output that just fits.
            let max = input
                .len()
                .saturating_mul(4)
                .clamp(256, STEP)
                .min(room.saturating_add(1));
            let Step {
                consumed,
                produced,
                status,
            } = self.backend.step(input, out, max);
            input = input.get(consumed..).unwrap_or_default();
            // Past the limit nothing more is inflated (a deflate bomb costs no more CPU
            // than the limit's worth of output): the message is abandoned, and the next
            // one starts from an empty window.
            if produced > room {
                out.truncate(out.len() - (produced - room));
                self.broken = true;
                return Err(InflateError::TooBig);
            }
            match status {
                Status::Ended => {
                    self.stream_ended = true;
                    break;
                }
                Status::NeedsInput => break,
                // A step that made no progress would make none again.
                Status::MoreOutput if consumed == 0 && produced == 0 => break,
                Status::MoreOutput => {}
                Status::Invalid => {
                    self.broken = true;
                    return Err(InflateError::Invalid(INVALID.into()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests' random numbers: xorshift64, the same sequence from the same seed.
    pub(super) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// The same tests for each backend.
    macro_rules! suite {
        ($name:ident, $backend:ty) => {
            mod $name {
                use super::*;
                type B = $backend;

                fn open(no_context_takeover: bool) -> Inflating<B> {
                    Inflating::open(no_context_takeover, 15)
                }

                #[cfg(not(target_arch = "wasm32"))]
                fn open_bits(no_context_takeover: bool, bits: u8) -> Inflating<B> {
                    Inflating::open(no_context_takeover, bits)
                }

                /// Inflates one message; like the decoder, always ends it (so a broken stream resets).
                fn inflate_message(
                    inflater: &mut Inflating<B>,
                    pieces: &[&[u8]],
                ) -> Result<Vec<u8>, InflateError> {
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
                            0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07,
                            0x00,
                        ],
                    ];
                    for case in cases {
                        for split in 0..=case.len() {
                            let mut inflater = open(false);
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
                    let mut kept = open(false);
                    assert_eq!(inflate_message(&mut kept, &[first]).unwrap(), b"Hello");
                    assert_eq!(inflate_message(&mut kept, &[second]).unwrap(), b"Hello");
                    let mut reset = open(true);
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
                        let mut inflater = open(no_context_takeover);
                        let r = inflate_message(&mut inflater, &[&[0xf2, 0x00, 0x11, 0x00, 0x00]]);
                        assert!(matches!(r, Err(InflateError::Invalid(_))), "{r:?}");
                    }
                }

                #[test]
                fn the_window_slides_across_long_messages_without_losing_a_byte() {
                    // Many messages, some far longer than the window, compressed with one shared
                    // window, inflated piece by piece: the history slides without losing a byte.
                    let mut next = xorshift(11u64);
                    let words: Vec<Vec<u8>> = (0..64)
                        .map(|_| (0..(next() % 12 + 2)).map(|_| next() as u8).collect())
                        .collect();
                    for no_context_takeover in [false, true] {
                        let mut deflater = crate::deflate::Deflater::new(no_context_takeover);
                        let mut inflater = open(no_context_takeover);
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
                    let mut inflater = open(true);
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
                        let mut inflater = open(false);
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
                    let mut inflater = open(false);
                    let r = inflate_message(&mut inflater, &[&[0xff, 0xff, 0xff, 0xff]]);
                    assert!(matches!(r, Err(InflateError::Invalid(_))), "{r:?}");
                }
                /// Checked against zlib itself (the system's, through flate2), which the wasm
                /// target does not link.
                #[cfg(not(target_arch = "wasm32"))]
                mod against_zlib {
                    use super::*;

                    /// Raw DEFLATE by zlib (flate2 on the system zlib), one stream for all the messages,
                    /// each flushed with a sync flush and its 00 00 FF FF dropped (RFC 7692 §7.2.1).
                    fn zlib_deflate(bits: u8, messages: &[&[u8]]) -> Vec<Vec<u8>> {
                        let mut c = flate2::Compress::new_with_window_bits(
                            flate2::Compression::new(9),
                            false,
                            bits,
                        );
                        messages
                            .iter()
                            .map(|m| {
                                let mut out = Vec::with_capacity(m.len() * 2 + 64);
                                let before = c.total_in();
                                c.compress_vec(m, &mut out, flate2::FlushCompress::Sync)
                                    .unwrap();
                                assert_eq!(c.total_in() - before, m.len() as u64);
                                // zlib writes nothing for an empty message after a flush: RFC 7692
                                // §7.2.3.6's single 0x00 stands for it.
                                if out.is_empty() {
                                    return vec![0x00];
                                }
                                assert!(out.ends_with(&DEFLATE_TRAILER));
                                out.truncate(out.len() - 4);
                                out
                            })
                            .collect()
                    }

                    /// zlib's verdict on each message (flate2 on the system zlib): one raw inflate stream
                    /// at `bits`, each payload and 00 00 FF FF given in one call with room for all the
                    /// output; nothing after the first failure. A stream that ends (a block with BFINAL)
                    /// ends its message, and the next starts a new stream, as the decoder does.
                    fn zlib_inflate(bits: u8, payloads: &[Vec<u8>]) -> Vec<Result<Vec<u8>, ()>> {
                        let mut d = flate2::Decompress::new_with_window_bits(false, bits);
                        let mut verdicts = Vec::new();
                        for payload in payloads {
                            let mut input = payload.clone();
                            input.extend_from_slice(&DEFLATE_TRAILER);
                            let mut out = Vec::with_capacity(1 << 22);
                            let before = d.total_in();
                            let r =
                                d.decompress_vec(&input, &mut out, flate2::FlushDecompress::Sync);
                            let ended = matches!(r, Ok(flate2::Status::StreamEnd));
                            if ended {
                                d.reset(false);
                            }
                            let ok =
                                ended || (r.is_ok() && d.total_in() - before == input.len() as u64);
                            verdicts.push(if ok { Ok(out) } else { Err(()) });
                            if !ok {
                                break;
                            }
                        }
                        verdicts
                    }

                    /// Our verdict on the same messages, each given in `pieces` (at most that many).
                    fn our_inflate(
                        bits: u8,
                        payloads: &[Vec<u8>],
                        pieces: usize,
                    ) -> Vec<Result<Vec<u8>, ()>> {
                        let mut inflater = open_bits(false, bits);
                        let mut verdicts = Vec::new();
                        for payload in payloads {
                            let size = payload.len().div_ceil(pieces).max(1);
                            let parts: Vec<&[u8]> = payload.chunks(size).collect();
                            let r = inflate_message(&mut inflater, &parts).map_err(|_| ());
                            let failed = r.is_err();
                            verdicts.push(r);
                            if failed {
                                break;
                            }
                        }
                        verdicts
                    }

                    /// `n` bytes that do not compress (no match shorter than the text itself).
                    fn noise(n: usize, seed: u64) -> Vec<u8> {
                        let mut next = xorshift(seed);
                        (0..n).map(|_| next() as u8).collect()
                    }

                    #[test]
                    fn a_reference_past_the_window_is_judged_as_zlib_judges_it() {
                        // 600 bytes of noise then its first 100 again: a copy from 600 bytes back, made
                        // with a 32 KiB window and inflated with a 512-byte one (server_max_window_bits=9).
                        let noise = noise(600, 7);
                        let again = &noise[..100];
                        // Across messages the window alone is reachable: zlib fails the copy ("invalid
                        // distance too far back"), and so do we, while a 1024-byte window inflates it.
                        let payloads = zlib_deflate(15, &[&noise, again]);
                        for bits in [9, 10] {
                            let zlib = zlib_inflate(bits, &payloads);
                            assert_eq!(zlib.len(), 2);
                            assert_eq!(zlib[1].is_ok(), bits == 10);
                            assert_eq!(our_inflate(bits, &payloads, 1), zlib, "{bits}");
                        }
                        let mut inflater = open_bits(false, 9);
                        let r = inflate_message(&mut inflater, &[&payloads[0]])
                            .and_then(|_| inflate_message(&mut inflater, &[&payloads[1]]));
                        assert!(matches!(r, Err(InflateError::Invalid(_))), "{r:?}");
                        // Within one frame zlib lets a distance reach what the same call wrote, past the
                        // window: the copy inflates, in zlib and here (RFC 7692 would have the sender
                        // keep to 512 bytes; no zlib-based receiver notices).
                        let whole = [&noise[..], again].concat();
                        let payloads = zlib_deflate(15, &[&whole]);
                        let zlib = zlib_inflate(9, &payloads);
                        assert_eq!(zlib, [Ok(whole.clone())]);
                        assert_eq!(our_inflate(9, &payloads, 1), zlib);
                    }

                    #[test]
                    fn window_bits_8_hold_the_sender_to_256_bytes() {
                        // zlib's raw inflate takes window bits 8 (its raw deflate does not: Python's
                        // `zlib.compressobj(wbits=-8)` is "Invalid initialization option" on zlib 1.2.13,
                        // and flate2 refuses 8 both ways). A copy from 300 bytes back into the previous
                        // message: `zlib.decompressobj(wbits=-8)` fails it ("invalid distance too far
                        // back"), `wbits=-9` inflates it.
                        let noise = noise(300, 11);
                        let payloads = zlib_deflate(15, &[&noise, &noise[..50]]);
                        let mut narrow = open_bits(false, 8);
                        assert_eq!(
                            inflate_message(&mut narrow, &[&payloads[0]]).unwrap(),
                            noise
                        );
                        let r = inflate_message(&mut narrow, &[&payloads[1]]);
                        assert!(matches!(r, Err(InflateError::Invalid(_))), "{r:?}");
                        let mut wider = open_bits(false, 9);
                        assert_eq!(inflate_message(&mut wider, &[&payloads[0]]).unwrap(), noise);
                        assert_eq!(
                            inflate_message(&mut wider, &[&payloads[1]]).unwrap(),
                            &noise[..50]
                        );
                        assert_eq!(
                            zlib_inflate(9, &payloads),
                            [Ok(noise.clone()), Ok(noise[..50].to_vec())]
                        );
                    }

                    #[test]
                    fn random_streams_inflate_as_zlib_inflates_them() {
                        // Messages of words, compressed by zlib with a window no larger than the agreed
                        // one, sometimes with a byte changed, inflated in random pieces: the same output,
                        // and a failure exactly where zlib fails.
                        let mut next = xorshift(0x9E37_79B9_7F4A_7C15u64);
                        let words: Vec<Vec<u8>> = (0..40)
                            .map(|_| (0..(next() % 9 + 1)).map(|_| next() as u8).collect())
                            .collect();
                        let mut failures = 0;
                        for case in 0..300 {
                            let bits = 9 + (next() % 7) as u8;
                            let sender_bits = 9 + (next() % u64::from(bits - 8)) as u8;
                            let messages: Vec<Vec<u8>> = (0..1 + next() % 5)
                                .map(|_| {
                                    let mut m = Vec::new();
                                    let len = [0, 10, 300, 3_000, 70_000][(next() % 5) as usize];
                                    while m.len() < len {
                                        m.extend_from_slice(&words[(next() % 40) as usize]);
                                    }
                                    m
                                })
                                .collect();
                            let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
                            let mut payloads = zlib_deflate(sender_bits, &refs);
                            if next() % 3 == 0 {
                                let m = (next() as usize) % payloads.len();
                                if !payloads[m].is_empty() {
                                    let at = (next() as usize) % payloads[m].len();
                                    payloads[m][at] ^= 1 << (next() % 8);
                                }
                            }
                            let zlib = zlib_inflate(bits, &payloads);
                            failures += usize::from(zlib.last().is_some_and(|r| r.is_err()));
                            let pieces = 1 + (next() % 4) as usize;
                            assert_eq!(
                                our_inflate(bits, &payloads, pieces),
                                zlib,
                                "case {case}, window bits {bits}"
                            );
                        }
                        // The changed bytes broke some streams, not all.
                        assert!((10..100).contains(&failures), "{failures} failures");
                    }
                }
            }
        };
    }

    suite!(miniz_backend, super::super::miniz::Miniz);
    #[cfg(feature = "conversation")]
    suite!(zlib_backend, super::super::zlib::Zlib);

    /// The decoding module's backend and the conversation module's give the same answer
    /// on the same bytes: the same output, the same error at the same piece, the output
    /// made before an error the same too (the page shows it). The streams are zlib's, each
    /// with a window no larger than the agreed one; a byte is changed only under the
    /// largest window, since a changed stream may copy from past a narrower window inside
    /// one long frame, which the backends judge differently (see [`Inflater`]).
    #[cfg(all(feature = "conversation", not(target_arch = "wasm32")))]
    #[test]
    fn the_two_backends_agree() {
        use super::miniz::Miniz;
        use super::zlib::Zlib;
        let mut next = xorshift(0x2545_F491_4F6C_DD1Du64);
        let words: Vec<Vec<u8>> = (0..48)
            .map(|_| (0..(next() % 11 + 1)).map(|_| next() as u8).collect())
            .collect();
        let (mut errors, mut cut) = (0, 0);
        for case in 0..400 {
            let no_context_takeover = next() % 4 == 0;
            let bits = 9 + (next() % 7) as u8;
            let sender_bits = 9 + (next() % u64::from(bits - 8)) as u8;
            let mut sender = flate2::Compress::new_with_window_bits(
                flate2::Compression::new(1 + (next() % 9) as u32),
                false,
                sender_bits,
            );
            let mut miniz = Inflating::<Miniz>::open(no_context_takeover, bits);
            let mut zlib = Inflating::<Zlib>::open(no_context_takeover, bits);
            let limit = (next() % 5 == 0).then(|| (next() % 50_000) as usize);
            // A changed byte may leave the stream readable but wrong from there on.
            let mut changed = false;
            for message in 0..1 + next() % 6 {
                let mut data = Vec::new();
                let len = [0, 7, 200, 2_000, 40_000, 90_000][(next() % 6) as usize];
                while data.len() < len {
                    data.extend_from_slice(&words[(next() % 48) as usize]);
                }
                let mut wire = Vec::with_capacity(data.len() * 2 + 64);
                sender
                    .compress_vec(&data, &mut wire, flate2::FlushCompress::Sync)
                    .unwrap();
                if no_context_takeover {
                    sender.reset();
                }
                // RFC 7692 §7.2.1: the sync flush's 00 00 FF FF is not sent; zlib writes
                // nothing for an empty message after a flush, and §7.2.3.6's single 0x00
                // stands for it.
                if wire.is_empty() {
                    wire.push(0x00);
                } else {
                    assert!(wire.ends_with(&DEFLATE_TRAILER));
                    wire.truncate(wire.len() - 4);
                }
                if bits == 15 && next() % 3 == 0 {
                    changed = true;
                    let at = (next() as usize) % wire.len();
                    wire[at] ^= 1 << (next() % 8);
                }
                let piece = 1 + (next() % 3000) as usize;
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let mut verdicts = Vec::new();
                for part in wire.chunks(piece) {
                    verdicts.push((
                        miniz.inflate(part, &mut a, limit),
                        zlib.inflate(part, &mut b, limit),
                    ));
                }
                verdicts.push((
                    miniz.finish_message(&mut a, limit),
                    zlib.finish_message(&mut b, limit),
                ));
                for (m, z) in &verdicts {
                    assert_eq!(m, z, "case {case}, message {message}, window bits {bits}");
                }
                assert!(a == b, "case {case}, message {message}: outputs differ");
                if !changed && limit.is_none() {
                    assert!(a == data, "case {case}, message {message}: not the message");
                }
                errors += usize::from(verdicts.iter().any(|(m, _)| m.is_err()));
                cut += usize::from(
                    verdicts
                        .iter()
                        .any(|(m, _)| *m == Err(InflateError::TooBig)),
                );
            }
        }
        // The changed bytes and the limits broke some messages, not all.
        assert!(
            errors > 20 && cut > 5,
            "{errors} errors, {cut} cut at the limit"
        );
    }
}
