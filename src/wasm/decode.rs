//! The decoder's binding: options in, results out as plain JS objects.

use super::js::{array, bytes, error, get_string, get_uint, num, or_null, Obj};
use crate::{
    DecodeOptions, DecodeOutput, ExtensionError, Frame, Message, Protocol, Role, Violation,
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

fn frame_to_js(f: &Frame) -> JsValue {
    let fields = array(&f.fields, |field| {
        Obj::new()
            .set("name", field.name)
            .set("offset", num(field.offset))
            .set("length", num(field.length))
            .into()
    });
    Obj::new()
        .set("index", f.index as u32)
        .set("offset", num(f.offset))
        .set("headerLength", num(f.header_length))
        .set("length", num(f.length))
        .set("fin", f.fin)
        .set("rsv1", f.rsv1)
        .set("rsv2", f.rsv2)
        .set("rsv3", f.rsv3)
        .set("opcode", f.opcode)
        .set("kind", f.kind.as_str())
        .set("masked", f.masked)
        .set("maskingKey", or_null(f.masking_key.map(|k| bytes(&k))))
        .set("payloadLength", num(f.payload_len))
        .set("lengthEncoding", f.length_encoding.as_str())
        .set("payloadOffset", num(f.payload_offset))
        .set("payload", bytes(&f.payload))
        .set_opt("closeCode", f.close_code)
        .set_opt("closeCodeName", f.close_code_name)
        .set_opt("closeReason", f.close_reason.as_deref())
        .set("fields", fields)
        .into()
}

fn message_to_js(m: &Message) -> JsValue {
    Obj::new()
        .set("index", m.index as u32)
        .set("kind", m.kind.as_str())
        .set("frames", array(&m.frames, |&i| JsValue::from(i as u32)))
        .set("offset", num(m.offset))
        .set("compressed", m.compressed)
        .set("wireLength", num(m.wire_length))
        .set("inflatedLength", m.data.len() as u32)
        .set("complete", m.complete)
        .set("data", bytes(&m.data))
        .set("text", or_null(m.text.as_deref()))
        .into()
}

fn violation_to_js(v: &Violation) -> JsValue {
    Obj::new()
        .set("id", v.id.as_str())
        .set("offset", num(v.offset))
        .set("frame", or_null(v.frame.map(|i| i as u32)))
        .set("rfc", v.rfc())
        .set("closeCode", or_null(v.close_code()))
        .set("message", v.to_string())
        .into()
}

pub fn output_to_js(out: &DecodeOutput) -> JsValue {
    let incomplete = out.incomplete.as_ref().map(|i| {
        JsValue::from(
            Obj::new()
                .set("offset", num(i.offset))
                .set("needed", or_null(i.needed.map(num)))
                .set("minNeeded", num(i.min_needed))
                .set("have", num(i.have))
                .set("message", i.to_string()),
        )
    });
    let resolved = |name: &'static str| if name == "auto" { "unknown" } else { name };
    Obj::new()
        .set("frames", array(&out.frames, frame_to_js))
        .set("messages", array(&out.messages, message_to_js))
        .set("violations", array(&out.violations, violation_to_js))
        .set("incomplete", or_null(incomplete))
        .set(
            "notices",
            array(&out.notices, |n| JsValue::from(n.to_string())),
        )
        .set("role", resolved(out.role.as_str()))
        .set("protocol", resolved(out.protocol.as_str()))
        .into()
}
