//! wsinspect: a WebSocket protocol inspector.
//!
//! The protocol core is plain Rust: no I/O, no clock, no randomness (masking keys and
//! seeds are passed in). The `wasm` module is the one thin binding over it.

mod coding;
mod decoder;
mod extensions;
mod frame;
mod frame_rules;
mod hixie_frames;
mod inflate;
mod keys;
mod mask;
mod message;
mod output;
mod utf8;
mod violation;
mod wasm;

pub use coding::{close_code_name, close_code_valid_on_wire, OpCode, CLOSE_CODES, OPCODES};
pub use decoder::{decode, Decoder, FLASH_POLICY_REQUEST};
pub use extensions::{
    negotiated_permessage_deflate, parse_extensions, ClientMaxWindowBits, Extension,
    ExtensionError, ExtensionParam, Negotiation, PerMessageDeflateParams, PERMESSAGE_DEFLATE,
};
pub use frame::{Field, Frame, FrameKind, LengthEncoding};
pub use inflate::{InflateError, Inflater, DEFLATE_TRAILER};
pub use keys::{accept_key, WEBSOCKET_GUID};
pub use mask::{unmask, unmask_bytewise};
pub use output::{
    DecodeOptions, DecodeOutput, Incomplete, Message, MessageKind, Notice, NoticeId, Protocol, Role,
};
pub use utf8::{validate_utf8, Utf8Validator};
pub use violation::{Violation, ViolationId};
