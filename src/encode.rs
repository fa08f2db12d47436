//! Building frames: any RFC 6455 frame (RFC 6455 §5.2), including broken ones on
//! purpose (reserved bits and opcodes, non-minimal or lying lengths, invalid close
//! codes), masked with a given key and optionally compressed (RFC 7692); and the
//! hixie-75/76 frames (draft-hixie-thewebsocketprotocol-76 §4.2).

use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, CompressorOxide};
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::{MZError, MZFlush};

use crate::coding::OpCode;

/// Which payload length field carries the length (RFC 6455 §5.2 "Payload length").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthEncoding {
    /// The 7-bit field alone: 0 to 125.
    Bits7,
    /// 126 in the 7-bit field, then a 16-bit unsigned integer.
    Bits16,
    /// 127 in the 7-bit field, then a 64-bit unsigned integer.
    Bits64,
}

impl LengthEncoding {
    /// `"7"`, `"16"` or `"64"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            LengthEncoding::Bits7 => "7",
            LengthEncoding::Bits16 => "16",
            LengthEncoding::Bits64 => "64",
        }
    }

    /// The smallest encoding that carries `length`, as RFC 6455 §5.2 requires: "the
    /// minimal number of bytes MUST be used to encode the length".
    pub fn minimal(length: u64) -> Self {
        match length {
            0..=125 => LengthEncoding::Bits7,
            126..=0xFFFF => LengthEncoding::Bits16,
            _ => LengthEncoding::Bits64,
        }
    }

    fn carries(&self, length: u64) -> bool {
        match self {
            LengthEncoding::Bits7 => length <= 125,
            LengthEncoding::Bits16 => length <= 0xFFFF,
            LengthEncoding::Bits64 => true,
        }
    }
}

/// Everything about one frame to build. Nothing is validated: a spec can describe a
/// frame that breaks any rule, which is the point of an inspector's encoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSpec {
    /// FIN: this is the final fragment of a message.
    pub fin: bool,
    /// RSV1 (set anyway when `compress` is true).
    pub rsv1: bool,
    /// RSV2.
    pub rsv2: bool,
    /// RSV3.
    pub rsv3: bool,
    /// Opcode; only the low 4 bits are written, so any of 0x0 to 0xF, reserved or not.
    pub opcode: u8,
    /// Masking key; `Some` sets the MASK bit and masks the payload with it.
    pub masking_key: Option<[u8; 4]>,
    /// Payload data before masking (and before compression when `compress` is set).
    pub payload: Vec<u8>,
    /// Force a length encoding even when it is not minimal; `None` is minimal. An
    /// encoding too narrow for the length is widened to the next one that carries it.
    pub length_encoding: Option<LengthEncoding>,
    /// Write this length instead of the payload's real length (the payload bytes are
    /// written as they are): for frames that lie about their length on purpose.
    pub declared_length: Option<u64>,
    /// Compress the payload as one whole permessage-deflate message with a fresh
    /// context (RFC 7692 §7.2.1) and set RSV1.
    pub compress: bool,
}

impl FrameSpec {
    /// A final, unmasked, uncompressed frame with minimal length encoding.
    pub fn new(opcode: u8, payload: impl Into<Vec<u8>>) -> Self {
        FrameSpec {
            fin: true,
            rsv1: false,
            rsv2: false,
            rsv3: false,
            opcode,
            masking_key: None,
            payload: payload.into(),
            length_encoding: None,
            declared_length: None,
            compress: false,
        }
    }

    /// A final text frame (opcode 0x1).
    pub fn text(text: &str) -> Self {
        Self::new(0x1, text.as_bytes())
    }

    /// A final binary frame (opcode 0x2).
    pub fn binary(data: impl Into<Vec<u8>>) -> Self {
        Self::new(0x2, data)
    }

    /// A close frame (opcode 0x8) with a status code and reason, valid or not.
    pub fn close(code: u16, reason: &str) -> Self {
        Self::new(OpCode::Close.as_u8(), encode_close_payload(code, reason))
    }

    /// A close frame (opcode 0x8) with an empty payload: no status code (RFC 6455 §5.5.1).
    pub fn close_empty() -> Self {
        Self::new(OpCode::Close.as_u8(), Vec::new())
    }

    /// A ping frame (opcode 0x9) with this payload.
    pub fn ping(payload: impl Into<Vec<u8>>) -> Self {
        Self::new(OpCode::Ping.as_u8(), payload)
    }

    /// A pong frame (opcode 0xA) with this payload: the answer to a ping carries the ping's
    /// "Application data" (RFC 6455 §5.5.3).
    pub fn pong(payload: impl Into<Vec<u8>>) -> Self {
        Self::new(OpCode::Pong.as_u8(), payload)
    }

    /// The same spec, masked with `key`.
    pub fn masked(mut self, key: [u8; 4]) -> Self {
        self.masking_key = Some(key);
        self
    }
}

