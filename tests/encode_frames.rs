//! Building frames: the RFC 6455 §5.7 and RFC 7692 §7.2.3 examples byte for byte,
//! every length encoding forced, lying lengths, close payloads, hixie frames. The
//! property test that decodes every kind of built frame back is roundtrip_encode_decode.

mod common;

use common::{hex, Rng};
use flate2::{Decompress, FlushDecompress};
use wsinspect::deflate::Deflater;
use wsinspect::encode::{
    encode_close_payload, encode_frame, encode_hixie_close, encode_hixie_length_prefixed,
    encode_hixie_text, FrameSpec, LengthField,
};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

#[test]
fn rfc6455_section_5_7_examples() {
    // "A single-frame unmasked text message"
    assert_eq!(
        encode_frame(&FrameSpec::text("Hello")),
        hex("810548656c6c6f")
    );
    // "A single-frame masked text message"
    assert_eq!(
        encode_frame(&FrameSpec::text("Hello").masked(KEY)),
        hex("818537fa213d7f9f4d5158")
    );
    // "A fragmented unmasked text message"
    let mut first = FrameSpec::text("Hel");
    first.fin = false;
    let second = FrameSpec::new(0x0, "lo");
    assert_eq!(encode_frame(&first), hex("010348656c"));
    assert_eq!(encode_frame(&second), hex("80026c6f"));
    // "Unmasked Ping request and masked Ping response"
    assert_eq!(
        encode_frame(&FrameSpec::new(0x9, "Hello")),
        hex("890548656c6c6f")
    );
    assert_eq!(
        encode_frame(&FrameSpec::new(0xA, "Hello").masked(KEY)),
        hex("8a8537fa213d7f9f4d5158")
    );
    // "256 bytes binary message in a single unmasked frame"
    let payload: Vec<u8> = (0..=255u8).collect();
    let frame = encode_frame(&FrameSpec::binary(payload.clone()));
    assert_eq!(frame[..4], hex("827e0100"));
    assert_eq!(frame[4..], payload);
    // "64KiB binary message in a single unmasked frame"
    let payload = vec![0x5au8; 65536];
    let frame = encode_frame(&FrameSpec::binary(payload.clone()));
    assert_eq!(frame[..10], hex("827f0000000000010000"));
    assert_eq!(frame.len(), 10 + 65536);
    assert_eq!(frame[10..], payload);
}

#[test]
fn rfc7692_compressed_hello() {
    // §7.2.3.1: "the payload of a message containing "Hello" compressed ... c1 07 f2 48
    // cd c9 c9 07 00".
    let mut spec = FrameSpec::text("Hello");
    spec.compress = true;
    assert_eq!(encode_frame(&spec), hex("c107f248cdc9c90700"));
    // §7.2.3.1, fragmented: the same compressed bytes split over two frames, RSV1 on the
    // first only.
    let compressed = Deflater::new(false).compress_message(b"Hello");
    let mut first = FrameSpec::text("");
    first.payload = compressed[..3].to_vec();
    first.fin = false;
    first.rsv1 = true;
    let second = FrameSpec::new(0x0, &compressed[3..]);
    assert_eq!(encode_frame(&first), hex("4103f248cd"));
    assert_eq!(encode_frame(&second), hex("8004c9c90700"));
}

#[test]
fn deflater_shares_the_window_across_messages_unless_told_not_to() {
    // §7.2.3.2: "the second message ... c1 05 f2 00 11 00 00": it refers back to the
    // first "Hello" through the shared window.
    let mut deflater = Deflater::new(false);
    let first = deflater.compress_message(b"Hello");
    let second = deflater.compress_message(b"Hello");
    assert_eq!(first, hex("f248cdc9c90700"));
    assert_eq!(second, hex("f200110000"));
    let mut frames = Vec::new();
    for payload in [&first, &second] {
        let mut spec = FrameSpec::text("");
        spec.payload = payload.to_vec();
        spec.rsv1 = true;
        frames.extend(encode_frame(&spec));
    }
    assert_eq!(frames, hex("c107f248cdc9c90700c105f200110000"));
    assert_eq!(
        inflate(&[&first, &second]),
        [b"Hello".to_vec(), b"Hello".to_vec()]
    );
    // With no context takeover each message stands alone.
    let mut deflater = Deflater::new(true);
    assert_eq!(deflater.compress_message(b"Hello"), first);
    assert_eq!(deflater.compress_message(b"Hello"), first);
}

#[test]
fn deflater_handles_empty_and_large_messages() {
    let mut deflater = Deflater::new(false);
    let empty = deflater.compress_message(b"");
    assert!(!empty.ends_with(&[0, 0, 0xff, 0xff]));
    let mut rng = Rng(3);
    let noise: Vec<u8> = (0..200_000).map(|_| rng.next() as u8).collect();
    let squashable = vec![b'a'; 300_000];
    let a = deflater.compress_message(&noise);
    let b = deflater.compress_message(&squashable);
    assert!(b.len() < 2000);
    assert_eq!(inflate(&[&empty, &a, &b]), [Vec::new(), noise, squashable]);
}

