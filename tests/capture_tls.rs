//! wss:// captures decrypted (issue 17), end to end: PyPI `websockets` client and server over
//! TLS 1.3 and TLS 1.2 (AES-GCM and ChaCha20-Poly1305 suites), recorded on loopback with
//! their own key logs (tests/fixtures/captures/README.md, record-tls.mjs). Every frame is
//! checked against tshark's own decryption of the same file (the `.ws.tsv` files), every
//! message against what the peers logged; then the key log, the records and the handshake
//! are spoiled one way at a time, and each gives its notice with nothing made up.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use serde_json::Value;
use wsinspect::capture::{
    decode_capture, CaptureDecoder, CaptureNoticeId, CaptureOptions, CaptureResult, TlsStatus,
};
use wsinspect::{Direction, MessageKind};

const RECORDINGS: &[&str] = &[
    "wss-tls13",
    "wss-tls13-chacha",
    "wss-tls12-gcm",
    "wss-tls12-gcm384",
    "wss-tls12-chacha",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/captures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn decode(capture: &[u8], key_log: Option<Vec<u8>>) -> CaptureResult {
    decode_capture(
        capture,
        &CaptureOptions {
            key_log,
            ..CaptureOptions::default()
        },
    )
}

/// A frame as the `.ws.tsv` files give tshark's: packet, direction, fin, rsv, opcode, mask,
/// masking key, payload length.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    packet: u64,
    client: bool,
    fin: bool,
    rsv: u8,
    opcode: u8,
    masked: bool,
    key: String,
    length: u64,
}

fn tshark(name: &str) -> Vec<Seen> {
    String::from_utf8(fixture(name))
        .unwrap()
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Seen {
                packet: f[0].parse().unwrap(),
                client: f[1] == "client",
                fin: f[2] == "1",
                rsv: f[3].parse().unwrap(),
                opcode: f[4].parse().unwrap(),
                masked: f[5] == "1",
                key: if f[6] == "-" {
                    String::new()
                } else {
                    f[6].to_string()
                },
                length: f[7].parse().unwrap(),
            }
        })
        .collect()
}

/// Ours, in the same shape. A frame's packet is that of its first byte; tshark names the
/// packet that completed it, so the packet is compared for frames held in one record
/// (all but the 20 000-byte message of wss-tls13), and left at 0 in both otherwise.
fn ours(r: &CaptureResult) -> Vec<Seen> {
    assert_eq!(r.conversations.len(), 1, "{:#?}", r.notices);
    r.conversations[0]
        .result
        .frames
        .iter()
        .map(|f| Seen {
            packet: if f.item.length < 1000 {
                f.packet.unwrap()
            } else {
                0
            },
            client: f.direction == Direction::Client,
            fin: f.item.fin,
            rsv: u8::from(f.item.rsv1) << 2 | u8::from(f.item.rsv2) << 1 | u8::from(f.item.rsv3),
            opcode: f.item.opcode,
            masked: f.item.masked,
            key: f
                .item
                .masking_key
                .map(|k| k.iter().map(|b| format!("{b:02x}")).collect())
                .unwrap_or_default(),
            length: f.item.payload_len,
        })
        .collect()
}

fn theirs(name: &str, ours: &[Seen]) -> Vec<Seen> {
    let mut seen = tshark(name);
    for (t, o) in seen.iter_mut().zip(ours) {
        if o.packet == 0 {
            t.packet = 0;
        }
    }
    seen
}

/// What a peer's log says it sent: (text, bytes) per message, binary as its bytes or, for
/// big ones, as (length, SHA-1).
fn sent(log: &Value) -> Vec<(bool, String)> {
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["dir"] == "sent" && (e["type"] == "text" || e["type"] == "binary"))
        .map(|e| {
            let text = e["type"] == "text";
            let value = if text {
                e["text"].as_str().unwrap().to_string()
            } else if let Some(hex) = e["hex"].as_str() {
                hex.to_string()
            } else {
                format!("{} {}", e["bytes"], e["sha1"].as_str().unwrap())
            };
            (text, value)
        })
        .collect()
}

