//! Every `/echo` limit holds under attack: what the server keeps and the CPU it spends stay
//! bounded whatever a client sends after the server has closed, measured from the server
//! process's own peak RSS (VmHWM) and CPU time.
#![cfg(not(target_arch = "wasm32"))]

mod server_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use server_support::ws::client_frame;
use server_support::{read_head, upgrade_request, Server};

const KEY: [u8; 4] = [0x12, 0x34, 0x56, 0x78];

/// Opens `/echo` with the given extra headers; returns the socket after the 101.
fn open(server: &Server, extra: &[&str]) -> TcpStream {
    let mut s = server.connect();
    s.write_all(upgrade_request("/echo", extra).as_bytes())
        .unwrap();
    let (head, _) = read_head(&mut s);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    s
}

/// Writes `chunk` again and again for `time` at most, or `bytes` in all, or until the
/// server stops taking them; returns the bytes written.
fn flood(s: &mut TcpStream, chunk: &[u8], time: Duration, bytes: u64) -> u64 {
    s.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
    let start = Instant::now();
    let mut sent = 0u64;
    while start.elapsed() < time && sent < bytes {
        match s.write(chunk) {
            Ok(n) => sent += n as u64,
            Err(_) => break,
        }
    }
    sent
}

/// Reads what the server sent (until a close frame or 10 s) and returns its close code.
fn close_code(s: &mut TcpStream) -> Option<u16> {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // Server frames are unmasked: 0x88, a 7-bit length, then the code.
        if let Some(at) = got.windows(2).position(|w| w[0] == 0x88 && w[1] <= 125) {
            if got.len() >= at + 4 {
                return Some(u16::from_be_bytes([got[at + 2], got[at + 3]]));
            }
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

fn peak_mib(server: &Server) -> u64 {
    server.peak_rss_kib().expect("the server's VmHWM") / 1024
}

#[test]
fn after_closing_a_huge_frame_the_server_stores_nothing_more() {
    // A frame announcing 2^62 bytes, then 256 MiB of it: close 1009 at once, then the
    // drain reads and discards (it used to append everything: 3.7-4.5 GB).
    let server = Server::start(&["--close-timeout", "2"]);
    let mut s = open(&server, &[]);
    let mut header = vec![0x82, 0xFF];
    header.extend_from_slice(&(1u64 << 62).to_be_bytes());
    header.extend_from_slice(&KEY);
    s.write_all(&header).unwrap();
    let mut reader = s.try_clone().unwrap();
    let closer = std::thread::spawn(move || close_code(&mut reader));
    let sent = flood(
        &mut s,
        &vec![7u8; 1 << 20],
        Duration::from_secs(8),
        256 << 20,
    );
    assert_eq!(closer.join().unwrap(), Some(1009));
    let peak = peak_mib(&server);
    eprintln!(
        "sent {} MiB after the header; server peak {peak} MiB",
        sent >> 20
    );
    assert!(peak < 200, "server peak {peak} MiB");
}

#[test]
fn empty_fragments_cannot_grow_a_message_without_end() {
    // 10^7 empty continuation frames of a 2-byte message (it used to take 82 MB and
    // 768 MB for 10^8): past the fragment budget the message is too big, close 1009.
    let server = Server::start(&["--close-timeout", "2"]);
    let mut s = open(&server, &[]);
    s.write_all(&client_frame(false, false, 0x2, b"hi", KEY))
        .unwrap();
    let mut reader = s.try_clone().unwrap();
    let closer = std::thread::spawn(move || close_code(&mut reader));
    let one = client_frame(false, false, 0x0, b"", KEY);
    let chunk: Vec<u8> = one.repeat(100_000);
    let sent = flood(&mut s, &chunk, Duration::from_secs(30), 10_000_000 * 6);
    let peak = peak_mib(&server);
    eprintln!("sent {} empty fragments; server peak {peak} MiB", sent / 6);
    assert!(peak < 60, "server peak {peak} MiB");
    assert_eq!(closer.join().unwrap(), Some(1009));
}

#[test]
fn nothing_is_inflated_past_the_limit_or_after_the_close() {
    // A compressed message that inflates past the limit in its first fragment, then more
    // fragments of the same bomb: after the 1009 nothing is inflated (it used to go on
    // at about 16 GiB/s for the close timeout and the drain: 10.8 s of CPU).
    let server = Server::start(&["--max-message", "1048576", "--close-timeout", "3"]);
    let mut s = open(&server, &["Sec-WebSocket-Extensions: permessage-deflate"]);
    // Zeros compress about 1000 to 1: 64 KiB of deflate inflate to about 64 MiB.
    let mut compressor = flate2::Compress::new(flate2::Compression::best(), false);
    let zeros = vec![0u8; 1 << 20];
    let mut bomb = Vec::with_capacity(1 << 17);
    while bomb.len() < 64 << 10 {
        compressor
            .compress_vec(&zeros, &mut bomb, flate2::FlushCompress::None)
            .unwrap();
        if bomb.capacity() - bomb.len() < 1024 {
            bomb.reserve(1 << 16);
        }
    }
    compressor
        .compress_vec(&[], &mut bomb, flate2::FlushCompress::Sync)
        .unwrap();
    let cpu_before = server.cpu_time().unwrap();
    s.write_all(&client_frame(false, true, 0x2, &bomb, KEY))
        .unwrap();
    let mut reader = s.try_clone().unwrap();
    let closer = std::thread::spawn(move || close_code(&mut reader));
    // More of the bomb: deflate data that goes on from where the first fragment stopped
    // (zeros, by back-references only).
    let mut more = Vec::with_capacity(1 << 17);
    while more.len() < 60 << 10 {
        compressor
            .compress_vec(&zeros, &mut more, flate2::FlushCompress::None)
            .unwrap();
        if more.capacity() - more.len() < 1024 {
            more.reserve(1 << 16);
        }
    }
    let frame = client_frame(false, false, 0x0, &more, KEY);
    let sent = flood(&mut s, &frame, Duration::from_secs(6), u64::MAX);
    assert_eq!(closer.join().unwrap(), Some(1009));
    // Let the server finish whatever it still does with what it read.
    std::thread::sleep(Duration::from_secs(1));
    let cpu = server.cpu_time().unwrap() - cpu_before;
    eprintln!(
        "sent {} KiB of compressed fragments; server CPU {} ms",
        sent >> 10,
        cpu.as_millis()
    );
    assert!(cpu < Duration::from_millis(1500), "server CPU {cpu:?}");
}

#[test]
fn a_panicking_connection_is_closed_with_1011_and_the_others_go_on() {
    // The test hook makes /echo panic on one text message. The native binary unwinds, so
    // the panic stays in that connection's task (with panic = "abort" it took the server
    // and every connection down).
    let server = Server::start_with_env(&[], &[("WSINSPECT_TEST_PANIC_ON", "panic now")]);
    let mut other = open(&server, &[]);
    let mut victim = open(&server, &[]);
    victim
        .write_all(&client_frame(true, false, 0x1, b"panic now", KEY))
        .unwrap();
    assert_eq!(close_code(&mut victim), Some(1011));
    // The other connection still echoes, and new ones are served.
    for s in [&mut other, &mut open(&server, &[])] {
        s.write_all(&client_frame(true, false, 0x1, b"still here", KEY))
            .unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut got = [0u8; 12];
        s.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"\x81\x0astill here");
    }
    let mut server = server;
    assert!(server.alive());
}

#[test]
fn max_head_is_one_value_for_echo_and_the_static_files() {
    // --max-head 16384: a 10 KB head is served by /echo and by the static files alike (it
    // used to get 400 from /echo and 431 from hyper); a 20 KB head gets 431 from both.
    let server = Server::start(&["--max-head", "16384"]);
    let padding = |n: usize| format!("X-Padding: {}", "p".repeat(n));
    for (size, echo_status, page_status) in [(10_000, 101, 200), (20_000, 431, 431)] {
        let pad = padding(size);
        let mut s = server.connect();
        s.write_all(upgrade_request("/echo", &[&pad]).as_bytes())
            .unwrap();
        let (head, _) = read_head(&mut s);
        let echo = server_support::Response::parse(format!("{head}\r\n\r\n").as_bytes());
        assert_eq!(echo.status, echo_status, "/echo, {size}: {}", echo.head);
        let page = format!("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n{pad}\r\n\r\n");
        let page = server_support::Response::parse(&server.exchange(page.as_bytes()));
        assert_eq!(page.status, page_status, "/, {size}: {}", page.head);
    }
    // Above the ceiling the server does not start.
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_wsinspect"))
        .args(["serve", "--listen", "127.0.0.1:0", "--max-head", "70000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}
