//! Opening handshakes (RFC 6455 §4, draft-hixie-76 §1.3): parse a request or response
//! head with `httparse`, locate every header by byte offset, tell the protocol
//! generation, and check every rule a client or server MUST follow.
//!
//! Running out of input is not an error: a head that has not ended yet, or a hixie-76
//! head still waiting for its key bytes, is reported as incomplete.

mod check_id;
mod generation;
mod lists;
pub(crate) mod nonce;
mod pair;
mod parse;
mod rules;

pub use check_id::CheckId;
pub use generation::Generation;
pub use nonce::generate_key;
pub use pair::check_pair;
pub use parse::{parse_handshake, parse_handshake_with_max};

/// The longest head accepted: a server answers a longer one with 431 Request Header
/// Fields Too Large (RFC 6585 §5).
pub const MAX_HEAD_LENGTH: usize = 8192;

/// The longest head a server may be configured to accept (`serve --max-head`): 64 KiB,
/// eight times the usual 8 KiB, enough for any real handshake and still cheap to parse.
pub const MAX_HEAD_CEILING: usize = 64 * 1024;

/// Whether the bytes are a client's request or a server's response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeKind {
    /// Starts with a request line (`GET /chat HTTP/1.1`).
    Request,
    /// Starts with a status line (`HTTP/1.1 101 Switching Protocols`).
    Response,
}

impl HandshakeKind {
    /// `"request"` or `"response"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            HandshakeKind::Request => "request",
            HandshakeKind::Response => "response",
        }
    }

    /// The bytes hixie-76 puts after this head: the request's 8 key bytes (key3), the
    /// response's 16-byte answer (draft-hixie-thewebsocketprotocol-76 §1.3). The one source
    /// of both lengths for every adapter.
    ///
    /// ```
    /// use wsinspect::HandshakeKind;
    /// assert_eq!(HandshakeKind::Request.hixie76_trailing_len(), 8);
    /// assert_eq!(HandshakeKind::Response.hixie76_trailing_len(), 16);
    /// ```
    pub const fn hixie76_trailing_len(self) -> usize {
        match self {
            HandshakeKind::Request => 8,
            HandshakeKind::Response => 16,
        }
    }
}

/// One header line, located in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The name as sent (case preserved).
    pub name: String,
    /// The value with surrounding spaces and tabs removed (bytes that are not UTF-8
    /// are replaced with U+FFFD).
    pub value: String,
    /// Byte offset of the first byte of the name.
    pub offset: u64,
    /// Length of the line from the name to the end of the value, line ending excluded.
    pub length: u64,
    /// Byte offset of the value.
    pub value_offset: u64,
    /// Length of the value in bytes.
    pub value_length: u64,
    /// The value's bytes as sent, to map positions in `value` back to the input.
    pub(crate) raw_value: Vec<u8>,
}

impl Header {
    /// The input offset of byte `at` of `value`. They differ once the value holds
    /// bytes that are not UTF-8: each run of them (1 to 3 bytes) became one U+FFFD,
    /// 3 bytes long, in `value`.
    pub(crate) fn value_stream_offset(&self, at: usize) -> u64 {
        let (mut in_value, mut in_raw) = (0, 0);
        for chunk in self.raw_value.utf8_chunks() {
            let valid = chunk.valid().len();
            if at < in_value + valid {
                return self.value_offset + (in_raw + at - in_value) as u64;
            }
            in_value += valid;
            in_raw += valid;
            if !chunk.invalid().is_empty() {
                if at < in_value + '\u{FFFD}'.len_utf8() {
                    return self.value_offset + in_raw as u64;
                }
                in_value += '\u{FFFD}'.len_utf8();
                in_raw += chunk.invalid().len();
            }
        }
        self.value_offset + (in_raw + at.saturating_sub(in_value)) as u64
    }
}

/// More input is needed: the head has not ended, or the bytes a hixie-76 head promises
/// (8 key bytes after a request, a 16-byte answer after a response) have not all come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incomplete {
    /// Where the missing part starts: the head's first byte, or the byte after the head.
    pub offset: u64,
    /// How many more bytes are needed, when known.
    pub needed: Option<u64>,
}

