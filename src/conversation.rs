//! A whole conversation: both directions of one connection, each opening with its
//! handshake head, decoded with what the heads agreed, on one timeline.
//!
//! Sans-I/O like the [`Decoder`](crate::Decoder): push each direction's bytes as they
//! come (with a time and packet number when the input has them) and take what each push
//! completed. Any split of the bytes, and any interleaving of the two directions that
//! keeps each direction's order, gives the same frames, messages and violations: a
//! direction's frames wait until both heads are known, so they are never decoded with
//! the wrong extensions and then "fixed".

mod builder;
mod close;
mod negotiate;
mod one_shot;
pub(crate) mod resync;
mod side;

pub(crate) use builder::Builder;
pub use close::LateFrame;
pub use close::{CloseEvent, CloseSummary};
pub(crate) use one_shot::decode_one_direction;
pub use one_shot::{
    decode_conversation, decode_conversation_text, decode_transcript, ConversationResult,
};

use crate::direction::{ChunkMeta, Direction};
use crate::frame::Frame;
use crate::handshake::{check_pair, Check, Handshake};
use crate::message::Message;
use crate::output::{DecodeOutput, Incomplete, Notice, NoticeId};
use crate::violation::Violation;
use negotiate::plan;
use side::{HeadStatus, Side};

/// How to decode a conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationOptions {
    /// Messages over this many bytes (inflated), in either direction, are a
    /// `message-too-big` violation. `None`: no limit.
    pub max_message_size: Option<u64>,
    /// Both directions start in the middle of the connection (a capture that began after
    /// it opened): no heads are looked for, and each direction's first frame is found as
    /// after a gap, by a frame header the next frame confirms. The caller names the
    /// client (the side that masks).
    pub mid_stream: bool,
}

/// Something one side sent, with when and in which packet its first byte came.
#[derive(Debug, Clone, PartialEq)]
pub struct Sided<T> {
    /// Who sent it.
    pub direction: Direction,
    /// The capture time of the chunk that carried its first byte, when known.
    pub time: Option<f64>,
    /// The packet that carried its first byte, when known.
    pub packet: Option<u64>,
    /// The frame, message, violation or notice; its offsets count from the first byte
    /// of its direction, head included.
    pub item: T,
}

impl<T> Sided<T> {
    fn new(direction: Direction, meta: ChunkMeta, item: T) -> Sided<T> {
        Sided {
            direction,
            time: meta.time,
            packet: meta.packet,
            item,
        }
    }
}

/// What a push (or `end`) completed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationOutput {
    /// The request head, in the push that completed it.
    pub request: Option<Handshake>,
    /// The response head, in the push that completed it.
    pub response: Option<Handshake>,
    /// The response checked against the request, once both heads are known.
    pub pair_checks: Vec<Check>,
    /// Frames completed.
    pub frames: Vec<Sided<Frame>>,
    /// Messages completed (or, at the end, left open).
    pub messages: Vec<Sided<Message>>,
    /// Rules broken.
    pub violations: Vec<Sided<Violation>>,
    /// Informational notes, the assumptions made among them.
    pub notices: Vec<Sided<Notice>>,
    /// The truncated tail of each direction, reported by `end`.
    pub incomplete: Vec<Sided<Incomplete>>,
}

impl ConversationOutput {
    /// Appends a later output to this one.
    pub fn append(&mut self, later: ConversationOutput) {
        if later.request.is_some() {
            self.request = later.request;
        }
        if later.response.is_some() {
            self.response = later.response;
        }
        self.pair_checks.extend(later.pair_checks);
        self.frames.extend(later.frames);
        self.messages.extend(later.messages);
        self.violations.extend(later.violations);
        self.notices.extend(later.notices);
        self.incomplete.extend(later.incomplete);
    }
}

