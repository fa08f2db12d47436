//! `wsinspect proxy` between peers nobody here wrote (issue 13 §3): npm `ws` and PyPI
//! `websockets`, both with permessage-deflate, each as client and as upstream. Messages
//! round trip unchanged; what the upstream received (seen by a TCP relay in front of it)
//! equals byte for byte what the proxy recorded from the client; the recording decodes
//! with the client's masking keys and compressed (RSV1) frames and no violation. And a
//! hand-made client and upstream whose every byte the test knows.
#![cfg(not(target_arch = "wasm32"))]

#[path = "proxy_support/mod.rs"]
mod support;

use std::io::Write;
use std::net::{Shutdown, TcpListener};
use std::time::Duration;

use support::tap::Tap;
use support::*;
use wsinspect::{decode_transcript, ConversationOptions, Direction, MessageKind};

const MESSAGES: usize = 20;

/// Runs `client` through a proxy to `upstream` (behind a tap) and checks everything.
fn through_proxy(client: (&str, &str), upstream: (&str, &str)) {
    let (_server, port) = peer_server(upstream.0, upstream.1, &[]);
    let tap = Tap::start(format!("127.0.0.1:{port}").parse().unwrap());
    let proxy = Proxy::start(&["--upstream", &format!("ws://{}/", tap.addr)]);
    let messages = MESSAGES.to_string();
    let (ok, summary) = peer_client(
        client.0,
        client.1,
        &["--url", &proxy.url("/chat"), "--messages", &messages],
    );
    assert!(
        ok,
        "{client:?} through the proxy to {upstream:?}: {summary}"
    );
    assert_eq!(summary["messages"], MESSAGES, "{summary}");
    let extensions = summary["extensions"][0].as_str().unwrap();
    assert!(extensions.starts_with("permessage-deflate"), "{summary}");

    let list = proxy.wait_all_closed();
    assert_eq!(list["open"], 0, "{list}");
    let t = proxy.transcript(1);
    let legs = tap.legs.lock().unwrap();
    assert_eq!(legs.len(), 1);
    let received = legs[0].0.lock().unwrap().clone();
    let sent_back = legs[0].1.lock().unwrap().clone();
    assert!(received.starts_with(b"GET /chat HTTP/1.1\r\n"));
    assert_eq!(
        side(&t, Direction::Client),
        received,
        "the upstream received exactly the bytes the proxy recorded from the client"
    );
    assert_eq!(side(&t, Direction::Server), sent_back);

    let decoded = decode_transcript(&t, &ConversationOptions::default());
    assert!(decoded.violations.is_empty(), "{:?}", decoded.violations);
    assert!(decoded.pair_checks.iter().all(|c| c.passed));
    assert!(decoded
        .extensions
        .unwrap()
        .starts_with("permessage-deflate"));
    let client_frames: Vec<_> = decoded
        .frames
        .iter()
        .filter(|f| f.direction == Direction::Client)
        .collect();
    assert!(client_frames
        .iter()
        .all(|f| f.item.masked && f.item.masking_key.is_some()));
    let keys: std::collections::HashSet<_> =
        client_frames.iter().map(|f| f.item.masking_key).collect();
    assert!(keys.len() > MESSAGES / 2, "the client's own random keys");
    for direction in Direction::BOTH {
        assert!(
            decoded
                .frames
                .iter()
                .any(|f| f.direction == direction && f.item.rsv1),
            "compressed frames from the {direction:?}"
        );
    }
    let data = |d: Direction| {
        decoded
            .messages
            .iter()
            .filter(|m| m.direction == d)
            .filter(|m| matches!(m.item.kind, MessageKind::Text | MessageKind::Binary))
            .count()
    };
    assert_eq!(
        (data(Direction::Client), data(Direction::Server)),
        (MESSAGES, MESSAGES)
    );
    let summary = &proxy.json("/proxy/connections/1")["decoded"];
    assert_eq!(summary["violations"].as_array().unwrap().len(), 0);
}

#[test]
fn npm_ws_client_to_pypi_websockets_upstream() {
    through_proxy(("node", "proxy_ws.js"), ("python3", "proxy_websockets.py"));
}

#[test]
fn pypi_websockets_client_to_npm_ws_upstream() {
    through_proxy(("python3", "proxy_websockets.py"), ("node", "proxy_ws.js"));
}

/// RFC 7692 §7.2.3.1: "Hello" compressed, "0xf2 0x48 0xcd 0xc9 0xc9 0x07 0x00".
const HELLO_DEFLATED: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

