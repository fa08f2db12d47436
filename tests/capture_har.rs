//! The HAR reader on a HAR Playwright recorded from headless Chromium, on one in the shape
//! Chrome DevTools exports, and on broken ones.
#![cfg(feature = "conversation")]

use serde_json::Value;
use wsinspect::capture::har::{read_har, HarConversation};
use wsinspect::{accept_key, Direction, Endpoint};

/// A fixture's bytes.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/captures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

/// The value of `name` in an HTTP head, parsed by httparse (names without case).
fn header(head: &[u8], name: &str, response: bool) -> Option<String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let parsed = if response {
        let mut r = httparse::Response::new(&mut headers);
        assert!(r.parse(head).unwrap().is_complete(), "incomplete head");
        r.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.to_vec())
    } else {
        let mut r = httparse::Request::new(&mut headers);
        assert!(r.parse(head).unwrap().is_complete(), "incomplete head");
        r.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.to_vec())
    };
    parsed.map(|v| String::from_utf8(v).unwrap())
}

/// The heads are HTTP/1.1 a parser reads, and the accept value answers the key (RFC 6455
/// §4.2.2).
fn assert_heads_agree(c: &HarConversation) {
    let request = c.request_head.as_deref().expect("a request head");
    let response = c.response_head.as_deref().expect("a response head");
    let key = header(request, "sec-websocket-key", false).unwrap();
    let accept = header(response, "sec-websocket-accept", true).unwrap();
    assert_eq!(accept_key(&key), accept);
    assert_eq!(
        header(request, "upgrade", false).as_deref(),
        Some("websocket")
    );
}

/// The raw `_webSocketMessages` of the n-th entry, as serde_json reads them.
fn raw_messages(bytes: &[u8], entry: usize) -> Vec<Value> {
    let json: Value = serde_json::from_slice(bytes).unwrap();
    json["log"]["entries"][entry]["_webSocketMessages"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn playwright_har_keeps_the_messages_the_page_sent() {
    let bytes = fixture("playwright-websocket.har");
    let found = read_har(&bytes).unwrap();
    assert_eq!(found.len(), 1, "one websocket entry");
    let c = &found[0];
    assert!(
        c.url.starts_with("ws://127.0.0.1:") && c.url.ends_with("/echo"),
        "{}",
        c.url
    );
    assert_heads_agree(c);
    let request = String::from_utf8(c.request_head.clone().unwrap()).unwrap();
    assert!(request.starts_with("GET /echo HTTP/1.1\r\n"), "{request}");
    assert!(request.ends_with("\r\n\r\n"));
    // What make-playwright-har.mjs sends, each echoed by the server.
    let sent: [(u8, &[u8]); 3] = [
        (1, b"hello"),
        (2, &[0, 1, 2, 255]),
        (1, "h\u{e9}llo \u{2603}".as_bytes()),
    ];
    let expected: Vec<(Direction, u8, Vec<u8>)> = [Direction::Client, Direction::Server]
        .into_iter()
        .flat_map(|d| sent.iter().map(move |(op, data)| (d, *op, data.to_vec())))
        .collect();
    let got: Vec<(Direction, u8, Vec<u8>)> = c
        .messages
        .iter()
        .map(|m| (m.direction, m.opcode, m.data.clone()))
        .collect();
    assert_eq!(got, expected);
    assert!(c.messages.iter().all(|m| m.base64_error.is_none()));
    // Playwright writes milliseconds; they are read as seconds.
    let raw = raw_messages(&bytes, 1);
    for (m, r) in c.messages.iter().zip(&raw) {
        assert_eq!(m.time, r["time"].as_f64().unwrap() / 1000.0);
    }
    // The entry started within a second of its first message.
    let started = c.started.unwrap();
    assert!(
        (c.messages[0].time - started).abs() < 1.0,
        "{started} vs {}",
        c.messages[0].time
    );
}

#[test]
fn chrome_shaped_har_gives_heads_server_and_messages() {
    let bytes = fixture("chrome-websocket.har");
    let found = read_har(&bytes).unwrap();
    // The page's own GET is not a websocket entry.
    assert_eq!(found.len(), 2);
    let ws = &found[0];
    assert_eq!(ws.url, "ws://[::1]:8080/chat?room=1");
    assert_eq!(
        ws.server,
        Some(Endpoint {
            address: "::1".into(),
            port: 8080
        })
    );
    assert_heads_agree(ws);
    let request = String::from_utf8(ws.request_head.clone().unwrap()).unwrap();
    assert!(
        request.starts_with("GET /chat?room=1 HTTP/1.1\r\nHost: [::1]:8080\r\n"),
        "{request}"
    );
    let response = String::from_utf8(ws.response_head.clone().unwrap()).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{response}"
    );
    // `date -u -d 2026-12-06T23:36:27.400Z +%s.%N`
    assert_eq!(ws.started, Some(1_796_600_187.4));

    // The messages as the fixture's maker wrote them; the "error" one becomes a note.
    let raw = raw_messages(&bytes, 1);
    assert_eq!(ws.messages.len(), raw.len() - 1);
    let full: Vec<u8> = (0..=255).collect();
    let expected: [(Direction, u8, &[u8]); 4] = [
        (Direction::Client, 1, b"Hello"),
        (Direction::Server, 1, "h\u{e9}llo \u{2603}".as_bytes()),
        (Direction::Client, 2, &[0, 1, 2, 255]),
        (Direction::Server, 2, &full),
    ];
    for (m, (r, e)) in ws.messages.iter().zip(raw.iter().zip(expected)) {
        assert_eq!((m.direction, m.opcode, m.data.as_slice()), e);
        assert_eq!(m.time, r["time"].as_f64().unwrap(), "seconds stay seconds");
    }
    assert!(
        ws.notes
            .iter()
            .any(|n| n.contains("error") && n.contains("message 5")),
        "{:?}",
        ws.notes
    );

    // RFC 8441 over HTTP/2: pseudo-headers, no HTTP/1.1 head; the address compressed.
    let h2 = &found[1];
    assert_eq!(h2.request_head, None);
    assert_eq!(h2.response_head, None);
    assert_eq!(
        h2.server,
        Some(Endpoint {
            address: "2001:db8::1".into(),
            port: 443
        })
    );
    assert_eq!(h2.messages.len(), 2);
    assert_eq!(h2.notes.len(), 2, "{:?}", h2.notes);
}

#[test]
fn bad_json_says_line_column_and_offset() {
    let text = "{\n  \"log\": {\n    \"entries\": [,]\n  }\n}\n";
    let error = read_har(text.as_bytes()).unwrap_err();
    let comma = text.find(',').unwrap();
    let line = text[..comma].matches('\n').count() + 1;
    let column = comma - text[..comma].rfind('\n').unwrap();
    assert!(
        error
            .message
            .contains(&format!("line {line} column {column}")),
        "{}",
        error.message
    );
    assert_eq!(error.offset, comma as u64);
    assert_eq!(error.packet, None);

    // Cut short: the offset is the end.
    let cut = &text.as_bytes()[..20];
    assert_eq!(read_har(cut).unwrap_err().offset, 20);
    // JSON, but no log.entries.
    let error = read_har(b"{\"log\": {}}").unwrap_err();
    assert!(error.message.contains("log.entries"), "{}", error.message);
}

#[test]
fn a_bad_base64_is_an_error_on_its_message_only() {
    let har = r#"{"log": {"entries": [{"request": {"url": "ws://h/"}, "_webSocketMessages": [
        {"type": "receive", "time": 1.5, "opcode": 2, "data": "AA*C"},
        {"type": "send", "time": 2.5, "opcode": 2, "data": "AAEC"}]}]}}"#;
    let found = read_har(har.as_bytes()).unwrap();
    let messages = &found[0].messages;
    assert_eq!(messages.len(), 2);
    let error = messages[0].base64_error.as_deref().unwrap();
    assert!(error.contains("character 2"), "{error}");
    assert_eq!(messages[0].data, b"AA*C");
    assert_eq!(messages[1].data, [0, 1, 2]);
    assert_eq!(messages[1].base64_error, None);
    // No headers: no heads; no server address.
    assert_eq!(found[0].request_head, None);
    assert_eq!(found[0].response_head, None);
    assert_eq!(found[0].server, None);
}

