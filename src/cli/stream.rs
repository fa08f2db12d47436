//! `wsinspect decode`'s output written as the frames are decoded: memory follows the input
//! and the decoder's state, never the number of frames.
//!
//! The table and `--json` group frames, messages, violations and notices apart, so the
//! stream is decoded once per group (the decoder is deterministic: every pass sees the same
//! results in the same order), each result written and dropped as it comes. `--jsonl`
//! decodes once and writes one object per line in stream order.

use std::io::{self, Write};

use serde_json::json;

use super::json;
use crate::{DecodeOptions, DecodeOutput, Decoder, Incomplete, Protocol, Role};

/// Bytes pushed to the decoder at a time.
const CHUNK: usize = 64 * 1024;

/// What is known once the whole stream is decoded.
#[derive(Debug, Default)]
pub struct Summary {
    pub frames: usize,
    pub messages: usize,
    pub violations: usize,
    pub notices: usize,
    pub protocol: Option<Protocol>,
    pub role: Option<Role>,
    pub incomplete: Option<Incomplete>,
}

/// The frames part of the input and how to decode it.
pub struct Stream<'a> {
    pub bytes: &'a [u8],
    pub options: DecodeOptions,
    /// Added to every offset (the frames follow a handshake head).
    pub shift: u64,
}

impl Stream<'_> {
    /// Decodes the whole stream, handing each push's output (offsets shifted) to `each`.
    pub fn pass(
        &self,
        mut each: impl FnMut(&DecodeOutput) -> io::Result<()>,
    ) -> io::Result<Summary> {
        let mut decoder = Decoder::new(self.options.clone())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.message))?;
        let mut summary = Summary::default();
        let chunks = self.bytes.chunks(CHUNK).map(Some).chain([None]);
        for chunk in chunks {
            let mut out = match chunk {
                Some(chunk) => decoder.push(chunk),
                None => decoder.end(),
            };
            out.shift(self.shift);
            summary.frames += out.frames.len();
            summary.messages += out.messages.len();
            summary.violations += out.violations.len();
            summary.notices += out.notices.len();
            summary.protocol = Some(out.protocol);
            summary.role = Some(out.role);
            if out.incomplete.is_some() {
                summary.incomplete = out.incomplete.clone();
            }
            each(&out)?;
        }
        Ok(summary)
    }
}

/// Writes `items` as the members of a JSON array, one a line, as `pass` yields them.
fn json_array<T>(
    w: &mut dyn Write,
    stream: &Stream<'_>,
    pick: impl Fn(&DecodeOutput) -> &[T],
    to_json: impl Fn(&T) -> serde_json::Value,
) -> io::Result<Summary> {
    w.write_all(b"[")?;
    let mut first = true;
    let summary = stream.pass(|out| {
        for item in pick(out) {
            w.write_all(if first { b"\n    " } else { b",\n    " })?;
            first = false;
            serde_json::to_writer(&mut *w, &to_json(item))?;
        }
        Ok(())
    })?;
    w.write_all(if first { b"]" } else { b"\n  ]" })?;
    Ok(summary)
}

/// `--json`: one document written member by member: `decoded` is the JS API's
/// `DecodeResult`; `after` holds the members that come after it (input, handshake,
/// framesStart), already as JSON.
pub fn write_json(
    w: &mut dyn Write,
    stream: &Stream<'_>,
    after: &serde_json::Map<String, serde_json::Value>,
) -> io::Result<Summary> {
    w.write_all(b"{\n\"decoded\": {\n  \"frames\": ")?;
    let summary = json_array(w, stream, |o| &o.frames, json::frame)?;
    let incomplete = summary.incomplete.as_ref().map(json::incomplete);
    write!(
        w,
        ",\n  \"incomplete\": {},\n  \"messages\": ",
        serde_json::Value::from(incomplete)
    )?;
    json_array(w, stream, |o| &o.messages, json::message)?;
    w.write_all(b",\n  \"notices\": ")?;
    json_array(w, stream, |o| &o.notices, json::notice)?;
    write!(
        w,
        ",\n  \"protocol\": \"{}\",\n  \"role\": \"{}\",\n  \"violations\": ",
        summary.protocol.unwrap_or_default().result_name(),
        summary.role.unwrap_or_default().result_name()
    )?;
    json_array(w, stream, |o| &o.violations, json::violation)?;
    w.write_all(b"\n}")?;
    for (key, value) in after {
        write!(w, ",\n{}: ", serde_json::Value::from(key.as_str()))?;
        serde_json::to_writer(&mut *w, value)?;
    }
    w.write_all(b"\n}\n")?;
    Ok(summary)
}

