//! Every frame example of the shared spec vectors (shared/vectors/spec-examples.json,
//! "frames"), copied here byte for byte as hex: RFC 6455 §5.7 and RFC 7692 §7.2.3. Each
//! is also decoded in every split and one byte at a time.

mod common;

use common::{decode_all_splits, deflate_options, field_spans, hex, options};
use wsinspect::{FrameKind, LengthEncoding, MessageKind, Role};

struct Vector {
    source: &'static str,
    name: &'static str,
    role: Role,
    extensions: Option<&'static str>,
    hex: &'static str,
    frames: usize,
    /// Expected messages: (kind, text, compressed).
    messages: &'static [(MessageKind, &'static str, bool)],
    /// Expected control frames: (kind, payload hex).
    control: &'static [(FrameKind, &'static str)],
}

const VECTORS: &[Vector] = &[
    Vector {
        source: "RFC 6455 5.7",
        name: "single-frame unmasked text",
        role: Role::Server,
        extensions: None,
        hex: "810548656c6c6f",
        frames: 1,
        messages: &[(MessageKind::Text, "Hello", false)],
        control: &[],
    },
    Vector {
        source: "RFC 6455 5.7",
        name: "single-frame masked text",
        role: Role::Client,
        extensions: None,
        hex: "818537fa213d7f9f4d5158",
        frames: 1,
        messages: &[(MessageKind::Text, "Hello", false)],
        control: &[],
    },
    Vector {
        source: "RFC 6455 5.7",
        name: "fragmented unmasked text",
        role: Role::Server,
        extensions: None,
        hex: "010348656c80026c6f",
        frames: 2,
        messages: &[(MessageKind::Text, "Hello", false)],
        control: &[],
    },
    Vector {
        source: "RFC 6455 5.7",
        name: "unmasked ping",
        role: Role::Server,
        extensions: None,
        hex: "890548656c6c6f",
        frames: 1,
        messages: &[],
        control: &[(FrameKind::Ping, "48656c6c6f")],
    },
    Vector {
        source: "RFC 6455 5.7",
        name: "masked pong",
        role: Role::Client,
        extensions: None,
        hex: "8a8537fa213d7f9f4d5158",
        frames: 1,
        messages: &[],
        control: &[(FrameKind::Pong, "48656c6c6f")],
    },
    Vector {
        source: "RFC 7692 7.2.3.1",
        name: "compressed Hello",
        role: Role::Server,
        extensions: Some("permessage-deflate"),
        hex: "c107f248cdc9c90700",
        frames: 1,
        messages: &[(MessageKind::Text, "Hello", true)],
        control: &[],
    },
    Vector {
        source: "RFC 7692 7.2.3.1",
        name: "compressed Hello, fragmented",
        role: Role::Server,
        extensions: Some("permessage-deflate"),
        hex: "4103f248cd8004c9c90700",
        frames: 2,
        messages: &[(MessageKind::Text, "Hello", true)],
        control: &[],
    },
    Vector {
        source: "RFC 7692 7.2.3.2",
        name: "two messages sharing the sliding window",
        role: Role::Server,
        extensions: Some("permessage-deflate"),
        hex: "c107f248cdc9c90700c105f200110000",
        frames: 2,
        messages: &[
            (MessageKind::Text, "Hello", true),
            (MessageKind::Text, "Hello", true),
        ],
        control: &[],
    },
    Vector {
        source: "RFC 7692 7.2.3.3",
        name: "DEFLATE block with no compression",
        role: Role::Server,
        extensions: Some("permessage-deflate"),
        hex: "c10b000500faff48656c6c6f00",
        frames: 1,
        messages: &[(MessageKind::Text, "Hello", true)],
        control: &[],
    },
    Vector {
        source: "RFC 7692 7.2.3.4",
        name: "DEFLATE block with BFINAL set",
        role: Role::Server,
        extensions: Some("permessage-deflate"),
        hex: "c108f348cdc9c9070000",
        frames: 1,
        messages: &[(MessageKind::Text, "Hello", true)],
        control: &[],
    },
    Vector {
        source: "RFC 7692 7.2.3.5",
        name: "two DEFLATE blocks in one message",
        role: Role::Server,
        extensions: Some("permessage-deflate"),
        hex: "c10df24805000000ffffcac9c90700",
        frames: 1,
        messages: &[(MessageKind::Text, "Hello", true)],
        control: &[],
    },
];

