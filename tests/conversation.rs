//! The conversation: both directions, their heads, what the heads agreed, one timeline.

mod common;

use common::Rng;
use flate2::{Compress, Compression, FlushCompress};
use wsinspect::encode::{encode_frame, FrameSpec};
use wsinspect::{
    decode_conversation, decode_transcript, ChunkMeta, Conversation, ConversationOptions,
    ConversationOutput, DirectedChunk, Direction, Transcript,
};

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

fn request(extra: &str) -> Vec<u8> {
    format!(
        "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
    .into_bytes()
}

fn response(extra: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {ACCEPT}\r\n{extra}\r\n"
    )
    .into_bytes()
}

/// Raw DEFLATE with a sync flush and its 00 00 ff ff removed (RFC 7692 §7.2.1), by
/// flate2, with one compressor per direction so later messages refer back to earlier
/// ones (context takeover).
struct Deflater(Compress);

impl Deflater {
    fn new() -> Deflater {
        Deflater(Compress::new(Compression::default(), false))
    }
    fn message(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() + 64);
        self.0
            .compress_vec(data, &mut out, FlushCompress::Sync)
            .unwrap();
        assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
        out.truncate(out.len() - 4);
        out
    }
}

fn compressed(opcode: u8, payload: Vec<u8>, key: Option<[u8; 4]>) -> Vec<u8> {
    let mut spec = FrameSpec::new(opcode, payload);
    spec.rsv1 = true;
    spec.masking_key = key;
    encode_frame(&spec)
}

const OFFER: &str = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
const AGREED: &str = "Sec-WebSocket-Extensions: permessage-deflate\r\n";

/// A compressed chat: both directions with permessage-deflate and context takeover.
fn chat() -> (Vec<u8>, Vec<u8>) {
    let mut client = request(OFFER);
    let mut server = response(AGREED);
    let (mut cd, mut sd) = (Deflater::new(), Deflater::new());
    for i in 0..4u8 {
        let text = format!("{{\"type\":\"chat\",\"n\":{i},\"text\":\"héllo wörld héllo wörld\"}}");
        client.extend(compressed(
            1,
            cd.message(text.as_bytes()),
            Some([i, 2, 3, 4]),
        ));
        server.extend(compressed(1, sd.message(text.as_bytes()), None));
    }
    client.extend(encode_frame(
        &FrameSpec::new(0x9, b"ping".to_vec()).masked([9, 9, 9, 9]),
    ));
    server.extend(encode_frame(&FrameSpec::new(0xA, b"ping".to_vec())));
    client.extend(encode_frame(
        &FrameSpec::close(1000, "done").masked([1, 1, 1, 1]),
    ));
    server.extend(encode_frame(&FrameSpec::close(1000, "done")));
    (client, server)
}

fn run(chunks: &[(Direction, &[u8], ChunkMeta)]) -> ConversationOutput {
    let mut c = Conversation::new(ConversationOptions::default());
    let mut out = ConversationOutput::default();
    for (d, bytes, meta) in chunks {
        out.append(c.push(*d, bytes, *meta));
    }
    out.append(c.end());
    out
}

fn both(client: &[u8], server: &[u8]) -> ConversationOutput {
    run(&[
        (Direction::Client, client, ChunkMeta::default()),
        (Direction::Server, server, ChunkMeta::default()),
    ])
}

fn ids<T>(items: &[wsinspect::Sided<T>], id: impl Fn(&T) -> String) -> Vec<String> {
    items
        .iter()
        .map(|s| format!("{}:{}", s.direction, id(&s.item)))
        .collect()
}

#[test]
fn the_response_decides_both_directions_compression() {
    let (client, server) = chat();
    let out = both(&client, &server);
    assert_eq!(out.violations, vec![], "no rule is broken");
    assert!(
        out.pair_checks.iter().all(|c| c.passed),
        "{:?}",
        out.pair_checks
    );
    assert!(!out.pair_checks.is_empty());
    assert_eq!(out.messages.len(), 8);
    for m in &out.messages {
        assert!(m.item.compressed);
        assert!(m.item.text().unwrap().contains("héllo wörld"), "{m:?}");
    }
    // Offsets count from the first byte of each direction, head included.
    let first_client = out
        .frames
        .iter()
        .find(|f| f.direction == Direction::Client)
        .unwrap();
    assert_eq!(first_client.item.offset, request(OFFER).len() as u64);
    let first_server = out
        .frames
        .iter()
        .find(|f| f.direction == Direction::Server)
        .unwrap();
    assert_eq!(first_server.item.offset, response(AGREED).len() as u64);
    assert!(first_client.item.masked && !first_server.item.masked);
}