/// `--jsonl`: one object a line, in stream order: `{"type":"input",...}` first, then
/// `frame`, `message`, `violation` and `notice` objects as they complete, and
/// `{"type":"end",...}` with the protocol, role, incomplete tail and counts last.
pub fn write_jsonl(
    w: &mut dyn Write,
    stream: &Stream<'_>,
    first: serde_json::Value,
) -> io::Result<Summary> {
    let line = |w: &mut dyn Write, kind: &str, value: serde_json::Value| {
        let mut value = value;
        if let Some(map) = value.as_object_mut() {
            map.insert("type".into(), kind.into());
        }
        serde_json::to_writer(&mut *w, &value)?;
        w.write_all(b"\n")
    };
    line(w, "input", first)?;
    let summary = stream.pass(|out| {
        for f in &out.frames {
            line(w, "frame", json::frame(f))?;
        }
        for m in &out.messages {
            line(w, "message", json::message(m))?;
        }
        for v in &out.violations {
            line(w, "violation", json::violation(v))?;
        }
        for n in &out.notices {
            line(w, "notice", json::notice(n))?;
        }
        Ok(())
    })?;
    line(
        w,
        "end",
        json!({
            "protocol": summary.protocol.unwrap_or_default().result_name(),
            "role": summary.role.unwrap_or_default().result_name(),
            "incomplete": summary.incomplete.as_ref().map(json::incomplete),
            "frames": summary.frames,
            "messages": summary.messages,
            "violations": summary.violations,
            "notices": summary.notices,
        }),
    )?;
    Ok(summary)
}

impl Stream<'_> {
    /// The protocol and role in force once they are decided (or at the end): a pass that
    /// stops as soon as both are known.
    fn detect(&self) -> (Protocol, Role) {
        let Ok(mut decoder) = Decoder::new(self.options.clone()) else {
            return (Protocol::Auto, Role::Auto);
        };
        let mut last = (Protocol::Auto, Role::Auto);
        for chunk in self.bytes.chunks(CHUNK) {
            let out = decoder.push(chunk);
            last = (out.protocol, out.role);
            if out.protocol != Protocol::Auto && out.role != Role::Auto {
                return last;
            }
        }
        let out = decoder.end();
        if out.protocol != Protocol::Auto || out.role != Role::Auto {
            last = (out.protocol, out.role);
        }
        last
    }
}