/// The Sans-I/O conversation decoder.
///
/// ```
/// use wsinspect::{Conversation, ConversationOptions, ChunkMeta, Direction};
/// let mut c = Conversation::new(ConversationOptions::default());
/// let request = b"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
/// let response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
/// let mut client = request.to_vec();
/// client.extend([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
/// // The client's frame waits for the response: it decides the extensions.
/// let first = c.push(Direction::Client, &client, ChunkMeta::default());
/// assert!(first.frames.is_empty() && first.request.is_some());
/// let second = c.push(Direction::Server, response, ChunkMeta { time: Some(1.5), packet: Some(4) });
/// assert!(second.pair_checks.iter().all(|check| check.passed));
/// assert_eq!(second.messages[0].item.text(), Some("Hello"));
/// assert_eq!(second.frames[0].item.offset, request.len() as u64);
/// assert!(c.end().violations.is_empty());
/// ```
pub struct Conversation {
    options: ConversationOptions,
    sides: [Side; 2],
    /// Set once both heads are known (or the input ended).
    planned: bool,
    extensions: Option<String>,
    protocol: Option<String>,
    close: CloseSummary,
    /// The latest data frames before any Close (see [`CloseSummary`]).
    recent: std::collections::VecDeque<Sided<close::LateFrame>>,
    ended: bool,
}

impl std::fmt::Debug for Conversation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversation")
            .field("planned", &self.planned)
            .field("extensions", &self.extensions)
            .finish_non_exhaustive()
    }
}

impl Conversation {
    /// A conversation with nothing received yet.
    pub fn new(options: ConversationOptions) -> Conversation {
        Conversation {
            sides: Direction::BOTH.map(|d| {
                let mut side = Side::new(d);
                side.resync_at_start = options.mid_stream;
                side
            }),
            options,
            planned: false,
            extensions: None,
            protocol: None,
            close: CloseSummary::default(),
            recent: std::collections::VecDeque::new(),
            ended: false,
        }
    }

    /// The agreed Sec-WebSocket-Extensions value, once the response has been read.
    pub fn extensions(&self) -> Option<&str> {
        self.extensions.as_deref()
    }

    /// The agreed subprotocol, once the response has been read.
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// Who closed first, how the other side answered, and what came after (data of
    /// the other direction pushed ahead of the first Close is found among its latest
    /// 64 data frames; [`ConversationResult`] has the exact summary of a whole input).
    pub fn close(&self) -> &CloseSummary {
        &self.close
    }

    /// Takes the next chunk one side sent. After `end`, a push does nothing.
    pub fn push(
        &mut self,
        direction: Direction,
        chunk: &[u8],
        meta: ChunkMeta,
    ) -> ConversationOutput {
        let mut out = ConversationOutput::default();
        self.push_into(direction, chunk, meta, &mut out);
        out
    }

    /// [`Conversation::push`], adding what the chunk completed to `out` (a reader that
    /// keeps one output for the whole conversation appends to it without a copy).
    pub fn push_into(
        &mut self,
        direction: Direction,
        chunk: &[u8],
        meta: ChunkMeta,
        out: &mut ConversationOutput,
    ) {
        if self.ended {
            return;
        }
        let side = &mut self.sides[direction.index()];
        let known = matches!(side.head, HeadStatus::Unknown);
        let decoded = side.push(chunk, meta);
        if known && !matches!(side.head, HeadStatus::Unknown) {
            self.head_resolved(direction, out);
        }
        if let Some(decoded) = decoded {
            self.emit(direction, decoded, out);
        }
        self.try_plan(out);
    }

    /// Says that `missing` bytes of a direction never came (segments a capture lost):
    /// what that direction decoded ends at the hole, as a stream ends, and nothing is
    /// glued across it (a notice says where).
    pub fn gap(&mut self, direction: Direction, missing: u64) -> ConversationOutput {
        let mut out = ConversationOutput::default();
        if self.ended {
            return out;
        }
        let side = &mut self.sides[direction.index()];
        let known = matches!(side.head, HeadStatus::Unknown);
        let decoded = side.gap(missing);
        if known && !matches!(side.head, HeadStatus::Unknown) {
            self.head_resolved(direction, &mut out);
        } else {
            let notices: Vec<Notice> = self.sides[direction.index()].notices.drain(..).collect();
            for n in notices {
                self.notice(direction, n, &mut out);
            }
        }
        if let Some(decoded) = decoded {
            self.emit(direction, decoded, &mut out);
        }
        self.try_plan(&mut out);
        out
    }

