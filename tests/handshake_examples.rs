//! The specifications' own handshakes: RFC 6455 §1.3 and draft-hixie-76 §1.3, parsed,
//! located, classified and checked as a pair.

use wsinspect::handshake::Check;
use wsinspect::{check_pair, parse_handshake, CheckId, Generation, HandshakeKind};

const RFC6455_REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\n\
Sec-WebSocket-Version: 13\r\n\
\r\n";

const RFC6455_RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
Sec-WebSocket-Protocol: chat\r\n\
\r\n";

const HIXIE76_REQUEST: &[u8] = b"GET /demo HTTP/1.1\r\n\
Host: example.com\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\
Sec-WebSocket-Protocol: sample\r\n\
Upgrade: WebSocket\r\n\
Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n\
Origin: http://example.com\r\n\
\r\n\
^n:ds[4U";

const HIXIE76_RESPONSE: &[u8] = b"HTTP/1.1 101 WebSocket Protocol Handshake\r\n\
Upgrade: WebSocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Origin: http://example.com\r\n\
Sec-WebSocket-Location: ws://example.com/demo\r\n\
Sec-WebSocket-Protocol: sample\r\n\
\r\n\
8jKS'y:G*Co,Wxa-";

fn find(haystack: &[u8], needle: &str) -> u64 {
    haystack
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap() as u64
}

#[test]
fn rfc6455_request_parses_with_offsets_and_passes_every_check() {
    let h = parse_handshake(RFC6455_REQUEST);
    assert_eq!(h.kind, HandshakeKind::Request);
    assert_eq!(h.method.as_deref(), Some("GET"));
    assert_eq!(h.path.as_deref(), Some("/chat"));
    assert_eq!(h.version.as_deref(), Some("HTTP/1.1"));
    assert_eq!(h.start_line_offset, 0);
    assert_eq!(h.start_line_length, 18);
    assert_eq!(h.generation, Generation::Rfc6455);
    assert_eq!(h.generation.name(), "rfc6455");
    assert_eq!(h.head_length, Some(RFC6455_REQUEST.len() as u64));
    assert!(h.trailing.is_empty());
    assert_eq!((h.incomplete, h.error.clone()), (None, None));
    assert_eq!(h.headers.len(), 7);
    for header in &h.headers {
        let line = format!("{}: {}", header.name, header.value);
        assert_eq!(header.offset, find(RFC6455_REQUEST, &line), "{line}");
        assert_eq!(header.length, line.len() as u64);
        assert_eq!(
            header.value_offset,
            header.offset + header.name.len() as u64 + 2
        );
        assert_eq!(header.value_length, header.value.len() as u64);
    }
    let key = h.header("SEC-WEBSOCKET-KEY").unwrap();
    assert_eq!(key.value, "dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(key.offset, 87);
    let ids: Vec<_> = h.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "method-not-get",
            "bad-http-version",
            "missing-host",
            "bad-upgrade",
            "bad-connection",
            "bad-key",
            "bad-version",
            "duplicate-header"
        ]
    );
    assert!(h.is_valid(), "{:?}", h.failures().collect::<Vec<_>>());
}

#[test]
fn rfc6455_response_parses_and_pairs_with_its_request() {
    let h = parse_handshake(RFC6455_RESPONSE);
    assert_eq!(h.kind, HandshakeKind::Response);
    assert_eq!(h.status, Some(101));
    assert_eq!(h.reason.as_deref(), Some("Switching Protocols"));
    assert_eq!(h.generation, Generation::Rfc6455);
    assert_eq!(h.header("sec-websocket-accept").unwrap().offset, 75);
    assert!(h.is_valid(), "{:?}", h.failures().collect::<Vec<_>>());

    let request = parse_handshake(RFC6455_REQUEST);
    let pair = check_pair(&request, &h);
    let ids: Vec<_> = pair.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "accept-mismatch",
            "unoffered-subprotocol",
            "unoffered-extension"
        ]
    );
    assert!(pair.iter().all(|c| c.passed), "{pair:?}");
    assert!(pair[0].message.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    assert_eq!(pair[0].offset, Some(75));
}

