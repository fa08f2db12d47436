//! The Sans-I/O stream decoder: push any chunk, get the frames, messages and violations
//! it completed, with offsets absolute in the stream.

use std::fmt;

use crate::coding::{close_code_name, close_code_valid_on_wire, OpCode};
use crate::extensions::{negotiated_permessage_deflate, ExtensionError, PerMessageDeflateParams};
use crate::frame::{header_length, Field, Frame, FrameKind, Header, MAX_HEADER};
use crate::hixie_frames::HixieDecoder;
use crate::inflate::{InflateError, Inflater};
use crate::mask::unmask;
use crate::utf8::Utf8Validator;
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
}

/// A message's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// UTF-8 text.
    Text,
    /// Binary data.
    Binary,
}

impl MessageKind {
    /// "text" or "binary".
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Binary => "binary",
        }
    }
}

/// A message: its frames reassembled (and inflated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// 0-based index in the stream.
    pub index: usize,
    /// Text or binary.
    pub kind: MessageKind,
    /// Indices of its frames.
    pub frames: Vec<usize>,
    /// Stream offset of its first frame.
    pub offset: u64,
    /// Compressed with permessage-deflate (RSV1 on its first frame).
    pub compressed: bool,
    /// Sum of its frames' payload lengths on the wire.
    pub wire_length: u64,
    /// The payload, reassembled and inflated (cut at the maximum message size).
    pub data: Vec<u8>,
    /// Text messages whose data is valid UTF-8 (of an unfinished message: its valid
    /// beginning); `None` for binary messages and invalid text.
    pub text: Option<String>,
    /// False when the message never got its final frame (the stream ended, or another
    /// message began: see `expected-continuation`).
    pub complete: bool,
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
}

impl NoticeId {
    /// "flash-policy-request", "protocol-detected", "role-detected", "unknown-extension",
    /// "message-left-open".
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeId::FlashPolicyRequest => "flash-policy-request",
            NoticeId::ProtocolDetected => "protocol-detected",
            NoticeId::RoleDetected => "role-detected",
            NoticeId::UnknownExtension => "unknown-extension",
            NoticeId::MessageLeftOpen => "message-left-open",
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

/// The Flash socket policy request: `<policy-file-request/>` and a NUL.
pub const FLASH_POLICY_REQUEST: &[u8] = b"<policy-file-request/>\0";

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
        offset: u64,
        frame: Option<usize>,
        message: String,
    ) {
        self.out
            .violations
            .push(Violation::new(id, offset, frame, message));
    }

    pub fn notice(&mut self, id: NoticeId, offset: u64, message: String) {
        self.out.notices.push(Notice {
            id,
            offset,
            message,
        });
    }
}

enum Stage {
    /// Matching the Flash policy request; the count of bytes matched so far.
    Preamble(usize),
    /// Protocol auto: waiting for the first byte (true: a 0xFF is held).
    Detect(bool),
    Rfc6455,
    Hixie,
}

enum RfcState {
    Header {
        start: u64,
        buf: [u8; MAX_HEADER],
        have: usize,
    },
    Payload {
        frame: PendingFrame,
        remaining: u64,
    },
}

impl RfcState {
    fn header(start: u64) -> Self {
        RfcState::Header {
            start,
            buf: [0; MAX_HEADER],
            have: 0,
        }
    }
}

/// A frame whose header is complete and whose payload is arriving.
struct PendingFrame {
    header: Header,
    index: usize,
    start: u64,
    payload: Vec<u8>,
    /// The frame carries a fragment of the open message.
    in_message: bool,
}

struct OpenMessage {
    index: usize,
    kind: MessageKind,
    frames: Vec<usize>,
    offset: u64,
    compressed: bool,
    wire_length: u64,
    data: Vec<u8>,
    utf8: Utf8Validator,
    utf8_failed: bool,
    inflate_failed: bool,
    too_big: bool,
}

