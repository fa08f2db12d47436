//! From bytes to a [`Handshake`]: `httparse` does the HTTP tokenizing; this file turns
//! its slices into byte offsets, finds where a malformed head stops parsing, and keeps
//! the complete lines of a head that has not ended yet.

use httparse::Status;

use super::generation::{detect, Generation};
use super::{
    rules, CheckId, Handshake, HandshakeError, HandshakeKind, Header, Incomplete, MAX_HEAD_LENGTH,
};

/// Headers tried first; a head with more is parsed again with room for as many
/// headers as [`MAX_HEAD_LENGTH`] bytes can hold.
const FIRST_HEADER_CAPACITY: usize = 64;

/// Parses an opening handshake request or response (RFC 6455 §4).
///
/// Never fails and never panics: a head that has not ended is `incomplete`, bytes that
/// are not HTTP give an `error` with the offset where parsing stopped, and every rule
/// is a [`super::Check`].
///
/// ```
/// let request = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\n\
///     Upgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
/// let handshake = wsinspect::parse_handshake(request);
/// assert!(handshake.is_valid());
/// assert_eq!(handshake.generation.name(), "rfc6455");
/// assert_eq!(handshake.header("host").unwrap().offset, 20);
/// ```
pub fn parse_handshake(bytes: &[u8]) -> Handshake {
    parse_handshake_with_max(bytes, MAX_HEAD_LENGTH)
}

/// [`parse_handshake`] with another longest head than [`MAX_HEAD_LENGTH`] (a server's
/// configured limit, at most [`super::MAX_HEAD_CEILING`]): a longer head is
/// `head-too-large`.
///
/// ```
/// let mut request = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
/// request.resize(10_000, b'x');
/// request.extend_from_slice(b"\r\n\r\n");
/// assert_eq!(wsinspect::parse_handshake(&request).error.unwrap().id.as_str(), "head-too-large");
/// let handshake = wsinspect::handshake::parse_handshake_with_max(&request, 16384);
/// assert!(handshake.error.is_none());
/// ```
pub fn parse_handshake_with_max(bytes: &[u8], max_head: usize) -> Handshake {
    let max = max_head.min(super::MAX_HEAD_CEILING);
    let start = bytes
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(bytes.len());
    let kind = detect_kind(&bytes[start..]);
    let mut handshake = Handshake {
        kind,
        method: None,
        path: None,
        version: None,
        status: None,
        reason: None,
        start_line_offset: start as u64,
        start_line_length: 0,
        headers: Vec::new(),
        head_length: None,
        trailing: Vec::new(),
        incomplete: None,
        error: None,
        generation: Generation::Unknown,
        checks: Vec::new(),
    };

    let (head, status) = run_httparse(bytes, kind, max);
    handshake.method = head.method;
    handshake.path = head.path;
    handshake.version = head.version.map(|minor| format!("HTTP/1.{minor}"));
    handshake.status = head.code;
    handshake.reason = head.reason;
    handshake.start_line_length = start_line_length(bytes, start);

    match status {
        Ok(Status::Complete(length)) => {
            handshake.headers = head.headers;
            handshake.head_length = Some(length as u64);
            handshake.trailing = bytes[length..].to_vec();
            if length > max {
                handshake.error = Some(head_too_large(max));
            }
        }
        Ok(Status::Partial) => {
            handshake.headers = complete_lines_so_far(bytes, kind, max);
            if bytes.len() > max {
                handshake.error = Some(head_too_large(max));
            } else {
                handshake.incomplete = Some(Incomplete {
                    offset: start as u64,
                    needed: None,
                });
            }
        }
        Err(httparse::Error::TooManyHeaders) => {
            handshake.headers = complete_lines_so_far(bytes, kind, max);
            handshake.error = Some(head_too_large(max));
        }
        Err(error) => {
            let offset = error_offset(bytes, kind, max);
            // Only a line ending before the error ends the start line: what follows a
            // malformed byte depends on how much has arrived (found by fuzzing the
            // conversation in chunks), and a head is judged by the bytes up to its error.
            handshake.start_line_length = start_line_length(&bytes[..offset.max(start)], start);
            handshake.headers = complete_lines_so_far(&bytes[..offset], kind, max);
            handshake.error = Some(malformed(error, offset, bytes.get(offset).copied()));
        }
    }

    handshake.generation = detect(&handshake);
    if let Some(head_length) = handshake.head_length {
        handshake.incomplete = hixie76_bytes_missing(&handshake, head_length);
        handshake.checks = rules::checks(&handshake);
    }
    handshake
}

