//! Violations: one type for every rule a byte stream can break, each with a stable id,
//! the absolute byte offset of the field that breaks it, the RFC section and the close
//! code a strict endpoint would send.

use std::fmt;

/// The stable machine id of a rule: each RFC 6455 / RFC 7692 MUST a decoder can check, plus the hixie framing rules.
///
/// ```
/// use wsinspect::ViolationId;
/// assert_eq!(ViolationId::ReservedOpcode.as_str(), "reserved-opcode");
/// assert_eq!(ViolationId::ReservedOpcode.rfc(), "RFC 6455 §5.2");
/// assert_eq!(ViolationId::InvalidUtf8.close_code(), Some(1007));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViolationId {
    /// RSV1/2/3 set and no negotiated extension defines it.
    ReservedBits,
    /// Opcode 0x3-0x7 or 0xB-0xF.
    ReservedOpcode,
    /// A frame sent by a client without the mask bit.
    UnmaskedClientFrame,
    /// A frame sent by a server with the mask bit.
    MaskedServerFrame,
    /// A control frame with a payload over 125 bytes.
    ControlFrameTooLong,
    /// A control frame with FIN clear.
    FragmentedControlFrame,
    /// A 16-bit length under 126, or a 64-bit length under 65536.
    NonMinimalLength,
    /// A 64-bit length with its most significant bit set.
    LengthTooLarge,
    /// A continuation frame with no message open.
    UnexpectedContinuation,
    /// A text or binary frame while a fragmented message is open.
    ExpectedContinuation,
    /// A close payload of exactly 1 byte.
    ClosePayloadTooShort,
    /// A close code that is not valid on the wire.
    InvalidCloseCode,
    /// A text message or close reason that is not valid UTF-8.
    InvalidUtf8,
    /// RSV1 on a control or continuation frame under permessage-deflate.
    InvalidRsv1,
    /// A compressed message that does not inflate.
    InflateFailed,
    /// A frame after a close frame in the same direction.
    DataAfterClose,
    /// A message over the configured maximum size.
    MessageTooBig,
    /// hixie-76: a frame type other than 0x00 (sentinel) or 0xFF with length 0 (closing).
    HixieInvalidFrameType,
    /// hixie-76: a text frame whose data is not valid UTF-8.
    HixieInvalidUtf8,
    /// hixie-76: a length prefix that does not fit in 64 bits.
    HixieLengthOverflow,
    /// hixie-76: a frame after the closing frame.
    HixieDataAfterClose,
}

impl ViolationId {
    /// Every id, in the order of the table.
    pub const ALL: [ViolationId; 21] = [
        ViolationId::ReservedBits,
        ViolationId::ReservedOpcode,
        ViolationId::UnmaskedClientFrame,
        ViolationId::MaskedServerFrame,
        ViolationId::ControlFrameTooLong,
        ViolationId::FragmentedControlFrame,
        ViolationId::NonMinimalLength,
        ViolationId::LengthTooLarge,
        ViolationId::UnexpectedContinuation,
        ViolationId::ExpectedContinuation,
        ViolationId::ClosePayloadTooShort,
        ViolationId::InvalidCloseCode,
        ViolationId::InvalidUtf8,
        ViolationId::InvalidRsv1,
        ViolationId::InflateFailed,
        ViolationId::DataAfterClose,
        ViolationId::MessageTooBig,
        ViolationId::HixieInvalidFrameType,
        ViolationId::HixieInvalidUtf8,
        ViolationId::HixieLengthOverflow,
        ViolationId::HixieDataAfterClose,
    ];

