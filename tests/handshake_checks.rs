//! One test per check id: a handshake that breaks the rule, the check that fails, and
//! the byte it points at.

use wsinspect::handshake::Check;
use wsinspect::{check_pair, parse_handshake, Generation, Handshake};

const REQUEST: &str = "GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\n\
Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\
Sec-WebSocket-Version: 13\r\n\
\r\n";

const RESPONSE: &str = "HTTP/1.1 101 Switching Protocols\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
Sec-WebSocket-Protocol: chat\r\n\
\r\n";

/// `REQUEST` or `RESPONSE` with one substring replaced.
fn edit(base: &str, from: &str, to: &str) -> String {
    assert!(base.contains(from), "{from:?}");
    base.replacen(from, to, 1)
}

fn offset_of(text: &str, needle: &str) -> u64 {
    text.find(needle).unwrap() as u64
}

/// The single failed check of a handshake, asserting that nothing else failed.
fn only_failure(h: &Handshake) -> &Check {
    let failures: Vec<&Check> = h.failures().collect();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    failures[0]
}

fn assert_fails(text: &str, id: &str, offset: u64) -> Check {
    let h = parse_handshake(text.as_bytes());
    assert_eq!(h.error, None);
    assert_eq!(h.incomplete, None);
    let check = only_failure(&h).clone();
    assert_eq!(check.id.as_str(), id, "{check:?}");
    assert_eq!(check.offset, Some(offset), "{check:?}");
    assert!(
        check.message.contains(&format!("at byte {offset}")),
        "{}",
        check.message
    );
    assert!(check.message.contains(check.rfc), "{}", check.message);
    // Every split: each prefix is incomplete, with no checks until its head has ended.
    for n in 0..text.len() {
        let part = parse_handshake(&text.as_bytes()[..n]);
        assert!(part.incomplete.is_some(), "prefix {n}");
        assert_eq!(part.error, None, "prefix {n}");
        assert!(part.head_length.is_some() || part.checks.is_empty());
        if part.head_length.is_some() {
            assert_eq!(
                part.checks, h.checks,
                "prefix {n}: same checks once the head ended"
            );
        }
    }
    check
}

fn pair_failures(request: &str, response: &str) -> Vec<Check> {
    let request = parse_handshake(request.as_bytes());
    let response = parse_handshake(response.as_bytes());
    check_pair(&request, &response)
        .into_iter()
        .filter(|c| !c.passed)
        .collect()
}

#[test]
fn the_base_handshakes_pass_everything() {
    assert!(parse_handshake(REQUEST.as_bytes()).is_valid());
    assert!(parse_handshake(RESPONSE.as_bytes()).is_valid());
    assert!(pair_failures(REQUEST, RESPONSE).is_empty());
}

#[test]
fn method_not_get() {
    let text = edit(REQUEST, "GET /chat", "POST /chat");
    let check = assert_fails(&text, "method-not-get", 0);
    assert!(check.message.starts_with("method is POST, it must be GET"));
    // After empty lines, the request line's own offset is used.
    let text = format!("\r\n\r\n{}", edit(REQUEST, "GET /chat", "PUT /chat"));
    assert_fails(&text, "method-not-get", 4);
}

#[test]
fn bad_http_version() {
    let text = edit(REQUEST, "HTTP/1.1", "HTTP/1.0");
    let check = assert_fails(&text, "bad-http-version", offset_of(&text, "HTTP/1.0"));
    assert!(check.message.contains("HTTP/1.0"));
}

#[test]
fn missing_host() {
    let text = edit(REQUEST, "Host: server.example.com\r\n", "");
    let check = assert_fails(&text, "missing-host", 0);
    assert_eq!(check.header.as_deref(), Some("host"));
    let text = edit(REQUEST, "Host: server.example.com", "Host:");
    assert_fails(&text, "missing-host", offset_of(&text, "Host:"));
}

