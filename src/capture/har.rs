//! The browser's HAR export ("Save all as HAR with content" in Chrome's and Firefox's
//! network panels; Playwright's `recordHar`): every WebSocket entry, with its handshake
//! heads rebuilt from the recorded headers and its messages as the browser saw them.
//!
//! HAR 1.2 has no place for WebSocket messages; Chrome DevTools adds them to the entry as
//! `_webSocketMessages`: `[{"type": "send" | "receive", "time": <seconds since the
//! epoch>, "opcode": 1, "data": "..."}]`. Playwright writes the same shape with `time` in
//! milliseconds. `data` follows the DevTools protocol's `WebSocketFrame.payloadData`: "If
//! the opcode is 1, this is a text message and payloadData is a UTF-8 string. If the
//! opcode isn't 1, then payloadData is a base64 encoded string representing binary data."

use base64::Engine as _;
use serde_json::{Map, Value};
use std::net::IpAddr;

use super::CaptureError;
use crate::direction::{Direction, Endpoint};

/// One WebSocket entry of a HAR.
#[derive(Debug, Clone, PartialEq)]
pub struct HarConversation {
    /// The entry's `request.url`: a ws:// or wss:// URL.
    pub url: String,
    /// `startedDateTime` as seconds since the Unix epoch.
    pub started: Option<f64>,
    /// `serverIPAddress` (IPv6 in its compressed form) and the URL's port (80 for ws://,
    /// 443 for wss:// when the URL names none).
    pub server: Option<Endpoint>,
    /// `"GET /path HTTP/1.1\r\nName: value\r\n...\r\n\r\n"`, rebuilt from the request's
    /// method, URL and headers; `None` when the entry has no headers or HTTP/2
    /// pseudo-headers (`:method`), which have no HTTP/1.1 form.
    pub request_head: Option<Vec<u8>>,
    /// `"HTTP/1.1 101 Switching Protocols\r\n...\r\n\r\n"`, rebuilt the same way; `None`
    /// when the entry has no response headers (the handshake did not complete).
    pub response_head: Option<Vec<u8>>,
    /// The messages, in the HAR's order.
    pub messages: Vec<HarMessage>,
    /// What was skipped or assumed in this entry, for people, lowercase: a message whose
    /// type is `"error"`, headers that cannot be written as HTTP/1.1.
    pub notes: Vec<String>,
}

/// One message of a [`HarConversation`].
#[derive(Debug, Clone, PartialEq)]
pub struct HarMessage {
    /// `"send"` is the client's (the browser sends), `"receive"` the server's.
    pub direction: Direction,
    /// Seconds since the Unix epoch; NaN when the HAR has none (Playwright's
    /// `omitTiming` writes -1).
    pub time: f64,
    /// The frame opcode the browser reports: 1 text, 2 binary (others are kept).
    pub opcode: u8,
    /// The payload: the text's UTF-8 bytes for opcode 1, the base64 decoded otherwise;
    /// when the base64 does not decode, the string's bytes as they are.
    pub data: Vec<u8>,
    /// Why `data` is not decoded base64, for people, lowercase.
    pub base64_error: Option<String>,
}

/// A time above this is milliseconds, not seconds: 1e11 seconds is the year 5138, 1e11
/// milliseconds 1973. Chrome DevTools writes seconds, Playwright milliseconds.
const MILLISECONDS_ABOVE: f64 = 1e11;

/// How far into the file [`looks_like_har`] looks for `"entries"`: the `pages` list
/// before it is small.
const ENTRIES_WITHIN: usize = 1 << 20;

/// Is this a HAR (a JSON object with "log" holding "entries")? Cheap, by its first bytes:
/// `{"log": {` (any whitespace, after an optional byte order mark) and `"entries"` in the
/// first megabyte.
pub(crate) fn looks_like_har(bytes: &[u8]) -> bool {
    let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some(rest) = skip_token(rest, b"{") else {
        return false;
    };
    let Some(rest) = skip_token(rest, b"\"log\"") else {
        return false;
    };
    let Some(rest) = skip_token(rest, b":") else {
        return false;
    };
    if skip_token(rest, b"{").is_none() {
        return false;
    }
    let window = &bytes[..bytes.len().min(ENTRIES_WITHIN)];
    window
        .windows(b"\"entries\"".len())
        .any(|w| w == b"\"entries\"")
}

