//! `/tap`: the page's view of its subject connection's wire.
//!
//! The tap opens a session (its first message names the id), receives one JSON record per
//! thing that happened on the subject connection (see [`super::records`] for the format), and
//! sends JSON actions (see [`super::actions`]) that the subject connection carries out.
//!
//! The tap's own frames are answered as on `/echo`, by the core's endpoint step
//! ([`wsinspect::endpoint_step`]), in wire order: pings get pongs, a close is echoed, a
//! violation gets a close with its code (then the tap's close is awaited for the close
//! timeout), and each complete message is a command.
//!
//! A browser cannot send pings from script, so the server pings the tap every half idle
//! period; a tap that answers nothing for a whole idle period is closed with 1001.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::time::{sleep_until, timeout_at, Instant};
use wsinspect::encode::FrameSpec;
use wsinspect::endpoint_step::{Decision, Event, Step};
use wsinspect::MessageKind;

use super::actions;
use super::records;
use super::sessions::{Queued, Session};
use super::socket::{Socket, READ_CHUNK};
use super::state::State;

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
    let mut buf = vec![0u8; READ_CHUNK];
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
            if socket.sent_close() && close_until.is_none() {
                close_until = Some(Instant::now() + limits.close_wait);
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
                let ping = FrameSpec::ping(*b"tap");
                if socket.send_frame(&ping).await.is_err() {
                    break;
                }
            }
        }
        if socket.sent_close() && socket.received_close() {
            break;
        }
    }
    socket.shutdown().await;
}

/// Decodes bytes from the tap and carries out the endpoint step (see
/// [`wsinspect::endpoint_step`]) in wire order: pongs and closes are written, each message is
/// a command handed to the session. `Ok(false)` when the connection is over (the tap's close
/// came); a violation sends a close with its code, and the tap's close is then awaited as on
/// `/echo`.
async fn read_commands(socket: &mut Socket, session: &Session, chunk: &[u8]) -> Result<bool, ()> {
    let Step {
        events,
        decision,
        mut note,
        ..
    } = socket.receive(chunk).await;
    for event in events {
        let Event::Message(message) = event else {
            socket.reply(&event, &mut note).await.map_err(|_| ())?;
            continue;
        };
        let reply = match (message.kind, message.text()) {
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
    Ok(!matches!(decision, Decision::Closed(_)))
}