#[test]
fn client_frames_wait_for_the_response() {
    let (client, server) = chat();
    let mut c = Conversation::new(ConversationOptions::default());
    let early = c.push(Direction::Client, &client, ChunkMeta::default());
    assert!(early.request.is_some());
    assert!(
        early.frames.is_empty(),
        "decoded before the extensions were known"
    );
    let later = c.push(Direction::Server, &server, ChunkMeta::default());
    assert!(later.response.is_some());
    assert_eq!(later.frames.len(), 12);
    assert_eq!(c.extensions(), Some("permessage-deflate"));
    assert!(later.violations.is_empty() && c.end().violations.is_empty());
}

/// Per-direction facts that must not depend on how the input was cut or interleaved.
fn facts(out: &ConversationOutput) -> Vec<String> {
    let mut v = Vec::new();
    for d in Direction::BOTH {
        v.extend(
            out.frames
                .iter()
                .filter(|s| s.direction == d)
                .map(|s| format!("{d} {:?}", s.item)),
        );
        v.extend(
            out.messages
                .iter()
                .filter(|s| s.direction == d)
                .map(|s| format!("{d} {:?}", s.item)),
        );
        v.extend(
            out.violations
                .iter()
                .filter(|s| s.direction == d)
                .map(|s| format!("{d} {:?}", s.item)),
        );
        let mut notices: Vec<String> = out
            .notices
            .iter()
            .filter(|s| s.direction == d)
            .map(|s| format!("{d} {:?}", s.item))
            .collect();
        notices.sort();
        v.extend(notices);
        v.extend(
            out.incomplete
                .iter()
                .filter(|s| s.direction == d)
                .map(|s| format!("{d} {:?}", s.item)),
        );
    }
    v.push(format!(
        "{:?} {:?} {:?}",
        out.request, out.response, out.pair_checks
    ));
    v
}

fn random_interleaving(rng: &mut Rng, client: &[u8], server: &[u8]) -> ConversationOutput {
    let cut = |rng: &mut Rng, bytes: &[u8]| -> Vec<(usize, usize)> {
        let mut pieces = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let most = if rng.below(4) == 0 { 3 } else { 90 };
            let n = 1 + rng.below(most) as usize;
            let end = (at + n).min(bytes.len());
            pieces.push((at, end));
            at = end;
        }
        pieces
    };
    let (cp, sp) = (cut(rng, client), cut(rng, server));
    let (mut i, mut j) = (0, 0);
    let mut chunks = Vec::new();
    while i < cp.len() || j < sp.len() {
        if j == sp.len() || (i < cp.len() && rng.below(2) == 0) {
            chunks.push((
                Direction::Client,
                &client[cp[i].0..cp[i].1],
                ChunkMeta::default(),
            ));
            i += 1;
        } else {
            chunks.push((
                Direction::Server,
                &server[sp[j].0..sp[j].1],
                ChunkMeta::default(),
            ));
            j += 1;
        }
    }
    run(&chunks)
}

#[test]
fn every_split_and_interleaving_gives_the_same_result() {
    let (client, server) = chat();
    let whole = facts(&both(&client, &server));
    let server_first = run(&[
        (Direction::Server, &server, ChunkMeta::default()),
        (Direction::Client, &client, ChunkMeta::default()),
    ]);
    assert_eq!(facts(&server_first), whole, "server pushed first");
    let mut rng = Rng(0x5eed_1234_abcd);
    for round in 0..300 {
        let out = random_interleaving(&mut rng, &client, &server);
        assert_eq!(facts(&out), whole, "round {round} differs");
    }
    // One byte at a time, alternating.
    let mut chunks = Vec::new();
    for k in 0..client.len().max(server.len()) {
        if let Some(b) = client.get(k..k + 1) {
            chunks.push((Direction::Client, b, ChunkMeta::default()));
        }
        if let Some(b) = server.get(k..k + 1) {
            chunks.push((Direction::Server, b, ChunkMeta::default()));
        }
    }
    assert_eq!(facts(&run(&chunks)), whole, "one byte at a time");
}