/// The bytes after `token`, when `bytes` starts with it after JSON whitespace.
fn skip_token<'a>(bytes: &'a [u8], token: &[u8]) -> Option<&'a [u8]> {
    // RFC 8259 §2: ws = *( %x20 / %x09 / %x0A / %x0D )
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))?;
    bytes[start..].strip_prefix(token)
}

/// Every WebSocket entry (those with `_webSocketMessages`, or response status 101 with an
/// Upgrade: websocket request). Errors say where (line and column, as serde_json reports,
/// and the byte offset) and what.
pub fn read_har(bytes: &[u8]) -> Result<Vec<HarConversation>, CaptureError> {
    let json = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bom = (bytes.len() - json.len()) as u64;
    let root: Value = serde_json::from_slice(json).map_err(|e| {
        // At the end of the input serde_json names the last byte read; the fault is
        // that nothing follows it.
        let offset = bom
            + if e.is_eof() {
                json.len() as u64
            } else {
                offset_of(json, e.line(), e.column())
            };
        CaptureError {
            message: format!("not a har: {e} (byte {offset})"),
            offset,
            packet: None,
        }
    })?;
    let entries = root
        .get("log")
        .and_then(|log| log.get("entries"))
        .and_then(Value::as_array)
        .ok_or_else(|| CaptureError {
            message: "not a har: the json has no log.entries list".to_string(),
            offset: 0,
            packet: None,
        })?;
    Ok(entries
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| read_entry(index, entry.as_object()?))
        .collect())
}

/// The byte offset of serde_json's 1-based line and column (column 0 is a line's start,
/// as serde_json reports an error right after a newline).
fn offset_of(bytes: &[u8], line: usize, column: usize) -> u64 {
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(bytes.len(), |(at, _)| at + 1)
    };
    (line_start + column.saturating_sub(1)).min(bytes.len()) as u64
}

/// The entry as a conversation, when it is a WebSocket's.
fn read_entry(index: usize, entry: &Map<String, Value>) -> Option<HarConversation> {
    let request = entry.get("request").and_then(Value::as_object);
    let response = entry.get("response").and_then(Value::as_object);
    let raw_messages = entry.get("_webSocketMessages");
    let status = response
        .and_then(|r| r.get("status"))
        .and_then(Value::as_i64);
    let upgrade = request
        .map(|r| headers_of(r))
        .and_then(|headers| header_value(&headers, "upgrade"))
        .is_some_and(|value| {
            value
                .split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("websocket"))
        });
    if raw_messages.is_none() && !(status == Some(101) && upgrade) {
        return None;
    }
    let entry_number = index + 1;
    let mut notes = Vec::new();
    let url = request
        .and_then(|r| r.get("url"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let started = entry
        .get("startedDateTime")
        .and_then(Value::as_str)
        .and_then(epoch_seconds);
    let server = server_endpoint(entry, &url);
    let request_head = request.and_then(|r| request_head(r, &url, entry_number, &mut notes));
    let response_head = response.and_then(|r| response_head(r, entry_number, &mut notes));
    let messages = match raw_messages {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(at, m)| read_message(entry_number, at + 1, m, &mut notes))
            .collect(),
        Some(_) => {
            notes.push(format!(
                "entry {entry_number}: _webSocketMessages is not a list, no messages read"
            ));
            Vec::new()
        }
        None => {
            // Playwright's `content: "attach"` keeps them in a file beside the HAR.
            if let Some(file) = response
                .and_then(|r| r.get("content"))
                .and_then(|c| c.get("_file"))
                .and_then(Value::as_str)
            {
                notes.push(format!(
                    "entry {entry_number}: the messages are in the attached file {file}, not in the har"
                ));
            } else {
                notes.push(format!("entry {entry_number}: the har holds no messages"));
            }
            Vec::new()
        }
    };
    Some(HarConversation {
        url,
        started,
        server,
        request_head,
        response_head,
        messages,
        notes,
    })
}

