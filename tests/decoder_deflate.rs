//! permessage-deflate through the decoder (RFC 7692): the §7.2.3 examples with their
//! parameters, which direction's parameters apply, sizes, and extension errors.

mod common;

use common::{
    decode_all_splits, deflate_options, f, hex, stream, violation_spans, violation_triples,
};
use wsinspect::{decode, DecodeOptions, Decoder, MessageKind, NoticeId, Role, ViolationId};

/// RFC 7692 §7.2.3.2: "Hello" compressed, then "Hello" again referring to the first.
const FIRST: &[u8] = &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
const SECOND: &[u8] = &[0xf2, 0x00, 0x11, 0x00, 0x00];

fn texts(out: &wsinspect::DecodeOutput) -> Vec<Option<&str>> {
    out.messages.iter().map(|m| m.text()).collect()
}

#[test]
fn shared_window_pair_from_a_server() {
    // The same bytes as the shared vector "two messages sharing the sliding window".
    let bytes = hex("c107f248cdc9c90700c105f200110000");
    assert_eq!(bytes, stream(&[f(1, FIRST).rsv(4), f(1, SECOND).rsv(4)]));
    let out = decode_all_splits(&bytes, &deflate_options(Role::Server, "permessage-deflate"));
    assert_eq!(texts(&out), [Some("Hello"), Some("Hello")]);
    assert_eq!(out.messages[1].wire_length, 5);
    assert_eq!(out.messages[1].data.len(), 5);
    // client_no_context_takeover concerns the other direction: the window is kept.
    let out = decode_all_splits(
        &bytes,
        &deflate_options(
            Role::Server,
            "permessage-deflate; client_no_context_takeover",
        ),
    );
    assert_eq!(texts(&out), [Some("Hello"), Some("Hello")]);
    assert!(out.violations.is_empty());
}

#[test]
fn server_no_context_takeover_empties_the_window() {
    let bytes = hex("c107f248cdc9c90700c105f200110000");
    let out = decode_all_splits(
        &bytes,
        &deflate_options(
            Role::Server,
            "permessage-deflate; server_no_context_takeover",
        ),
    );
    assert_eq!(out.messages[0].text(), Some("Hello"));
    // RFC 7692 §7.1.1.1: "the server MUST start compressing each new message with an
    // empty LZ77 sliding window". The second message refers back to the first one's
    // "Hello": under server_no_context_takeover that reaches before its own start.
    let got: Vec<_> = violation_triples(&out);
    assert_eq!(got, [(ViolationId::InflateFailed, 9, Some(1))]);
    assert_eq!(out.violations[0].close_code(), Some(1007));
    assert_eq!(out.messages[1].text(), None);
    // A self-contained message after it inflates again.
    let bytes = [bytes, hex("c107f248cdc9c90700")].concat();
    let out = decode_all_splits(
        &bytes,
        &deflate_options(
            Role::Server,
            "permessage-deflate; server_no_context_takeover",
        ),
    );
    assert_eq!(out.messages[2].text(), Some("Hello"));
}

#[test]
fn client_frames_use_the_client_parameters() {
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let bytes = stream(&[f(1, FIRST).rsv(4).key(key), f(1, SECOND).rsv(4).key(key)]);
    let kept = decode_all_splits(
        &bytes,
        &deflate_options(Role::Auto, "permessage-deflate; server_no_context_takeover"),
    );
    assert_eq!(kept.role, Role::Client);
    assert_eq!(texts(&kept), [Some("Hello"), Some("Hello")]);
    let reset = decode_all_splits(
        &bytes,
        &deflate_options(
            Role::Client,
            "permessage-deflate; client_no_context_takeover",
        ),
    );
    let got: Vec<_> = violation_triples(&reset);
    assert_eq!(got, [(ViolationId::InflateFailed, 13, Some(1))]);
}

