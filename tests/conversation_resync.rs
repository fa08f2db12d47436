//! After a gap, and in a stream that began before the capture: the next frame is found
//! by a header the following frame confirms, nothing is glued across the hole, and no
//! rule is reported broken because bytes are missing.

mod common;

use common::Rng;
use flate2::{Compress, Compression, FlushCompress};
use wsinspect::encode::{encode_frame, FrameSpec};
use wsinspect::{
    ChunkMeta, Conversation, ConversationOptions, ConversationOutput, Direction, NoticeId,
};

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

fn heads(extensions: &str) -> (Vec<u8>, Vec<u8>) {
    let request = format!(
        "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extensions}\r\n"
    );
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {ACCEPT}\r\n{extensions}\r\n"
    );
    (request.into_bytes(), response.into_bytes())
}

fn server_text(text: &str) -> Vec<u8> {
    encode_frame(&FrameSpec::text(text))
}

/// The server's frames: `before`, then a frame the gap cuts, then `after`.
struct Cut {
    client: Vec<u8>,
    server_before: Vec<u8>,
    missing: u64,
    server_after: Vec<u8>,
}

fn cut_in_a_frame() -> Cut {
    let (client, mut server) = heads("");
    server.extend(server_text("one"));
    let lost = server_text(&"x".repeat(300));
    server.extend(&lost[..10]);
    // The tail of the cut frame (bytes that look like nothing), then three frames.
    let mut after = lost[200..].to_vec();
    after.extend(server_text("two"));
    after.extend(encode_frame(&FrameSpec::new(9, b"p".to_vec())));
    after.extend(server_text("three"));
    Cut {
        client,
        server_before: server,
        missing: 190,
        server_after: after,
    }
}

fn run(cut: &Cut, pieces: &[usize]) -> ConversationOutput {
    let mut c = Conversation::new(ConversationOptions::default());
    let mut out = c.push(Direction::Client, &cut.client, ChunkMeta::default());
    out.append(c.push(Direction::Server, &cut.server_before, ChunkMeta::default()));
    out.append(c.gap(Direction::Server, cut.missing));
    let mut at = 0;
    for &n in pieces {
        let end = (at + n).min(cut.server_after.len());
        out.append(c.push(
            Direction::Server,
            &cut.server_after[at..end],
            ChunkMeta::default(),
        ));
        at = end;
    }
    out.append(c.push(
        Direction::Server,
        &cut.server_after[at..],
        ChunkMeta::default(),
    ));
    out.append(c.end());
    out
}

/// The complete messages' texts (a message a gap cut is reported open, not complete).
fn texts(out: &ConversationOutput) -> Vec<String> {
    out.messages
        .iter()
        .filter(|m| m.item.complete)
        .map(|m| m.item.text().unwrap_or("<binary>").to_owned())
        .collect()
}

#[test]
fn decoding_resumes_at_the_first_confirmed_frame_after_a_gap() {
    let cut = cut_in_a_frame();
    let out = run(&cut, &[]);
    assert_eq!(texts(&out), ["one", "two", "three"]);
    assert_eq!(out.violations, vec![], "a gap breaks no rule");
    let two = out.messages.iter().find(|m| m.item.text() == Some("two"));
    // The cut frame is 304 bytes (a 4-byte header): 10 before the gap, 190 lost, 104 after.
    let resumed = cut.server_before.len() as u64 + cut.missing + 104;
    assert_eq!(two.map(|m| m.item.offset), Some(resumed));
    let said = out
        .notices
        .iter()
        .find(|n| n.item.message.contains("resumed at byte"))
        .expect("where decoding resumed is said");
    assert_eq!(said.item.offset, resumed);
    assert!(
        said.item.message.contains("skipped 104 bytes"),
        "{}",
        said.item.message
    );
    // The frame the gap cut is the server's incomplete tail at the gap.
    let cut_frame = out
        .incomplete
        .iter()
        .find(|i| i.direction == Direction::Server);
    assert_eq!(
        cut_frame.map(|i| i.item.offset),
        Some(cut.server_before.len() as u64 - 10)
    );
    // Frames are numbered on across the gap, never twice.
    let indices: Vec<usize> = out
        .frames
        .iter()
        .filter(|f| f.direction == Direction::Server)
        .map(|f| f.item.index)
        .collect();
    assert_eq!(indices, [0, 1, 2, 3]);
}

