//! Injection into a live proxied connection, asked from the page:
//! `POST /proxy/connections/ID/inject` with a JSON body
//!
//! ```text
//! {"toward": "client"|"upstream", "action": "ping", "data"?: "payload"}
//! {"toward": ..., "action": "close", "code"?: 4000, "reason"?: "bye"}
//! {"toward": ..., "action": "text", "data": "hello"}
//! {"toward": ..., "action": "binary", "data": "AAEC"}          (data in base64)
//! {"toward": ..., "action": "broken", "violation": "reserved-opcode"}
//! ```
//!
//! The body is checked by the tap's own action parser and limits ([`actions`]); broken
//! frames are the server's ([`broken`]). Toward the upstream every frame is masked with a
//! fresh key from the operating system, as a client's must be (RFC 6455 §5.3); toward the
//! client frames go unmasked, as a server's. Data messages go uncompressed (RSV1 clear),
//! which stays valid under permessage-deflate (RFC 7692 §6: a message may be sent
//! uncompressed). The bytes are queued for the relay ([`super::relay`]), which writes them
//! at a frame boundary of that direction and records them marked as injected.
//!
//! [`actions`]: super::super::actions
//! [`broken`]: super::super::broken

use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;
use wsinspect::encode::{encode_frame, FrameSpec};
use wsinspect::{Direction, ViolationId};

use super::super::actions::{self, Action};
use super::super::broken;
use super::super::reply;
use super::record::Registry;

/// Injections waiting for the relay, per direction; more are refused with 503.
pub const QUEUE: usize = 16;
/// Largest request body read (a 1 MiB message in base64 or JSON-escaped text fits).
pub const MAX_BODY: usize = 8 << 20;
/// How long the body may take to arrive.
const BODY_TIME: Duration = Duration::from_secs(10);

/// Bytes to write into one direction of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injection {
    pub bytes: Vec<u8>,
    /// A data message (text or binary): it waits until no fragmented message of that
    /// direction is open; control frames and broken frames go at the next frame boundary.
    pub data: bool,
}

/// The relay's queues, indexed by the direction the bytes join (`Direction::Client`: the
/// client's stream, toward the upstream).
pub type Senders = [mpsc::Sender<Injection>; 2];
/// The relay's ends of [`Senders`].
pub type Receivers = [mpsc::Receiver<Injection>; 2];

/// A pair of queues for one connection's relay.
pub fn channels() -> (Senders, Receivers) {
    let (up_tx, up_rx) = mpsc::channel(QUEUE);
    let (down_tx, down_rx) = mpsc::channel(QUEUE);
    ([up_tx, down_tx], [up_rx, down_rx])
}

/// A fresh masking key (RFC 6455 §5.3: "derived from a strong source of entropy").
fn masking_key() -> [u8; 4] {
    let mut key = [0u8; 4];
    if getrandom::getrandom(&mut key).is_err() {
        // No entropy: a key from the clock still masks (the rule is that it be present).
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0x5a5a_5a5a);
        key = nanos.to_be_bytes();
    }
    key
}

/// One frame in the direction's form: masked toward the upstream, plain toward the client.
fn frame(mut spec: FrameSpec, toward: Direction) -> Vec<u8> {
    if toward == Direction::Client {
        spec = spec.masked(masking_key());
    }
    encode_frame(&spec)
}

