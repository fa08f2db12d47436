//! `wsinspect decode` of a conversation (both directions from Follow TCP Stream text or a
//! packet dump, or one direction that opens with its head): the handshake pair, then one
//! table of both directions; `--json` and `--jsonl` with the JS API's field names.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::cells;
use super::decode::{quote, write_payload, write_preview_hex, write_quote};
use super::json::{check, frame, handshake, incomplete, message, notice, violation};
use crate::{CloseEvent, ConversationResult, Handshake, Sided};

/// What the exit status needs: rules broken in frames, and in the heads.
pub struct Outcome {
    pub violations: usize,
    pub head_failed: bool,
}

fn stamp<T>(s: &Sided<T>, mut value: Value) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.insert("direction".into(), s.direction.as_str().into());
        map.insert("time".into(), json!(s.time));
        map.insert("packet".into(), json!(s.packet));
    }
    value
}

fn close_event(e: &CloseEvent) -> Value {
    json!({
        "direction": e.direction.as_str(), "frame": e.frame, "offset": e.offset,
        "code": e.code, "reason": e.reason, "time": e.time, "packet": e.packet,
    })
}

/// The members of the result other than its item lists.
fn members(r: &ConversationResult) -> Map<String, Value> {
    let endpoint = |e: &Option<crate::Endpoint>| {
        e.as_ref()
            .map(|e| json!({"address": e.address, "port": e.port}))
    };
    let tail = |d: crate::Direction| {
        r.incomplete
            .iter()
            .find(|i| i.direction == d)
            .map(|i| stamp(i, incomplete(&i.item)))
    };
    let mut m = Map::new();
    m.insert("format".into(), r.format.as_str().into());
    m.insert("client".into(), json!(endpoint(&r.client)));
    m.insert("server".into(), json!(endpoint(&r.server)));
    m.insert("request".into(), json!(r.request.as_ref().map(handshake)));
    m.insert("response".into(), json!(r.response.as_ref().map(handshake)));
    m.insert(
        "pairChecks".into(),
        r.pair_checks.iter().map(check).collect(),
    );
    m.insert("extensions".into(), json!(r.extensions));
    m.insert("protocol".into(), json!(r.protocol));
    m.insert(
        "incomplete".into(),
        json!({"client": tail(crate::Direction::Client), "server": tail(crate::Direction::Server)}),
    );
    m.insert(
        "close".into(),
        json!({
            "first": r.close.first.as_ref().map(close_event),
            "reply": r.close.reply.as_ref().map(close_event),
            "dataAfterClose": r.close.data_after_close.iter().map(|l| json!({"direction": l.direction.as_str(), "frame": l.frame})).collect::<Vec<_>>(),
        }),
    );
    m.insert("notes".into(), json!(r.notes));
    m
}

fn list<T>(w: &mut dyn Write, items: &[Sided<T>], to_json: impl Fn(&T) -> Value) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, item) in items.iter().enumerate() {
        w.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *w, &stamp(item, to_json(&item.item)))?;
    }
    w.write_all(if items.is_empty() { b"]" } else { b"\n]" })
}

/// `--json`: the JS API's `Conversation` object, each item written as it is rendered.
pub fn write_json(w: &mut dyn Write, r: &ConversationResult) -> io::Result<()> {
    write_json_with(w, r, Map::new())
}

/// [`write_json`] with more members first (a capture's index, times and gaps).
pub fn write_json_with(
    w: &mut dyn Write,
    r: &ConversationResult,
    extra: Map<String, Value>,
) -> io::Result<()> {
    w.write_all(b"{\n")?;
    for (key, value) in extra.into_iter().chain(members(r)) {
        write!(w, "{}: ", Value::from(key))?;
        serde_json::to_writer(&mut *w, &value)?;
        w.write_all(b",\n")?;
    }
    w.write_all(b"\"frames\": ")?;
    list(w, &r.frames, frame)?;
    w.write_all(b",\n\"messages\": ")?;
    list(w, &r.messages, message)?;
    w.write_all(b",\n\"violations\": ")?;
    list(w, &r.violations, violation)?;
    w.write_all(b",\n\"notices\": ")?;
    list(w, &r.notices, notice)?;
    w.write_all(b"\n}\n")
}

/// `--jsonl`: a `conversation` line with everything but the items, then one line per
/// frame, message, violation and notice (`"type"` says which), in timeline order.
pub fn write_jsonl(w: &mut dyn Write, r: &ConversationResult) -> io::Result<()> {
    write_jsonl_with(w, r, Map::new())
}

