//! The decoder's binding: options in, results out as plain JS objects.

use super::js::{array, bytes, error, get_string, get_uint, num, or_null, Obj};
use crate::{
    DecodeOptions, DecodeOutput, ExtensionError, Frame, Incomplete, Message, Notice, Protocol,
    Role, Violation,
};
use wasm_bindgen::prelude::*;

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

pub fn extension_error(e: ExtensionError) -> JsValue {
    error(
        &format!("bad extensions value: {e}"),
        &[("offset", Some(e.offset as u64))],
    )
}

// Each frame, message and violation becomes its object in one call to a small JS function
// (an object literal is many times faster than a property set per field from wasm); the
// numbers travel as one f64 array read in place, the strings as arguments.
#[wasm_bindgen(inline_js = r#"
const fieldNames = new Map();
const names = (joined) => {
  let list = fieldNames.get(joined);
  if (!list) fieldNames.set(joined, (list = joined.split(",")));
  return list;
};
export function makeFrame(n, kind, lengthEncoding, maskingKey, payload, closeCodeName, closeReason, fieldList, fieldNums) {
  const frame = {
    index: n[0], offset: n[1], headerLength: n[2], length: n[3],
    fin: n[4] === 1, rsv1: n[5] === 1, rsv2: n[6] === 1, rsv3: n[7] === 1,
    opcode: n[8], kind, compressed: n[13] === 1, masked: n[9] === 1, maskingKey,
    payloadLength: n[10], lengthEncoding, payloadOffset: n[11], payload,
  };
  if (n[12] >= 0) frame.closeCode = n[12];
  if (closeCodeName !== undefined) frame.closeCodeName = closeCodeName;
  if (closeReason !== undefined) frame.closeReason = closeReason;
  frame.fields = names(fieldList).map((name, i) => ({ name, offset: fieldNums[2 * i], length: fieldNums[2 * i + 1] }));
  return frame;
}
export function makeMessage(n, kind, frames, data, text) {
  return {
    index: n[0], kind, frames: Array.from(frames), offset: n[1], compressed: n[2] === 1,
    wireLength: n[3], inflatedLength: n[4], complete: n[5] === 1, data, text: text ?? null,
  };
}
export function makeViolation(n, id, rfc, message) {
  return { id, offset: n[0], length: n[3], frame: n[1] < 0 ? null : n[1], rfc, closeCode: n[2] < 0 ? null : n[2], message };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = makeFrame)]
    #[allow(clippy::too_many_arguments)]
    fn make_frame(
        nums: &[f64],
        kind: &str,
        length_encoding: &str,
        masking_key: JsValue,
        payload: JsValue,
        close_code_name: Option<&str>,
        close_reason: Option<&str>,
        field_names: &str,
        field_nums: &[f64],
    ) -> JsValue;
    #[wasm_bindgen(js_name = makeMessage)]
    fn make_message(
        nums: &[f64],
        kind: &str,
        frames: &[u32],
        data: JsValue,
        text: Option<&str>,
    ) -> JsValue;
    #[wasm_bindgen(js_name = makeViolation)]
    fn make_violation(nums: &[f64], id: &str, rfc: &str, message: &str) -> JsValue;
}

const fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// `n` as a JS number, or -1 for none (the JS side turns it into null or no property).
fn num_or_none(n: Option<impl Into<f64>>) -> f64 {
    n.map_or(-1.0, Into::into)
}

pub fn frame_to_js(f: &Frame, payload: JsValue) -> JsValue {
    let nums = [
        f.index as f64,
        f.offset as f64,
        f.header_length as f64,
        f.length as f64,
        flag(f.fin),
        flag(f.rsv1),
        flag(f.rsv2),
        flag(f.rsv3),
        f64::from(f.opcode),
        flag(f.masked),
        f.payload_len as f64,
        f.payload_offset as f64,
        num_or_none(f.close_code),
        flag(f.compressed),
    ];
    let mut names = String::new();
    let fields = f.fields();
    let mut field_nums = Vec::with_capacity(2 * fields.len());
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            names.push(',');
        }
        names.push_str(field.name);
        field_nums.extend([field.offset as f64, field.length as f64]);
    }
    make_frame(
        &nums,
        f.kind.as_str(),
        f.length_encoding.as_str(),
        or_null(f.masking_key.map(|k| bytes(&k))),
        payload,
        f.close_code_name,
        f.close_reason.as_deref(),
        &names,
        &field_nums,
    )
}

pub fn message_to_js(m: &Message, data: JsValue) -> JsValue {
    let nums = [
        m.index as f64,
        m.offset as f64,
        flag(m.compressed),
        m.wire_length as f64,
        m.data.len() as f64,
        flag(m.complete),
    ];
    let frames: Vec<u32> = m.frames.iter().map(|&i| i as u32).collect();
    make_message(&nums, m.kind.as_str(), &frames, data, m.text())
}

pub fn violation_to_js(v: &Violation) -> JsValue {
    let nums = [
        v.offset as f64,
        num_or_none(v.frame.map(|i| i as u32)),
        num_or_none(v.close_code()),
        v.length as f64,
    ];
    make_violation(&nums, v.id.as_str(), v.rfc(), &v.to_string())
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
                        .is_some_and(|f| f.index == only && f.payload == m.data)
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
