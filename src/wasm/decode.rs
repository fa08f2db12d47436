//! The decoder's binding: options in, results out as plain JS objects.

use std::sync::atomic::{AtomicBool, Ordering};

use wasm_bindgen::prelude::*;

#[cfg(feature = "api")]
use super::js::{array, error, get_string, get_uint};
use super::js::{bytes, num, or_null, Obj};
use super::layout::{self, BytesRef};
#[cfg(feature = "api")]
use crate::{DecodeOptions, DecodeOutput, ExtensionError, Protocol, Role};
use crate::{Frame, Incomplete, Message, Notice, Violation};

#[cfg(feature = "api")]
/// Reads `{ role, protocol, extensions, maxMessageSize }`; unknown values are errors.
pub fn options_from_js(options: &JsValue) -> Result<DecodeOptions, JsValue> {
    let mut out = DecodeOptions::default();
    if let Some(role) = get_string(options, "role")? {
        out.role = Role::from_name(&role).ok_or_else(|| {
            error(
                &format!("role must be \"client\", \"server\" or \"auto\", got {role:?}"),
                &[],
            )
        })?;
    }
    if let Some(protocol) = get_string(options, "protocol")? {
        out.protocol = Protocol::from_name(&protocol).ok_or_else(|| {
            error(
                &format!(
                    "protocol must be \"rfc6455\", \"hixie-76\" or \"auto\", got {protocol:?}"
                ),
                &[],
            )
        })?;
    }
    out.extensions = get_string(options, "extensions")?.filter(|e| !e.trim().is_empty());
    out.max_message_size = get_uint(options, "maxMessageSize", u64::MAX >> 11)?;
    Ok(out)
}

#[cfg(feature = "api")]
pub fn extension_error(e: ExtensionError) -> JsValue {
    error(
        &format!("bad extensions value: {e}"),
        &[("offset", Some(e.offset as u64))],
    )
}

