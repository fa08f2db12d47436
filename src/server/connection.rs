//! One accepted connection: read its head (bounded in size and time), then route it.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::time::timeout_at;

use super::head::{read_head, HeadError};
use super::prefixed::Prefixed;
use super::request::{is_upgrade, request_target};
use super::state::State;
use super::{conformance, reply, static_files, websocket};

/// Serves one connection to its end. Never panics on what the peer sends.
pub async fn handle(mut stream: TcpStream, peer: SocketAddr, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let limits = &state.limits;
    // A client that sends its handshake one byte per second is dropped when this runs out.
    let deadline = tokio::time::Instant::now() + limits.handshake;
    let head = match timeout_at(deadline, read_head(&mut stream, limits.max_head)).await {
        Err(_elapsed) => return,
        Ok(Err(HeadError::Closed)) => return,
        Ok(Err(HeadError::TooLarge { max })) => {
            return reply::refuse(&mut stream, &reply::head_too_large(max)).await;
        }
        Ok(Ok(head)) => head,
    };
    let target = request_target(&head.bytes[..head.len]);
    match target.as_ref().map(|t| t.path) {
        Some("/echo") | Some("/tap") => {
            let target = target
                .map(|t| (t.path.to_owned(), t.query.to_owned()))
                .unwrap_or_default();
            websocket::serve(stream, peer, head, target, state, deadline).await
        }
        Some(path) if path.starts_with("/conformance/") && is_upgrade(&head.bytes[..head.len]) => {
            let conformance = state.conformance.clone();
            conformance::page::websocket(stream, head.bytes, head.len, conformance).await
        }
        _ => {
            if is_upgrade(&head.bytes[..head.len]) {
                let body = "no WebSocket endpoint here: use /echo, /tap or /conformance/";
                return reply::refuse(&mut stream, &reply::not_found(body)).await;
            }
            let io = Prefixed::new(head.bytes, stream);
            let conformance = state.conformance.clone();
            let (timeout, max_head) = (limits.handshake, limits.max_head);
            static_files::serve(io, state.root.clone(), conformance, timeout, max_head).await
        }
    }
}
