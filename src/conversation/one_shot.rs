//! A whole conversation at once, from whatever people have in hand: the text they copy
//! out of Wireshark, tshark or tcpdump (both directions), or one direction's bytes.

use super::builder::Builder;
use super::{CloseSummary, Conversation, ConversationOptions, ConversationOutput, Sided};
use crate::bytes::{parse_bytes, Format, ParseError};
use crate::direction::{ChunkMeta, DirectedChunk, Direction, Endpoint, Transcript};
use crate::frame::Frame;
use crate::handshake::{Check, Handshake};
use crate::message::Message;
use crate::output::{Incomplete, Notice, NoticeId};
use crate::transcript::{parse_transcript, Gap};
use crate::violation::Violation;

/// A whole conversation, decoded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationResult {
    /// What the input was read as: `"tshark follow, raw, 2 directions"`, `"xxd, 1 direction"`.
    pub format: String,
    /// The client's address, when the input names it.
    pub client: Option<Endpoint>,
    /// The server's address, when the input names it.
    pub server: Option<Endpoint>,
    /// The request head, when the client's direction starts with one.
    pub request: Option<Handshake>,
    /// The response head, when the server's direction starts with one.
    pub response: Option<Handshake>,
    /// The response checked against the request (empty unless both are complete).
    pub pair_checks: Vec<Check>,
    /// The agreed Sec-WebSocket-Extensions value.
    pub extensions: Option<String>,
    /// The agreed subprotocol.
    pub protocol: Option<String>,
    /// Every frame of both directions, in timeline order.
    pub frames: Vec<Sided<Frame>>,
    /// Every message of both directions.
    pub messages: Vec<Sided<Message>>,
    /// Every rule broken, in either direction.
    pub violations: Vec<Sided<Violation>>,
    /// Informational notes, every assumption made among them.
    pub notices: Vec<Sided<Notice>>,
    /// The truncated tail of each direction that has one.
    pub incomplete: Vec<Sided<Incomplete>>,
    /// How the conversation closed.
    pub close: CloseSummary,
    /// What reading the input skipped or assumed, for people (`"link layer: ethernet"`).
    pub notes: Vec<String>,
    /// Each direction's bytes (client, server), from its first byte to its first gap:
    /// the bytes the offsets of its frames, messages and violations count in (nothing
    /// after a gap is decoded), for a hex view of a selected frame.
    pub streams: [Vec<u8>; 2],
}

/// Decodes a transcript of both directions.
///
/// ```
/// use wsinspect::{decode_transcript, ChunkMeta, ConversationOptions, DirectedChunk, Direction, Transcript};
/// let chunk = |direction, bytes: &[u8]| DirectedChunk { direction, bytes: bytes.to_vec(), meta: ChunkMeta::default() };
/// let t = Transcript {
///     format: "example".into(),
///     chunks: vec![
///         chunk(Direction::Client, &[0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6b]),
///         chunk(Direction::Server, &[0x81, 0x02, 0x68, 0x69]),
///     ],
///     ..Default::default()
/// };
/// let r = decode_transcript(&t, &ConversationOptions::default());
/// assert_eq!(r.messages.len(), 2);
/// assert!(r.violations.is_empty());
/// ```
pub fn decode_transcript(t: &Transcript, options: &ConversationOptions) -> ConversationResult {
    let chunks: Vec<&DirectedChunk> = t.chunks.iter().collect();
    let (mut client, mut server) = (t.client.clone(), t.server.clone());
    // A mid-stream conversation's caller named the client by its masks already (its
    // first bytes may be the middle of a frame, which says nothing).
    let extra: Vec<String> = if options.mid_stream {
        Vec::new()
    } else {
        swap_by_mask(&chunks).into_iter().collect()
    };
    let swapped = !extra.is_empty();
    if swapped {
        std::mem::swap(&mut client, &mut server);
    }
    let direction_of = |d: Direction| if swapped { d.other() } else { d };
    let mut builder = Builder::new(options.clone());
    let gaps: Vec<Gap> = t
        .gaps
        .iter()
        .map(|g| Gap {
            direction: direction_of(g.direction),
            ..g.clone()
        })
        .collect();
    let chunks = t
        .chunks
        .iter()
        .map(|c| (direction_of(c.direction), c.bytes.as_slice(), c.meta));
    builder.feed(chunks, &gaps);
    let mut result = builder.finish(t.format.clone());
    result.notes = t.notes.clone();
    result.client = client;
    result.server = server;
    for message in extra {
        result.notices.insert(
            0,
            Sided {
                direction: Direction::Client,
                time: None,
                packet: None,
                item: Notice {
                    id: NoticeId::RolesFromMask,
                    offset: 0,
                    message,
                },
            },
        );
    }
    result
}

/// Decodes text: a form that holds both directions (see [`parse_transcript`]), or
/// anything [`parse_bytes`] reads, taken as one direction.
///
/// ```
/// use wsinspect::{decode_conversation_text, ConversationOptions, Direction};
/// let r = decode_conversation_text("81 05 48 65 6c 6c 6f", &ConversationOptions::default()).unwrap();
/// assert_eq!(r.format, "spaced hex, 1 direction");
/// assert_eq!(r.frames[0].direction, Direction::Server);
/// ```
pub fn decode_conversation_text(
    text: &str,
    options: &ConversationOptions,
) -> Result<ConversationResult, ParseError> {
    if let Some(t) = parse_transcript(text)? {
        return Ok(decode_transcript(&t, options));
    }
    let parsed = parse_bytes(text, Format::Auto)?;
    Ok(decode_one_direction(
        &parsed.bytes,
        format!("{}, 1 direction", parsed.detail),
        options,
    ))
}