/// Masks every frame of unmasked frame bytes, each with a fresh key: a server's broken
/// frames made into a client's. A frame declaring more payload than follows has what
/// follows masked.
fn mask_frames(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    while bytes.len() >= 2 {
        let extra = match bytes[1] & 0x7f {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let header = (2 + extra).min(bytes.len());
        let declared = match extra {
            2 if header == 4 => u64::from(u16::from_be_bytes([bytes[2], bytes[3]])),
            8 if header == 10 => u64::from_be_bytes(bytes[2..10].try_into().unwrap_or_default()),
            _ => u64::from(bytes[1] & 0x7f),
        };
        out.push(bytes[0]);
        out.push(bytes[1] | 0x80);
        out.extend_from_slice(&bytes[2..header]);
        let key = masking_key();
        out.extend_from_slice(&key);
        let rest = &bytes[header..];
        let len = rest
            .len()
            .min(usize::try_from(declared).unwrap_or(usize::MAX));
        out.extend(rest[..len].iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        bytes = &rest[len..];
    }
    out.extend_from_slice(bytes);
    out
}

/// The broken frames for `name` in the direction's form.
fn broken_frames(name: &str, toward: Direction, deflate: bool) -> Result<Vec<u8>, String> {
    if toward == Direction::Server {
        return broken::frames(name, deflate).map(|b| b.bytes);
    }
    // Toward the upstream the proxy speaks as a client: its frames are masked, so an
    // unmasked frame is the violation and a masked one is none.
    match ViolationId::from_name(name) {
        Some(ViolationId::UnmaskedClientFrame) => Ok(encode_frame(&FrameSpec::text("unmasked"))),
        Some(ViolationId::MaskedServerFrame) => Err(
            "masked-server-frame is a server's rule: toward the upstream the proxy speaks as a \
             client, whose frames are masked (use unmasked-client-frame)"
                .into(),
        ),
        _ => broken::frames(name, deflate).map(|b| mask_frames(&b.bytes)),
    }
}

/// What a request body asks for: the direction the bytes join and the bytes.
pub fn parse(body: &[u8], deflate: bool) -> Result<(Direction, Injection), String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let toward = match value.get("toward").and_then(Value::as_str) {
        Some("client") => Direction::Server,
        Some("upstream") => Direction::Client,
        Some(other) => {
            return Err(format!(
                "\"toward\" is \"client\" or \"upstream\", not {other:?}"
            ))
        }
        None => return Err("missing \"toward\" (\"client\" or \"upstream\")".into()),
    };
    let name = value
        .get("action")
        .and_then(Value::as_str)
        .ok_or("missing \"action\" (ping, close, text, binary or broken)")?;
    let string = |field: &str| -> Result<Option<Value>, String> {
        match value.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(Value::from(s.as_str()))),
            Some(_) => Err(format!("\"{field}\" must be a string")),
        }
    };
    // The tap's command for the same thing, so its parser's checks and limits apply.
    let command = match name {
        "ping" => json!({ "action": "ping", "payload": string("data")? }),
        "text" => {
            json!({ "action": "send", "text": string("data")?.ok_or("missing \"data\" (the text)")? })
        }
        "binary" => {
            json!({ "action": "send", "base64": string("data")?.ok_or("missing \"data\" (the bytes in base64)")? })
        }
        "close" => {
            json!({ "action": "close", "code": value.get("code"), "reason": string("reason")? })
        }
        "broken" => json!({ "action": "violation", "violation": string("violation")? }),
        other => {
            return Err(format!(
                "unknown action {other:?}: one of ping, close, text, binary, broken"
            ))
        }
    };
    let action = actions::parse(&command.to_string())
        .map_err(|(_, e)| e)?
        .action;
    let injection = match action {
        Action::Ping(payload) => Injection {
            bytes: frame(FrameSpec::ping(payload), toward),
            data: false,
        },
        Action::Send { text, data } => {
            let spec = if text {
                FrameSpec::new(0x1, data)
            } else {
                FrameSpec::binary(data)
            };
            Injection {
                bytes: frame(spec, toward),
                data: true,
            }
        }
        Action::Close { code, reason } => {
            let spec = match code {
                Some(code) => FrameSpec::close(code, &reason),
                None => FrameSpec::close_empty(),
            };
            Injection {
                bytes: frame(spec, toward),
                data: false,
            }
        }
        Action::Violation(id) => Injection {
            bytes: broken_frames(&id, toward, deflate)?,
            data: false,
        },
        // The body's actions never become these.
        Action::Fragmented { .. } => return Err("fragmented messages are not injected".into()),
    };
    Ok((toward, injection))
}

