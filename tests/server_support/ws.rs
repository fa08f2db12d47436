//! A deliberately small WebSocket client for the server tests, written apart from the core
//! (its own framing, masking and accept check) so a bug in the core cannot hide itself.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const TEXT: u8 = 0x1;
pub const BINARY: u8 = 0x2;
pub const CONTINUATION: u8 = 0x0;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const PONG: u8 = 0xA;

/// How long any single read may wait.
pub const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// One frame as received from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    pub rsv1: bool,
    pub opcode: u8,
    pub masked: bool,
    pub payload: Vec<u8>,
}

impl Frame {
    /// The close code and reason of a close frame.
    pub fn close(&self) -> Option<(u16, String)> {
        (self.opcode == CLOSE && self.payload.len() >= 2).then(|| {
            let code = u16::from_be_bytes([self.payload[0], self.payload[1]]);
            (
                code,
                String::from_utf8_lossy(&self.payload[2..]).into_owned(),
            )
        })
    }
}

pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
    /// The server's 101 response head.
    pub response: String,
    rng: u64,
}

/// A tiny xorshift64 generator (masking keys and test data; seeded, so runs repeat).
pub fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

/// The RFC 6455 §1.3 example key and its accept value, computed independently of the core.
pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
pub const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

impl Client {
    /// Opens `path` with the example key and `extra` headers; Err(head) when the answer is not 101.
    pub async fn connect(addr: SocketAddr, path: &str, extra: &[&str]) -> Result<Client, String> {
        let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let req = super::upgrade_request(path, extra);
        stream
            .write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let end = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let n = tokio::time::timeout(READ_TIMEOUT, stream.read(&mut chunk))
                .await
                .map_err(|_| "timed out reading the handshake response".to_string())?
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err(String::from_utf8_lossy(&buf).into_owned());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let response = String::from_utf8_lossy(&buf[..end]).into_owned();
        if !response.starts_with("HTTP/1.1 101 ") {
            return Err(response);
        }
        let accept = header(&response, "sec-websocket-accept");
        assert_eq!(accept, Some(ACCEPT), "{response}");
        let rest = buf.split_off(end);
        Ok(Client {
            stream,
            buf: rest,
            response,
            rng: 0x9E37_79B9_7F4A_7C15 ^ addr.port() as u64,
        })
    }

    /// Sends one masked frame.
    pub async fn send_frame(&mut self, fin: bool, rsv1: bool, opcode: u8, payload: &[u8]) {
        let key = (xorshift(&mut self.rng) as u32).to_be_bytes();
        let bytes = client_frame(fin, rsv1, opcode, payload, key);
        self.stream.write_all(&bytes).await.expect("write");
    }

    pub async fn send(&mut self, opcode: u8, payload: &[u8]) {
        self.send_frame(true, false, opcode, payload).await
    }

    /// Reads one frame (READ_TIMEOUT at most); None when the server closed the connection.
    pub async fn recv(&mut self) -> Option<Frame> {
        loop {
            if let Some((frame, used)) = parse_server_frame(&self.buf) {
                self.buf.drain(..used);
                return Some(frame);
            }
            let mut chunk = [0u8; 16384];
            let n = match tokio::time::timeout(READ_TIMEOUT, self.stream.read(&mut chunk)).await {
                Ok(Ok(n)) => n,
                Ok(Err(_)) => 0,
                Err(_) => panic!("no frame from the server within {READ_TIMEOUT:?}"),
            };
            if n == 0 {
                return None;
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Reads frames until a whole data message (continuations joined); control frames met on
    /// the way are returned in `controls`.
    pub async fn recv_message(&mut self) -> Option<(u8, bool, Vec<u8>, Vec<Frame>)> {
        let mut controls = Vec::new();
        let mut message: Option<(u8, bool, Vec<u8>)> = None;
        loop {
            let frame = self.recv().await?;
            if frame.opcode >= 0x8 {
                let is_close = frame.opcode == CLOSE;
                controls.push(frame);
                if is_close {
                    return Some((CLOSE, false, Vec::new(), controls));
                }
                continue;
            }
            let (opcode, rsv1, mut data) = match message.take() {
                None => (frame.opcode, frame.rsv1, Vec::new()),
                Some(m) => m,
            };
            data.extend_from_slice(&frame.payload);
            if frame.fin {
                return Some((opcode, rsv1, data, controls));
            }
            message = Some((opcode, rsv1, data));
        }
    }
}

/// The value of header `name` in a response head.
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A client frame, masked with `key`, the shortest length encoding.
pub fn client_frame(fin: bool, rsv1: bool, opcode: u8, payload: &[u8], key: [u8; 4]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 14);
    out.push(((fin as u8) << 7) | ((rsv1 as u8) << 6) | opcode);
    let len = payload.len();
    if len < 126 {
        out.push(0x80 | len as u8);
    } else if len < 65536 {
        out.push(0x80 | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(&key);
    let start = out.len();
    out.extend_from_slice(payload);
    mask(&mut out[start..], key);
    out
}

/// XORs `data` with the masking key (RFC 6455 §5.3), eight bytes at a time where it can.
pub fn mask(data: &mut [u8], key: [u8; 4]) {
    let word = u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ]);
    let mut chunks = data.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let v = u64::from_ne_bytes(chunk.try_into().unwrap()) ^ word;
        chunk.copy_from_slice(&v.to_ne_bytes());
    }
    // The tail starts at a multiple of 8, so of 4: the key lines up again.
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= key[i % 4];
    }
}

/// One frame from the start of `buf` and its length, or None when more bytes are needed.
pub fn parse_server_frame(buf: &[u8]) -> Option<(Frame, usize)> {
    let b0 = *buf.first()?;
    let b1 = *buf.get(1)?;
    let masked = b1 & 0x80 != 0;
    let (len, mut at) = match b1 & 0x7F {
        126 => (
            u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?) as usize,
            4,
        ),
        127 => (
            u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    let key = if masked {
        let k: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(k)
    } else {
        None
    };
    let mut payload = buf.get(at..at.checked_add(len)?)?.to_vec();
    if let Some(k) = key {
        mask(&mut payload, k);
    }
    let frame = Frame {
        fin: b0 & 0x80 != 0,
        rsv1: b0 & 0x40 != 0,
        opcode: b0 & 0x0F,
        masked,
        payload,
    };
    Some((frame, at + len))
}
