//! The Sans-I/O stream decoder: push any chunk, get the frames, messages and violations
//! it completed, with offsets absolute in the stream.

use std::fmt;
use std::sync::Arc;

use crate::coding::{close_code_name, OpCode};
use crate::extensions::{
    negotiated_permessage_deflate, ClientMaxWindowBits, ExtensionError, PerMessageDeflateParams,
};
use crate::frame::{header_length, Frame, Header, MAX_HEADER};
use crate::frame_rules::{check_header, close_payload};
use crate::hixie_frames::HixieDecoder;
use crate::inflate::Inflater;
use crate::mask::unmask;
use crate::message::MessageKind;
use crate::output::{DecodeOptions, DecodeOutput, Incomplete, NoticeId, Protocol, Role, Sink};
use crate::payload::Payload;
use crate::reassembly::{Fragment, OpenMessage};
use crate::violation::ViolationId;

/// The Flash socket policy request: `<policy-file-request/>` and a NUL.
pub const FLASH_POLICY_REQUEST: &[u8] = b"<policy-file-request/>\0";

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

/// Where a frame's kept payload bytes go while they arrive.
enum Kept {
    /// The arena of the push in progress, from this index on: no allocation per frame.
    Arena(usize),
    /// Its own buffer: the frame's payload spans pushes, so it leaves the arena (copied
    /// once) when the push it began in returns.
    Own(Vec<u8>),
}

/// A frame whose header is complete and whose payload is arriving.
struct PendingFrame {
    header: Header,
    index: usize,
    start: u64,
    kept: Kept,
    /// How many of its payload bytes to keep; the rest are counted and dropped.
    keep: u64,
    /// The frame carries a fragment of the open message.
    in_message: bool,
    /// That message is compressed ([`crate::Frame::compressed`]).
    compressed: bool,
}

/// The Sans-I/O decoder.
///
/// ```
/// use wsinspect::{Decoder, DecodeOptions, Role};
/// let mut d = Decoder::new(DecodeOptions { role: Role::Server, ..Default::default() }).unwrap();
/// let first = d.push(&[0x81, 0x05, 0x48, 0x65]);
/// assert!(first.frames.is_empty());
/// let second = d.push(&[0x6c, 0x6c, 0x6f]);
/// assert_eq!(second.messages[0].text(), Some("Hello"));
/// assert_eq!(second.frames[0].payload_offset, 2);
/// assert!(d.end().incomplete.is_none());
/// ```
pub struct Decoder {
    role: Role,
    protocol: Protocol,
    max_message_size: Option<u64>,
    pmd: Option<PerMessageDeflateParams>,
    unknown_extensions: bool,
    /// Take permessage-deflate as agreed from the first RSV1 data frame.
    assume_deflate: bool,
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
    /// Data frames' payloads are no longer kept nor inflated ([`Decoder::discard_data`]).
    discard_data: bool,
    /// The unmasked payloads of the frames this push completes, one after another; each
    /// frame's [`Payload`] is a range of it.
    arena: Vec<u8>,
    /// The last push's arena: taken back for the next push once every payload of it has
    /// been dropped, so a steady stream of pushes reuses one buffer.
    last_arena: Option<Arc<Vec<u8>>>,
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
            assume_deflate: options.assume_deflate,
            pos: 0,
            stage: Stage::Preamble(0),
            rfc: RfcState::header(0),
            hixie: HixieDecoder::new(0, options.max_message_size),
            message: None,
            close_seen: None,
            inflater: None,
            sink,
            ended: false,
            discard_data: false,
            arena: Vec::new(),
            last_arena: None,
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

    /// From now on, keeps no data frame's payload and inflates nothing: headers still
    /// decode (every frame and violation is reported) and control frames keep their
    /// payloads (at most 125 bytes when they follow the rules), but messages are no longer
    /// reported. For an endpoint that has sent its close and only waits for the peer's
    /// (RFC 6455 §1.4: after sending a Close frame an endpoint "discards any further data
    /// received").
    ///
    /// ```
    /// use wsinspect::{Decoder, DecodeOptions};
    /// let mut d = Decoder::new(DecodeOptions::default()).unwrap();
    /// d.discard_data();
    /// let out = d.push(&[0x82, 0x03, 1, 2, 3, 0x88, 0x02, 0x03, 0xe8]);
    /// assert!(out.frames[0].payload.is_empty() && out.messages.is_empty());
    /// assert_eq!(out.frames[1].close_code, Some(1000));
    /// ```
    pub fn discard_data(&mut self) {
        self.discard_data = true;
        if self.message.take().is_some() {
            if let Some(inflater) = self.inflater.as_mut() {
                inflater.reset();
            }
        }
    }

