//! One decoded frame (RFC 6455 §5.2, or a hixie-76 frame) and the RFC 6455 header layout.

use crate::coding::{FrameKind, OpCode};
use crate::payload::Payload;

/// How the payload length was carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LengthEncoding {
    /// In the 7-bit payload len field (0-125).
    Bits7,
    /// Payload len 126 and a 16-bit extended length.
    Bits16,
    /// Payload len 127 and a 64-bit extended length.
    Bits64,
    /// hixie: data up to a 0xFF terminator.
    HixieSentinel,
    /// hixie: a length in 7-bit groups after a type byte with the high bit set.
    HixieLength,
}

impl LengthEncoding {
    /// Every encoding, in a fixed order (the binding's records name one by its place here).
    pub const ALL: [LengthEncoding; 5] = [
        LengthEncoding::Bits7,
        LengthEncoding::Bits16,
        LengthEncoding::Bits64,
        LengthEncoding::HixieSentinel,
        LengthEncoding::HixieLength,
    ];

    /// "7", "16", "64", "sentinel" or "hixie-length".
    pub fn as_str(self) -> &'static str {
        match self {
            LengthEncoding::Bits7 => "7",
            LengthEncoding::Bits16 => "16",
            LengthEncoding::Bits64 => "64",
            LengthEncoding::HixieSentinel => "sentinel",
            LengthEncoding::HixieLength => "hixie-length",
        }
    }
}

/// The byte span of one field, for highlighting. Bit fields sharing a byte (fin, rsv1-3,
/// opcode; mask and payload_len) each name that whole byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The RFC's name: fin, rsv1, rsv2, rsv3, opcode, mask, payload_len,
    /// extended_payload_len, masking_key, payload, close_code, close_reason; for hixie
    /// frame_type, length, payload, terminator.
    pub name: &'static str,
    /// Absolute stream offset.
    pub offset: u64,
    /// Length in bytes.
    pub length: u64,
}

/// One frame, every field located in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// 0-based index in the stream.
    pub index: usize,
    /// Stream offset of the frame's first byte.
    pub offset: u64,
    /// Bytes before the payload.
    pub header_length: u64,
    /// Total bytes on the wire (header, payload and any hixie terminator).
    pub length: u64,
    /// FIN bit (always true for hixie frames).
    pub fin: bool,
    /// RSV1 bit.
    pub rsv1: bool,
    /// RSV2 bit.
    pub rsv2: bool,
    /// RSV3 bit.
    pub rsv3: bool,
    /// The 4-bit opcode; for hixie frames the frame type byte.
    pub opcode: u8,
    /// The opcode's name.
    pub kind: FrameKind,
    /// The frame carries part of a message sent compressed under permessage-deflate: the
    /// message's first frame has RSV1 set and the extension was agreed (RFC 7692 §6), and
    /// every continuation frame of that message is compressed with it, though only the first
    /// carries RSV1 (RFC 7692 §6.1). False for control frames, uncompressed messages and
    /// hixie-76 frames. Its `payload` is then DEFLATE data; the message has it inflated.
    pub compressed: bool,
    /// MASK bit.
    pub masked: bool,
    /// The masking key, when masked.
    pub masking_key: Option<[u8; 4]>,
    /// Payload length as declared (equal to `payload.len()` in a complete frame, unless
    /// the frame is past the maximum message size: then `payload` keeps at most that).
    pub payload_len: u64,
    /// Which encoding carried the payload length.
    pub length_encoding: LengthEncoding,
    /// Stream offset of the payload's first byte.
    pub payload_offset: u64,
    /// The payload, unmasked (still compressed under permessage-deflate); cut short in a
    /// frame past the maximum message size (a `message-too-big` violation says so when the
    /// frame is part of a message; a frame of no message, such as one with a reserved
    /// opcode or a hixie-76 frame of an invalid type, is cut without one).
    pub payload: Payload,
    /// Close frames: the status code, when the payload has 2 bytes or more.
    pub close_code: Option<u16>,
    /// Close frames: the code's name, when it has one.
    pub close_code_name: Option<&'static str>,
    /// Close frames: the reason (invalid UTF-8 replaced by U+FFFD; an `invalid-utf8`
    /// violation says so).
    pub close_reason: Option<String>,
}

