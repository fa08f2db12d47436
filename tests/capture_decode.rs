//! Capture files end to end: every WebSocket conversation in a recorded capture (npm `ws`
//! peers on loopback, tests/fixtures/captures/README.md), its frames checked field by
//! field against tshark's own WebSocket dissector on the same file.

use std::path::PathBuf;
use std::process::Command;

use wsinspect::capture::{decode_capture, CaptureDecoder, CaptureEvent, CaptureOptions};
use wsinspect::Direction;

fn fixture(name: &str) -> (PathBuf, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/captures")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    (path, bytes)
}

fn tshark_present() -> bool {
    Command::new("tshark").arg("--version").output().is_ok()
}

/// One frame as tshark's dissector shows it: packet, fin, opcode, masked, payload length,
/// masking key (hex), and the direction by source port.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Seen {
    packet: u64,
    fin: bool,
    opcode: u8,
    masked: bool,
    length: u64,
    key: String,
    from_client: bool,
}

fn tshark_frames(path: &PathBuf, client_port: u16) -> Vec<Seen> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args([
            "-Y",
            "websocket",
            "-T",
            "fields",
            "-E",
            "separator=/t",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
        ])
        .args([
            "-e",
            "frame.number",
            "-e",
            "websocket.fin",
            "-e",
            "websocket.opcode",
        ])
        .args([
            "-e",
            "websocket.mask",
            "-e",
            "websocket.payload_length",
            "-e",
            "websocket.masking_key",
        ])
        .args([
            "-e",
            "tcp.srcport",
            "-e",
            "websocket.payload_length_ext_16",
            "-e",
            "websocket.payload_length_ext_64",
        ])
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let list = |i: usize| -> Vec<&str> { f[i].split(',').collect() };
        let (fins, opcodes, masks, lengths) = (list(1), list(2), list(3), list(4));
        let mut keys = list(5).into_iter();
        // The 7-bit length field says 126 or 127 when an extended length follows.
        let (mut ext16, mut ext64) = (list(7).into_iter(), list(8).into_iter());
        for i in 0..opcodes.len() {
            let masked = masks[i] == "1" || masks[i] == "True";
            seen.push(Seen {
                packet: f[0].parse().unwrap(),
                fin: fins[i] == "1" || fins[i] == "True",
                opcode: opcodes[i].parse().unwrap(),
                masked,
                length: match lengths[i] {
                    "126" => ext16.next().unwrap().parse().unwrap(),
                    "127" => ext64.next().unwrap().parse().unwrap(),
                    n => n.parse().unwrap(),
                },
                key: if masked {
                    keys.next().unwrap_or("").replace(':', "")
                } else {
                    String::new()
                },
                from_client: f[6].parse::<u16>().unwrap() == client_port,
            });
        }
    }
    seen.sort();
    seen
}

/// Our frames in the same shape. tshark reports a frame in the packet that completes it;
/// ours carry the packet of their first byte, so a frame spread over packets is compared
/// by its completing packet through `last_packet`.
fn our_frames(
    c: &wsinspect::capture::CaptureConversation,
    last_packet: impl Fn(Direction, u64) -> u64,
) -> Vec<Seen> {
    let mut seen: Vec<Seen> = c
        .result
        .frames
        .iter()
        .map(|f| Seen {
            packet: last_packet(f.direction, f.item.offset + f.item.length - 1),
            fin: f.item.fin,
            opcode: f.item.opcode,
            masked: f.item.masked,
            length: f.item.payload_len,
            key: f
                .item
                .masking_key
                .map(|k| k.iter().map(|b| format!("{b:02x}")).collect())
                .unwrap_or_default(),
            from_client: f.direction == Direction::Client,
        })
        .collect();
    seen.sort();
    seen
}

/// Which packet carried each stream byte: from tshark (tcp.seq relative, tcp.len).
fn packet_of_byte(path: &PathBuf, client_port: u16) -> impl Fn(Direction, u64) -> u64 {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args([
            "-T",
            "fields",
            "-E",
            "separator=/t",
            "-e",
            "frame.number",
            "-e",
            "tcp.srcport",
            "-e",
            "tcp.seq",
            "-e",
            "tcp.len",
        ])
        .output()
        .expect("tshark runs");
    let mut spans: Vec<(Direction, u64, u64, u64)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (Ok(n), Ok(port), Ok(seq), Ok(len)) = (
            f[0].parse::<u64>(),
            f[1].parse::<u16>(),
            f[2].parse::<u64>(),
            f[3].parse::<u64>(),
        ) else {
            continue;
        };
        if len > 0 {
            let d = if port == client_port {
                Direction::Client
            } else {
                Direction::Server
            };
            // tshark's relative sequence numbers count the SYN as 1: stream offset = seq - 1.
            spans.push((d, seq - 1, seq - 1 + len, n));
        }
    }
    move |d, at| {
        spans
            .iter()
            .find(|s| s.0 == d && s.1 <= at && at < s.2)
            .map_or(0, |s| s.3)
    }
}

