//! Running `wsinspect proxy` and real WebSocket peers for a test, all on 127.0.0.1: each is
//! a child process found by what it prints and killed by its process id when dropped.
#![allow(dead_code)]

pub mod tap;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;
use wsinspect::{ChunkMeta, DirectedChunk, Direction, Transcript};

/// A child process that is killed when dropped.
pub struct Running {
    child: Child,
    /// The lines it printed after the one waited for.
    lines: mpsc::Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// The next JSON line it prints (10 s at most) for which `wanted` holds; lines before
    /// it are dropped. None when no such line came.
    pub fn wait_json(&self, wanted: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).ok()?;
            if let Ok(value) = serde_json::from_str::<Value>(&line) {
                if wanted(&value) {
                    return Some(value);
                }
            }
        }
    }
}

/// Starts `command` and waits (10 s at most) for a stdout line starting with `prefix`;
/// returns the process and the rest of that line.
fn start_waiting(mut command: Command, prefix: &str) -> (Running, String) {
    let mut child = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the process starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let running = Running { child, lines: rx };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = running
            .lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no line starting {prefix:?} within 10 s"));
        if let Some(rest) = line.strip_prefix(prefix) {
            return (running, rest.to_owned());
        }
    }
}

/// A running proxy.
pub struct Proxy {
    _process: Running,
    pub addr: SocketAddr,
}

impl Proxy {
    /// `wsinspect proxy --listen 127.0.0.1:0 ARGS...`.
    pub fn start(args: &[&str]) -> Proxy {
        let bin = std::env::var("WSINSPECT_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_wsinspect").to_owned());
        let mut command = Command::new(bin);
        command
            .args(["proxy", "--listen", "127.0.0.1:0"])
            .args(args);
        let (process, rest) = start_waiting(command, "wsinspect: proxying on ws://");
        let addr = rest.trim_end_matches('/').parse().expect("an address");
        Proxy {
            _process: process,
            addr,
        }
    }

    /// The proxy's peak resident set size (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let pid = self._process.child.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// `GET path` on the proxy's own port: (status, body).
    pub fn get(&self, path: &str) -> (u16, Vec<u8>) {
        self.get_with_host(path, &self.addr.to_string())
    }

    /// `GET path` with this Host header: (status, body).
    pub fn get_with_host(&self, path: &str, host: &str) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
        let response = read_to_close(&mut s);
        let end = find(&response, b"\r\n\r\n").expect("a complete head") + 4;
        let status = std::str::from_utf8(&response[9..12])
            .unwrap()
            .parse()
            .unwrap();
        (status, response[end..].to_vec())
    }

    /// `POST path` with a JSON body on the proxy's own port: (status, body).
    pub fn post(&self, path: &str, body: &str) -> (u16, Vec<u8>) {
        self.post_with_host(path, body, &self.addr.to_string())
    }

    /// `POST path` with a JSON body and this Host header: (status, body).
    pub fn post_with_host(&self, path: &str, body: &str, host: &str) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let response = read_to_close(&mut s);
        let end = find(&response, b"\r\n\r\n").expect("a complete head") + 4;
        let status = std::str::from_utf8(&response[9..12])
            .unwrap()
            .parse()
            .unwrap();
        (status, response[end..].to_vec())
    }

    pub fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    /// Waits (10 s at most) until no connection is open; the listing then.
    pub fn wait_all_closed(&self) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let list = self.json("/proxy/connections");
            if list["open"] == 0 || Instant::now() > deadline {
                return list;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Connection `id`'s recording as a transcript for the conversation model.
    pub fn transcript(&self, id: u64) -> Transcript {
        let detail = self.json(&format!("/proxy/connections/{id}"));
        transcript_of(&detail)
    }
}

/// A connection's JSON detail as a transcript.
pub fn transcript_of(detail: &Value) -> Transcript {
    let b64 = base64::engine::general_purpose::STANDARD;
    let chunks = detail["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| DirectedChunk {
            direction: Direction::from_name(c["direction"].as_str().unwrap()).unwrap(),
            bytes: b64.decode(c["base64"].as_str().unwrap()).unwrap(),
            meta: ChunkMeta {
                time: c["time"].as_f64(),
                packet: None,
            },
        })
        .collect();
    Transcript {
        format: "proxy".into(),
        chunks,
        ..Transcript::default()
    }
}

/// One direction's bytes of a transcript, concatenated.
pub fn side(t: &Transcript, direction: Direction) -> Vec<u8> {
    t.chunks
        .iter()
        .filter(|c| c.direction == direction)
        .flat_map(|c| c.bytes.iter().copied())
        .collect()
}

/// A WebSocket peer script from tests/interop/ in server mode: (process, port).
pub fn peer_server(program: &str, script: &str, extra: &[&str]) -> (Running, u16) {
    let mut command = Command::new(program);
    command
        .arg(format!("tests/interop/{script}"))
        .arg("server")
        .args(extra);
    let (running, port) = start_waiting(command, "listening ");
    (running, port.trim().parse().unwrap())
}

/// A peer script from tests/interop/ in client mode, once it printed `open`: it goes on
/// printing a JSON line per event.
pub fn peer_client_open(program: &str, script: &str, args: &[&str]) -> Running {
    let mut command = Command::new(program);
    command
        .arg(format!("tests/interop/{script}"))
        .arg("client")
        .args(args);
    start_waiting(command, "open").0
}

/// Runs a peer script in client mode to its end (30 s at most: the scripts time out
/// themselves); its status and the JSON line it printed.
pub fn peer_client(program: &str, script: &str, args: &[&str]) -> (bool, Value) {
    let out = Command::new(program)
        .arg(format!("tests/interop/{script}"))
        .arg("client")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("the client runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or("null");
    (
        out.status.success(),
        serde_json::from_str(line).unwrap_or(Value::Null),
    )
}

/// Reads until EOF, an error, or 10 s.
pub fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A client handshake for `path` with the RFC 6455 §1.3 example key.
pub fn client_head(path: &str, extensions: Option<&str>) -> Vec<u8> {
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    );
    if let Some(e) = extensions {
        head.push_str(&format!("Sec-WebSocket-Extensions: {e}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// Reads a response head off `s` (and whatever came with it).
pub fn read_head(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while find(&out, b"\r\n\r\n").is_none() {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

/// A masked client frame (RFC 6455 §5.3: each payload byte XORed with key[i % 4]).
pub fn masked_frame(first: u8, key: [u8; 4], payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut out = vec![first, 0x80 | payload.len() as u8];
    out.extend_from_slice(&key);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    out
}
