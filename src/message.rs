//! Reassembling a message from its data frames (RFC 6455 §5.4): payloads joined or
//! inflated (RFC 7692), text validated as it arrives, size bounded.

use crate::inflate::{InflateError, Inflater};
use crate::output::{Message, MessageKind, Sink};
use crate::utf8::Utf8Validator;
use crate::violation::ViolationId;

/// One data frame's contribution to the open message.
pub(crate) struct Fragment<'a> {
    /// The unmasked payload.
    pub payload: &'a [u8],
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
    /// Reported as message-too-big (data is cut at the maximum).
    pub too_big: bool,
    frames: Vec<usize>,
    data: Vec<u8>,
    utf8: Utf8Validator,
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
            frames: Vec::new(),
            data: Vec::new(),
            utf8: Utf8Validator::new(),
            utf8_failed: false,
            inflate_failed: false,
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
        self.frames.push(frag.index);
        self.wire_length += frag.payload.len() as u64;
        let limit = max.map(|m| usize::try_from(m).unwrap_or(usize::MAX));
        if self.compressed {
            if let Some(inflater) = inflater {
                self.inflate(frag, inflater, limit, max, sink);
            }
            return;
        }
        // RFC 6455 §5.6: "Note that a particular text frame might include a partial
        // UTF-8 sequence; however, the whole message MUST contain valid UTF-8."
        if self.kind == MessageKind::Text && !self.utf8_failed {
            if let Err(bad) = self.utf8.feed(frag.payload, frag.payload_offset) {
                self.utf8_failed = true;
                sink.violation(
                    ViolationId::InvalidUtf8,
                    bad,
                    Some(frag.index),
                    format!("invalid utf-8 in text message {}", self.index),
                );
            }
        }
        let room = limit.map_or(frag.payload.len(), |l| l.saturating_sub(self.data.len()));
        self.data
            .extend_from_slice(&frag.payload[..frag.payload.len().min(room)]);
        if frag.fin && self.kind == MessageKind::Text && !self.utf8_failed {
            if let Err(bad) = self.utf8.finish() {
                self.utf8_failed = true;
                sink.violation(
                    ViolationId::InvalidUtf8,
                    bad,
                    Some(frag.index),
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
        let mut result = if self.inflate_failed || self.too_big {
            Ok(())
        } else {
            inflater.inflate(frag.payload, &mut self.data, limit)
        };
        if frag.fin {
            // Always end the message, so a broken stream is reset for the next one.
            let end = inflater.finish_message(&mut self.data, limit);
            if result.is_ok() && !self.inflate_failed && !self.too_big {
                result = end;
            }
        }
        match result {
            Ok(()) => {}
            Err(InflateError::Invalid(why)) => {
                self.inflate_failed = true;
                sink.violation(
                    ViolationId::InflateFailed,
                    frag.start,
                    Some(frag.index),
                    format!("compressed message {} does not inflate: {why}", self.index),
                );
            }
            Err(InflateError::TooBig) => {
                self.too_big = true;
                sink.violation(
                    ViolationId::MessageTooBig,
                    frag.start,
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
                // Inflated bytes have no stream offset: point at the frame's payload.
                sink.violation(
                    ViolationId::InvalidUtf8,
                    frag.payload_offset,
                    Some(frag.index),
                    format!(
                        "invalid utf-8 in compressed text message {} at inflated byte {bad}",
                        self.index
                    ),
                );
            }
        }
    }

    /// The message as reported; `complete` is false when it never got its final frame.
    pub fn finish(self, complete: bool) -> Message {
        let text = if self.kind == MessageKind::Text && !self.utf8_failed && !self.inflate_failed {
            valid_prefix(&self.data)
        } else {
            None
        };
        Message {
            index: self.index,
            kind: self.kind,
            frames: self.frames,
            offset: self.offset,
            compressed: self.compressed,
            wire_length: self.wire_length,
            data: self.data,
            text,
            complete,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_prefix_keeps_whole_characters_only() {
        assert_eq!(valid_prefix(b"abc").as_deref(), Some("abc"));
        assert_eq!(valid_prefix(&[0x61, 0xE2, 0x82]).as_deref(), Some("a"));
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
                fin: i == 1,
                index: i,
                start: 10 * i as u64,
                payload_offset: 10 * i as u64 + 2,
            };
            m.add(&frag, None, None, &mut sink);
        }
        assert!(sink.out.violations.is_empty());
        let msg = m.finish(true);
        assert_eq!(msg.text.as_deref(), Some("a€"));
        assert_eq!((msg.frames, msg.wire_length), (vec![0, 1], 4));
    }
}
