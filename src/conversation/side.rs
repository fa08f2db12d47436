//! One direction of a conversation: its head (if it starts with one), the bytes that
//! wait for the other direction's head, then its frames, decoded with the plan.

use super::resync::{scan, walk, Expect, Scan};
use crate::decoder::{Decoder, FLASH_POLICY_REQUEST};
use crate::direction::{ChunkMeta, Direction};
use crate::handshake::{parse_handshake, Generation, Handshake};
use crate::output::{DecodeOptions, DecodeOutput, Notice, NoticeId, Protocol};
use crate::violation::ViolationId;

/// What a direction's first bytes turned out to be.
#[derive(Debug, Clone)]
pub(crate) enum HeadStatus {
    /// Not known yet: too few bytes, or the head has not ended.
    Unknown,
    /// The direction does not start with a head (frames, or nothing at all).
    Absent,
    /// A complete head.
    Parsed(Handshake),
    /// A head that cannot be read, or that never ended: nothing after it is decoded.
    Broken(Handshake),
}

enum Stage {
    /// Too few bytes to tell a head from frames.
    Start(Vec<u8>),
    /// A head is arriving.
    Head(Vec<u8>),
    /// A Flash socket policy answer is arriving (it ends with a NUL).
    PolicyAnswer(Vec<u8>),
    /// The head is done (or absent); these bytes, from `from`, wait for the plan.
    Held { from: u64, bytes: Vec<u8> },
    /// Frames are decoded.
    Decoding { from: u64, decoder: Box<Decoder> },
    /// After a gap (or from a start in the middle of a connection): `bytes`, from
    /// `from`, are searched from `scanned` for the next frame.
    Resync {
        from: u64,
        bytes: Vec<u8>,
        scanned: usize,
        skipped: u64,
        /// Where a frame is known to start (the frame the gap cut ends after the gap),
        /// and whether a fragmented message runs on there.
        known: Option<(u64, bool)>,
    },
    /// What follows is not decoded (not WebSocket, or after a head that is broken).
    Skipped,
}

/// One direction's state.
pub(crate) struct Side {
    pub direction: Direction,
    pub head: HeadStatus,
    stage: Stage,
    /// Bytes received so far.
    received: u64,
    /// Where each chunk that carried a time or packet number starts.
    metas: Vec<(u64, ChunkMeta)>,
    /// Notices raised before decoding (the policy answer).
    pub notices: Vec<Notice>,
    /// Where bytes went missing before frames were decoded (in a head, or in bytes
    /// waiting for the plan): nothing from there on is decoded.
    cut: Option<u64>,
    /// The options frames are decoded with, once the plan gave them.
    options: Option<DecodeOptions>,
    /// The stream starts in the middle of a connection: its first frame is searched for.
    pub resync_at_start: bool,
    /// Frames and messages the decoders before a gap numbered: a decoder started after
    /// one continues their numbering.
    numbered: (usize, usize),
    /// Where the running decoder's numbering starts (`numbered` when it started).
    base: (usize, usize),
    /// A gap lost the compression history this direction's messages may refer to
    /// (permessage-deflate with context takeover): where, for the notices that replace
    /// `inflate-failed` after it.
    lost_history: Option<u64>,
    /// Where the bytes the plan said not to decode start, and how many have come: said
    /// once at the end, so the count does not depend on how much had come when the plan
    /// was made.
    pub not_decoded: Option<(u64, u64)>,
}

/// The prefixes that open a head in each direction.
fn head_prefixes(direction: Direction) -> &'static [&'static [u8]] {
    match direction {
        Direction::Client => &[b"GET "],
        Direction::Server => &[b"HTTP/"],
    }
}

/// Flash's answer to `<policy-file-request/>`: an XML document and a NUL.
const POLICY_PREFIXES: [&[u8]; 2] = [b"<?xml", b"<cross-domain-policy"];

/// `Some(true)` when `bytes` start with one of `prefixes`, `None` while they are still a
/// strict prefix of one of them, `Some(false)` otherwise.
fn starts_with_any(bytes: &[u8], prefixes: &[&[u8]]) -> Option<bool> {
    if prefixes.iter().any(|p| bytes.starts_with(p)) {
        Some(true)
    } else if prefixes.iter().any(|p| p.starts_with(bytes)) {
        None
    } else {
        Some(false)
    }
}

