//! A case's conversation as decoded by wsinspect (the conversation object of
//! `report::decoded`), as HTML: the heads and their checks, a table of frames in time order
//! (their header bytes, every field, payloads as text or hex) with each violation after its
//! frame, the messages and the closing handshake. Every text goes through [`escape`].

use std::fmt::Write as _;

use serde_json::Value;

use super::escape;
use crate::conformance::report::{transcript, CaseRun};
use crate::Direction;

/// The most payload bytes a frame row shows, as text and as hex.
const PREVIEW: usize = 64;
const PREVIEW_HEX: usize = 24;

/// The decoded conversation: heads, their checks, a table of frames in time order (their
/// header bytes, every field, payloads shown as text or hex) with each violation after its
/// frame, the messages and the closing handshake.
pub(super) fn conversation_html(run: &CaseRun, d: &Value) -> String {
    let mut b = String::from("<h2>The conversation, decoded by wsinspect</h2>\n");
    let t = transcript(run);
    let mut streams: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    for c in &t.chunks {
        streams[c.direction.index()].extend_from_slice(&c.bytes);
    }
    for (name, head) in [
        ("request", &run.http_request),
        ("response", &run.http_response),
    ] {
        let Some(head) = head else { continue };
        let _ = write!(
            b,
            "<h3>Opening handshake: {name}</h3>\n<pre data-testid=\"case-{name}\">{}</pre>\n",
            escape(&String::from_utf8_lossy(head))
        );
        let checks = d[name]["checks"].as_array().cloned().unwrap_or_default();
        b.push_str(&checks_html(&format!("The {name}"), &checks));
    }
    let pair = d["pairChecks"].as_array().cloned().unwrap_or_default();
    b.push_str(&checks_html("Request and response together", &pair));
    let empty = Vec::new();
    let frames = d["frames"].as_array().unwrap_or(&empty);
    let violations = d["violations"].as_array().unwrap_or(&empty);
    let _ = writeln!(
        b,
        "<h3>Frames</h3>\n<p>{} frames, {} violations; offsets count each direction's bytes from its first (the HTTP head included), times from the start of the case.</p>",
        frames.len(),
        violations.len()
    );
    b.push_str(
        "<table class=\"frames\" data-testid=\"case-frames\"><tr><th>direction</th><th>#</th><th>ms</th><th>offset</th>\
         <th>header bytes</th><th>FIN</th><th>RSV1 2 3</th><th>opcode</th><th>MASK</th><th>masking key</th>\
         <th>payload length</th><th>payload</th></tr>\n",
    );
    let bit = |x: &Value| if x.as_bool() == Some(true) { "1" } else { "0" };
    for f in frames {
        let dir = f["direction"].as_str().unwrap_or("");
        let direction = Direction::from_name(dir).unwrap_or(Direction::Client);
        let offset = f["offset"].as_u64().unwrap_or(0) as usize;
        let header_len = f["headerLength"].as_u64().unwrap_or(0) as usize;
        let stream = &streams[direction.index()];
        let header = stream
            .get(offset..(offset + header_len).min(stream.len()))
            .map(hex)
            .unwrap_or_default();
        let ms = f["time"]
            .as_f64()
            .map_or("".into(), |s| format!("{:.0}", s * 1000.0));
        let _ = writeln!(
            b,
            "<tr class=\"{dir}\" data-testid=\"case-frame\" data-direction=\"{dir}\" data-kind=\"{}\">\
             <td>{}</td><td>{}</td><td>{ms}</td><td>{offset}</td><td>{}</td><td>{}</td><td>{} {} {}</td>\
             <td>0x{:x} {}</td><td>{}</td><td>{}</td><td>{} ({}-bit)</td><td class=\"payload\" data-testid=\"case-frame-payload\">{}</td></tr>",
            escape(f["kind"].as_str().unwrap_or("")),
            arrow(dir),
            f["index"],
            header,
            bit(&f["fin"]),
            bit(&f["rsv1"]),
            bit(&f["rsv2"]),
            bit(&f["rsv3"]),
            f["opcode"].as_u64().unwrap_or(0),
            escape(f["kind"].as_str().unwrap_or("")),
            bit(&f["masked"]),
            escape(f["maskingKey"].as_str().unwrap_or("")),
            f["payloadLength"],
            escape(f["lengthEncoding"].as_str().unwrap_or("")),
            payload_html(f)
        );
        for v in violations
            .iter()
            .filter(|v| v["direction"] == f["direction"] && v["frame"] == f["index"])
        {
            b.push_str(&violation_row(v));
        }
    }
    for v in violations.iter().filter(|v| v["frame"].is_null()) {
        b.push_str(&violation_row(v));
    }
    b.push_str("</table>\n");

    let messages = d["messages"].as_array().unwrap_or(&empty);
    if !messages.is_empty() {
        b.push_str("<h3>Messages</h3>\n<table data-testid=\"case-messages\"><tr><th>direction</th><th>#</th><th>kind</th><th>frames</th><th>length</th><th>data</th></tr>\n");
        for m in messages {
            let data = m["data"].as_str().unwrap_or("");
            let shown = match m["text"].as_str() {
                Some(text) => clip(text),
                None => clip(data),
            };
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                arrow(m["direction"].as_str().unwrap_or("")),
                m["index"],
                escape(m["kind"].as_str().unwrap_or("")),
                m["frames"].as_array().map_or(0, Vec::len),
                m["inflatedLength"],
                escape(&shown)
            );
        }
        b.push_str("</table>\n");
    }

    let close = &d["close"];
    let one = |e: &Value| -> String {
        format!(
            "{} sent close {}{} at byte {}",
            arrow(e["direction"].as_str().unwrap_or("")),
            e["code"]
                .as_u64()
                .map_or("(no code)".to_string(), |c| c.to_string()),
            e["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
                .map_or(String::new(), |r| format!(" \"{}\"", escape(r))),
            e["offset"]
        )
    };
    let text = if close["first"].is_null() {
        "no close frame either way".to_string()
    } else if close["reply"].is_null() {
        format!("{}; not answered", one(&close["first"]))
    } else {
        format!(
            "{}; answered: {}",
            one(&close["first"]),
            one(&close["reply"])
        )
    };
    let _ = writeln!(
        b,
        "<h3>Closing handshake</h3>\n<p data-testid=\"case-close-handshake\">{text}</p>"
    );
    for n in d["notices"].as_array().unwrap_or(&empty) {
        let _ = writeln!(
            b,
            "<p>{}: {}</p>",
            escape(n["direction"].as_str().unwrap_or("")),
            escape(n["message"].as_str().unwrap_or(""))
        );
    }
    b
}