    /// Decodes the next chunk of the stream; returns what it completed. After `end`, a
    /// push does nothing.
    pub fn push(&mut self, chunk: &[u8]) -> DecodeOutput {
        let mut out = DecodeOutput::default();
        self.push_into(chunk, &mut out);
        out
    }

    /// [`Decoder::push`] into `out` (cleared first), reusing its vectors' room: with the
    /// previous output dropped or reused, a steady stream of pushes allocates nothing.
    ///
    /// ```
    /// use wsinspect::{DecodeOptions, DecodeOutput, Decoder, Role};
    /// let mut d = Decoder::new(DecodeOptions { role: Role::Server, ..Default::default() }).unwrap();
    /// let mut out = DecodeOutput::default();
    /// for _ in 0..3 {
    ///     d.push_into(&[0x81, 0x02, 0x68, 0x69], &mut out);
    ///     assert_eq!(out.messages[0].text(), Some("hi"));
    /// }
    /// ```
    pub fn push_into(&mut self, chunk: &[u8], out: &mut DecodeOutput) {
        out.clear();
        // The caller's room becomes the sink; what was reported between calls (the
        // constructor's notices) is carried into it.
        std::mem::swap(&mut self.sink.out, out);
        let pending = std::mem::take(out);
        self.sink.out.append(pending);
        if !self.ended {
            self.reclaim_arena();
            self.feed(chunk);
        }
        self.finish_output();
        std::mem::swap(&mut self.sink.out, out);
    }