    /// The stable machine id, e.g. `"reserved-opcode"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationId::ReservedBits => "reserved-bits",
            ViolationId::ReservedOpcode => "reserved-opcode",
            ViolationId::UnmaskedClientFrame => "unmasked-client-frame",
            ViolationId::MaskedServerFrame => "masked-server-frame",
            ViolationId::ControlFrameTooLong => "control-frame-too-long",
            ViolationId::FragmentedControlFrame => "fragmented-control-frame",
            ViolationId::NonMinimalLength => "non-minimal-length",
            ViolationId::LengthTooLarge => "length-too-large",
            ViolationId::UnexpectedContinuation => "unexpected-continuation",
            ViolationId::ExpectedContinuation => "expected-continuation",
            ViolationId::ClosePayloadTooShort => "close-payload-too-short",
            ViolationId::InvalidCloseCode => "invalid-close-code",
            ViolationId::InvalidUtf8 => "invalid-utf8",
            ViolationId::InvalidRsv1 => "invalid-rsv1",
            ViolationId::InflateFailed => "inflate-failed",
            ViolationId::DataAfterClose => "data-after-close",
            ViolationId::MessageTooBig => "message-too-big",
            ViolationId::HixieInvalidFrameType => "hixie-invalid-frame-type",
            ViolationId::HixieInvalidUtf8 => "hixie-invalid-utf8",
            ViolationId::HixieLengthOverflow => "hixie-length-overflow",
            ViolationId::HixieDataAfterClose => "hixie-data-after-close",
        }
    }

    /// The id for a machine id string, the inverse of [`ViolationId::as_str`].
    pub fn from_name(name: &str) -> Option<ViolationId> {
        ViolationId::ALL.into_iter().find(|id| id.as_str() == name)
    }

    /// The section of the specification that states the rule.
    pub fn rfc(self) -> &'static str {
        match self {
            ViolationId::ReservedBits
            | ViolationId::ReservedOpcode
            | ViolationId::NonMinimalLength
            | ViolationId::LengthTooLarge => "RFC 6455 §5.2",
            ViolationId::UnmaskedClientFrame | ViolationId::MaskedServerFrame => "RFC 6455 §5.1",
            ViolationId::ControlFrameTooLong | ViolationId::FragmentedControlFrame => {
                "RFC 6455 §5.5"
            }
            ViolationId::UnexpectedContinuation | ViolationId::ExpectedContinuation => {
                "RFC 6455 §5.4"
            }
            ViolationId::ClosePayloadTooShort | ViolationId::DataAfterClose => "RFC 6455 §5.5.1",
            ViolationId::InvalidCloseCode => "RFC 6455 §7.4",
            ViolationId::InvalidUtf8 => "RFC 6455 §8.1",
            ViolationId::InvalidRsv1 => "RFC 7692 §6",
            ViolationId::InflateFailed => "RFC 7692 §7.2.2",
            ViolationId::MessageTooBig => "RFC 6455 §10.4",
            ViolationId::HixieInvalidFrameType
            | ViolationId::HixieInvalidUtf8
            | ViolationId::HixieLengthOverflow => "draft-hixie-76 §4.2, §5.3",
            ViolationId::HixieDataAfterClose => "draft-hixie-76 §6",
        }
    }

    /// The rule in one sentence, in the specification's words where it has them.
    pub fn rule(self) -> &'static str {
        match self {
            ViolationId::ReservedBits => "RSV1, RSV2, RSV3: MUST be 0 unless an extension is negotiated that defines meanings for non-zero values.",
            ViolationId::ReservedOpcode => "Opcodes 0x3-0x7 and 0xB-0xF are reserved; if an unknown opcode is received, the receiving endpoint MUST fail the WebSocket connection.",
            ViolationId::UnmaskedClientFrame => "A client MUST mask all frames that it sends to the server.",
            ViolationId::MaskedServerFrame => "A server MUST NOT mask any frames that it sends to the client.",
            ViolationId::ControlFrameTooLong => "All control frames MUST have a payload length of 125 bytes or less.",
            ViolationId::FragmentedControlFrame => "All control frames MUST NOT be fragmented.",
            ViolationId::NonMinimalLength => "The minimal number of bytes MUST be used to encode the length.",
            ViolationId::LengthTooLarge => "In the 64-bit length, the most significant bit MUST be 0.",
            ViolationId::UnexpectedContinuation => "A continuation frame (opcode 0x0) is only valid after a fragmented message's first frame.",
            ViolationId::ExpectedContinuation => "The fragments of one message MUST NOT be interleaved with the fragments of another message.",
            ViolationId::ClosePayloadTooShort => "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer status code.",
            ViolationId::InvalidCloseCode => "Only codes 1000-1003, 1007-1014 and 3000-4999 may be sent in a close frame.",
            ViolationId::InvalidUtf8 => "Text data and close reasons MUST be valid UTF-8; otherwise the endpoint MUST fail the connection (1007).",
            ViolationId::InvalidRsv1 => "permessage-deflate sets RSV1 on the first frame of a compressed message only; never on control or continuation frames.",
            ViolationId::InflateFailed => "A compressed message MUST inflate as DEFLATE data once 00 00 ff ff is appended; otherwise fail the connection.",
            ViolationId::DataAfterClose => "After sending a Close frame, the endpoint MUST NOT send any more data frames.",
            ViolationId::MessageTooBig => "An endpoint MAY close with 1009 when a message is too big for it to process.",
            ViolationId::HixieInvalidFrameType => "A hixie-76 frame starts with 0x00 (text up to 0xFF) or a type byte with the high bit set (length-prefixed).",
            ViolationId::HixieInvalidUtf8 => "A hixie-76 text frame carries UTF-8 between 0x00 and 0xFF.",
            ViolationId::HixieLengthOverflow => "A hixie-76 length-prefixed frame's length must fit the receiver's integers.",
            ViolationId::HixieDataAfterClose => "After the 0xFF 0x00 closing frame, no more frames are sent.",
        }
    }

    /// Which bytes a violation of this rule spans (its `offset` and `length`), in words.
    ///
    /// ```
    /// use wsinspect::ViolationId;
    /// assert_eq!(ViolationId::NonMinimalLength.span(), "the extended payload length (2 or 8 bytes)");
    /// ```
    pub fn span(self) -> &'static str {
        match self {
            // "RSV1, RSV2, RSV3: 1 bit each ... MUST be 0": they are in byte 0.
            ViolationId::ReservedBits | ViolationId::InvalidRsv1 => {
                "byte 0 of the frame (fin, rsv1-3, opcode)"
            }
            // "Opcode: 4 bits": byte 0; a continuation's or a data frame's opcode is what
            // breaks the fragmentation rules, and "FIN: 1 bit" too is in byte 0.
            ViolationId::ReservedOpcode
            | ViolationId::FragmentedControlFrame
            | ViolationId::UnexpectedContinuation
            | ViolationId::ExpectedContinuation => "byte 0 of the frame (fin, rsv1-3, opcode)",
            // "Mask: 1 bit": the high bit of byte 1.
            ViolationId::UnmaskedClientFrame | ViolationId::MaskedServerFrame => {
                "byte 1 of the frame (mask, payload length)"
            }
            // "All control frames MUST have a payload length of 125 bytes or less".
            ViolationId::ControlFrameTooLong => {
                "the payload length field (byte 1 and any extended length)"
            }
            // "the minimal number of bytes MUST be used to encode the length".
            ViolationId::NonMinimalLength => "the extended payload length (2 or 8 bytes)",
            // "the most significant bit MUST be 0": of the 8-byte length.
            ViolationId::LengthTooLarge => "the 8-byte extended payload length",
            // "the first two bytes of the body MUST be a 2-byte unsigned integer".
            ViolationId::ClosePayloadTooShort => "the whole close frame",
            // "Status Code": the first two bytes of the close body.
            ViolationId::InvalidCloseCode => "the close code's 2 bytes",
            // Unicode §3.9 "maximal subpart of an ill-formed subsequence".
            ViolationId::InvalidUtf8 | ViolationId::HixieInvalidUtf8 => {
                "the maximal ill-formed subsequence (for a compressed message: the frame's payload)"
            }
            // "Decompress the resulting data using DEFLATE": the frame whose payload does not.
            ViolationId::InflateFailed => "the whole frame whose payload does not inflate",
            // "MUST NOT send any more data frames after sending a Close frame".
            ViolationId::DataAfterClose => "the whole frame after the close",
            ViolationId::MessageTooBig => {
                "the header declaring the size (or the frame inflating past it)"
            }
            ViolationId::HixieInvalidFrameType => "the whole hixie-76 frame",
            ViolationId::HixieLengthOverflow => "the length bytes read up to the overflow",
            ViolationId::HixieDataAfterClose => "the frame type byte",
        }
    }

    /// The close code a strict RFC 6455 endpoint sends when it sees this violation; `None`
    /// for the hixie rules (hixie-76 has no close codes: the endpoint just closes).
    pub fn close_code(self) -> Option<u16> {
        match self {
            ViolationId::InvalidUtf8 | ViolationId::InflateFailed => Some(1007),
            ViolationId::MessageTooBig => Some(1009),
            ViolationId::HixieInvalidFrameType
            | ViolationId::HixieInvalidUtf8
            | ViolationId::HixieLengthOverflow
            | ViolationId::HixieDataAfterClose => None,
            _ => Some(1002),
        }
    }
}

