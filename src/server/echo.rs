//! `/echo` over RFC 6455: every message back with its kind, pings answered, closes echoed,
//! violations answered with their close code, idle peers closed with 1001, and the tap's
//! actions carried out.
//!
//! What to answer is decided by the core's endpoint step ([`wsinspect::endpoint_step`]),
//! walking each read's frames in wire order; `/tap` and the hixie-76 echo use the same step.
//! This loop only moves bytes: it reads, writes what the step says, echoes the messages it
//! delivers, and keeps the idle and close timers.

use tokio::sync::mpsc;
use tokio::time::{timeout_at, Instant};
use wsinspect::encode::FrameSpec;
use wsinspect::endpoint_step::{Decision, Event, Step};
use wsinspect::MessageKind;

use super::actions::{Action, ActionRequest};
use super::broken;
use super::limits::Limits;
use super::socket::{Socket, READ_CHUNK};

/// What processing a decoded chunk decided.
enum Flow {
    Go,
    /// The connection is over; the reason is for the tap.
    Stop(String),
}

/// Runs the echo until the connection ends. `rest` holds bytes read with the handshake head
/// (already recorded).
pub async fn run(
    mut socket: Socket,
    rest: &[u8],
    mut actions: Option<mpsc::Receiver<ActionRequest>>,
    limits: &Limits,
) {
    let reason = echo(&mut socket, rest, &mut actions, limits).await;
    // Close frames have gone both ways (or one side gave up): end our side, let the peer
    // close its own, bounded in time.
    socket.shutdown().await;
    drain(&mut socket, limits).await;
    if let Some(tap) = socket.tap() {
        tap.closed(reason).await;
    }
}

/// After the close: reads what the peer still sends and discards it (recorded for the tap,
/// never decoded, stored or inflated), for the close timeout and [`DRAIN_MAX`] bytes at most.
pub(super) async fn drain(socket: &mut Socket, limits: &Limits) {
    let drain_until = Instant::now() + limits.close_wait;
    let mut buf = vec![0u8; READ_CHUNK];
    let mut drained = 0usize;
    while let Ok(Ok(n)) = timeout_at(drain_until, socket.read(&mut buf)).await {
        if n == 0 || drained >= DRAIN_MAX {
            break;
        }
        drained += n;
        socket.record_in(&buf[..n]).await;
    }
}

/// The most bytes read after the close before the connection is dropped.
pub(super) const DRAIN_MAX: usize = 1024 * 1024;

async fn echo(
    socket: &mut Socket,
    rest: &[u8],
    actions: &mut Option<mpsc::Receiver<ActionRequest>>,
    limits: &Limits,
) -> String {
    if !rest.is_empty() {
        let step = socket.receive_unrecorded(rest);
        if let Flow::Stop(reason) = handle(socket, step).await {
            return reason;
        }
    }
    let mut buf = vec![0u8; READ_CHUNK];
    let mut idle_until = Instant::now() + limits.idle;
    let mut close_until = None;
    loop {
        let until = close_until.unwrap_or(idle_until);
        tokio::select! {
            read = timeout_at(until, socket.read(&mut buf)) => match read {
                Err(_elapsed) if close_until.is_some() => {
                    return "the client did not answer the close frame in time".into();
                }
                Err(_elapsed) => {
                    // RFC 6455 §7.4.1: 1001 "indicates that an endpoint is "going away"".
                    let secs = limits.idle.as_secs_f64();
                    socket.note(format!("no data for {secs} s: sending close 1001")).await;
                    if socket.send_close(Some(1001), "idle timeout").await.is_err() {
                        return "the connection failed while closing".into();
                    }
                    close_until = Some(Instant::now() + limits.close_wait);
                }
                Ok(Ok(0)) | Ok(Err(_)) => {
                    return if socket.received_close() || socket.sent_close() {
                        "the client closed the TCP connection".into()
                    } else {
                        "the client dropped the TCP connection without a close frame".into()
                    };
                }
                Ok(Ok(n)) => {
                    idle_until = Instant::now() + limits.idle;
                    let step = socket.receive(&buf[..n]).await;
                    match handle(socket, step).await {
                        Flow::Stop(reason) => return reason,
                        Flow::Go if socket.sent_close() && close_until.is_none() => {
                            close_until = Some(Instant::now() + limits.close_wait);
                        }
                        Flow::Go => {}
                    }
                }
            },
            request = recv(actions) => match request {
                Some(request) => {
                    let result = perform(socket, request.action).await;
                    if let Some(tap) = socket.tap() {
                        tap.done(request.id, result).await;
                    }
                    if socket.sent_close() && close_until.is_none() {
                        close_until = Some(Instant::now() + limits.close_wait);
                    }
                }
                // A newer subject took the actions over.
                None => *actions = None,
            },
        }
    }
}

