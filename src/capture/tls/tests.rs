//! The TLS layer against rustls, a TLS implementation nobody here wrote: a rustls client
//! and server talk in memory with each suite wsinspect decrypts, rustls writes the key
//! log, and the session must give back exactly the application data each side wrote, in
//! every split of the streams; a KeyUpdate, a changed byte, a wrong or missing key and a
//! lost ServerHello each give their documented answer.
#![cfg(not(target_arch = "wasm32"))]
// rustls 0.23.48 deprecates its ring provider (no post-quantum key exchange); the proxy keeps
// it for the same reason as here: aws-lc-rs needs a C toolchain (src/server/proxy/tls.rs).
#![allow(deprecated)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use rustls::crypto::ring::{cipher_suite, default_provider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{
    ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection,
    SupportedCipherSuite,
};

use super::records::{RecordReader, APPLICATION_DATA, CHANGE_CIPHER_SPEC};
use super::{KeyLog, TlsOutput, TlsSession};
use crate::capture::{CaptureNoticeId, TlsStatus};
use crate::direction::ChunkMeta;

const CA: &[u8] = include_bytes!("../../../tests/fixtures/tls/ca.der");
const CERT: &[u8] = include_bytes!("../../../tests/fixtures/tls/server.der");
const KEY: &[u8] = include_bytes!("../../../tests/fixtures/tls/server.key.der");

/// rustls' key log, as NSS key log lines.
#[derive(Debug, Default)]
struct Lines(Mutex<String>);

impl rustls::KeyLog for Lines {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let line = format!("{label} {} {}\n", hex(client_random), hex(secret));
        self.0.lock().unwrap().push_str(&line);
    }
}

/// A TLS conversation recorded: each direction's wire chunks in the order they were
/// written (side 0 the client), the application data each side wrote, the key log.
struct Recorded {
    chunks: Vec<(usize, Vec<u8>)>,
    plain: [Vec<u8>; 2],
    key_log: String,
}

fn suite_name(suite: SupportedCipherSuite) -> String {
    // rustls says TLS13_AES_128_GCM_SHA256 where IANA says TLS_AES_128_GCM_SHA256.
    format!("{:?}", suite.suite()).replace("TLS13_", "TLS_")
}

/// A client and server with only `suite`, talking: the client sends `messages[i]`, the
/// server answers each with its reverse; `key_update` after the first exchange.
fn talk(suite: SupportedCipherSuite, messages: &[&[u8]], key_update: bool) -> Recorded {
    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![suite],
        ..default_provider()
    });
    let version = match suite {
        SupportedCipherSuite::Tls13(_) => &rustls::version::TLS13,
        SupportedCipherSuite::Tls12(_) => &rustls::version::TLS12,
    };
    let log = Arc::new(Lines::default());
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(CA)).unwrap();
    let mut client_config = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    client_config.key_log = log.clone();
    let server_config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(CERT)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(KEY)),
        )
        .unwrap();
    let mut client = ClientConnection::new(
        Arc::new(client_config),
        ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let mut server = ServerConnection::new(Arc::new(server_config)).unwrap();
    let mut recorded = Recorded {
        chunks: Vec::new(),
        plain: [Vec::new(), Vec::new()],
        key_log: String::new(),
    };
    // What each side has received (the server's index 0: from the client).
    let mut received = [Vec::new(), Vec::new()];
    // Moves what each side has to write to the other until neither has anything.
    let pump = |client: &mut ClientConnection,
                server: &mut ServerConnection,
                rec: &mut Recorded,
                received: &mut [Vec<u8>; 2]| {
        for _ in 0..1000 {
            let mut moved = false;
            if client.wants_write() {
                let mut wire = Vec::new();
                client.write_tls(&mut wire).unwrap();
                let mut rest = wire.as_slice();
                while !rest.is_empty() {
                    server.read_tls(&mut rest).unwrap();
                    server.process_new_packets().unwrap();
                    let _ = server.reader().read_to_end(&mut received[0]);
                }
                rec.chunks.push((0, wire));
                moved = true;
            }
            if server.wants_write() {
                let mut wire = Vec::new();
                server.write_tls(&mut wire).unwrap();
                let mut rest = wire.as_slice();
                while !rest.is_empty() {
                    client.read_tls(&mut rest).unwrap();
                    client.process_new_packets().unwrap();
                    let _ = client.reader().read_to_end(&mut received[1]);
                }
                rec.chunks.push((1, wire));
                moved = true;
            }
            if !moved {
                break;
            }
        }
    };
    pump(&mut client, &mut server, &mut recorded, &mut received);
    for (i, message) in messages.iter().enumerate() {
        client.writer().write_all(message).unwrap();
        recorded.plain[0].extend_from_slice(message);
        pump(&mut client, &mut server, &mut recorded, &mut received);
        let answer: Vec<u8> = message.iter().rev().copied().collect();
        server.writer().write_all(&answer).unwrap();
        recorded.plain[1].extend_from_slice(&answer);
        pump(&mut client, &mut server, &mut recorded, &mut received);
        if key_update && i == 0 {
            client.refresh_traffic_keys().unwrap();
            server.refresh_traffic_keys().unwrap();
            pump(&mut client, &mut server, &mut recorded, &mut received);
        }
    }
    assert!(
        received[0] == recorded.plain[0] && received[1] == recorded.plain[1],
        "rustls delivered what was written"
    );
    client.send_close_notify();
    server.send_close_notify();
    pump(&mut client, &mut server, &mut recorded, &mut received);
    recorded.key_log = log.0.lock().unwrap().clone();
    recorded
}

