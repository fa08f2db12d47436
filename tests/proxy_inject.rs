//! Injection into a live proxied connection (issue 13 §2), between an npm `ws` client and
//! an npm `ws` upstream (both with permessage-deflate) that log what reaches them:
//! `POST /proxy/connections/ID/inject` sends a ping, a close, a text or binary message or a
//! broken frame toward either side; toward the upstream masked with the proxy's own key.
#![cfg(not(target_arch = "wasm32"))]

#[path = "proxy_support/mod.rs"]
mod support;

use base64::Engine;
use serde_json::Value;
use support::tap::Tap;
use support::*;
use wsinspect::{decode_transcript, ConversationOptions, Direction};

const SCRIPT: &str = "proxy_inject_ws.js";

/// An upstream behind a tap, a proxy in front of it, and a client connected through it.
struct Setup {
    upstream: Running,
    tap: Tap,
    proxy: Proxy,
    client: Running,
    id: u64,
}

fn setup() -> Setup {
    let (upstream, port) = peer_server("node", SCRIPT, &[]);
    let tap = Tap::start(format!("127.0.0.1:{port}").parse().unwrap());
    let proxy = Proxy::start(&["--upstream", &format!("ws://{}/", tap.addr)]);
    let client = peer_client_open("node", SCRIPT, &["--url", &proxy.url("/app")]);
    upstream
        .wait_json(|v| v["event"] == "connection")
        .expect("the upstream's connection");
    let list = proxy.json("/proxy/connections");
    let id = list["connections"][0]["id"].as_u64().unwrap();
    Setup {
        upstream,
        tap,
        proxy,
        client,
        id,
    }
}

impl Setup {
    /// Injects; the 202's JSON.
    fn inject(&self, body: &str) -> Value {
        let (status, answer) = self
            .proxy
            .post(&format!("/proxy/connections/{}/inject", self.id), body);
        let text = String::from_utf8_lossy(&answer);
        assert_eq!(status, 202, "{body}: {text}");
        serde_json::from_slice(&answer).unwrap()
    }

    /// The recorded chunks marked injected: (direction, bytes).
    fn injected_chunks(&self) -> Vec<(String, Vec<u8>)> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let detail = self.proxy.json(&format!("/proxy/connections/{}", self.id));
        detail["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["injected"] == true)
            .map(|c| {
                (
                    c["direction"].as_str().unwrap().to_owned(),
                    b64.decode(c["base64"].as_str().unwrap()).unwrap(),
                )
            })
            .collect()
    }
}

fn event(name: &'static str) -> impl Fn(&Value) -> bool {
    move |v: &Value| v["event"] == name
}