#[test]
fn bad_upgrade() {
    let text = edit(REQUEST, "Upgrade: websocket", "Upgrade: h2c");
    assert_fails(&text, "bad-upgrade", offset_of(&text, "Upgrade: h2c"));
    let text = edit(REQUEST, "Upgrade: websocket\r\n", "");
    assert_fails(&text, "bad-upgrade", 0);
    // A request's Upgrade need only include the keyword, in any case.
    let text = edit(REQUEST, "Upgrade: websocket", "Upgrade: h2c, WebSocket");
    assert!(parse_handshake(text.as_bytes()).is_valid());
    // A response's must be exactly websocket.
    let text = edit(RESPONSE, "Upgrade: websocket", "Upgrade: websocket, h2c");
    assert_fails(&text, "bad-upgrade", offset_of(&text, "Upgrade:"));
    let text = edit(RESPONSE, "Upgrade: websocket", "Upgrade: WEBSOCKET");
    assert!(parse_handshake(text.as_bytes()).is_valid());
}

#[test]
fn bad_connection() {
    let text = edit(REQUEST, "Connection: Upgrade", "Connection: keep-alive");
    assert_fails(&text, "bad-connection", offset_of(&text, "Connection:"));
    let text = edit(
        REQUEST,
        "Connection: Upgrade",
        "Connection: keep-alive, upgrade",
    );
    assert!(parse_handshake(text.as_bytes()).is_valid());
    let text = edit(RESPONSE, "Connection: Upgrade\r\n", "");
    assert_fails(&text, "bad-connection", 0);
}

#[test]
fn bad_key() {
    // "the sample" is 10 bytes, not 16.
    let text = edit(REQUEST, "dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZQ==");
    let check = assert_fails(&text, "bad-key", offset_of(&text, "Sec-WebSocket-Key:"));
    assert!(
        check.message.contains("decodes to 10 bytes, it must be 16"),
        "{}",
        check.message
    );
    let text = edit(REQUEST, "dGhlIHNhbXBsZSBub25jZQ==", "not base64 at all!");
    let check = assert_fails(&text, "bad-key", offset_of(&text, "Sec-WebSocket-Key:"));
    assert!(check.message.contains("is not base64"));
    let text = edit(
        REQUEST,
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
        "",
    );
    assert_fails(&text, "bad-key", 0);
}

#[test]
fn bad_version() {
    let text = edit(
        REQUEST,
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Version: 8",
    );
    let check = assert_fails(
        &text,
        "bad-version",
        offset_of(&text, "Sec-WebSocket-Version:"),
    );
    assert!(
        check.message.contains("hybi-08 to hybi-12"),
        "{}",
        check.message
    );
    assert_eq!(
        parse_handshake(text.as_bytes()).generation,
        Generation::Hybi { version: 8 }
    );
    let text = edit(REQUEST, "Sec-WebSocket-Version: 13\r\n", "");
    assert_fails(&text, "bad-version", 0);
}

#[test]
fn duplicate_header() {
    let line = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    let text = edit(REQUEST, line, &format!("{line}{line}"));
    let second = offset_of(&text, line) + line.len() as u64;
    let check = assert_fails(&text, "duplicate-header", second);
    assert_eq!(check.header.as_deref(), Some("sec-websocket-key"));
    let line = "Sec-WebSocket-Protocol: chat\r\n";
    let text = edit(RESPONSE, line, &format!("{line}{line}"));
    let second = offset_of(&text, line) + line.len() as u64;
    assert_fails(&text, "duplicate-header", second);
    // Sec-WebSocket-Extensions may repeat in a response (RFC 6455 erratum 3433).
    let text = edit(
        RESPONSE,
        "\r\n\r\n",
        "\r\nSec-WebSocket-Extensions: a\r\nSec-WebSocket-Extensions: b\r\n\r\n",
    );
    assert!(parse_handshake(text.as_bytes()).is_valid());
}

