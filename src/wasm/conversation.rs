//! The conversation's binding: both directions in, one timeline of plain JS objects out.
//! Frames, messages and violations are `decode()`'s objects plus `direction`, `time` and
//! `packet`.

use super::decode::{frame_to_js, incomplete_to_js, message_to_js, notice_to_js, violation_to_js};
use super::js::{array, bytes, error, get, get_uint, num, or_null, Obj};
use super::{check_to_js, handshake_to_js};
use crate::{
    CloseEvent, CloseSummary, ConversationOptions, ConversationOutput, ConversationResult,
    Direction, Endpoint, Sided,
};
use wasm_bindgen::prelude::*;

/// Reads `{ maxMessageSize }`.
pub fn options_from_js(options: &JsValue) -> Result<ConversationOptions, JsValue> {
    Ok(ConversationOptions {
        max_message_size: get_uint(options, "maxMessageSize", u64::MAX >> 11)?,
        ..ConversationOptions::default()
    })
}

/// Reads `{ time, packet }` of a chunk.
pub fn meta_from_js(meta: &JsValue) -> Result<crate::ChunkMeta, JsValue> {
    let time = match get(meta, "time") {
        None => None,
        Some(t) => Some(
            t.as_f64()
                .filter(|t| t.is_finite())
                .ok_or_else(|| error("time must be a finite number of seconds", &[]))?,
        ),
    };
    Ok(crate::ChunkMeta {
        time,
        packet: get_uint(meta, "packet", u64::MAX >> 11)?,
    })
}

pub fn direction_from_js(direction: &str) -> Result<Direction, JsValue> {
    Direction::from_name(direction).ok_or_else(|| {
        error(
            &format!("direction must be \"client\" or \"server\", got {direction:?}"),
            &[],
        )
    })
}

// `direction`, `time` and `packet` go onto an item's object in one call: three property
// sets from wasm, each with its key made a JS string, were the largest part of the binding
// in a V8 profile of a capture's reading (Reflect.set alone 6.5% of the time, 3.1% after).
#[wasm_bindgen(inline_js = r#"
export function stamp(object, server, time, packet) {
  object.direction = server ? "server" : "client";
  object.time = time ?? null;
  object.packet = packet ?? null;
  return object;
}
"#)]
extern "C" {
    fn stamp(object: JsValue, server: bool, time: Option<f64>, packet: Option<f64>) -> JsValue;
}

/// Sets `direction`, `time` and `packet` on an item's object.
fn stamped<T>(s: &Sided<T>, object: JsValue) -> JsValue {
    stamp(
        object,
        s.direction == Direction::Server,
        s.time,
        s.packet.map(|p| p as f64),
    )
}

pub fn endpoint_to_js(e: &Endpoint) -> JsValue {
    Obj::new()
        .set("address", e.address.as_str())
        .set("port", e.port)
        .into()
}

fn close_event_to_js(e: &CloseEvent) -> JsValue {
    Obj::new()
        .set("direction", e.direction.as_str())
        .set("frame", e.frame as u32)
        .set("offset", num(e.offset))
        .set("code", or_null(e.code))
        .set("reason", or_null(e.reason.as_deref()))
        .set("time", or_null(e.time))
        .set("packet", or_null(e.packet.map(num)))
        .into()
}

fn close_to_js(c: &CloseSummary) -> JsValue {
    Obj::new()
        .set("first", or_null(c.first.as_ref().map(close_event_to_js)))
        .set("reply", or_null(c.reply.as_ref().map(close_event_to_js)))
        .set(
            "dataAfterClose",
            array(&c.data_after_close, |l| {
                Obj::new()
                    .set("direction", l.direction.as_str())
                    .set("frame", l.frame as u32)
                    .into()
            }),
        )
        .into()
}

/// The pieces both the one-shot result and a push's part have.
fn parts(out: &ConversationOutput) -> Obj {
    // A message of one uncompressed frame shares its frame's payload, as in `decode()`:
    // the same range of the same buffer (comparing the bytes instead was 2.9% of a V8
    // profile of a capture's reading).
    let payloads: Vec<JsValue> = out.frames.iter().map(|f| bytes(&f.item.payload)).collect();
    let frames = array(out.frames.iter().zip(&payloads), |(f, p)| {
        stamped(f, frame_to_js(&f.item, p.clone()))
    });
    // Each direction's frames have consecutive indices: a frame is found by its index.
    let mut of_direction: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (at, f) in out.frames.iter().enumerate() {
        of_direction[f.direction.index()].push(at);
    }
    let messages = array(&out.messages, |m| {
        let shared = match (m.item.compressed, &m.item.frames[..]) {
            (false, &[only]) => {
                let mine = &of_direction[m.direction.index()];
                mine.first()
                    .and_then(|&first| only.checked_sub(out.frames[first].item.index))
                    .and_then(|i| mine.get(i).copied())
                    .filter(|&at| {
                        let f = &out.frames[at].item;
                        f.index == only && f.payload.is_same(&m.item.data)
                    })
                    .map(|at| payloads[at].clone())
            }
            _ => None,
        };
        let data = shared.unwrap_or_else(|| bytes(&m.item.data));
        stamped(m, message_to_js(&m.item, data))
    });
    let notices = array(&out.notices, |n| stamped(n, notice_to_js(&n.item)));
    let incomplete = |d: Direction| {
        or_null(
            out.incomplete
                .iter()
                .find(|i| i.direction == d)
                .map(|i| stamped(i, incomplete_to_js(&i.item))),
        )
    };
    Obj::new()
        .set(
            "request",
            or_null(out.request.as_ref().map(handshake_to_js)),
        )
        .set(
            "response",
            or_null(out.response.as_ref().map(handshake_to_js)),
        )
        .set("pairChecks", array(&out.pair_checks, check_to_js))
        .set("frames", frames)
        .set("messages", messages)
        .set(
            "violations",
            array(&out.violations, |v| stamped(v, violation_to_js(&v.item))),
        )
        .set("notices", notices)
        .set(
            "incomplete",
            Obj::new()
                .set("client", incomplete(Direction::Client))
                .set("server", incomplete(Direction::Server)),
        )
}

/// The whole conversation as the API's object.
pub fn result_to_js(r: ConversationResult) -> JsValue {
    let out = ConversationOutput {
        request: r.request,
        response: r.response,
        pair_checks: r.pair_checks,
        frames: r.frames,
        messages: r.messages,
        violations: r.violations,
        notices: r.notices,
        incomplete: r.incomplete,
    };
    parts(&out)
        .set("format", r.format.as_str())
        .set("client", or_null(r.client.as_ref().map(endpoint_to_js)))
        .set("server", or_null(r.server.as_ref().map(endpoint_to_js)))
        .set("extensions", or_null(r.extensions.as_deref()))
        .set("protocol", or_null(r.protocol.as_deref()))
        .set("close", close_to_js(&r.close))
        .set("notes", array(&r.notes, |n| JsValue::from(n.as_str())))
        .set(
            "streams",
            Obj::new()
                .set("client", bytes(&r.streams[0]))
                .set("server", bytes(&r.streams[1])),
        )
        .into()
}

/// What one push (or `end`) completed, with what is agreed so far.
pub fn part_to_js(out: &ConversationOutput, c: &crate::Conversation) -> JsValue {
    parts(out)
        .set("extensions", or_null(c.extensions()))
        .set("protocol", or_null(c.protocol()))
        .set("close", close_to_js(c.close()))
        .into()
}