#[test]
fn a_ping_toward_the_client_is_answered_and_the_pong_reaches_the_upstream() {
    let s = setup();
    let answer = s.inject(r#"{"toward":"client","action":"ping","data":"are you there"}"#);
    assert_eq!(answer["bytes"], 2 + 13);
    let ping = s
        .client
        .wait_json(event("ping"))
        .expect("the client's ping");
    assert_eq!(ping["data"], "are you there");
    let pong = s
        .upstream
        .wait_json(event("pong"))
        .expect("the upstream's pong");
    assert_eq!(
        pong["data"], "are you there",
        "the client's own pong, relayed"
    );
    let injected = s.injected_chunks();
    assert_eq!(injected.len(), 1);
    assert_eq!(
        injected[0].0, "server",
        "part of what the upstream side sent"
    );
    assert_eq!(&injected[0].1[..2], [0x89, 13]);
}

#[test]
fn a_text_message_toward_each_side_arrives_masked_toward_the_upstream() {
    let s = setup();
    s.inject(r#"{"toward":"client","action":"text","data":"to the client"}"#);
    let got = s
        .client
        .wait_json(event("message"))
        .expect("the client's message");
    assert_eq!(
        (&got["data"], &got["binary"]),
        (&"to the client".into(), &false.into())
    );

    s.inject(r#"{"toward":"upstream","action":"text","data":"to the upstream"}"#);
    let got = s
        .upstream
        .wait_json(event("message"))
        .expect("the upstream's message");
    assert_eq!(got["data"], "to the upstream");
    let answer = s.inject(r#"{"toward":"upstream","action":"binary","data":"AAEC/w=="}"#);
    let got = s
        .upstream
        .wait_json(event("message"))
        .expect("the upstream's message");
    assert_eq!(
        (&got["data"], &got["binary"]),
        (&"AAEC/w==".into(), &true.into())
    );
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(answer["base64"].as_str().unwrap())
        .unwrap();

    // What the upstream received (seen by the tap in front of it) holds the injected
    // frame as the proxy built it: masked (RFC 6455 §5.3), RSV1 clear, uncompressed.
    assert_eq!(bytes[0], 0x82, "FIN, RSV1 clear, binary");
    assert_eq!(bytes[1], 0x80 | 4, "masked, 4 bytes");
    let key = &bytes[2..6];
    let plain: Vec<u8> = (0..4).map(|i| bytes[6 + i] ^ key[i % 4]).collect();
    assert_eq!(plain, [0, 1, 2, 0xff]);
    let legs = s.tap.legs.lock().unwrap();
    let received = legs[0].0.lock().unwrap().clone();
    assert!(
        find(&received, &bytes).is_some(),
        "the upstream got the masked frame"
    );

    // The recording marks the three, and decodes as what each side received.
    let injected = s.injected_chunks();
    let directions: Vec<&str> = injected.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(directions, ["server", "client", "client"]);
    assert_eq!(injected[2].1, bytes);
    let detail = s.proxy.json(&format!("/proxy/connections/{}", s.id));
    let decoded = decode_transcript(&transcript_of(&detail), &ConversationOptions::default());
    assert!(decoded.violations.is_empty(), "{:?}", decoded.violations);
    let texts: Vec<(Direction, Vec<u8>)> = decoded
        .messages
        .iter()
        .map(|m| (m.direction, m.item.data.to_vec()))
        .collect();
    assert!(texts.contains(&(Direction::Server, b"to the client".to_vec())));
    assert!(texts.contains(&(Direction::Client, b"to the upstream".to_vec())));
}

#[test]
fn a_close_toward_the_upstream_closes_it_with_that_code() {
    let s = setup();
    s.inject(r#"{"toward":"upstream","action":"close","code":4001,"reason":"from the proxy"}"#);
    let close = s
        .upstream
        .wait_json(event("close"))
        .expect("the upstream closes");
    assert_eq!(close["code"], 4001);
    assert_eq!(close["reason"], "from the proxy");
    // The upstream's answering close reaches the client, which answers it: the
    // connection ends, and then no injection finds it.
    s.client
        .wait_json(event("close"))
        .expect("the client closes");
    let list = s.proxy.wait_all_closed();
    assert_eq!(list["open"], 0, "{list}");
    let (status, _) = s.proxy.post(
        &format!("/proxy/connections/{}/inject", s.id),
        r#"{"toward":"client","action":"ping"}"#,
    );
    assert_eq!(status, 404);
}

#[test]
fn a_reserved_opcode_toward_the_client_makes_it_fail_the_connection_with_1002() {
    let s = setup();
    s.inject(r#"{"toward":"client","action":"broken","violation":"reserved-opcode"}"#);
    let error = s
        .client
        .wait_json(event("error"))
        .expect("the client's error");
    assert!(
        error["message"].as_str().unwrap().contains("opcode"),
        "{error}"
    );
    // RFC 6455 §7.4.1: 1002 "terminating the connection due to a protocol error".
    let close = s
        .upstream
        .wait_json(event("close"))
        .expect("the upstream's close");
    assert_eq!(close["code"], 1002, "{close}");
    let detail = s.proxy.json(&format!("/proxy/connections/{}", s.id));
    let violations = detail["decoded"]["violations"].as_array().unwrap().clone();
    assert!(
        violations
            .iter()
            .any(|v| v["id"] == "reserved-opcode" && v["direction"] == "server"),
        "{violations:?}"
    );
}

#[test]
fn bad_bodies_unknown_ids_and_other_methods_are_refused() {
    let s = setup();
    let path = format!("/proxy/connections/{}/inject", s.id);
    for (body, says) in [
        ("{", "not JSON"),
        (r#"{"action":"ping"}"#, "toward"),
        (r#"{"toward":"client","action":"dance"}"#, "unknown action"),
        (
            r#"{"toward":"client","action":"close","code":1005}"#,
            "not valid",
        ),
        (
            r#"{"toward":"upstream","action":"broken","violation":"masked-server-frame"}"#,
            "client",
        ),
    ] {
        let (status, answer) = s.proxy.post(&path, body);
        let text = String::from_utf8_lossy(&answer);
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains(says), "{body}: {text}");
    }
    let (status, _) = s.proxy.post(
        "/proxy/connections/999/inject",
        r#"{"toward":"client","action":"ping"}"#,
    );
    assert_eq!(status, 404);
    let (status, _) = s.proxy.get(&path);
    assert_eq!(status, 405);
    // The same Host rule as the other endpoints: a name is refused (DNS rebinding).
    let ping = r#"{"toward":"client","action":"ping"}"#;
    let (status, _) = s.proxy.post_with_host(&path, ping, "evil.example");
    assert_eq!(status, 403);
    // Nothing was injected by any of them.
    assert!(s.injected_chunks().is_empty());
}
