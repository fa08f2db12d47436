//! The core's results as JSON, for `--json` and `--jsonl`: the JS API's objects, field for
//! field and name for name (`js/index.d.ts`), with bytes as lowercase hex strings. This is
//! the one place the CLI names a field; `tests/node/cli.test.js` checks it against the
//! JS API's own results on the same inputs.

use serde_json::{json, Value};

use crate::handshake::Check;
#[cfg(test)]
use crate::DecodeOutput;
use crate::{Frame, Handshake, Incomplete, Message, Notice, Violation};

pub fn hex(bytes: &[u8]) -> String {
    crate::bytes::hex::to_hex(bytes)
}

/// A frame as the JS API's `Frame` (bytes as hex strings).
pub fn frame(f: &Frame) -> Value {
    let mut v = json!({
        "index": f.index, "offset": f.offset, "headerLength": f.header_length, "length": f.length,
        "fin": f.fin, "rsv1": f.rsv1, "rsv2": f.rsv2, "rsv3": f.rsv3,
        "opcode": f.opcode, "kind": f.kind.as_str(), "compressed": f.compressed, "masked": f.masked,
        "maskingKey": f.masking_key.map(|k| hex(&k)),
        "payloadLength": f.payload_len, "lengthEncoding": f.length_encoding.as_str(),
        "payloadOffset": f.payload_offset, "payload": hex(&f.payload),
        "fields": f.fields().iter().map(|x| json!({"name": x.name, "offset": x.offset, "length": x.length})).collect::<Vec<_>>(),
    });
    let map = v.as_object_mut().expect("an object");
    if let Some(code) = f.close_code {
        map.insert("closeCode".into(), code.into());
    }
    if let Some(name) = f.close_code_name {
        map.insert("closeCodeName".into(), name.into());
    }
    if let Some(reason) = &f.close_reason {
        map.insert("closeReason".into(), reason.as_str().into());
    }
    v
}

/// A message as the JS API's `Message` (`data` as a hex string).
pub fn message(m: &Message) -> Value {
    json!({
        "index": m.index, "kind": m.kind.as_str(), "frames": &m.frames[..], "offset": m.offset,
        "compressed": m.compressed, "wireLength": m.wire_length, "inflatedLength": m.data.len(),
        "complete": m.complete, "data": hex(&m.data), "text": m.text(),
    })
}

pub fn violation(v: &Violation) -> Value {
    json!({
        "id": v.id.as_str(), "offset": v.offset, "length": v.length, "frame": v.frame, "rfc": v.rfc(),
        "closeCode": v.close_code(), "message": v.to_string(),
    })
}

pub fn notice(n: &Notice) -> Value {
    json!({"id": n.id.as_str(), "offset": n.offset, "message": n.to_string()})
}

pub fn incomplete(i: &Incomplete) -> Value {
    json!({
        "offset": i.offset, "needed": i.needed, "minNeeded": i.min_needed, "have": i.have,
        "frame": i.frame, "partial": i.partial.as_ref().map(frame), "message": i.to_string(),
    })
}

pub fn check(c: &Check) -> Value {
    json!({
        "id": c.id.as_str(), "rule": c.rule(), "passed": c.passed, "message": c.message, "rfc": c.rfc,
        "offset": c.offset, "header": c.header, "expected": c.expected,
    })
}

/// A head as the JS API's `Handshake`.
pub fn handshake(h: &Handshake) -> Value {
    let mut v = json!({
        "kind": h.kind.as_str(),
        "generation": h.generation.name(),
        "generationDescription": h.generation.description(),
        "complete": h.is_complete(),
        "startLineOffset": h.start_line_offset,
        "startLineLength": h.start_line_length,
        "headers": h.headers.iter().map(|x| json!({
            "name": x.name, "value": x.value, "offset": x.offset, "length": x.length,
            "valueOffset": x.value_offset, "valueLength": x.value_length,
        })).collect::<Vec<_>>(),
        "headLength": h.head_length,
        "trailing": hex(&h.trailing),
        "incomplete": h.incomplete.map(|i| json!({"offset": i.offset, "needed": i.needed})),
        "error": h.error.as_ref().map(|e| json!({"id": e.id.as_str(), "offset": e.offset, "message": e.message})),
        "checks": h.checks.iter().map(check).collect::<Vec<_>>(),
    });
    let map = v.as_object_mut().expect("an object");
    let optional = [
        ("method", h.method.as_deref().map(Value::from)),
        ("path", h.path.as_deref().map(Value::from)),
        ("version", h.version.as_deref().map(Value::from)),
        ("status", h.status.map(Value::from)),
        ("reason", h.reason.as_deref().map(Value::from)),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            map.insert(key.into(), value);
        }
    }
    v
}

/// A whole decode as the JS API's `DecodeResult`: what `--json`'s streamed `decoded`
/// member equals (the stream tests check it).
#[cfg(test)]
pub fn decoded(out: &DecodeOutput) -> Value {
    json!({
        "protocol": out.protocol.result_name(),
        "role": out.role.result_name(),
        "frames": out.frames.iter().map(frame).collect::<Vec<_>>(),
        "messages": out.messages.iter().map(message).collect::<Vec<_>>(),
        "violations": out.violations.iter().map(violation).collect::<Vec<_>>(),
        "notices": out.notices.iter().map(notice).collect::<Vec<_>>(),
        "incomplete": out.incomplete.as_ref().map(incomplete),
    })
}
