//! hixie-75/76 framing, protocol detection and the Flash policy request.

mod common;

use common::{decode_all_splits, field_spans, hex, hixie_options, options, violation_triples};
use wsinspect::{
    DecodeOptions, FrameKind, LengthEncoding, NoticeId, Protocol, Role, ViolationId,
    FLASH_POLICY_REQUEST,
};

fn auto() -> DecodeOptions {
    options(Role::Auto)
}

#[test]
fn text_frames_and_the_closing_frame() {
    // The framing hixie-era chat servers wrote as "\x00%s\xFF", then 0xFF 0x00.
    let bytes = hex("00 48656c6c6f ff 00 ceba ff ff00");
    let out = decode_all_splits(&bytes, &auto());
    assert_eq!(out.protocol, Protocol::Hixie76);
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    assert_eq!(out.frames.len(), 3);
    let f = &out.frames[0];
    assert_eq!(
        (f.kind, f.opcode, f.offset, f.header_length, f.length),
        (FrameKind::Text, 0x00, 0, 1, 7)
    );
    assert_eq!((f.payload_offset, f.payload_len), (1, 5));
    assert_eq!(f.length_encoding, LengthEncoding::HixieSentinel);
    let spans: Vec<_> = field_spans(f);
    assert_eq!(
        spans,
        [
            ("frame_type", 0, 1),
            ("payload", 1, 5),
            ("terminator", 6, 1)
        ]
    );
    let texts: Vec<_> = out.messages.iter().map(|m| m.text()).collect();
    assert_eq!(texts, [Some("Hello"), Some("κ")]);
    assert_eq!(out.messages[1].frames, [1]);
    let close = &out.frames[2];
    assert_eq!(
        (close.kind, close.offset, close.length, close.payload_len),
        (FrameKind::Close, 11, 2, 0)
    );
    let notice = out
        .notices
        .iter()
        .find(|n| n.id == NoticeId::ProtocolDetected)
        .unwrap();
    assert_eq!(notice.offset, 0);
}

#[test]
fn length_prefixed_frames_in_7_bit_groups() {
    // Type 0x80, length 0x81 0x00 = 128, then 128 bytes.
    let mut bytes = hex("80 8100");
    bytes.extend_from_slice(&[0x5a; 128]);
    bytes.extend_from_slice(&hex("00 6f6b ff"));
    let out = decode_all_splits(&bytes, &hixie_options());
    let f = &out.frames[0];
    assert_eq!(
        (f.kind, f.header_length, f.payload_len, f.length),
        (FrameKind::Reserved, 3, 128, 131)
    );
    assert_eq!(f.length_encoding, LengthEncoding::HixieLength);
    assert_eq!(f.fields()[1].name, "length");
    assert_eq!((f.fields()[1].offset, f.fields()[1].length), (1, 2));
    assert_eq!(out.frames[1].offset, 131);
    assert_eq!(out.messages[0].text(), Some("ok"));
}

#[test]
fn an_empty_text_frame() {
    let out = decode_all_splits(&hex("00ff"), &auto());
    assert_eq!(out.messages[0].text(), Some(""));
    assert_eq!(out.frames[0].fields().len(), 2);
}

#[test]
fn incomplete_hixie_frames() {
    let out = decode_all_splits(&hex("00ff 00 4865"), &auto());
    let tail = out.incomplete.unwrap();
    assert_eq!(
        (tail.offset, tail.have, tail.needed, tail.min_needed),
        (2, 3, None, 1)
    );
    let out = decode_all_splits(&hex("80 05 48"), &hixie_options());
    let tail = out.incomplete.unwrap();
    assert_eq!((tail.offset, tail.have, tail.needed), (0, 3, Some(4)));
    let out = decode_all_splits(&hex("80 85"), &hixie_options());
    assert_eq!(out.incomplete.unwrap().needed, None);
}

#[test]
fn incomplete_hixie_frames_stay_readable() {
    // A text frame cut before its terminator: the text so far.
    let out = decode_all_splits(&hex("00ff 00 4865"), &auto());
    let partial = out.incomplete.unwrap().partial.unwrap();
    assert_eq!(
        (partial.index, partial.offset, partial.kind),
        (1, 2, FrameKind::Text)
    );
    assert_eq!((partial.header_length, partial.length), (1, 3));
    assert_eq!(partial.payload, b"He");
    assert_eq!(partial.length_encoding, LengthEncoding::HixieSentinel);
    // A length-prefixed frame cut in its data: declared length 5, 1 byte present.
    let out = decode_all_splits(&hex("80 05 48"), &hixie_options());
    let partial = out.incomplete.unwrap().partial.unwrap();
    assert_eq!(
        (partial.payload_len, partial.payload.to_vec()),
        (5, b"H".to_vec())
    );
    let spans: Vec<_> = partial
        .fields()
        .iter()
        .map(|f| (f.name, f.offset))
        .collect();
    assert_eq!(spans, [("frame_type", 0), ("length", 1), ("payload", 2)]);
    // Cut in its length groups: nothing to show yet.
    let out = decode_all_splits(&hex("80 85"), &hixie_options());
    assert_eq!(out.incomplete.unwrap().partial, None);
}