/// Our messages of a direction in the same shape (binary over 1 KiB as length and SHA-1).
fn messages(r: &CaptureResult, direction: Direction) -> Vec<(bool, String)> {
    r.conversations[0]
        .result
        .messages
        .iter()
        .filter(|m| m.direction == direction)
        .map(|m| {
            let data: &[u8] = &m.item.data;
            let text = m.item.kind == MessageKind::Text;
            let value = if text {
                String::from_utf8(data.to_vec()).unwrap()
            } else if data.len() <= 1024 {
                data.iter().map(|b| format!("{b:02x}")).collect()
            } else {
                format!("{} {}", data.len(), sha1_smol::Sha1::from(data).digest())
            };
            (text, value)
        })
        .collect()
}

#[test]
fn every_recording_decrypts_to_tsharks_frames_and_the_peers_messages() {
    for name in RECORDINGS {
        let r = decode(
            &fixture(&format!("{name}.pcap")),
            Some(fixture(&format!("{name}.keys"))),
        );
        assert_eq!(r.notices, vec![], "{name}");
        let o = ours(&r);
        assert_eq!(o, theirs(&format!("{name}.ws.tsv"), &o), "{name}");
        let log: Value =
            serde_json::from_slice(&fixture(&format!("{name}.messages.json"))).unwrap();
        assert_eq!(
            messages(&r, Direction::Client),
            sent(&log["client"]),
            "{name}: client"
        );
        assert_eq!(
            messages(&r, Direction::Server),
            sent(&log["server"]),
            "{name}: server"
        );
        let c = &r.conversations[0];
        let tls = c.tls.as_ref().unwrap();
        assert_eq!(
            tls.version.as_deref(),
            log["tls"]["version"].as_str(),
            "{name}"
        );
        assert_eq!(
            tls.cipher_suite.as_deref(),
            log["tls"]["cipherSuite"].as_str(),
            "{name}"
        );
        assert_eq!(tls.sni.as_deref(), log["tls"]["sni"].as_str(), "{name}");
        assert_eq!(tls.alpn.as_deref(), log["tls"]["alpn"].as_str(), "{name}");
        assert_eq!(c.result.violations.len(), 0, "{name}");
        assert_eq!(r.tls.len(), 1);
        assert_eq!(r.tls[0].status, TlsStatus::Decrypted);
        assert_eq!(r.tls[0].conversation, Some(0));
        assert_eq!(r.tls[0].facts.client_random, tls.client_random);
    }
}

#[test]
fn a_pcapng_with_its_secrets_decrypts_without_a_key_log() {
    let r = decode(&fixture("wss-tls13-secrets.pcapng"), None);
    assert_eq!(r.notices, vec![]);
    let o = ours(&r);
    assert_eq!(o, theirs("wss-tls13-secrets.pcapng.ws.tsv", &o));
}

#[test]
fn the_same_answer_in_every_split_of_the_file() {
    let capture = fixture("wss-tls12-chacha.pcap");
    let keys = fixture("wss-tls12-chacha.keys");
    let whole = decode(&capture, Some(keys.clone()));
    for split in (0..capture.len()).step_by(13) {
        let mut decoder = CaptureDecoder::new(CaptureOptions {
            key_log: Some(keys.clone()),
            ..CaptureOptions::default()
        });
        let mut events = decoder.push(&capture[..split]);
        events.extend(decoder.push(&capture[split..]));
        events.extend(decoder.end());
        assert!(decoder.result(events) == whole, "split at {split}");
    }
}

#[test]
fn a_key_log_with_garbage_lines_still_decrypts_and_names_each_bad_line() {
    let mut keys = b"# written by hand\n\nthis is not a key log line\n".to_vec();
    keys.extend_from_slice(b"CLIENT_RANDOM 00 11\nEXPORTER_SECRET ");
    keys.extend_from_slice(&[b'a'; 64]);
    keys.extend_from_slice(b" ");
    keys.extend_from_slice(&[b'b'; 64]);
    keys.extend_from_slice(b"\n");
    keys.extend_from_slice(&fixture("wss-tls13.keys"));
    keys.extend_from_slice(b"\xff\xfe\n");
    let r = decode(&fixture("wss-tls13.pcap"), Some(keys));
    let bad: Vec<(CaptureNoticeId, &str)> = r
        .notices
        .iter()
        .map(|n| (n.id, n.message.split(':').next().unwrap()))
        .collect();
    assert_eq!(
        bad,
        vec![
            (CaptureNoticeId::KeyLog, "key log line 3"),
            (CaptureNoticeId::KeyLog, "key log line 4"),
            (CaptureNoticeId::KeyLog, "key log line 12"),
        ]
    );
    let o = ours(&r);
    assert_eq!(o, theirs("wss-tls13.ws.tsv", &o));
}

