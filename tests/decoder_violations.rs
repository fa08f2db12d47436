//! One case per violation id: each triggers the rule after a harmless first
//! frame (so offsets are not trivially 0), checks the id, offset and frame index, and is
//! decoded in every split and one byte at a time.

mod common;

use common::{
    decode_all_splits, deflate_options, f, hex, hixie_options, options, stream, violation_triples,
};
use wsinspect::{DecodeOptions, Frame, LengthEncoding, Role, ViolationId as V};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

struct Case {
    name: &'static str,
    options: DecodeOptions,
    bytes: Vec<u8>,
    /// (id, offset, frame index)
    expected: Vec<(V, u64, Option<usize>)>,
}

fn max(size: u64, mut o: DecodeOptions) -> DecodeOptions {
    o.max_message_size = Some(size);
    o
}

fn cases() -> Vec<Case> {
    let ok = f(1, b"ok"); // 4 bytes unmasked
    let pmd = || deflate_options(Role::Server, "permessage-deflate");
    let c = |name, options, bytes, expected| Case {
        name,
        options,
        bytes,
        expected,
    };
    vec![
        c(
            "rsv2 set",
            options(Role::Server),
            stream(&[ok.clone(), f(1, b"Hi").rsv(0b010)]),
            vec![(V::ReservedBits, 4, Some(1))],
        ),
        c(
            "rsv1 without permessage-deflate",
            options(Role::Server),
            stream(&[ok.clone(), f(1, b"Hi").rsv(0b100)]),
            vec![(V::ReservedBits, 4, Some(1))],
        ),
        c(
            "reserved data opcode",
            options(Role::Server),
            stream(&[ok.clone(), f(3, b"x")]),
            vec![(V::ReservedOpcode, 4, Some(1))],
        ),
        c(
            "reserved control opcode",
            options(Role::Server),
            stream(&[ok.clone(), f(0xB, b"")]),
            vec![(V::ReservedOpcode, 4, Some(1))],
        ),
        c(
            "unmasked client frame",
            options(Role::Client),
            stream(&[ok.clone().key(KEY), f(1, b"hi")]),
            vec![(V::UnmaskedClientFrame, 9, Some(1))],
        ),
        c(
            "masked server frame",
            options(Role::Server),
            stream(&[ok.clone(), f(1, b"hi").key(KEY)]),
            vec![(V::MaskedServerFrame, 5, Some(1))],
        ),
        c(
            "control frame too long",
            options(Role::Server),
            stream(&[ok.clone(), f(9, &[0x61; 126])]),
            vec![(V::ControlFrameTooLong, 5, Some(1))],
        ),
        c(
            "fragmented control frame",
            options(Role::Server),
            stream(&[ok.clone(), f(9, b"p").fin(false)]),
            vec![(V::FragmentedControlFrame, 4, Some(1))],
        ),
        c(
            "16-bit length for 3 bytes",
            options(Role::Server),
            stream(&[ok.clone(), f(2, b"abc").encoding(16)]),
            vec![(V::NonMinimalLength, 6, Some(1))],
        ),
        c(
            "64-bit length for 300 bytes",
            options(Role::Server),
            stream(&[ok.clone(), f(2, &[7; 300]).encoding(64)]),
            vec![(V::NonMinimalLength, 6, Some(1))],
        ),
        c(
            "64-bit length with msb set",
            options(Role::Server),
            stream(&[ok.clone(), f(2, b"").declared(1 << 63).encoding(64)]),
            vec![(V::LengthTooLarge, 6, Some(1))],
        ),
        c(
            "continuation with no message",
            options(Role::Server),
            stream(&[ok.clone(), f(0, b"x")]),
            vec![(V::UnexpectedContinuation, 4, Some(1))],
        ),
        c(
            "text inside a fragmented message",
            options(Role::Server),
            stream(&[f(1, b"He").fin(false), f(1, b"x")]),
            vec![(V::ExpectedContinuation, 4, Some(1))],
        ),
        c(
            "close payload of one byte",
            options(Role::Server),
            stream(&[ok.clone(), f(8, &[0x03])]),
            vec![(V::ClosePayloadTooShort, 4, Some(1))],
        ),
        c(
            "close code 1005 on the wire",
            options(Role::Server),
            stream(&[ok.clone(), f(8, &[0x03, 0xed])]),
            vec![(V::InvalidCloseCode, 6, Some(1))],
        ),
        c(
            "bad byte in the second fragment",
            options(Role::Server),
            stream(&[f(1, &[0x48, 0xE2, 0x82]).fin(false), f(0, &[0x41])]),
            // The maximal ill-formed subsequence E2 82 starts in the first frame (byte 3),
            // which the violation names; the 41 of the second frame is a valid "A" that
            // shows it unfinished.
            vec![(V::InvalidUtf8, 3, Some(0))],
        ),
        c(
            "text ends mid-character",
            options(Role::Server),
            stream(&[ok.clone(), f(1, &[0x48, 0xE2])]),
            vec![(V::InvalidUtf8, 7, Some(1))],
        ),
        c(
            "masked text with a bad byte",
            options(Role::Client),
            stream(&[f(1, &[0x61, 0x62, 0xC0, 0x80]).key(KEY)]),
            vec![(V::InvalidUtf8, 8, Some(0))],
        ),
        c(
            "close reason not utf-8",
            options(Role::Server),
            stream(&[ok.clone(), f(8, &[0x03, 0xe8, 0x6f, 0xff])]),
            vec![(V::InvalidUtf8, 9, Some(1))],
        ),
        c(
            "rsv1 on a ping under permessage-deflate",
            pmd(),
            [hex("c107f248cdc9c90700"), f(9, b"").rsv(0b100).bytes()].concat(),
            vec![(V::InvalidRsv1, 9, Some(1))],
        ),
        c(
            "rsv1 on a continuation under permessage-deflate",
            pmd(),
            hex("4103f248cdc004c9c90700"),
            vec![(V::InvalidRsv1, 5, Some(1))],
        ),
        c(
            "compressed garbage",
            pmd(),
            stream(&[ok.clone(), f(1, &[0xff, 0xff, 0xff]).rsv(0b100)]),
            vec![(V::InflateFailed, 4, Some(1))],
        ),
        c(
            "text after close",
            options(Role::Server),
            stream(&[f(8, &[0x03, 0xe8]), f(1, b"x")]),
            vec![(V::DataAfterClose, 4, Some(1))],
        ),
        c(
            "message over the maximum",
            max(4, options(Role::Server)),
            stream(&[ok.clone(), f(2, b"hello")]),
            vec![(V::MessageTooBig, 4, Some(1))],
        ),
        c(
            "fragmented message over the maximum",
            max(4, options(Role::Server)),
            stream(&[f(2, b"abc").fin(false), f(0, b"de")]),
            vec![(V::MessageTooBig, 5, Some(1))],
        ),
        c(
            "inflated message over the maximum",
            max(3, pmd()),
            [ok.bytes(), hex("c107f248cdc9c90700")].concat(),
            vec![(V::MessageTooBig, 4, Some(1))],
        ),
        c(
            "hixie text over the maximum",
            max(2, hixie_options()),
            hex("00 6869 ff 00 6f6b21 ff"),
            vec![(V::MessageTooBig, 4, Some(1))],
        ),
        c(
            "hixie frame type 0x01",
            hixie_options(),
            hex("00 6869 ff 01 78 ff"),
            vec![(V::HixieInvalidFrameType, 4, Some(1))],
        ),
        c(
            "hixie length frame 0x80",
            hixie_options(),
            hex("00 6869 ff 80 02 6869"),
            vec![(V::HixieInvalidFrameType, 4, Some(1))],
        ),
        c(
            "hixie text not utf-8",
            hixie_options(),
            hex("00 6869 ff 00 48 c0 ff"),
            vec![(V::HixieInvalidUtf8, 6, Some(1))],
        ),
        c(
            "hixie length past 64 bits",
            hixie_options(),
            hex("00 6869 ff 80 ffffffffffffffffff 7f"),
            vec![(V::HixieLengthOverflow, 5, Some(1))],
        ),
        c(
            "hixie frame after closing",
            hixie_options(),
            hex("ff00 00 41 ff"),
            vec![(V::HixieDataAfterClose, 2, Some(1))],
        ),
    ]
}

