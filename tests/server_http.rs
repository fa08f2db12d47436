//! `wsinspect serve` as a plain HTTP server: the page, the package, types, CSP, limits.
#![cfg(not(target_arch = "wasm32"))]

mod server_support;

use std::io::Write;
use std::time::{Duration, Instant};

use server_support::{read_to_close, Response, Server};

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; \
                   connect-src 'self' ws: wss:; img-src 'self' data:";

#[test]
fn serves_the_page_with_its_type_and_a_csp_without_inline_script() {
    let server = Server::start(&[]);
    let res = server.get("/");
    assert_eq!(res.status, 200, "{}", res.head);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(res.header("content-security-policy"), Some(CSP));
    assert!(!res
        .header("content-security-policy")
        .unwrap()
        .contains("unsafe-inline"));
    let on_disk = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/index.html")).unwrap();
    assert_eq!(res.body, on_disk);
}

#[test]
fn serves_js_and_wasm_with_their_types() {
    let server = Server::start(&[]);
    let js = server.get("/js/index.js");
    assert_eq!(js.status, 200);
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        js.body,
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/js/index.js")).unwrap()
    );
    // pkg/ exists only after a build; make one of our own to check the wasm type.
    let root = tempdir("wasm-type");
    for dir in ["www", "js", "pkg"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    std::fs::write(root.join("www/index.html"), "<!doctype html>").unwrap();
    std::fs::write(root.join("pkg/m_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let server = Server::start(&["--root", root.to_str().unwrap()]);
    let wasm = server.get("/pkg/m_bg.wasm");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.body, b"\0asm\x01\0\0\0");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn missing_files_and_escapes_are_404() {
    let server = Server::start(&[]);
    assert_eq!(server.get("/no-such-file.js").status, 404);
    for escape in [
        "/../Cargo.toml",
        "/js/../src/lib.rs",
        "/%2e%2e/Cargo.toml",
        "/.git/HEAD",
    ] {
        let res = server.get(escape);
        assert_eq!(res.status, 404, "{escape}: {}", res.head);
    }
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = Server::start(&[]);
    let mut s = server.connect();
    let one = "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n";
    let last = "GET /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    s.write_all(format!("{one}{one}{last}").as_bytes()).unwrap();
    let all = String::from_utf8_lossy(&read_to_close(&mut s)).into_owned();
    assert_eq!(all.matches("HTTP/1.1 200 OK").count(), 3, "{all}");
}

#[test]
fn a_head_over_8_kib_gets_431() {
    let server = Server::start(&[]);
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Filler: {}\r\n\r\n",
        "a".repeat(9000)
    );
    let res = Response::parse(&server.exchange(big.as_bytes()));
    assert_eq!(res.status, 431);
    // Just under the limit is still served.
    let mut fits = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Filler: {}",
        "a".repeat(8000)
    );
    fits.push_str("\r\n\r\n");
    assert!(fits.len() <= 8192);
    assert_eq!(
        Response::parse(&server.exchange(fits.as_bytes())).status,
        200
    );
}

#[test]
fn the_head_limit_is_a_flag() {
    let server = Server::start(&["--max-head", "1024"]);
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Filler: {}\r\n\r\n",
        "a".repeat(1100)
    );
    assert_eq!(
        Response::parse(&server.exchange(big.as_bytes())).status,
        431
    );
}

#[test]
fn a_client_sending_its_head_one_byte_per_interval_is_dropped_and_others_are_served() {
    let server = Server::start(&["--handshake-timeout", "1"]);
    let mut slow = server.connect();
    let start = Instant::now();
    let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut dropped = false;
    for byte in request.iter().take(12) {
        if slow.write_all(&[*byte]).is_err() {
            dropped = true;
            break;
        }
        // Meanwhile another client is served at once.
        let t = Instant::now();
        assert_eq!(server.get("/").status, 200);
        assert!(t.elapsed() < Duration::from_secs(2));
        std::thread::sleep(Duration::from_millis(250));
    }
    if !dropped {
        slow.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        assert!(
            read_to_close(&mut slow).is_empty(),
            "the slow client got an answer"
        );
    }
    assert!(start.elapsed() < Duration::from_secs(8));
}

#[test]
fn a_peer_that_sends_garbage_gets_400_and_others_are_served() {
    let server = Server::start(&[]);
    let res = Response::parse(
        &server.exchange(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n"),
    );
    assert_eq!(res.status, 400);
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn websocket_requests_elsewhere_than_echo_and_tap_are_404() {
    let server = Server::start(&[]);
    let req = server_support::upgrade_request("/chat", &[]);
    let res = Response::parse(&server.exchange(req.as_bytes()));
    assert_eq!(res.status, 404);
    assert!(res.body_text().contains("/echo"), "{}", res.body_text());
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wsinspect-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
