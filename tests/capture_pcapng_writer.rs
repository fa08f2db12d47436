//! The pcapng writer checked by what nobody here wrote: tshark 4.0 reads the files back
//! (its WebSocket dissector, Follow TCP Stream, checksum and sequence analysis).
//! Skipped, with a message, where tshark is not installed.
#![cfg(feature = "conversation")]

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use wsinspect::capture::pcapng_writer::write_pcapng;
use wsinspect::{
    encode_frame, ChunkMeta, DirectedChunk, Direction, Endpoint, FrameSpec, Transcript,
};

/// The opening handshake of RFC 6455 §1.2 and §1.3.
const REQUEST: &str = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\n\
Sec-WebSocket-Version: 13\r\n\r\n";

/// The server's answer: the accept value RFC 6455 §1.3 computes for that key.
const RESPONSE: &str = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

/// Is tshark here? If not, says so on stderr.
fn tshark_present() -> bool {
    let found = Command::new("tshark").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: tshark is not installed (the pcapng writer's checks need it)");
    }
    found
}

/// A file in the temporary directory, unique to this process and name.
fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("wsinspect-{}-{name}.pcapng", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Runs tshark on the file with the extra arguments; its stdout.
fn tshark(path: &PathBuf, args: &[&str]) -> String {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tshark {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A frame as our encoder writes it, with what tshark should report for it.
struct Sent {
    direction: Direction,
    spec: FrameSpec,
}

/// A frame spec: FIN set, no RSV bits.
fn spec(opcode: u8, payload: &[u8], key: Option<[u8; 4]>) -> FrameSpec {
    let mut spec = FrameSpec::new(opcode, payload);
    spec.masking_key = key;
    spec
}

/// A payload of `n` bytes that is not all one value.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

/// The frames the tests send: masked client frames, server frames, one frame longer than a
/// segment, and (see `chunks`) a chunk holding two frames.
fn frames() -> Vec<Sent> {
    let client = Direction::Client;
    let server = Direction::Server;
    vec![
        Sent {
            direction: client,
            spec: spec(1, b"Hello", Some([0x37, 0xfa, 0x21, 0x3d])),
        },
        Sent {
            direction: server,
            spec: spec(1, "héllo ☃".as_bytes(), None),
        },
        Sent {
            direction: client,
            spec: spec(2, &pattern(3000), Some([1, 2, 3, 4])),
        },
        Sent {
            direction: server,
            spec: spec(2, &pattern(200), None),
        },
        // These two go in one chunk.
        Sent {
            direction: server,
            spec: spec(9, b"ping!", None),
        },
        Sent {
            direction: server,
            spec: spec(1, b"two in one", None),
        },
        Sent {
            direction: client,
            spec: spec(8, &[0x03, 0xe8, b'b', b'y', b'e'], Some([9, 8, 7, 6])),
        },
        Sent {
            direction: server,
            spec: spec(8, &[0x03, 0xe8], None),
        },
    ]
}

/// The transcript: the handshake, then the frames, frames 5 and 6 in one chunk.
fn transcript(client: Option<Endpoint>, server: Option<Endpoint>, handshake: bool) -> Transcript {
    let mut chunks = Vec::new();
    let mut push = |direction: Direction, bytes: Vec<u8>| {
        chunks.push(DirectedChunk {
            direction,
            bytes,
            meta: ChunkMeta::default(),
        });
    };
    if handshake {
        push(Direction::Client, REQUEST.as_bytes().to_vec());
        push(Direction::Server, RESPONSE.as_bytes().to_vec());
    }
    let sent = frames();
    for (index, frame) in sent.iter().enumerate() {
        let mut bytes = encode_frame(&frame.spec);
        if index == 4 {
            bytes.extend(encode_frame(&sent[5].spec));
        } else if index == 5 {
            continue;
        }
        push(frame.direction, bytes);
    }
    Transcript {
        client,
        server,
        chunks,
        ..Transcript::default()
    }
}

/// A JSON value that is one object or a list of them, as a list.
fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(list) => list.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// A tshark field's string.
fn field<'a>(layer: &'a Value, name: &str) -> Option<&'a str> {
    layer.get(name).and_then(Value::as_str)
}

/// Plain or colon-separated hex ("37:fa:21:3d", "37fa213d") as bytes.
fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| *b != b':').collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// One WebSocket frame as tshark or we see it.
#[derive(Debug, PartialEq)]
struct SeenFrame {
    fin: bool,
    rsv: u8,
    opcode: u8,
    mask: bool,
    masking_key: Option<Vec<u8>>,
    payload_length: u64,
    /// Unmasked.
    payload: Vec<u8>,
    /// The sender, by the packet's source port.
    from_client: bool,
}