/// Encodes one frame (RFC 6455 §5.2).
///
/// ```
/// use wsinspect::encode::{encode_frame, FrameSpec};
/// // RFC 6455 §5.7: "A single-frame masked text message".
/// let frame = encode_frame(&FrameSpec::text("Hello").masked([0x37, 0xfa, 0x21, 0x3d]));
/// assert_eq!(frame, [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
/// ```
pub fn encode_frame(spec: &FrameSpec) -> Vec<u8> {
    let compressed;
    let payload: &[u8] = if spec.compress {
        // A new compressor starts from an empty window; it compresses this one message
        // and is dropped, so it is not told to reset its (large) state afterwards.
        compressed = Deflater::new(false).compress_message(&spec.payload);
        &compressed
    } else {
        &spec.payload
    };
    let length = spec.declared_length.unwrap_or(payload.len() as u64);
    let encoding = match spec.length_encoding {
        Some(forced) if forced.carries(length) => forced,
        Some(LengthEncoding::Bits7) if length <= 0xFFFF => LengthEncoding::Bits16,
        _ => LengthEncoding::minimal(length),
    };

    let mut frame = Vec::with_capacity(14 + payload.len());
    frame.push(
        u8::from(spec.fin) << 7
            | u8::from(spec.rsv1 || spec.compress) << 6
            | u8::from(spec.rsv2) << 5
            | u8::from(spec.rsv3) << 4
            | (spec.opcode & 0x0F),
    );
    let mask_bit = u8::from(spec.masking_key.is_some()) << 7;
    match encoding {
        LengthEncoding::Bits7 => frame.push(mask_bit | length as u8),
        LengthEncoding::Bits16 => {
            frame.push(mask_bit | 126);
            frame.extend_from_slice(&(length as u16).to_be_bytes());
        }
        LengthEncoding::Bits64 => {
            frame.push(mask_bit | 127);
            frame.extend_from_slice(&length.to_be_bytes());
        }
    }
    match spec.masking_key {
        Some(key) => {
            frame.extend_from_slice(&key);
            // RFC 6455 §5.3: masking and unmasking are the same XOR.
            let at = frame.len();
            frame.extend_from_slice(payload);
            crate::mask::unmask(&mut frame[at..], key, 0);
        }
        None => frame.extend_from_slice(payload),
    }
    frame
}

/// A close frame's payload: the status code as a big-endian 16-bit integer, then the
/// reason in UTF-8 (RFC 6455 §5.5.1). Any code is accepted, valid on the wire or not.
///
/// ```
/// assert_eq!(wsinspect::encode::encode_close_payload(1000, "bye"), b"\x03\xe8bye");
/// ```
pub fn encode_close_payload(code: u16, reason: &str) -> Vec<u8> {
    let mut payload = Vec::with_capacity(2 + reason.len());
    payload.extend_from_slice(&code.to_be_bytes());
    payload.extend_from_slice(reason.as_bytes());
    payload
}

/// A hixie-75/76 text frame: 0x00, the UTF-8 text, 0xFF (draft-76 §4.2). The text is
/// written as given, so a text containing U+00FF's UTF-8 bytes is still never 0xFF.
///
/// ```
/// assert_eq!(wsinspect::encode::encode_hixie_text("Hi"), b"\x00Hi\xff");
/// ```
pub fn encode_hixie_text(text: &str) -> Vec<u8> {
    let mut frame = Vec::with_capacity(text.len() + 2);
    frame.push(0x00);
    frame.extend_from_slice(text.as_bytes());
    frame.push(0xFF);
    frame
}

/// The hixie-76 closing frame: 0xFF 0x00 (draft-76 §4.2: "a 0xFF byte followed by a
/// 0x00 byte").
pub fn encode_hixie_close() -> Vec<u8> {
    vec![0xFF, 0x00]
}

/// A hixie-75/76 length-prefixed frame (draft-76 §4.2): a frame type byte with its high
/// bit set (set here whatever `frame_type` says), the length in 7-bit groups, most
/// significant first, each but the last with its high bit set, then the data.
///
/// ```
/// let frame = wsinspect::encode::encode_hixie_length_prefixed(0x80, &[7u8; 200]);
/// assert_eq!(&frame[..3], &[0x80, 0x81, 0x48]);
/// ```
pub fn encode_hixie_length_prefixed(frame_type: u8, data: &[u8]) -> Vec<u8> {
    let mut groups = Vec::new();
    let mut length = data.len() as u64;
    loop {
        groups.push((length & 0x7F) as u8);
        length >>= 7;
        if length == 0 {
            break;
        }
    }
    let mut frame = Vec::with_capacity(1 + groups.len() + data.len());
    frame.push(frame_type | 0x80);
    let last = groups.len() - 1;
    for (i, group) in groups.iter().rev().enumerate() {
        frame.push(if i < last { group | 0x80 } else { *group });
    }
    frame.extend_from_slice(data);
    frame
}

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
    /// let mut deflater = wsinspect::encode::Deflater::new(false);
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
}