/// Each record of a classic pcap: (offset of its data, its length).
fn records(pcap: &[u8]) -> Vec<(usize, usize)> {
    let mut at = 24;
    let mut out = Vec::new();
    while at + 16 <= pcap.len() {
        let len = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
        out.push((at + 16, len));
        at += 16 + len;
    }
    out
}

#[test]
fn wrong_and_missing_keys_give_no_conversation_and_say_why() {
    for name in RECORDINGS {
        let capture = fixture(&format!("{name}.pcap"));
        // Another recording's key log: no key for this client random.
        let other = if *name == "wss-tls13" {
            "wss-tls12-gcm"
        } else {
            "wss-tls13"
        };
        let r = decode(&capture, Some(fixture(&format!("{other}.keys"))));
        assert_eq!(r.conversations.len(), 0, "{name}");
        assert_eq!(r.tls.len(), 1);
        assert_eq!(r.tls[0].status, TlsStatus::NoKey);
        let random = &r.tls[0].facts.client_random.as_deref().unwrap()[..8];
        assert_eq!(
            r.tls[0].message,
            format!("TLS, no key for client random {random}…")
        );
        // The right client randoms with other secrets of the same lengths.
        let wrong: Vec<u8> = String::from_utf8(fixture(&format!("{name}.keys")))
            .unwrap()
            .lines()
            .map(|line| {
                let f: Vec<&str> = line.split(' ').collect();
                format!("{} {} {}\n", f[0], f[1], "c3".repeat(f[2].len() / 2))
            })
            .collect::<String>()
            .into_bytes();
        let r = decode(&capture, Some(wrong));
        assert_eq!(r.conversations.len(), 0, "{name}");
        assert_eq!(
            r.tls[0].status,
            TlsStatus::Failed,
            "{name}: {}",
            r.tls[0].message
        );
        assert!(
            r.notices.iter().all(|n| n.id == CaptureNoticeId::TlsRecord),
            "{:?}",
            r.notices
        );
        assert_eq!(r.notices.len(), 1, "{:?}", r.notices);
    }
}

#[test]
fn a_changed_record_is_left_out_with_its_packet_and_nothing_made_up() {
    for name in RECORDINGS {
        let mut capture = fixture(&format!("{name}.pcap"));
        let seen = tshark(&format!("{name}.ws.tsv"));
        // The packet of the client's third frame: its last byte (in the record's tag).
        let packet = seen.iter().filter(|s| s.client).nth(2).unwrap().packet;
        let (at, len) = records(&capture)[packet as usize - 1];
        capture[at + len - 1] ^= 0x80;
        let r = decode(&capture, Some(fixture(&format!("{name}.keys"))));
        let records: Vec<_> = r
            .notices
            .iter()
            .filter(|n| n.id == CaptureNoticeId::TlsRecord)
            .collect();
        assert_eq!(records.len(), 1, "{name}: {:?}", r.notices);
        assert_eq!(records[0].packet, Some(packet));
        // Every frame shown is one tshark saw, none from the changed record.
        let o = ours(&r);
        let all = theirs(&format!("{name}.ws.tsv"), &o);
        for frame in &o {
            assert!(
                frame.packet != packet,
                "{name}: a frame from the changed record"
            );
            let mut same = frame.clone();
            same.packet = 0;
            assert!(
                all.iter().any(|t| Seen {
                    packet: 0,
                    ..t.clone()
                } == same),
                "{name}: {frame:?} is not a frame tshark saw"
            );
        }
        assert!(o.len() < all.len());
    }
}

