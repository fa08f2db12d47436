//! A message as decoding reports it: its frames reassembled (RFC 6455 §5.4) and inflated
//! (RFC 7692).

use std::ops::Deref;

use crate::payload::Payload;

/// A message's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// UTF-8 text.
    Text,
    /// Binary data.
    Binary,
}

impl MessageKind {
    /// Both kinds, in a fixed order (the binding's records name a kind by its place here).
    pub const ALL: [MessageKind; 2] = [MessageKind::Text, MessageKind::Binary];

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
    pub frames: FrameIndices,
    /// Stream offset of its first frame.
    pub offset: u64,
    /// Compressed with permessage-deflate (RSV1 on its first frame).
    pub compressed: bool,
    /// Sum of its frames' payload lengths on the wire.
    pub wire_length: u64,
    /// The payload, reassembled and inflated (cut at the maximum message size). A message
    /// of one uncompressed frame shares its frame's payload.
    pub data: Payload,
    /// How many bytes of `data` are its text (see [`Message::text`]).
    pub(crate) text_end: Option<usize>,
    /// False when the message never got its final frame (the stream ended, or another
    /// message began: see `expected-continuation`).
    pub complete: bool,
}

impl Message {
    /// Text messages whose data is valid UTF-8 (of an unfinished message: its valid
    /// beginning); `None` for binary messages and invalid text.
    pub fn text(&self) -> Option<&str> {
        let end = self.text_end?;
        // The decoder validated these bytes; checking again costs a fast scan and keeps
        // this crate free of unchecked UTF-8.
        crate::utf8::as_str(self.data.get(..end)?)
    }
}

/// The indices of a message's frames: one inline (most messages have one frame), more on
/// the heap. Derefs to `[usize]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameIndices {
    /// A message of one frame (so far).
    One(usize),
    /// A message of several frames, or none yet.
    Many(Vec<usize>),
}

impl Default for FrameIndices {
    fn default() -> Self {
        FrameIndices::Many(Vec::new())
    }
}

impl FrameIndices {
    /// Adds the next frame's index.
    pub(crate) fn push(&mut self, index: usize) {
        match self {
            FrameIndices::Many(list) if list.is_empty() => *self = FrameIndices::One(index),
            FrameIndices::Many(list) => list.push(index),
            FrameIndices::One(first) => *self = FrameIndices::Many(vec![*first, index]),
        }
    }

    #[cfg(feature = "conversation")]
    /// Adds `by` to every index.
    pub(crate) fn offset_by(&mut self, by: usize) {
        match self {
            FrameIndices::One(index) => *index += by,
            FrameIndices::Many(list) => list.iter_mut().for_each(|i| *i += by),
        }
    }

    /// Replaces the last index (for bookkeeping bounded past the frame limit).
    pub(crate) fn set_last(&mut self, index: usize) {
        match self {
            FrameIndices::One(only) => *only = index,
            FrameIndices::Many(list) => {
                if let Some(last) = list.last_mut() {
                    *last = index;
                }
            }
        }
    }
}

impl Deref for FrameIndices {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        match self {
            FrameIndices::One(only) => std::slice::from_ref(only),
            FrameIndices::Many(list) => list,
        }
    }
}

impl PartialEq<Vec<usize>> for FrameIndices {
    fn eq(&self, other: &Vec<usize>) -> bool {
        **self == **other
    }
}

impl<const N: usize> PartialEq<[usize; N]> for FrameIndices {
    fn eq(&self, other: &[usize; N]) -> bool {
        **self == other[..]
    }
}

impl From<Vec<usize>> for FrameIndices {
    fn from(list: Vec<usize>) -> Self {
        match list.as_slice() {
            [only] => FrameIndices::One(*only),
            _ => FrameIndices::Many(list),
        }
    }
}