#[test]
fn every_frame_agrees_with_tsharks_dissector() {
    if !tshark_present() {
        eprintln!("tshark is not installed: skipped (scripts/setup.sh installs it)");
        return;
    }
    for name in [
        "ws-lo.pcap",
        "ws-lo.pcapng",
        "ws-lo-nsec.pcap",
        "ws-lo-be.pcap",
        "ws-any-sll.pcap",
        "ws-any-sll2.pcap",
        "ws-ipv6.pcap",
        "ws-comment.pcapng",
    ] {
        let (path, bytes) = fixture(name);
        let r = decode_capture(&bytes, &CaptureOptions::default());
        assert_eq!(r.error, None, "{name}");
        assert_eq!(
            r.conversations.len(),
            1,
            "{name}: one websocket conversation"
        );
        let c = &r.conversations[0];
        let client_port = c.client.as_ref().unwrap().port;
        let expected = tshark_frames(&path, client_port);
        assert!(!expected.is_empty(), "{name}: tshark sees frames");
        let ours = our_frames(c, packet_of_byte(&path, client_port));
        assert_eq!(ours, expected, "{name}");
        assert_eq!(
            c.result.violations,
            vec![],
            "{name}: real peers break no rule"
        );
        assert!(
            c.result.pair_checks.iter().all(|check| check.passed),
            "{name}"
        );
        assert!(c.gaps.is_empty(), "{name}");
    }
}

#[test]
fn the_messages_are_what_the_peers_sent() {
    let (_, bytes) = fixture("ws-lo.pcap");
    let r = decode_capture(&bytes, &CaptureOptions::default());
    let c = &r.conversations[0];
    let texts: Vec<(Direction, String)> = c
        .result
        .messages
        .iter()
        .map(|m| {
            (
                m.direction,
                String::from_utf8_lossy(&m.item.data).into_owned(),
            )
        })
        .collect();
    // ws_talk.cjs: the client sends three messages, the server echoes each.
    let sent: Vec<&String> = texts
        .iter()
        .filter(|t| t.0 == Direction::Client)
        .map(|t| &t.1)
        .collect();
    let echoed: Vec<&String> = texts
        .iter()
        .filter(|t| t.0 == Direction::Server)
        .map(|t| &t.1)
        .collect();
    assert_eq!(sent.len(), 3, "{texts:?}");
    assert_eq!(sent, echoed);
    assert!(c
        .result
        .frames
        .iter()
        .all(|f| f.packet.is_some() && f.time.is_some()));
    let (start, end) = (c.start.unwrap(), c.end.unwrap());
    assert!(start > 1.6e9 && end >= start, "{start} {end}");
}

#[test]
fn every_split_of_the_file_gives_the_same_conversations() {
    let (_, bytes) = fixture("ws-lo.pcapng");
    let whole = decode_capture(&bytes, &CaptureOptions::default());
    for size in [1, 2, 3, 7, 64, 1000, 4096] {
        let mut d = CaptureDecoder::new(CaptureOptions::default());
        let mut conversations = Vec::new();
        for chunk in bytes.chunks(size) {
            for e in d.push(chunk) {
                if let CaptureEvent::Conversation(c) = e {
                    conversations.push(*c);
                }
            }
        }
        for e in d.end() {
            if let CaptureEvent::Conversation(c) = e {
                conversations.push(*c);
            }
        }
        assert_eq!(
            conversations.len(),
            whole.conversations.len(),
            "slices of {size}"
        );
        for (a, b) in conversations.iter().zip(&whole.conversations) {
            // Compared part by part: a failure names the part, not a megabyte of Debug.
            assert_eq!(
                (a.index, &a.client, &a.server, a.start, a.end),
                (b.index, &b.client, &b.server, b.start, b.end),
                "slices of {size}"
            );
            assert_eq!((&a.gaps, a.bytes), (&b.gaps, b.bytes), "slices of {size}");
            assert_eq!(
                a.result.frames.len(),
                b.result.frames.len(),
                "slices of {size}"
            );
            for (x, y) in a.result.frames.iter().zip(&b.result.frames) {
                assert_eq!(
                    (x.direction, x.time, x.packet, x.item.offset),
                    (y.direction, y.time, y.packet, y.item.offset),
                    "slices of {size}"
                );
            }
            assert!(a == b, "slices of {size}: the conversations differ");
        }
    }
}

/// The command line reads a classic pcap by its magic number (not as raw bytes), lists
/// the conversation and decodes it.
#[test]
fn the_cli_reads_a_pcap_and_a_pcapng() {
    for name in [
        "ws-lo.pcap",
        "ws-lo.pcapng",
        "ws-lo-be.pcap",
        "ws-lo-nsec.pcap",
    ] {
        let (path, _) = fixture(name);
        let out = Command::new(env!("CARGO_BIN_EXE_wsinspect"))
            .arg("decode")
            .arg(&path)
            .output()
            .expect("wsinspect runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let format = if name.ends_with("pcapng") {
            "pcapng"
        } else {
            "pcap"
        };
        assert!(
            text.starts_with(&format!(
                "input: {} bytes, read as {format}: 20 packets",
                std::fs::metadata(&path).unwrap().len()
            )),
            "{name}: {}",
            text.lines().next().unwrap_or("")
        );
        assert!(text.contains("1 websocket conversation(s)"), "{name}");
        assert!(text.contains("== conversation 0: 127.0.0.1:"), "{name}");
        assert_eq!(out.status.code(), Some(0), "{name}");
    }
}

/// Comments a pcapng keeps (editcap -a) come out as notices with their packet numbers.
#[test]
fn packet_comments_are_kept_with_their_packets() {
    let (_, bytes) = fixture("ws-comment.pcapng");
    let r = decode_capture(&bytes, &CaptureOptions::default());
    let comments: Vec<(Option<u64>, &str)> = r
        .notices
        .iter()
        .filter(|n| n.id.as_str() == "comment")
        .map(|n| (n.packet, n.message.as_str()))
        .collect();
    assert_eq!(
        comments,
        [
            (Some(1), "packet 1: comment: hello"),
            (Some(3), "packet 3: comment: second")
        ]
    );
}
