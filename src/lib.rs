//! wsinspect: a WebSocket protocol inspector.
//!
//! The protocol core is plain Rust: no I/O, no clock, no randomness (masking keys and
//! seeds are passed in). The `wasm` module is the one thin binding over it.

mod keys;
pub mod wasm;

pub use keys::{accept_key, WEBSOCKET_GUID};

pub mod encode;
pub mod handshake;
pub mod hixie76;

pub use encode::{encode_frame, FrameSpec};
pub use handshake::{
    check_pair, generate_key, parse_handshake, Generation, Handshake, HandshakeError, HandshakeKind,
};
pub use hixie76::{
    hixie76_answer, hixie76_generate_keys, hixie76_key_steps, hixie76_steps, Hixie76Error,
    Hixie76Steps, KeyError, KeySteps,
};