#[test]
fn each_case_reports_its_id_at_its_offset_in_every_split() {
    for case in cases() {
        let out = decode_all_splits(&case.bytes, &case.options);
        let got: Vec<_> = violation_triples(&out);
        assert_eq!(got, case.expected, "{}: {:?}", case.name, out.violations);
        for v in &out.violations {
            let text = v.to_string();
            assert!(
                text.contains(&format!(" at byte {} ({})", v.offset, v.rfc())),
                "{text}"
            );
            assert_eq!(
                v.message,
                v.message.to_lowercase(),
                "{}: message is lowercase",
                case.name
            );
        }
    }
}

/// The span each rule's definition gives (`ViolationId::span`), worked out from the
/// decoded frame the violation names: `None` where the span depends on more than the
/// frame (the UTF-8 ones are checked byte by byte in tests/decoder_utf8.rs).
fn span_by_rule(id: V, frame: &Frame) -> Option<(u64, u64)> {
    let at = frame.offset;
    let extended = match frame.length_encoding {
        LengthEncoding::Bits16 => 2,
        LengthEncoding::Bits64 => 8,
        _ => 0,
    };
    Some(match id {
        // Byte 0: FIN, RSV1-3, opcode.
        V::ReservedBits
        | V::InvalidRsv1
        | V::ReservedOpcode
        | V::FragmentedControlFrame
        | V::UnexpectedContinuation
        | V::ExpectedContinuation
        | V::HixieDataAfterClose => (at, 1),
        // Byte 1: MASK and the 7-bit length.
        V::UnmaskedClientFrame | V::MaskedServerFrame => (at + 1, 1),
        V::ControlFrameTooLong => (at + 1, 1 + extended),
        V::NonMinimalLength | V::LengthTooLarge => (at + 2, extended),
        V::InvalidCloseCode => (frame.payload_offset, 2),
        V::ClosePayloadTooShort
        | V::InflateFailed
        | V::DataAfterClose
        | V::HixieInvalidFrameType => (at, frame.length),
        V::MessageTooBig | V::InvalidUtf8 | V::HixieInvalidUtf8 | V::HixieLengthOverflow => {
            return None
        }
    })
}