#[test]
fn hixie76_request_carries_its_key3_after_the_head() {
    let h = parse_handshake(HIXIE76_REQUEST);
    assert_eq!(h.generation, Generation::Hixie76);
    assert_eq!(h.generation.name(), "hixie-76");
    assert_eq!(h.head_length, Some(HIXIE76_REQUEST.len() as u64 - 8));
    assert_eq!(h.trailing, b"^n:ds[4U");
    assert_eq!(h.hixie76_key3(), Some(&b"^n:ds[4U"[..]));
    assert_eq!(h.incomplete, None);
    let ids: Vec<_> = h.checks.iter().map(|c| c.id.as_str()).collect();
    assert!(ids.contains(&"bad-key1") && ids.contains(&"bad-key2"));
    assert!(!ids.contains(&"bad-key") && !ids.contains(&"bad-version"));
    assert!(h.is_valid(), "{:?}", h.failures().collect::<Vec<_>>());
    let key1 = h
        .checks
        .iter()
        .find(|c| c.id.as_str() == "bad-key1")
        .unwrap();
    assert!(key1.message.contains("829309203"), "{}", key1.message);
}

#[test]
fn hixie76_response_answer_matches_the_request() {
    let response = parse_handshake(HIXIE76_RESPONSE);
    assert_eq!(response.generation, Generation::Hixie76);
    assert_eq!(response.hixie76_answer(), Some(&b"8jKS'y:G*Co,Wxa-"[..]));
    assert!(
        response.is_valid(),
        "{:?}",
        response.failures().collect::<Vec<_>>()
    );
    let request = parse_handshake(HIXIE76_REQUEST);
    let pair = check_pair(&request, &response);
    let answer = pair
        .iter()
        .find(|c| c.id.as_str() == "bad-hixie76-answer")
        .unwrap();
    assert!(answer.passed, "{}", answer.message);
    assert_eq!(answer.offset, Some(HIXIE76_RESPONSE.len() as u64 - 16));
    assert!(pair.iter().all(|c| c.passed), "{pair:?}");
}

#[test]
fn hixie76_wrong_answer_fails_the_pair() {
    let mut bytes = HIXIE76_RESPONSE.to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let pair = check_pair(&parse_handshake(HIXIE76_REQUEST), &parse_handshake(&bytes));
    let answer = pair
        .iter()
        .find(|c| c.id.as_str() == "bad-hixie76-answer")
        .unwrap();
    assert!(!answer.passed);
    assert_eq!(answer.offset, Some(bytes.len() as u64 - 16));
    // Expected is 8jKS'y:G*Co,Wxa- in hex.
    assert!(
        answer
            .message
            .contains("expected 386a4b5327793a472a436f2c5778612d"),
        "{}",
        answer.message
    ); // The check carries the answer it wanted, for a viewer to show as is.
    assert_eq!(
        answer.expected.as_deref(),
        Some("386a4b5327793a472a436f2c5778612d")
    );
}

#[test]
fn every_split_is_incomplete_until_the_whole_handshake_has_come() {
    for full in [
        RFC6455_REQUEST,
        RFC6455_RESPONSE,
        HIXIE76_REQUEST,
        HIXIE76_RESPONSE,
    ] {
        let whole = parse_handshake(full);
        assert_eq!(whole.incomplete, None);
        assert_eq!(whole.error, None);
        for n in 0..full.len() {
            let part = parse_handshake(&full[..n]);
            assert!(part.incomplete.is_some(), "prefix {n} should be incomplete");
            assert_eq!(part.error, None, "prefix {n}");
            // What a prefix shows agrees with the whole: same headers at the same offsets.
            assert!(part.headers.len() <= whole.headers.len());
            assert_eq!(
                part.headers[..],
                whole.headers[..part.headers.len()],
                "prefix {n}"
            );
            if n > 5 {
                assert_eq!(part.kind, whole.kind, "prefix {n}");
            }
            if part.head_length.is_none() {
                assert!(part.checks.is_empty(), "no checks before the head ends");
            }
        }
        // The whole input parses the same wherever its bytes sit in memory (offsets
        // come from slice addresses).
        let mut moved = vec![0u8; 3];
        moved.extend_from_slice(full);
        assert_eq!(parse_handshake(&moved[3..]), whole);
    }
}