/// [`write_jsonl`] with more members on the `conversation` line.
pub fn write_jsonl_with(
    w: &mut dyn Write,
    r: &ConversationResult,
    extra: Map<String, Value>,
) -> io::Result<()> {
    let mut line = |kind: &str, mut value: Value| -> io::Result<()> {
        if let Some(map) = value.as_object_mut() {
            map.insert("type".into(), kind.into());
        }
        serde_json::to_writer(&mut *w, &value)?;
        w.write_all(b"\n")
    };
    let mut head = extra;
    head.extend(members(r));
    line("conversation", Value::Object(head))?;
    for f in &r.frames {
        line("frame", stamp(f, frame(&f.item)))?;
    }
    for m in &r.messages {
        line("message", stamp(m, message(&m.item)))?;
    }
    for v in &r.violations {
        line("violation", stamp(v, violation(&v.item)))?;
    }
    for n in &r.notices {
        line("notice", stamp(n, notice(&n.item)))?;
    }
    Ok(())
}

/// Appends when a frame came: its time and packet number, what of them is known.
fn write_when<T>(out: &mut String, s: &Sided<T>) {
    use std::fmt::Write as _;
    if let Some(t) = s.time {
        let _ = write!(out, "{t:.6}");
    }
    match (s.time, s.packet) {
        (Some(_), Some(p)) => {
            out.push_str(" #");
            super::cells::push_u64(out, p);
        }
        (None, Some(p)) => {
            out.push('#');
            super::cells::push_u64(out, p);
        }
        (Some(_), None) => {}
        (None, None) => out.push('-'),
    }
}

fn head_line(w: &mut dyn Write, h: &Handshake) -> io::Result<()> {
    let line = match (&h.method, &h.path, h.status) {
        (Some(m), Some(p), _) => format!("request {m} {p}"),
        (_, _, Some(s)) => format!("response {s} {}", h.reason.as_deref().unwrap_or("")),
        _ => h.kind.as_str().to_string(),
    };
    write!(
        w,
        "{} ({}), {} bytes",
        line.trim_end(),
        h.generation.name(),
        h.head_length.unwrap_or(0)
    )?;
    let failures: Vec<_> = h.failures().collect();
    if let Some(e) = &h.error {
        writeln!(w, ": {}: {e}", e.id)
    } else if h.incomplete.is_some() {
        writeln!(w, ": the head never ended")
    } else if failures.is_empty() {
        writeln!(w, ": every check passed")
    } else {
        writeln!(w, ": {} check(s) failed", failures.len())?;
        for c in failures {
            writeln!(w, "  {}: {}", c.id, c.message)?;
        }
        Ok(())
    }
}

