//! Reassembling a message from its data frames (RFC 6455 §5.4): payloads joined or
//! inflated (RFC 7692), text validated as it arrives, size bounded.

use crate::inflate::{InflateError, Inflater};
use crate::message::{FrameIndices, Message, MessageKind};
use crate::output::Sink;
use crate::payload::Payload;
use crate::utf8::Utf8Validator;
use crate::violation::ViolationId;

/// One data frame's contribution to the open message.
pub(crate) struct Fragment<'a> {
    /// The unmasked payload as kept (cut short when the message is over the maximum).
    pub payload: &'a [u8],
    /// The same bytes as the frame reports them: a message of this one frame shares it.
    pub handle: &'a Payload,
    /// The payload length on the wire.
    pub wire: u64,
    pub fin: bool,
    /// Frame index.
    pub index: usize,
    /// Stream offset of the frame.
    pub start: u64,
    /// Stream offset of the payload.
    pub payload_offset: u64,
}

/// A message whose first frame has arrived and whose final frame has not yet.
pub(crate) struct OpenMessage {
    pub index: usize,
    pub kind: MessageKind,
    pub offset: u64,
    pub compressed: bool,
    pub wire_length: u64,
    /// Reported as message-too-big (data is cut at the maximum, nothing more is inflated).
    pub too_big: bool,
    /// Frames seen so far, counted from their headers.
    pub fragments: u64,
    frames: FrameIndices,
    data: Vec<u8>,
    /// A message of one uncompressed frame: that frame's payload, not copied.
    shared: Option<Payload>,
    utf8: Utf8Validator,
    /// The frame in which the character left unfinished by the last fragment begins: a
    /// sequence that turns out ill-formed in a later frame is reported in this one, where
    /// its first byte is.
    utf8_pending_frame: usize,
    utf8_failed: bool,
    inflate_failed: bool,
}

impl OpenMessage {
    pub fn new(index: usize, kind: MessageKind, offset: u64, compressed: bool) -> Self {
        OpenMessage {
            index,
            kind,
            offset,
            compressed,
            wire_length: 0,
            too_big: false,
            fragments: 0,
            frames: FrameIndices::default(),
            data: Vec::new(),
            shared: None,
            utf8: Utf8Validator::new(),
            utf8_pending_frame: 0,
            utf8_failed: false,
            inflate_failed: false,
        }
    }

    /// Whether a next frame declaring `payload_len` bytes takes this message past `max`:
    /// its description if so (reported once, by the caller, as `message-too-big`). Counts
    /// the frame. The wire length of a compressed message may exceed the maximum by what
    /// DEFLATE's stored blocks cost; each frame also costs [`FRAGMENT_COST`] bytes, so
    /// empty fragments cannot grow the message's bookkeeping without end.
    pub fn over_limit(&mut self, payload_len: u64, max: u64) -> Option<String> {
        self.fragments += 1;
        if self.too_big {
            return None;
        }
        let wire = self.wire_length.saturating_add(payload_len);
        if wire > max_wire(max, self.compressed) {
            let what = if self.compressed { "compressed " } else { "" };
            return Some(format!(
                "{what}message {} of at least {wire} bytes exceeds the maximum of {max}",
                self.index
            ));
        }
        if self.fragments > max_fragments(max) {
            return Some(format!(
                "message {} of more than {} frames exceeds the maximum of {max} bytes ({FRAGMENT_COST} bytes a frame)",
                self.index,
                max_fragments(max)
            ));
        }
        None
    }

    /// How many payload bytes of a next frame declaring `payload_len` to keep: all of
    /// them, except in a message over the maximum, which keeps no more than `max` bytes
    /// in all (none of a compressed one: it is no longer inflated).
    pub fn keep(&self, payload_len: u64, max: Option<u64>) -> u64 {
        match max {
            Some(max) if self.too_big => {
                if self.compressed {
                    0
                } else {
                    max.saturating_sub(self.wire_length).min(payload_len)
                }
            }
            _ => payload_len,
        }
    }

