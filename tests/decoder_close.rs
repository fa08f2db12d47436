//! Close frames (RFC 6455 §5.5.1, §7.4): codes, names, reasons, and the rules on them.

mod common;

use common::{decode_all_splits, f, options, stream, violation_spans, violation_triples};
use wsinspect::{Role, ViolationId, CLOSE_CODES};

fn close(payload: &[u8]) -> wsinspect::DecodeOutput {
    decode_all_splits(&stream(&[f(8, payload)]), &options(Role::Server))
}

#[test]
fn codes_names_and_validity() {
    // (code, name, valid on the wire)
    let mut cases: Vec<(u16, Option<&str>, bool)> = CLOSE_CODES
        .iter()
        .map(|(c, n, w)| (*c, Some(*n), *w))
        .collect();
    cases.extend([
        (0, None, false),
        (999, None, false),
        (1004, None, false),
        (1016, None, false),
        (2999, None, false),
        (3000, Some("registered"), true),
        (3999, Some("registered"), true),
        (4000, Some("private"), true),
        (4999, Some("private"), true),
        (5000, None, false),
        (65535, None, false),
    ]);
    for (code, name, valid) in cases {
        let out = close(&code.to_be_bytes());
        let frame = &out.frames[0];
        assert_eq!(frame.close_code, Some(code));
        assert_eq!(frame.close_code_name, name, "{code}");
        let flagged: Vec<_> = violation_spans(&out);
        if valid {
            assert!(flagged.is_empty(), "{code}: {flagged:?}");
        } else {
            // The span is the close code's two bytes, after the 2-byte header.
            assert_eq!(flagged, [(ViolationId::InvalidCloseCode, 2, 2)], "{code}");
        }
    }
}

#[test]
fn reason_and_its_fields() {
    let out = close(b"\x03\xe9bye");
    let frame = &out.frames[0];
    assert_eq!(frame.close_code, Some(1001));
    assert_eq!(frame.close_code_name, Some("going away"));
    assert_eq!(frame.close_reason.as_deref(), Some("bye"));
    let spans: Vec<_> = frame
        .fields()
        .iter()
        .filter(|x| x.name.starts_with("close") || x.name == "payload")
        .map(|x| (x.name, x.offset, x.length))
        .collect();
    assert_eq!(
        spans,
        [
            ("payload", 2, 5),
            ("close_code", 2, 2),
            ("close_reason", 4, 3)
        ]
    );
    assert!(out.violations.is_empty());
    assert!(out.messages.is_empty());
}

#[test]
fn empty_close_and_code_only_close() {
    let out = close(b"");
    assert_eq!(
        (
            out.frames[0].close_code,
            out.frames[0].close_reason.as_deref()
        ),
        (None, None)
    );
    assert!(out.violations.is_empty());
    let out = close(b"\x03\xe8");
    assert_eq!(out.frames[0].close_code_name, Some("normal closure"));
    assert_eq!(out.frames[0].close_reason.as_deref(), Some(""));
}

#[test]
fn one_byte_payload_is_too_short() {
    let out = close(b"\x03");
    assert_eq!(out.frames[0].close_code, None);
    assert_eq!(out.violations[0].id, ViolationId::ClosePayloadTooShort);
    assert_eq!(out.violations[0].close_code(), Some(1002));
}

#[test]
fn reason_must_be_utf8() {
    // "h", then C3 (a 2-byte lead) cut short by "(": the ill-formed subsequence is the
    // C3 alone, at payloadOffset 2 + 2 + 1 (Python: b"h\xc3(".decode() fails with
    // start 1, end 2).
    let out = close(b"\x03\xe8h\xc3\x28");
    assert_eq!(out.violations.len(), 1);
    assert_eq!(
        (
            out.violations[0].id,
            out.violations[0].offset,
            out.violations[0].length
        ),
        (ViolationId::InvalidUtf8, 5, 1)
    );
    assert_eq!(out.frames[0].close_reason.as_deref(), Some("h\u{FFFD}("));
    // A reason ending mid-character is invalid too, located at the character's start.
    let out = close(b"\x03\xe8ok\xe2\x82");
    assert_eq!(
        (out.violations[0].id, out.violations[0].offset),
        (ViolationId::InvalidUtf8, 6)
    );
    assert_eq!(out.violations[0].close_code(), Some(1007));
}

#[test]
fn a_masked_close_from_a_client() {
    let bytes = stream(&[f(8, b"\x03\xe8done").key([0xaa, 0xbb, 0xcc, 0xdd])]);
    let out = decode_all_splits(&bytes, &options(Role::Client));
    assert_eq!(out.frames[0].close_code, Some(1000));
    assert_eq!(out.frames[0].close_reason.as_deref(), Some("done"));
    assert!(out.violations.is_empty());
}

#[test]
fn close_between_fragments_then_data_after_it() {
    let bytes = stream(&[f(1, b"a").fin(false), f(8, b"\x03\xe8"), f(0, b"b")]);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    let v: Vec<_> = violation_triples(&out);
    assert_eq!(v, [(ViolationId::DataAfterClose, 7, Some(2))]);
    // The message still completes: an inspector shows what was sent.
    assert_eq!(out.messages[0].text(), Some("ab"));
}