#[test]
fn bad_status() {
    let text = edit(RESPONSE, "101 Switching Protocols", "200 OK");
    let check = assert_fails(&text, "bad-status", 9);
    assert!(check.message.contains("status is 200"));
}

#[test]
fn missing_accept() {
    let text = edit(
        RESPONSE,
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n",
        "",
    );
    assert_fails(&text, "missing-accept", 0);
}

#[test]
fn multiple_subprotocols() {
    let text = edit(RESPONSE, "Protocol: chat", "Protocol: chat, superchat");
    assert_fails(
        &text,
        "multiple-subprotocols",
        offset_of(&text, "superchat"),
    );
}

#[test]
fn accept_mismatch() {
    let response = edit(
        RESPONSE,
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    let failures = pair_failures(REQUEST, &response);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].id.as_str(), "accept-mismatch");
    assert_eq!(
        failures[0].offset,
        Some(offset_of(&response, "Sec-WebSocket-Accept"))
    );
    assert!(failures[0]
        .message
        .starts_with("sec-websocket-accept is AAAAAAAAAAAAAAAAAAAAAAAAAAA=, expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    let response = edit(
        RESPONSE,
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n",
        "",
    );
    let failures = pair_failures(REQUEST, &response);
    assert_eq!(failures[0].id.as_str(), "accept-mismatch");
    assert_eq!(failures[0].offset, Some(0));
    assert_eq!(
        failures[0].expected.as_deref(),
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    );
}

#[test]
fn the_accept_check_carries_the_value_the_key_calls_for() {
    // RFC 6455 §1.3's example: key dGhlIHNhbXBsZSBub25jZQ== calls for
    // s3pPLMBiTxaQ9kYGzzhZRbK+xOo=. A viewer shows it from the check, passed or failed.
    let pair = |response: &str| {
        check_pair(
            &parse_handshake(REQUEST.as_bytes()),
            &parse_handshake(response.as_bytes()),
        )
        .into_iter()
        .find(|c| c.id.as_str() == "accept-mismatch")
        .expect("an accept check")
    };
    let passed = pair(RESPONSE);
    assert!(passed.passed);
    assert_eq!(
        passed.expected.as_deref(),
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    );
    let failed = pair(&edit(RESPONSE, "s3pPLMBi", "AAAAAAAA"));
    assert!(!failed.passed);
    assert_eq!(
        failed.expected.as_deref(),
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    );
    // Other checks work nothing out from the other head.
    let request = parse_handshake(REQUEST.as_bytes());
    assert!(request.checks.iter().all(|c| c.expected.is_none()));
    // Without a key there is nothing to expect.
    let no_key = edit(
        REQUEST,
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
        "",
    );
    let check = check_pair(
        &parse_handshake(no_key.as_bytes()),
        &parse_handshake(RESPONSE.as_bytes()),
    )
    .into_iter()
    .find(|c| c.id.as_str() == "accept-mismatch")
    .expect("an accept check");
    assert!(!check.passed && check.expected.is_none());
}

#[test]
fn unoffered_subprotocol() {
    let response = edit(RESPONSE, "Protocol: chat", "Protocol: superduper");
    let failures = pair_failures(REQUEST, &response);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].id.as_str(), "unoffered-subprotocol");
    assert_eq!(failures[0].offset, Some(offset_of(&response, "superduper")));
    // Subprotocols compare exactly.
    let response = edit(RESPONSE, "Protocol: chat", "Protocol: Chat");
    assert_eq!(
        pair_failures(REQUEST, &response)[0].id.as_str(),
        "unoffered-subprotocol"
    );
}