#[test]
fn protocol_detection() {
    // (bytes, detected protocol)
    let cases = [
        ("00 41 ff", Protocol::Hixie76),
        ("ff 00", Protocol::Hixie76),
        ("ff 80", Protocol::Rfc6455),
        ("ff", Protocol::Rfc6455),
        ("81 00", Protocol::Rfc6455),
        ("", Protocol::Auto),
    ];
    for (bytes, protocol) in cases {
        let out = decode_all_splits(&hex(bytes), &auto());
        assert_eq!(out.protocol, protocol, "{bytes}");
    }
    // Forced hixie reads 0x81 as a length-prefixed frame type.
    let out = decode_all_splits(&hex("81 00"), &hixie_options());
    assert_eq!(
        (out.frames[0].kind, out.frames[0].opcode),
        (FrameKind::Reserved, 0x81)
    );
}

#[test]
fn flash_policy_request_at_the_start() {
    assert_eq!(FLASH_POLICY_REQUEST.len(), 23);
    let out = decode_all_splits(FLASH_POLICY_REQUEST, &auto());
    assert_eq!(out.notices.len(), 1);
    assert_eq!(
        (out.notices[0].id, out.notices[0].offset),
        (NoticeId::FlashPolicyRequest, 0)
    );
    assert!(out.frames.is_empty() && out.violations.is_empty() && out.incomplete.is_none());

    // Frames after it are decoded at their own offsets, with the protocol detected then.
    let bytes = [FLASH_POLICY_REQUEST, &hex("810548656c6c6f")].concat();
    let out = decode_all_splits(&bytes, &auto());
    assert_eq!(out.frames[0].offset, 23);
    assert_eq!(out.protocol, Protocol::Rfc6455);
    assert_eq!(out.messages[0].text(), Some("Hello"));
    let bytes = [FLASH_POLICY_REQUEST, &hex("00 6869 ff")].concat();
    let out = decode_all_splits(&bytes, &auto());
    assert_eq!(out.protocol, Protocol::Hixie76);
    assert_eq!(out.frames[0].offset, 23);
}

#[test]
fn a_stream_only_resembling_the_policy_request_is_decoded_as_frames() {
    let out = decode_all_splits(b"<pol", &auto());
    assert!(out
        .notices
        .iter()
        .all(|n| n.id != NoticeId::FlashPolicyRequest));
    assert_eq!(out.protocol, Protocol::Rfc6455);
    assert_eq!(out.incomplete.unwrap().offset, 0);
    let out = decode_all_splits(b"<policy-file-request/>X", &auto());
    assert!(out
        .notices
        .iter()
        .all(|n| n.id != NoticeId::FlashPolicyRequest));
    // '<' 'p' is read as an RFC 6455 header: opcode 0xc, 112 bytes of payload.
    assert_eq!(out.incomplete.unwrap().needed, Some(2 + 112 - 23));
}

#[test]
fn the_maximum_message_size_holds_for_hixie_text() {
    let options = |max| DecodeOptions {
        max_message_size: Some(max),
        ..hixie_options()
    };
    // "ok" fits; "Hello" at byte 4 does not: reported at its frame, its data cut.
    let out = decode_all_splits(&hex("00 6f6b ff 00 48656c6c6f ff"), &options(3));
    let v: Vec<_> = violation_triples(&out);
    assert_eq!(v, [(ViolationId::MessageTooBig, 4, Some(1))]);
    assert_eq!(
        out.violations[0].message,
        "message 1 of 5 bytes exceeds the maximum of 3"
    );
    assert_eq!(out.messages[0].data, b"ok");
    assert_eq!(out.messages[1].data, b"Hel");
    assert_eq!(out.messages[1].text(), Some("Hel"));
    // The frame keeps no more than the maximum either, while its length counts them all.
    assert_eq!(out.frames[1].payload, b"Hel");
    assert_eq!((out.frames[1].payload_len, out.frames[1].length), (5, 7));
    // A cut inside a character keeps the whole characters before it.
    let out = decode_all_splits(&hex("00 61ceba ff"), &options(2));
    assert_eq!(out.messages[0].data, [0x61, 0xce]);
    assert_eq!(out.messages[0].text(), Some("a"));
    // Exactly at the maximum is fine.
    let out = decode_all_splits(&hex("00 48656c6c6f ff"), &options(5));
    assert!(out.violations.is_empty());
    assert_eq!(out.messages[0].text(), Some("Hello"));
}