#[test]
fn no_handshake_takes_roles_from_the_mask_and_compression_from_rsv1() {
    let (client, server) = chat();
    let (c0, s0) = (request(OFFER).len(), response(AGREED).len());
    let out = both(&client[c0..], &server[s0..]);
    assert_eq!(out.violations, vec![]);
    assert_eq!(out.messages.len(), 8);
    assert!(out
        .messages
        .iter()
        .all(|m| m.item.text().unwrap().contains("wörld")));
    let notices = ids(&out.notices, |n| n.id.as_str().to_string());
    assert!(
        notices.contains(&"client:handshake-missing".to_string()),
        "{notices:?}"
    );
    assert!(
        notices.contains(&"client:compression-assumed".to_string()),
        "{notices:?}"
    );
    assert!(
        notices.contains(&"server:compression-assumed".to_string()),
        "{notices:?}"
    );
}

#[test]
fn one_request_alone_takes_its_offer_as_accepted_when_rsv1_appears() {
    let (client, _) = chat();
    let out = run(&[(Direction::Client, &client, ChunkMeta::default())]);
    assert_eq!(out.violations, vec![], "the offer was taken as accepted");
    assert!(out.request.is_some() && out.response.is_none());
    assert_eq!(out.messages.len(), 4);
    let notices = ids(&out.notices, |n| n.id.as_str().to_string());
    assert!(
        notices.contains(&"server:handshake-missing".to_string()),
        "{notices:?}"
    );
    assert!(
        notices.contains(&"client:compression-assumed".to_string()),
        "{notices:?}"
    );
}

#[test]
fn a_request_without_an_offer_still_breaks_the_rsv1_rule() {
    let mut client = request("");
    let frame = compressed(
        1,
        b"\xf2\x48\xcd\xc9\xc9\x07\x00".to_vec(),
        Some([1, 2, 3, 4]),
    );
    client.extend(&frame);
    let out = run(&[(Direction::Client, &client, ChunkMeta::default())]);
    // The payload is not inflated, so as text it is not UTF-8 either.
    let v = ids(&out.violations, |v| {
        format!("{}@{}", v.id.as_str(), v.offset)
    });
    assert_eq!(v[0], format!("client:reserved-bits@{}", request("").len()));
    assert!(
        v[1..].iter().all(|v| v.starts_with("client:invalid-utf8")),
        "{v:?}"
    );
}