/// tshark's WebSocket frames in packet order (`-x` adds each field's raw bytes: for
/// `websocket.payload` those are the unmasked payload).
fn tshark_frames(path: &PathBuf, client_port: u16, extra: &[&str]) -> Vec<SeenFrame> {
    let mut args = vec!["-Y", "websocket", "-T", "json", "--no-duplicate-keys", "-x"];
    args.extend_from_slice(extra);
    let json: Value = serde_json::from_str(&tshark(path, &args)).unwrap();
    let mut found = Vec::new();
    for packet in json.as_array().unwrap() {
        let layers = &packet["_source"]["layers"];
        let source_port: u16 = field(&layers["tcp"], "tcp.srcport")
            .unwrap()
            .parse()
            .unwrap();
        for ws in as_list(&layers["websocket"]) {
            let rsv = field(ws, "websocket.rsv").unwrap().trim_start_matches("0x");
            let length = field(ws, "websocket.payload_length_ext_64")
                .or(field(ws, "websocket.payload_length_ext_16"))
                .or(field(ws, "websocket.payload_length"))
                .unwrap();
            let payload = ws
                .get("websocket.payload_raw")
                .and_then(|raw| raw[0].as_str())
                .map(hex)
                .unwrap_or_default();
            found.push(SeenFrame {
                fin: field(ws, "websocket.fin") == Some("1"),
                rsv: u8::from_str_radix(rsv, 16).unwrap(),
                opcode: field(ws, "websocket.opcode").unwrap().parse().unwrap(),
                mask: field(ws, "websocket.mask") == Some("1"),
                masking_key: field(ws, "websocket.masking_key").map(hex),
                payload_length: length.parse().unwrap(),
                payload,
                from_client: source_port == client_port,
            });
        }
    }
    found
}

/// The frames as we sent them.
fn our_frames() -> Vec<SeenFrame> {
    frames()
        .into_iter()
        .map(|f| SeenFrame {
            fin: f.spec.fin,
            rsv: 0,
            opcode: f.spec.opcode,
            mask: f.spec.masking_key.is_some(),
            masking_key: f.spec.masking_key.map(|k| k.to_vec()),
            payload_length: f.spec.payload.len() as u64,
            payload: f.spec.payload,
            from_client: f.direction == Direction::Client,
        })
        .collect()
}

/// Each direction's bytes, as the transcript has them.
fn directed_bytes(t: &Transcript) -> [Vec<u8>; 2] {
    let mut bytes = [Vec::new(), Vec::new()];
    for chunk in &t.chunks {
        bytes[chunk.direction.index()].extend_from_slice(&chunk.bytes);
    }
    bytes
}

/// Each direction's bytes from `tshark -qz follow,tcp,raw,0`: after the header, lines
/// of hex, the server's indented with a tab.
fn followed_bytes(path: &PathBuf) -> [Vec<u8>; 2] {
    let text = tshark(path, &["-qz", "follow,tcp,raw,0"]);
    let mut bytes = [Vec::new(), Vec::new()];
    let body = text.split("Node 1: ").nth(1).unwrap();
    for line in body.lines().skip(1) {
        if line.starts_with('=') {
            break;
        }
        let side = usize::from(line.starts_with('\t'));
        bytes[side].extend(hex(line.trim()));
    }
    bytes
}

/// The expert infos tshark reports at warning or error severity (`-z expert,warn`), with
/// checksums checked.
fn expert_warnings(path: &PathBuf, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "-o",
        "tcp.check_checksum:TRUE",
        "-o",
        "ip.check_checksum:TRUE",
        "-qz",
        "expert,warn",
    ];
    args.extend_from_slice(extra);
    let text = tshark(path, &args);
    text.lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with(|c: char| c.is_ascii_digit())
                || l.contains("checksum")
                || l.contains("Previous segment")
        })
        .map(str::to_string)
        .collect()
}