    /// Adds a fragment; `inflater` is this direction's, given when the message is
    /// compressed. Violations go to the sink.
    pub fn add(
        &mut self,
        frag: &Fragment<'_>,
        inflater: Option<&mut Inflater>,
        max: Option<u64>,
        sink: &mut Sink,
    ) {
        // Bookkeeping stays bounded: past the limit, only the last frame's index is kept.
        let first = self.frames.is_empty();
        match max {
            Some(max) if self.frames.len() as u64 >= max_fragments(max) => {
                self.frames.set_last(frag.index)
            }
            _ => self.frames.push(frag.index),
        }
        self.wire_length = self.wire_length.saturating_add(frag.wire);
        let limit = max.map(|m| usize::try_from(m).unwrap_or(usize::MAX));
        if self.compressed {
            if let Some(inflater) = inflater {
                if self.too_big {
                    // Over the maximum: nothing more is inflated. The next message
                    // starts afresh.
                    if frag.fin {
                        inflater.reset();
                    }
                } else {
                    self.inflate(frag, inflater, limit, max, sink);
                }
            }
            return;
        }
        // RFC 6455 §5.6: "Note that a particular text frame might include a partial
        // UTF-8 sequence; however, the whole message MUST contain valid UTF-8."
        // The frame holding an ill-formed sequence's first byte: this one, or the one
        // where a character left unfinished began.
        let frame_of = |offset: u64, pending: usize| {
            if offset < frag.payload_offset {
                pending
            } else {
                frag.index
            }
        };
        if self.kind == MessageKind::Text && !self.utf8_failed {
            let verdict = self.utf8.feed(frag.payload, frag.payload_offset);
            let pending = self.utf8_pending_frame;
            if self
                .utf8
                .pending_start()
                .is_some_and(|at| at >= frag.payload_offset)
            {
                self.utf8_pending_frame = frag.index;
            }
            if let Err(bad) = verdict {
                self.utf8_failed = true;
                sink.violation(
                    ViolationId::InvalidUtf8,
                    (bad.offset, bad.length),
                    Some(frame_of(bad.offset, pending)),
                    format!("invalid utf-8 in text message {}", self.index),
                );
            }
        }
        let room = limit.map_or(frag.payload.len(), |l| l.saturating_sub(self.data.len()));
        if first && frag.fin && room >= frag.payload.len() {
            // One frame, uncompressed: the message's data is the frame's payload.
            self.shared = Some(frag.handle.clone());
        } else {
            self.data
                .extend_from_slice(&frag.payload[..frag.payload.len().min(room)]);
        }
        if frag.fin && !self.too_big && self.kind == MessageKind::Text && !self.utf8_failed {
            if let Err(bad) = self.utf8.finish() {
                self.utf8_failed = true;
                sink.violation(
                    ViolationId::InvalidUtf8,
                    (bad.offset, bad.length),
                    Some(frame_of(bad.offset, self.utf8_pending_frame)),
                    format!(
                        "text message {} ends in the middle of a character",
                        self.index
                    ),
                );
            }
        }
    }

    fn inflate(
        &mut self,
        frag: &Fragment<'_>,
        inflater: &mut Inflater,
        limit: Option<usize>,
        max: Option<u64>,
        sink: &mut Sink,
    ) {
        let before = self.data.len();
        // The whole frame, for a failure of its payload.
        let frame_span = (
            frag.start,
            (frag.payload_offset - frag.start).saturating_add(frag.wire),
        );
        // A message over the maximum is still inflated (its data no longer kept), so
        // the window is whole for the messages after it.
        let mut result = if self.inflate_failed {
            Ok(())
        } else {
            inflater.inflate(frag.payload, &mut self.data, limit)
        };
        if frag.fin {
            // Always end the message, so a broken stream is reset for the next one.
            let end = inflater.finish_message(&mut self.data, limit);
            if result.is_ok() && !self.inflate_failed {
                result = end;
            }
        }
        match result {
            Ok(()) => {}
            Err(InflateError::TooBig) if self.too_big => {}
            Err(InflateError::Invalid(why)) => {
                self.inflate_failed = true;
                sink.violation(
                    ViolationId::InflateFailed,
                    frame_span,
                    Some(frag.index),
                    format!("compressed message {} does not inflate: {why}", self.index),
                );
            }
            Err(InflateError::TooBig) => {
                self.too_big = true;
                sink.violation(
                    ViolationId::MessageTooBig,
                    frame_span,
                    Some(frag.index),
                    format!(
                        "message {} inflates past the maximum of {} bytes",
                        self.index,
                        max.unwrap_or(0)
                    ),
                );
            }
        }
        if self.kind == MessageKind::Text && !self.utf8_failed && !self.inflate_failed {
            let fresh = self.data.get(before..).unwrap_or_default();
            let mut verdict = self.utf8.feed(fresh, before as u64);
            if frag.fin && !self.too_big {
                verdict = verdict.and_then(|()| self.utf8.finish());
            }
            if let Err(bad) = verdict {
                self.utf8_failed = true;
                // Inflated bytes have no stream offset: point at the frame's payload (the
                // whole frame when it has none).
                let span = if frag.wire > 0 {
                    (frag.payload_offset, frag.wire)
                } else {
                    frame_span
                };
                sink.violation(
                    ViolationId::InvalidUtf8,
                    span,
                    Some(frag.index),
                    format!(
                        "invalid utf-8 in compressed text message {} at inflated byte {}",
                        self.index, bad.offset
                    ),
                );
            }
        }
    }