#[test]
fn unoffered_extension() {
    let response = edit(
        RESPONSE,
        "\r\n\r\n",
        "\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover, x-webkit-deflate-frame\r\n\r\n",
    );
    let failures = pair_failures(REQUEST, &response);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].id.as_str(), "unoffered-extension");
    assert_eq!(failures[0].offset, Some(offset_of(&response, "x-webkit")));
    assert!(failures[0].message.contains("\"x-webkit-deflate-frame\""));
    // Without it, permessage-deflate with other parameters was offered.
    let response = response.replace(", x-webkit-deflate-frame", "");
    assert!(pair_failures(REQUEST, &response).is_empty());
}

#[test]
fn bad_hixie76_keys() {
    let request = "GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nUpgrade: WebSocket\r\n\
Sec-WebSocket-Key1: 4146546015\r\n\r\n^n:ds[4U";
    let check = assert_fails(
        request,
        "bad-key1",
        offset_of(request, "Sec-WebSocket-Key1"),
    );
    assert!(check.message.contains("no spaces"), "{}", check.message);
    let request = request.replace("Key2: 12998 5 Y3 1  .P00", "Key2: 4294967296 ");
    let request = request.replace("Key1: 4146546015", "Key1: 4 @1  46546xW%0l 1 5");
    // The offset is the digit that takes the number past 4294967295.
    let check = assert_fails(&request, "bad-key2", offset_of(&request, "4294967296") + 9);
    assert!(
        check.message.contains("exceed 4294967295"),
        "{}",
        check.message
    );
}

/// Replaces the first `marker` byte string in `base` with raw (non-UTF-8) bytes.
fn with_bytes(base: &str, marker: &str, raw: &[u8]) -> Vec<u8> {
    let at = base.find(marker).unwrap();
    [
        &base.as_bytes()[..at],
        raw,
        &base.as_bytes()[at + marker.len()..],
    ]
    .concat()
}

fn position(haystack: &[u8], needle: &[u8]) -> u64 {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap() as u64
}

#[test]
fn offsets_inside_values_count_input_bytes_even_past_bytes_that_are_not_utf8() {
    // Found by the handshake fuzz target: an offset inside a header value was counted
    // in the value as shown, where each run of non-UTF-8 bytes is one 3-byte U+FFFD,
    // and so could point past the input.
    // Several subprotocols in a response, the second after two stray bytes.
    let bytes = with_bytes(
        RESPONSE,
        "Sec-WebSocket-Protocol: chat",
        b"Sec-WebSocket-Protocol: \xe6\xe6, chat",
    );
    let response = parse_handshake(&bytes);
    let failed = only_failure(&response);
    assert_eq!(failed.id.as_str(), "multiple-subprotocols");
    assert_eq!(failed.offset, Some(position(&bytes, b"chat")));
    // A subprotocol never offered, after a lone continuation byte and a cut sequence.
    let bytes = with_bytes(
        RESPONSE,
        "Sec-WebSocket-Protocol: chat",
        b"Sec-WebSocket-Protocol: \x80\xe6\x80,bogus",
    );
    let request = parse_handshake(REQUEST.as_bytes());
    let response = parse_handshake(&bytes);
    let unoffered: Vec<_> = check_pair(&request, &response)
        .into_iter()
        .filter(|c| c.id.as_str() == "unoffered-subprotocol" && !c.passed)
        .collect();
    assert_eq!(unoffered.len(), 2, "{unoffered:#?}");
    assert_eq!(unoffered[1].offset, Some(position(&bytes, b"bogus")));
    // A hixie-76 key whose number passes 2^32 - 1 after stray bytes: the offset is the
    // digit that takes it over.
    let request = b"GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n\
Upgrade: WebSocket\r\nSec-WebSocket-Key1: 4 \xe6\xe6 4294967 295\r\n\
Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U";
    let h = parse_handshake(request);
    let failed = only_failure(&h);
    assert_eq!(failed.id.as_str(), "bad-key1");
    // 4 4294967 2 = 442949672 fits; one more digit, 9, does not.
    assert_eq!(failed.offset, Some(position(request, b"95\r\n")));
}