#[test]
fn a_101_upgrade_without_messages_is_a_websocket_entry() {
    let har = r#"{"log": {"entries": [
        {"request": {"method": "GET", "url": "wss://h:9443/a#frag", "httpVersion": "http/1.1",
            "headers": [{"name": "upgrade", "value": "WebSocket"}]},
         "response": {"status": 101, "statusText": "Switching Protocols", "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Upgrade", "value": "websocket"}]},
         "serverIPAddress": "10.0.0.1"},
        {"request": {"method": "GET", "url": "https://h/", "headers": []},
         "response": {"status": 101, "headers": []}},
        {"request": {"method": "GET", "url": "ws://h/x",
            "headers": [{"name": "Upgrade", "value": "websocket"}, {"name": "X", "value": "a\r\nEvil: 1"}]},
         "response": {"status": 0, "headers": []}, "_webSocketMessages": []}
    ]}}"#;
    let found = read_har(har.as_bytes()).unwrap();
    assert_eq!(
        found.len(),
        2,
        "the 101 without an upgrade header is not one"
    );
    let request = String::from_utf8(found[0].request_head.clone().unwrap()).unwrap();
    assert_eq!(request, "GET /a HTTP/1.1\r\nupgrade: WebSocket\r\n\r\n");
    assert_eq!(
        found[0].server,
        Some(Endpoint {
            address: "10.0.0.1".into(),
            port: 9443
        })
    );
    assert!(
        found[0].notes[0].contains("no messages"),
        "{:?}",
        found[0].notes
    );
    // A header value with a line break would forge a header line: no head, a note.
    assert_eq!(found[1].request_head, None);
    assert_eq!(found[1].response_head, None);
    assert!(
        found[1].notes[0].contains("line break"),
        "{:?}",
        found[1].notes
    );
}

#[test]
fn nothing_panics_on_cut_or_odd_hars() {
    let bytes = fixture("chrome-websocket.har");
    for end in (0..bytes.len()).step_by(97) {
        let _ = read_har(&bytes[..end]);
    }
    let odd = [
        r#"{"log": {"entries": [1, "x", null, {"_webSocketMessages": 5}]}}"#,
        r#"{"log": {"entries": [{"_webSocketMessages": [{"type": "send", "opcode": 300}, {"type": "send", "opcode": 1, "time": -1}, 7]}]}}"#,
        r#"{"log": {"entries": [{"startedDateTime": "2026-02-31T99:00:00Z", "serverIPAddress": "[", "request": {"url": "ws://[::1"}, "_webSocketMessages": []}]}}"#,
    ];
    for har in odd {
        let found = read_har(har.as_bytes()).unwrap();
        for c in &found {
            for m in &c.messages {
                assert!(m.time.is_nan() || m.time >= 0.0);
            }
        }
    }
    let found = read_har(odd[1].as_bytes()).unwrap();
    assert_eq!(found[0].messages.len(), 1);
    assert!(found[0].messages[0].time.is_nan());
}