#[test]
fn every_byte_reaches_the_upstream_unchanged_with_the_clients_keys() {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_addr = upstream.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = upstream.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = read_head(&mut s);
        let response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
            wsinspect::accept_key("dGhlIHNhbXBsZSBub25jZQ==")
        );
        s.write_all(response.as_bytes()).unwrap();
        let mut frame = vec![0xc1, HELLO_DEFLATED.len() as u8];
        frame.extend(HELLO_DEFLATED);
        s.write_all(&frame).unwrap();
        let mut received = head;
        received.extend(read_to_close(&mut s));
        received
    });
    let proxy = Proxy::start(&[
        "--keep-host",
        "--upstream",
        &format!("ws://{upstream_addr}/"),
    ]);

    let keys = [
        [0x37, 0xfa, 0x21, 0x3d],
        [1, 2, 3, 4],
        [9, 9, 9, 9],
        [0, 0, 0, 0],
    ];
    let mut sent = client_head("/", Some("permessage-deflate"));
    let head_len = sent.len();
    sent.extend(masked_frame(0xc1, keys[0], &HELLO_DEFLATED));
    sent.extend(masked_frame(0x82, keys[1], &[0xff; 100]));
    sent.extend(masked_frame(0x89, keys[2], b"ping"));
    sent.extend(masked_frame(0x88, keys[3], &[0x03, 0xe8]));
    let mut client = std::net::TcpStream::connect(proxy.addr).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    client.write_all(&sent[..head_len]).unwrap();
    let response = read_head(&mut client);
    assert!(response.starts_with(b"HTTP/1.1 101 "), "{response:?}");
    // Frames cut mid-header and mid-payload, in separate writes.
    for piece in sent[head_len..].chunks(5) {
        client.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    client.shutdown(Shutdown::Write).unwrap();
    let _ = read_to_close(&mut client);
    let received = server.join().unwrap();
    assert_eq!(
        received, sent,
        "with --keep-host the upstream gets every byte sent"
    );

    proxy.wait_all_closed();
    let t = proxy.transcript(1);
    assert_eq!(side(&t, Direction::Client), sent);
    let decoded = decode_transcript(&t, &ConversationOptions::default());
    assert!(decoded.violations.is_empty(), "{:?}", decoded.violations);
    let client_keys: Vec<_> = decoded
        .frames
        .iter()
        .filter(|f| f.direction == Direction::Client)
        .map(|f| f.item.masking_key.unwrap())
        .collect();
    assert_eq!(client_keys, keys);
    let texts: Vec<_> = decoded
        .messages
        .iter()
        .filter_map(|m| m.item.text())
        .collect();
    assert_eq!(texts, ["Hello", "Hello"]);
    assert!(decoded.frames.iter().filter(|f| f.item.rsv1).count() == 2);
    let listing = &proxy.json("/proxy/connections")["connections"][0];
    assert_eq!(listing["frames"]["client"], 4);
    assert_eq!(listing["frames"]["server"], 1);
    assert_eq!(listing["bytes"]["client"], sent.len());
    // Following a live connection: the chunks from an index on, and where to go on.
    let all = proxy.json("/proxy/connections/1");
    let total = all["chunks"].as_array().unwrap().len();
    let later = proxy.json("/proxy/connections/1?from=2");
    assert_eq!(later["chunks"].as_array().unwrap().len(), total - 2);
    assert_eq!(
        (later["from"].as_u64(), later["next"].as_u64()),
        (Some(2), Some(total as u64))
    );
    assert_eq!(later["chunks"][0], all["chunks"][2]);
    // A name that is neither an address nor localhost (DNS rebinding) reads nothing.
    assert_eq!(
        proxy.get_with_host("/proxy/connections", "evil.example").0,
        403
    );
    let (status, pcapng) = proxy.get("/proxy/connections/1.pcapng");
    assert_eq!(status, 200);
    assert_eq!(
        &pcapng[..4],
        &[0x0a, 0x0d, 0x0d, 0x0a],
        "a pcapng Section Header Block"
    );
}

#[test]
fn host_is_rewritten_to_the_upstreams_and_unrouted_paths_are_refused() {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = upstream.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = upstream.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        read_head(&mut s)
    });
    let proxy = Proxy::start(&[
        "--origin",
        "https://example.com",
        "--upstream",
        &format!("/feed=ws://{addr}/v1?k=1"),
    ]);
    let mut client = std::net::TcpStream::connect(proxy.addr).unwrap();
    let mut head = client_head("/feed/live?x=2", None);
    head.splice(
        head.len() - 2..head.len() - 2,
        *b"Origin: http://localhost\r\n",
    );
    client.write_all(&head).unwrap();
    let got = String::from_utf8(server.join().unwrap()).unwrap();
    assert!(
        got.starts_with("GET /v1/live?k=1&x=2 HTTP/1.1\r\n"),
        "{got}"
    );
    assert!(got.contains(&format!("\r\nHost: {addr}\r\n")), "{got}");
    assert!(got.contains("\r\nOrigin: https://example.com\r\n"), "{got}");
    drop(client);

    let mut other = std::net::TcpStream::connect(proxy.addr).unwrap();
    other.write_all(&client_head("/elsewhere", None)).unwrap();
    let answer = String::from_utf8(read_to_close(&mut other)).unwrap();
    assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");
    assert!(
        answer.contains("no --upstream route for /elsewhere"),
        "{answer}"
    );
}

#[test]
fn record_writes_each_connection_as_a_pcapng_when_it_ends() {
    let dir = std::env::temp_dir().join(format!("wsinspect-proxy-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (_server, port) = peer_server("node", "proxy_ws.js", &[]);
    let proxy = Proxy::start(&[
        "--record",
        dir.to_str().unwrap(),
        "--upstream",
        &format!("ws://127.0.0.1:{port}/"),
    ]);
    let (ok, summary) = peer_client(
        "node",
        "proxy_ws.js",
        &["--url", &proxy.url("/"), "--messages", "6"],
    );
    assert!(ok, "{summary}");
    proxy.wait_all_closed();
    let file = dir.join("1.pcapng");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !file.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let bytes = std::fs::read(&file).unwrap();
    let capture = wsinspect::capture::decode_capture(&bytes, &Default::default());
    assert_eq!(capture.conversations.len(), 1);
    let conversation = &capture.conversations[0].result;
    assert!(
        conversation.violations.is_empty(),
        "{:?}",
        conversation.violations
    );
    assert_eq!(conversation.messages.len(), 12);
    let _ = std::fs::remove_dir_all(dir);
}