#[test]
fn every_split_after_the_gap_gives_the_same_result() {
    let cut = cut_in_a_frame();
    let whole = run(&cut, &[]);
    for n in 1..=cut.server_after.len() {
        assert_eq!(run(&cut, &[n]), whole, "split at {n}");
    }
    let mut rng = Rng(0xface_f00d);
    for round in 0..200 {
        let pieces: Vec<usize> = (0..8).map(|_| 1 + rng.below(40) as usize).collect();
        assert_eq!(run(&cut, &pieces), whole, "round {round}: {pieces:?}");
    }
}

#[test]
fn bytes_with_no_frame_after_a_gap_are_said_and_not_decoded() {
    let (client, mut server) = heads("");
    server.extend(server_text("one"));
    let mut c = Conversation::new(ConversationOptions::default());
    let mut out = c.push(Direction::Client, &client, ChunkMeta::default());
    out.append(c.push(Direction::Server, &server, ChunkMeta::default()));
    out.append(c.gap(Direction::Server, 5));
    out.append(c.push(
        Direction::Server,
        b"plain text, no frames",
        ChunkMeta::default(),
    ));
    out.append(c.end());
    assert_eq!(texts(&out), ["one"]);
    assert_eq!(out.violations, vec![]);
    assert!(out.notices.iter().any(|n| n
        .item
        .message
        .contains("no frame header found in the 21 bytes")));
}

/// A raw DEFLATE stream with context takeover: later messages refer to earlier ones.
fn deflate_messages(texts: &[&str]) -> Vec<Vec<u8>> {
    let mut z = Compress::new(Compression::default(), false);
    texts
        .iter()
        .map(|t| {
            let mut out = Vec::with_capacity(t.len() + 64);
            z.compress_vec(t.as_bytes(), &mut out, FlushCompress::Sync)
                .unwrap();
            out.truncate(out.len() - 4);
            let mut spec = FrameSpec::new(1, out);
            spec.rsv1 = true;
            encode_frame(&spec)
        })
        .collect()
}

#[test]
fn a_message_that_refers_to_history_lost_in_a_gap_is_a_notice_not_a_violation() {
    let agreed = "Sec-WebSocket-Extensions: permessage-deflate\r\n";
    let (client, mut server) = heads(agreed);
    let sentence = "the quick brown fox jumps over the lazy dog, again and again";
    let frames = deflate_messages(&[sentence, "lost", sentence]);
    server.extend(&frames[0]);
    let mut c = Conversation::new(ConversationOptions::default());
    let mut out = c.push(Direction::Client, &client, ChunkMeta::default());
    out.append(c.push(Direction::Server, &server, ChunkMeta::default()));
    out.append(c.gap(Direction::Server, frames[1].len() as u64));
    out.append(c.push(Direction::Server, &frames[2], ChunkMeta::default()));
    out.append(c.end());
    assert_eq!(
        out.violations,
        vec![],
        "missing history is not the sender's fault"
    );
    assert!(out
        .notices
        .iter()
        .any(|n| n.item.id == NoticeId::Gap && n.item.message.contains("could not be inflated")));
    // Without the gap, the same bytes inflate: the notice is the gap's doing.
    let mut whole = server.clone();
    whole.extend(&frames[1]);
    whole.extend(&frames[2]);
    let mut c = Conversation::new(ConversationOptions::default());
    let mut out = c.push(Direction::Client, &client, ChunkMeta::default());
    out.append(c.push(Direction::Server, &whole, ChunkMeta::default()));
    out.append(c.end());
    assert_eq!(texts(&out), [sentence, "lost", sentence]);
}