#[test]
fn every_frame_vector_decodes_as_the_spec_says() {
    for v in VECTORS {
        let label = format!("{} / {}", v.source, v.name);
        let opts = match v.extensions {
            Some(ext) => deflate_options(Role::Auto, ext),
            None => options(Role::Auto),
        };
        let bytes = hex(v.hex);
        let out = decode_all_splits(&bytes, &opts);
        assert!(out.violations.is_empty(), "{label}: {:?}", out.violations);
        assert_eq!(out.incomplete, None, "{label}");
        assert_eq!(
            out.role, v.role,
            "{label}: role auto-detected from the mask bit"
        );
        assert_eq!(out.frames.len(), v.frames, "{label}");
        assert_eq!(out.messages.len(), v.messages.len(), "{label}");
        for (m, (kind, text, compressed)) in out.messages.iter().zip(v.messages) {
            assert_eq!(m.kind, *kind, "{label}");
            assert_eq!(m.text(), Some(*text), "{label}");
            assert_eq!(m.data, text.as_bytes(), "{label}");
            assert_eq!(m.compressed, *compressed, "{label}");
            assert!(m.complete, "{label}");
        }
        let controls: Vec<_> = out
            .frames
            .iter()
            .filter(|f| f.opcode >= 8)
            .map(|f| (f.kind, f.payload.to_vec()))
            .collect();
        let expected: Vec<_> = v.control.iter().map(|(k, p)| (*k, hex(p))).collect();
        assert_eq!(controls, expected, "{label}");
        // Frames tile the stream exactly.
        let mut at = 0;
        for (i, frame) in out.frames.iter().enumerate() {
            assert_eq!(frame.index, i, "{label}");
            assert_eq!(frame.offset, at, "{label}");
            assert_eq!(frame.payload_offset, at + frame.header_length, "{label}");
            assert_eq!(frame.payload.len() as u64, frame.payload_len, "{label}");
            at += frame.length;
        }
        assert_eq!(at, bytes.len() as u64, "{label}");
    }
}

#[test]
fn masked_hello_has_every_field_located() {
    let out = decode_all_splits(&hex("818537fa213d7f9f4d5158"), &options(Role::Client));
    let f = &out.frames[0];
    assert_eq!(
        (f.fin, f.rsv1, f.rsv2, f.rsv3, f.opcode, f.kind, f.masked),
        (true, false, false, false, 1, FrameKind::Text, true)
    );
    assert_eq!(f.masking_key, Some([0x37, 0xfa, 0x21, 0x3d]));
    assert_eq!(
        (f.header_length, f.length, f.payload_len, f.payload_offset),
        (6, 11, 5, 6)
    );
    assert_eq!(f.length_encoding, LengthEncoding::Bits7);
    assert_eq!(f.payload, b"Hello");
    let fields: Vec<_> = field_spans(f);
    assert_eq!(
        fields,
        [
            ("fin", 0, 1),
            ("rsv1", 0, 1),
            ("rsv2", 0, 1),
            ("rsv3", 0, 1),
            ("opcode", 0, 1),
            ("mask", 1, 1),
            ("payload_len", 1, 1),
            ("masking_key", 2, 4),
            ("payload", 6, 5),
        ]
    );
}

#[test]
fn fragmented_hello_lists_its_frames() {
    let out = decode_all_splits(&hex("010348656c80026c6f"), &options(Role::Server));
    assert_eq!(out.messages[0].frames, [0, 1]);
    assert_eq!(out.messages[0].wire_length, 5);
    assert!(!out.frames[0].fin && out.frames[1].fin);
    assert_eq!(out.frames[1].kind, FrameKind::Continuation);
    assert_eq!(out.frames[1].offset, 5);
}

#[test]
fn binary_256_bytes_with_16_bit_length() {
    // RFC 6455 §5.7: "0x82 0x7E 0x0100 [256 bytes of binary data]".
    let payload: Vec<u8> = (0..256u32).map(|i| (i * 7) as u8).collect();
    let mut bytes = hex("827e0100");
    bytes.extend_from_slice(&payload);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    let f = &out.frames[0];
    assert_eq!(
        (f.payload_len, f.header_length, f.length_encoding),
        (256, 4, LengthEncoding::Bits16)
    );
    assert_eq!(f.fields()[7].name, "extended_payload_len");
    assert_eq!((f.fields()[7].offset, f.fields()[7].length), (2, 2));
    assert_eq!(out.messages[0].kind, MessageKind::Binary);
    assert_eq!(out.messages[0].data, payload);
    assert_eq!(out.messages[0].text(), None);
}

#[test]
fn binary_64_kib_with_64_bit_length() {
    // RFC 6455 §5.7: "0x82 0x7F 0x0000000000010000 [65536 bytes of binary data]".
    let payload: Vec<u8> = (0..65536u32).map(|i| (i * 31 + i / 256) as u8).collect();
    let mut bytes = hex("827f0000000000010000");
    bytes.extend_from_slice(&payload);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    let f = &out.frames[0];
    assert_eq!(
        (f.payload_len, f.header_length, f.length_encoding),
        (65536, 10, LengthEncoding::Bits64)
    );
    assert_eq!(f.length_encoding.as_str(), "64");
    assert_eq!(out.messages[0].data, payload);
}