/// One `_webSocketMessages` item, or `None` (with a note) when it is not a message either
/// side sent.
fn read_message(
    entry: usize,
    number: usize,
    message: &Value,
    notes: &mut Vec<String>,
) -> Option<HarMessage> {
    let kind = message.get("type").and_then(Value::as_str);
    let direction = match kind {
        Some("send") => Direction::Client,
        Some("receive") => Direction::Server,
        other => {
            // DevTools' WebSocketFrameType has a third value, "error": the data is the
            // browser's error message, not bytes on the wire.
            let data = message.get("data").and_then(Value::as_str).unwrap_or("");
            notes.push(match other {
                Some("error") => {
                    format!(
                        "entry {entry}, message {number}: the browser reported an error: {data}"
                    )
                }
                Some(name) => format!("entry {entry}, message {number}: type {name:?} skipped"),
                None => format!("entry {entry}, message {number}: no type, skipped"),
            });
            return None;
        }
    };
    let time = message
        .get("time")
        .and_then(Value::as_f64)
        .filter(|t| t.is_finite() && *t >= 0.0)
        .map_or(f64::NAN, |t| {
            if t > MILLISECONDS_ABOVE {
                t / 1000.0
            } else {
                t
            }
        });
    let Some(opcode) = message
        .get("opcode")
        .and_then(Value::as_u64)
        .and_then(|op| u8::try_from(op).ok())
        .filter(|op| *op <= 0x0F)
    else {
        notes.push(format!(
            "entry {entry}, message {number}: no opcode from 0 to 15, skipped"
        ));
        return None;
    };
    let text = message.get("data").and_then(Value::as_str).unwrap_or("");
    let (data, base64_error) = if opcode == 1 {
        (text.as_bytes().to_vec(), None)
    } else {
        match base64::engine::general_purpose::STANDARD.decode(text) {
            Ok(bytes) => (bytes, None),
            Err(e) => (
                text.as_bytes().to_vec(),
                Some(format!(
                    "entry {entry}, message {number}: the data is not base64: {}",
                    base64_error_text(&e)
                )),
            ),
        }
    };
    Some(HarMessage {
        direction,
        time,
        opcode,
        data,
        base64_error,
    })
}

/// A base64 error for people, lowercase, with the character offset.
fn base64_error_text(error: &base64::DecodeError) -> String {
    match error {
        base64::DecodeError::InvalidByte(at, byte) => {
            format!("byte 0x{byte:02x} at character {at}")
        }
        base64::DecodeError::InvalidLength(length) => {
            format!("{length} characters is not a length base64 has")
        }
        base64::DecodeError::InvalidLastSymbol(at, byte) => {
            format!("last symbol 0x{byte:02x} at character {at} has bits past the data")
        }
        base64::DecodeError::InvalidPadding => "bad padding".to_string(),
    }
}

/// The server's address: `serverIPAddress` and the URL's port.
fn server_endpoint(entry: &Map<String, Value>, url: &str) -> Option<Endpoint> {
    let address = entry.get("serverIPAddress").and_then(Value::as_str)?;
    // DevTools means to drop an IPv6 address's brackets (RFC 2373 §2.2) but its pattern
    // /\[\]/g matches only "[]", so its HARs keep them: "[::1]".
    let bare = address.trim().trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = bare.parse().ok()?;
    let (_, authority, _) = split_url(url)?;
    Some(Endpoint {
        address: ip.to_string(),
        port: url_port(url, authority)?,
    })
}

/// The URL's scheme, authority and the rest (path, query, fragment).
fn split_url(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some((scheme, &rest[..end], &rest[end..]))
}

