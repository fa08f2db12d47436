//! The RFC 6455 registries: opcodes (§5.2, §11.8) and close codes (§7.4, §11.7), with
//! their names and whether a code may appear in a close frame.

/// The largest control frame payload: RFC 6455 §5.5: "All control frames MUST have a payload
/// length of 125 bytes or less".
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// The longest close reason: a close frame's payload less the 2-byte status code (§5.5.1).
pub const MAX_CLOSE_REASON: usize = MAX_CONTROL_PAYLOAD - 2;

/// A frame opcode (RFC 6455 §5.2), named after the RFC.
///
/// ```
/// use wsinspect::OpCode;
/// assert_eq!(OpCode::from_u8(0x1), OpCode::Text);
/// assert_eq!(OpCode::from_u8(0x3).name(), "reserved");
/// assert!(OpCode::from_u8(0xB).is_control());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpCode {
    /// 0x0 denotes a continuation frame.
    Continuation,
    /// 0x1 denotes a text frame.
    Text,
    /// 0x2 denotes a binary frame.
    Binary,
    /// 0x3-0x7 are reserved for further non-control frames.
    ReservedData(u8),
    /// 0x8 denotes a connection close.
    Close,
    /// 0x9 denotes a ping.
    Ping,
    /// 0xA denotes a pong.
    Pong,
    /// 0xB-0xF are reserved for further control frames.
    ReservedControl(u8),
}

impl OpCode {
    /// The opcode in the low 4 bits of `byte` (the high bits are ignored).
    pub fn from_u8(byte: u8) -> OpCode {
        match byte & 0x0F {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xA => OpCode::Pong,
            n if n < 0x8 => OpCode::ReservedData(n),
            n => OpCode::ReservedControl(n),
        }
    }

    /// The 4-bit value.
    pub fn as_u8(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xA,
            OpCode::ReservedData(n) | OpCode::ReservedControl(n) => n,
        }
    }

    /// The frame kind's name: continuation, text, binary, close, ping, pong or reserved.
    pub fn name(self) -> &'static str {
        FrameKind::from(self).as_str()
    }

    /// Control frames are identified by opcodes where the most significant bit of the
    /// opcode is 1 (RFC 6455 §5.5).
    pub fn is_control(self) -> bool {
        self.as_u8() & 0x8 != 0
    }

    /// Whether the opcode is one of the reserved values.
    pub fn is_reserved(self) -> bool {
        matches!(self, OpCode::ReservedData(_) | OpCode::ReservedControl(_))
    }
}

/// Every opcode value with its meaning, for a reference panel.
pub const OPCODES: [(u8, &str); 16] = [
    (0x0, "continuation frame"),
    (0x1, "text frame"),
    (0x2, "binary frame"),
    (0x3, "reserved for further non-control frames"),
    (0x4, "reserved for further non-control frames"),
    (0x5, "reserved for further non-control frames"),
    (0x6, "reserved for further non-control frames"),
    (0x7, "reserved for further non-control frames"),
    (0x8, "connection close"),
    (0x9, "ping"),
    (0xA, "pong"),
    (0xB, "reserved for further control frames"),
    (0xC, "reserved for further control frames"),
    (0xD, "reserved for further control frames"),
    (0xE, "reserved for further control frames"),
    (0xF, "reserved for further control frames"),
];

/// The named close codes (RFC 6455 §7.4.1 and the IANA registry), with whether each may
/// be sent in a close frame.
pub const CLOSE_CODES: [(u16, &str, bool); 15] = [
    (1000, "normal closure", true),
    (1001, "going away", true),
    (1002, "protocol error", true),
    (1003, "unsupported data", true),
    (1005, "no status received", false),
    (1006, "abnormal closure", false),
    (1007, "invalid payload data", true),
    (1008, "policy violation", true),
    (1009, "message too big", true),
    (1010, "mandatory extension", true),
    (1011, "internal error", true),
    (1012, "service restart", true),
    (1013, "try again later", true),
    (1014, "bad gateway", true),
    (1015, "TLS handshake", false),
];

