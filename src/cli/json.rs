//! The core's results as JSON for `--json` (field names are the core's, which are the RFC's).

use serde_json::{json, Value};
use wsinspect::handshake::Check;
use wsinspect::{DecodeOutput, Frame, Handshake, Incomplete, Message, Notice, Violation};

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn frame(f: &Frame) -> Value {
    json!({
        "index": f.index,
        "offset": f.offset,
        "header_length": f.header_length,
        "length": f.length,
        "fin": f.fin,
        "rsv1": f.rsv1,
        "rsv2": f.rsv2,
        "rsv3": f.rsv3,
        "opcode": f.opcode,
        "kind": f.kind.as_str(),
        "mask": f.masked,
        "masking_key": f.masking_key.map(|k| hex(&k)),
        "payload_len": f.payload_len,
        "length_encoding": f.length_encoding.as_str(),
        "payload_offset": f.payload_offset,
        "payload_hex": hex(&f.payload),
        "close_code": f.close_code,
        "close_code_name": f.close_code_name,
        "close_reason": f.close_reason,
        "fields": f.fields.iter().map(|x| json!({"name": x.name, "offset": x.offset, "length": x.length})).collect::<Vec<_>>(),
    })
}

pub fn message(m: &Message) -> Value {
    json!({
        "index": m.index,
        "kind": m.kind.as_str(),
        "frames": m.frames,
        "offset": m.offset,
        "compressed": m.compressed,
        "wire_length": m.wire_length,
        "length": m.data.len(),
        "text": m.text,
        "data_hex": if m.text.is_none() { Some(hex(&m.data)) } else { None },
        "complete": m.complete,
    })
}

pub fn violation(v: &Violation) -> Value {
    json!({
        "id": v.id.as_str(),
        "offset": v.offset,
        "length": v.length,
        "frame": v.frame,
        "rfc": v.rfc(),
        "close_code": v.close_code(),
        "message": v.message,
        "text": v.to_string(),
    })
}

/// A whole decode as one value: what `--json`'s streamed `decoded` member equals (the
/// stream tests check it), kept for them and for other commands.
#[allow(dead_code)]
pub fn decoded(out: &DecodeOutput) -> Value {
    json!({
        "protocol": out.protocol.as_str(),
        "role": out.role.as_str(),
        "frames": out.frames.iter().map(frame).collect::<Vec<_>>(),
        "messages": out.messages.iter().map(message).collect::<Vec<_>>(),
        "violations": out.violations.iter().map(violation).collect::<Vec<_>>(),
        "notices": out.notices.iter().map(notice).collect::<Vec<_>>(),
        "incomplete": out.incomplete.as_ref().map(incomplete),
    })
}

pub fn notice(n: &Notice) -> Value {
    json!({"id": n.id.as_str(), "offset": n.offset, "message": n.message})
}

pub fn incomplete(i: &Incomplete) -> Value {
    json!({
        "offset": i.offset, "frame": i.frame, "have": i.have, "needed": i.needed,
        "min_needed": i.min_needed, "text": i.to_string(),
    })
}

pub fn check(c: &Check) -> Value {
    json!({
        "id": c.id, "passed": c.passed, "message": c.message, "rfc": c.rfc,
        "offset": c.offset, "header": c.header,
    })
}

pub fn handshake(h: &Handshake) -> Value {
    json!({
        "kind": h.kind.as_str(),
        "generation": h.generation.name(),
        "generation_description": h.generation.description(),
        "method": h.method,
        "path": h.path,
        "version": h.version,
        "status": h.status,
        "reason": h.reason,
        "start_line_offset": h.start_line_offset,
        "start_line_length": h.start_line_length,
        "head_length": h.head_length,
        "headers": h.headers.iter().map(|x| json!({
            "name": x.name, "value": x.value, "offset": x.offset, "length": x.length,
            "value_offset": x.value_offset, "value_length": x.value_length,
        })).collect::<Vec<_>>(),
        "incomplete": h.incomplete.map(|i| json!({"offset": i.offset, "needed": i.needed})),
        "error": h.error.as_ref().map(|e| json!({"id": e.id, "offset": e.offset, "message": e.message})),
        "checks": h.checks.iter().map(check).collect::<Vec<_>>(),
        "trailing_length": h.trailing.len(),
    })
}