/// Decodes bytes: a text form of both directions when the bytes are one (a dropped
/// file of Follow TCP Stream output), otherwise one direction's bytes as they are.
pub fn decode_conversation(bytes: &[u8], options: &ConversationOptions) -> ConversationResult {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(Some(t)) = parse_transcript(text) {
            return decode_transcript(&t, options);
        }
    }
    decode_one_direction(bytes, "bytes, 1 direction".into(), options)
}

/// One direction's bytes: who sent them is told by the head they start with, or else
/// by the first frame's mask bit.
pub(crate) fn decode_one_direction(
    bytes: &[u8],
    format: String,
    options: &ConversationOptions,
) -> ConversationResult {
    let direction = stream_direction(bytes);
    let t = Transcript {
        format,
        chunks: vec![DirectedChunk {
            direction,
            bytes: bytes.to_vec(),
            meta: ChunkMeta::default(),
        }],
        ..Transcript::default()
    };
    decode_transcript(&t, options)
}

fn stream_direction(bytes: &[u8]) -> Direction {
    if bytes.starts_with(b"HTTP/") {
        Direction::Server
    } else if bytes.starts_with(b"GET ")
        || bytes.starts_with(b"<policy-file-request/>")
        || bytes.get(1).is_some_and(|b| b & 0x80 != 0)
    {
        Direction::Client
    } else {
        Direction::Server
    }
}

/// Without a head in either direction, the side that masks is the client (RFC 6455
/// §5.1: "a client MUST mask all frames that it sends to the server"): a notice when the
/// input named them the other way round.
fn swap_by_mask(chunks: &[&DirectedChunk]) -> Option<String> {
    let first = |d: Direction| -> Vec<u8> {
        let mut bytes = Vec::new();
        for c in chunks.iter().filter(|c| c.direction == d) {
            bytes.extend(c.bytes.iter().take(8 - bytes.len().min(8)));
            if bytes.len() >= 8 {
                break;
            }
        }
        bytes
    };
    let (client, server) = (first(Direction::Client), first(Direction::Server));
    let heads = client.starts_with(b"GET ") || server.starts_with(b"HTTP/");
    let masked = |b: &[u8]| b.get(1).map(|x| x & 0x80 != 0);
    let hixie = |b: &[u8]| matches!(b.first(), Some(0x00 | 0xFF));
    if heads || hixie(&client) || hixie(&server) {
        return None;
    }
    match (masked(&client), masked(&server)) {
        (Some(false), Some(true)) | (Some(false), None) | (None, Some(true)) => Some(
            "no handshake: the side that masks its frames is taken as the client, so the input's two sides are swapped".into(),
        ),
        _ => None,
    }
}

/// Everything the conversation produced, on one timeline.
pub(super) fn finish(
    format: String,
    c: Conversation,
    out: ConversationOutput,
) -> ConversationResult {
    let mut r = ConversationResult {
        format,
        client: None,
        server: None,
        request: out.request,
        response: out.response,
        pair_checks: out.pair_checks,
        extensions: c.extensions().map(str::to_owned),
        protocol: c.protocol().map(str::to_owned),
        frames: out.frames,
        messages: out.messages,
        violations: out.violations,
        notices: out.notices,
        incomplete: out.incomplete,
        close: CloseSummary::default(),
        notes: Vec::new(),
        streams: [Vec::new(), Vec::new()],
    };
    timeline(&mut r.frames);
    timeline(&mut r.messages);
    timeline(&mut r.violations);
    timeline(&mut r.notices);
    r.close = CloseSummary::of(&r.frames);
    r
}

/// Orders by the packet (or time) of each item's first byte when every item has one;
/// otherwise keeps the order the input gave. Each direction keeps its own order (stream
/// order): the two directions are merged, never reordered within themselves, so
/// segments a capture holds out of order cannot list a later frame first.
fn timeline<T>(items: &mut Vec<Sided<T>>) {
    /// The place of an item on the timeline, from its packet and time.
    type Place = fn(&Option<u64>, &Option<f64>) -> f64;
    let key: Option<Place> = if items.iter().all(|s| s.packet.is_some()) {
        Some(|packet, _| packet.unwrap_or_default() as f64)
    } else if items.iter().all(|s| s.time.is_some()) {
        Some(|_, time| time.unwrap_or_default())
    } else {
        None
    };
    let Some(key) = key else {
        return;
    };
    let (mut client, mut server): (Vec<_>, Vec<_>) = std::mem::take(items)
        .into_iter()
        .enumerate()
        .partition(|(_, s)| s.direction == Direction::Client);
    client.reverse();
    server.reverse();
    while let (Some(c), Some(s)) = (client.last(), server.last()) {
        let (kc, ks) = (key(&c.1.packet, &c.1.time), key(&s.1.packet, &s.1.time));
        let take_client = kc < ks || (kc == ks && c.0 < s.0);
        let next = if take_client {
            client.pop()
        } else {
            server.pop()
        };
        items.extend(next.map(|(_, item)| item));
    }
    items.extend(client.into_iter().rev().map(|(_, item)| item));
    items.extend(server.into_iter().rev().map(|(_, item)| item));
}