#[test]
fn a_response_agreed_without_compression_makes_rsv1_a_violation_in_both_directions() {
    let mut client = request("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    let mut server = response("");
    client.extend(compressed(
        1,
        b"\xf2\x48\xcd\xc9\xc9\x07\x00".to_vec(),
        Some([1, 2, 3, 4]),
    ));
    server.extend(compressed(
        1,
        b"\xf2\x48\xcd\xc9\xc9\x07\x00".to_vec(),
        None,
    ));
    let out = both(&client, &server);
    let v = ids(&out.violations, |v| v.id.as_str().to_string());
    assert_eq!(
        v,
        vec![
            "client:reserved-bits",
            "client:invalid-utf8",
            "server:reserved-bits",
            "server:invalid-utf8"
        ]
    );
}

#[test]
fn roles_come_from_the_heads_so_a_masked_server_frame_is_caught() {
    let mut client = request("");
    let mut server = response("");
    client.extend(encode_frame(&FrameSpec::text("hi")));
    server.extend(encode_frame(&FrameSpec::text("hi").masked([1, 2, 3, 4])));
    let out = both(&client, &server);
    let v = ids(&out.violations, |v| v.id.as_str().to_string());
    assert_eq!(
        v,
        vec!["client:unmasked-client-frame", "server:masked-server-frame"]
    );
}

#[test]
fn a_refused_upgrade_is_not_decoded_as_frames() {
    let mut client = request("");
    client.extend(encode_frame(&FrameSpec::text("hi").masked([1, 2, 3, 4])));
    let mut server = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden".to_vec();
    server.extend(b"more");
    let out = both(&client, &server);
    assert!(out.frames.is_empty() && out.violations.is_empty());
    let notices = ids(&out.notices, |n| n.id.as_str().to_string());
    assert!(
        notices
            .iter()
            .filter(|n| n.ends_with("not-websocket"))
            .count()
            >= 2,
        "{notices:?}"
    );
    assert_eq!(out.response.unwrap().status, Some(403));
}

#[test]
fn a_head_that_never_ends_is_said_and_nothing_after_it_is_guessed() {
    let client = b"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n".to_vec();
    let out = run(&[(Direction::Client, &client, ChunkMeta::default())]);
    assert!(out.request.as_ref().unwrap().incomplete.is_some());
    assert!(out.frames.is_empty() && out.violations.is_empty());
    let notices = ids(&out.notices, |n| n.id.as_str().to_string());
    assert!(
        notices.contains(&"client:head-incomplete".to_string()),
        "{notices:?}"
    );
}

#[test]
fn hixie76_heads_and_frames() {
    // draft-hixie-thewebsocketprotocol-76 §1.3's example handshake.
    let mut client = b"GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nSec-WebSocket-Protocol: sample\r\nUpgrade: WebSocket\r\n\
Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nOrigin: http://example.com\r\n\r\n^n:ds[4U"
        .to_vec();
    let mut server = b"HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Origin: http://example.com\r\n\
Sec-WebSocket-Location: ws://example.com/demo\r\nSec-WebSocket-Protocol: sample\r\n\r\n8jKS'y:G*Co,Wxa-"
        .to_vec();
    let head = client.len() as u64;
    client.extend(b"\x00hi\xff");
    server.extend(b"\x00hello\xff\xff\x00");
    let out = both(&client, &server);
    assert!(
        out.pair_checks.iter().all(|c| c.passed),
        "{:?}",
        out.pair_checks
    );
    assert_eq!(out.violations, vec![]);
    let texts = ids(&out.messages, |m| m.text().unwrap().to_owned());
    assert_eq!(texts, vec!["client:hi", "server:hello"]);
    assert_eq!(out.frames[0].item.offset, head);
}

#[test]
fn frames_carry_the_time_and_packet_of_their_first_byte() {
    let mut client = request("");
    let head = client.len();
    let big = encode_frame(&FrameSpec::binary(vec![7u8; 3000]).masked([1, 2, 3, 4]));
    client.extend(&big);
    let server = response("");
    let meta = |p: u64| ChunkMeta {
        time: Some(100.0 + p as f64 / 10.0),
        packet: Some(p),
    };
    let out = run(&[
        (Direction::Client, &client[..head + 10], meta(1)),
        (Direction::Server, &server, meta(2)),
        (Direction::Client, &client[head + 10..head + 2000], meta(3)),
        (Direction::Client, &client[head + 2000..], meta(5)),
    ]);
    assert_eq!(out.frames.len(), 1);
    assert_eq!(out.frames[0].packet, Some(1));
    assert_eq!(out.frames[0].time, Some(100.1));
    assert_eq!(out.messages[0].packet, Some(1));
}

#[test]
fn the_close_handshake_is_a_fact() {
    let mut client = request("");
    let mut server = response("");
    let head = (client.len(), server.len());
    client.extend(encode_frame(
        &FrameSpec::close(4000, "bye").masked([1, 2, 3, 4]),
    ));
    server.extend(encode_frame(&FrameSpec::text("late")));
    server.extend(encode_frame(&FrameSpec::close(4000, "bye")));
    let meta = |p: u64| ChunkMeta {
        time: None,
        packet: Some(p),
    };
    // The server's bytes are pushed first, but the packets say the client closed first.
    let mut c = Conversation::new(ConversationOptions::default());
    c.push(Direction::Client, &client[..head.0], meta(1));
    c.push(Direction::Server, &server[..head.1], meta(2));
    c.push(Direction::Server, &server[head.1..head.1 + 6], meta(5));
    c.push(Direction::Server, &server[head.1 + 6..], meta(6));
    c.push(Direction::Client, &client[head.0..], meta(4));
    let out = c.end();
    assert!(out.violations.is_empty(), "{:?}", out.violations);
    let close = c.close();
    let first = close.first.as_ref().unwrap();
    assert_eq!(
        (first.direction, first.code, first.packet),
        (Direction::Client, Some(4000), Some(4))
    );
    assert_eq!(first.reason.as_deref(), Some("bye"));
    let reply = close.reply.as_ref().unwrap();
    assert_eq!(
        (reply.direction, reply.packet),
        (Direction::Server, Some(6))
    );
    assert_eq!(close.data_after_close.len(), 1);
    assert_eq!(close.data_after_close[0].direction, Direction::Server);
}

#[test]
fn without_a_handshake_the_masking_side_is_the_client() {
    let client_frame = encode_frame(&FrameSpec::text("from client").masked([1, 2, 3, 4]));
    let server_frame = encode_frame(&FrameSpec::text("from server"));
    let chunk = |direction, bytes: &[u8]| DirectedChunk {
        direction,
        bytes: bytes.to_vec(),
        meta: ChunkMeta::default(),
    };
    // Named the wrong way round by the input.
    let t = Transcript {
        format: "test".into(),
        chunks: vec![
            chunk(Direction::Client, &server_frame),
            chunk(Direction::Server, &client_frame),
        ],
        ..Transcript::default()
    };
    let r = decode_transcript(&t, &ConversationOptions::default());
    assert_eq!(r.violations, vec![]);
    let mut texts = ids(&r.messages, |m| m.text().unwrap().to_owned());
    texts.sort();
    assert_eq!(texts, vec!["client:from client", "server:from server"]);
    assert!(r
        .notices
        .iter()
        .any(|n| n.item.id.as_str() == "roles-from-mask"));
}

#[test]
fn one_direction_that_starts_with_its_response_is_decoded_with_its_extensions() {
    let (_, server) = chat();
    let r = decode_conversation(&server, &ConversationOptions::default());
    assert_eq!(r.format, "bytes, 1 direction");
    assert_eq!(
        r.violations,
        vec![],
        "the response's extensions apply to its own frames"
    );
    assert_eq!(r.messages.len(), 4);
    assert!(r.frames.iter().all(|f| f.direction == Direction::Server));
    assert_eq!(r.extensions.as_deref(), Some("permessage-deflate"));
}

#[test]
fn max_message_size_holds_in_both_directions() {
    let mut client = request("");
    let mut server = response("");
    client.extend(encode_frame(
        &FrameSpec::binary(vec![1u8; 200]).masked([1, 2, 3, 4]),
    ));
    server.extend(encode_frame(&FrameSpec::binary(vec![1u8; 200])));
    let mut c = Conversation::new(ConversationOptions {
        max_message_size: Some(100),
        ..ConversationOptions::default()
    });
    let mut out = c.push(Direction::Client, &client, ChunkMeta::default());
    out.append(c.push(Direction::Server, &server, ChunkMeta::default()));
    out.append(c.end());
    let v = ids(&out.violations, |v| v.id.as_str().to_string());
    assert_eq!(v, vec!["client:message-too-big", "server:message-too-big"]);
}

#[test]
fn nothing_is_glued_across_a_gap() {
    let mut client = request("");
    let head = client.len();
    let first = encode_frame(&FrameSpec::text("before").masked([1, 2, 3, 4]));
    let second = encode_frame(&FrameSpec::text("lost").masked([1, 2, 3, 4]));
    let third = encode_frame(&FrameSpec::text("after").masked([1, 2, 3, 4]));
    client.extend(&first);
    client.extend(&second[..4]);
    let server = response("");
    let chunk = |direction, bytes: &[u8]| DirectedChunk {
        direction,
        bytes: bytes.to_vec(),
        meta: ChunkMeta::default(),
    };
    let t = Transcript {
        format: "test".into(),
        chunks: vec![
            chunk(Direction::Client, &client),
            chunk(Direction::Server, &server),
            chunk(Direction::Client, &third),
        ],
        gaps: vec![wsinspect::Gap {
            direction: Direction::Client,
            offset: client.len() as u64,
            missing: (second.len() - 4) as u64,
            packet: None,
        }],
        ..Transcript::default()
    };
    let r = decode_transcript(&t, &ConversationOptions::default());
    assert_eq!(r.violations, vec![]);
    let texts = ids(&r.messages, |m| m.text().unwrap_or_default().to_owned());
    assert_eq!(
        texts,
        vec!["client:before", "client:after"],
        "decoding resumes at the frame after the hole"
    );
    let after = r.messages.iter().find(|m| m.item.text() == Some("after"));
    assert_eq!(
        after.map(|m| m.item.offset),
        Some((client.len() + second.len() - 4) as u64),
        "offsets count the missing bytes"
    );
    assert!(
        r.notices
            .iter()
            .any(|n| n.item.message.contains("resumed at byte")),
        "where decoding resumed is said"
    );
    let gap = r
        .notices
        .iter()
        .find(|n| n.item.id.as_str() == "gap")
        .expect("a gap notice");
    assert_eq!(
        (gap.direction, gap.item.offset),
        (Direction::Client, client.len() as u64)
    );
    let tail = r
        .incomplete
        .iter()
        .find(|i| i.direction == Direction::Client)
        .expect("the cut frame");
    assert_eq!(tail.item.offset, (head + first.len()) as u64);
}

/// Found by the conversation fuzz target: a request head broken inside its start line
/// (a 0x80 where the line ending belongs) was judged by more or fewer bytes depending on
/// the chunks; the head is the same whatever has arrived after its error.
#[test]
fn a_head_broken_in_its_start_line_is_the_same_in_any_chunks() {
    let mut client = b"GET /chat HTTP/1.1\x80 rest of the line\r\nHost: a\r\n\r\n".to_vec();
    client.extend_from_slice(&[0x81, 0x80, 1, 2, 3, 4]);
    let whole = both(&client, b"");
    let request = whole.request.clone().expect("the request is read");
    assert_eq!(
        request.error.as_ref().map(|e| (e.id.as_str(), e.offset)),
        Some(("malformed-http", 18))
    );
    assert_eq!(
        request.start_line_length, 0,
        "no line ending before the error"
    );
    for cut in 1..client.len() {
        let meta = ChunkMeta::default();
        let (a, b) = client.split_at(cut);
        let split = run(&[(Direction::Client, a, meta), (Direction::Client, b, meta)]);
        assert_eq!(split.request.as_ref(), Some(&request), "cut at {cut}");
    }
}

/// Found by the conversation fuzz target: the count of bytes not decoded after a refused
/// upgrade was what had come when the response arrived; it is all that came.
#[test]
fn bytes_not_decoded_are_counted_to_the_end_in_any_interleaving() {
    let request = request("");
    let refused = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    let mut client = request.clone();
    client.extend_from_slice(&[0x81, 0x80, 1, 2, 3, 4, 0x81, 0x80, 5, 6, 7, 8]);
    let meta = ChunkMeta::default();
    let head = request.len();
    let early = run(&[
        (Direction::Client, &client[..head + 3], meta),
        (Direction::Server, refused, meta),
        (Direction::Client, &client[head + 3..], meta),
    ]);
    let late = both(&client, refused);
    for out in [&early, &late] {
        let said: Vec<_> = out
            .notices
            .iter()
            .filter(|n| {
                n.item.id == wsinspect::NoticeId::NotWebSocket && n.direction == Direction::Client
            })
            .map(|n| (n.item.offset, n.item.message.clone()))
            .collect();
        assert_eq!(
            said,
            [(
                head as u64,
                "12 bytes after the client's head are not decoded".to_string()
            )]
        );
        assert!(out.frames.is_empty());
    }
}

/// A conversation decodes with its own handshake's agreed window, and its violations keep
/// their spans: the server's stream from the issue (its second message copies from 515
/// bytes back, past server_max_window_bits=9's 512) fails to inflate at its second frame,
/// and the client's masked E2 82 "A" is an ill-formed E2 82 (Python: start 0, end 2).
#[test]
fn violations_keep_their_span_and_the_agreed_window_holds() {
    let ext = "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9\r\n";
    let key = [1u8, 2, 3, 4];
    let mut client =
        request("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9\r\n");
    let head = client.len() as u64;
    client.extend_from_slice(&[0x81, 0x83]);
    client.extend_from_slice(&key);
    client.extend([0xE2u8, 0x82, 0x41].iter().zip(key).map(|(b, k)| b ^ k));
    let mut server = response(ext);
    let server_head = server.len() as u64;
    server.extend(common::hex("c2064a1c05a30000c2050226010000"));
    let out = both(&client, &server);
    let spans: Vec<_> = out
        .violations
        .iter()
        .map(|v| {
            (
                v.direction,
                v.item.id.as_str(),
                v.item.offset,
                v.item.length,
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            (Direction::Client, "invalid-utf8", head + 6, 2),
            (Direction::Server, "inflate-failed", server_head + 8, 7),
        ]
    );
}