    /// Ends both directions: unfinished heads, truncated tails, messages left open.
    pub fn end(&mut self) -> ConversationOutput {
        let mut out = ConversationOutput::default();
        if self.ended {
            return out;
        }
        self.ended = true;
        for d in Direction::BOTH {
            let side = &mut self.sides[d.index()];
            let known = matches!(side.head, HeadStatus::Unknown);
            side.finish_head();
            if known {
                self.head_resolved(d, &mut out);
            }
        }
        self.try_plan(&mut out);
        for d in Direction::BOTH {
            if let Some(decoded) = self.sides[d.index()].end() {
                self.emit(d, decoded, &mut out);
            }
            if let Some((from, length @ 1..)) = self.sides[d.index()].not_decoded {
                let n = Notice {
                    id: NoticeId::NotWebSocket,
                    offset: from,
                    message: format!("{length} bytes after the {d}'s head are not decoded"),
                };
                self.notice(d, n, &mut out);
            }
        }
        out
    }

    /// A direction's head became known: hand it out, and say what cannot be decoded.
    fn head_resolved(&mut self, d: Direction, out: &mut ConversationOutput) {
        let side = &mut self.sides[d.index()];
        let notices: Vec<Notice> = side.notices.drain(..).collect();
        for n in notices {
            self.notice(d, n, out);
        }
        let side = &self.sides[d.index()];
        let (head, broken) = match &side.head {
            HeadStatus::Parsed(h) => (h.clone(), false),
            HeadStatus::Broken(h) => (h.clone(), true),
            _ => return,
        };
        if broken {
            let why = match (&head.error, &head.incomplete) {
                (Some(e), _) => format!("the {} head cannot be read ({e})", head.kind.as_str()),
                (None, Some(_)) => format!("the {} head never ended", head.kind.as_str()),
                _ => format!("the {} head is unusable", head.kind.as_str()),
            };
            let n = Notice {
                id: if head.error.is_some() {
                    NoticeId::HeadUnreadable
                } else {
                    NoticeId::HeadIncomplete
                },
                offset: head.start_line_offset,
                message: format!("{why}: nothing after it in this direction is decoded"),
            };
            self.notice(d, n, out);
        }
        match d {
            Direction::Client => out.request = Some(head),
            Direction::Server => out.response = Some(head),
        }
    }

    fn head_of(&self, d: Direction) -> Option<&Handshake> {
        match &self.sides[d.index()].head {
            HeadStatus::Parsed(h) => Some(h),
            _ => None,
        }
    }

    /// Once both heads are known (or the input ended), starts decoding both directions.
    fn try_plan(&mut self, out: &mut ConversationOutput) {
        if self.planned
            || self
                .sides
                .iter()
                .any(|s| matches!(s.head, HeadStatus::Unknown))
        {
            return;
        }
        self.planned = true;
        let request = self.head_of(Direction::Client);
        let response = self.head_of(Direction::Server);
        if let (Some(req), Some(resp)) = (request, response) {
            out.pair_checks.extend(check_pair(req, resp));
        }
        let plan = plan(request, response, self.options.max_message_size);
        self.extensions = plan.extensions.clone();
        self.protocol = plan.protocol.clone();
        for (d, id, offset, message) in plan.notices {
            self.notice(
                d,
                Notice {
                    id,
                    offset,
                    message,
                },
                out,
            );
        }
        for d in Direction::BOTH {
            let mut notices = Vec::new();
            let options = plan.options[d.index()].clone();
            let decoded = self.sides[d.index()].start(options, &mut notices);
            for n in notices {
                self.notice(d, n, out);
            }
            if let Some(decoded) = decoded {
                self.emit(d, decoded, out);
            }
        }
    }

    fn notice(&self, d: Direction, n: Notice, out: &mut ConversationOutput) {
        let meta = self.sides[d.index()].meta_at(n.offset);
        out.notices.push(Sided::new(d, meta, n));
    }

    /// Stamps a direction's decoded output with its direction, time and packet.
    fn emit(&mut self, d: Direction, decoded: DecodeOutput, out: &mut ConversationOutput) {
        let side = &self.sides[d.index()];
        for f in decoded.frames {
            let sided = Sided::new(d, side.meta_at(f.offset), f);
            self.close.observe(&sided, &mut self.recent);
            out.frames.push(sided);
        }
        for m in decoded.messages {
            out.messages.push(Sided::new(d, side.meta_at(m.offset), m));
        }
        for v in decoded.violations {
            out.violations
                .push(Sided::new(d, side.meta_at(v.offset), v));
        }
        for n in decoded.notices {
            out.notices.push(Sided::new(d, side.meta_at(n.offset), n));
        }
        if let Some(i) = decoded.incomplete {
            out.incomplete
                .push(Sided::new(d, side.meta_at(i.offset), i));
        }
    }
}