/// A response starts with `HTTP/`; so might a request, briefly, while only `H` or `HT`
/// has come: such a short prefix is taken as a response until it says otherwise.
fn detect_kind(rest: &[u8]) -> HandshakeKind {
    let prefix = b"HTTP/";
    if rest.starts_with(prefix) || (!rest.is_empty() && prefix.starts_with(rest)) {
        HandshakeKind::Response
    } else {
        HandshakeKind::Request
    }
}

/// Hixie-76 carries bytes after the head: "the client sends ... eight random bytes"
/// (key3) and the server answers with "a 16 byte ... challenge response" (§1.3).
fn hixie76_bytes_missing(handshake: &Handshake, head_length: u64) -> Option<Incomplete> {
    if handshake.generation != Generation::Hixie76 {
        return None;
    }
    let expected = handshake.kind.hixie76_trailing_len() as u64;
    let have = handshake.trailing.len() as u64;
    // `then`, not `then_some`: the subtraction must not run when nothing is missing.
    (have < expected).then(|| Incomplete {
        offset: head_length,
        needed: Some(expected - have),
    })
}

/// What `httparse` found, copied out of its borrowed slices.
#[derive(Default)]
struct RawHead {
    method: Option<String>,
    path: Option<String>,
    version: Option<u8>,
    code: Option<u16>,
    reason: Option<String>,
    headers: Vec<Header>,
}

#[inline(never)] // three callers; each inlined copy would carry both parsers
fn run_httparse(buf: &[u8], kind: HandshakeKind, max: usize) -> (RawHead, httparse::Result<usize>) {
    let first = run_httparse_with(buf, kind, FIRST_HEADER_CAPACITY);
    if let (_, Err(httparse::Error::TooManyHeaders)) = first {
        // The shortest header line is 3 bytes ("a:" and a bare LF).
        let most = buf.len().min(max) / 3 + 2;
        if most > FIRST_HEADER_CAPACITY {
            return run_httparse_with(buf, kind, most);
        }
    }
    first
}

fn run_httparse_with(
    buf: &[u8],
    kind: HandshakeKind,
    capacity: usize,
) -> (RawHead, httparse::Result<usize>) {
    let mut slots = vec![httparse::EMPTY_HEADER; capacity];
    let mut head = RawHead::default();
    let status = match kind {
        HandshakeKind::Request => {
            let mut request = httparse::Request::new(&mut slots);
            let status = request.parse(buf);
            head.method = request.method.map(String::from);
            head.path = request.path.map(String::from);
            head.version = request.version;
            if let Ok(Status::Complete(_)) = status {
                head.headers = request.headers.iter().map(|h| locate(buf, h)).collect();
            }
            status
        }
        HandshakeKind::Response => {
            let mut response = httparse::Response::new(&mut slots);
            let status = response.parse(buf);
            head.version = response.version;
            head.code = response.code;
            head.reason = response.reason.map(String::from);
            if let Ok(Status::Complete(_)) = status {
                head.headers = response.headers.iter().map(|h| locate(buf, h)).collect();
            }
            status
        }
    };
    (head, status)
}

/// Where `part` (a slice `httparse` returned) sits inside `buf`.
fn offset_in(buf: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize)
        .wrapping_sub(buf.as_ptr() as usize)
        .min(buf.len())
}