#[test]
fn hixie76_missing_key3_bytes_are_counted() {
    let head = &HIXIE76_REQUEST[..HIXIE76_REQUEST.len() - 8];
    let h = parse_handshake(&HIXIE76_REQUEST[..HIXIE76_REQUEST.len() - 3]);
    let incomplete = h.incomplete.unwrap();
    assert_eq!(incomplete.offset, head.len() as u64);
    assert_eq!(incomplete.needed, Some(3));
    assert_eq!(h.hixie76_key3(), None);
    let h = parse_handshake(&HIXIE76_RESPONSE[..HIXIE76_RESPONSE.len() - 16]);
    assert_eq!(h.incomplete.unwrap().needed, Some(16));
}

#[test]
fn frames_after_the_head_are_trailing_bytes() {
    let mut bytes = RFC6455_RESPONSE.to_vec();
    bytes.extend_from_slice(&[0x81, 0x05, b'H', b'e', b'l', b'l', b'o']);
    let h = parse_handshake(&bytes);
    assert_eq!(h.head_length, Some(RFC6455_RESPONSE.len() as u64));
    assert_eq!(h.trailing, [0x81, 0x05, b'H', b'e', b'l', b'l', b'o']);
    assert!(h.is_valid());
}

#[test]
fn hixie76_frames_after_the_key_bytes_are_trailing_too() {
    // Found by the handshake fuzz target: more trailing bytes than the 8 (or 16) the
    // head promises made the count of missing bytes underflow.
    for (head, extra) in [
        (HIXIE76_REQUEST, &b"\x00Hello\xff"[..]),
        (HIXIE76_RESPONSE, &b"\x00Hi\xff\xff\x00"[..]),
    ] {
        let bytes = [head, extra].concat();
        let h = parse_handshake(&bytes);
        assert_eq!(h.incomplete, None);
        assert!(h.trailing.ends_with(extra));
        assert!(h.is_valid(), "{:?}", h.failures().collect::<Vec<_>>());
    }
    let request = parse_handshake(&[HIXIE76_REQUEST, b"\x00Hello\xff"].concat());
    assert_eq!(request.hixie76_key3(), Some(&b"^n:ds[4U"[..]));
}

/// Every handshake rule in `CheckId::ALL` is one these examples and a few broken heads
/// reach, each check cites its rule's own section (a repeated header a narrower one), and
/// no check carries an id the enum does not list.
#[test]
fn every_handshake_rule_is_reached_and_each_check_cites_its_rule() {
    let request = parse_handshake(RFC6455_REQUEST);
    let response = parse_handshake(RFC6455_RESPONSE);
    let hixie_request = parse_handshake(HIXIE76_REQUEST);
    let hixie_response = parse_handshake(HIXIE76_RESPONSE);
    let repeated = parse_handshake(
        &[
            &RFC6455_RESPONSE[..RFC6455_RESPONSE.len() - 2],
            b"Sec-WebSocket-Accept: x\r\n\r\n",
        ]
        .concat(),
    );
    let mut seen = Vec::new();
    let mut checks: Vec<Check> = Vec::new();
    for h in [
        &request,
        &response,
        &hixie_request,
        &hixie_response,
        &repeated,
    ] {
        checks.extend(h.checks.iter().cloned());
    }
    checks.extend(check_pair(&request, &response));
    checks.extend(check_pair(&hixie_request, &hixie_response));
    for c in &checks {
        seen.push(c.id);
        assert_eq!(c.rule(), c.id.rule());
        if c.id == CheckId::DuplicateHeader && !c.passed {
            assert!(c.rfc.starts_with("RFC 6455 §11.3."), "{c:?}");
        } else {
            assert_eq!(c.rfc, c.id.rfc(), "{c:?}");
        }
    }
    assert!(checks
        .iter()
        .any(|c| c.id == CheckId::DuplicateHeader && !c.passed));
    for broken in [&b"GET / HTTP/1.1\r\nHost a\r\n\r\n"[..], &[b'a'; 9000][..]] {
        seen.extend(parse_handshake(broken).error.map(|e| e.id));
    }
    for id in CheckId::ALL {
        assert!(seen.contains(&id), "no example reaches {id}");
    }
}