/// What a session made of the chunks, each cut into pieces of at most `piece` bytes.
struct Session {
    plain: [Vec<u8>; 2],
    outputs: Vec<TlsOutput>,
    session: TlsSession,
}

fn read(chunks: &[(usize, Vec<u8>)], key_log: &str, piece: usize) -> Session {
    let mut keys = KeyLog::default();
    assert_eq!(keys.read(key_log.as_bytes()), vec![]);
    let mut session = TlsSession::new(0, false);
    let mut outputs = Vec::new();
    for (packet, (side, bytes)) in chunks.iter().enumerate() {
        for cut in bytes.chunks(piece) {
            let meta = ChunkMeta {
                time: None,
                packet: Some(packet as u64 + 1),
            };
            session.push(*side, cut, meta, &keys, &mut outputs);
        }
    }
    let mut plain = [Vec::new(), Vec::new()];
    for o in &outputs {
        if let TlsOutput::Plain { side, bytes, .. } = o {
            plain[*side].extend_from_slice(bytes);
        }
    }
    Session {
        plain,
        outputs,
        session,
    }
}

fn notices(outputs: &[TlsOutput]) -> Vec<(CaptureNoticeId, String)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            TlsOutput::Notice(n) => Some((n.id, n.message.clone())),
            _ => None,
        })
        .collect()
}

const MESSAGES: &[&[u8]] = &[
    b"GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\r\n",
    b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
    &[0x42; 40_000],
];

fn all_suites() -> Vec<SupportedCipherSuite> {
    vec![
        cipher_suite::TLS13_AES_128_GCM_SHA256,
        cipher_suite::TLS13_AES_256_GCM_SHA384,
        cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ]
}

#[test]
fn every_suite_gives_back_what_each_side_wrote_in_every_split() {
    for suite in all_suites() {
        let rec = talk(suite, MESSAGES, false);
        for piece in [1, 7, 5 + 16, 1500, usize::MAX] {
            let r = read(&rec.chunks, &rec.key_log, piece);
            let name = suite_name(suite);
            assert_eq!(notices(&r.outputs), vec![], "{name}, pieces of {piece}");
            assert!(
                r.plain[0] == rec.plain[0],
                "{name}: client bytes, pieces of {piece}"
            );
            assert!(
                r.plain[1] == rec.plain[1],
                "{name}: server bytes, pieces of {piece}"
            );
            let (status, message) = r.session.outcome();
            assert_eq!(status, TlsStatus::Decrypted, "{message}");
            let facts = r.session.facts();
            assert_eq!(facts.cipher_suite.as_deref(), Some(name.as_str()));
            let tls13 = matches!(suite, SupportedCipherSuite::Tls13(_));
            assert_eq!(
                facts.version.as_deref(),
                Some(if tls13 { "TLS 1.3" } else { "TLS 1.2" })
            );
            assert_eq!(facts.sni.as_deref(), Some("localhost"));
        }
    }
}

#[test]
fn key_updates_are_followed_both_ways() {
    for suite in [
        cipher_suite::TLS13_AES_128_GCM_SHA256,
        cipher_suite::TLS13_AES_256_GCM_SHA384,
        cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
    ] {
        let rec = talk(suite, MESSAGES, true);
        let r = read(&rec.chunks, &rec.key_log, usize::MAX);
        assert_eq!(notices(&r.outputs), vec![]);
        assert!(
            r.plain[0] == rec.plain[0] && r.plain[1] == rec.plain[1],
            "{suite:?}"
        );
    }
}