// Each frame, message and violation becomes its object in one call to a small JS function
// (an object literal is many times faster than a property set per field from wasm). The
// numbers travel as the record layout.rs defines, read by the names it gives (sent once),
// the strings as arguments.
#[wasm_bindgen(inline_js = r#"
let F, M, V, messageFrames, bit, kinds, encodings, messageKinds, ids, rfcs;
export function setLayout(l) {
  const at = (names) => Object.fromEntries(names.map((name, i) => [name, i]));
  F = at(l.frame); M = at(l.message); V = at(l.violation); messageFrames = l.message.length;
  bit = Object.fromEntries(l.flags.map((name, i) => [name, 2 ** i]));
  kinds = l.kinds; encodings = l.lengthEncodings; messageKinds = l.messageKinds;
  ids = l.violationIds; rfcs = l.violationRfcs;
}
const fieldLists = [];
export function makeFrame(n, maskingKey, payload, closeCodeName, closeReason, fieldList, fieldListId, fieldNums) {
  const flags = n[F.flags];
  const frame = {
    index: n[F.index], offset: n[F.offset], headerLength: n[F.headerLength], length: n[F.length],
    fin: (flags & bit.fin) !== 0, rsv1: (flags & bit.rsv1) !== 0, rsv2: (flags & bit.rsv2) !== 0, rsv3: (flags & bit.rsv3) !== 0,
    opcode: n[F.opcode], kind: kinds[n[F.kind]], compressed: (flags & bit.compressed) !== 0, masked: (flags & bit.masked) !== 0, maskingKey,
    payloadLength: n[F.payloadLength], lengthEncoding: encodings[n[F.lengthEncoding]], payloadOffset: n[F.payloadOffset], payload,
  };
  if (n[F.closeCode] >= 0) frame.closeCode = n[F.closeCode];
  if (closeCodeName !== undefined) frame.closeCodeName = closeCodeName;
  if (closeReason !== undefined) frame.closeReason = closeReason;
  // A list of field names comes as text the first time, as its number after that.
  if (fieldList !== undefined) fieldLists[fieldListId] = fieldList.split(",");
  frame.fields = fieldLists[fieldListId].map((name, i) => ({ name, offset: fieldNums[2 * i], length: fieldNums[2 * i + 1] }));
  return frame;
}
// A message's text is decoded here from its data (already a JS array), not made a string
// by the wasm, which checked the bytes again and copied them out a second time.
const utf8 = new TextDecoder("utf-8", { fatal: true });
// The decoder validated these bytes; a fatal decoder keeps a text it did not from ever
// showing a replacement character.
const decoded = (bytes) => { try { return utf8.decode(bytes); } catch { return null; } };
// Long text the core found to be all ASCII: in Node, Buffer's "ascii" decoding makes the
// string (5.8 times TextDecoder's speed there on 1.2 MB of JSON); elsewhere, TextDecoder.
const NodeBuffer = typeof globalThis.Buffer?.from === "function" ? globalThis.Buffer : null;
const asciiText = NodeBuffer ? (b) => NodeBuffer.from(b.buffer, b.byteOffset, b.length).toString("ascii") : decoded;
export function makeMessage(n, data, ascii) {
  // A loop, not Array.from of a subarray: that was most of a message's making.
  const frames = new Array(n[M.frameCount]);
  for (let i = 0; i < frames.length; i++) frames[i] = n[messageFrames + i];
  const message = {
    index: n[M.index], kind: messageKinds[n[M.kind]], frames,
    offset: n[M.offset], compressed: n[M.compressed] === 1, wireLength: n[M.wireLength],
    inflatedLength: n[M.inflatedLength], complete: n[M.complete] === 1, data, text: null,
  };
  const end = n[M.textEnd];
  if (end >= 0) {
    const bytes = end === data.length ? data : data.subarray(0, end);
    message.text = ascii ? asciiText(bytes) : decoded(bytes);
  }
  return message;
}
export function makeViolation(n, message) {
  const id = ids[n[V.id]], rfc = rfcs[n[V.id]];
  return { id, offset: n[V.offset], length: n[V.length], frame: n[V.frame] < 0 ? null : n[V.frame], rfc, closeCode: n[V.closeCode] < 0 ? null : n[V.closeCode], message };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = setLayout)]
    fn set_layout(layout: JsValue);
    #[wasm_bindgen(js_name = makeFrame)]
    fn make_frame(
        record: &[f64],
        masking_key: JsValue,
        payload: JsValue,
        close_code_name: Option<&str>,
        close_reason: Option<&str>,
        field_names: Option<&str>,
        field_names_id: u32,
        field_nums: &[f64],
    ) -> JsValue;
    #[wasm_bindgen(js_name = makeMessage)]
    fn make_message(record: &[f64], data: JsValue, ascii: bool) -> JsValue;
    #[wasm_bindgen(js_name = makeViolation)]
    fn make_violation(record: &[f64], message: &str) -> JsValue;
}

/// Sends the record layout to the JS functions above, once.
fn with_layout() {
    static SENT: AtomicBool = AtomicBool::new(false);
    if !SENT.swap(true, Ordering::Relaxed) {
        set_layout(layout::layout());
    }
}

pub fn frame_to_js(f: &Frame, payload: JsValue) -> JsValue {
    with_layout();
    let mut record = Vec::with_capacity(layout::FRAME.len());
    layout::write_frame(&mut record, f, BytesRef::NONE, None);
    let fields = f.fields();
    let field_nums: Vec<f64> = fields
        .iter()
        .flat_map(|field| [field.offset as f64, field.length as f64])
        .collect();
    let (id, first) = field_list_id(&fields);
    make_frame(
        &record,
        or_null(f.masking_key.map(|k| bytes(&k))),
        payload,
        f.close_code_name,
        f.close_reason.as_deref(),
        first.as_deref(),
        id,
        &field_nums,
    )
}

