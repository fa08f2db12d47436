//! `/tap`: the page's view of its subject connection's wire.
//!
//! The tap opens a session (its first message names the id), receives one JSON record per
//! thing that happened on the subject connection (see [`super::records`] for the format), and
//! sends JSON actions (see [`super::actions`]) that the subject connection carries out.
//!
//! A browser cannot send pings from script, so the server pings the tap every half idle
//! period; a tap that answers nothing for a whole idle period is closed with 1001.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::time::{sleep_until, timeout_at, Instant};
use wsinspect::{FrameKind, MessageKind};

use super::actions;
use super::records;
use super::sessions::{Queued, Session};
use super::socket::Socket;
use super::State;

/// Removes the session when the tap ends, however it ends.
struct Registered<'a> {
    state: &'a State,
    id: String,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.state.sessions.remove(&self.id);
    }
}

/// Runs a tap connection whose 101 has been sent, for `session`.
pub async fn run(
    mut socket: Socket,
    rest: &[u8],
    session: Arc<Session>,
    mut records: mpsc::Receiver<Queued>,
    state: &Arc<State>,
) {
    let _registered = Registered {
        state,
        id: session.id.clone(),
    };
    let limits = &state.limits;
    if socket
        .send_message(true, records::session(&session.id).as_bytes(), 1)
        .await
        .is_err()
    {
        return;
    }
    let mut buf = vec![0u8; super::echo::READ_CHUNK];
    let mut pending = rest.to_vec();
    let mut heard = Instant::now();
    let mut next_ping = Instant::now() + limits.idle / 2;
    let mut close_until: Option<Instant> = None;
    loop {
        if !pending.is_empty() {
            let chunk = std::mem::take(&mut pending);
            match read_commands(&mut socket, &session, &chunk).await {
                Ok(true) => {}
                Ok(false) | Err(()) => break,
            }
        }
        let until = close_until.unwrap_or(heard + limits.idle);
        tokio::select! {
            record = records.recv(), if close_until.is_none() => {
                // The session holds a sender as long as it lives, so this never ends first.
                let Some(record) = record else { break };
                let json = records::to_json(session.start, &record.record);
                if socket.send_message(true, json.as_bytes(), 1).await.is_err() {
                    break;
                }
            }
            read = timeout_at(until, socket.read(&mut buf)) => match read {
                Ok(Ok(n)) if n > 0 => {
                    heard = Instant::now();
                    pending = buf[..n].to_vec();
                }
                Err(_elapsed) if close_until.is_none() => {
                    socket.note("tap idle".into()).await;
                    if socket.send_close(Some(1001), "idle timeout").await.is_err() {
                        break;
                    }
                    close_until = Some(Instant::now() + limits.close_wait);
                }
                _ => break,
            },
            _ = sleep_until(next_ping), if close_until.is_none() => {
                next_ping = Instant::now() + limits.idle / 2;
                let ping = wsinspect::encode::FrameSpec::new(0x9, b"tap".to_vec());
                if socket.send_frame(&ping).await.is_err() {
                    break;
                }
            }
        }
        if socket.sent_close && socket.received_close {
            break;
        }
    }
    socket.shutdown().await;
}

/// Decodes bytes from the tap and hands each command to the session. `Ok(false)` when the
/// tap closed (or broke a rule and was closed).
async fn read_commands(socket: &mut Socket, session: &Session, chunk: &[u8]) -> Result<bool, ()> {
    let out = socket.decode(chunk).await;
    if let Some(v) = out.violations.first() {
        let _ = socket
            .send_close(Some(v.close_code().unwrap_or(1002)), v.id.as_str())
            .await;
        return Ok(false);
    }
    for frame in &out.frames {
        match frame.kind {
            FrameKind::Ping if !socket.sent_close => {
                let pong = wsinspect::encode::FrameSpec::new(0xA, frame.payload.clone());
                socket.send_frame(&pong).await.map_err(|_| ())?;
            }
            FrameKind::Close => {
                socket.received_close = true;
                if !socket.sent_close {
                    let _ = socket.send_close(frame.close_code, "").await;
                }
                return Ok(false);
            }
            _ => {}
        }
    }
    for message in out.messages.iter().filter(|m| m.complete) {
        let reply = match (message.kind, message.text.as_deref()) {
            (MessageKind::Text, Some(text)) => match actions::parse(text) {
                Ok(request) => {
                    let id = request.id.clone();
                    session.act(request).err().map(|error| (id, error))
                }
                Err((id, error)) => Some((id, error)),
            },
            _ => Some((
                serde_json::Value::Null,
                "actions are JSON text messages".to_owned(),
            )),
        };
        if let Some((id, error)) = reply {
            let json = records::refused(session.start, id, &error);
            socket
                .send_message(true, json.as_bytes(), 1)
                .await
                .map_err(|_| ())?;
        }
    }
    Ok(true)
}