/// The index of the first chunk of `side` longer than a whole record.
fn big_chunk(rec: &Recorded, side: usize) -> usize {
    rec.chunks
        .iter()
        .position(|(s, bytes)| *s == side && bytes.first() == Some(&23) && bytes.len() > 16_384)
        .unwrap()
}

#[test]
fn a_changed_byte_leaves_its_record_out_and_the_rest_decrypts() {
    for suite in all_suites() {
        let mut rec = talk(suite, MESSAGES, false);
        // The client's chunk with the 40 000 bytes (records of 16 KiB): one byte of its
        // first record's ciphertext changed.
        let i = big_chunk(&rec, 0);
        rec.chunks[i].1[40] ^= 0x01;
        let r = read(&rec.chunks, &rec.key_log, usize::MAX);
        let n = notices(&r.outputs);
        assert_eq!(n.len(), 1, "{suite:?}: {n:?}");
        assert_eq!(n[0].0, CaptureNoticeId::TlsRecord);
        assert!(n[0].1.starts_with(&format!("packet {}: ", i + 1)), "{n:?}");
        let lost: Vec<u64> = r
            .outputs
            .iter()
            .filter_map(|o| match o {
                TlsOutput::Lost { length, .. } => Some(*length),
                _ => None,
            })
            .collect();
        assert_eq!(lost, vec![16_384], "{suite:?}: a whole record's plaintext");
        // Everything but that record's 16 KiB came out, unchanged.
        let before = MESSAGES[0].len() + MESSAGES[1].len();
        assert_eq!(r.plain[0].len(), rec.plain[0].len() - 16_384);
        assert!(r.plain[0][..before] == rec.plain[0][..before]);
        assert!(r.plain[0][before..] == rec.plain[0][before + 16_384..]);
        assert!(r.plain[1] == rec.plain[1]);
    }
}

#[test]
fn a_wrong_key_and_a_missing_key_give_no_plaintext() {
    for suite in all_suites() {
        let rec = talk(suite, MESSAGES, false);
        // Every secret replaced by one of the same length.
        let wrong: String = rec
            .key_log
            .lines()
            .map(|line| {
                let mut f: Vec<String> = line.split(' ').map(String::from).collect();
                f[2] = "5a".repeat(f[2].len() / 2);
                f.join(" ") + "\n"
            })
            .collect();
        let r = read(&rec.chunks, &wrong, usize::MAX);
        assert!(r.plain[0].is_empty() && r.plain[1].is_empty(), "{suite:?}");
        let (status, message) = r.session.outcome();
        assert_eq!(status, TlsStatus::Failed, "{message}");
        assert!(message.contains("do not decrypt"), "{message}");
        let n = notices(&r.outputs);
        assert!(
            n.iter().all(|(id, _)| *id == CaptureNoticeId::TlsRecord),
            "{n:?}"
        );

        let r = read(&rec.chunks, "", usize::MAX);
        assert!(r.plain[0].is_empty() && r.plain[1].is_empty());
        let (status, message) = r.session.outcome();
        assert_eq!(status, TlsStatus::NoKey);
        let random = &r.session.facts().client_random.unwrap()[..8];
        assert_eq!(message, format!("TLS, no key for client random {random}…"));
    }
}

#[test]
fn a_lost_server_hello_leaves_the_connection_undecrypted_with_its_reason() {
    let rec = talk(cipher_suite::TLS13_AES_128_GCM_SHA256, MESSAGES, false);
    let mut keys = KeyLog::default();
    keys.read(rec.key_log.as_bytes());
    let mut session = TlsSession::new(0, false);
    let mut out = Vec::new();
    let first_server = rec.chunks.iter().position(|c| c.0 == 1).unwrap();
    for (i, (side, bytes)) in rec.chunks.iter().enumerate() {
        if i == first_server {
            session.gap(1, bytes.len() as u64, Some(i as u64 + 2), &mut out);
            continue;
        }
        session.push(*side, bytes, ChunkMeta::default(), &keys, &mut out);
    }
    assert!(out.iter().all(|o| !matches!(o, TlsOutput::Plain { .. })));
    let n = notices(&out);
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].0, CaptureNoticeId::TlsLost);
    let (status, message) = session.outcome();
    assert_eq!(status, TlsStatus::NoHandshake);
    assert!(message.contains("no ServerHello"), "{message}");
}

