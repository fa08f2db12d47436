//! A push's frames and messages as numeric records (layout.rs), handed to JS in bulk: one
//! `Float64Array` of records and one copy of each byte buffer they point into (js/records.js
//! builds light objects over them). The rare parts (violations, notices, the incomplete
//! tail, close reasons) still travel as objects.

use js_sys::{Array, Float64Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::decode::{incomplete_to_js, notice_to_js, violation_to_js};
use super::js::{array, num, or_null, Obj};
use super::layout;
use super::layout::{place, write_frame, write_message, BytesRef, PROTOCOLS, ROLES};
use crate::{DecodeOutput, Frame, FrameKind, LengthEncoding, Payload};

record!(HEADER, fn write_header(out: &DecodeOutput, buffers: usize, rare: bool) {
    "frames" => out.frames.len() as f64,
    "messages" => out.messages.len() as f64,
    "buffers" => buffers as f64,
    "role" => place(&ROLES, &out.role),
    "protocol" => place(&PROTOCOLS, &out.protocol),
    "rare" => f64::from(u8::from(rare)),
});

/// The names JS reads records by ([`layout::layout`]) and the bulk header's.
pub fn layout() -> JsValue {
    let names = layout::layout();
    let header = array(HEADER, |n| JsValue::from_str(n));
    let _ = js_sys::Reflect::set(&names, &"header".into(), &header);
    names
}

/// The distinct buffers a push's payloads point into, in order of first use.
#[derive(Default)]
struct Buffers<'a> {
    list: Vec<&'a [u8]>,
}

impl<'a> Buffers<'a> {
    fn of(&mut self, payload: &'a Payload) -> BytesRef {
        let (buffer, range) = payload.buffer();
        if range.is_empty() {
            return BytesRef {
                buffer: -1.0,
                start: 0.0,
                end: 0.0,
            };
        }
        // Most payloads are ranges of the push's arena, the first buffer listed.
        let at = match self.list.iter().position(|b| std::ptr::eq(*b, buffer)) {
            Some(at) => at,
            None => {
                self.list.push(buffer);
                self.list.len() - 1
            }
        };
        BytesRef {
            buffer: at as f64,
            start: range.start as f64,
            end: range.end as f64,
        }
    }
}

/// Writes `out` as records into `records` (cleared first) and returns what JS receives:
/// `[records, rare, ...buffers]`, where `rare` is `undefined` or
/// `{violations, notices, incomplete, strings}`.
pub fn to_js(out: &DecodeOutput, records: &mut Vec<f64>) -> Array {
    records.clear();
    let mut buffers = Buffers::default();
    let mut strings: Vec<JsValue> = Vec::new();
    let header_at = records.len();
    records.resize(HEADER.len(), 0.0);
    for f in &out.frames {
        let payload = buffers.of(&f.payload);
        let close = f.close_code.map(|_| {
            strings.push(or_null(f.close_code_name));
            strings.push(or_null(f.close_reason.as_deref()));
            strings.len() - 2
        });
        write_frame(records, f, payload, close);
    }
    for m in &out.messages {
        let data = buffers.of(&m.data);
        write_message(records, m, data);
        records.extend(m.frames.iter().map(|&i| i as f64));
    }
    let rare = !(out.violations.is_empty()
        && out.notices.is_empty()
        && out.incomplete.is_none()
        && strings.is_empty());
    let mut header = Vec::with_capacity(HEADER.len());
    write_header(&mut header, out, buffers.list.len(), rare);
    records[header_at..header_at + HEADER.len()].copy_from_slice(&header);

    let result = Array::new();
    result.push(&Float64Array::from(&records[..]));
    result.push(&if rare {
        Obj::new()
            .set("violations", array(&out.violations, violation_to_js))
            .set("notices", array(&out.notices, notice_to_js))
            .set(
                "incomplete",
                or_null(out.incomplete.as_ref().map(incomplete_to_js)),
            )
            .set("strings", strings.into_iter().collect::<Array>())
            .into()
    } else {
        JsValue::UNDEFINED
    });
    for buffer in buffers.list {
        result.push(&Uint8Array::from(buffer));
    }
    result
}

/// The field spans of the frame a record describes, as `[{name, offset, length}]`:
/// computed by the core's [`Frame::fields_with_kept`] from the record, when JS first asks.
pub fn fields(record: &[f64]) -> JsValue {
    let at = |name: &str| {
        layout::FRAME
            .iter()
            .position(|n| *n == name)
            .and_then(|i| record.get(i).copied())
            .unwrap_or(-1.0)
    };
    let flags = at("flags") as u32;
    let kept = (at("payloadEnd") - at("payloadStart")).max(0.0) as usize;
    let pick = |i: f64, len: usize| (i.max(0.0) as usize).min(len - 1);
    let frame = Frame {
        index: at("index") as usize,
        offset: at("offset") as u64,
        header_length: at("headerLength") as u64,
        length: at("length") as u64,
        fin: flags & 1 != 0,
        rsv1: flags & 2 != 0,
        rsv2: flags & 4 != 0,
        rsv3: flags & 8 != 0,
        opcode: at("opcode") as u8,
        kind: FrameKind::ALL[pick(at("kind"), FrameKind::ALL.len())],
        masked: flags & 16 != 0,
        compressed: flags & 32 != 0,
        masking_key: None,
        payload_len: at("payloadLength") as u64,
        length_encoding: LengthEncoding::ALL[pick(at("lengthEncoding"), LengthEncoding::ALL.len())],
        payload_offset: at("payloadOffset") as u64,
        payload: Payload::default(),
        close_code: (at("closeCode") >= 0.0).then_some(at("closeCode") as u16),
        close_code_name: None,
        close_reason: None,
    };
    array(frame.fields_with_kept(kept), |field| {
        Obj::new()
            .set("name", field.name)
            .set("offset", num(field.offset))
            .set("length", num(field.length))
            .into()
    })
}
