//! Incremental decoding: truncated tails, huge declared lengths, messages left open, and
//! a property test that random chunkings of random streams equal the one-shot decode.

mod common;

use common::{decode_all_splits, decode_chunks, f, field_spans, hex, options, stream, Rng, F};
use wsinspect::{
    decode, DecodeOptions, Decoder, Incomplete, NoticeId, Protocol, Role, ViolationId,
};

fn incomplete(bytes: &[u8]) -> Option<Incomplete> {
    decode_all_splits(bytes, &options(Role::Auto)).incomplete
}

#[test]
fn truncated_tails_say_where_and_how_much() {
    // (bytes, offset, frame, have, needed, min_needed)
    type Case = (&'static str, u64, Option<usize>, u64, Option<u64>, u64);
    let cases: &[Case] = &[
        ("81", 0, None, 1, None, 1),
        ("8105", 0, Some(0), 2, Some(5), 5),
        ("810548", 0, Some(0), 3, Some(4), 4),
        ("818537", 0, None, 3, Some(8), 8),
        ("827e01", 0, None, 3, None, 1),
        ("827e0100", 0, Some(0), 4, Some(256), 256),
        ("82fe0100aa", 0, None, 5, Some(259), 259),
        ("827f00000000000100", 0, None, 9, None, 1),
        ("827f0000000000010000", 0, Some(0), 10, Some(65536), 65536),
        ("810548656c6c6f 8105 4865", 7, Some(1), 4, Some(3), 3),
        ("810548656c6c6f 81", 7, None, 1, None, 1),
    ];
    for &(bytes, offset, frame, have, needed, min_needed) in cases {
        let got = incomplete(&hex(bytes)).unwrap();
        assert_eq!(
            (got.offset, got.frame, got.have, got.needed, got.min_needed),
            (offset, frame, have, needed, min_needed),
            "{bytes}"
        );
        // Once the header is complete, the frame is readable as far as it came.
        assert_eq!(got.partial.is_some(), frame.is_some(), "{bytes}");
    }
    assert_eq!(incomplete(&[]), None);
    assert_eq!(incomplete(&hex("810548656c6c6f")), None);
}

#[test]
fn a_truncated_frame_stays_readable_as_far_as_it_came() {
    // RFC 6455 §5.7's masked "Hello", cut after "He": every header field is there, the
    // payload present is unmasked, the declared length is kept.
    let out = decode_all_splits(
        &hex("810548656c6c6f 8185 37fa213d 7f9f"),
        &options(Role::Auto),
    );
    let tail = out.incomplete.unwrap();
    let partial = tail.partial.unwrap();
    assert_eq!(
        (
            partial.index,
            partial.offset,
            partial.header_length,
            partial.length
        ),
        (1, 7, 6, 8)
    );
    assert_eq!((partial.fin, partial.opcode), (true, 0x1));
    assert_eq!(partial.masking_key, Some([0x37, 0xfa, 0x21, 0x3d]));
    assert_eq!((partial.payload_len, partial.payload_offset), (5, 13));
    assert_eq!(partial.payload, b"He");
    let spans: Vec<_> = field_spans(&partial);
    assert_eq!(
        spans[spans.len() - 2..],
        [("masking_key", 9, 4), ("payload", 13, 2)]
    );
    assert_eq!(tail.have, partial.length);
    // Nothing of the payload yet: the header alone.
    let tail = incomplete(&hex("827e0100")).unwrap();
    let partial = tail.partial.unwrap();
    assert_eq!((partial.payload_len, partial.length), (256, 4));
    assert!(partial.payload.is_empty());
    assert!(partial.fields().iter().all(|f| f.name != "payload"));
    // An unfinished header has no frame to show.
    assert_eq!(incomplete(&hex("8185 37fa")).unwrap().partial, None);
}

#[test]
fn incomplete_reads_well() {
    let i = incomplete(&hex("810548656c6c6f 8105 4865")).unwrap();
    assert_eq!(
        i.to_string(),
        "incomplete frame at byte 7: 3 more bytes needed"
    );
    let i = incomplete(&hex("81")).unwrap();
    assert_eq!(
        i.to_string(),
        "incomplete frame at byte 0: at least 1 more byte needed"
    );
}

#[test]
fn everything_before_a_truncated_frame_is_shown() {
    let out = decode_all_splits(&hex("810548656c6c6f 890548 65"), &options(Role::Server));
    assert_eq!(out.frames.len(), 1);
    assert_eq!(out.messages[0].text(), Some("Hello"));
    assert!(out.violations.is_empty());
    assert_eq!(out.incomplete.unwrap().needed, Some(3));
}

#[test]
fn a_frame_claiming_2_pow_62_bytes_costs_only_the_bytes_given() {
    let mut bytes = hex("827f");
    bytes.extend_from_slice(&(1u64 << 62).to_be_bytes());
    bytes.extend_from_slice(&[0xAB; 100]);
    let out = decode_all_splits(&bytes, &options(Role::Server));
    assert!(out.frames.is_empty());
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    let tail = out.incomplete.unwrap();
    assert_eq!(tail.needed, Some((1u64 << 62) - 100));
    assert_eq!(tail.have, 110);
    // The open message is reported with the bytes that did arrive.
    assert_eq!(out.messages.len(), 1);
    assert!(!out.messages[0].complete);

    // With a maximum, the header alone is enough to report the message as too big.
    let mut decoder = Decoder::new(DecodeOptions {
        role: Role::Server,
        max_message_size: Some(1 << 20),
        ..Default::default()
    })
    .unwrap();
    let first = decoder.push(&bytes[..10]);
    assert_eq!(first.violations[0].id, ViolationId::MessageTooBig);
    assert_eq!(first.violations[0].offset, 0);
}

#[test]
fn a_message_left_open_is_reported_at_the_end() {
    let bytes = stream(&[
        f(1, b"He").fin(false),
        f(9, b"ping"),
        f(0, b"ll").fin(false),
    ]);
    let mut decoder = Decoder::new(options(Role::Server)).unwrap();
    let pushed = decoder.push(&bytes);
    assert_eq!(pushed.frames.len(), 3);
    assert!(pushed.messages.is_empty());
    let end = decoder.end();
    assert_eq!(end.messages.len(), 1);
    let m = &end.messages[0];
    assert!(!m.complete);
    assert_eq!(m.frames, [0, 2]);
    assert_eq!(m.text(), Some("Hell"));
    assert_eq!(end.notices[0].id, NoticeId::MessageLeftOpen);
    assert_eq!(end.notices[0].offset, 0);
    // A finished decoder ignores further input.
    assert_eq!(decoder.push(b"\x81\x00").frames.len(), 0);
    assert_eq!(decoder.end().messages.len(), 0);
}

#[test]
fn an_unfinished_character_in_an_open_message_is_not_a_violation() {
    let out = decode_all_splits(
        &stream(&[f(1, &[0x61, 0xE2, 0x82]).fin(false)]),
        &options(Role::Server),
    );
    assert!(out.violations.is_empty());
    assert_eq!(out.messages[0].text(), Some("a"));
}

#[test]
fn role_auto_follows_the_first_mask_bit() {
    let masked = decode(
        &stream(&[f(1, b"a").key([1, 2, 3, 4]), f(1, b"b")]),
        DecodeOptions::default(),
    )
    .unwrap();
    assert_eq!(masked.role, Role::Client);
    assert_eq!(masked.violations[0].id, ViolationId::UnmaskedClientFrame);
    let notice = masked
        .notices
        .iter()
        .find(|n| n.id == NoticeId::RoleDetected)
        .unwrap();
    assert_eq!(notice.offset, 1);
    let plain = decode(
        &stream(&[f(1, b"a"), f(1, b"b").key([1, 2, 3, 4])]),
        DecodeOptions::default(),
    )
    .unwrap();
    assert_eq!(plain.role, Role::Server);
    assert_eq!(plain.violations[0].id, ViolationId::MaskedServerFrame);
    assert_eq!(plain.protocol, Protocol::Rfc6455);
}

#[test]
fn a_decoder_reports_what_it_resolved() {
    let mut d = Decoder::new(DecodeOptions::default()).unwrap();
    assert_eq!((d.role(), d.protocol()), (Role::Auto, Protocol::Auto));
    let out = d.push(&[0x81]);
    assert_eq!((out.role, out.protocol), (Role::Auto, Protocol::Rfc6455));
    d.push(&[0x80, 1, 2, 3, 4]);
    assert_eq!((d.role(), d.protocol()), (Role::Client, Protocol::Rfc6455));
}

#[test]
fn a_large_message_in_small_chunks_equals_one_shot() {
    let payload: Vec<u8> = (0..300_000u32)
        .map(|i| b"abcdefgh"[(i % 8) as usize])
        .collect();
    let bytes = stream(&[
        f(1, &payload[..100_000]).fin(false).key([9, 8, 7, 6]),
        f(9, b"ping").key([1, 1, 1, 1]),
        f(0, &payload[100_000..]).key([5, 4, 3, 2]),
    ]);
    let opts = options(Role::Client);
    let whole = decode(&bytes, opts.clone()).unwrap();
    assert_eq!(whole.messages[0].data, payload);
    for size in [1, 3, 7, 4096] {
        assert_eq!(
            decode_chunks(bytes.chunks(size), &opts),
            whole,
            "chunks of {size}"
        );
    }
}

/// A random frame: mostly valid, sometimes breaking a rule.
fn random_frame(rng: &mut Rng, client: bool) -> F {
    let opcode = [0u8, 1, 1, 2, 2, 8, 9, 10, 3][rng.below(9) as usize];
    let len = match rng.below(10) {
        0 => 0,
        1 => 126 + rng.below(400) as usize,
        _ => rng.below(20) as usize,
    };
    let payload: Vec<u8> = (0..len)
        .map(|_| {
            if opcode == 1 || opcode == 0 {
                b"hello \xc3\xa9\xe2\x82\xac!"[rng.below(12) as usize]
            } else {
                rng.next() as u8
            }
        })
        .collect();
    let mut frame = f(opcode, &payload).fin(rng.below(4) != 0);
    if client != (rng.below(20) == 0) {
        frame = frame.key((rng.next() as u32).to_be_bytes());
    }
    if rng.below(15) == 0 {
        frame = frame.rsv(rng.below(8) as u8);
    }
    if rng.below(15) == 0 && len < 126 {
        frame = frame.encoding(16);
    }
    frame
}

#[test]
fn random_streams_in_random_chunks_equal_the_one_shot_decode() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for case in 0..400 {
        let client = rng.below(2) == 0;
        let n = 1 + rng.below(8) as usize;
        let frames: Vec<F> = (0..n).map(|_| random_frame(&mut rng, client)).collect();
        let mut bytes = stream(&frames);
        // Sometimes cut the stream short.
        if rng.below(4) == 0 {
            let keep = rng.below(bytes.len() as u64 + 1) as usize;
            bytes.truncate(keep);
        }
        let opts = DecodeOptions {
            role: [Role::Auto, Role::Client, Role::Server][rng.below(3) as usize],
            max_message_size: if rng.below(5) == 0 {
                Some(rng.below(300))
            } else {
                None
            },
            ..Default::default()
        };
        let whole = decode(&bytes, opts.clone()).unwrap();
        // Frames tile the stream up to the incomplete tail.
        let mut at = 0;
        for frame in &whole.frames {
            assert_eq!(frame.offset, at, "case {case}");
            at += frame.length;
        }
        let end = whole
            .incomplete
            .as_ref()
            .map_or(bytes.len() as u64, |i| i.offset);
        assert_eq!(at, end, "case {case}");
        for _ in 0..5 {
            let mut chunks = Vec::new();
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let size = 1 + rng.below(rest.len().min(40) as u64) as usize;
                let (a, b) = rest.split_at(size);
                chunks.push(a);
                rest = b;
            }
            assert_eq!(decode_chunks(chunks, &opts), whole, "case {case}");
        }
    }
}

#[test]
fn arbitrary_bytes_never_panic_and_split_consistently() {
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    for _ in 0..300 {
        let len = rng.below(64) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        for protocol in [Protocol::Auto, Protocol::Rfc6455, Protocol::Hixie76] {
            let opts = DecodeOptions {
                protocol,
                extensions: Some("permessage-deflate".into()),
                ..Default::default()
            };
            let whole = decode(&bytes, opts.clone()).unwrap();
            let split = rng.below(len as u64 + 1) as usize;
            let (a, b) = bytes.split_at(split);
            assert_eq!(decode_chunks([a, b], &opts), whole);
            assert_eq!(decode_chunks(bytes.chunks(1), &opts), whole);
        }
    }
}

#[test]
fn option_names_round_trip() {
    for role in [Role::Client, Role::Server, Role::Auto] {
        assert_eq!(Role::from_name(role.as_str()), Some(role));
    }
    for protocol in [Protocol::Rfc6455, Protocol::Hixie76, Protocol::Auto] {
        assert_eq!(Protocol::from_name(protocol.as_str()), Some(protocol));
    }
    assert_eq!(Role::from_name("Client"), None);
    assert_eq!(Protocol::from_name("hixie-75"), None);
}