/// The table after its input and handshake lines: protocol and role, then the frames,
/// messages, violations and notices, each section written as its pass decodes it.
pub fn write_table(w: &mut dyn Write, stream: &Stream<'_>) -> io::Result<Summary> {
    use super::decode::{payload, preview_hex, quote};
    let (protocol, role) = stream.detect();
    writeln!(
        w,
        "protocol {}, role {}\n",
        protocol.as_str(),
        role.as_str()
    )?;
    let mut titled = false;
    let summary = stream.pass(|out| {
        for f in &out.frames {
            if !titled {
                titled = true;
                writeln!(
                    w,
                    "{:>5} {:>8} {:>8}  fin rsv  {:<16} {:<8}  payload",
                    "frame", "offset", "length", "opcode", "mask"
                )?;
            }
            writeln!(
                w,
                "{:>5} {:>8} {:>8}  {}   {}{}{}  {:<16} {:<8}  {}",
                f.index,
                f.offset,
                f.length,
                f.fin as u8,
                f.rsv1 as u8,
                f.rsv2 as u8,
                f.rsv3 as u8,
                format!("0x{:x} {}", f.opcode, f.kind.as_str()),
                f.masking_key
                    .map(|k| json::hex(&k))
                    .unwrap_or_else(|| "-".into()),
                payload(f),
            )?;
        }
        Ok(())
    })?;
    let mut titled = false;
    stream.pass(|out| {
        for m in &out.messages {
            if !titled {
                titled = true;
                w.write_all(b"\nmessages\n")?;
            }
            let size = if m.compressed {
                format!("{} bytes ({} compressed)", m.data.len(), m.wire_length)
            } else {
                format!("{} bytes", m.data.len())
            };
            let frames: Vec<String> = m.frames.iter().map(usize::to_string).collect();
            let preview = match m.text() {
                Some(t) => quote(t),
                None => preview_hex(&m.data),
            };
            let open = if m.complete { "" } else { " (incomplete)" };
            writeln!(
                w,
                "{:>5} {:<6} {size}, frame {}{open}: {preview}",
                m.index,
                m.kind.as_str(),
                frames.join(",")
            )?;
        }
        Ok(())
    })?;
    let mut titled = false;
    stream.pass(|out| {
        for v in &out.violations {
            if !titled {
                titled = true;
                w.write_all(b"\nviolations\n")?;
            }
            let frame = v.frame.map(|f| format!(", frame {f}")).unwrap_or_default();
            let close = v
                .close_code()
                .map(|c| format!(", close {c}"))
                .unwrap_or_default();
            writeln!(w, "  {}: {v}{}{frame}{close}", v.id, span(v))?;
        }
        Ok(())
    })?;
    stream.pass(|out| {
        for n in &out.notices {
            writeln!(w, "note: {n}")?;
        }
        Ok(())
    })?;
    if let Some(i) = &summary.incomplete {
        writeln!(w, "{i}")?;
    }
    writeln!(
        w,
        "\n{} frame(s), {} message(s), {} violation(s)",
        summary.frames, summary.messages, summary.violations
    )?;
    Ok(summary)
}

/// The bytes a violation spans, as the table says it: ", spanning 2 bytes".
pub(crate) fn span(v: &crate::Violation) -> String {
    match v.length {
        1 => ", spanning 1 byte".into(),
        n => format!(", spanning {n} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        // Text, a fragmented message, a ping, a reserved opcode, a truncated frame.
        let mut b = vec![0x81, 0x02, b'h', b'i', 0x01, 0x01, b'a', 0x89, 0x00];
        b.extend_from_slice(&[0x80, 0x01, b'b', 0x83, 0x00, 0x82, 0x05, 1]);
        b
    }

    #[test]
    fn streamed_json_is_the_document_built_whole() {
        let bytes = sample();
        for chunk_shift in [0, 100] {
            let stream = Stream {
                bytes: &bytes,
                options: DecodeOptions::default(),
                shift: chunk_shift,
            };
            let mut after = serde_json::Map::new();
            after.insert("framesStart".into(), chunk_shift.into());
            let mut written = Vec::new();
            write_json(&mut written, &stream, &after).unwrap();
            let got: serde_json::Value = serde_json::from_slice(&written).unwrap();
            let mut whole = crate::decode(&bytes, DecodeOptions::default()).unwrap();
            whole.shift(chunk_shift);
            let want = json!({ "decoded": json::decoded(&whole), "framesStart": chunk_shift });
            assert_eq!(got, want);
        }
    }

    #[test]
    fn jsonl_is_one_object_a_line_in_stream_order() {
        let bytes = sample();
        let stream = Stream {
            bytes: &bytes,
            options: DecodeOptions::default(),
            shift: 0,
        };
        let mut written = Vec::new();
        write_jsonl(&mut written, &stream, json!({"length": bytes.len()})).unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(written)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
        assert_eq!(types.first(), Some(&"input"));
        assert_eq!(types.last(), Some(&"end"));
        assert_eq!(types.iter().filter(|t| **t == "frame").count(), 5);
        assert_eq!(lines.last().unwrap()["incomplete"]["needed"], 4);
    }
}