#[test]
fn every_length_encoding_can_be_forced() {
    let cases: [(usize, LengthField, &str); 9] = [
        (0, LengthField::Bits7, "8200"),
        (0, LengthField::Bits16, "827e0000"),
        (0, LengthField::Bits64, "827f0000000000000000"),
        (5, LengthField::Bits16, "827e0005"),
        (5, LengthField::Bits64, "827f0000000000000005"),
        (125, LengthField::Bits7, "827d"),
        (126, LengthField::Bits64, "827f000000000000007e"),
        (65535, LengthField::Bits16, "827effff"),
        (65535, LengthField::Bits64, "827f000000000000ffff"),
    ];
    for (length, encoding, header) in cases {
        let mut spec = FrameSpec::binary(vec![1u8; length]);
        spec.length_field = Some(encoding);
        let frame = encode_frame(&spec);
        let header = hex(header);
        assert_eq!(
            frame[..header.len()],
            header,
            "{length} as {}",
            encoding.as_str()
        );
        assert_eq!(frame.len(), header.len() + length);
    }
}

#[test]
fn too_narrow_a_forced_encoding_is_widened() {
    let mut spec = FrameSpec::binary(vec![0u8; 200]);
    spec.length_field = Some(LengthField::Bits7);
    assert_eq!(encode_frame(&spec)[..4], hex("827e00c8"));
    let mut spec = FrameSpec::binary(vec![0u8; 70000]);
    spec.length_field = Some(LengthField::Bits16);
    assert_eq!(encode_frame(&spec)[..10], hex("827f0000000000011170"));
}

#[test]
fn minimal_length_encoding_boundaries() {
    assert_eq!(LengthField::minimal(125), LengthField::Bits7);
    assert_eq!(LengthField::minimal(126), LengthField::Bits16);
    assert_eq!(LengthField::minimal(65535), LengthField::Bits16);
    assert_eq!(LengthField::minimal(65536), LengthField::Bits64);
}

#[test]
fn declared_length_can_lie() {
    // Claims 10 bytes, carries 5.
    let mut spec = FrameSpec::text("Hello");
    spec.declared_length = Some(10);
    assert_eq!(encode_frame(&spec), hex("810a48656c6c6f"));
    // Claims 300: the minimal encoding for 300 is used.
    spec.declared_length = Some(300);
    assert_eq!(encode_frame(&spec), hex("817e012c48656c6c6f"));
    // Claims 2^63, the most significant bit RFC 6455 §5.2 says MUST be 0.
    let mut spec = FrameSpec::binary(Vec::new());
    spec.declared_length = Some(1 << 63);
    assert_eq!(encode_frame(&spec), hex("827f8000000000000000"));
    // A short claim, masked: the whole payload is still masked and written.
    let mut spec = FrameSpec::text("Hello").masked(KEY);
    spec.declared_length = Some(1);
    assert_eq!(encode_frame(&spec), hex("818137fa213d7f9f4d5158"));
}

#[test]
fn reserved_bits_and_opcodes_are_written_as_asked() {
    let mut spec = FrameSpec::new(0x3, "x");
    spec.fin = false;
    spec.rsv2 = true;
    spec.rsv3 = true;
    assert_eq!(encode_frame(&spec)[0], 0x33);
    for opcode in 0..16u8 {
        assert_eq!(encode_frame(&FrameSpec::new(opcode, ""))[0], 0x80 | opcode);
    }
    // Only the low 4 bits of the opcode are used.
    assert_eq!(encode_frame(&FrameSpec::new(0xF1, ""))[0], 0x81);
}

#[test]
fn close_payloads_take_any_code() {
    assert_eq!(encode_close_payload(1000, ""), hex("03e8"));
    assert_eq!(encode_close_payload(1002, "bye"), hex("03ea627965"));
    assert_eq!(encode_close_payload(1005, ""), hex("03ed"));
    assert_eq!(encode_close_payload(0, "x"), hex("000078"));
    assert_eq!(encode_close_payload(65535, ""), hex("ffff"));
    assert_eq!(encode_frame(&FrameSpec::close(1000, "")), hex("880203e8"));
}

#[test]
fn hixie_frames() {
    assert_eq!(encode_hixie_text("Hello"), hex("0048656c6c6fff"));
    assert_eq!(encode_hixie_text(""), hex("00ff"));
    assert_eq!(encode_hixie_text("é"), hex("00c3a9ff"));
    assert_eq!(encode_hixie_close(), hex("ff00"));
    // The closing frame is the length-prefixed frame 0xFF of length 0.
    assert_eq!(
        encode_hixie_length_prefixed(0xFF, b""),
        encode_hixie_close()
    );
    assert_eq!(encode_hixie_length_prefixed(0x80, b"ab"), hex("80026162"));
    assert_eq!(
        encode_hixie_length_prefixed(0x00, &[0; 127])[..2],
        hex("807f")
    );
    assert_eq!(
        encode_hixie_length_prefixed(0x80, &[0; 128])[..3],
        hex("808100")
    );
    let frame = encode_hixie_length_prefixed(0x80, &[9; 16384]);
    assert_eq!(frame[..4], hex("80818000"));
    assert_eq!(frame.len(), 4 + 16384);
}

/// Inflates permessage-deflate messages sharing one window (RFC 7692 §7.2.2: append
/// 0x00 0x00 0xff 0xff and inflate).
fn inflate(messages: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut inflater = Decompress::new(false);
    messages
        .iter()
        .map(|message| {
            let mut input = message.to_vec();
            input.extend_from_slice(&[0, 0, 0xff, 0xff]);
            let mut out = Vec::with_capacity(1 << 20);
            let start = inflater.total_in();
            inflater
                .decompress_vec(&input, &mut out, FlushDecompress::Sync)
                .unwrap();
            assert_eq!((inflater.total_in() - start) as usize, input.len());
            out
        })
        .collect()
}
