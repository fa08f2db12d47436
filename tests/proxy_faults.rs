//! Faults around `wsinspect proxy` (issue 13 §3): the upstream refuses, resets mid-frame
//! or stalls; the client vanishes; a head too large. Each time the client hears what
//! happened, the listing says why the connection closed, and nothing stays open.
#![cfg(not(target_arch = "wasm32"))]

#[path = "proxy_support/mod.rs"]
mod support;

use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::*;

/// A raw upstream that answers any handshake with a fixed 101 (the RFC 6455 §1.3 key's
/// accept value) then runs `then` on the socket.
fn upstream<F>(then: F) -> std::net::SocketAddr
where
    F: FnOnce(TcpStream) + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        read_head(&mut s);
        s.write_all(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
        )
        .unwrap();
        then(s);
    });
    addr
}

fn connect_through(proxy: &Proxy) -> TcpStream {
    let mut client = TcpStream::connect(proxy.addr).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    client.write_all(&client_head("/", None)).unwrap();
    client
}

/// The only connection's closing reason once none is open.
fn closed_reason(proxy: &Proxy) -> String {
    let list = proxy.wait_all_closed();
    assert_eq!(list["open"], 0, "{list}");
    let connection = &list["connections"][0];
    assert_eq!(connection["state"], "closed", "{list}");
    connection["reason"].as_str().unwrap().to_owned()
}

#[test]
fn a_refusing_upstream_is_a_502_naming_it() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let proxy = Proxy::start(&["--upstream", &format!("ws://127.0.0.1:{port}/")]);
    let answer = String::from_utf8(read_to_close(&mut connect_through(&proxy))).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 502 Bad Gateway\r\n"),
        "{answer}"
    );
    assert!(
        answer.contains(&format!("cannot connect to 127.0.0.1:{port}")),
        "{answer}"
    );
    assert!(closed_reason(&proxy).starts_with("502 Bad Gateway: cannot connect"));
    // The recording keeps the request and the 502 for the page.
    let t = proxy.transcript(1);
    assert!(side(&t, wsinspect::Direction::Server).starts_with(b"HTTP/1.1 502 "));
}

#[test]
fn an_upstream_reset_mid_frame_ends_the_connection() {
    let (go, wait) = mpsc::channel::<()>();
    let addr = upstream(move |mut s| {
        // Half of a 256-byte binary frame, then a reset: Linux answers a close with unread
        // data waiting by RST (RFC 2525 §2.17), and the client's frame is left unread.
        s.write_all(&[0x82, 0x7e, 0x01, 0x00]).unwrap();
        s.write_all(&[7; 100]).unwrap();
        let _ = wait.recv_timeout(Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(100));
        drop(s);
    });
    let proxy = Proxy::start(&["--upstream", &format!("ws://{addr}/")]);
    let mut client = connect_through(&proxy);
    let mut got = read_head(&mut client);
    // After the 101, so the upstream has read its head and leaves this frame unread.
    client
        .write_all(&masked_frame(0x81, [1, 2, 3, 4], b"unread"))
        .unwrap();
    go.send(()).unwrap();
    got.extend(read_to_close(&mut client));
    assert!(got.starts_with(b"HTTP/1.1 101 "));
    assert!(got.ends_with(&[7; 100]), "the half frame arrived as sent");
    let reason = closed_reason(&proxy);
    assert!(
        reason.contains("upstream") && reason.to_lowercase().contains("reset"),
        "{reason}"
    );
}

#[test]
fn a_stalled_upstream_is_closed_at_the_idle_limit() {
    let addr = upstream(|s| {
        std::thread::sleep(Duration::from_secs(8));
        drop(s);
    });
    let proxy = Proxy::start(&[
        "--idle-timeout",
        "1",
        "--upstream",
        &format!("ws://{addr}/"),
    ]);
    let started = Instant::now();
    let got = read_to_close(&mut connect_through(&proxy));
    assert!(got.starts_with(b"HTTP/1.1 101 "));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert!(closed_reason(&proxy).starts_with("idle"));
}

