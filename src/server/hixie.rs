//! `/echo` for hixie-76 clients, as the old chat servers did it: `0x00 text 0xFF` frames back
//! as they came, the `0xFF 0x00` closing frame answered in kind.

use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{timeout_at, Instant};
use wsinspect::encode::{encode_hixie_close, encode_hixie_length_prefixed, encode_hixie_text};
use wsinspect::endpoint_step::{Decision, Event, Step};
use wsinspect::{MessageKind, Protocol};

use super::actions::{Action, ActionRequest};
use super::limits::Limits;
use super::sessions::TapSink;
use super::socket::{Socket, READ_CHUNK};

/// Runs a hixie-76 echo: writes the handshake `response` (head and MD5 answer), then echoes.
/// `rest` holds bytes read after the 8 key bytes (already recorded).
pub async fn run(
    stream: TcpStream,
    tap: Option<TapSink>,
    response: &[u8],
    rest: &[u8],
    mut actions: Option<mpsc::Receiver<ActionRequest>>,
    limits: &Limits,
) {
    let mut socket = Socket::new(
        stream,
        tap,
        Protocol::Hixie76,
        None,
        None,
        limits.max_message,
        limits.idle,
    );
    if socket.write(response).await.is_err() {
        return;
    }
    let reason = echo(&mut socket, rest, &mut actions, limits).await;
    socket.shutdown().await;
    if let Some(tap) = socket.tap() {
        tap.closed(reason).await;
    }
}

async fn echo(
    socket: &mut Socket,
    rest: &[u8],
    actions: &mut Option<mpsc::Receiver<ActionRequest>>,
    limits: &Limits,
) -> String {
    let mut pending = Some(rest.to_vec()).filter(|r| !r.is_empty());
    let mut buf = vec![0u8; READ_CHUNK];
    let mut idle_until = Instant::now() + limits.idle;
    loop {
        if let Some(chunk) = pending.take() {
            if let Some(reason) = handle(socket, &chunk).await {
                return reason;
            }
        }
        tokio::select! {
            read = timeout_at(idle_until, socket.read(&mut buf)) => match read {
                Ok(Ok(n)) if n > 0 => {
                    idle_until = Instant::now() + limits.idle;
                    let chunk = buf[..n].to_vec();
                    // Recorded here; decoded by `handle` on the next turn.
                    socket.record_in(&chunk).await;
                    pending = Some(chunk);
                }
                Err(_elapsed) => {
                    socket.note("idle: sending the hixie closing frame".into()).await;
                    let _ = socket.write(&encode_hixie_close()).await;
                    return "idle timeout".into();
                }
                _ => return "the client closed the TCP connection".into(),
            },
            request = recv(actions) => match request {
                Some(request) => {
                    let (result, closed) = perform(socket, request.action).await;
                    if let Some(tap) = socket.tap() {
                        tap.done(request.id, result).await;
                    }
                    if closed {
                        return "the server sent the closing frame".into();
                    }
                }
                None => *actions = None,
            },
        }
    }
}

async fn recv(actions: &mut Option<mpsc::Receiver<ActionRequest>>) -> Option<ActionRequest> {
    match actions {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Decodes a chunk (already recorded) and carries out the endpoint step (see
/// [`wsinspect::endpoint_step`]) in wire order: each message echoed as it came, the closing
/// frame answered, a violation answered with the closing frame (hixie-76 has no close codes).
/// Some(reason) to stop.
async fn handle(socket: &mut Socket, chunk: &[u8]) -> Option<String> {
    let Step {
        events,
        decision,
        mut note,
        ..
    } = socket.receive_unrecorded(chunk);
    for event in events {
        let Event::Message(message) = event else {
            if socket.reply(&event, &mut note).await.is_err() {
                return Some("the connection failed while answering".into());
            }
            continue;
        };
        let frame = match (message.kind, message.text()) {
            (MessageKind::Text, Some(text)) => encode_hixie_text(text),
            _ => encode_hixie_length_prefixed(0x80, &message.data),
        };
        if socket.write(&frame).await.is_err() {
            return Some("the connection failed while echoing".into());
        }
    }
    match decision {
        Decision::Closed(reason) => Some(reason),
        Decision::Open | Decision::Closing => None,
    }
}

/// hixie-76 knows text messages and the closing frame only.
async fn perform(socket: &mut Socket, action: Action) -> (Result<String, String>, bool) {
    let io = |e: std::io::Error| format!("the connection failed: {e}");
    match action {
        Action::Send { text: true, data }
        | Action::Fragmented {
            text: true, data, ..
        } => {
            let text = String::from_utf8_lossy(&data).into_owned();
            let result = socket
                .write(&encode_hixie_text(&text))
                .await
                .map(|_| "sent a text frame".to_owned())
                .map_err(io);
            (result, false)
        }
        Action::Close { .. } => {
            let result = socket
                .write(&encode_hixie_close())
                .await
                .map(|_| "sent the closing frame".to_owned())
                .map_err(io);
            (result, true)
        }
        _ => (
            Err("hixie-76 has text frames and the closing frame only".into()),
            false,
        ),
    }
}