    /// Takes the last push's arena back when nothing holds a payload of it any more.
    fn reclaim_arena(&mut self) {
        if self.arena.capacity() == 0 {
            if let Some(mut last) = self.last_arena.take().and_then(|a| Arc::try_unwrap(a).ok()) {
                last.clear();
                self.arena = last;
            }
        }
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
                        "{} message {} did not end: the stream stops before its final frame is whole",
                        open.kind.as_str(),
                        open.index
                    ),
                );
                self.sink.out.messages.push(open.finish(false));
            }
        }
        self.take_output()
    }

    fn take_output(&mut self) -> DecodeOutput {
        self.finish_output();
        std::mem::take(&mut self.sink.out)
    }

    /// Readies the output of this call: payloads sealed to the arena, role and protocol.
    fn finish_output(&mut self) {
        // A frame still arriving takes its bytes out of the arena: the arena is handed
        // out with this push's results and never written again.
        if let RfcState::Payload { frame, .. } = &mut self.rfc {
            if let Kept::Arena(from) = frame.kept {
                frame.kept = Kept::Own(self.arena[from..].to_vec());
                self.arena.truncate(from);
            }
        }
        if !self.arena.is_empty() {
            let arena = Arc::new(std::mem::take(&mut self.arena));
            self.sink.out.seal(&arena);
            self.last_arena = Some(arena);
        }
        self.sink.out.role = self.role;
        self.sink.out.protocol = self.protocol;
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
        self.hixie = HixieDecoder::new(self.pos, self.max_message_size);
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
                        self.hixie = HixieDecoder::new(self.pos, self.max_message_size);
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
                    // The buffer the frame's bytes go to, and where they begin in it.
                    let (payload, from) = match &mut frame.kept {
                        Kept::Arena(from) => (&mut self.arena, *from),
                        Kept::Own(own) => (own, 0),
                    };
                    let old = payload.len() - from;
                    // Past what the frame keeps, bytes are counted, never stored.
                    let store = frame.keep.saturating_sub(old as u64).min(take as u64) as usize;
                    payload.extend_from_slice(&data[..store]);
                    if let Some(key) = frame.header.masking_key {
                        unmask(&mut payload[from + old..], key, old % 4);
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

        // Nothing said whether permessage-deflate was agreed: RSV1 on the first frame of a
        // data message is what a compressing peer sends (RFC 7692 §6), so take it as agreed.
        if self.assume_deflate
            && self.pmd.is_none()
            && h.rsv1
            && matches!(op, OpCode::Text | OpCode::Binary)
        {
            self.pmd = Some(PerMessageDeflateParams::default());
            self.sink.notice(
                NoticeId::CompressionAssumed,
                start,
                format!(
                    "no handshake response: permessage-deflate assumed from rsv1 on {name} frame {index}"
                ),
            );
        }
        let first_violation = self.sink.out.violations.len();
        check_header(
            &h,
            start,
            index,
            self.role,
            self.pmd.is_some(),
            self.unknown_extensions,
            &mut self.sink,
        );
        // RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after
        // sending a Close frame."
        if let Some(close) = self.close_seen {
            self.sink.violation(
                ViolationId::DataAfterClose,
                (
                    start,
                    (h.header_length as u64).saturating_add(h.payload_len),
                ),
                at,
                format!("{name} frame after close frame {close}"),
            );
        }
        let in_message = self.route(&h, start, at);
        // RFC 7692 §6.1: RSV1 marks only a compressed message's first frame; its
        // continuation frames are compressed all the same, and control frames never are.
        let compressed = in_message && self.message.as_ref().is_some_and(|m| m.compressed);
        // RFC 6455 §10.4: "implementations SHOULD impose a limit on frame sizes and the
        // total message size after reassembly from multiple frames." Known from the
        // header, before any payload byte is stored.
        if let (Some(max), Some(msg), true) =
            (self.max_message_size, self.message.as_mut(), in_message)
        {
            if let Some(why) = msg.over_limit(h.payload_len, max) {
                msg.too_big = true;
                self.sink.violation(
                    ViolationId::MessageTooBig,
                    (start, h.header_length as u64),
                    at,
                    why,
                );
            }
        }

        // Report this header's violations in byte order (stable: table order within a byte).
        self.sink.out.violations[first_violation..].sort_by_key(|v| v.offset);

        let keep = if h.opcode.is_control() {
            // Control frames keep what the rules allow them (RFC 6455 §5.5: 125 bytes), or
            // the maximum when larger.
            self.max_message_size
                .map_or(h.payload_len, |max| h.payload_len.min(max.max(125)))
        } else if self.discard_data {
            0
        } else if in_message {
            self.message
                .as_ref()
                .map_or(0, |msg| msg.keep(h.payload_len, self.max_message_size))
        } else {
            self.max_message_size
                .map_or(h.payload_len, |max| h.payload_len.min(max))
        };
        // Capacity from the bytes at hand, never from the declared length alone.
        self.arena.reserve(keep.min(available as u64) as usize);
        let frame = PendingFrame {
            header: h,
            index,
            start,
            kept: Kept::Arena(self.arena.len()),
            keep,
            in_message,
            compressed,
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
                        (start, 1),
                        at,
                        format!(
                            "{} frame while {} message {} awaits a continuation",
                            op.name(),
                            open.kind.as_str(),
                            open.index,
                        ),
                    );
                    // A compressed message cut short leaves the inflater mid-block:
                    // start the next one afresh rather than from its leftover bits.
                    if open.compressed {
                        if let Some(inflater) = self.inflater.as_mut() {
                            inflater.reset();
                        }
                    }
                    self.sink.out.messages.push(open.finish(false));
                }
                let index = self.sink.next_message;
                self.sink.next_message += 1;
                let kind = if op == OpCode::Text {
                    MessageKind::Text
                } else {
                    MessageKind::Binary
                };
                // RFC 7692 §6: the "Per-Message Compressed" bit is RSV1 of the first
                // frame of the message.
                let compressed = h.rsv1 && self.pmd.is_some();
                self.message = Some(OpenMessage::new(index, kind, start, compressed));
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
                        (start, 1),
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
            kept,
            in_message,
            compressed,
            ..
        } = frame;
        let payload = match kept {
            Kept::Arena(from) => Payload::pending(from..self.arena.len()),
            Kept::Own(own) => Payload::new(own),
        };
        let mut frame = h.frame(index, start, payload, h.payload_len);
        frame.compressed = compressed;
        // The arena is set aside while this frame's bytes are read from it, so the message
        // can be handed `self`; putting it back moves three words, no byte.
        let arena = std::mem::take(&mut self.arena);
        let bytes: &[u8] = if frame.payload.is_pending() {
            &arena[frame.payload.range()]
        } else {
            &frame.payload
        };
        if h.opcode == OpCode::Close {
            let (code, reason) =
                close_payload(bytes, start, frame.payload_offset, index, &mut self.sink);
            frame.close_code = code;
            frame.close_code_name = code.and_then(close_code_name);
            frame.close_reason = reason;
        }
        if in_message && self.discard_data {
            if h.fin {
                self.message = None;
            }
        } else if in_message {
            self.message_fragment(&Fragment {
                payload: bytes,
                handle: &frame.payload,
                wire: h.payload_len,
                fin: h.fin,
                index,
                start,
                payload_offset: frame.payload_offset,
            });
        }
        self.arena = arena;
        if h.opcode == OpCode::Close && self.close_seen.is_none() {
            self.close_seen = Some(index);
        }
        self.sink.out.frames.push(frame);
    }

    /// Adds a data frame's payload to the open message; completes it on FIN.
    fn message_fragment(&mut self, frag: &Fragment<'_>) {
        let Some(mut msg) = self.message.take() else {
            return;
        };
        let inflater = if msg.compressed {
            // RFC 7692 §7.2.2: frames sent by a server use the server_* parameters,
            // frames sent by a client the client_* ones.
            let no_context_takeover = self.pmd.is_some_and(|p| match self.role {
                Role::Client => p.client_no_context_takeover,
                _ => p.server_no_context_takeover,
            });
            // RFC 7692 §7.1.2.1/§7.1.2.2: the sender's agreed max_window_bits bounds how
            // far back it may copy; 15 (32 KiB, DEFLATE's own limit) when none was agreed.
            let bits = self.pmd.and_then(|p| match self.role {
                Role::Client => match p.client_max_window_bits {
                    Some(ClientMaxWindowBits::Bits(b)) => Some(b),
                    _ => None,
                },
                _ => p.server_max_window_bits,
            });
            Some(self.inflater.get_or_insert_with(|| {
                Inflater::with_window_bits(no_context_takeover, bits.unwrap_or(15))
            }))
        } else {
            None
        };
        msg.add(frag, inflater, self.max_message_size, &mut self.sink);
        if frag.fin {
            self.sink.out.messages.push(msg.finish(true));
        } else {
            self.message = Some(msg);
        }
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
                    partial: None,
                })
            }
            RfcState::Payload { frame, remaining } => Some(Incomplete {
                offset: frame.start,
                frame: Some(frame.index),
                have: frame.header.header_length as u64 + (frame.header.payload_len - remaining),
                needed: Some(*remaining),
                min_needed: *remaining,
                partial: Some(Frame {
                    compressed: frame.compressed,
                    ..frame.header.frame(
                        frame.index,
                        frame.start,
                        match &frame.kept {
                            // Once, at the end: a copy keeps this apart from the arena's move.
                            Kept::Arena(from) => Payload::new(self.arena[*from..].to_vec()),
                            Kept::Own(own) => Payload::new(own.clone()),
                        },
                        frame.header.payload_len - remaining,
                    )
                }),
            }),
        };
    }
}

/// Decodes a whole stream at once: the same as `push(bytes)` then `end()` on a new
/// decoder, and as any sequence of pushes of the same bytes.
///
/// ```
/// use wsinspect::{decode, DecodeOptions};
/// let out = decode(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58], DecodeOptions::default()).unwrap();
/// assert_eq!(out.messages[0].text(), Some("Hello"));
/// assert_eq!(out.role, wsinspect::Role::Client);
/// ```
pub fn decode(bytes: &[u8], options: DecodeOptions) -> Result<DecodeOutput, ExtensionError> {
    let mut decoder = Decoder::new(options)?;
    let mut out = decoder.push(bytes);
    out.append(decoder.end());
    Ok(out)
}