impl Side {
    pub fn new(direction: Direction) -> Side {
        Side {
            direction,
            head: HeadStatus::Unknown,
            stage: Stage::Start(Vec::new()),
            received: 0,
            metas: Vec::new(),
            notices: Vec::new(),
            cut: None,
            options: None,
            resync_at_start: false,
            numbered: (0, 0),
            base: (0, 0),
            lost_history: None,
            not_decoded: None,
        }
    }

    /// The time and packet of the chunk that carried byte `offset` of this direction.
    pub fn meta_at(&self, offset: u64) -> ChunkMeta {
        let i = self.metas.partition_point(|(start, _)| *start <= offset);
        match i.checked_sub(1).map(|i| self.metas[i]) {
            Some((_, meta)) => meta,
            None => ChunkMeta::default(),
        }
    }

    /// Takes a chunk; returns what its frames decoded (once the plan is known).
    pub fn push(&mut self, chunk: &[u8], meta: ChunkMeta) -> Option<DecodeOutput> {
        if chunk.is_empty() {
            return None;
        }
        if meta.time.is_some() || meta.packet.is_some() {
            self.metas.push((self.received, meta));
        }
        self.received += chunk.len() as u64;
        if self.cut.is_some() {
            return None;
        }
        self.feed(chunk)
    }

    /// `missing` bytes never came (a hole in a capture): what was decoded before the hole
    /// ends there, as a stream ends, and nothing after it is decoded.
    pub fn gap(&mut self, missing: u64) -> Option<DecodeOutput> {
        if self.cut.is_some() {
            self.received += missing;
            return None;
        }
        if let Some(out) = self.gap_in_frames(missing) {
            return Some(out);
        }
        let at = self.received;
        self.cut = Some(at);
        self.received += missing;
        self.notices.push(Notice {
            id: NoticeId::Gap,
            offset: at,
            message: format!(
                "{missing} byte{} of the {}'s stream missing from the input: nothing after them is decoded",
                if missing == 1 { "" } else { "s" },
                self.direction
            ),
        });
        if matches!(
            self.stage,
            Stage::Start(_) | Stage::Head(_) | Stage::PolicyAnswer(_)
        ) {
            self.finish_head();
        }
        self.end_at_cut()
    }

    /// After a gap, a decoder that runs ends (its tail is incomplete) and stops.
    fn end_at_cut(&mut self) -> Option<DecodeOutput> {
        match &mut self.stage {
            Stage::Decoding { from, decoder } if self.cut.is_some() => {
                let mut out = decoder.end();
                out.shift(*from);
                self.stage = Stage::Skipped;
                Some(out)
            }
            _ => None,
        }
    }

    fn feed(&mut self, chunk: &[u8]) -> Option<DecodeOutput> {
        match &mut self.stage {
            Stage::Start(buf) => {
                buf.extend_from_slice(chunk);
                let bytes = std::mem::take(buf);
                self.classify(bytes, false);
                None
            }
            Stage::Head(buf) => {
                buf.extend_from_slice(chunk);
                let bytes = std::mem::take(buf);
                self.read_head(bytes, false);
                None
            }
            Stage::PolicyAnswer(buf) => {
                buf.extend_from_slice(chunk);
                let bytes = std::mem::take(buf);
                self.read_policy_answer(bytes, false);
                None
            }
            Stage::Held { bytes, .. } => {
                bytes.extend_from_slice(chunk);
                None
            }
            Stage::Decoding { from, decoder } => {
                let mut out = decoder.push(chunk);
                out.shift(*from);
                Some(self.after_decoding(out))
            }
            Stage::Resync { bytes, .. } => {
                bytes.extend_from_slice(chunk);
                self.resync(false)
            }
            Stage::Skipped => {
                if let Some((_, length)) = &mut self.not_decoded {
                    *length += chunk.len() as u64;
                }
                None
            }
        }
    }

    /// Decides from the first bytes whether a head comes first.
    fn classify(&mut self, bytes: Vec<u8>, ended: bool) {
        if self.resync_at_start {
            // A stream that began before the capture has no head to look for.
            self.head = HeadStatus::Absent;
            self.stage = Stage::Held { from: 0, bytes };
            return;
        }
        let head = starts_with_any(&bytes, head_prefixes(self.direction));
        let policy = match self.direction {
            Direction::Server => starts_with_any(&bytes, &POLICY_PREFIXES),
            Direction::Client => Some(false),
        };
        match (head, policy) {
            (Some(true), _) => self.read_head(bytes, ended),
            (_, Some(true)) => self.read_policy_answer(bytes, ended),
            (None, _) | (_, None) if !ended => self.stage = Stage::Start(bytes),
            _ => {
                self.head = HeadStatus::Absent;
                self.stage = Stage::Held { from: 0, bytes };
            }
        }
    }

