//! A HAR's WebSocket entries as conversations: the browser's view, messages without
//! frames. The request and response headers, where the HAR has them, are checked as a
//! handshake pair like any other heads.

use super::har::HarConversation;
use super::{CaptureConversation, CaptureOptions};
use crate::conversation::{decode_transcript, ConversationOptions, Sided};
use crate::direction::{ChunkMeta, DirectedChunk, Direction, Transcript};
use crate::message::{FrameIndices, Message, MessageKind};
use crate::payload::Payload;

/// Said on every HAR conversation.
pub(crate) const NO_FRAMES: &str =
    "a har holds messages, not frames: the browser's view of each message, without its frames, masks or compression";

/// Each WebSocket entry of a HAR, in the HAR's order.
pub(crate) fn conversations(
    hars: Vec<HarConversation>,
    options: &CaptureOptions,
) -> Vec<CaptureConversation> {
    hars.into_iter()
        .enumerate()
        .map(|(index, har)| conversation(index, har, options))
        .collect()
}

fn conversation(
    index: usize,
    har: HarConversation,
    options: &CaptureOptions,
) -> CaptureConversation {
    let head = |direction, bytes: &Option<Vec<u8>>| {
        bytes.as_ref().map(|b| DirectedChunk {
            direction,
            bytes: b.clone(),
            meta: ChunkMeta {
                time: har.started,
                packet: None,
            },
        })
    };
    let t = Transcript {
        format: "har".into(),
        client: None,
        server: har.server.clone(),
        chunks: [
            head(Direction::Client, &har.request_head),
            head(Direction::Server, &har.response_head),
        ]
        .into_iter()
        .flatten()
        .collect(),
        notes: Vec::new(),
        gaps: Vec::new(),
    };
    let conversation_options = ConversationOptions {
        max_message_size: options.max_message_size,
        mid_stream: false,
    };
    let mut result = decode_transcript(&t, &conversation_options);
    result.notes.push(NO_FRAMES.to_string());
    if har.request_head.is_none() || har.response_head.is_none() {
        result
            .notes
            .push("the har does not hold both handshake heads: they are not checked".into());
    }
    result.notes.push(format!("url: {}", har.url));
    result.notes.extend(har.notes);
    let mut counts = [0usize; 2];
    for m in har.messages {
        let d = m.direction.index();
        let kind = match m.opcode {
            1 => MessageKind::Text,
            2 => MessageKind::Binary,
            other => {
                result.notes.push(format!(
                    "a {} message at {} with opcode {other} is not a data message: skipped",
                    m.direction, m.time
                ));
                continue;
            }
        };
        if let Some(error) = &m.base64_error {
            result.notes.push(format!(
                "the {} message at {} is not valid base64 ({error}): skipped",
                m.direction, m.time
            ));
            continue;
        }
        let text_end = match kind {
            MessageKind::Text => std::str::from_utf8(&m.data).ok().map(str::len),
            MessageKind::Binary => None,
        };
        let length = m.data.len() as u64;
        result.messages.push(Sided {
            direction: m.direction,
            time: Some(m.time),
            packet: None,
            item: Message {
                index: counts[d],
                kind,
                frames: FrameIndices::default(),
                offset: 0,
                compressed: false,
                wire_length: length,
                data: Payload::new(m.data),
                text_end,
                complete: true,
            },
        });
        counts[d] += 1;
    }
    let times = result.messages.iter().filter_map(|m| m.time);
    let end = times.reduce(f64::max);
    let sent = |d: Direction| {
        result
            .messages
            .iter()
            .filter(|m| m.direction == d)
            .map(|m| m.item.data.len() as u64)
            .sum()
    };
    CaptureConversation {
        index,
        client: None,
        server: har.server,
        start: har.started,
        end: end.or(har.started),
        mid_stream: false,
        gaps: Vec::new(),
        bytes: [sent(Direction::Client), sent(Direction::Server)],
        tls: None,
        result,
    }
}