/// The name of a close code: the named codes of [`CLOSE_CODES`], "registered" for
/// 3000-3999, "private" for 4000-4999, `None` otherwise.
///
/// ```
/// assert_eq!(wsinspect::close_code_name(1000), Some("normal closure"));
/// assert_eq!(wsinspect::close_code_name(4001), Some("private"));
/// assert_eq!(wsinspect::close_code_name(999), None);
/// ```
pub fn close_code_name(code: u16) -> Option<&'static str> {
    match code {
        3000..=3999 => Some("registered"),
        4000..=4999 => Some("private"),
        _ => CLOSE_CODES
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, name, _)| *name),
    }
}

/// Whether a close code may appear in a close frame: 1000-1003, 1007-1014, 3000-4999.
///
/// RFC 6455 §7.4.1 on 1005, 1006 and 1015: "MUST NOT be set as a status code in a Close
/// control frame by an endpoint"; 0-999 are "not used" and 1016-2999 are reserved (§7.4.2).
///
/// ```
/// assert!(wsinspect::close_code_valid_on_wire(1000));
/// assert!(!wsinspect::close_code_valid_on_wire(1005));
/// ```
pub fn close_code_valid_on_wire(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// What a frame is: the name of its opcode (or hixie frame type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// Opcode 0x0.
    Continuation,
    /// Opcode 0x1, or a hixie `0x00 ... 0xFF` frame.
    Text,
    /// Opcode 0x2.
    Binary,
    /// Opcode 0x8, or the hixie `0xFF 0x00` closing frame.
    Close,
    /// Opcode 0x9.
    Ping,
    /// Opcode 0xA.
    Pong,
    /// A reserved opcode, or a hixie frame type with no meaning.
    Reserved,
}

impl FrameKind {
    /// Every kind, in a fixed order (the binding's records name a kind by its place here).
    pub const ALL: [FrameKind; 7] = [
        FrameKind::Continuation,
        FrameKind::Text,
        FrameKind::Binary,
        FrameKind::Close,
        FrameKind::Ping,
        FrameKind::Pong,
        FrameKind::Reserved,
    ];

    /// The lowercase name: continuation, text, binary, close, ping, pong, reserved.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameKind::Continuation => "continuation",
            FrameKind::Text => "text",
            FrameKind::Binary => "binary",
            FrameKind::Close => "close",
            FrameKind::Ping => "ping",
            FrameKind::Pong => "pong",
            FrameKind::Reserved => "reserved",
        }
    }
}

impl From<OpCode> for FrameKind {
    fn from(op: OpCode) -> Self {
        match op {
            OpCode::Continuation => FrameKind::Continuation,
            OpCode::Text => FrameKind::Text,
            OpCode::Binary => FrameKind::Binary,
            OpCode::Close => FrameKind::Close,
            OpCode::Ping => FrameKind::Ping,
            OpCode::Pong => FrameKind::Pong,
            OpCode::ReservedData(_) | OpCode::ReservedControl(_) => FrameKind::Reserved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcode_round_trips_every_value() {
        for n in 0u8..16 {
            let op = OpCode::from_u8(n);
            assert_eq!(op.as_u8(), n);
            assert_eq!(op.is_control(), n >= 8);
            assert_eq!(op.is_reserved(), matches!(n, 3..=7 | 0xB..=0xF));
            assert_eq!(OPCODES[n as usize].0, n);
        }
        assert_eq!(OpCode::from_u8(0x81), OpCode::Text);
    }

    #[test]
    fn close_code_table_matches_rfc_6455_section_7_4() {
        let valid: Vec<u16> = (0..=u16::MAX)
            .filter(|c| close_code_valid_on_wire(*c))
            .collect();
        assert_eq!(valid.len(), 4 + 8 + 2000);
        for (code, name, wire) in CLOSE_CODES {
            assert_eq!(close_code_name(code), Some(name));
            assert_eq!(close_code_valid_on_wire(code), wire);
        }
        assert_eq!(close_code_name(1004), None);
        assert_eq!(close_code_name(3000), Some("registered"));
        assert_eq!(close_code_name(4999), Some("private"));
        assert_eq!(close_code_name(5000), None);
        for c in [999, 1004, 1005, 1006, 1015, 2999, 5000] {
            assert!(!close_code_valid_on_wire(c));
        }
        assert!(close_code_valid_on_wire(4999));
    }
}
