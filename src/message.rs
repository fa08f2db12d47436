//! A message as decoding reports it: its frames reassembled (RFC 6455 §5.4) and inflated
//! (RFC 7692).

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