#[test]
fn a_mid_stream_conversation_starts_at_the_first_confirmed_frame_of_each_side() {
    let key = [9, 8, 7, 6];
    let mut client = encode_frame(&FrameSpec::text("lost beginning").masked(key))[5..].to_vec();
    let client_skip = client.len() as u64;
    client.extend(encode_frame(&FrameSpec::text("hello").masked(key)));
    client.extend(encode_frame(&FrameSpec::text("again").masked(key)));
    let mut server = server_text(&"y".repeat(130))[7..].to_vec();
    let server_skip = server.len() as u64;
    server.extend(server_text("hi"));
    server.extend(server_text("there"));
    let options = ConversationOptions {
        mid_stream: true,
        ..ConversationOptions::default()
    };
    let mut c = Conversation::new(options);
    let mut out = c.push(Direction::Client, &client, ChunkMeta::default());
    out.append(c.push(Direction::Server, &server, ChunkMeta::default()));
    out.append(c.end());
    assert_eq!(texts(&out), ["hello", "again", "hi", "there"]);
    assert_eq!(out.violations, vec![]);
    let first = |d: Direction| {
        out.frames
            .iter()
            .find(|f| f.direction == d)
            .map(|f| f.item.offset)
    };
    assert_eq!(first(Direction::Client), Some(client_skip));
    assert_eq!(first(Direction::Server), Some(server_skip));
    assert!(out.request.is_none() && out.response.is_none());
}

/// Random bytes of a masked frame: what a false resynchronisation would land in.
fn noise(rng: &mut Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.below(256) as u8).collect()
}

fn client_run(client_before: &[u8], missing: u64, client_after: &[u8]) -> ConversationOutput {
    let (_, server) = heads("");
    let mut c = Conversation::new(ConversationOptions::default());
    let mut out = c.push(Direction::Client, client_before, ChunkMeta::default());
    out.append(c.push(Direction::Server, &server, ChunkMeta::default()));
    out.append(c.gap(Direction::Client, missing));
    out.append(c.push(Direction::Client, client_after, ChunkMeta::default()));
    out.append(c.end());
    out
}

/// A gap inside a long frame whose header was read: the next frame starts where that
/// frame ends, whatever its payload looks like (found by a capture of 300 000 random
/// bytes, where a search landed inside the payload and reported 140 violations).
#[test]
fn a_gap_inside_a_frame_of_known_length_resumes_where_the_frame_ends() {
    let mut rng = Rng(0x0bad_cafe);
    for round in 0..20 {
        let (mut client, _) = heads("");
        let key = [rng.below(256) as u8, 7, 9, rng.below(256) as u8];
        let big = encode_frame(&FrameSpec::new(2, noise(&mut rng, 300_000)).masked(key));
        let head_len = client.len();
        client.extend(&big[..80_000]);
        let mut after = big[124_544..].to_vec();
        let ping_at = head_len + big.len();
        after.extend(encode_frame(&FrameSpec::new(9, b"p".to_vec()).masked(key)));
        after.extend(encode_frame(&FrameSpec::text("next").masked(key)));
        let out = client_run(&client, 44_544, &after);
        assert_eq!(out.violations, vec![], "round {round}");
        let frames: Vec<(u64, u8)> = out
            .frames
            .iter()
            .filter(|f| f.direction == Direction::Client)
            .map(|f| (f.item.offset, f.item.opcode))
            .collect();
        assert_eq!(
            frames,
            [(ping_at as u64, 9), (ping_at as u64 + 7, 1)],
            "round {round}"
        );
        assert_eq!(texts(&out), ["next"]);
    }
}

/// A gap inside a fragmented message: its remaining continuations are passed over (a
/// new decoder could not place them), and the next message decodes with no violation.
#[test]
fn the_rest_of_a_cut_fragmented_message_is_passed_over() {
    let key = [1, 2, 3, 4];
    let (mut client, _) = heads("");
    let mut first = FrameSpec::text("part one, ").masked(key);
    first.fin = false;
    let first = encode_frame(&first);
    let mut middle =
        FrameSpec::new(0, b"part two that the capture loses in part".to_vec()).masked(key);
    middle.fin = false;
    let middle = encode_frame(&middle);
    let last = encode_frame(&FrameSpec::new(0, b"the end".to_vec()).masked(key));
    let ping = encode_frame(&FrameSpec::new(9, Vec::new()).masked(key));
    let next = encode_frame(&FrameSpec::text("whole").masked(key));
    client.extend(&first);
    client.extend(&middle[..12]);
    let mut after = middle[20..].to_vec();
    after.extend(&ping);
    after.extend(&last);
    after.extend(&next);
    let out = client_run(&client, 8, &after);
    assert_eq!(
        out.violations,
        vec![],
        "no unexpected-continuation after the gap"
    );
    assert_eq!(texts(&out), ["whole"]);
}
