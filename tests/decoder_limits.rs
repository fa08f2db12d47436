//! The maximum message size holds where the bytes are: a frame past it keeps no more than
//! the maximum, a message's bookkeeping is bounded, and `message-too-big` is said once.

use wsinspect::{DecodeOptions, Decoder, Role, ViolationId};

fn options(max: u64, extensions: Option<&str>) -> DecodeOptions {
    DecodeOptions {
        role: Role::Client,
        max_message_size: Some(max),
        extensions: extensions.map(str::to_owned),
        ..Default::default()
    }
}

fn too_big(violations: &[wsinspect::Violation]) -> usize {
    violations
        .iter()
        .filter(|v| v.id == ViolationId::MessageTooBig)
        .count()
}

#[test]
fn a_huge_frame_keeps_no_more_than_the_maximum() {
    for (extensions, kept) in [(None, 1 << 20), (Some("permessage-deflate"), 0)] {
        let mut d = Decoder::new(options(1 << 20, extensions)).unwrap();
        let mut header = vec![if extensions.is_some() { 0xC2 } else { 0x82 }, 0xFF];
        header.extend_from_slice(&(1u64 << 62).to_be_bytes());
        header.extend_from_slice(&[1, 2, 3, 4]);
        let mut violations = d.push(&header).violations;
        let chunk = vec![0u8; 64 << 10];
        for _ in 0..128 {
            violations.extend(d.push(&chunk).violations);
        }
        let end = d.end();
        violations.extend(end.violations);
        assert_eq!(too_big(&violations), 1, "{extensions:?}");
        let incomplete = end.incomplete.unwrap();
        assert_eq!(incomplete.have, 14 + (8 << 20));
        let partial = incomplete.partial.unwrap();
        assert_eq!(partial.payload.len(), kept, "{extensions:?}");
        assert_eq!(partial.length, 14 + (8 << 20));
        assert_eq!(end.messages[0].data.len(), 0);
    }
}

#[test]
fn a_message_split_past_the_maximum_keeps_its_first_bytes() {
    let mut d = Decoder::new(options(1000, None)).unwrap();
    let key = [0, 0, 0, 0];
    let frame = |b0: u8, n: usize| {
        let mut f = vec![b0, 0xFE, (n >> 8) as u8, n as u8];
        f.extend_from_slice(&key);
        f.extend(std::iter::repeat_n(7u8, n));
        f
    };
    let out = d.push(&[frame(0x02, 600), frame(0x80, 600)].concat());
    assert_eq!(too_big(&out.violations), 1);
    assert_eq!(out.frames[0].payload.len(), 600);
    assert_eq!(out.frames[1].payload.len(), 400);
    assert_eq!(out.frames[1].length, 608);
    assert_eq!(out.messages[0].data.len(), 1000);
    assert_eq!(out.messages[0].wire_length, 1200);
}

#[test]
fn empty_fragments_are_bounded_by_the_maximum() {
    // A 2-byte message and 100,000 empty continuations under a 16 KiB maximum: 16 bytes of
    // bookkeeping a frame, 1024 frames at least.
    let mut d = Decoder::new(options(16 << 10, None)).unwrap();
    let mut out = d.push(&[0x02, 0x82, 0, 0, 0, 0, b'h', b'i']);
    let empty = [0x00u8, 0x80, 0, 0, 0, 0].repeat(100_000);
    out.append(d.push(&empty));
    out.append(d.push(&[0x80, 0x80, 0, 0, 0, 0]));
    assert_eq!(too_big(&out.violations), 1);
    let v = out
        .violations
        .iter()
        .find(|v| v.id == ViolationId::MessageTooBig)
        .unwrap();
    assert_eq!(v.frame, Some(1024));
    assert_eq!(out.frames.len(), 100_002);
    let message = &out.messages[0];
    assert_eq!(message.frames.len(), 1024);
    assert_eq!(message.frames.last(), Some(&100_001));
    assert_eq!(message.data, b"hi");
}

#[test]
fn a_compressed_message_within_the_maximum_still_inflates() {
    // Stored blocks make the wire longer than the data: within an eighth more it is fine.
    let data = vec![b'a'; 1000];
    let mut payload = vec![0x00, 0xE8, 0x03, 0x17, 0xFC];
    payload.extend_from_slice(&data);
    let mut frame = vec![0xC2, 0xFE, 0x03, 0xED, 0, 0, 0, 0];
    frame.extend_from_slice(&payload);
    let mut d = Decoder::new(options(1000, Some("permessage-deflate"))).unwrap();
    let out = d.push(&frame);
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    assert_eq!(out.messages[0].data, data);
}

/// A truncated hixie-76 frame past the maximum keeps no more than the maximum, yet its
/// `length` and payload field count every byte present, as the incomplete tail does (the
/// decoder fuzz target found `length` counting only the bytes kept).
#[test]
fn a_truncated_hixie_frame_past_the_maximum_counts_every_byte_present() {
    let mut sentinel = vec![0x00];
    sentinel.extend_from_slice(&[b'a'; 50]);
    let mut prefixed = vec![0x80, 0x7F];
    prefixed.extend_from_slice(&[b'b'; 50]);
    for (bytes, header) in [(sentinel, 1), (prefixed, 2)] {
        let options = DecodeOptions {
            protocol: wsinspect::Protocol::Hixie76,
            ..options(36, None)
        };
        let out = wsinspect::decode(&bytes, options).unwrap();
        let tail = out.incomplete.unwrap();
        assert_eq!((tail.offset, tail.have), (0, bytes.len() as u64));
        let partial = tail.partial.unwrap();
        assert_eq!(partial.length, tail.have);
        assert_eq!(partial.payload.len(), 36);
        let fields = partial.fields();
        let field = fields.iter().find(|f| f.name == "payload").unwrap();
        assert_eq!((field.offset, field.length), (header, 50));
    }
}
