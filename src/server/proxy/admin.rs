//! The proxy's own endpoints, on its listener, for requests without an Upgrade header
//! (every WebSocket request is relayed, whatever its path):
//!
//! - `GET /proxy/connections`: each connection kept (id, client, upstream, path, start,
//!   state and why it closed, bytes and frames each way), JSON;
//! - `GET /proxy/connections/ID`: the same for one, with its chunks in order (direction,
//!   time, bytes in base64) and what the conversation model makes of them;
//!   `?from=N`: only chunks N.. (a page following a live connection), undecoded;
//! - `GET /proxy/connections/ID.pcapng`: the connection as a pcapng capture;
//! - `POST /proxy/connections/ID/inject`: bytes injected into a live connection
//!   ([`inject`]); injected chunks carry `"injected": true`.
//!
//! They answer only a Host that is an IP address or `localhost` (see [`local_host`]), and
//! send no CORS header: a page on another origin cannot read the recordings.

use base64::Engine;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use wsinspect::{decode_transcript, ConversationOptions, Direction};

use super::super::reply;
use super::super::request::query_param;
use super::inject;
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

/// What a request asks for: a response made from the head alone, or an injection whose
/// body is still to be read.
enum Routed {
    Reply(Vec<u8>),
    Inject {
        id: String,
        content_length: Option<usize>,
    },
}

/// Serves one admin request (its head, and `rest`: what arrived after the head) and closes.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    head: &[u8],
    rest: &[u8],
    registry: &Registry,
) {
    let answer = match answer(head, registry) {
        Routed::Reply(answer) => answer,
        Routed::Inject { id, content_length } => {
            inject::answer(stream, &id, content_length, rest, registry).await
        }
    };
    reply::refuse(stream, &answer).await;
}

/// The request's Host header value ("" when absent or not UTF-8).
pub(super) fn host<'a>(request: &httparse::Request<'_, 'a>) -> &'a str {
    request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("host"))
        .and_then(|h| std::str::from_utf8(h.value).ok())
        .unwrap_or("")
}

/// Whether a Host value names this machine by address or as `localhost`.
///
/// A web page cannot read another origin's responses, but DNS rebinding can point a name
/// it controls at 127.0.0.1; requiring an IP literal or `localhost` in Host shuts that out
/// of the recordings (the same defence as Jupyter's and webpack-dev-server's host checks).
pub(super) fn local_host(host: &str) -> bool {
    let name = if let Some(v6) = host.strip_prefix('[') {
        v6.split_once(']').map_or("", |(name, _port)| name)
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

fn answer(head: &[u8], registry: &Registry) -> Routed {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    if request.parse(head).is_err() {
        return Routed::Reply(reply::bad_request(
            "the request head is not HTTP/1.1 (RFC 7230 §3)",
        ));
    }
    if !local_host(host(&request)) {
        return Routed::Reply(reply::refusal(
            403,
            "Forbidden",
            &[],
            "the proxy's endpoints answer a Host that is an IP address or localhost only\n",
        ));
    }
    let (method, target) = (request.method.unwrap_or(""), request.path.unwrap_or(""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let inject_id = path
        .strip_prefix("/proxy/connections/")
        .and_then(|rest| rest.strip_suffix("/inject"));
    if let Some(id) = inject_id {
        if method != "POST" {
            return Routed::Reply(reply::refusal(
                405,
                "Method Not Allowed",
                &[("Allow", "POST")],
                "injection is POST /proxy/connections/ID/inject with a JSON body\n",
            ));
        }
        let content_length = request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-length"))
            .and_then(|h| std::str::from_utf8(h.value).ok())
            .and_then(|v| v.trim().parse().ok());
        return Routed::Inject {
            id: id.to_owned(),
            content_length,
        };
    }
    Routed::Reply(answer_get(method, path, query, registry))
}

/// The answer to a request for anything but injection.
fn answer_get(method: &str, path: &str, query: &str, registry: &Registry) -> Vec<u8> {
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
    match query_param(query, "from") {
        None => json_response(&detail(&record)),
        Some(from) => match from.parse::<usize>() {
            Ok(from) => json_response(&chunks_from(&record, from)),
            Err(_) => reply::bad_request("from=N: N is the index of the first chunk wanted"),
        },
    }
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

/// Chunks `from..` in order: `{direction, time, base64}` each.
fn chunk_values(record: &Record, from: usize) -> Vec<Value> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let inner = record.lock();
    inner
        .chunks
        .iter()
        .skip(from)
        .map(|c| {
            json!({
                "direction": c.direction.as_str(),
                "time": c.time,
                "base64": b64.encode(&c.bytes),
                "injected": c.injected,
            })
        })
        .collect()
}

/// `?from=N`, for a page following a live connection: its line in the listing, the chunks
/// from index N on (`from` says which index the first is; `next` is the N to ask for next
/// time), without decoding.
fn chunks_from(record: &Record, from: usize) -> Value {
    let mut value = summary(record);
    let chunks = chunk_values(record, from);
    value["from"] = json!(from);
    value["next"] = json!(from + chunks.len());
    value["chunks"] = Value::Array(chunks);
    value
}

/// A connection with all its chunks and the conversation model's reading of them.
fn detail(record: &Record) -> Value {
    let mut value = summary(record);
    let chunks = chunk_values(record, 0);
    let decoded = decode_transcript(&transcript(record), &ConversationOptions::default());
    let count = |d: Direction| decoded.frames.iter().filter(|f| f.direction == d).count();
    let violations: Vec<Value> = decoded
        .violations
        .iter()
        .map(|v| {
            json!({
                "direction": v.direction.as_str(),
                "id": v.item.id.as_str(),
                "offset": v.item.offset,
                "message": v.item.message,
            })
        })
        .collect();
    value["next"] = json!(chunks.len());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_and_localhost_are_local_hosts() {
        for host in [
            "127.0.0.1:8081",
            "localhost:8081",
            "LOCALHOST",
            "[::1]:8081",
            "10.0.0.2",
        ] {
            assert!(local_host(host), "{host}");
        }
        for host in ["", "evil.example:8081", "127.0.0.1.nip.io", "[::1"] {
            assert!(!local_host(host), "{host}");
        }
    }
}
