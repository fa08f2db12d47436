//! hixie-75/76 framing (draft-hixie-thewebsocketprotocol-76 §4.2 and §5.3): `0x00
//! <UTF-8> 0xFF` text frames, the `0xFF 0x00` closing frame, and length-prefixed frames
//! (a type byte with the high bit set, then the length in 7-bit groups, high bit =
//! "more").

use crate::coding::FrameKind;
use crate::frame::{Frame, LengthEncoding};
use crate::message::{FrameIndices, Message, MessageKind};
use crate::output::{Incomplete, Sink};
use crate::payload::Payload;
use crate::reassembly::valid_prefix;
use crate::utf8::validate_utf8;
use crate::violation::ViolationId;

enum State {
    /// Waiting for a frame type byte at `start`.
    Type { start: u64 },
    /// Reading data up to the 0xFF terminator.
    Sentinel {
        start: u64,
        index: usize,
        frame_type: u8,
        /// The bytes kept: at most the maximum message size.
        payload: Vec<u8>,
        /// The bytes read.
        seen: u64,
    },
    /// Reading the 7-bit length groups.
    Length {
        start: u64,
        index: usize,
        frame_type: u8,
        length: u64,
        groups: u64,
        overflow: bool,
    },
    /// Reading `remaining` more bytes of data.
    Payload {
        start: u64,
        index: usize,
        frame_type: u8,
        groups: u64,
        remaining: u64,
        payload: Vec<u8>,
        seen: u64,
    },
}

/// The hixie framing state machine; frames and messages go to the shared sink.
pub(crate) struct HixieDecoder {
    state: State,
    /// Index of the closing frame, once seen.
    closed_at: Option<usize>,
    /// Text messages over this many bytes are `message-too-big`, their data cut.
    max_message_size: Option<u64>,
}

impl HixieDecoder {
    pub fn new(start: u64, max_message_size: Option<u64>) -> Self {
        HixieDecoder {
            state: State::Type { start },
            closed_at: None,
            max_message_size,
        }
    }

    /// Decodes `data`, whose first byte is at stream offset `base`.
    pub fn push(&mut self, mut data: &[u8], base: u64, sink: &mut Sink) {
        let mut pos = base;
        while !data.is_empty() {
            match &mut self.state {
                State::Type { start } => {
                    let start = *start;
                    let frame_type = data[0];
                    data = &data[1..];
                    pos += 1;
                    let index = sink.next_frame;
                    sink.next_frame += 1;
                    if let Some(closed) = self.closed_at {
                        sink.violation(
                            ViolationId::HixieDataAfterClose,
                            (start, 1),
                            Some(index),
                            format!("frame type 0x{frame_type:02x} after closing frame {closed}"),
                        );
                    }
                    // "If the high-order bit of the /frame type/ byte is set" a length
                    // follows; otherwise data runs to a 0xFF byte.
                    self.state = if frame_type & 0x80 != 0 {
                        State::Length {
                            start,
                            index,
                            frame_type,
                            length: 0,
                            groups: 0,
                            overflow: false,
                        }
                    } else {
                        State::Sentinel {
                            start,
                            index,
                            frame_type,
                            payload: Vec::new(),
                            seen: 0,
                        }
                    };
                }
                State::Sentinel { payload, seen, .. } => {
                    match data.iter().position(|&b| b == 0xFF) {
                        Some(end) => {
                            keep(payload, seen, &data[..end], self.max_message_size);
                            data = &data[end + 1..];
                            pos += end as u64 + 1;
                            self.complete(pos, sink);
                        }
                        None => {
                            keep(payload, seen, data, self.max_message_size);
                            pos += data.len() as u64;
                            data = &[];
                        }
                    }
                }
                State::Length {
                    start,
                    index,
                    frame_type,
                    length,
                    groups,
                    overflow,
                } => {
                    let b = data[0];
                    data = &data[1..];
                    pos += 1;
                    *groups += 1;
                    match length
                        .checked_mul(128)
                        .and_then(|l| l.checked_add(u64::from(b & 0x7F)))
                    {
                        Some(l) => *length = l,
                        None => {
                            if !*overflow {
                                sink.violation(
                                    ViolationId::HixieLengthOverflow,
                                    (*start + 1, *groups),
                                    Some(*index),
                                    "frame length does not fit in 64 bits".into(),
                                );
                            }
                            *overflow = true;
                            *length = u64::MAX;
                        }
                    }
                    if b & 0x80 == 0 {
                        let payload_len = *length;
                        self.state = State::Payload {
                            start: *start,
                            index: *index,
                            frame_type: *frame_type,
                            groups: *groups,
                            remaining: payload_len,
                            payload: Vec::with_capacity(
                                payload_len
                                    .min(data.len() as u64)
                                    .min(self.max_message_size.unwrap_or(u64::MAX))
                                    as usize,
                            ),
                            seen: 0,
                        };
                        if payload_len == 0 {
                            self.complete(pos, sink);
                        }
                    }
                }
                State::Payload {
                    remaining,
                    payload,
                    seen,
                    ..
                } => {
                    let take = (*remaining).min(data.len() as u64) as usize;
                    keep(payload, seen, &data[..take], self.max_message_size);
                    *remaining -= take as u64;
                    data = &data[take..];
                    pos += take as u64;
                    if *remaining == 0 {
                        self.complete(pos, sink);
                    }
                }
            }
        }
    }

