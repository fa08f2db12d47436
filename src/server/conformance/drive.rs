//! One case over a socket: the tester's actions done (writes as it says, timers, dropping
//! TCP), the peer's bytes handed to it, until the TCP connection ends or the case's time is
//! up. The same for both runners (the tester as a client or as a server).

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsinspect::conformance::{Action, Tester, Timer, Write};

/// No case runs longer than this (the longest of groups 1-7 and 10 waits a few seconds);
/// past it the tester drops TCP.
pub const CASE_LIMIT: Duration = Duration::from_secs(60);

/// Runs `tester` on `stream`, `leftover` being peer bytes read with the opening handshake.
/// Returns the milliseconds the case took.
pub async fn drive(tester: &mut Tester, mut stream: TcpStream, leftover: &[u8]) -> u64 {
    let _ = stream.set_nodelay(true);
    let start = Instant::now();
    let ms = |start: Instant| start.elapsed().as_millis() as u64;
    let mut timers: Vec<(Instant, Timer)> = Vec::new();
    let mut actions = tester.open(0);
    if !leftover.is_empty() {
        actions.extend(tester.bytes(leftover, ms(start)));
    }
    let mut buf = vec![0u8; 64 * 1024];
    let deadline = start + CASE_LIMIT;
    loop {
        if !perform(&mut stream, actions, &mut timers, start).await {
            tester.tcp_closed(ms(start));
            break;
        }
        if tester.done() {
            break;
        }
        let next = timers
            .iter()
            .map(|t| t.0)
            .min()
            .unwrap_or(deadline)
            .min(deadline);
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) | Err(_) => {
                    tester.tcp_closed(ms(start));
                    break;
                }
                Ok(n) => actions = tester.bytes(&buf[..n], ms(start)),
            },
            _ = tokio::time::sleep_until(next.into()) => {
                let now = Instant::now();
                if now >= deadline {
                    let _ = stream.shutdown().await;
                    tester.tcp_closed(ms(start));
                    break;
                }
                let due: Vec<Timer> = timers.iter().filter(|t| t.0 <= now).map(|t| t.1).collect();
                timers.retain(|t| t.0 > now);
                actions = Vec::new();
                for timer in due {
                    actions.extend(tester.timer(timer, ms(start)));
                }
            }
        }
    }
    ms(start)
}

/// Does the actions; false once the TCP connection is to end (dropped, or a write failed).
async fn perform(
    stream: &mut TcpStream,
    actions: Vec<Action>,
    timers: &mut Vec<(Instant, Timer)>,
    _start: Instant,
) -> bool {
    for action in actions {
        match action {
            Action::Send { bytes, write } => {
                let written = match write {
                    Write::Together => stream.write_all(&bytes).await,
                    Write::Alone => write_alone(stream, &bytes).await,
                    Write::Chopped(n) => {
                        let mut result = Ok(());
                        for piece in bytes.chunks(n.max(1)) {
                            result = write_alone(stream, piece).await;
                            if result.is_err() {
                                break;
                            }
                        }
                        result
                    }
                };
                if written.is_err() {
                    return false;
                }
            }
            Action::Set(timer, after) => {
                timers.retain(|t| t.1 != timer);
                timers.push((Instant::now() + Duration::from_millis(after), timer));
            }
            Action::Drop => {
                let _ = stream.shutdown().await;
                return false;
            }
        }
    }
    true
}

/// One write of its own (TCP_NODELAY is set: its own segment), then a moment for the peer.
async fn write_alone(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await?;
    tokio::time::sleep(Duration::from_micros(100)).await;
    Ok(())
}