/// Changes the last byte of the server's first encrypted record: in TLS 1.3 the one after
/// the ServerHello (before any record of the client's is encrypted), in TLS 1.2 its
/// Finished (after the client's Finished has opened). Returns the chunk's packet number.
fn change_servers_first_encrypted_record(rec: &mut Recorded, tls13: bool) -> usize {
    for (i, (side, bytes)) in rec.chunks.iter_mut().enumerate() {
        if *side != 1 {
            continue;
        }
        // rustls writes whole records, so a chunk frames on its own.
        let mut records = Vec::new();
        RecordReader::default()
            .push(bytes, ChunkMeta::default(), &mut records)
            .unwrap();
        let found = if tls13 {
            records
                .iter()
                .find(|r| r.content_type() == APPLICATION_DATA)
        } else {
            // The record after the ChangeCipherSpec.
            records
                .iter()
                .position(|r| r.content_type() == CHANGE_CIPHER_SPEC)
                .and_then(|ccs| records.get(ccs + 1))
        };
        if let Some(record) = found {
            let end = record.offset as usize + 5 + record.body.len();
            bytes[end - 1] ^= 0x01;
            return i + 1;
        }
    }
    panic!("no encrypted server record");
}

/// Found by the `tls_records` fuzz target: a connection whose records of one side had
/// opened was marked `Failed` ("a key log of another session?") when the other side's
/// first record failed, with the plaintext already given out.
#[test]
fn a_first_record_failing_after_the_other_side_opened_is_a_damaged_record() {
    for suite in all_suites() {
        let tls13 = matches!(suite, SupportedCipherSuite::Tls13(_));
        let mut rec = talk(suite, MESSAGES, false);
        let packet = change_servers_first_encrypted_record(&mut rec, tls13);
        let r = read(&rec.chunks, &rec.key_log, usize::MAX);
        let (status, message) = r.session.outcome();
        let n = notices(&r.outputs);
        assert!(
            n.iter().all(|(id, _)| *id == CaptureNoticeId::TlsRecord),
            "{n:?}"
        );
        assert!(n[0].1.starts_with(&format!("packet {packet}: ")), "{n:?}");
        if tls13 {
            // Nothing has opened yet: these keys are not this connection's, as far as
            // anyone can tell, and no plaintext of either side comes out.
            assert_eq!(status, TlsStatus::Failed, "{suite:?}: {message}");
            assert!(message.contains("do not decrypt the server's first record"));
            assert!(r.plain[0].is_empty() && r.plain[1].is_empty(), "{suite:?}");
            assert_eq!(n.len(), 1, "{n:?}");
        } else {
            // The client's Finished opened: the keys are right, the server's Finished is
            // one damaged record (its content is a handshake message, so no lost bytes)
            // and every byte of application data of both sides comes out.
            assert_eq!(status, TlsStatus::Decrypted, "{suite:?}: {message}");
            assert_eq!(n.len(), 1, "{suite:?}: {n:?}");
            assert!(n[0].1.contains("fails its authentication tag"), "{n:?}");
            assert!(
                r.plain[0] == rec.plain[0] && r.plain[1] == rec.plain[1],
                "{suite:?}"
            );
        }
        for o in &r.outputs {
            if matches!(o, TlsOutput::Plain { .. }) {
                assert_eq!(status, TlsStatus::Decrypted);
            }
        }
    }
}

/// The fuzz target's encoding of a recording (a side byte, a length byte, the bytes)
/// decrypts: seeded with real recordings, the fuzzer starts past the tags.
#[test]
fn the_fuzz_encoding_of_a_recording_decrypts() {
    let rec = talk(cipher_suite::TLS13_AES_128_GCM_SHA256, MESSAGES, true);
    let mut encoded = Vec::new();
    for (side, bytes) in &rec.chunks {
        for piece in bytes.chunks(255) {
            encoded.extend_from_slice(&[*side as u8, piece.len() as u8]);
            encoded.extend_from_slice(piece);
        }
    }
    let plain = super::fuzz_tls(rec.key_log.as_bytes(), &encoded);
    assert_eq!(plain, rec.plain[0].len() + rec.plain[1].len());
    super::fuzz_key_log(rec.key_log.as_bytes());
}