#[test]
fn every_violation_spans_the_bytes_its_rule_names_inside_the_input() {
    let mut seen = Vec::new();
    for case in cases() {
        let out = decode_all_splits(&case.bytes, &case.options);
        for v in &out.violations {
            assert!(v.length >= 1, "{}: {v:?} spans nothing", case.name);
            assert!(
                v.offset + v.length <= case.bytes.len() as u64,
                "{}: {v:?} runs past the {} input bytes",
                case.name,
                case.bytes.len()
            );
            let frame = out.frames.iter().find(|f| Some(f.index) == v.frame);
            if let Some(expected) = frame.and_then(|f| span_by_rule(v.id, f)) {
                assert_eq!((v.offset, v.length), expected, "{}: {v:?}", case.name);
            }
            seen.push(v.id);
        }
    }
    for id in V::ALL {
        assert!(seen.contains(&id), "no span checked for {}", id.as_str());
    }
}

#[test]
fn every_violation_id_has_a_case() {
    let cases = cases();
    for id in V::ALL {
        assert!(
            cases.iter().any(|c| c.expected.iter().any(|e| e.0 == id)),
            "no test triggers {}",
            id.as_str()
        );
    }
}

#[test]
fn messages_read_like_the_style_guide() {
    let out = decode_all_splits(&stream(&[f(1, b"ok"), f(3, b"x")]), &options(Role::Server));
    assert_eq!(
        out.violations[0].to_string(),
        "reserved opcode 0x3 at byte 4 (RFC 6455 §5.2)"
    );
    assert_eq!(out.violations[0].close_code(), Some(1002));
    let out = decode_all_splits(&stream(&[f(8, &[0x03, 0xed])]), &options(Role::Server));
    assert_eq!(
        out.violations[0].to_string(),
        "close code 1005 (no status received) is not valid on the wire at byte 2 (RFC 6455 §7.4)"
    );
}

#[test]
fn decoding_goes_on_after_violations() {
    // Reserved opcode, unmasked frame from a client, then a good masked frame: all three
    // frames are decoded and the message after them is intact.
    let bytes = stream(&[f(3, b"??").key(KEY), f(1, b"bad"), f(1, b"Hello").key(KEY)]);
    let out = decode_all_splits(&bytes, &options(Role::Client));
    assert_eq!(out.frames.len(), 3);
    let ids: Vec<_> = out.violations.iter().map(|v| v.id).collect();
    assert_eq!(ids, [V::ReservedOpcode, V::UnmaskedClientFrame]);
    assert_eq!(out.messages.len(), 2);
    assert_eq!(out.messages[1].text(), Some("Hello"));
}

#[test]
fn several_rules_in_one_header_come_in_byte_order() {
    // A fragmented ping with rsv3, a 16-bit length of 200 and a mask, from a server.
    let bytes = f(9, &[0; 200]).fin(false).rsv(0b001).key(KEY).bytes();
    let out = decode_all_splits(&bytes, &options(Role::Server));
    let got: Vec<_> = out.violations.iter().map(|v| (v.id, v.offset)).collect();
    assert_eq!(
        got,
        [
            (V::ReservedBits, 0),
            (V::FragmentedControlFrame, 0),
            (V::MaskedServerFrame, 1),
            (V::ControlFrameTooLong, 1),
        ]
    );
}

#[test]
fn an_interrupted_message_is_still_reported() {
    let bytes = stream(&[f(1, b"He").fin(false), f(1, b"x")]);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    assert_eq!(out.messages.len(), 2);
    assert!(!out.messages[0].complete);
    assert_eq!(out.messages[0].text(), Some("He"));
    assert_eq!(out.messages[0].frames, [0]);
    assert!(out.messages[1].complete);
    assert_eq!(out.messages[1].index, 1);
}

#[test]
fn invalid_text_has_no_text() {
    let out = decode_all_splits(&stream(&[f(1, &[0x61, 0xFF])]), &options(Role::Server));
    assert_eq!(out.messages[0].text(), None);
    assert_eq!(out.messages[0].data, [0x61, 0xFF]);
}
