//! wsinspect: a WebSocket protocol inspector.
//!
//! The protocol core is plain Rust: no I/O, no clock, no randomness (masking keys and
//! seeds are passed in). The `wasm` module is the one thin binding over it.

mod bytes;
mod keys;
mod wasm;

pub use bytes::{parse_bytes, Format, ParseError, ParsedBytes};
pub use keys::{accept_key, WEBSOCKET_GUID};