impl Frame {
    /// Moves the frame `by` bytes later in the stream.
    pub fn shift(&mut self, by: u64) {
        self.offset += by;
        self.payload_offset += by;
    }

    /// The payload bytes on the wire in this record: all of them once the frame is
    /// complete, those that arrived in a truncated one.
    fn payload_present(&self) -> u64 {
        (self.length - self.header_length).min(self.payload_len)
    }

    /// The byte span of each field, computed from the record (nothing is stored per
    /// field): RFC 6455 §5.2's header fields, the payload when it has bytes, a close
    /// frame's code and reason (§5.5.1); for hixie frames the frame type, the length
    /// groups, the payload and the 0xFF terminator.
    pub fn fields(&self) -> Vec<Field> {
        self.fields_with_kept(self.payload.len())
    }

    /// [`Frame::fields`] for a record whose payload is held elsewhere: `kept` is how many
    /// payload bytes it keeps (a close reason's span is what is kept of it).
    pub fn fields_with_kept(&self, kept: usize) -> Vec<Field> {
        let mut fields = Vec::with_capacity(12);
        let mut field = |name, offset: u64, length| {
            fields.push(Field {
                name,
                offset,
                length,
            })
        };
        let start = self.offset;
        let present = self.payload_present();
        match self.length_encoding {
            LengthEncoding::HixieSentinel | LengthEncoding::HixieLength => {
                field("frame_type", start, 1);
                if self.length_encoding == LengthEncoding::HixieLength {
                    field("length", start + 1, self.header_length - 1);
                }
                if present > 0 {
                    field("payload", self.payload_offset, present);
                }
                if self.length_encoding == LengthEncoding::HixieSentinel
                    && self.length > self.header_length + present
                {
                    field("terminator", self.payload_offset + present, 1);
                }
            }
            LengthEncoding::Bits7 | LengthEncoding::Bits16 | LengthEncoding::Bits64 => {
                for name in ["fin", "rsv1", "rsv2", "rsv3", "opcode"] {
                    field(name, start, 1);
                }
                field("mask", start + 1, 1);
                field("payload_len", start + 1, 1);
                let ext = match self.length_encoding {
                    LengthEncoding::Bits16 => 2,
                    LengthEncoding::Bits64 => 8,
                    _ => 0,
                };
                if ext > 0 {
                    field("extended_payload_len", start + 2, ext);
                }
                if self.masked {
                    field("masking_key", start + 2 + ext, 4);
                }
                if present > 0 {
                    field("payload", self.payload_offset, present);
                }
                if self.close_code.is_some() {
                    field("close_code", self.payload_offset, 2);
                    let reason = kept.saturating_sub(2) as u64;
                    if reason > 0 {
                        field("close_reason", self.payload_offset + 2, reason);
                    }
                }
            }
        }
        fields
    }
}

/// The fixed part of an RFC 6455 header, once complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub fin: bool,
    pub rsv1: bool,
    pub rsv2: bool,
    pub rsv3: bool,
    pub opcode: OpCode,
    pub masked: bool,
    /// The 7-bit payload len field.
    pub len7: u8,
    pub payload_len: u64,
    pub masking_key: Option<[u8; 4]>,
    pub header_length: usize,
}

/// The longest RFC 6455 header: 2 + 8 + 4 bytes.
pub(crate) const MAX_HEADER: usize = 14;

/// Header length given its first two bytes.
pub(crate) fn header_length(b1: u8) -> usize {
    let ext = match b1 & 0x7F {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    2 + ext + if b1 & 0x80 != 0 { 4 } else { 0 }
}

/// The total frame length (header and payload) once enough of the header is known.
pub(crate) fn known_total(buf: &[u8]) -> Option<u64> {
    let b1 = *buf.get(1)?;
    let payload = match b1 & 0x7F {
        126 => u64::from(u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?])),
        127 => {
            let mut be = [0u8; 8];
            be.copy_from_slice(buf.get(2..10)?);
            u64::from_be_bytes(be)
        }
        n => u64::from(n),
    };
    Some((header_length(b1) as u64).saturating_add(payload))
}

