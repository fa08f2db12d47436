//! Where an invalid UTF-8 sequence starts and how long it is (RFC 6455 §8.1), through the
//! decoder: the offset is the first byte of the maximal ill-formed subsequence (Unicode
//! §3.9, Rust's `Utf8Error::valid_up_to`, Python's `UnicodeDecodeError.start`) mapped to
//! its stream offset, the length that subsequence's (`Utf8Error::error_len`, or the
//! unfinished tail's at the message's end).

mod common;

use common::{decode_all_splits, f, hex, hixie_options, options, stream};
use wsinspect::{Role, ViolationId};

/// (offset, length, frame) of each violation with `id`.
fn located(out: &wsinspect::DecodeOutput, id: ViolationId) -> Vec<(u64, u64, Option<usize>)> {
    out.violations
        .iter()
        .filter(|v| v.id == id)
        .map(|v| (v.offset, v.length, v.frame))
        .collect()
}

/// (offset, length) of each violation with `id`.
fn spans(out: &wsinspect::DecodeOutput, id: ViolationId) -> Vec<(u64, u64)> {
    out.violations
        .iter()
        .filter(|v| v.id == id)
        .map(|v| (v.offset, v.length))
        .collect()
}

/// Python 3's verdict on `bytes`: (start, end - start) of the first UnicodeDecodeError,
/// computed by the python3 on the machine when there is one; otherwise the values
/// recorded with it for these inputs (`b.decode("utf-8")`).
fn python(bytes: &[u8], recorded: (u64, u64)) -> (u64, u64) {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let script = format!(
        "b = bytes.fromhex('{hex}')\ntry:\n    b.decode('utf-8')\n    print('ok')\nexcept UnicodeDecodeError as e:\n    print(e.start, e.end - e.start)"
    );
    match std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8(out.stdout).unwrap();
            let mut it = text.split_whitespace().map(|n| n.parse::<u64>().unwrap());
            let got = (it.next().unwrap(), it.next().unwrap());
            assert_eq!(got, recorded, "python3 disagrees with the recorded value");
            got
        }
        _ => recorded,
    }
}

#[test]
fn one_frame_texts_point_at_the_start_of_the_ill_formed_subsequence() {
    // (payload, Python's (start, length) as recorded).
    let cases: &[(&[u8], (u64, u64))] = &[
        // Overlong: E0 must be followed by A0-BF; the subpart is E0 alone.
        (&[0x61, 0xE0, 0x80, 0xAF], (1, 1)),
        // Surrogate U+D800: ED must be followed by 80-9F.
        (&[0x61, 0xED, 0xA0, 0x80], (1, 1)),
        // Truncated sequence before ASCII: E2 82 is the subpart, 41 a valid "A".
        (&[0xE2, 0x82, 0x41], (0, 2)),
        // Truncated at the message's end.
        (&[0x61, 0x62, 0xF0, 0x9F, 0x98], (2, 3)),
        (&[0x61, 0xFF], (1, 1)),
    ];
    for (payload, recorded) in cases {
        let (start, length) = python(payload, *recorded);
        // After a 4-byte frame, the text frame's payload starts at 4 + 2.
        let bytes = stream(&[f(1, b"ok"), f(1, payload)]);
        let out = decode_all_splits(&bytes, &options(Role::Server));
        assert_eq!(
            spans(&out, ViolationId::InvalidUtf8),
            [(6 + start, length)],
            "{payload:02x?}"
        );
    }
}

#[test]
fn a_sequence_split_over_fragments_points_into_the_first() {
    // ED | A0 80: the surrogate's lead byte is the whole subpart, in frame 0 (byte 2).
    let bytes = stream(&[f(1, &[0xED]).fin(false), f(0, &[0xA0, 0x80])]);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    assert_eq!(located(&out, ViolationId::InvalidUtf8), [(2, 1, Some(0))]);
    // E2 | 82 | 41: the subpart E2 82 spans two frames, and the frame header between
    // them (E2 at 2, 82 at 5).
    let bytes = stream(&[
        f(1, &[0xE2]).fin(false),
        f(0, &[0x82]).fin(false),
        f(0, &[0x41]),
    ]);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    assert_eq!(located(&out, ViolationId::InvalidUtf8), [(2, 4, Some(0))]);
    // "a" | F0 9F (frame 1) | empty | 98 (frame 3), ending the message unfinished: the
    // character began in frame 1: F0 at byte 5 to 98 at byte 11, the headers between
    // included.
    let bytes = stream(&[
        f(1, b"a").fin(false),
        f(0, &[0xF0, 0x9F]).fin(false),
        f(0, b"").fin(false),
        f(0, &[0x98]),
    ]);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    assert_eq!(located(&out, ViolationId::InvalidUtf8), [(5, 7, Some(1))]);
    // Within one frame the frame is that one.
    let bytes = stream(&[f(1, b"a").fin(false), f(0, &[0xE2, 0x82, 0x41])]);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    assert_eq!(located(&out, ViolationId::InvalidUtf8), [(5, 2, Some(1))]);
    // Masked client fragments: the same offsets as the bytes on the wire.
    let bytes = stream(&[
        f(1, &[0x61, 0xED]).fin(false).key([1, 2, 3, 4]),
        f(0, &[0xA0, 0x80]).key([5, 6, 7, 8]),
    ]);
    let out = decode_all_splits(&bytes, &options(Role::Client));
    assert_eq!(spans(&out, ViolationId::InvalidUtf8), [(7, 1)]);
}

#[test]
fn a_close_reason_counts_from_payload_offset_plus_two() {
    // Close 1000 with reason "a" E2 82 41: the subpart E2 82 at payloadOffset 2 + 2 + 1.
    let reason: &[u8] = &[0x61, 0xE2, 0x82, 0x41];
    let (start, length) = python(reason, (1, 2));
    let bytes = stream(&[f(8, &[&[0x03, 0xE8][..], reason].concat())]);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    assert_eq!(
        spans(&out, ViolationId::InvalidUtf8),
        [(2 + 2 + start, length)]
    );
}

#[test]
fn hixie_text_frames_too() {
    // 00 "a" E0 80 AF FF: the overlong's lead at byte 2, 1 byte.
    let out = decode_all_splits(&hex("00 61 e0 80 af ff"), &hixie_options());
    assert_eq!(spans(&out, ViolationId::HixieInvalidUtf8), [(2, 1)]);
    let out = decode_all_splits(&hex("00 e2 82 41 ff"), &hixie_options());
    assert_eq!(spans(&out, ViolationId::HixieInvalidUtf8), [(1, 2)]);
}