impl fmt::Display for ViolationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule, located in the stream.
///
/// `message` says what is wrong in lowercase, without the location; `Display` adds the
/// offset and the RFC section: "reserved opcode 0x3 at byte 17 (RFC 6455 §5.2)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Which rule.
    pub id: ViolationId,
    /// Absolute stream offset of the first byte of the field that breaks the rule.
    pub offset: u64,
    /// How many bytes from `offset` break the rule (the span a viewer underlines); the
    /// rule for each id is in [`ViolationId::span`].
    pub length: u64,
    /// Index of the frame concerned, when there is one.
    pub frame: Option<usize>,
    /// What is wrong, lowercase, without the location.
    pub message: String,
}

impl Violation {
    pub(crate) fn new(
        id: ViolationId,
        offset: u64,
        length: u64,
        frame: Option<usize>,
        message: String,
    ) -> Self {
        Violation {
            id,
            offset,
            length,
            frame,
            message,
        }
    }

    /// The section of the specification that states the rule.
    pub fn rfc(&self) -> &'static str {
        self.id.rfc()
    }

    /// The close code a strict endpoint sends (`None` for hixie rules).
    pub fn close_code(&self) -> Option<u16> {
        self.id.close_code()
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at byte {} ({})",
            self.message,
            self.offset,
            self.id.rfc()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_lowercase_and_round_trip() {
        for (i, id) in ViolationId::ALL.iter().enumerate() {
            let name = id.as_str();
            assert_eq!(name, name.to_lowercase());
            assert_eq!(ViolationId::from_name(name), Some(*id));
            for other in &ViolationId::ALL[i + 1..] {
                assert_ne!(name, other.as_str());
            }
        }
        assert_eq!(ViolationId::from_name("nope"), None);
    }

    #[test]
    fn display_carries_offset_and_section() {
        let v = Violation::new(
            ViolationId::ReservedOpcode,
            17,
            1,
            Some(2),
            "reserved opcode 0x3".into(),
        );
        assert_eq!(
            v.to_string(),
            "reserved opcode 0x3 at byte 17 (RFC 6455 §5.2)"
        );
        assert_eq!(v.close_code(), Some(1002));
        assert_eq!(ViolationId::MessageTooBig.close_code(), Some(1009));
        assert_eq!(ViolationId::HixieInvalidUtf8.close_code(), None);
    }
}