impl Header {
    /// Parses a complete header (`buf.len() == header_length(buf[1])`).
    pub(crate) fn parse(buf: &[u8]) -> Header {
        let (b0, b1) = (buf[0], buf[1]);
        let len7 = b1 & 0x7F;
        let (payload_len, ext) = match len7 {
            126 => (u64::from(u16::from_be_bytes([buf[2], buf[3]])), 2),
            127 => {
                let mut be = [0u8; 8];
                be.copy_from_slice(&buf[2..10]);
                (u64::from_be_bytes(be), 8)
            }
            n => (u64::from(n), 0),
        };
        let masked = b1 & 0x80 != 0;
        let masking_key = masked.then(|| {
            let k = 2 + ext;
            [buf[k], buf[k + 1], buf[k + 2], buf[k + 3]]
        });
        Header {
            fin: b0 & 0x80 != 0,
            rsv1: b0 & 0x40 != 0,
            rsv2: b0 & 0x20 != 0,
            rsv3: b0 & 0x10 != 0,
            opcode: OpCode::from_u8(b0),
            masked,
            len7,
            payload_len,
            masking_key,
            header_length: 2 + ext + if masked { 4 } else { 0 },
        }
    }

    pub(crate) fn length_encoding(&self) -> LengthEncoding {
        match self.len7 {
            126 => LengthEncoding::Bits16,
            127 => LengthEncoding::Bits64,
            _ => LengthEncoding::Bits7,
        }
    }

    /// The frame record for this header at `start`, with `present` payload bytes on the
    /// wire (all of them once the frame is complete) of which `payload` holds those kept
    /// (fewer past the maximum message size). Close code and reason are left for the
    /// caller.
    pub(crate) fn frame(&self, index: usize, start: u64, payload: Payload, present: u64) -> Frame {
        let header_length = self.header_length as u64;
        let payload_offset = start + header_length;
        Frame {
            index,
            offset: start,
            header_length,
            length: header_length + present,
            fin: self.fin,
            rsv1: self.rsv1,
            rsv2: self.rsv2,
            rsv3: self.rsv3,
            opcode: self.opcode.as_u8(),
            kind: FrameKind::from(self.opcode),
            compressed: false,
            masked: self.masked,
            masking_key: self.masking_key,
            payload_len: self.payload_len,
            length_encoding: self.length_encoding(),
            payload_offset,
            payload,
            close_code: None,
            close_code_name: None,
            close_reason: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lengths() {
        assert_eq!(header_length(0x05), 2);
        assert_eq!(header_length(0x85), 6);
        assert_eq!(header_length(0x7E), 4);
        assert_eq!(header_length(0xFE), 8);
        assert_eq!(header_length(0x7F), 10);
        assert_eq!(header_length(0xFF), MAX_HEADER);
    }

    #[test]
    fn parses_rfc6455_masked_hello_header() {
        let h = Header::parse(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d]);
        assert!(h.fin && !h.rsv1 && !h.rsv2 && !h.rsv3 && h.masked);
        assert_eq!(h.opcode, OpCode::Text);
        assert_eq!(h.payload_len, 5);
        assert_eq!(h.masking_key, Some([0x37, 0xfa, 0x21, 0x3d]));
        assert_eq!(h.header_length, 6);
        let frame = h.frame(0, 10, Payload::default(), 0);
        let names: Vec<_> = frame.fields().iter().map(|f| (f.name, f.offset)).collect();
        assert_eq!(names.last(), Some(&("masking_key", 12)));
    }

    #[test]
    fn parses_64_bit_length() {
        let h = Header::parse(&[0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!(h.payload_len, 65536);
        assert_eq!(h.length_encoding(), LengthEncoding::Bits64);
        assert_eq!(h.header_length, 10);
    }
}