fn locate(buf: &[u8], header: &httparse::Header<'_>) -> Header {
    let offset = offset_in(buf, header.name.as_bytes());
    let value_offset = offset_in(buf, header.value);
    let value_end = (value_offset + header.value.len()).min(buf.len());
    let mut line_end = buf[value_end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(buf.len(), |p| value_end + p);
    if line_end > value_end && buf[line_end - 1] == b'\r' {
        line_end -= 1;
    }
    Header {
        name: header.name.to_string(),
        value: String::from_utf8_lossy(header.value).into_owned(),
        offset: offset as u64,
        length: line_end.saturating_sub(offset) as u64,
        value_offset: value_offset as u64,
        value_length: header.value.len() as u64,
        raw_value: header.value.to_vec(),
    }
}

fn start_line_length(bytes: &[u8], start: usize) -> u64 {
    let rest = &bytes[start..];
    match rest.iter().position(|&b| b == b'\n') {
        Some(end) if end > 0 && rest[end - 1] == b'\r' => (end - 1) as u64,
        Some(end) => end as u64,
        None => 0,
    }
}

/// The header lines of a head that has not ended (or stops parsing) which are complete:
/// `httparse` keeps no headers from a partial parse, so the bytes up to the last line
/// ending are parsed again with an empty line appended. Offsets are the same, since the
/// copy starts with the same bytes.
fn complete_lines_so_far(bytes: &[u8], kind: HandshakeKind, max: usize) -> Vec<Header> {
    let window = &bytes[..bytes.len().min(max)];
    let Some(last_newline) = window.iter().rposition(|&b| b == b'\n') else {
        return Vec::new();
    };
    let mut copy = Vec::with_capacity(last_newline + 3);
    copy.extend_from_slice(&window[..=last_newline]);
    copy.extend_from_slice(b"\r\n");
    match run_httparse(&copy, kind, max) {
        (head, Ok(Status::Complete(_))) => head.headers,
        _ => Vec::new(),
    }
}

/// The offset of the byte `httparse` rejects: the shortest prefix that fails to parse
/// ends with it. Every shorter prefix is partial (a prefix cannot be complete, or the
/// whole input would be), so the search is a bisection.
fn error_offset(bytes: &[u8], kind: HandshakeKind, max: usize) -> usize {
    let fails = |n: usize| run_httparse(&bytes[..n], kind, max).1.is_err();
    let (mut ok, mut bad) = (0, bytes.len());
    while bad - ok > 1 {
        let mid = ok + (bad - ok) / 2;
        if fails(mid) {
            bad = mid;
        } else {
            ok = mid;
        }
    }
    bad.saturating_sub(1)
}

fn malformed(error: httparse::Error, offset: usize, byte: Option<u8>) -> HandshakeError {
    let (what, rfc) = match error {
        httparse::Error::HeaderName => ("invalid header name", "RFC 7230 §3.2"),
        httparse::Error::HeaderValue => ("invalid header value", "RFC 7230 §3.2"),
        httparse::Error::NewLine => ("invalid line ending", "RFC 7230 §3"),
        httparse::Error::Status => ("invalid status code", "RFC 7230 §3.1.2"),
        httparse::Error::Token => ("invalid method or request target", "RFC 7230 §3.1.1"),
        httparse::Error::TooManyHeaders => ("too many headers", "RFC 6585 §5"),
        httparse::Error::Version => ("invalid http version", "RFC 7230 §2.6"),
    };
    let found = match byte {
        Some(b) if b.is_ascii_graphic() => format!(" (0x{b:02x} '{}')", char::from(b)),
        Some(b) => format!(" (0x{b:02x})"),
        None => String::new(),
    };
    HandshakeError {
        id: CheckId::MalformedHttp,
        offset: offset as u64,
        message: format!("{what} at byte {offset}{found} ({rfc})"),
    }
}

fn head_too_large(max: usize) -> HandshakeError {
    HandshakeError {
        id: CheckId::HeadTooLarge,
        offset: max as u64,
        message: format!(
            "handshake head is longer than {max} bytes, a server answers 431 (RFC 6585 §5)"
        ),
    }
}