/// The number of a frame's list of field names, and the list itself (comma-separated)
/// when it is new: JS keeps the lists it was given, a handful of shapes, instead of a
/// string per frame.
fn field_list_id(fields: &[crate::Field]) -> (u32, Option<String>) {
    thread_local! {
        static LISTS: std::cell::RefCell<Vec<Vec<&'static str>>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    LISTS.with(|lists| {
        let mut lists = lists.borrow_mut();
        let same = |known: &Vec<&str>| {
            known.len() == fields.len() && known.iter().zip(fields).all(|(k, f)| *k == f.name)
        };
        match lists.iter().position(same) {
            Some(at) => (at as u32, None),
            None => {
                let names: Vec<&'static str> = fields.iter().map(|f| f.name).collect();
                let joined = names.join(",");
                lists.push(names);
                ((lists.len() - 1) as u32, Some(joined))
            }
        }
    })
}

pub fn message_to_js(m: &Message, data: JsValue) -> JsValue {
    with_layout();
    let mut record = Vec::with_capacity(layout::MESSAGE.len() + m.frames.len());
    layout::write_message(&mut record, m, BytesRef::NONE);
    record.extend(m.frames.iter().map(|&i| i as f64));
    make_message(&record, data, long_ascii(m))
}

/// Whether the message's text is long (past 256 bytes, where a string made by Node's
/// Buffer pays for its setup) and all ASCII.
fn long_ascii(m: &Message) -> bool {
    m.text_end
        .is_some_and(|end| end > 256 && m.data.get(..end).is_some_and(<[u8]>::is_ascii))
}

pub fn violation_to_js(v: &Violation) -> JsValue {
    with_layout();
    let mut record = Vec::with_capacity(layout::VIOLATION.len());
    layout::write_violation(&mut record, v);
    make_violation(&record, &v.to_string())
}

/// The truncated tail as `{offset, needed, minNeeded, have, frame, partial, message}`.
pub fn incomplete_to_js(i: &Incomplete) -> JsValue {
    Obj::new()
        .set("offset", num(i.offset))
        .set("needed", or_null(i.needed.map(num)))
        .set("minNeeded", num(i.min_needed))
        .set("have", num(i.have))
        .set("frame", or_null(i.frame.map(|f| f as u32)))
        .set(
            "partial",
            or_null(
                i.partial
                    .as_ref()
                    .map(|p| frame_to_js(p, bytes(&p.payload))),
            ),
        )
        .set("message", i.to_string())
        .into()
}

/// A notice as `{id, offset, message}` (the message says where).
pub fn notice_to_js(n: &Notice) -> JsValue {
    Obj::new()
        .set("id", n.id.as_str())
        .set("offset", num(n.offset))
        .set("message", n.to_string())
        .into()
}

#[cfg(feature = "api")]
pub fn output_to_js(out: &DecodeOutput) -> JsValue {
    let incomplete = out.incomplete.as_ref().map(incomplete_to_js);
    // One Uint8Array per payload; a message of one uncompressed frame shares its frame's
    // (the same bytes: the README says so).
    let payloads: Vec<JsValue> = out.frames.iter().map(|f| bytes(&f.payload)).collect();
    let frames = array(out.frames.iter().zip(&payloads), |(f, p)| {
        frame_to_js(f, p.clone())
    });
    let first_frame = out.frames.first().map_or(0, |f| f.index);
    let messages = array(&out.messages, |m| {
        let shared = match (m.compressed, &m.frames[..]) {
            // Frames in a result have consecutive indices, so `only` is found directly.
            (false, &[only]) => only
                .checked_sub(first_frame)
                .filter(|&at| {
                    out.frames
                        .get(at)
                        .is_some_and(|f| f.index == only && f.payload.is_same(&m.data))
                })
                .map(|at| payloads[at].clone()),
            _ => None,
        };
        message_to_js(m, shared.unwrap_or_else(|| bytes(&m.data)))
    });
    Obj::new()
        .set("frames", frames)
        .set("messages", messages)
        .set("violations", array(&out.violations, violation_to_js))
        .set("incomplete", or_null(incomplete))
        .set("notices", array(&out.notices, notice_to_js))
        .set("role", out.role.result_name())
        .set("protocol", out.protocol.result_name())
        .into()
}