#[test]
fn a_compressed_message_with_a_ping_between_its_fragments() {
    let bytes = stream(&[
        f(2, &FIRST[..3]).rsv(4).fin(false),
        f(9, b"!"),
        f(0, &FIRST[3..]),
    ]);
    let out = decode_all_splits(&bytes, &deflate_options(Role::Server, "permessage-deflate"));
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    let m = &out.messages[0];
    assert_eq!(
        (m.kind, m.compressed, m.frames.to_vec()),
        (MessageKind::Binary, true, vec![0, 2])
    );
    assert_eq!(m.data, b"Hello");
    assert_eq!(m.text(), None);
    assert_eq!(m.wire_length, 7);
}

/// Each frame's `compressed` flag, in order.
fn compressed_flags(out: &wsinspect::DecodeOutput) -> Vec<bool> {
    out.frames.iter().map(|f| f.compressed).collect()
}

#[test]
fn every_frame_of_a_compressed_message_is_compressed_and_no_other() {
    // RFC 7692 §6.1: RSV1 is set on the first frame of a compressed message only, yet its
    // continuation frames carry the rest of the same DEFLATE data. A ping between them
    // (RFC 6455 §5.4: control frames may be injected) and a plain message after are not
    // compressed.
    let bytes = stream(&[
        f(1, &FIRST[..2]).rsv(4).fin(false),
        f(9, b"!"),
        f(0, &FIRST[2..4]).fin(false),
        f(10, b""),
        f(0, &FIRST[4..]),
        f(1, b"plain"),
        f(2, b"a").fin(false),
        f(0, b"b"),
        f(8, &[0x03, 0xe8]),
    ]);
    let out = decode_all_splits(&bytes, &deflate_options(Role::Server, "permessage-deflate"));
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    assert_eq!(texts(&out), [Some("Hello"), Some("plain"), None]);
    assert_eq!(
        compressed_flags(&out),
        [true, false, true, false, true, false, false, false, false]
    );
    // RSV1 marks the first frame only: the flag is not the bit.
    assert!(!out.frames[2].rsv1 && !out.frames[4].rsv1);
}

#[test]
fn rsv1_without_the_extension_marks_nothing_compressed() {
    // RFC 6455 §5.2: without a negotiated extension that defines it, RSV1 MUST be 0 (a
    // reserved-bits violation), and nothing is inflated.
    let bytes = stream(&[f(1, &FIRST[..2]).rsv(4).fin(false), f(0, &FIRST[2..])]);
    let out = decode_all_splits(&bytes, &DecodeOptions::default());
    assert_eq!(compressed_flags(&out), [false, false]);
    assert!(out
        .violations
        .iter()
        .any(|v| v.id == ViolationId::ReservedBits));
}

#[test]
fn a_truncated_frame_of_a_compressed_message_is_compressed() {
    let bytes = stream(&[f(1, &FIRST[..2]).rsv(4).fin(false), f(0, &FIRST[2..])]);
    let cut = &bytes[..bytes.len() - 2];
    let out = decode(cut, deflate_options(Role::Server, "permessage-deflate")).unwrap();
    assert_eq!(compressed_flags(&out), [true]);
    let partial = out
        .incomplete
        .and_then(|i| i.partial)
        .expect("a partial frame");
    assert!(partial.compressed && partial.kind == wsinspect::FrameKind::Continuation);
}

#[test]
fn uncompressed_messages_still_work_under_permessage_deflate() {
    let bytes = stream(&[f(1, b"plain"), f(1, FIRST).rsv(4)]);
    let out = decode_all_splits(&bytes, &deflate_options(Role::Server, "permessage-deflate"));
    assert_eq!(texts(&out), [Some("plain"), Some("Hello")]);
    assert!(!out.messages[0].compressed && out.messages[1].compressed);
}

