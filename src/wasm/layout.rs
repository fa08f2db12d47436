//! The one definition of a frame's and a message's record: each field's name and value,
//! written once below as (name, value) pairs. The decoding module hands records to the
//! package in bulk (records.rs, js/records.js); the object path (decode.rs) builds its
//! objects from the same records. The names go to JS through [`layout`], so JS reads a field
//! by its name's place and never by a number of its own.

use wasm_bindgen::prelude::*;

use super::js::{array, Obj};
use crate::{
    Frame, FrameKind, LengthEncoding, Message, MessageKind, Protocol, Role, Violation, ViolationId,
};

/// Defines a record: its field names (`$names`) and the function writing its values in
/// the same order (`$write`), from one list.
macro_rules! record {
    ($names:ident, fn $write:ident($($arg:ident: $ty:ty),*) { $($name:literal => $value:expr,)* }) => {
        /// The record's field names, in the order its values are written.
        pub const $names: &[&str] = &[$($name),*];

        pub(super) fn $write(records: &mut Vec<f64>, $($arg: $ty),*) {
            records.extend_from_slice(&[$($value),*]);
        }
    };
}

const fn flag(on: bool, bit: u8) -> f64 {
    if on {
        (1u32 << bit) as f64
    } else {
        0.0
    }
}

/// The place of `item` in `all` (every enum listed in its `ALL` is found).
pub(super) fn place<T: PartialEq>(all: &[T], item: &T) -> f64 {
    all.iter().position(|x| x == item).unwrap_or(0) as f64
}

/// Where a payload's bytes are: the buffer's place in the list, and the range in it.
#[derive(Clone, Copy)]
pub(super) struct BytesRef {
    pub buffer: f64,
    pub start: f64,
    pub end: f64,
}

impl BytesRef {
    /// No buffer: the bytes travel apart from the record (the object path).
    pub const NONE: BytesRef = BytesRef {
        buffer: -1.0,
        start: 0.0,
        end: 0.0,
    };
}

/// The bit of each flag in a frame's `flags`, by name.
pub const FLAGS: &[&str] = &["fin", "rsv1", "rsv2", "rsv3", "masked", "compressed"];

record!(FRAME, fn write_frame(f: &Frame, payload: BytesRef, strings: Option<usize>) {
    "index" => f.index as f64,
    "offset" => f.offset as f64,
    "headerLength" => f.header_length as f64,
    "length" => f.length as f64,
    "flags" => flag(f.fin, 0) + flag(f.rsv1, 1) + flag(f.rsv2, 2) + flag(f.rsv3, 3) + flag(f.masked, 4)
        + flag(f.compressed, 5),
    "opcode" => f64::from(f.opcode),
    "kind" => place(&FrameKind::ALL, &f.kind),
    "maskingKey" => f.masking_key.map_or(-1.0, |k| f64::from(u32::from_be_bytes(k))),
    "payloadLength" => f.payload_len as f64,
    "lengthEncoding" => place(&LengthEncoding::ALL, &f.length_encoding),
    "payloadOffset" => f.payload_offset as f64,
    "payloadBuffer" => payload.buffer,
    "payloadStart" => payload.start,
    "payloadEnd" => payload.end,
    "closeCode" => f.close_code.map_or(-1.0, f64::from),
    "closeStrings" => strings.map_or(-1.0, |i| i as f64),
});

record!(MESSAGE, fn write_message(m: &Message, data: BytesRef) {
    "index" => m.index as f64,
    "kind" => place(&MessageKind::ALL, &m.kind),
    "offset" => m.offset as f64,
    "compressed" => f64::from(u8::from(m.compressed)),
    "wireLength" => m.wire_length as f64,
    "dataBuffer" => data.buffer,
    "dataStart" => data.start,
    "dataEnd" => data.end,
    "inflatedLength" => m.data.len() as f64,
    // The length the decoder validated: not validated again here.
    "textEnd" => m.text_end.map_or(-1.0, |n| n as f64),
    "complete" => f64::from(u8::from(m.complete)),
    // Followed by this many frame indices.
    "frameCount" => m.frames.len() as f64,
});

record!(VIOLATION, fn write_violation(v: &Violation) {
    "id" => place(&ViolationId::ALL, &v.id),
    "offset" => v.offset as f64,
    "length" => v.length as f64,
    "frame" => v.frame.map_or(-1.0, |i| i as f64),
    "closeCode" => v.close_code().map_or(-1.0, f64::from),
});

pub(super) const ROLES: [Role; 3] = [Role::Client, Role::Server, Role::Auto];
pub(super) const PROTOCOLS: [Protocol; 3] = [Protocol::Rfc6455, Protocol::Hixie76, Protocol::Auto];

/// The names JS reads records by: each record's fields, and the tables the numbers index.
pub fn layout() -> JsValue {
    let names = |list: &[&str]| array(list, |n| JsValue::from_str(n));
    Obj::new()
        .set("frame", names(FRAME))
        .set("message", names(MESSAGE))
        .set("violation", names(VIOLATION))
        .set(
            "violationIds",
            array(ViolationId::ALL, |id| id.as_str().into()),
        )
        .set(
            "violationRfcs",
            array(ViolationId::ALL, |id| id.rfc().into()),
        )
        .set("flags", names(FLAGS))
        .set("kinds", array(FrameKind::ALL, |k| k.as_str().into()))
        .set(
            "lengthEncodings",
            array(LengthEncoding::ALL, |e| e.as_str().into()),
        )
        .set(
            "messageKinds",
            array(MessageKind::ALL, |k| k.as_str().into()),
        )
        .set("roles", array(ROLES, |r| r.result_name().into()))
        .set("protocols", array(PROTOCOLS, |p| p.result_name().into()))
        .into()
}