    /// The frame in progress is complete; `next` is the offset of the byte after it.
    fn complete(&mut self, next: u64, sink: &mut Sink) {
        let done = std::mem::replace(&mut self.state, State::Type { start: next });
        let (start, index, frame_type, payload, seen, header_length, encoding) = match done {
            State::Sentinel {
                start,
                index,
                frame_type,
                payload,
                seen,
            } => (
                start,
                index,
                frame_type,
                payload,
                seen,
                1,
                LengthEncoding::HixieSentinel,
            ),
            State::Payload {
                start,
                index,
                frame_type,
                groups,
                payload,
                seen,
                ..
            } => (
                start,
                index,
                frame_type,
                payload,
                seen,
                1 + groups,
                LengthEncoding::HixieLength,
            ),
            State::Type { .. } | State::Length { .. } => return,
        };
        let payload_offset = start + header_length;
        let sentinel = encoding == LengthEncoding::HixieSentinel;
        let kind = match (sentinel, frame_type, payload.len()) {
            (true, 0x00, _) => FrameKind::Text,
            (false, 0xFF, 0) => FrameKind::Close,
            _ => FrameKind::Reserved,
        };
        if kind == FrameKind::Reserved {
            // §4.2/§5.3: other frame types are read and discarded with /error/ set.
            let what = if sentinel {
                "with a terminator is not defined"
            } else if frame_type == 0xFF {
                "with a non-zero length is not the closing frame"
            } else {
                "with a length is not defined"
            };
            sink.violation(
                ViolationId::HixieInvalidFrameType,
                (start, header_length + seen + u64::from(sentinel)),
                Some(index),
                format!("frame type 0x{frame_type:02x} {what} (a receiver discards it)"),
            );
        }
        if kind == FrameKind::Close && self.closed_at.is_none() {
            self.closed_at = Some(index);
        }
        let payload_len = seen;
        let cut = (payload.len() as u64) < seen;
        let length = header_length + payload_len + u64::from(sentinel);
        if kind == FrameKind::Text {
            let message_index = sink.next_message;
            sink.next_message += 1;
            // The configured maximum holds for hixie text messages as for RFC 6455 ones:
            // the message is reported, its data cut at the limit.
            let mut data = payload.clone();
            if let Some(max) = self.max_message_size.filter(|&max| payload_len > max) {
                sink.violation(
                    ViolationId::MessageTooBig,
                    (start, length),
                    Some(index),
                    format!(
                        "message {message_index} of {payload_len} bytes exceeds the maximum of {max}"
                    ),
                );
                data.truncate(usize::try_from(max).unwrap_or(usize::MAX));
            }
            let text_end = match validate_utf8(&payload) {
                Ok(()) => valid_prefix(&data),
                // Cut at the maximum in the middle of a character: its beginning is valid.
                Err(bad)
                    if cut
                        && std::str::from_utf8(&payload[bad.offset as usize..])
                            .is_err_and(|e| e.error_len().is_none()) =>
                {
                    valid_prefix(&data)
                }
                Err(bad) => {
                    sink.violation(
                        ViolationId::HixieInvalidUtf8,
                        (payload_offset + bad.offset, bad.length),
                        Some(index),
                        "invalid utf-8 in text frame".into(),
                    );
                    None
                }
            };
            sink.out.messages.push(Message {
                index: message_index,
                kind: MessageKind::Text,
                frames: FrameIndices::One(index),
                offset: start,
                compressed: false,
                wire_length: payload_len,
                data: Payload::new(data),
                text_end,
                complete: true,
            });
        }
        sink.out.frames.push(Frame {
            index,
            offset: start,
            header_length,
            length,
            opcode: frame_type,
            kind,
            payload_len,
            length_encoding: encoding,
            payload_offset,
            payload: Payload::new(payload),
            ..unmasked_final_frame()
        });
    }