    fn read_head(&mut self, bytes: Vec<u8>, ended: bool) {
        let mut h = parse_handshake(&bytes);
        if h.error.is_some() {
            self.head = HeadStatus::Broken(h);
            self.stage = Stage::Skipped;
        } else if h.is_complete() {
            let head = h.head_length.unwrap_or(0) as usize;
            let trailing = if h.generation == Generation::Hixie76 {
                h.kind.hixie76_trailing_len()
            } else {
                0
            };
            h.trailing.truncate(trailing);
            let rest = bytes.get(head + trailing..).unwrap_or_default().to_vec();
            self.head = HeadStatus::Parsed(h);
            self.stage = Stage::Held {
                from: (head + trailing) as u64,
                bytes: rest,
            };
        } else if ended {
            self.head = HeadStatus::Broken(h);
            self.stage = Stage::Skipped;
        } else {
            self.stage = Stage::Head(bytes);
        }
    }

    fn read_policy_answer(&mut self, bytes: Vec<u8>, ended: bool) {
        match bytes.iter().position(|&b| b == 0) {
            Some(nul) => {
                self.notices.push(Notice {
                    id: NoticeId::FlashPolicyAnswer,
                    offset: 0,
                    message: format!(
                        "flash socket policy answer ({} bytes, ending with a nul) to {}",
                        nul + 1,
                        String::from_utf8_lossy(&FLASH_POLICY_REQUEST[..22])
                    ),
                });
                self.head = HeadStatus::Absent;
                self.stage = Stage::Held {
                    from: nul as u64 + 1,
                    bytes: bytes[nul + 1..].to_vec(),
                };
            }
            None if ended => {
                self.notices.push(Notice {
                    id: NoticeId::HeadIncomplete,
                    offset: 0,
                    message: format!(
                        "flash socket policy answer of {} bytes has no closing nul",
                        bytes.len()
                    ),
                });
                self.head = HeadStatus::Absent;
                self.stage = Stage::Skipped;
            }
            None => self.stage = Stage::PolicyAnswer(bytes),
        }
    }

    /// The direction has ended: an undecided start becomes frames, an unfinished head
    /// stays unfinished.
    pub fn finish_head(&mut self) {
        match std::mem::replace(&mut self.stage, Stage::Skipped) {
            Stage::Start(bytes) => self.classify(bytes, true),
            Stage::Head(bytes) => self.read_head(bytes, true),
            Stage::PolicyAnswer(bytes) => self.read_policy_answer(bytes, true),
            other => self.stage = other,
        }
        if matches!(self.head, HeadStatus::Unknown) {
            self.head = HeadStatus::Absent;
        }
    }

    /// Starts decoding the held bytes with `options` (`None`: they are not decoded;
    /// `skip_notice` says why).
    pub fn start(
        &mut self,
        options: Option<DecodeOptions>,
        notices: &mut Vec<Notice>,
    ) -> Option<DecodeOutput> {
        let Stage::Held { from, bytes } = std::mem::replace(&mut self.stage, Stage::Skipped) else {
            return None;
        };
        let Some(options) = options else {
            self.not_decoded = Some((from, bytes.len() as u64));
            return None;
        };
        self.options = Some(options.clone());
        let decoder = match Decoder::new(options.clone()) {
            Ok(d) => d,
            Err(e) => {
                notices.push(Notice {
                    id: NoticeId::UnknownExtension,
                    offset: from,
                    message: format!(
                        "the agreed extensions cannot be read ({} at byte {} of the value): frames are decoded without them",
                        e.message, e.offset
                    ),
                });
                let fallback = DecodeOptions {
                    extensions: None,
                    ..options
                };
                self.options = Some(fallback.clone());
                Decoder::new(fallback).ok()?
            }
        };
        if self.resync_at_start && self.resyncable() {
            self.stage = Stage::Resync {
                from,
                bytes,
                scanned: 0,
                skipped: 0,
                known: None,
            };
            return self.resync(false);
        }
        let mut decoder = Box::new(decoder);
        let mut out = decoder.push(&bytes);
        out.shift(from);
        self.stage = Stage::Decoding { from, decoder };
        if let Some(tail) = self.end_at_cut() {
            out.append(tail);
        }
        Some(self.after_decoding(out))
    }