/// The next action, or never when there is no action queue.
async fn recv(actions: &mut Option<mpsc::Receiver<ActionRequest>>) -> Option<ActionRequest> {
    match actions {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Carries out one step of the endpoint (see [`wsinspect::endpoint_step`]): its pongs and
/// closes are written and each message it delivers is echoed, all in wire order.
async fn handle(socket: &mut Socket, step: Step) -> Flow {
    let Step {
        events,
        decision,
        mut note,
        ..
    } = step;
    for event in events {
        let Event::Message(message) = event else {
            if socket.reply(&event, &mut note).await.is_err() {
                return Flow::Stop("the connection failed while answering".into());
            }
            continue;
        };
        let text = message.kind == MessageKind::Text;
        if text && test_panic_on(&message.data) {
            panic!("the test hook {} asked for a panic", TEST_PANIC_ENV);
        }
        if socket.send_message(text, &message.data, 1).await.is_err() {
            return Flow::Stop("the connection failed while echoing".into());
        }
    }
    match decision {
        Decision::Closed(reason) => Flow::Stop(reason),
        Decision::Open | Decision::Closing => Flow::Go,
    }
}

/// Carries out a tap action; the text says what went on the wire.
pub async fn perform(socket: &mut Socket, action: Action) -> Result<String, String> {
    let io = |e: std::io::Error| format!("the connection failed: {e}");
    match action {
        Action::Ping(payload) => {
            let n = payload.len();
            socket
                .send_frame(&FrameSpec::ping(payload))
                .await
                .map_err(io)?;
            Ok(format!("sent ping ({n} bytes)"))
        }
        Action::Send { text, data } => {
            socket.send_message(text, &data, 1).await.map_err(io)?;
            Ok(format!(
                "sent a {} message of {} bytes",
                kind(text),
                data.len()
            ))
        }
        Action::Fragmented { text, data, frames } => {
            socket.send_message(text, &data, frames).await.map_err(io)?;
            Ok(format!(
                "sent a {} message of {} bytes in {frames} frames",
                kind(text),
                data.len()
            ))
        }
        Action::Close { code, reason } => {
            socket.send_close(code, &reason).await.map_err(io)?;
            Ok(match code {
                Some(code) => format!("sent close {code}"),
                None => "sent close without a code".into(),
            })
        }
        Action::Violation(id) => {
            let broken = broken::frames(&id, socket.deflate_negotiated())?;
            socket.write(&broken.bytes).await.map_err(io)?;
            if broken.closes {
                socket.closing();
            }
            Ok(format!("sent {}", broken.what))
        }
    }
}

/// For tests only: a text message equal to the value of this environment variable makes
/// `/echo` panic, to show that a panic stays in its connection.
pub const TEST_PANIC_ENV: &str = "WSINSPECT_TEST_PANIC_ON";

/// Whether a text message is the one `TEST_PANIC_ENV` names (read once).
fn test_panic_on(data: &[u8]) -> bool {
    static ON: std::sync::OnceLock<Option<Vec<u8>>> = std::sync::OnceLock::new();
    ON.get_or_init(|| {
        std::env::var_os(TEST_PANIC_ENV)
            .filter(|v| !v.is_empty())
            .map(|v| v.into_encoded_bytes())
    })
    .as_deref()
    .is_some_and(|on| on == data)
}

fn kind(text: bool) -> &'static str {
    if text {
        "text"
    } else {
        "binary"
    }
}
