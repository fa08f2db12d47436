//! Bytes that are not a handshake, or not yet one: malformed HTTP located at the byte
//! where parsing stops, heads over 8 KiB, partial heads, and arbitrary bytes.

mod common;

use common::Rng;
use wsinspect::handshake::{Incomplete, MAX_HEAD_LENGTH};
use wsinspect::{parse_handshake, HandshakeKind};

const REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Version: 13\r\n\
\r\n";

fn malformed_at(bytes: &[u8]) -> (u64, String) {
    let h = parse_handshake(bytes);
    let error = h.error.expect("an error");
    assert_eq!(error.id.as_str(), "malformed-http");
    assert_eq!(h.incomplete, None);
    assert!(h.checks.is_empty());
    assert!(error.message.contains(&format!("at byte {}", error.offset)));
    (error.offset, error.message)
}

#[test]
fn bad_header_name_is_located() {
    let bytes = b"GET /chat HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n";
    let (offset, message) = malformed_at(bytes);
    assert_eq!(offset, 32, "{message}");
    assert_eq!(bytes[offset as usize], b' ');
    assert!(
        message.starts_with("invalid header name at byte 32"),
        "{message}"
    );
    // The complete lines before it are still shown.
    let h = parse_handshake(bytes);
    assert_eq!(h.headers.len(), 1);
    assert_eq!(h.headers[0].name, "Host");
    assert_eq!(h.headers[0].offset, 20);
}

#[test]
fn bad_method_token_is_located() {
    let (offset, message) = malformed_at(b"GE(T /chat HTTP/1.1\r\n\r\n");
    assert_eq!(offset, 2, "{message}");
    assert!(message.contains("'('"), "{message}");
}

#[test]
fn bad_http_version_is_located() {
    let (offset, message) = malformed_at(b"GET /chat HTTP/2.0\r\nHost: a\r\n\r\n");
    assert!((10..18).contains(&offset), "{message}");
    assert!(message.starts_with("invalid http version"), "{message}");
    let (offset, _) = malformed_at(b"HTTP/1.1 1x1 Switching Protocols\r\n\r\n");
    assert_eq!(offset, 10);
}

#[test]
fn bad_header_value_is_located() {
    let bytes = b"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n";
    let (offset, _) = malformed_at(bytes);
    assert_eq!(offset, 23);
}

#[test]
fn partial_head_is_incomplete_not_an_error() {
    let cut = REQUEST.len() - 20;
    let h = parse_handshake(&REQUEST[..cut]);
    assert_eq!(h.error, None);
    assert_eq!(
        h.incomplete,
        Some(Incomplete {
            offset: 0,
            needed: None
        })
    );
    assert_eq!(h.method.as_deref(), Some("GET"));
    assert_eq!(h.path.as_deref(), Some("/chat"));
    assert_eq!(h.head_length, None);
    assert!(h.checks.is_empty());
    let names: Vec<_> = h.headers.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(
        names,
        ["Host", "Upgrade", "Connection", "Sec-WebSocket-Key"]
    );
}

#[test]
fn empty_input_is_incomplete() {
    let h = parse_handshake(b"");
    assert_eq!(h.kind, HandshakeKind::Request);
    assert!(h.incomplete.is_some());
    assert_eq!(h.error, None);
    assert!(parse_handshake(b"\r\n").incomplete.is_some());
}

fn with_big_header(value_length: usize) -> Vec<u8> {
    let mut bytes = REQUEST[..REQUEST.len() - 2].to_vec();
    bytes.extend_from_slice(b"X-Big: ");
    bytes.extend(std::iter::repeat_n(b'a', value_length));
    bytes.extend_from_slice(b"\r\n\r\n");
    bytes
}

#[test]
fn head_over_8_kib_is_reported_but_still_shown() {
    let bytes = with_big_header(MAX_HEAD_LENGTH);
    let h = parse_handshake(&bytes);
    let error = h.error.clone().unwrap();
    assert_eq!(error.id.as_str(), "head-too-large");
    assert_eq!(error.offset, MAX_HEAD_LENGTH as u64);
    assert!(error.message.contains("431"));
    assert_eq!(h.head_length, Some(bytes.len() as u64));
    assert_eq!(h.headers.len(), 6);
    assert!(!h.is_valid());
    // A head just under the limit is fine.
    let fits = with_big_header(MAX_HEAD_LENGTH - REQUEST.len() - 9);
    assert_eq!(fits.len(), MAX_HEAD_LENGTH);
    let h = parse_handshake(&fits);
    assert_eq!(h.error, None);
    assert!(h.is_valid());
}

#[test]
fn unfinished_head_over_8_kib_stops_waiting() {
    let bytes = with_big_header(MAX_HEAD_LENGTH);
    let h = parse_handshake(&bytes[..MAX_HEAD_LENGTH + 1]);
    assert_eq!(h.error.unwrap().id.as_str(), "head-too-large");
    assert_eq!(h.incomplete, None);
    assert_eq!(h.headers.len(), 5, "the complete lines are kept");
    let h = parse_handshake(&bytes[..MAX_HEAD_LENGTH]);
    assert_eq!(h.error, None);
    assert!(h.incomplete.is_some());
}

#[test]
fn thousands_of_headers_are_parsed_or_reported() {
    let mut bytes = REQUEST[..REQUEST.len() - 2].to_vec();
    for i in 0..500 {
        bytes.extend_from_slice(format!("x{i}: y\r\n").as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    let h = parse_handshake(&bytes);
    assert_eq!(h.error, None);
    assert_eq!(h.headers.len(), 505);
    assert!(h.is_valid());

    let mut bytes = REQUEST[..REQUEST.len() - 2].to_vec();
    for _ in 0..4000 {
        bytes.extend_from_slice(b"a:\r\n");
    }
    bytes.extend_from_slice(b"\r\n");
    assert_eq!(
        parse_handshake(&bytes).error.unwrap().id.as_str(),
        "head-too-large"
    );
}

#[test]
fn arbitrary_and_mutated_bytes_never_panic_and_stay_in_bounds() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for case in 0..3000 {
        let mut bytes = REQUEST.to_vec();
        if case % 3 == 0 {
            let len = (rng.next() % 80) as usize;
            bytes = (0..len).map(|_| rng.next() as u8).collect();
        } else {
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % bytes.len();
                bytes[at] = rng.next() as u8;
            }
            if case % 3 == 2 {
                bytes.truncate((rng.next() as usize) % bytes.len());
            }
        }
        let h = parse_handshake(&bytes);
        let len = bytes.len() as u64;
        for header in &h.headers {
            assert!(header.offset + header.length <= len, "{bytes:?}");
            assert!(header.value_offset + header.value_length <= len);
        }
        if let Some(error) = &h.error {
            assert!(error.offset <= len.max(MAX_HEAD_LENGTH as u64));
        }
        for check in &h.checks {
            assert!(check.offset.is_none_or(|o| o <= len), "{check:?}");
        }
        assert!(h.incomplete.is_none() || h.error.is_none());
    }
}
