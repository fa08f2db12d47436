//! The proxy's own endpoints, on its listener, for requests without an Upgrade header
//! (every WebSocket request is relayed, whatever its path):
//!
//! - `GET /proxy/connections`: each connection kept (id, client, upstream, path, start,
//!   state and why it closed, bytes and frames each way), JSON;
//! - `GET /proxy/connections/ID`: the same for one, with its chunks in order (direction,
//!   time, bytes in base64) and what the conversation model makes of them;
//! - `GET /proxy/connections/ID.pcapng`: the connection as a pcapng capture.

use base64::Engine;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use wsinspect::{decode_transcript, ConversationOptions, Direction};

use super::super::reply;
use super::record::{Record, Registry, State};
use super::save::transcript;

/// Whether a request path is the proxy's own.
pub fn is_admin_path(path: &str) -> bool {
    path == "/proxy" || path.starts_with("/proxy/")
}

/// A complete response that closes the connection.
fn response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn json_response(value: &Value) -> Vec<u8> {
    response("200 OK", "application/json", value.to_string().as_bytes())
}

/// Serves one admin request and closes.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    method: &str,
    path: &str,
    registry: &Registry,
) {
    let answer = answer(method, path, registry);
    reply::refuse(stream, &answer).await;
}

fn answer(method: &str, path: &str, registry: &Registry) -> Vec<u8> {
    if method != "GET" {
        return reply::refusal(
            405,
            "Method Not Allowed",
            &[("Allow", "GET")],
            "the proxy's endpoints answer GET only\n",
        );
    }
    if path == "/proxy/connections" {
        let list: Vec<Value> = registry.list().iter().map(|r| summary(r)).collect();
        let open = list.iter().filter(|c| c["state"] == "open").count();
        return json_response(&json!({ "open": open, "connections": list }));
    }
    let not_found = || {
        reply::not_found(&format!(
            "{path}: no such endpoint or connection (GET /proxy/connections lists them)"
        ))
    };
    let Some(rest) = path.strip_prefix("/proxy/connections/") else {
        return not_found();
    };
    let (id, pcapng) = match rest.strip_suffix(".pcapng") {
        Some(id) => (id, true),
        None => (rest, false),
    };
    let Some(record) = id.parse::<u64>().ok().and_then(|id| registry.get(id)) else {
        return not_found();
    };
    if pcapng {
        let bytes = wsinspect::capture::write_pcapng(&transcript(&record));
        return response("200 OK", "application/vnd.tcpdump.pcap", &bytes);
    }
    json_response(&detail(&record))
}

fn direction_name(direction: Direction) -> &'static str {
    direction.as_str()
}

/// A connection's line in the listing.
fn summary(record: &Record) -> Value {
    let inner = record.lock();
    let (state, reason) = match &inner.state {
        State::Open => ("open", None),
        State::Closed(why) => ("closed", Some(why.clone())),
    };
    json!({
        "id": record.id,
        "client": record.client.to_string(),
        "upstream": record.upstream,
        "upstreamAddress": inner.upstream_addr.map(|a| a.to_string()),
        "path": record.path,
        "upstreamPath": record.upstream_path,
        "start": record.start,
        "end": inner.end,
        "state": state,
        "reason": reason,
        "bytes": { "client": inner.bytes[0], "server": inner.bytes[1] },
        "frames": { "client": inner.frames[0].frames, "server": inner.frames[1].frames },
        "recorded": inner.recorded,
        "truncated": inner.truncated,
    })
}

/// A connection with its chunks and the conversation model's reading of them.
fn detail(record: &Record) -> Value {
    let mut value = summary(record);
    let b64 = base64::engine::general_purpose::STANDARD;
    let chunks: Vec<Value> = record
        .lock()
        .chunks
        .iter()
        .map(|c| {
            json!({
                "direction": direction_name(c.direction),
                "time": c.time,
                "base64": b64.encode(&c.bytes),
            })
        })
        .collect();
    let decoded = decode_transcript(&transcript(record), &ConversationOptions::default());
    let count = |d: Direction| decoded.frames.iter().filter(|f| f.direction == d).count();
    let violations: Vec<Value> = decoded
        .violations
        .iter()
        .map(|v| {
            json!({
                "direction": direction_name(v.direction),
                "id": v.item.id.as_str(),
                "offset": v.item.offset,
                "message": v.item.message,
            })
        })
        .collect();
    value["chunks"] = Value::Array(chunks);
    value["decoded"] = json!({
        "handshake": decoded.pair_checks.iter().all(|c| c.passed) && decoded.response.is_some(),
        "extensions": decoded.extensions,
        "protocol": decoded.protocol,
        "frames": { "client": count(Direction::Client), "server": count(Direction::Server) },
        "messages": decoded.messages.len(),
        "violations": violations,
    });
    value
}
