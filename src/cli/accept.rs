//! `wsinspect accept KEY`: the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.

use base64::Engine as _;
use clap::Args;

use super::io::{error_line, to_stdout, Io};

#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The Sec-WebSocket-Key value, exactly as sent (it is not trimmed or decoded).
    pub key: String,
}

pub fn run(args: &AcceptArgs, io: &mut dyn Io) -> u8 {
    let accept = crate::accept_key(&args.key);
    if let Err(status) = to_stdout(io, "accept", |w| writeln!(w, "{accept}")) {
        return status;
    }
    // RFC 6455 §4.1: the key "MUST be a nonce consisting of a randomly selected 16-byte value
    // that has been base64-encoded". The accept value is computed from it all the same.
    let decoded = base64::engine::general_purpose::STANDARD.decode(&args.key);
    if decoded.map_or(true, |d| d.len() != 16) {
        error_line(
            io,
            "wsinspect accept: note: the key is not the base64 of 16 bytes (RFC 6455 §4.1)",
        );
    }
    0
}