#[test]
fn invalid_utf8_after_inflating_points_at_the_frame_payload() {
    // A stored block holding the single byte 0xff.
    let bytes = stream(&[
        f(1, b"ok"),
        f(1, &[0x00, 0x01, 0x00, 0xfe, 0xff, 0xff]).rsv(4),
    ]);
    let out = decode_all_splits(&bytes, &deflate_options(Role::Server, "permessage-deflate"));
    let v: Vec<_> = violation_spans(&out);
    // The span is the frame's 6 payload bytes.
    assert_eq!(v, [(ViolationId::InvalidUtf8, 6, 6)]);
    assert_eq!(out.messages[1].data, [0xff]);
    assert_eq!(out.messages[1].text(), None);
    // A message whose inflated text stops mid-character, found out at an empty final
    // frame: the span is that whole frame (its 2 header bytes), never empty.
    let bytes = stream(&[
        f(1, &[0x00, 0x01, 0x00, 0xfe, 0xff, 0xe2])
            .rsv(4)
            .fin(false),
        f(0, b""),
    ]);
    let out = decode_all_splits(&bytes, &deflate_options(Role::Server, "permessage-deflate"));
    let v: Vec<_> = violation_spans(&out);
    assert_eq!(v, [(ViolationId::InvalidUtf8, 8, 2)]);
}

#[test]
fn inflated_size_is_bounded_by_the_maximum() {
    let bytes = hex("c107f248cdc9c90700");
    for (max, too_big) in [(5, false), (4, true), (0, true)] {
        let opts = DecodeOptions {
            max_message_size: Some(max),
            ..deflate_options(Role::Server, "permessage-deflate")
        };
        let out = decode_all_splits(&bytes, &opts);
        assert_eq!(
            out.violations
                .iter()
                .any(|v| v.id == ViolationId::MessageTooBig),
            too_big,
            "max {max}"
        );
        assert_eq!(out.messages[0].data, &b"Hello"[..5.min(max as usize)]);
    }
}

#[test]
fn bad_extension_values_are_errors_with_offsets() {
    let cases = [
        ("permessage-deflate; server_max_window_bits=7", 43),
        ("permessage-deflate; foo", 20),
        (
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            48,
        ),
        ("permessage-deflate, permessage-deflate", 20),
        ("permessage-deflate;", 19),
    ];
    for (value, offset) in cases {
        let err = Decoder::new(deflate_options(Role::Auto, value)).unwrap_err();
        assert_eq!(err.offset, offset, "{value}: {err}");
        assert!(err
            .to_string()
            .ends_with(&format!(" at character {offset}")));
        assert!(decode(b"", deflate_options(Role::Auto, value)).is_err());
    }
}

#[test]
fn unknown_extensions_are_noticed_and_their_bits_not_judged() {
    let bytes = stream(&[f(1, b"x").rsv(4)]);
    let out = decode_all_splits(
        &bytes,
        &deflate_options(Role::Server, "x-webkit-deflate-frame"),
    );
    assert!(out.violations.is_empty());
    assert_eq!(out.notices[0].id, NoticeId::UnknownExtension);
    let out = decode_all_splits(&bytes, &deflate_options(Role::Server, " "));
    assert_eq!(out.violations[0].id, ViolationId::ReservedBits);
}

#[test]
fn a_message_over_the_maximum_is_not_inflated_further() {
    // RFC 7692 §7.2.3.2: the second "Hello" refers back into the first. With a maximum
    // of 3 the first is too big: it is cut at the limit and abandoned (nothing past the
    // limit is inflated, so a deflate bomb costs no more than the limit), so the second,
    // whose back-reference reaches into it, no longer inflates.
    let bytes = hex("c107f248cdc9c90700c105f200110000");
    let opts = DecodeOptions {
        max_message_size: Some(3),
        ..deflate_options(Role::Server, "permessage-deflate")
    };
    let out = decode_all_splits(&bytes, &opts);
    let got: Vec<_> = violation_triples(&out);
    assert_eq!(
        got,
        [
            (ViolationId::MessageTooBig, 0, Some(0)),
            (ViolationId::InflateFailed, 9, Some(1)),
        ]
    );
    assert_eq!(out.messages[0].data, b"Hel");
    // A self-contained message after the abandoned one inflates.
    let bytes = hex("c107f248cdc9c90700c102f200");
    let out = decode_all_splits(&bytes, &opts);
    assert_eq!(
        violation_triples(&out),
        [(ViolationId::MessageTooBig, 0, Some(0))]
    );
    assert_eq!(out.messages[1].text(), Some("H"));
}