/// The port an authority names, else the scheme's (RFC 6455 §3: "The port component is
/// OPTIONAL; the default for "ws" is port 80, while the default for "wss" is port 443").
fn url_port(url: &str, authority: &str) -> Option<u16> {
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let after_host = match host.rfind(']') {
        Some(close) => &host[close + 1..],
        None => host,
    };
    if let Some((_, port)) = after_host.rsplit_once(':') {
        if !port.is_empty() {
            return port.parse().ok();
        }
    }
    let scheme = url.split_once("://")?.0.to_ascii_lowercase();
    match scheme.as_str() {
        "ws" | "http" => Some(80),
        "wss" | "https" => Some(443),
        _ => None,
    }
}

/// A request's or response's `headers` list, as name and value pairs.
fn headers_of(message: &Map<String, Value>) -> Vec<(&str, &str)> {
    message
        .get("headers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|h| {
                    Some((
                        h.get("name")?.as_str()?,
                        h.get("value").and_then(Value::as_str).unwrap_or(""),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The first value of the named header (names compare without case, RFC 9110 §5.1).
fn header_value<'a>(headers: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// The HTTP version to write: the entry's when it is `HTTP/x.y`, else HTTP/1.1 (the
/// version RFC 6455 §4.1 requires: "the method of the request MUST be GET, and the HTTP
/// version MUST be at least 1.1").
fn http_version(message: &Map<String, Value>) -> String {
    let version = message
        .get("httpVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let upper = version.to_ascii_uppercase();
    let digits = upper.strip_prefix("HTTP/").unwrap_or("").as_bytes();
    if digits.len() == 3
        && digits[0].is_ascii_digit()
        && digits[1] == b'.'
        && digits[2].is_ascii_digit()
    {
        upper
    } else {
        "HTTP/1.1".to_string()
    }
}

/// The request head: `GET /path HTTP/1.1`, then the headers.
fn request_head(
    request: &Map<String, Value>,
    url: &str,
    entry: usize,
    notes: &mut Vec<String>,
) -> Option<Vec<u8>> {
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .unwrap_or("GET");
    // RFC 9112 §3.2.1: origin-form = absolute-path [ "?" query ]; the fragment is not
    // sent (RFC 6455 §3: "Fragment identifiers are meaningless in the context of
    // WebSocket URIs").
    let rest = split_url(url).map_or("", |(_, _, rest)| rest);
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let target = if rest.starts_with('/') {
        rest.to_string()
    } else {
        format!("/{rest}")
    };
    let start = format!("{method} {target} {}", http_version(request));
    head(start, &headers_of(request), "request", entry, notes)
}

/// The response head: `HTTP/1.1 101 Switching Protocols`, then the headers.
fn response_head(
    response: &Map<String, Value>,
    entry: usize,
    notes: &mut Vec<String>,
) -> Option<Vec<u8>> {
    let status = response.get("status").and_then(Value::as_i64)?;
    if !(100..=999).contains(&status) {
        return None;
    }
    let reason = response
        .get("statusText")
        .and_then(Value::as_str)
        .unwrap_or("");
    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
    let start = format!("{} {status} {reason}", http_version(response));
    head(start, &headers_of(response), "response", entry, notes)
}

/// The start line and the headers as an HTTP/1.1 head (RFC 9112 §2.1: start-line CRLF
/// *( field-line CRLF ) CRLF), or `None` when there are no headers, HTTP/2 pseudo-headers,
/// or a name or value that cannot be written on one line.
fn head(
    start: String,
    headers: &[(&str, &str)],
    which: &str,
    entry: usize,
    notes: &mut Vec<String>,
) -> Option<Vec<u8>> {
    if headers.is_empty() {
        return None;
    }
    // RFC 9113 §8.3: "Pseudo-header fields are not HTTP header fields"; they begin with
    // ':' and have no HTTP/1.1 form.
    if headers.iter().any(|(name, _)| name.starts_with(':')) {
        notes.push(format!(
            "entry {entry}: the {which} headers are http/2 pseudo-headers, no http/1.1 head"
        ));
        return None;
    }
    let breaks = |s: &str| s.contains(['\r', '\n']);
    if breaks(&start) || headers.iter().any(|(n, v)| breaks(n) || breaks(v)) {
        notes.push(format!(
            "entry {entry}: a {which} header holds a line break, no head"
        ));
        return None;
    }
    let mut text = start;
    text.push_str("\r\n");
    for (name, value) in headers {
        text.push_str(name);
        text.push_str(": ");
        text.push_str(value);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    Some(text.into_bytes())
}

/// An ISO 8601 date and time (`2026-12-06T23:36:27.354Z`, `2026-12-07T00:36:27.354+01:00`)
/// as seconds since the Unix epoch; without a zone it is taken as UTC.
fn epoch_seconds(text: &str) -> Option<f64> {
    let b = text.trim().as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut fraction = 0.0;
    if b.get(at) == Some(&b'.') {
        let end = b[at + 1..]
            .iter()
            .position(|c| !c.is_ascii_digit())
            .map_or(b.len(), |p| at + 1 + p);
        let digits = std::str::from_utf8(&b[at..end]).ok()?;
        fraction = format!("0{digits}").parse().ok()?;
        at = end;
    }
    let zone = match &b[at..] {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] => {
            let rest = &b[at + 1..];
            let (h, m) = match rest.len() {
                5 if rest[2] == b':' => (number(at + 1..at + 3)?, number(at + 4..at + 6)?),
                4 => (number(at + 1..at + 3)?, number(at + 3..at + 5)?),
                2 => (number(at + 1..at + 3)?, 0),
                _ => return None,
            };
            let offset = h * 3600 + m * 60;
            if *sign == b'+' {
                offset
            } else {
                -offset
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - zone;
    Some(seconds as f64 + fraction)
}

/// Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_known_epoch_seconds() {
        // `date -u -d 2026-12-06T23:36:27Z +%s` gives 1796600187.
        assert_eq!(
            epoch_seconds("2026-12-06T23:36:27.354Z"),
            Some(1_796_600_187.354)
        );
        assert_eq!(
            epoch_seconds("2026-12-07T00:36:27+01:00"),
            Some(1_796_600_187.0)
        );
        assert_eq!(epoch_seconds("1970-01-01T00:00:00"), Some(0.0));
        assert_eq!(epoch_seconds("2000-02-29T00:00:00Z"), Some(951_782_400.0));
        assert_eq!(epoch_seconds("yesterday"), None);
        assert_eq!(epoch_seconds("2026-13-01T00:00:00Z"), None);
        assert_eq!(epoch_seconds("2026-12-06T23:36:27Q"), None);
    }

    #[test]
    fn ports_come_from_the_url_or_its_scheme() {
        let port = |url: &str| url_port(url, split_url(url)?.1);
        assert_eq!(port("ws://127.0.0.1:45853/echo"), Some(45853));
        assert_eq!(port("wss://example.com/x?y"), Some(443));
        assert_eq!(port("ws://[::1]/"), Some(80));
        assert_eq!(port("ws://[::1]:9000"), Some(9000));
        assert_eq!(port("ws://host:99999/"), None);
    }

    #[test]
    fn looks_like_har_wants_log_then_entries() {
        assert!(looks_like_har(
            b"\xEF\xBB\xBF {\n \"log\" : {\"version\":\"1.2\",\"entries\":[]}}"
        ));
        assert!(!looks_like_har(b"{\"log\":{\"version\":\"1.2\"}}"));
        assert!(!looks_like_har(b"[{\"log\":{\"entries\":[]}}]"));
        assert!(!looks_like_har(b"\xD4\xC3\xB2\xA1"));
        assert!(!looks_like_har(b""));
    }

    #[test]
    fn offsets_follow_lines_and_columns() {
        let text = b"ab\ncd\nef";
        assert_eq!(offset_of(text, 1, 2), 1);
        assert_eq!(offset_of(text, 2, 1), 3);
        assert_eq!(offset_of(text, 3, 0), 6);
        assert_eq!(offset_of(text, 9, 9), text.len() as u64);
    }
}
