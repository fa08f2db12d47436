//! One case over a socket: the tester's actions done (writes as it says, timers, dropping
//! TCP), the peer's bytes handed to it, until the TCP connection ends or the case's time is
//! up. The same for both runners (the tester as a client or as a server).
//!
//! Frames the tester sends together go out in one write (one TCP segment when they fit, as
//! Autobahn's do); a frame written alone or in chops goes in writes of its own, and the
//! peer's bytes are read between them, so an answer that comes while the tester is still
//! writing (or just before the peer drops the connection) is not lost.

use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use wsinspect::conformance::{Action, Tester, Timer, Write};

/// No case runs longer than this unless its own give-up time is longer (group 9 and 12
/// at full size wait minutes); past it the tester drops TCP.
pub const CASE_LIMIT: Duration = Duration::from_secs(60);

/// The pause after a write of its own (Autobahn yields to its event loop there).
const PAUSE: Duration = Duration::from_micros(100);

/// One case's connection, as the runner sees it: TCP, or TLS over it for wss://.
struct Run<'a, S> {
    tester: &'a mut Tester,
    stream: S,
    start: Instant,
    timers: Vec<(Instant, Timer)>,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Run<'_, S> {
    fn ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Does `actions` and what the peer's bytes read meanwhile call for; false once the
    /// TCP connection is over.
    async fn perform(&mut self, actions: Vec<Action>) -> bool {
        let mut queue: std::collections::VecDeque<Action> = actions.into();
        while let Some(action) = queue.pop_front() {
            match action {
                Action::Send {
                    mut bytes,
                    write: Write::Together,
                } => {
                    // Frames sent together: one write.
                    while let Some(Action::Send {
                        write: Write::Together,
                        ..
                    }) = queue.front()
                    {
                        if let Some(Action::Send { bytes: more, .. }) = queue.pop_front() {
                            bytes.extend(more);
                        }
                    }
                    if !self.write(&bytes).await {
                        return false;
                    }
                }
                Action::Send {
                    bytes,
                    write: Write::Alone,
                } => {
                    if !self.write(&bytes).await || !self.pause(&mut queue).await {
                        return false;
                    }
                }
                Action::Send {
                    bytes,
                    write: Write::Chopped(n),
                } => {
                    for piece in bytes.chunks(n.max(1)) {
                        if !self.write(piece).await || !self.pause(&mut queue).await {
                            return false;
                        }
                    }
                }
                Action::Set(timer, after) => {
                    self.timers.retain(|t| t.1 != timer);
                    self.timers
                        .push((Instant::now() + Duration::from_millis(after), timer));
                }
                Action::Drop => {
                    let _ = self.stream.shutdown().await;
                    return false;
                }
            }
        }
        true
    }

    /// Writes; on failure (the peer is gone) what it sent before going is read first.
    async fn write(&mut self, bytes: &[u8]) -> bool {
        let ok = self.stream.write_all(bytes).await.is_ok();
        let now = self.ms();
        self.tester.wrote(bytes, now);
        if !ok {
            self.drain().await;
        }
        ok
    }

    /// A pause after a write of its own, reading what the peer sent meanwhile.
    async fn pause(&mut self, queue: &mut std::collections::VecDeque<Action>) -> bool {
        let _ = self.stream.flush().await;
        tokio::time::sleep(PAUSE).await;
        loop {
            // What has arrived, without waiting: a zero timeout polls the read once (a read
            // dropped unfinished loses no byte, with TCP or TLS).
            match tokio::time::timeout(Duration::ZERO, self.stream.read(&mut self.buf)).await {
                Err(_) => return true,
                Ok(Ok(0)) | Ok(Err(_)) => return false,
                Ok(Ok(n)) => {
                    let now = self.ms();
                    let more = self.tester.bytes(&self.buf[..n], now);
                    queue.extend(more);
                }
            }
        }
    }

    /// Reads what the peer sent before the connection ended (for a moment at most).
    async fn drain(&mut self) {
        let until = Instant::now() + Duration::from_millis(200);
        while let Ok(Ok(n)) =
            tokio::time::timeout_at(until.into(), self.stream.read(&mut self.buf)).await
        {
            if n == 0 {
                break;
            }
            let now = self.ms();
            // The connection is going: only what the bytes record matters.
            let _ = self.tester.bytes(&self.buf[..n], now);
        }
    }
}

/// Runs `tester` on `stream` (TCP with Nagle's delay off, or TLS over it), `leftover` being
/// peer bytes read with the opening handshake, for at most `limit`. Returns the milliseconds
/// the case took.
pub async fn drive<S: AsyncRead + AsyncWrite + Unpin>(
    tester: &mut Tester,
    stream: S,
    leftover: &[u8],
    limit: Duration,
) -> u64 {
    let mut run = Run {
        tester,
        stream,
        start: Instant::now(),
        timers: Vec::new(),
        buf: vec![0u8; 64 * 1024],
    };
    let mut actions = run.tester.open(0);
    if !leftover.is_empty() {
        actions.extend(run.tester.bytes(leftover, 0));
    }
    let deadline = run.start + limit.max(CASE_LIMIT);
    loop {
        if !run.perform(actions).await {
            let now = run.ms();
            run.tester.tcp_closed(now);
            break;
        }
        if run.tester.done() {
            break;
        }
        let next = run
            .timers
            .iter()
            .map(|t| t.0)
            .min()
            .unwrap_or(deadline)
            .min(deadline);
        tokio::select! {
            read = run.stream.read(&mut run.buf) => match read {
                Ok(0) | Err(_) => {
                    let now = run.ms();
                    run.tester.tcp_closed(now);
                    break;
                }
                Ok(n) => {
                    let now = run.ms();
                    actions = run.tester.bytes(&run.buf[..n], now);
                }
            },
            _ = tokio::time::sleep_until(next.into()) => {
                let now = Instant::now();
                if now >= deadline {
                    let _ = run.stream.shutdown().await;
                    let ms = run.ms();
                    run.tester.tcp_closed(ms);
                    break;
                }
                let due: Vec<Timer> = run.timers.iter().filter(|t| t.0 <= now).map(|t| t.1).collect();
                run.timers.retain(|t| t.0 > now);
                actions = Vec::new();
                let ms = run.ms();
                for timer in due {
                    actions.extend(run.tester.timer(timer, ms));
                }
            }
        }
    }
    run.start.elapsed().as_millis() as u64
}

/// The longest give-up time among a case's steps, for [`drive`]'s limit.
pub fn case_limit(case: &wsinspect::conformance::Case) -> Duration {
    let longest = case
        .steps
        .iter()
        .filter_map(|s| match s {
            wsinspect::conformance::Step::KillAfter(ms)
            | wsinspect::conformance::Step::CloseAfter(ms) => Some(*ms),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    Duration::from_millis(longest + 5_000)
}