/// Whether the upstream's 101 accepted permessage-deflate, from the recorded response head.
fn deflate_negotiated(registry_record: &super::record::Record) -> bool {
    let inner = registry_record.lock();
    let mut head = Vec::new();
    for chunk in inner
        .chunks
        .iter()
        .filter(|c| c.direction == Direction::Server)
    {
        head.extend_from_slice(&chunk.bytes);
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.len() > 64 * 1024 {
            break;
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    response.parse(&head).is_ok()
        && response.headers.iter().any(|h| {
            h.name.eq_ignore_ascii_case("sec-websocket-extensions")
                && String::from_utf8_lossy(h.value)
                    .to_ascii_lowercase()
                    .contains("permessage-deflate")
        })
}

/// Reads the rest of a body of `length` bytes after `already` (what came with the head).
async fn read_body<S: AsyncRead + Unpin>(
    stream: &mut S,
    already: &[u8],
    length: usize,
) -> Option<Vec<u8>> {
    let mut body = already[..already.len().min(length)].to_vec();
    let start = body.len();
    body.resize(length, 0);
    tokio::time::timeout(BODY_TIME, stream.read_exact(&mut body[start..]))
        .await
        .ok()?
        .ok()?;
    Some(body)
}

fn json_answer(status: &str, value: &Value) -> Vec<u8> {
    let body = value.to_string();
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Answers `POST /proxy/connections/ID/inject` (the Host already checked): 202 with the
/// bytes' length once they are queued, 404 when the connection is unknown or not relaying,
/// 400 for a bad body, 409 before the upstream's 101 has passed (or after a refusal), 503
/// when its queue is full.
pub async fn answer<S: AsyncRead + Unpin>(
    stream: &mut S,
    id: &str,
    content_length: Option<usize>,
    already: &[u8],
    registry: &Registry,
) -> Vec<u8> {
    let Some(length) = content_length else {
        return reply::refusal(
            411,
            "Length Required",
            &[],
            "an injection's JSON body needs a Content-Length\n",
        );
    };
    if length > MAX_BODY {
        return reply::refusal(
            413,
            "Content Too Large",
            &[],
            &format!("an injection's body is at most {MAX_BODY} bytes\n"),
        );
    }
    let Some(body) = read_body(stream, already, length).await else {
        return reply::bad_request("the body did not arrive in full");
    };
    let record = id.parse::<u64>().ok().and_then(|id| registry.get(id));
    let senders = record.as_ref().and_then(|r| r.lock().inject.clone());
    let (Some(record), Some(senders)) = (record, senders) else {
        return reply::not_found(&format!(
            "no open connection {id} to inject into (GET /proxy/connections lists them)"
        ));
    };
    if !record.lock().frames[Direction::Server.index()].framing() {
        return reply::refusal(
            409,
            "Conflict",
            &[],
            &format!("connection {id} has no WebSocket yet: the upstream's 101 has not passed\n"),
        );
    }
    let (toward, injection) = match parse(&body, deflate_negotiated(&record)) {
        Ok(parsed) => parsed,
        Err(why) => return reply::bad_request(&why),
    };
    let length = injection.bytes.len();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&injection.bytes);
    match senders[toward.index()].try_send(injection) {
        Ok(()) => json_answer(
            "202 Accepted",
            &json!({
                "id": record.id,
                "toward": if toward == Direction::Client { "upstream" } else { "client" },
                "bytes": length,
                "base64": b64,
            }),
        ),
        Err(mpsc::error::TrySendError::Full(_)) => reply::unavailable(&format!(
            "{QUEUE} injections already wait for a frame boundary in that direction"
        )),
        Err(mpsc::error::TrySendError::Closed(_)) => {
            reply::not_found(&format!("connection {id} is no longer relaying that way"))
        }
    }
}

#[cfg(test)]
mod tests {
    use wsinspect::{decode, DecodeOptions, Protocol, Role};

    use super::*;

    #[test]
    fn deflate_is_read_from_the_upstream_s_101() {
        let registry = Registry::new(1 << 16, 8, 1 << 16);
        let opening = || super::super::record::Opening {
            client: "127.0.0.1:1".parse().unwrap(),
            upstream: "ws://a/".into(),
            path: "/".into(),
            upstream_path: "/".into(),
        };
        let with = registry.open(opening());
        with.add(Direction::Client, b"GET / HTTP/1.1\r\n\r\n");
        with.add(Direction::Server, b"HTTP/1.1 101 Switching Protocols\r\n");
        with.add(
            Direction::Server,
            b"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n",
        );
        assert!(deflate_negotiated(&with));
        let without = registry.open(opening());
        without.add(
            Direction::Server,
            b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
        );
        assert!(!deflate_negotiated(&without));
    }

    fn parsed(body: &str) -> Result<(Direction, Injection), String> {
        parse(body.as_bytes(), false)
    }

    #[test]
    fn toward_the_client_unmasked_toward_the_upstream_masked() {
        let (d, inj) = parsed(r#"{"toward":"client","action":"text","data":"Hello"}"#).unwrap();
        assert_eq!(d, Direction::Server);
        assert_eq!(inj.bytes, [0x81, 0x05, b'H', b'e', b'l', b'l', b'o']);
        assert!(inj.data);
        let (d, inj) = parsed(r#"{"toward":"upstream","action":"text","data":"Hello"}"#).unwrap();
        assert_eq!(d, Direction::Client);
        assert_eq!(&inj.bytes[..2], [0x81, 0x85]);
        let key = &inj.bytes[2..6];
        let plain: Vec<u8> = inj.bytes[6..]
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ key[i % 4])
            .collect();
        assert_eq!(plain, b"Hello");
        let (_, inj) = parsed(r#"{"toward":"client","action":"binary","data":"AAEC"}"#).unwrap();
        assert_eq!(inj.bytes, [0x82, 0x03, 0, 1, 2]);
        let (_, inj) =
            parsed(r#"{"toward":"client","action":"close","code":4001,"reason":"x"}"#).unwrap();
        assert_eq!(inj.bytes, [0x88, 0x03, 0x0f, 0xa1, b'x']);
        assert!(!inj.data);
        let (_, inj) = parsed(r#"{"toward":"client","action":"ping","data":"hi"}"#).unwrap();
        assert_eq!(inj.bytes, [0x89, 0x02, b'h', b'i']);
    }

    /// Every violation the server can commit, masked toward the upstream, still breaks its
    /// rule for a server reading it (and breaks no masking rule).
    #[test]
    fn broken_frames_toward_the_upstream_break_their_rule_for_a_server() {
        for id in broken::violations() {
            if id == ViolationId::MaskedServerFrame {
                continue;
            }
            let deflate = matches!(id, ViolationId::InvalidRsv1 | ViolationId::InflateFailed);
            let bytes = broken_frames(id.as_str(), Direction::Client, deflate).unwrap();
            let options = DecodeOptions {
                role: Role::Client,
                protocol: Protocol::Rfc6455,
                extensions: deflate.then(|| "permessage-deflate".to_owned()),
                max_message_size: None,
                ..DecodeOptions::default()
            };
            let out = decode(&bytes, options).unwrap();
            let ids: Vec<ViolationId> = out.violations.iter().map(|v| v.id).collect();
            assert!(ids.contains(&id), "{id}: {ids:?}");
            assert!(
                !ids.contains(&ViolationId::UnmaskedClientFrame),
                "{id}: {ids:?}"
            );
        }
        let bytes = broken_frames("unmasked-client-frame", Direction::Client, false).unwrap();
        assert_eq!(bytes[1] & 0x80, 0);
        assert!(broken_frames("masked-server-frame", Direction::Client, false).is_err());
    }

    #[test]
    fn bad_bodies_say_why() {
        for (body, says) in [
            ("nope", "not JSON"),
            (r#"{"action":"ping"}"#, "missing \"toward\""),
            (
                r#"{"toward":"left","action":"ping"}"#,
                "\"client\" or \"upstream\"",
            ),
            (r#"{"toward":"client"}"#, "missing \"action\""),
            (r#"{"toward":"client","action":"dance"}"#, "unknown action"),
            (r#"{"toward":"client","action":"text"}"#, "missing \"data\""),
            (
                r#"{"toward":"client","action":"text","data":5}"#,
                "must be a string",
            ),
            (
                r#"{"toward":"client","action":"binary","data":"!!"}"#,
                "not base64",
            ),
            (
                r#"{"toward":"client","action":"close","code":1005}"#,
                "not valid on the wire",
            ),
            (
                r#"{"toward":"client","action":"close","reason":"x"}"#,
                "needs a code",
            ),
            (
                r#"{"toward":"client","action":"broken"}"#,
                "missing \"violation\"",
            ),
            (
                r#"{"toward":"client","action":"broken","violation":"nope"}"#,
                "unknown violation",
            ),
        ] {
            let err = parsed(body).unwrap_err();
            assert!(err.contains(says), "{body}: {err}");
        }
        let long = "x".repeat(126);
        let err = parsed(&format!(
            r#"{{"toward":"client","action":"ping","data":"{long}"}}"#
        ))
        .unwrap_err();
        assert!(err.contains("over 125"), "{err}");
    }
}
