//! The rules a single RFC 6455 frame must follow on its own: its header (§5.1, §5.2,
//! §5.5, RFC 7692 §6) and a close frame's payload (§5.5.1, §7.4, §8.1). Rules between
//! frames (fragmentation, close ordering) live with the stream in `decoder`.

use crate::coding::{close_code_name, close_code_valid_on_wire, OpCode, MAX_CONTROL_PAYLOAD};
use crate::frame::Header;
use crate::output::{Role, Sink};
use crate::utf8::validate_utf8;
use crate::violation::ViolationId;

/// Checks a complete header; `pmd`: permessage-deflate was negotiated;
/// `unknown_extensions`: an extension this decoder does not know may define RSV bits.
pub(crate) fn check_header(
    h: &Header,
    start: u64,
    index: usize,
    role: Role,
    pmd: bool,
    unknown_extensions: bool,
    sink: &mut Sink,
) {
    let op = h.opcode;
    let name = op.name();
    let at = Some(index);
    // Spans: byte 0 (fin, rsv, opcode), byte 1 (mask, length), the extended length.
    let byte0 = (start, 1);
    let byte1 = (start + 1, 1);
    let ext = match h.len7 {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    // RFC 6455 §5.2: "MUST be 0 unless an extension is negotiated that defines
    // meanings for non-zero values. If a nonzero value is received and none of the
    // negotiated extensions defines the meaning of such a nonzero value, the
    // receiving endpoint MUST _Fail the WebSocket Connection_."
    let reserved: Vec<&str> = [(h.rsv1 && !pmd, "rsv1"), (h.rsv2, "rsv2"), (h.rsv3, "rsv3")]
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, n)| *n)
        .collect();
    if !reserved.is_empty() && !unknown_extensions {
        sink.violation(
            ViolationId::ReservedBits,
            byte0,
            at,
            format!(
                "{} set and no negotiated extension defines {}",
                reserved.join(" and "),
                if reserved.len() == 1 { "it" } else { "them" }
            ),
        );
    }
    // RFC 7692 §6: "An endpoint MUST NOT set the "Per-Message Compressed" bit of
    // control frames and non-first fragments of a data message. An endpoint receiving
    // such a frame MUST _Fail the WebSocket Connection_."
    if h.rsv1 && pmd && (op.is_control() || op == OpCode::Continuation) {
        sink.violation(
            ViolationId::InvalidRsv1,
            byte0,
            at,
            format!("rsv1 set on a {name} frame under permessage-deflate"),
        );
    }
    // RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint MUST
    // _Fail the WebSocket Connection_."
    if op.is_reserved() {
        sink.violation(
            ViolationId::ReservedOpcode,
            byte0,
            at,
            format!("reserved opcode 0x{:x}", op.as_u8()),
        );
    }
    // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or
    // less and MUST NOT be fragmented."
    if op.is_control() && !h.fin {
        sink.violation(
            ViolationId::FragmentedControlFrame,
            byte0,
            at,
            format!("{name} frame with fin clear"),
        );
    }
    // RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame
    // that is not masked." ... "A client MUST close a connection if it detects a
    // masked frame."
    match role {
        Role::Client if !h.masked => sink.violation(
            ViolationId::UnmaskedClientFrame,
            byte1,
            at,
            format!("{name} frame from a client is not masked"),
        ),
        Role::Server if h.masked => sink.violation(
            ViolationId::MaskedServerFrame,
            byte1,
            at,
            format!("{name} frame from a server is masked"),
        ),
        _ => {}
    }
    if op.is_control() && h.payload_len > MAX_CONTROL_PAYLOAD as u64 {
        sink.violation(
            ViolationId::ControlFrameTooLong,
            (start + 1, 1 + ext),
            at,
            format!(
                "{name} payload of {} bytes exceeds {MAX_CONTROL_PAYLOAD}",
                h.payload_len
            ),
        );
    }
    // RFC 6455 §5.2: "in all cases, the minimal number of bytes MUST be used to
    // encode the length" and, of the 64-bit length, "the most significant bit MUST
    // be 0".
    let minimal = match (h.len7, h.payload_len) {
        (126, n) if n < 126 => Some("7 bits suffice"),
        (127, n) if n >> 63 == 0 && n < 126 => Some("7 bits suffice"),
        (127, n) if n >> 63 == 0 && n < 65536 => Some("16 bits suffice"),
        _ => None,
    };
    if let Some(suffice) = minimal {
        sink.violation(
            ViolationId::NonMinimalLength,
            (start + 2, ext),
            at,
            format!(
                "{}-bit length {} where {suffice}",
                if h.len7 == 126 { 16 } else { 64 },
                h.payload_len
            ),
        );
    }
    if h.len7 == 127 && h.payload_len >> 63 != 0 {
        sink.violation(
            ViolationId::LengthTooLarge,
            (start + 2, 8),
            at,
            format!(
                "64-bit length 0x{:016x} has its most significant bit set",
                h.payload_len
            ),
        );
    }
}

/// RFC 6455 §5.5.1: "If there is a body, the first two bytes of the body MUST be a
/// 2-byte unsigned integer (in network byte order) representing a status code".
pub(crate) fn close_payload(
    payload: &[u8],
    start: u64,
    payload_offset: u64,
    index: usize,
    sink: &mut Sink,
) -> (Option<u16>, Option<String>) {
    let at = Some(index);
    match payload {
        [] => (None, None),
        [_] => {
            sink.violation(
                ViolationId::ClosePayloadTooShort,
                (start, payload_offset + 1 - start),
                at,
                "close payload of 1 byte (a status code needs 2)".into(),
            );
            (None, None)
        }
        [hi, lo, reason @ ..] => {
            let code = u16::from_be_bytes([*hi, *lo]);
            if !close_code_valid_on_wire(code) {
                let named = close_code_name(code).map_or(String::new(), |n| format!(" ({n})"));
                sink.violation(
                    ViolationId::InvalidCloseCode,
                    (payload_offset, 2),
                    at,
                    format!("close code {code}{named} is not valid on the wire"),
                );
            }
            // RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8
            // but finds that the byte stream is not, in fact, a valid UTF-8 stream,
            // that endpoint MUST _Fail the WebSocket Connection_."
            if let Err(bad) = validate_utf8(reason) {
                sink.violation(
                    ViolationId::InvalidUtf8,
                    (payload_offset + 2 + bad.offset, bad.length),
                    at,
                    "invalid utf-8 in close reason".into(),
                );
            }
            (
                Some(code),
                Some(String::from_utf8_lossy(reason).into_owned()),
            )
        }
    }
}