    /// The stream ended: report a frame in progress as incomplete.
    pub fn end(&mut self, sink: &mut Sink) {
        sink.out.incomplete = match &self.state {
            State::Type { .. } => None,
            State::Sentinel {
                start,
                index,
                frame_type,
                payload,
                seen,
            } => Some(Incomplete {
                offset: *start,
                frame: Some(*index),
                have: 1 + seen,
                needed: None,
                min_needed: 1,
                partial: Some(partial_frame(
                    *start,
                    *index,
                    *frame_type,
                    None,
                    payload,
                    *seen,
                    *seen,
                )),
            }),
            State::Length {
                start,
                index,
                groups,
                ..
            } => Some(Incomplete {
                offset: *start,
                frame: Some(*index),
                have: 1 + groups,
                needed: None,
                min_needed: 1,
                partial: None,
            }),
            State::Payload {
                start,
                index,
                frame_type,
                groups,
                remaining,
                payload,
                seen,
            } => Some(Incomplete {
                offset: *start,
                frame: Some(*index),
                have: 1 + groups + seen,
                needed: Some(*remaining),
                min_needed: *remaining,
                partial: Some(partial_frame(
                    *start,
                    *index,
                    *frame_type,
                    Some(*groups),
                    payload,
                    *seen,
                    seen + remaining,
                )),
            }),
        };
    }
}

/// Adds `data` to a frame's payload, which keeps at most `max` bytes; `seen` counts them all.
fn keep(payload: &mut Vec<u8>, seen: &mut u64, data: &[u8], max: Option<u64>) {
    let room = max.map_or(usize::MAX, |m| {
        usize::try_from(m)
            .unwrap_or(usize::MAX)
            .saturating_sub(payload.len())
    });
    payload.extend_from_slice(&data[..data.len().min(room)]);
    *seen += data.len() as u64;
}

/// A truncated frame as far as it came: its type byte, its length groups when it has
/// them (`groups`), and the `present` payload bytes that arrived, of which `payload`
/// keeps those within the maximum message size. Its `length` and payload field count
/// every byte present, kept or not, as an RFC 6455 frame's do.
fn partial_frame(
    start: u64,
    index: usize,
    frame_type: u8,
    groups: Option<u64>,
    payload: &[u8],
    present: u64,
    payload_len: u64,
) -> Frame {
    let header_length = 1 + groups.unwrap_or(0);
    let (kind, length_encoding) = match groups {
        None if frame_type == 0x00 => (FrameKind::Text, LengthEncoding::HixieSentinel),
        None => (FrameKind::Reserved, LengthEncoding::HixieSentinel),
        Some(_) => (FrameKind::Reserved, LengthEncoding::HixieLength),
    };
    Frame {
        index,
        offset: start,
        header_length,
        length: header_length + present,
        opcode: frame_type,
        kind,
        payload_len,
        length_encoding,
        payload_offset: start + header_length,
        payload: Payload::new(payload.to_vec()),
        ..unmasked_final_frame()
    }
}

/// What every hixie frame shares: no FIN/RSV/mask bits on the wire (hixie has none, so
/// they read as a final, unmasked frame), no close code and nothing compressed (hixie-76
/// has no extensions); callers fill in the rest.
fn unmasked_final_frame() -> Frame {
    Frame {
        index: 0,
        offset: 0,
        header_length: 0,
        length: 0,
        fin: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: 0,
        kind: FrameKind::Reserved,
        compressed: false,
        masked: false,
        masking_key: None,
        payload_len: 0,
        length_encoding: LengthEncoding::HixieSentinel,
        payload_offset: 0,
        payload: Payload::default(),
        close_code: None,
        close_code_name: None,
        close_reason: None,
    }
}
