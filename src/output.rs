//! What decoding produces (frames, messages, violations, the incomplete tail, notices)
//! and the options it takes.

use std::fmt;
use std::sync::Arc;

use crate::frame::Frame;
use crate::message::Message;
use crate::violation::{Violation, ViolationId};

/// Who sent the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Role {
    /// Frames sent by a client: they must be masked.
    Client,
    /// Frames sent by a server: they must not be masked.
    Server,
    /// Decided by the first frame's mask bit.
    #[default]
    Auto,
}

impl Role {
    /// "client", "server" or "auto".
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
            Role::Auto => "auto",
        }
    }

    /// The role as a result names it: "client", "server", or "unknown" while it is still
    /// undecided (no frame seen).
    pub fn result_name(self) -> &'static str {
        match self {
            Role::Auto => "unknown",
            decided => decided.as_str(),
        }
    }

    /// The role named "client", "server" or "auto".
    pub fn from_name(name: &str) -> Option<Role> {
        [Role::Client, Role::Server, Role::Auto]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

/// Which framing the bytes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// RFC 6455 frames.
    Rfc6455,
    /// hixie-75/76 frames (`0x00 ... 0xFF`, `0xFF 0x00`, length-prefixed).
    Hixie76,
    /// hixie when the stream starts with 0x00 or 0xFF 0x00, RFC 6455 otherwise.
    #[default]
    Auto,
}

impl Protocol {
    /// "rfc6455", "hixie-76" or "auto".
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Rfc6455 => "rfc6455",
            Protocol::Hixie76 => "hixie-76",
            Protocol::Auto => "auto",
        }
    }

    /// The protocol as a result names it: "rfc6455", "hixie-76", or "unknown" while it is
    /// still undecided (no byte seen).
    pub fn result_name(self) -> &'static str {
        match self {
            Protocol::Auto => "unknown",
            decided => decided.as_str(),
        }
    }

    /// The protocol named "rfc6455", "hixie-76" or "auto".
    pub fn from_name(name: &str) -> Option<Protocol> {
        [Protocol::Rfc6455, Protocol::Hixie76, Protocol::Auto]
            .into_iter()
            .find(|p| p.as_str() == name)
    }
}

/// How to decode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Who sent the bytes.
    pub role: Role,
    /// Which framing.
    pub protocol: Protocol,
    /// The negotiated Sec-WebSocket-Extensions (response) value.
    pub extensions: Option<String>,
    /// Messages over this many bytes (inflated) are a `message-too-big` violation and
    /// their data is cut at the limit. `None`: no limit.
    pub max_message_size: Option<u64>,
    /// Whether permessage-deflate was agreed is not known (no handshake response was
    /// seen): when `extensions` does not name it, take it as agreed, with its default
    /// parameters, from the first data frame that sets RSV1, and say so in a notice.
    pub assume_deflate: bool,
}

/// The truncated frame at the end of the stream (not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    /// Stream offset of the truncated frame's first byte.
    pub offset: u64,
    /// The index the frame would have had, once its header was complete.
    pub frame: Option<usize>,
    /// Bytes of the frame present.
    pub have: u64,
    /// Bytes still needed, when known.
    pub needed: Option<u64>,
    /// Bytes still needed at least.
    pub min_needed: u64,
    /// The truncated frame as far as it came, once its header is complete: every
    /// header field read, and the payload bytes present (unmasked), so `length` counts
    /// the bytes present while `payload_len` is the declared length.
    pub partial: Option<Frame>,
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        match self.needed {
            Some(n) => write!(
                f,
                "incomplete frame at byte {}: {n} more byte{} needed",
                self.offset,
                plural(n)
            ),
            None => write!(
                f,
                "incomplete frame at byte {}: at least {} more byte{} needed",
                self.offset,
                self.min_needed,
                plural(self.min_needed)
            ),
        }
    }
}

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeId {
    /// The stream starts with a Flash socket policy request.
    FlashPolicyRequest,
    /// The protocol was detected (protocol auto).
    ProtocolDetected,
    /// The role was detected from the first frame's mask bit (role auto).
    RoleDetected,
    /// A negotiated extension this decoder does not know: its RSV bits are not checked.
    UnknownExtension,
    /// The stream ended inside a fragmented message.
    MessageLeftOpen,
    /// permessage-deflate was taken as agreed from RSV1 (no handshake response seen).
    CompressionAssumed,
    /// A conversation without an opening handshake, or with only one of its heads.
    HandshakeMissing,
    /// The roles were taken from the mask bits (no handshake said who is the client).
    RolesFromMask,
    /// The server did not switch protocols: what follows the heads is not WebSocket.
    NotWebSocket,
    /// A head could not be read: what follows it is not decoded.
    HeadUnreadable,
    /// A Flash socket policy answer (`<cross-domain-policy>` and a NUL).
    FlashPolicyAnswer,
    /// A direction's head has not ended, or its frames wait for a head that never came.
    HeadIncomplete,
    /// Bytes of a direction are missing from the input (segments lost by the capture):
    /// nothing is glued across the hole.
    Gap,
}

