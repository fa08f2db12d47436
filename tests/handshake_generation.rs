//! Which protocol generation a handshake speaks, from its headers alone.

use wsinspect::{generate_key, parse_handshake, Generation};

fn request(extra: &str) -> Generation {
    let text = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{extra}\r\n"
    );
    parse_handshake(text.as_bytes()).generation
}

fn response(extra: &str) -> Generation {
    let text = format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{extra}\r\n");
    parse_handshake(text.as_bytes()).generation
}

#[test]
fn requests_are_classified_by_their_headers() {
    let key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    assert_eq!(
        request(&format!("{key}Sec-WebSocket-Version: 13\r\n")),
        Generation::Rfc6455
    );
    for version in 4..=8u8 {
        let generation = request(&format!("{key}Sec-WebSocket-Version: {version}\r\n"));
        assert_eq!(generation, Generation::Hybi { version });
        assert_eq!(generation.name(), format!("hybi-0{version}"));
    }
    assert_eq!(
        request(&format!("{key}Sec-WebSocket-Version: 8\r\n")).description(),
        "hybi-08 to hybi-12 (Sec-WebSocket-Version: 8)"
    );
    assert_eq!(
        request(&format!("{key}Sec-WebSocket-Version: 25\r\n")),
        Generation::Unknown
    );
    assert_eq!(
        request(&format!("{key}Sec-WebSocket-Version: x\r\n")),
        Generation::Unknown
    );
    assert_eq!(request(key), Generation::Unknown);
    assert_eq!(request("Sec-WebSocket-Key1: 1 2\r\n"), Generation::Hixie76);
    assert_eq!(
        request("Origin: http://example.com\r\n"),
        Generation::Hixie75
    );
    assert_eq!(Generation::Hixie75.name(), "hixie-75");
    let plain = parse_handshake(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(plain.generation, Generation::Unknown);
}

#[test]
fn responses_are_classified_by_their_headers() {
    assert_eq!(
        response("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
        Generation::Rfc6455
    );
    assert_eq!(
        response("Sec-WebSocket-Location: ws://a/\r\n"),
        Generation::Hixie76
    );
    assert_eq!(
        response("WebSocket-Origin: http://a\r\n"),
        Generation::Hixie75
    );
    assert_eq!(response(""), Generation::Unknown);
}

#[test]
fn hixie75_handshake_passes_its_own_checks() {
    // draft-hixie-thewebsocketprotocol-75 §1.2's example handshake.
    let request = b"GET /demo HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\
Host: example.com\r\nOrigin: http://example.com\r\nWebSocket-Protocol: sample\r\n\r\n";
    let response = b"HTTP/1.1 101 Web Socket Protocol Handshake\r\nUpgrade: WebSocket\r\n\
Connection: Upgrade\r\nWebSocket-Origin: http://example.com\r\n\
WebSocket-Location: ws://example.com/demo\r\nWebSocket-Protocol: sample\r\n\r\n";
    let request = parse_handshake(request);
    let response = parse_handshake(response);
    assert_eq!(request.generation, Generation::Hixie75);
    assert_eq!(response.generation, Generation::Hixie75);
    assert!(
        request.is_valid(),
        "{:?}",
        request.failures().collect::<Vec<_>>()
    );
    assert!(
        response.is_valid(),
        "{:?}",
        response.failures().collect::<Vec<_>>()
    );
    assert!(!request.checks.iter().any(|c| c.id.as_str() == "bad-key"));
}

#[test]
fn generated_keys_pass_the_key_check() {
    let mut keys = std::collections::HashSet::new();
    for seed in 0..500 {
        let key = generate_key(seed);
        let text = format!(
            "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        let h = parse_handshake(text.as_bytes());
        assert!(
            h.is_valid(),
            "{key}: {:?}",
            h.failures().collect::<Vec<_>>()
        );
        keys.insert(key);
    }
    assert_eq!(keys.len(), 500);
}