/// The bytes are not an HTTP head at all, or too long a one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeError {
    /// [`CheckId::MalformedHttp`] or [`CheckId::HeadTooLarge`].
    pub id: CheckId,
    /// Byte offset of the first byte that cannot be parsed (for `head-too-large`, the
    /// first byte past [`MAX_HEAD_LENGTH`]).
    pub offset: u64,
    /// Lowercase, with the offset and the rule.
    pub message: String,
}

impl std::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HandshakeError {}

/// The outcome of one handshake rule. Every rule that applies is listed, passed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Which rule; its id names what goes wrong when the rule fails (`missing-host`).
    pub id: CheckId,
    /// Whether the handshake follows the rule.
    pub passed: bool,
    /// Lowercase; a failure says what was found, at which byte, and the rule.
    pub message: String,
    /// The section this check cites: the rule's own (`RFC 6455 §4.1`) or a narrower one.
    pub rfc: &'static str,
    /// The offending header's offset, or the start line's when the header is missing.
    pub offset: Option<u64>,
    /// The header the rule is about, lowercase.
    pub header: Option<String>,
    /// What the rule calls for, where the check works it out from the other head: the
    /// Sec-WebSocket-Accept the request's key calls for (`accept-mismatch`, RFC 6455
    /// §4.2.2), or hixie-76's 16-byte answer in hex (`bad-hixie76-answer`); passed or
    /// failed, so a viewer shows it without computing it again.
    pub expected: Option<String>,
}

impl Check {
    /// The rule, in the specification's words: what a passed check shows.
    pub fn rule(&self) -> &'static str {
        self.id.rule()
    }
}

/// A parsed opening handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// Request or response.
    pub kind: HandshakeKind,
    /// Request method (`GET`), once parsed.
    pub method: Option<String>,
    /// Request target (`/chat`), once parsed.
    pub path: Option<String>,
    /// `HTTP/1.1` or `HTTP/1.0`, once parsed.
    pub version: Option<String>,
    /// Response status code, once parsed.
    pub status: Option<u16>,
    /// Response reason phrase, once parsed.
    pub reason: Option<String>,
    /// Offset of the request or status line (after any empty lines before it).
    pub start_line_offset: u64,
    /// Length of that line, line ending excluded (0 until the line has ended).
    pub start_line_length: u64,
    /// Every header, in order. For an incomplete head, the complete lines so far.
    pub headers: Vec<Header>,
    /// Length of the head including its final empty line, once it has ended.
    pub head_length: Option<u64>,
    /// The bytes after the head: a hixie-76 request's 8 key bytes or a hixie-76
    /// response's 16-byte answer come first, then any frames.
    pub trailing: Vec<u8>,
    /// Set when more input is needed; that is not an error.
    pub incomplete: Option<Incomplete>,
    /// Set when the bytes cannot be parsed as an HTTP head, or the head is too long.
    pub error: Option<HandshakeError>,
    /// The protocol generation the headers speak.
    pub generation: Generation,
    /// One entry per rule that applies; empty until the head has ended.
    pub checks: Vec<Check>,
}

impl Handshake {
    /// The first header with this name, compared ASCII case-insensitively.
    #[inline(never)] // called by every rule: one copy keeps the wasm small
    pub fn header(&self, name: &str) -> Option<&Header> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
    }

    /// Every header with this name, in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
    }

    /// Whether the whole head (and hixie-76's trailing key bytes) has come and was parsed.
    pub fn is_complete(&self) -> bool {
        self.incomplete.is_none() && self.head_length.is_some()
    }

    /// Whether the head is complete, parsed, and every check passed.
    pub fn is_valid(&self) -> bool {
        self.incomplete.is_none() && self.error.is_none() && self.checks.iter().all(|c| c.passed)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed)
    }

    /// The 8 key bytes after a hixie-76 request head, once they have all come.
    pub fn hixie76_key3(&self) -> Option<&[u8]> {
        self.leading_trailing(HandshakeKind::Request)
    }

    /// The 16-byte answer after a hixie-76 response head, once it has all come.
    pub fn hixie76_answer(&self) -> Option<&[u8]> {
        self.leading_trailing(HandshakeKind::Response)
    }

    fn leading_trailing(&self, kind: HandshakeKind) -> Option<&[u8]> {
        (self.kind == kind && self.generation == Generation::Hixie76 && self.head_length.is_some())
            .then(|| self.trailing.get(..kind.hixie76_trailing_len()))
            .flatten()
    }
}