/// `what: N checks, M failed`, and the failed ones with their rule's id and section.
fn checks_html(what: &str, checks: &[Value]) -> String {
    let failed: Vec<&Value> = checks
        .iter()
        .filter(|c| c["passed"] == Value::Bool(false))
        .collect();
    if checks.is_empty() {
        return String::new();
    }
    let mut b = format!(
        "<p>{what}: {} checks, {} failed</p>\n",
        checks.len(),
        failed.len()
    );
    if !failed.is_empty() {
        b.push_str("<ul>\n");
        for c in failed {
            let _ = writeln!(
                b,
                "<li class=\"failed\">{} ({}): {}</li>",
                escape(c["id"].as_str().unwrap_or("")),
                escape(c["rfc"].as_str().unwrap_or("")),
                escape(c["message"].as_str().unwrap_or(""))
            );
        }
        b.push_str("</ul>\n");
    }
    b
}

fn violation_row(v: &Value) -> String {
    format!(
        "<tr class=\"violation\" data-testid=\"case-violation\" data-id=\"{}\"><td>{}</td>\
         <td colspan=\"11\">{}: {}; a strict endpoint closes with {}</td></tr>\n",
        escape(v["id"].as_str().unwrap_or("")),
        arrow(v["direction"].as_str().unwrap_or("")),
        escape(v["id"].as_str().unwrap_or("")),
        escape(v["message"].as_str().unwrap_or("")),
        v["closeCode"]
            .as_u64()
            .map_or("no code".to_string(), |c| c.to_string())
    )
}

fn arrow(direction: &str) -> &'static str {
    match direction {
        "client" => "client → server",
        "server" => "server → client",
        _ => "?",
    }
}

/// A frame's payload for people: a close's code, name and reason; text when it is UTF-8
/// (and not compressed); else hex. At most [`PREVIEW`] bytes.
fn payload_html(f: &Value) -> String {
    if let Some(code) = f["closeCode"].as_u64() {
        return escape(&format!(
            "close {code} {}{}",
            f["closeCodeName"].as_str().unwrap_or(""),
            f["closeReason"]
                .as_str()
                .filter(|r| !r.is_empty())
                .map_or(String::new(), |r| format!(": {r}"))
        ));
    }
    let bytes = unhex(f["payload"].as_str().unwrap_or(""));
    if bytes.is_empty() {
        return "(empty)".into();
    }
    let more = |shown: usize| {
        if bytes.len() > shown {
            format!(" … {} bytes", bytes.len())
        } else {
            String::new()
        }
    };
    let compressed = f["compressed"].as_bool() == Some(true);
    let text = &bytes[..bytes.len().min(PREVIEW)];
    // A preview cut inside a character is still text: the part that is whole.
    let text = match std::str::from_utf8(text) {
        Ok(t) => Some(t),
        Err(e) if bytes.len() > PREVIEW && e.error_len().is_none() => {
            std::str::from_utf8(&text[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    match text {
        Some(t) if !compressed && !t.chars().any(char::is_control) => {
            format!("“{}”{}", escape(t), more(t.len()))
        }
        _ => {
            let shown = &bytes[..bytes.len().min(PREVIEW_HEX)];
            format!("{}{}", hex(shown), more(shown.len()))
        }
    }
}

/// At most 120 characters of a text.
fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(120).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payloads_show_as_escaped_text_or_hex() {
        let close = json!({"closeCode": 1000, "closeCodeName": "normal closure", "closeReason": "<img src=x>"});
        assert_eq!(
            payload_html(&close),
            "close 1000 normal closure: &lt;img src=x&gt;"
        );
        let text =
            |payload: &[u8]| json!({"payload": hex(payload).replace(' ', ""), "compressed": false});
        assert_eq!(payload_html(&text(b"a<b")), "“a&lt;b”");
        assert_eq!(payload_html(&text(b"")), "(empty)");
        assert_eq!(payload_html(&text(&[0xff, 0x00])), "ff 00");
        // 63 ASCII bytes then a 3-byte character cut by the preview: the whole part is text.
        let mut long = vec![b'*'; 63];
        long.extend("€".repeat(10).as_bytes());
        assert_eq!(
            payload_html(&text(&long)),
            format!("“{}” … {} bytes", "*".repeat(63), long.len())
        );
        let control = text(b"a\x01b");
        assert_eq!(payload_html(&control), "61 01 62");
    }

    #[test]
    fn violations_are_escaped_in_their_row() {
        let v = json!({"id": "invalid-utf8", "direction": "server", "message": "<b>", "closeCode": 1007});
        let row = violation_row(&v);
        assert!(row.contains("invalid-utf8: &lt;b&gt;; a strict endpoint closes with 1007"));
        assert!(row.contains("server → client"));
    }
}