/// The Sans-I/O decoder.
///
/// ```
/// use wsinspect::{Decoder, DecodeOptions, Role};
/// let mut d = Decoder::new(DecodeOptions { role: Role::Server, ..Default::default() }).unwrap();
/// let first = d.push(&[0x81, 0x05, 0x48, 0x65]);
/// assert!(first.frames.is_empty());
/// let second = d.push(&[0x6c, 0x6c, 0x6f]);
/// assert_eq!(second.messages[0].text.as_deref(), Some("Hello"));
/// assert_eq!(second.frames[0].payload_offset, 2);
/// assert!(d.end().incomplete.is_none());
/// ```
pub struct Decoder {
    role: Role,
    protocol: Protocol,
    max_message_size: Option<u64>,
    pmd: Option<PerMessageDeflateParams>,
    unknown_extensions: bool,
    /// Stream offset of the next byte the current stage receives.
    pos: u64,
    stage: Stage,
    rfc: RfcState,
    hixie: HixieDecoder,
    message: Option<OpenMessage>,
    /// Index of the close frame, once one is complete.
    close_seen: Option<usize>,
    inflater: Option<Inflater>,
    sink: Sink,
    ended: bool,
}

impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("role", &self.role)
            .field("protocol", &self.protocol)
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl Decoder {
    /// A decoder for one direction of one connection. Fails only on a bad `extensions`
    /// value.
    pub fn new(options: DecodeOptions) -> Result<Decoder, ExtensionError> {
        let mut sink = Sink::default();
        let mut pmd = None;
        let mut unknown_extensions = false;
        if let Some(value) = options
            .extensions
            .as_deref()
            .filter(|v| !v.trim().is_empty())
        {
            let (found, others) = negotiated_permessage_deflate(value)?;
            pmd = found;
            for ext in others {
                unknown_extensions = true;
                sink.notice(
                    NoticeId::UnknownExtension,
                    0,
                    format!(
                        "extension {} is not understood: its payloads are shown as sent and rsv bits are not checked",
                        ext.name
                    ),
                );
            }
        }
        Ok(Decoder {
            role: options.role,
            protocol: options.protocol,
            max_message_size: options.max_message_size,
            pmd,
            unknown_extensions,
            pos: 0,
            stage: Stage::Preamble(0),
            rfc: RfcState::header(0),
            hixie: HixieDecoder::new(0),
            message: None,
            close_seen: None,
            inflater: None,
            sink,
            ended: false,
        })
    }

    /// The role in force (`Auto` until the first frame's mask bit decides it).
    pub fn role(&self) -> Role {
        self.role
    }

    /// The protocol in force (`Auto` until the first byte decides it).
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Decodes the next chunk of the stream; returns what it completed. After `end`, a
    /// push does nothing.
    pub fn push(&mut self, chunk: &[u8]) -> DecodeOutput {
        if !self.ended {
            self.feed(chunk);
        }
        self.take_output()
    }

    /// Ends the stream: reports the truncated tail and any message left open.
    pub fn end(&mut self) -> DecodeOutput {
        if !self.ended {
            self.ended = true;
            match self.stage {
                Stage::Preamble(matched) if matched > 0 => {
                    self.stage = self.after_preamble();
                    self.feed(&FLASH_POLICY_REQUEST[..matched]);
                }
                _ => {}
            }
            if let Stage::Detect(true) = self.stage {
                self.detected(Protocol::Rfc6455, "a lone 0xff");
                self.feed(&[0xFF]);
            }
            match self.stage {
                Stage::Rfc6455 => self.end_rfc(),
                Stage::Hixie => self.hixie.end(&mut self.sink),
                _ => {}
            }
            if let Some(open) = self.message.take() {
                self.sink.notice(
                    NoticeId::MessageLeftOpen,
                    open.offset,
                    format!(
                        "{} message {} has no final frame",
                        open.kind.as_str(),
                        open.index
                    ),
                );
                self.emit_message(open, false);
            }
        }
        self.take_output()
    }

    fn take_output(&mut self) -> DecodeOutput {
        let mut out = std::mem::take(&mut self.sink.out);
        out.role = self.role;
        out.protocol = self.protocol;
        out
    }

    fn after_preamble(&self) -> Stage {
        match self.protocol {
            Protocol::Rfc6455 => Stage::Rfc6455,
            Protocol::Hixie76 => Stage::Hixie,
            Protocol::Auto => Stage::Detect(false),
        }
    }

    fn detected(&mut self, protocol: Protocol, why: &str) {
        self.protocol = protocol;
        self.stage = match protocol {
            Protocol::Hixie76 => Stage::Hixie,
            _ => Stage::Rfc6455,
        };
        self.rfc = RfcState::header(self.pos);
        self.hixie = HixieDecoder::new(self.pos);
        self.sink.notice(
            NoticeId::ProtocolDetected,
            self.pos,
            format!(
                "protocol {} detected: the stream starts with {why}",
                protocol.as_str()
            ),
        );
    }

    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            match self.stage {
                Stage::Preamble(matched) => {
                    let want = &FLASH_POLICY_REQUEST[matched..];
                    let n = data.iter().zip(want).take_while(|(a, b)| a == b).count();
                    if n == want.len() {
                        self.sink.notice(
                            NoticeId::FlashPolicyRequest,
                            0,
                            "flash socket policy request <policy-file-request/> (23 bytes)".into(),
                        );
                        self.pos = FLASH_POLICY_REQUEST.len() as u64;
                        self.stage = self.after_preamble();
                        self.rfc = RfcState::header(self.pos);
                        self.hixie = HixieDecoder::new(self.pos);
                        data = &data[n..];
                    } else if n == data.len() {
                        self.stage = Stage::Preamble(matched + n);
                        data = &[];
                    } else {
                        self.stage = self.after_preamble();
                        self.feed(&FLASH_POLICY_REQUEST[..matched]);
                    }
                }
                Stage::Detect(held_ff) => {
                    let first = data[0];
                    if held_ff {
                        if first == 0x00 {
                            self.detected(Protocol::Hixie76, "the closing frame 0xff 0x00");
                        } else {
                            self.detected(Protocol::Rfc6455, &format!("0xff 0x{first:02x}"));
                        }
                        self.feed(&[0xFF]);
                    } else if first == 0xFF {
                        self.stage = Stage::Detect(true);
                        data = &data[1..];
                    } else if first == 0x00 {
                        self.detected(Protocol::Hixie76, "0x00 (a hixie text frame)");
                    } else {
                        self.detected(Protocol::Rfc6455, &format!("0x{first:02x}"));
                    }
                }
                Stage::Rfc6455 => {
                    self.feed_rfc(data);
                    data = &[];
                }
                Stage::Hixie => {
                    self.hixie.push(data, self.pos, &mut self.sink);
                    self.pos += data.len() as u64;
                    data = &[];
                }
            }
        }
    }

    fn feed_rfc(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            match &mut self.rfc {
                RfcState::Header { start, buf, have } => {
                    let need = if *have < 2 { 2 } else { header_length(buf[1]) };
                    let take = (need - *have).min(data.len());
                    buf[*have..*have + take].copy_from_slice(&data[..take]);
                    *have += take;
                    data = &data[take..];
                    self.pos += take as u64;
                    if *have >= 2 && *have == header_length(buf[1]) {
                        let header = Header::parse(&buf[..*have]);
                        let start = *start;
                        self.rfc = RfcState::header(self.pos);
                        self.begin_frame(header, start, data.len());
                    }
                }
                RfcState::Payload { frame, remaining } => {
                    let take = (*remaining).min(data.len() as u64) as usize;
                    let old = frame.payload.len();
                    frame.payload.extend_from_slice(&data[..take]);
                    if let Some(key) = frame.header.masking_key {
                        unmask(&mut frame.payload[old..], key, old % 4);
                    }
                    *remaining -= take as u64;
                    data = &data[take..];
                    self.pos += take as u64;
                    if *remaining == 0 {
                        let done = std::mem::replace(&mut self.rfc, RfcState::header(self.pos));
                        if let RfcState::Payload { frame, .. } = done {
                            self.finish_frame(frame);
                        }
                    }
                }
            }
        }
    }

    /// The header is complete: check it, route the frame, start collecting its payload.
    fn begin_frame(&mut self, h: Header, start: u64, available: usize) {
        let index = self.sink.next_frame;
        self.sink.next_frame += 1;
        let op = h.opcode;
        let name = op.name();
        let at = Some(index);

        if self.role == Role::Auto {
            self.role = if h.masked { Role::Client } else { Role::Server };
            self.sink.notice(
                NoticeId::RoleDetected,
                start + 1,
                format!(
                    "role {} detected: the first frame is {}masked",
                    self.role.as_str(),
                    if h.masked { "" } else { "not " }
                ),
            );
        }

        // RFC 6455 §5.2: "MUST be 0 unless an extension is negotiated that defines
        // meanings for non-zero values. If a nonzero value is received and none of the
        // negotiated extensions defines the meaning of such a nonzero value, the
        // receiving endpoint MUST _Fail the WebSocket Connection_."
        let pmd = self.pmd.is_some();
        let reserved: Vec<&str> = [(h.rsv1 && !pmd, "rsv1"), (h.rsv2, "rsv2"), (h.rsv3, "rsv3")]
            .iter()
            .filter(|(set, _)| *set)
            .map(|(_, n)| *n)
            .collect();
        if !reserved.is_empty() && !self.unknown_extensions {
            self.sink.violation(
                ViolationId::ReservedBits,
                start,
                at,
                format!(
                    "{} set and no negotiated extension defines {}",
                    reserved.join(" and "),
                    if reserved.len() == 1 { "it" } else { "them" }
                ),
            );
        }
        // RFC 7692 §6: "An endpoint MUST NOT set the "Per-Message Compressed" bit of
        // control frames and non-first fragments of a data message. An endpoint receiving
        // such a frame MUST _Fail the WebSocket Connection_."
        if h.rsv1 && pmd && (op.is_control() || op == OpCode::Continuation) {
            self.sink.violation(
                ViolationId::InvalidRsv1,
                start,
                at,
                format!("rsv1 set on a {name} frame under permessage-deflate"),
            );
        }
        // RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint MUST
        // _Fail the WebSocket Connection_."
        if op.is_reserved() {
            self.sink.violation(
                ViolationId::ReservedOpcode,
                start,
                at,
                format!("reserved opcode 0x{:x}", op.as_u8()),
            );
        }
        // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or
        // less and MUST NOT be fragmented."
        if op.is_control() && !h.fin {
            self.sink.violation(
                ViolationId::FragmentedControlFrame,
                start,
                at,
                format!("{name} frame with fin clear"),
            );
        }
        // RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after
        // sending a Close frame."
        if let Some(close) = self.close_seen {
            self.sink.violation(
                ViolationId::DataAfterClose,
                start,
                at,
                format!("{name} frame after close frame {close}"),
            );
        }
        let in_message = self.route(&h, start, at);

        // RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame
        // that is not masked." ... "A client MUST close a connection if it detects a
        // masked frame."
        match self.role {
            Role::Client if !h.masked => self.sink.violation(
                ViolationId::UnmaskedClientFrame,
                start + 1,
                at,
                format!("{name} frame from a client is not masked"),
            ),
            Role::Server if h.masked => self.sink.violation(
                ViolationId::MaskedServerFrame,
                start + 1,
                at,
                format!("{name} frame from a server is masked"),
            ),
            _ => {}
        }
        if op.is_control() && h.payload_len > 125 {
            self.sink.violation(
                ViolationId::ControlFrameTooLong,
                start + 1,
                at,
                format!("{name} payload of {} bytes exceeds 125", h.payload_len),
            );
        }
        // RFC 6455 §5.2: "in all cases, the minimal number of bytes MUST be used to
        // encode the length" and, of the 64-bit length, "the most significant bit MUST
        // be 0".
        let minimal = match (h.len7, h.payload_len) {
            (126, n) if n < 126 => Some("7 bits suffice"),
            (127, n) if n >> 63 == 0 && n < 126 => Some("7 bits suffice"),
            (127, n) if n >> 63 == 0 && n < 65536 => Some("16 bits suffice"),
            _ => None,
        };
        if let Some(suffice) = minimal {
            self.sink.violation(
                ViolationId::NonMinimalLength,
                start + 2,
                at,
                format!(
                    "{}-bit length {} where {suffice}",
                    if h.len7 == 126 { 16 } else { 64 },
                    h.payload_len
                ),
            );
        }
        if h.len7 == 127 && h.payload_len >> 63 != 0 {
            self.sink.violation(
                ViolationId::LengthTooLarge,
                start + 2,
                at,
                format!(
                    "64-bit length 0x{:016x} has its most significant bit set",
                    h.payload_len
                ),
            );
        }
        // An uncompressed message's size is known from the header: report it early.
        if in_message {
            if let (Some(max), Some(msg)) = (self.max_message_size, self.message.as_mut()) {
                if !msg.compressed
                    && !msg.too_big
                    && msg.wire_length.saturating_add(h.payload_len) > max
                {
                    msg.too_big = true;
                    let total = msg.wire_length.saturating_add(h.payload_len);
                    self.sink.violation(
                        ViolationId::MessageTooBig,
                        start,
                        at,
                        format!(
                            "message {} of at least {total} bytes exceeds the maximum of {max}",
                            msg.index
                        ),
                    );
                }
            }
        }

        // Capacity from the bytes at hand, never from the declared length alone.
        let capacity = h.payload_len.min(available as u64) as usize;
        let frame = PendingFrame {
            header: h,
            index,
            start,
            payload: Vec::with_capacity(capacity),
            in_message,
        };
        if h.payload_len == 0 {
            self.finish_frame(frame);
        } else {
            self.rfc = RfcState::Payload {
                frame,
                remaining: h.payload_len,
            };
        }
    }

    /// Data frames open or continue a message; returns whether this frame belongs to it.
    fn route(&mut self, h: &Header, start: u64, at: Option<usize>) -> bool {
        let op = h.opcode;
        match op {
            OpCode::Text | OpCode::Binary => {
                // RFC 6455 §5.4: "The fragments of one message MUST NOT be interleaved
                // between the fragments of another message unless an extension has been
                // negotiated that can interpret the interleaving."
                if let Some(open) = self.message.take() {
                    self.sink.violation(
                        ViolationId::ExpectedContinuation,
                        start,
                        at,
                        format!(
                            "{} frame while {} message {} awaits a continuation",
                            op.name(),
                            open.kind.as_str(),
                            open.index,
                        ),
                    );
                    self.emit_message(open, false);
                }
                let index = self.sink.next_message;
                self.sink.next_message += 1;
                self.message = Some(OpenMessage {
                    index,
                    kind: if op == OpCode::Text {
                        MessageKind::Text
                    } else {
                        MessageKind::Binary
                    },
                    frames: Vec::new(),
                    offset: start,
                    // RFC 7692 §6: the "Per-Message Compressed" bit is RSV1 of the
                    // first frame of the message.
                    compressed: h.rsv1 && self.pmd.is_some(),
                    wire_length: 0,
                    data: Vec::new(),
                    utf8: Utf8Validator::new(),
                    utf8_failed: false,
                    inflate_failed: false,
                    too_big: false,
                });
                true
            }
            // RFC 6455 §5.4: a fragmented message is "a single frame with the FIN bit
            // clear and an opcode other than 0, followed by zero or more frames with the
            // FIN bit clear and the opcode set to 0, and terminated by a single frame with
            // the FIN bit set and an opcode of 0."
            OpCode::Continuation => {
                if self.message.is_none() {
                    self.sink.violation(
                        ViolationId::UnexpectedContinuation,
                        start,
                        at,
                        "continuation frame with no message open".into(),
                    );
                }
                self.message.is_some()
            }
            _ => false,
        }
    }

    fn finish_frame(&mut self, frame: PendingFrame) {
        let PendingFrame {
            header: h,
            index,
            start,
            payload,
            in_message,
        } = frame;
        let payload_offset = start + h.header_length as u64;
        let mut fields = h.fields(start);
        if !payload.is_empty() {
            fields.push(Field {
                name: "payload",
                offset: payload_offset,
                length: payload.len() as u64,
            });
        }
        let (close_code, close_reason) = if h.opcode == OpCode::Close {
            self.close_payload(&payload, start, payload_offset, index, &mut fields)
        } else {
            (None, None)
        };
        if in_message {
            self.message_fragment(&h, &payload, index, start, payload_offset);
        }
        if h.opcode == OpCode::Close && self.close_seen.is_none() {
            self.close_seen = Some(index);
        }
        self.sink.out.frames.push(Frame {
            index,
            offset: start,
            header_length: h.header_length as u64,
            length: h.header_length as u64 + payload.len() as u64,
            fin: h.fin,
            rsv1: h.rsv1,
            rsv2: h.rsv2,
            rsv3: h.rsv3,
            opcode: h.opcode.as_u8(),
            kind: FrameKind::from(h.opcode),
            masked: h.masked,
            masking_key: h.masking_key,
            payload_len: h.payload_len,
            length_encoding: h.length_encoding(),
            payload_offset,
            payload,
            close_code,
            close_code_name: close_code.and_then(close_code_name),
            close_reason,
            fields,
        });
    }

    /// RFC 6455 §5.5.1: "If there is a body, the first two bytes of the body MUST be a
    /// 2-byte unsigned integer (in network byte order) representing a status code".
    fn close_payload(
        &mut self,
        payload: &[u8],
        start: u64,
        payload_offset: u64,
        index: usize,
        fields: &mut Vec<Field>,
    ) -> (Option<u16>, Option<String>) {
        let at = Some(index);
        match payload {
            [] => (None, None),
            [_] => {
                self.sink.violation(
                    ViolationId::ClosePayloadTooShort,
                    start,
                    at,
                    "close payload of 1 byte (a status code needs 2)".into(),
                );
                (None, None)
            }
            [hi, lo, reason @ ..] => {
                let code = u16::from_be_bytes([*hi, *lo]);
                fields.push(Field {
                    name: "close_code",
                    offset: payload_offset,
                    length: 2,
                });
                if !reason.is_empty() {
                    fields.push(Field {
                        name: "close_reason",
                        offset: payload_offset + 2,
                        length: reason.len() as u64,
                    });
                }
                if !close_code_valid_on_wire(code) {
                    let named = close_code_name(code).map_or(String::new(), |n| format!(" ({n})"));
                    self.sink.violation(
                        ViolationId::InvalidCloseCode,
                        start,
                        at,
                        format!("close code {code}{named} is not valid on the wire"),
                    );
                }
                // RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8
                // but finds that the byte stream is not, in fact, a valid UTF-8 stream,
                // that endpoint MUST _Fail the WebSocket Connection_."
                let mut utf8 = Utf8Validator::new();
                if let Err(bad) = utf8
                    .feed(reason, payload_offset + 2)
                    .and_then(|()| utf8.finish())
                {
                    self.sink.violation(
                        ViolationId::InvalidUtf8,
                        bad,
                        at,
                        "invalid utf-8 in close reason".into(),
                    );
                }
                (
                    Some(code),
                    Some(String::from_utf8_lossy(reason).into_owned()),
                )
            }
        }
    }

    /// Adds a data frame's payload to the open message; completes it on FIN.
    fn message_fragment(
        &mut self,
        h: &Header,
        payload: &[u8],
        index: usize,
        start: u64,
        payload_offset: u64,
    ) {
        let Some(mut msg) = self.message.take() else {
            return;
        };
        msg.frames.push(index);
        msg.wire_length += payload.len() as u64;
        let limit = self
            .max_message_size
            .map(|m| usize::try_from(m).unwrap_or(usize::MAX));
        if msg.compressed {
            self.inflate_fragment(
                &mut msg,
                payload,
                h.fin,
                index,
                start,
                payload_offset,
                limit,
            );
        } else {
            if msg.kind == MessageKind::Text && !msg.utf8_failed {
                if let Err(bad) = msg.utf8.feed(payload, payload_offset) {
                    msg.utf8_failed = true;
                    self.sink.violation(
                        ViolationId::InvalidUtf8,
                        bad,
                        Some(index),
                        format!("invalid utf-8 in text message {}", msg.index),
                    );
                }
            }
            let room = limit.map_or(payload.len(), |l| l.saturating_sub(msg.data.len()));
            msg.data
                .extend_from_slice(&payload[..payload.len().min(room)]);
            if h.fin && msg.kind == MessageKind::Text && !msg.utf8_failed {
                if let Err(bad) = msg.utf8.finish() {
                    msg.utf8_failed = true;
                    self.sink.violation(
                        ViolationId::InvalidUtf8,
                        bad,
                        Some(index),
                        format!(
                            "text message {} ends in the middle of a character",
                            msg.index
                        ),
                    );
                }
            }
        }
        if h.fin {
            self.emit_message(msg, true);
        } else {
            self.message = Some(msg);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn inflate_fragment(
        &mut self,
        msg: &mut OpenMessage,
        payload: &[u8],
        fin: bool,
        index: usize,
        start: u64,
        payload_offset: u64,
        limit: Option<usize>,
    ) {
        // RFC 7692 §7.2.2: frames sent by a server use the server_* parameters, frames
        // sent by a client the client_* ones.
        let no_context_takeover = self.pmd.is_some_and(|p| match self.role {
            Role::Client => p.client_no_context_takeover,
            _ => p.server_no_context_takeover,
        });
        let inflater = self
            .inflater
            .get_or_insert_with(|| Inflater::new(no_context_takeover));
        let before = msg.data.len();
        let mut result = if msg.inflate_failed || msg.too_big {
            Ok(())
        } else {
            inflater.inflate(payload, &mut msg.data, limit)
        };
        if fin {
            let end = inflater.finish_message(&mut msg.data, limit);
            if result.is_ok() && !msg.inflate_failed && !msg.too_big {
                result = end;
            }
        }
        match result {
            Ok(()) => {}
            Err(InflateError::Invalid(why)) => {
                msg.inflate_failed = true;
                self.sink.violation(
                    ViolationId::InflateFailed,
                    start,
                    Some(index),
                    format!("compressed message {} does not inflate: {why}", msg.index),
                );
            }
            Err(InflateError::TooBig) => {
                msg.too_big = true;
                self.sink.violation(
                    ViolationId::MessageTooBig,
                    start,
                    Some(index),
                    format!(
                        "message {} inflates past the maximum of {} bytes",
                        msg.index,
                        self.max_message_size.unwrap_or(0)
                    ),
                );
            }
        }
        if msg.kind == MessageKind::Text && !msg.utf8_failed && !msg.inflate_failed {
            let fresh = msg.data.get(before..).unwrap_or_default();
            let mut verdict = msg.utf8.feed(fresh, before as u64);
            if fin && !msg.too_big {
                verdict = verdict.and_then(|()| msg.utf8.finish());
            }
            if let Err(bad) = verdict {
                msg.utf8_failed = true;
                // Inflated bytes have no stream offset: point at the frame's payload.
                self.sink.violation(
                    ViolationId::InvalidUtf8,
                    payload_offset,
                    Some(index),
                    format!(
                        "invalid utf-8 in compressed text message {} at inflated byte {bad}",
                        msg.index
                    ),
                );
            }
        }
    }

    fn emit_message(&mut self, msg: OpenMessage, complete: bool) {
        let text = if msg.kind == MessageKind::Text && !msg.utf8_failed && !msg.inflate_failed {
            valid_prefix(&msg.data)
        } else {
            None
        };
        self.sink.out.messages.push(Message {
            index: msg.index,
            kind: msg.kind,
            frames: msg.frames,
            offset: msg.offset,
            compressed: msg.compressed,
            wire_length: msg.wire_length,
            data: msg.data,
            text,
            complete,
        });
    }

    fn end_rfc(&mut self) {
        self.sink.out.incomplete = match &self.rfc {
            RfcState::Header { have: 0, .. } => None,
            RfcState::Header { start, buf, have } => {
                let have_u = *have as u64;
                let (needed, min_needed) = match crate::frame::known_total(&buf[..*have]) {
                    Some(total) => (Some(total - have_u), total - have_u),
                    None if *have < 2 => (None, 2 - have_u),
                    None => (None, header_length(buf[1]) as u64 - have_u),
                };
                Some(Incomplete {
                    offset: *start,
                    frame: None,
                    have: have_u,
                    needed,
                    min_needed,
                })
            }
            RfcState::Payload { frame, remaining } => Some(Incomplete {
                offset: frame.start,
                frame: Some(frame.index),
                have: frame.header.header_length as u64 + frame.payload.len() as u64,
                needed: Some(*remaining),
                min_needed: *remaining,
            }),
        };
    }
}

/// The text of a UTF-8 message: the whole, or the valid beginning of one that was cut
/// short (mid-character); `None` if a byte is invalid.
fn valid_prefix(data: &[u8]) -> Option<String> {
    match std::str::from_utf8(data) {
        Ok(s) => Some(s.to_owned()),
        Err(e) if e.error_len().is_none() => {
            Some(String::from_utf8_lossy(&data[..e.valid_up_to()]).into_owned())
        }
        Err(_) => None,
    }
}

/// Decodes a whole stream at once: the same as `push(bytes)` then `end()` on a new
/// decoder, and as any sequence of pushes of the same bytes.
///
/// ```
/// use wsinspect::{decode, DecodeOptions};
/// let out = decode(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58], DecodeOptions::default()).unwrap();
/// assert_eq!(out.messages[0].text.as_deref(), Some("Hello"));
/// assert_eq!(out.role, wsinspect::Role::Client);
/// ```
pub fn decode(bytes: &[u8], options: DecodeOptions) -> Result<DecodeOutput, ExtensionError> {
    let mut decoder = Decoder::new(options)?;
    let mut out = decoder.push(bytes);
    out.append(decoder.end());
    Ok(out)
}