#[test]
fn a_capture_without_its_server_hello_is_listed_undecrypted() {
    let mut capture = fixture("wss-tls13.pcap");
    let recs = records(&capture);
    // The first packet from the server with a payload (the ServerHello's): its bytes
    // removed as if the capture had lost them (the record kept, the payload cut).
    let server_port = u16::from_be_bytes([capture[recs[1].0 + 34], capture[recs[1].0 + 35]]);
    // Ethernet (14 bytes), IPv4 (20), then TCP: its data offset says where the payload is.
    let payload = |at: usize| 34 + usize::from(capture[at + 46] >> 4) * 4;
    let first = recs
        .iter()
        .position(|&(at, len)| {
            let source = u16::from_be_bytes([capture[at + 34], capture[at + 35]]);
            source == server_port && len > payload(at)
        })
        .unwrap();
    let (at, len) = recs[first];
    // Replace the payload by as many zero bytes: not a TLS record header.
    let start = payload(at);
    for b in &mut capture[at + start..at + len] {
        *b = 0;
    }
    let r = decode(&capture, Some(fixture("wss-tls13.keys")));
    assert_eq!(r.conversations.len(), 0);
    assert_eq!(
        r.tls[0].status,
        TlsStatus::NoHandshake,
        "{}",
        r.tls[0].message
    );
    assert!(
        r.tls[0].message.contains("no ServerHello"),
        "{}",
        r.tls[0].message
    );
    let ids: Vec<_> = r.notices.iter().map(|n| (n.id, n.packet)).collect();
    assert_eq!(ids, vec![(CaptureNoticeId::Tls, Some(first as u64 + 1))]);
}

#[test]
fn a_lost_tls_packet_is_a_gap_of_its_conversation_and_ends_that_direction() {
    let capture = fixture("wss-tls12-gcm.pcap");
    let seen = tshark("wss-tls12-gcm.ws.tsv");
    // The packet of the client's third frame, removed from the file.
    let packet = seen.iter().filter(|s| s.client).nth(2).unwrap().packet as usize;
    let recs = records(&capture);
    let mut cut = capture[..24].to_vec();
    for (i, &(at, len)) in recs.iter().enumerate() {
        if i + 1 != packet {
            cut.extend_from_slice(&capture[at - 16..at + len]);
        }
    }
    let r = decode(&cut, Some(fixture("wss-tls12-gcm.keys")));
    let lost: Vec<_> = r
        .notices
        .iter()
        .filter(|n| n.id == CaptureNoticeId::TlsLost)
        .collect();
    assert_eq!(lost.len(), 1, "{:?}", r.notices);
    let c = &r.conversations[0];
    assert_eq!(c.gaps.len(), 1, "{:?}", c.gaps);
    assert_eq!(c.gaps[0].direction, Direction::Client);
    // The packet after the hole: the next of the client's, now numbered one less.
    assert_eq!(c.gaps[0].packet, lost[0].packet);
    assert!(c.result.violations.is_empty(), "{:?}", c.result.violations);
    // The client's first two frames and every server frame before the hole are tshark's.
    let o = ours(&r);
    let clients = o.iter().filter(|f| f.client).count();
    assert_eq!(clients, 2, "{o:?}");
}

/// The CLI decodes a capture's conversations on a thread of their own
/// (`CaptureDecoder::offload`): the conversations given to the sink are those `end` would
/// have returned, in any slicing of the file.
#[test]
fn conversations_decoded_on_their_own_thread_are_the_same() {
    use std::sync::{Arc, Mutex};
    for (name, keys) in [
        ("wss-tls13.pcap", Some("wss-tls13.keys")),
        ("wss-tls12-chacha.pcap", Some("wss-tls12-chacha.keys")),
        ("ws-lo.pcapng", None),
        ("two-sections.pcapng", None),
    ] {
        let capture = fixture(name);
        let options = CaptureOptions {
            key_log: keys.map(fixture),
            ..CaptureOptions::default()
        };
        let whole = decode_capture(&capture, &options);
        assert!(!whole.conversations.is_empty(), "{name}");
        for slice in [1000, 1 << 20] {
            let got = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&got);
            let mut decoder = CaptureDecoder::new(options.clone());
            decoder.offload(std::sync::Arc::new(move |c| sink.lock().unwrap().push(c)));
            let mut events = Vec::new();
            for piece in capture.chunks(slice) {
                events.extend(decoder.push(piece));
            }
            events.extend(decoder.end());
            let rest = decoder.result(events);
            assert!(
                rest.conversations.is_empty(),
                "{name}: none came back as events"
            );
            assert_eq!(rest.tls, whole.tls, "{name}");
            assert_eq!(rest.notices, whole.notices, "{name}");
            let mut offloaded = std::mem::take(&mut *got.lock().unwrap());
            offloaded.sort_by_key(|c| c.index);
            assert!(
                offloaded == whole.conversations,
                "{name}, slices of {slice}"
            );
        }
    }
}
