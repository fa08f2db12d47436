//! `/echo` for hixie-76 clients: the draft's own worked example, then `0x00 … 0xFF` framing.
#![cfg(not(target_arch = "wasm32"))]

mod server_support;

use std::io::{Read, Write};
use std::time::Duration;

use server_support::{read_head, read_to_close, Server};

/// draft-hixie-thewebsocketprotocol-76 §1.3's handshake, sent to /echo.
const REQUEST_HEAD: &str = "GET /echo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n\
    Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nSec-WebSocket-Protocol: sample\r\nUpgrade: WebSocket\r\n\
    Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nOrigin: http://example.com\r\n\r\n";
const KEY3: &[u8] = b"^n:ds[4U";
/// The draft's answer for those keys.
const ANSWER: &[u8] = b"8jKS'y:G*Co,Wxa-";

fn read_exact_within(s: &mut std::net::TcpStream, n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    s.read_exact(&mut out)
        .expect("bytes within the read timeout");
    out
}

#[test]
fn the_draft_example_gets_its_md5_answer_then_text_frames_echo_and_close() {
    let server = Server::start(&[]);
    let mut s = server.connect();
    s.write_all(REQUEST_HEAD.as_bytes()).unwrap();
    // key3 arrives in a later write, as it may on a real network.
    std::thread::sleep(Duration::from_millis(100));
    s.write_all(KEY3).unwrap();
    let (head, mut rest) = read_head(&mut s);
    assert!(
        head.starts_with("HTTP/1.1 101 WebSocket Protocol Handshake\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nUpgrade: WebSocket\r\n"));
    assert!(
        head.contains("\r\nSec-WebSocket-Origin: http://example.com\r\n"),
        "{head}"
    );
    assert!(
        head.contains("\r\nSec-WebSocket-Location: ws://example.com/echo\r\n"),
        "{head}"
    );
    if rest.len() < 16 {
        let more = read_exact_within(&mut s, 16 - rest.len());
        rest.extend(more);
    }
    assert_eq!(rest, ANSWER);

    for text in ["Hello", "", "héllo ✓"] {
        let mut frame = vec![0x00];
        frame.extend_from_slice(text.as_bytes());
        frame.push(0xFF);
        s.write_all(&frame).unwrap();
        assert_eq!(read_exact_within(&mut s, frame.len()), frame, "{text:?}");
    }
    // Two frames in one write, split oddly across the next.
    s.write_all(b"\x00one\xff\x00tw").unwrap();
    s.write_all(b"o\xff").unwrap();
    assert_eq!(read_exact_within(&mut s, 10), b"\x00one\xff\x00two\xff");

    s.write_all(&[0xFF, 0x00]).unwrap();
    assert_eq!(read_to_close(&mut s), [0xFF, 0x00]);
}

#[test]
fn a_hixie76_client_with_bad_keys_gets_400_naming_the_rule() {
    let server = Server::start(&[]);
    let head = REQUEST_HEAD.replace("12998 5 Y3 1  .P00", "12998Y3.P00");
    let mut s = server.connect();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(KEY3).unwrap();
    let res = server_support::Response::parse(&read_to_close(&mut s));
    assert_eq!(res.status, 400);
    assert!(res.body_text().contains("bad-key2"), "{}", res.body_text());
}

#[test]
fn a_hixie76_client_that_never_sends_key3_is_dropped() {
    let server = Server::start(&["--handshake-timeout", "1"]);
    let mut s = server.connect();
    s.write_all(REQUEST_HEAD.as_bytes()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(4))).unwrap();
    let start = std::time::Instant::now();
    assert!(read_to_close(&mut s).is_empty());
    assert!(start.elapsed() < Duration::from_secs(4));
}