    /// Ends the decoder: the truncated tail and any message left open.
    pub fn end(&mut self) -> Option<DecodeOutput> {
        if self.cut.is_some() {
            return None;
        }
        if matches!(self.stage, Stage::Resync { .. }) {
            let mut out = self.resync(true).unwrap_or_default();
            if let Some(tail) = self.end() {
                out.append(tail);
            }
            return Some(out);
        }
        match &mut self.stage {
            Stage::Decoding { from, decoder } => {
                let mut out = decoder.end();
                out.shift(*from);
                Some(self.after_decoding(out))
            }
            _ => None,
        }
    }

    /// Can this direction's frames be found again after a gap? RFC 6455 frames can, by
    /// their headers; hixie-76 frames have too little structure to tell.
    fn resyncable(&self) -> bool {
        self.options
            .as_ref()
            .is_some_and(|o| o.protocol != Protocol::Hixie76)
    }

    /// A gap while frames are decoded: the decoder ends at the hole (its tail is
    /// incomplete), and the next frame is searched for in the bytes after it. `None`
    /// when frames are not being decoded (the caller stops the direction).
    fn gap_in_frames(&mut self, missing: u64) -> Option<DecodeOutput> {
        let at = self.received;
        let resyncable = self.resyncable();
        let mut out = match &mut self.stage {
            Stage::Decoding { from, decoder } if resyncable => {
                let mut out = decoder.end();
                out.shift(*from);
                self.after_decoding(out)
            }
            Stage::Resync { .. } => DecodeOutput::default(),
            _ => return None,
        };
        let skipped = match &self.stage {
            Stage::Resync { bytes, skipped, .. } => *skipped + bytes.len() as u64,
            _ => 0,
        };
        let known = known_next_frame(&out, at + missing);
        self.received += missing;
        if self.history_kept_by_peer() == Some(false) {
            self.lost_history.get_or_insert(at);
        }
        out.notices.push(Notice {
            id: NoticeId::Gap,
            offset: at,
            message: format!(
                "{missing} byte{} of the {}'s stream missing from the input: decoding resumes at the first frame found after them",
                if missing == 1 { "" } else { "s" },
                self.direction
            ),
        });
        self.stage = Stage::Resync {
            from: self.received,
            bytes: Vec::new(),
            scanned: 0,
            skipped,
            known,
        };
        Some(out)
    }

    /// With permessage-deflate agreed, does this direction start each message afresh
    /// (`<sender>_no_context_takeover`)? `None` without compression.
    fn history_kept_by_peer(&self) -> Option<bool> {
        let extensions = self.options.as_ref()?.extensions.as_deref()?;
        if !extensions.contains("permessage-deflate") {
            return None;
        }
        let own = match self.direction {
            Direction::Client => "client_no_context_takeover",
            Direction::Server => "server_no_context_takeover",
        };
        Some(extensions.contains(own))
    }

