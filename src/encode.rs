//! Building frames: any RFC 6455 frame (RFC 6455 §5.2), including broken ones on
//! purpose (reserved bits and opcodes, non-minimal or lying lengths, invalid close
//! codes), masked with a given key and optionally compressed (RFC 7692); and the
//! hixie-75/76 frames (draft-hixie-thewebsocketprotocol-76 §4.2).

use crate::coding::OpCode;
use crate::deflate::Deflater;

/// Which payload length field the encoder writes the length in (RFC 6455 §5.2 "Payload
/// length"): the encoder's override of the minimal encoding. A decoded frame says how its
/// length was carried with [`crate::LengthEncoding`], which also names hixie's ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthField {
    /// The 7-bit field alone: 0 to 125.
    Bits7,
    /// 126 in the 7-bit field, then a 16-bit unsigned integer.
    Bits16,
    /// 127 in the 7-bit field, then a 64-bit unsigned integer.
    Bits64,
}

impl LengthField {
    /// `"7"`, `"16"` or `"64"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            LengthField::Bits7 => "7",
            LengthField::Bits16 => "16",
            LengthField::Bits64 => "64",
        }
    }

    /// The smallest encoding that carries `length`, as RFC 6455 §5.2 requires: "the
    /// minimal number of bytes MUST be used to encode the length".
    pub fn minimal(length: u64) -> Self {
        match length {
            0..=125 => LengthField::Bits7,
            126..=0xFFFF => LengthField::Bits16,
            _ => LengthField::Bits64,
        }
    }

    fn carries(&self, length: u64) -> bool {
        match self {
            LengthField::Bits7 => length <= 125,
            LengthField::Bits16 => length <= 0xFFFF,
            LengthField::Bits64 => true,
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
    pub length_field: Option<LengthField>,
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
            length_field: None,
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
    let encoding = match spec.length_field {
        Some(forced) if forced.carries(length) => forced,
        Some(LengthField::Bits7) if length <= 0xFFFF => LengthField::Bits16,
        _ => LengthField::minimal(length),
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
        LengthField::Bits7 => frame.push(mask_bit | length as u8),
        LengthField::Bits16 => {
            frame.push(mask_bit | 126);
            frame.extend_from_slice(&(length as u16).to_be_bytes());
        }
        LengthField::Bits64 => {
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
