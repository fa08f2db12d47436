//! wss:// in captures: TLS connections decrypted with the secrets of an NSS key log (given,
//! or carried by the pcapng in a Decryption Secrets Block), their plaintext then read like
//! any TCP stream.
//!
//! One file per job: `keylog` (the key log format), `records` (framing records from a
//! stream), `hello` (the handshake messages that name the connection, with tls-parser),
//! `suites` (the cipher suites decrypted), `keys` (record keys from secrets), `cipher`
//! (one direction's record decryption) and `session` (one connection followed).

mod cipher;
mod fuzz;
mod hello;
pub(crate) mod keylog;
mod keys;
mod records;
mod session;
mod suites;
#[cfg(test)]
mod tests;

pub use fuzz::{fuzz_key_log, fuzz_tls};
pub(crate) use keylog::KeyLog;
pub(crate) use session::{TlsOutput, TlsSession};

use records::{is_header, HANDSHAKE};

/// What a connection's first bytes say about TLS: `Some(Some(side))` when they are TLS
/// (`side` sends the ClientHello, or side 0 when none is seen: the connection began
/// before the capture), `Some(None)` when they are not, `None` until five bytes of a side
/// have come. `starts` are each side's first bytes; `syn_seen`: the opening was captured.
pub(crate) fn sniff(
    starts: [&[u8]; 2],
    finals: [bool; 2],
    syn_seen: bool,
) -> Option<Option<usize>> {
    // A TLS client speaks first: "ClientHello ... the client sends" it as its first
    // message (RFC 8446 §4.1.2), in a handshake record whose first handshake byte is 1.
    let hello = |s: &[u8]| s.len() >= 6 && is_header(s) && s[0] == HANDSHAKE && s[5] == 1;
    let client = &starts[0];
    if syn_seen {
        if client.len() < 6 && !finals[0] {
            let could = [HANDSHAKE, 3]
                .iter()
                .zip(client.iter())
                .all(|(a, b)| a == b);
            return if could { None } else { Some(None) };
        }
        return Some(hello(client).then_some(0));
    }
    // Without the opening: a side that starts with a record header (any content type).
    if let Some(side) = (0..2).find(|&s| hello(starts[s])) {
        return Some(Some(side));
    }
    if starts.iter().zip(finals).any(|(s, f)| s.len() < 5 && !f) {
        return None;
    }
    Some(starts.iter().any(|s| is_header(s)).then_some(0))
}
