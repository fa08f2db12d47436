//! wsinspect: a WebSocket protocol inspector.
//!
//! The protocol core is plain Rust: no I/O, no clock, no randomness (masking keys and
//! seeds are passed in). The `wasm` module is the one thin binding over it; the `cli`
//! module (feature `cli`) is the command line's parsing and rendering, shared by the native
//! binary and `npx wsinspect`.

mod blocks;
mod bytes;
#[cfg(feature = "conversation")]
pub mod capture;
#[cfg(feature = "cli")]
pub mod cli;
mod coding;
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub mod conformance;
#[cfg(feature = "conversation")]
mod conversation;
mod decoder;
pub mod deflate;
mod direction;
pub mod encode;
pub mod endpoint_step;
mod extensions;
mod frame;
mod frame_rules;
pub mod handshake;
pub mod hixie76_keys;
mod hixie_frames;
mod inflate;
mod keys;
mod mask;
mod message;
mod output;
mod payload;
mod reassembly;
#[cfg(feature = "conversation")]
mod transcript;
mod utf8;
mod violation;
pub mod wasm;

pub use bytes::{parse_bytes, Format, ParseError, ParsedBytes};
pub use coding::{
    close_code_name, close_code_valid_on_wire, FrameKind, OpCode, CLOSE_CODES, MAX_CLOSE_REASON,
    MAX_CONTROL_PAYLOAD, OPCODES,
};
#[cfg(feature = "conversation")]
pub use conversation::{
    decode_conversation, decode_conversation_text, decode_transcript, CloseEvent, CloseSummary,
    Conversation, ConversationOptions, ConversationOutput, ConversationResult, LateFrame, Sided,
};
pub use decoder::{decode, Decoder, FLASH_POLICY_REQUEST};
pub use direction::{ChunkMeta, Direction, Endpoint};
#[cfg(feature = "conversation")]
pub use direction::{DirectedChunk, Transcript};
pub use encode::{encode_frame, FrameSpec};
pub use endpoint_step::Responder;
pub use extensions::{
    negotiated_permessage_deflate, parse_extensions, ClientMaxWindowBits, Extension,
    ExtensionError, ExtensionParam, Negotiation, PerMessageDeflateParams, PERMESSAGE_DEFLATE,
};
pub use frame::{Field, Frame, LengthEncoding};
pub use handshake::{
    check_pair, generate_key, parse_handshake, CheckId, Generation, Handshake, HandshakeError,
    HandshakeKind,
};
pub use hixie76_keys::{
    hixie76_answer, hixie76_generate_keys, hixie76_key_steps, hixie76_steps, Hixie76Error,
    Hixie76Steps, KeyError, KeySteps,
};
pub use inflate::{InflateError, Inflater, DEFLATE_TRAILER};
pub use keys::{accept_key, WEBSOCKET_GUID};
pub use mask::{unmask, unmask_bytewise};
pub use message::{FrameIndices, Message, MessageKind};
pub use output::{DecodeOptions, DecodeOutput, Incomplete, Notice, NoticeId, Protocol, Role};
pub use payload::Payload;
#[cfg(feature = "conversation")]
pub use transcript::{parse_transcript, Gap};
pub use utf8::{validate_utf8, Utf8Span, Utf8Validator};
pub use violation::{Violation, ViolationId};

// The wasm's allocator (see Cargo.toml); native builds keep the system allocator.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod wasm_heap;
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::cell::TalcSyncCell<wasm_heap::GrowInSteps, talc::wasm::WasmBinning> =
    talc::cell::TalcSyncCell::new_wasm(wasm_heap::GrowInSteps::new());
