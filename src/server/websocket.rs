//! A request to `/echo` or `/tap`: join the tap session it names, finish reading the
//! handshake (a hixie-76 client sends 8 key bytes after its head), answer it through the
//! core's parser and checks ([`super::negotiate`]), then run the endpoint.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::timeout_at;
use wsinspect::handshake::parse_handshake_with_max;
use wsinspect::{Generation, HandshakeKind, Protocol};

use super::actions::ActionRequest;
use super::head::Head;
use super::negotiate::{answer, Answer};
use super::request::query_param;
use super::sessions::{is_session_id, Dir, TapSink};
use super::socket::Socket;
use super::state::State;
use super::{echo, hixie, reply, tap};

/// Bytes a hixie-76 client sends after its head (draft-hixie-76 §4.1: "key3").
const HIXIE76_KEY3: usize = HandshakeKind::Request.hixie76_trailing_len();
/// Largest message a tap may send (actions carry at most 1 MiB, base64 inflates it by 4/3).
const TAP_MAX_MESSAGE: usize = 2 * 1024 * 1024;

/// Serves a WebSocket request whose head has been read.
pub async fn serve(
    mut stream: TcpStream,
    peer: SocketAddr,
    mut head: Head,
    (path, query): (String, String),
    state: Arc<State>,
    deadline: tokio::time::Instant,
) {
    // A subject connection joins its tap before anything else, so the tap sees the request
    // exactly as it arrived, read by read.
    let mut joined: Option<(TapSink, mpsc::Receiver<ActionRequest>)> = None;
    if path == "/echo" {
        if let Some(id) = query_param(&query, "session") {
            match is_session_id(id).then(|| state.sessions.get(id)).flatten() {
                Some(session) => joined = Some(session.join()),
                None => {
                    let body = "unknown-session: no tap session has this id; open /tap first and use the id it sends";
                    return reply::refuse(&mut stream, &reply::not_found(body)).await;
                }
            }
        }
    }
    let (mut tap, actions) = match joined {
        Some((tap, actions)) => (Some(tap), Some(actions)),
        None => (None, None),
    };
    let target = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{query}")
    };
    if let Some(tap) = &mut tap {
        let began = head.chunks.first().map_or_else(Instant::now, |c| c.at);
        tap.open(began, peer.to_string(), target.clone()).await;
        for chunk in &head.chunks {
            tap.bytes(Dir::In, chunk.at, &head.bytes[chunk.start..chunk.end])
                .await;
        }
    }

    let max_head = state.limits.max_head;
    let mut handshake = parse_handshake_with_max(&head.bytes, max_head);
    // A hixie-76 head promises 8 more bytes; wait for them within the handshake deadline.
    while handshake.generation == Generation::Hixie76
        && handshake.head_length.is_some()
        && head.bytes.len() < head.len + HIXIE76_KEY3
    {
        let mut buf = [0u8; 64];
        let n = match timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => n,
            _ => return closed(tap, "the client sent no hixie-76 key3 in time").await,
        };
        if let Some(tap) = &mut tap {
            tap.bytes(Dir::In, Instant::now(), &buf[..n]).await;
        }
        head.bytes.extend_from_slice(&buf[..n]);
        handshake = parse_handshake_with_max(&head.bytes, max_head);
    }

    let is_echo = path == "/echo";
    let mut answer = answer(&handshake, &path, &query, is_echo);
    // A tap opens its session before it is accepted: no session, no 101.
    let mut new_session = None;
    if !is_echo && !matches!(answer, Answer::Refuse(..)) {
        if query_param(&query, "session").is_some() {
            let body = "tap-session: a tap opens its own session; connect to /tap and read the id from its first message";
            answer = Answer::Refuse(reply::bad_request(body), body.into());
        } else {
            match state.sessions.create() {
                Some(created) => new_session = Some(created),
                None => {
                    let body = "too-many-sessions: every tap session is in use, try again later";
                    answer = Answer::Refuse(reply::unavailable(body), body.into());
                }
            }
        }
    }
    match answer {
        Answer::Refuse(response, why) => {
            if let Some(tap) = &mut tap {
                tap.note(format!("handshake refused with {why}")).await;
            }
            refuse_recorded(stream, tap, &response).await;
        }
        Answer::Rfc6455 {
            response,
            deflate,
            extensions,
        } => {
            let rest = head.bytes[head.len..].to_vec();
            let mut max = state.limits.max_message;
            if new_session.is_some() {
                // The tap's own messages are commands, small by nature.
                max = max.min(TAP_MAX_MESSAGE);
            }
            let mut socket = Socket::new(
                stream,
                tap,
                Protocol::Rfc6455,
                extensions.as_deref(),
                deflate.as_ref(),
                max,
                state.limits.idle,
            );
            if let Some((session, records)) = new_session {
                if socket.write(&response).await.is_ok() {
                    tap::run(socket, &rest, session, records, &state).await;
                } else {
                    state.sessions.remove(&session.id);
                }
                return;
            }
            if socket.write(&response).await.is_ok() {
                echo::run(socket, &rest, actions, &state.limits).await;
            }
        }
        Answer::Hixie76 { response } => {
            let rest = head.bytes[head.len + HIXIE76_KEY3..].to_vec();
            hixie::run(stream, tap, &response, &rest, actions, &state.limits).await;
        }
    }
}

/// Writes a refusal (recorded when tapped), then closes.
async fn refuse_recorded(mut stream: TcpStream, tap: Option<TapSink>, response: &[u8]) {
    if let Some(mut tap) = tap {
        if stream.write_all(response).await.is_ok() {
            tap.bytes(Dir::Out, Instant::now(), response).await;
        }
        let _ = stream.shutdown().await;
        tap.closed("the handshake was refused".into()).await;
        return;
    }
    reply::refuse(&mut stream, response).await;
}

async fn closed(tap: Option<TapSink>, reason: &str) {
    if let Some(tap) = tap {
        tap.closed(reason.into()).await;
    }
}