#[test]
fn a_compressed_message_cut_short_does_not_garble_the_next() {
    // The first three bytes of RFC 7692 §7.2.3.1's "Hello" without a final frame, then
    // the whole of it as a new message: the second must not start from the first one's
    // leftover bits (it came out as "jHello").
    let bytes = stream(&[f(1, &FIRST[..3]).rsv(4).fin(false), f(1, FIRST).rsv(4)]);
    let out = decode_all_splits(&bytes, &deflate_options(Role::Server, "permessage-deflate"));
    let got: Vec<_> = out.violations.iter().map(|v| (v.id, v.offset)).collect();
    assert_eq!(got, [(ViolationId::ExpectedContinuation, 5)]);
    assert!(!out.messages[0].complete);
    assert_eq!(out.messages[1].text(), Some("Hello"));
}

/// RFC 7692 §7.1.2.1: with server_max_window_bits=9 the server "MUST NOT use an LZ77
/// sliding window longer than" 512 bytes. The stream's second message copies from 515
/// bytes back. Python's zlib, the reference both peers use, agrees:
/// `zlib.decompressobj(wbits=-9)` fails the second message with "invalid distance too far
/// back", `wbits=-15` inflates it (517 bytes, then 3).
#[test]
fn a_copy_from_beyond_the_agreed_server_window_fails_to_inflate() {
    let bytes = hex("c2064a1c05a30000c2050226010000");
    let agreed = deflate_options(Role::Server, "permessage-deflate; server_max_window_bits=9");
    let out = decode_all_splits(&bytes, &agreed);
    assert_eq!(
        violation_triples(&out),
        [(ViolationId::InflateFailed, 8, Some(1))]
    );
    // The span is the offending frame: bytes 8 to the end.
    assert_eq!(out.violations[0].length, 7);
    assert_eq!(out.messages[0].data.len(), 517);
    // The same bytes under the default 32 KiB window inflate cleanly.
    let out = decode_all_splits(&bytes, &deflate_options(Role::Server, "permessage-deflate"));
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    assert_eq!(out.messages[1].data, b"aaa");
    // server_max_window_bits bounds the server's frames only: a client's are not held to it.
    let masked = stream(&[
        f(2, &bytes[2..8]).rsv(4).key([1, 2, 3, 4]),
        f(2, &bytes[10..15]).rsv(4).key([5, 6, 7, 8]),
    ]);
    let out = decode_all_splits(
        &masked,
        &deflate_options(Role::Client, "permessage-deflate; server_max_window_bits=9"),
    );
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    // client_max_window_bits=9 holds the client to the same window.
    let out = decode_all_splits(
        &masked,
        &deflate_options(Role::Client, "permessage-deflate; client_max_window_bits=9"),
    );
    assert_eq!(
        violation_triples(&out),
        [(ViolationId::InflateFailed, 12, Some(1))]
    );
}

/// Two messages compressed by Python's zlib with a 512-byte window
/// (`c = zlib.compressobj(wbits=-9)`; 8 times "the quick brown fox jumps over the lazy
/// dog; ", then its first 100 bytes again, each flushed with Z_SYNC_FLUSH and its
/// 00 00 ff ff dropped): the second copies from the first, within the window, and must
/// inflate under server_max_window_bits=9 and up. zlib's copies here reach back 45 bytes
/// (the text's period), so `zlib.decompressobj(wbits=-8)` inflates it too, as must we.
#[test]
fn a_copy_within_the_agreed_window_inflates() {
    let first = hex(
        "2ac94855282ccd4cce56482aca2fcf5348cbaf50c82acd2d2856c82f4b2d5228014ae72456552aa4e4a75b8379a38ac9520c00",
    );
    let second = hex("a287620000");
    let bytes = stream(&[f(1, &first).rsv(4), f(1, &second).rsv(4)]);
    let text = "the quick brown fox jumps over the lazy dog; ".repeat(8);
    for bits in 8..=15 {
        let extensions = format!("permessage-deflate; server_max_window_bits={bits}");
        let out = decode_all_splits(&bytes, &deflate_options(Role::Server, &extensions));
        assert!(out.violations.is_empty(), "{bits}: {:?}", out.violations);
        assert_eq!(texts(&out), [Some(&text[..]), Some(&text[..100])], "{bits}");
    }
}