/// The same count of warnings and errors with `-z expert` (every severity), for context.
fn expert_summary(path: &PathBuf) -> String {
    tshark(path, &["-o", "tcp.check_checksum:TRUE", "-qz", "expert"])
}

/// Writes, reads back, and checks: frames field by field, each direction's bytes, no
/// warnings.
fn check(name: &str, t: &Transcript, client_port: u16, extra: &[&str]) {
    let path = temp_file(name, &write_pcapng(t));
    let seen = tshark_frames(&path, client_port, extra);
    assert_eq!(
        seen,
        our_frames(),
        "{name}: tshark's frames differ from ours"
    );
    assert_eq!(
        followed_bytes(&path),
        directed_bytes(t),
        "{name}: follow tcp stream differs"
    );
    let warnings = expert_warnings(&path, extra);
    assert!(
        warnings.is_empty(),
        "{name}: tshark warns: {warnings:?}\n{}",
        expert_summary(&path)
    );
    std::fs::remove_file(path).ok();
}

#[test]
fn tshark_reads_the_frames_we_wrote() {
    if tshark_present() {
        check("v4", &transcript(None, None, true), 49152, &[]);
    }
}

#[test]
fn tshark_reads_ipv6_endpoints() {
    if !tshark_present() {
        return;
    }
    let client = Endpoint {
        address: "2001:db8::10".into(),
        port: 50000,
    };
    let server = Endpoint {
        address: "::1".into(),
        port: 8080,
    };
    let t = transcript(Some(client), Some(server), true);
    check("v6", &t, 50000, &[]);
    let path = temp_file("v6-addresses", &write_pcapng(&t));
    let fields = tshark(
        &path,
        &[
            "-c",
            "1",
            "-T",
            "fields",
            "-e",
            "ipv6.src",
            "-e",
            "ipv6.dst",
            "-e",
            "tcp.srcport",
            "-e",
            "tcp.dstport",
        ],
    );
    assert_eq!(fields.trim(), "2001:db8::10\t::1\t50000\t8080");
    std::fs::remove_file(path).ok();
}

#[test]
fn tshark_reads_frames_without_a_handshake_when_told_the_port() {
    if !tshark_present() {
        return;
    }
    let t = transcript(None, None, false);
    let path = temp_file("bare", &write_pcapng(&t));
    // Without the handshake tshark's HTTP dissector never sees the upgrade: port 80 is
    // HTTP, and the frames are not WebSocket to it.
    let unaided = tshark(&path, &["-Y", "websocket"]);
    assert_eq!(unaided.trim(), "", "tshark found websocket frames unaided");
    std::fs::remove_file(path).ok();
    // `-d tcp.port==80,websocket` ("decode as") hands the port's bytes to the dissector.
    check("bare", &t, 49152, &["-d", "tcp.port==80,websocket"]);
}

#[test]
fn section_comment_and_interface_are_what_tshark_reports() {
    if !tshark_present() {
        return;
    }
    let path = temp_file("info", &write_pcapng(&transcript(None, None, true)));
    let info = Command::new("capinfos").arg(&path).output();
    let Ok(info) = info else {
        eprintln!("skipped: capinfos is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("written by wsinspect"), "{text}");
    assert!(text.contains("File encapsulation:  Ethernet"), "{text}");
    assert!(text.contains("nanoseconds"), "{text}");
    std::fs::remove_file(path).ok();
}

#[test]
fn the_expert_check_sees_a_bad_checksum() {
    if !tshark_present() {
        return;
    }
    // The check above must be able to fail: flip the TCP checksum of the first frame.
    let mut file = write_pcapng(&transcript(None, None, true));
    let frame = encode_frame(&frames()[0].spec);
    let at = file.windows(frame.len()).position(|w| w == frame).unwrap();
    // The TCP checksum is at bytes 16..18 of the 20-byte TCP header before the payload.
    file[at - 4] ^= 0xFF;
    let path = temp_file("bad-checksum", &file);
    let warnings = expert_warnings(&path, &[]);
    assert!(
        warnings.iter().any(|w| w.contains("Bad checksum")),
        "{warnings:?}"
    );
    std::fs::remove_file(path).ok();
}