    /// The message as reported; `complete` is false when it never got its final frame.
    pub fn finish(self, complete: bool) -> Message {
        let text = self.kind == MessageKind::Text && !self.utf8_failed && !self.inflate_failed;
        let (data, text_end) = match self.shared {
            // A whole frame whose every byte the validator passed, to its end.
            Some(shared) => {
                let end = shared.size();
                (shared, text.then_some(end))
            }
            None => {
                // A whole message passed the validator to its end (finish() checked it has
                // no unfinished character); only one cut short needs its valid beginning.
                let text_end = match (text, complete && !self.too_big) {
                    (false, _) => None,
                    (true, true) => Some(self.data.len()),
                    (true, false) => valid_prefix(&self.data),
                };
                (Payload::new(self.data), text_end)
            }
        };
        Message {
            index: self.index,
            kind: self.kind,
            frames: self.frames,
            offset: self.offset,
            compressed: self.compressed,
            wire_length: self.wire_length,
            data,
            text_end,
            complete,
        }
    }
}

/// What each frame of a message costs against the maximum message size, for the
/// bookkeeping it needs (its index in `Message::frames`).
pub(crate) const FRAGMENT_COST: u64 = 16;

/// The most frames a message under `max` bytes may have: `max / FRAGMENT_COST`, and at
/// least 1024 whatever the maximum.
pub(crate) fn max_fragments(max: u64) -> u64 {
    (max / FRAGMENT_COST).max(1024)
}

/// The most wire bytes a message under `max` bytes may have: `max` itself, or for a
/// compressed message, what DEFLATE's worst case (stored blocks, 5 bytes per 64 KiB) and
/// its framing could add, generously: an eighth more and 1 KiB.
pub(crate) fn max_wire(max: u64, compressed: bool) -> u64 {
    if compressed {
        max.saturating_add(max / 8).saturating_add(1024)
    } else {
        max
    }
}

pub(crate) use crate::utf8::valid_prefix;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_prefix_keeps_whole_characters_only() {
        assert_eq!(valid_prefix(b"abc"), Some(3));
        assert_eq!(valid_prefix(&[0x61, 0xE2, 0x82]), Some(1));
        assert_eq!(valid_prefix(&[0x61, 0xFF, 0x62]), None);
    }

    #[test]
    fn fragments_join_and_text_is_checked_across_them() {
        let mut sink = Sink::default();
        let mut m = OpenMessage::new(0, MessageKind::Text, 0, false);
        let parts: [&[u8]; 2] = [&[0x61, 0xE2, 0x82], &[0xAC]];
        for (i, part) in parts.iter().enumerate() {
            let frag = Fragment {
                payload: part,
                handle: &Payload::default(),
                wire: part.len() as u64,
                fin: i == 1,
                index: i,
                start: 10 * i as u64,
                payload_offset: 10 * i as u64 + 2,
            };
            m.add(&frag, None, None, &mut sink);
        }
        assert!(sink.out.violations.is_empty());
        let msg = m.finish(true);
        assert_eq!(msg.text(), Some("a€"));
        assert_eq!((msg.frames.to_vec(), msg.wire_length), (vec![0, 1], 4));
    }
}
