//! The fuzz targets' entries: the key log reader, and a TLS session on records cut from
//! arbitrary bytes.

use super::{KeyLog, TlsOutput, TlsSession};
use crate::capture::TlsStatus;
use crate::direction::ChunkMeta;

/// Reads `bytes` as a key log. Panics if a problem's line number is not inside the text,
/// or the problems are not in line order.
#[doc(hidden)]
pub fn fuzz_key_log(bytes: &[u8]) {
    let lines = bytes.split(|&b| b == b'\n').count();
    let problems = KeyLog::default().read(bytes);
    let mut last = 0;
    for p in problems {
        assert!(
            p.line > last && p.line <= lines,
            "line {} of {lines}",
            p.line
        );
        assert!(!p.message.is_empty());
        last = p.line;
    }
}

/// Reads `bytes` as a conversation's TLS bytes: chunks of a header byte (bit 0 the side,
/// bit 1 a hole instead of bytes) and a length byte, then that many bytes, pushed into a
/// session with the key log `key_log` (seeded with real recordings and their key logs,
/// the fuzzer reaches decryption). Panics if plaintext comes out of a connection that is
/// not decrypted, or a lost record is longer than a record can be. Returns the plaintext
/// bytes that came out.
#[doc(hidden)]
pub fn fuzz_tls(key_log: &[u8], bytes: &[u8]) -> usize {
    let mut keys = KeyLog::default();
    keys.read(key_log);
    let mut session = TlsSession::new(0, false);
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut packet = 0;
    while let [header, length, tail @ ..] = rest {
        packet += 1;
        let side = usize::from(header & 1);
        let n = usize::from(*length).min(tail.len());
        let (chunk, after) = tail.split_at(n);
        rest = after;
        if header & 2 != 0 {
            session.gap(side, u64::from(*length), Some(packet), &mut out);
        } else {
            let meta = ChunkMeta {
                time: None,
                packet: Some(packet),
            };
            session.push(side, chunk, meta, &keys, &mut out);
        }
    }
    let (status, message) = session.outcome();
    assert!(!message.is_empty());
    let mut plain = 0;
    for o in &out {
        match o {
            TlsOutput::Plain { bytes, .. } => {
                assert_eq!(status, TlsStatus::Decrypted, "{message}");
                plain += bytes.len();
            }
            TlsOutput::Lost { length, .. } => {
                assert!(*length <= super::records::MAX_RECORD as u64)
            }
            TlsOutput::Notice(n) => assert!(!n.message.is_empty()),
        }
    }
    plain
}