#[test]
fn a_vanishing_client_is_passed_on_and_nothing_stays_open() {
    let (saw_end, ended) = mpsc::channel();
    let addr = upstream(move |mut s| {
        let rest = read_to_close(&mut s);
        saw_end.send(rest).unwrap();
    });
    let proxy = Proxy::start(&["--upstream", &format!("ws://{addr}/")]);
    let mut client = connect_through(&proxy);
    read_head(&mut client);
    // Half a frame, then gone.
    client.write_all(&[0x81, 0x85, 1, 2]).unwrap();
    client.shutdown(Shutdown::Both).unwrap();
    drop(client);
    let rest = ended.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        rest,
        [0x81, 0x85, 1, 2],
        "the upstream got the half frame, then the end"
    );
    assert!(closed_reason(&proxy).starts_with("client closed first"));
    // The proxy goes on serving.
    let (status, _) = proxy.get("/proxy/connections");
    assert_eq!(status, 200);
}

#[test]
fn a_head_over_the_limit_is_431_and_missing_files_404() {
    let proxy = Proxy::start(&["--max-head", "100", "--upstream", "ws://127.0.0.1:1/"]);
    let mut client = TcpStream::connect(proxy.addr).unwrap();
    client
        .write_all(&client_head(&format!("/{}", "a".repeat(200)), None))
        .unwrap();
    let answer = String::from_utf8(read_to_close(&mut client)).unwrap();
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    // Plain requests get the inspector page's files (a file that is not there: 404).
    assert_eq!(proxy.get("/index.html").0, 200);
    assert_eq!(proxy.get("/no-such-file.txt").0, 404);
    assert_eq!(proxy.get("/proxy/connections/99").0, 404);
    assert_eq!(
        proxy.json("/proxy/connections")["connections"],
        serde_json::json!([])
    );
}

#[test]
fn a_slow_reader_stalls_the_sender_and_the_proxy_holds_no_backlog() {
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    const PAYLOAD: usize = 64 * 1024 * 1024;
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    let addr = upstream(move |mut s| {
        // One binary frame of 64 MiB (RFC 6455 §5.2: length 127, then 8 bytes).
        let mut header = vec![0x82, 0x7f];
        header.extend((PAYLOAD as u64).to_be_bytes());
        s.write_all(&header).unwrap();
        let block = vec![0x5a; 64 * 1024];
        for _ in 0..PAYLOAD / block.len() {
            if s.write_all(&block).is_err() {
                return;
            }
            counter.fetch_add(block.len(), Ordering::Relaxed);
        }
    });
    let proxy = Proxy::start(&[
        "--max-recording",
        "1000000",
        "--upstream",
        &format!("ws://{addr}/"),
    ]);
    let mut client = connect_through(&proxy);
    let head = read_head(&mut client);
    // Not reading: the upstream stalls once the kernel's buffers and the proxy's one
    // buffer are full.
    std::thread::sleep(Duration::from_millis(1500));
    let before_reading = written.load(Ordering::Relaxed);
    assert!(
        before_reading < PAYLOAD / 2,
        "{before_reading} bytes sent to a client that reads nothing"
    );
    let mut total = head.len() - (find(&head, b"\r\n\r\n").unwrap() + 4);
    let mut buf = vec![0u8; 1 << 16];
    while total < PAYLOAD + 10 {
        match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
    assert_eq!(total, PAYLOAD + 10, "every byte arrived once read");
    let peak = proxy.peak_rss_kib().unwrap();
    assert!(
        peak < 48 * 1024,
        "proxy peak RSS {peak} KiB for a 64 MiB frame"
    );
    let list = proxy.json("/proxy/connections");
    assert_eq!(list["connections"][0]["truncated"], true);
    eprintln!("slow reader: {before_reading} bytes sent before reading, proxy peak {peak} KiB");
}