/// The readable report: the heads and what they agreed, then one table of both
/// directions (a direction column; time and packet when known).
pub fn write_table(w: &mut dyn Write, length: usize, r: &ConversationResult) -> io::Result<()> {
    writeln!(w, "input: {length} bytes, read as {}", r.format)?;
    if let (Some(c), Some(s)) = (&r.client, &r.server) {
        writeln!(w, "client {c}, server {s}")?;
    }
    for note in &r.notes {
        writeln!(w, "input note: {note}")?;
    }
    for h in [&r.request, &r.response].into_iter().flatten() {
        head_line(w, h)?;
    }
    if !r.pair_checks.is_empty() {
        let failed: Vec<_> = r.pair_checks.iter().filter(|c| !c.passed).collect();
        if failed.is_empty() {
            writeln!(w, "request and response agree: every pair check passed")?;
        } else {
            writeln!(
                w,
                "request and response: {} pair check(s) failed",
                failed.len()
            )?;
            for c in failed {
                writeln!(w, "  {}: {}", c.id, c.message)?;
            }
        }
    }
    writeln!(
        w,
        "agreed: extensions {}, subprotocol {}\n",
        r.extensions.as_deref().unwrap_or("none"),
        r.protocol.as_deref().unwrap_or("none")
    )?;
    if !r.frames.is_empty() {
        writeln!(
            w,
            "{:<6} {:>5} {:>8} {:>8} {:>18}  fin rsv  {:<16} {:<8}  payload",
            "dir", "frame", "offset", "length", "time/packet", "opcode", "mask"
        )?;
    }
    // Each line is made in one buffer and written at once: a capture has tens of thousands.
    let mut line = String::new();
    let mut cell = String::new();
    for s in &r.frames {
        let f = &s.item;
        line.clear();
        cell.clear();
        write_when(&mut cell, s);
        // "{:<6} {:>5} {:>8} {:>8} {:>18}  {}   {}{}{}  " (src/cli/cells.rs: without fmt).
        cells::push_left(&mut line, s.direction.as_str(), 6);
        line.push(' ');
        cells::push_u64_right(&mut line, f.index as u64, 5);
        line.push(' ');
        cells::push_u64_right(&mut line, f.offset, 8);
        line.push(' ');
        cells::push_u64_right(&mut line, f.length, 8);
        line.push(' ');
        cells::push_right(&mut line, &cell, 18);
        line.push_str(if f.fin { "  1   " } else { "  0   " });
        for bit in [f.rsv1, f.rsv2, f.rsv3] {
            line.push(if bit { '1' } else { '0' });
        }
        line.push_str("  ");
        // "0x{:x} {}", then "{cell:<16} ".
        cell.clear();
        cell.push_str("0x");
        cells::push_hex_u8(&mut cell, f.opcode);
        cell.push(' ');
        cell.push_str(f.kind.as_str());
        cells::push_left(&mut line, &cell, 16);
        line.push(' ');
        match f.masking_key {
            // "{:<8}  " of the key's 8 hex digits.
            Some(k) => {
                for b in k {
                    cells::push_hex_u8(&mut line, b >> 4);
                    cells::push_hex_u8(&mut line, b & 15);
                }
                line.push_str("  ");
            }
            None => line.push_str("-         "),
        }
        write_payload(&mut line, f);
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    if !r.messages.is_empty() {
        w.write_all(b"\nmessages\n")?;
    }
    for s in &r.messages {
        let m = &s.item;
        line.clear();
        // "{:<6} {:>5} {:<6} {} bytes" (src/cli/cells.rs: without fmt).
        cells::push_left(&mut line, s.direction.as_str(), 6);
        line.push(' ');
        cells::push_u64_right(&mut line, m.index as u64, 5);
        line.push(' ');
        cells::push_left(&mut line, m.kind.as_str(), 6);
        line.push(' ');
        cells::push_u64(&mut line, m.data.len() as u64);
        line.push_str(" bytes");
        if m.compressed {
            line.push_str(" (");
            cells::push_u64(&mut line, m.wire_length);
            line.push_str(" compressed)");
        }
        line.push_str(", frame ");
        for (i, frame) in m.frames.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            cells::push_u64(&mut line, *frame as u64);
        }
        if !m.complete {
            line.push_str(" (incomplete)");
        }
        line.push_str(": ");
        match m.text() {
            Some(t) => write_quote(&mut line, t),
            None => write_preview_hex(&mut line, &m.data),
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    if !r.violations.is_empty() {
        w.write_all(b"\nviolations\n")?;
    }
    for s in &r.violations {
        let v = &s.item;
        let frame = v.frame.map(|f| format!(", frame {f}")).unwrap_or_default();
        let close = v
            .close_code()
            .map(|c| format!(", close {c}"))
            .unwrap_or_default();
        let span = super::stream::span(v);
        writeln!(w, "  {} {}: {v}{span}{frame}{close}", s.direction, v.id)?;
    }
    for s in &r.notices {
        writeln!(w, "note ({}): {}", s.direction, s.item)?;
    }
    for s in &r.incomplete {
        writeln!(w, "{}: {}", s.direction, s.item)?;
    }
    match (&r.close.first, &r.close.reply) {
        (Some(first), reply) => {
            let code = |e: &CloseEvent| match (e.code, &e.reason) {
                (Some(c), Some(reason)) if !reason.is_empty() => format!("{c} {}", quote(reason)),
                (Some(c), _) => c.to_string(),
                (None, _) => "no code".into(),
            };
            write!(
                w,
                "close: the {} closed first ({})",
                first.direction,
                code(first)
            )?;
            match reply {
                Some(reply) => writeln!(w, ", the {} answered ({})", reply.direction, code(reply))?,
                None => writeln!(w, ", the {} never answered", first.direction.other())?,
            }
            if !r.close.data_after_close.is_empty() {
                writeln!(
                    w,
                    "  {} data frame(s) after the first close",
                    r.close.data_after_close.len()
                )?;
            }
        }
        (None, _) => writeln!(w, "close: no close frame")?,
    }
    writeln!(
        w,
        "\n{} frame(s), {} message(s), {} violation(s)",
        r.frames.len(),
        r.messages.len(),
        r.violations.len()
    )
}

/// Writes the conversation in the form asked for.
pub fn write(
    w: &mut dyn Write,
    length: usize,
    r: &ConversationResult,
    json: bool,
    jsonl: bool,
) -> io::Result<Outcome> {
    if jsonl {
        write_jsonl(w, r)?;
    } else if json {
        write_json(w, r)?;
    } else {
        write_table(w, length, r)?;
    }
    let failed = |h: &Option<Handshake>| {
        h.as_ref()
            .is_some_and(|h| h.error.is_some() || h.failures().next().is_some())
    };
    Ok(Outcome {
        violations: r.violations.len(),
        head_failed: failed(&r.request)
            || failed(&r.response)
            || r.pair_checks.iter().any(|c| !c.passed),
    })
}