    /// Searches the bytes after a gap for the next frame; decodes from it once found.
    fn resync(&mut self, ended: bool) -> Option<DecodeOutput> {
        let Stage::Resync {
            from,
            bytes,
            scanned,
            skipped,
            known,
        } = &mut self.stage
        else {
            return None;
        };
        let options = self.options.clone()?;
        let rsv1 = options.assume_deflate
            || options
                .extensions
                .as_deref()
                .is_some_and(|e| e.contains("permessage-deflate"));
        let expect = Expect::for_direction(self.direction, rsv1);
        // The frame the gap cut says where the next one starts: walk there (past the rest
        // of its message) instead of searching.
        let mut found = None;
        if let Some((next, in_message)) = known {
            let at = next.saturating_sub(*from);
            let drop = |bytes: &mut Vec<u8>, from: &mut u64, skipped: &mut u64, n: usize| {
                bytes.drain(..n);
                *from += n as u64;
                *skipped += n as u64;
            };
            if at > bytes.len() as u64 {
                let n = bytes.len();
                drop(bytes, from, skipped, n);
                if !ended {
                    return None;
                }
                *known = None;
            } else {
                match walk(bytes, at as usize, in_message, expect, ended) {
                    Scan::Found(p) => found = Some(p),
                    Scan::NeedMore(p) => {
                        *known = Some((*from + p as u64, *in_message));
                        let n = p.min(bytes.len());
                        drop(bytes, from, skipped, n);
                        return None;
                    }
                    Scan::None => {
                        *known = None;
                        *scanned = at as usize;
                    }
                }
            }
        }
        let result = match found {
            Some(p) => Scan::Found(p),
            None => scan(bytes, *scanned, expect, ended),
        };
        match result {
            Scan::NeedMore(at) => {
                // The bytes before `at` can never start a frame: drop them.
                bytes.drain(..at);
                *from += at as u64;
                *skipped += at as u64;
                *scanned = 0;
                None
            }
            Scan::None => {
                let mut out = DecodeOutput::default();
                out.notices.push(Notice {
                    id: NoticeId::Gap,
                    offset: *from,
                    message: format!(
                        "no frame header found in the {} byte{} of the {}'s stream after the gap: they are not decoded",
                        *skipped + bytes.len() as u64,
                        if *skipped + bytes.len() as u64 == 1 { "" } else { "s" },
                        self.direction
                    ),
                });
                self.stage = Stage::Skipped;
                Some(out)
            }
            Scan::Found(at) => {
                let start = *from + at as u64;
                let skipped_total = *skipped + at as u64;
                let rest = bytes.split_off(at);
                let mut out = DecodeOutput::default();
                if skipped_total > 0 || start > 0 {
                    out.notices.push(Notice {
                        id: NoticeId::Gap,
                        offset: start,
                        message: format!(
                            "skipped {skipped_total} byte{} of the {}'s stream; resumed at byte {start}, a frame header the next frame confirms",
                            if skipped_total == 1 { "" } else { "s" },
                            self.direction
                        ),
                    });
                }
                self.base = self.numbered;
                let Ok(mut decoder) = Decoder::new(options) else {
                    self.stage = Stage::Skipped;
                    return Some(out);
                };
                let mut decoded = decoder.push(&rest);
                if ended {
                    decoded.append(decoder.end());
                }
                decoded.shift(start);
                self.stage = Stage::Decoding {
                    from: start,
                    decoder: Box::new(decoder),
                };
                out.append(self.after_decoding(decoded));
                Some(out)
            }
        }
    }

    /// Numbers frames and messages on from the decoders before a gap, and turns
    /// `inflate-failed` after a gap that lost the compression history into a notice: the
    /// message may refer to bytes that were never captured, which breaks no rule.
    fn after_decoding(&mut self, mut out: DecodeOutput) -> DecodeOutput {
        let (frames, messages) = self.base;
        if frames > 0 || messages > 0 {
            out.renumber(frames, messages);
        }
        if let Some(f) = out.frames.last() {
            self.numbered.0 = self.numbered.0.max(f.index + 1);
        }
        if let Some(m) = out.messages.last() {
            self.numbered.1 = self.numbered.1.max(m.index + 1);
        }
        if let Some(gap) = self.lost_history {
            let (lost, kept): (Vec<_>, Vec<_>) = out
                .violations
                .into_iter()
                .partition(|v| v.id == ViolationId::InflateFailed && v.offset > gap);
            out.violations = kept;
            out.notices.extend(lost.into_iter().map(|v| Notice {
                id: NoticeId::Gap,
                offset: v.offset,
                message: format!(
                    "a message could not be inflated after the gap at byte {gap}: it may refer to compressed bytes the capture lost ({})",
                    v.message
                ),
            }));
        }
        out
    }
}

/// Where the next frame starts when the decoder ended inside a frame whose length it had
/// read and that frame ends at or after `after_gap` (the first byte after the hole), and
/// whether the message that frame belongs to runs on past it.
fn known_next_frame(out: &DecodeOutput, after_gap: u64) -> Option<(u64, bool)> {
    let cut = out.incomplete.as_ref()?;
    let end = cut.offset + cut.have + cut.needed?;
    if end < after_gap {
        return None;
    }
    let open_message = out.messages.iter().any(|m| !m.complete);
    let in_message = match &cut.partial {
        // A data frame (or continuation) that is not the last of its message.
        Some(f) if f.opcode < 8 => !f.fin,
        // A control frame between fragments: the message it interrupted runs on.
        _ => open_message,
    };
    Some((end, in_message))
}