impl NoticeId {
    /// "flash-policy-request", "protocol-detected", "role-detected", "unknown-extension",
    /// "message-left-open", "compression-assumed", "handshake-missing", "roles-from-mask",
    /// "not-websocket", "head-unreadable", "flash-policy-answer", "head-incomplete", "gap".
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeId::FlashPolicyRequest => "flash-policy-request",
            NoticeId::ProtocolDetected => "protocol-detected",
            NoticeId::RoleDetected => "role-detected",
            NoticeId::UnknownExtension => "unknown-extension",
            NoticeId::MessageLeftOpen => "message-left-open",
            NoticeId::CompressionAssumed => "compression-assumed",
            NoticeId::HandshakeMissing => "handshake-missing",
            NoticeId::RolesFromMask => "roles-from-mask",
            NoticeId::NotWebSocket => "not-websocket",
            NoticeId::HeadUnreadable => "head-unreadable",
            NoticeId::FlashPolicyAnswer => "flash-policy-answer",
            NoticeId::HeadIncomplete => "head-incomplete",
            NoticeId::Gap => "gap",
        }
    }
}

/// Something worth knowing that breaks no rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What kind of notice.
    pub id: NoticeId,
    /// Stream offset it concerns.
    pub offset: u64,
    /// Lowercase description.
    pub message: String,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

/// What a push (or `end`, or a one-shot decode) produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodeOutput {
    /// Frames completed.
    pub frames: Vec<Frame>,
    /// Messages completed (or, at the end, left open).
    pub messages: Vec<Message>,
    /// Rules broken.
    pub violations: Vec<Violation>,
    /// The truncated tail, reported by `end`.
    pub incomplete: Option<Incomplete>,
    /// Informational notes.
    pub notices: Vec<Notice>,
    /// The role in force after this call (`Auto` until the first frame decides it).
    pub role: Role,
    /// The protocol in force after this call (`Auto` until the first byte decides it).
    pub protocol: Protocol,
}

impl DecodeOutput {
    /// Makes every offset count `by` bytes later: for a stream decoded from a point
    /// after the start of its direction (after a handshake head, say).
    pub fn shift(&mut self, by: u64) {
        if by == 0 {
            return;
        }
        for f in &mut self.frames {
            f.shift(by);
        }
        self.messages.iter_mut().for_each(|m| m.offset += by);
        self.violations.iter_mut().for_each(|v| v.offset += by);
        self.notices.iter_mut().for_each(|n| n.offset += by);
        if let Some(i) = &mut self.incomplete {
            i.offset += by;
            if let Some(f) = &mut i.partial {
                f.shift(by);
            }
        }
    }

    #[cfg(feature = "conversation")]
    /// Numbers frames and messages `frames` and `messages` later: for a stream decoded
    /// on by a second decoder (after a gap), whose numbering continues the first's.
    pub(crate) fn renumber(&mut self, frames: usize, messages: usize) {
        self.frames.iter_mut().for_each(|f| f.index += frames);
        for m in &mut self.messages {
            m.index += messages;
            m.frames.offset_by(frames);
        }
        for v in &mut self.violations {
            v.frame = v.frame.map(|i| i + frames);
        }
        if let Some(i) = &mut self.incomplete {
            i.frame = i.frame.map(|f| f + frames);
            if let Some(f) = &mut i.partial {
                f.index += frames;
            }
        }
    }

    /// Empties every list, keeping their room.
    pub fn clear(&mut self) {
        self.frames.clear();
        self.messages.clear();
        self.violations.clear();
        self.notices.clear();
        self.incomplete = None;
    }

    /// Gives every payload that is a range of the push in progress its buffer.
    pub(crate) fn seal(&mut self, arena: &Arc<Vec<u8>>) {
        self.frames.iter_mut().for_each(|f| f.payload.seal(arena));
        self.messages.iter_mut().for_each(|m| m.data.seal(arena));
        if let Some(partial) = self.incomplete.as_mut().and_then(|i| i.partial.as_mut()) {
            partial.payload.seal(arena);
        }
    }

    /// Appends a later output to this one (as if both had come from one call).
    pub fn append(&mut self, later: DecodeOutput) {
        self.frames.extend(later.frames);
        self.messages.extend(later.messages);
        self.violations.extend(later.violations);
        self.notices.extend(later.notices);
        if later.incomplete.is_some() {
            self.incomplete = later.incomplete;
        }
        self.role = later.role;
        self.protocol = later.protocol;
    }
}

/// Where the decoded pieces go; shared with the hixie framing.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub out: DecodeOutput,
    pub next_frame: usize,
    pub next_message: usize,
}

impl Sink {
    pub fn violation(
        &mut self,
        id: ViolationId,
        (offset, length): (u64, u64),
        frame: Option<usize>,
        message: String,
    ) {
        self.out
            .violations
            .push(Violation::new(id, offset, length, frame, message));
    }

    pub fn notice(&mut self, id: NoticeId, offset: u64, message: String) {
        self.out.notices.push(Notice {
            id,
            offset,
            message,
        });
    }
}
