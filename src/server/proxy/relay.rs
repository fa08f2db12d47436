//! Relaying bytes both ways exactly as read: no parsing, no re-framing, no re-masking.
//!
//! Each direction reads at most [`BUFFER`] bytes, records them, and writes them all to the
//! other side before reading again, so a slow reader stalls the other side's reads (TCP's
//! window then slows the sender) and the proxy holds at most one buffer per direction.
//! One side's end (EOF) is passed on as a half-close (a FIN); the connection is over when
//! both have ended, when either side fails, or when neither sends anything for the idle
//! limit.
//!
//! Bytes injected from the page ([`super::inject`]) arrive on a bounded queue per
//! direction; each direction's frames are followed as they pass ([`FrameCounter`]) and an
//! injection is written only where a frame of that direction ends (a data message only
//! where no fragmented message is open), never inside a relayed frame.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use wsinspect::Direction;

use super::frames::FrameCounter;
use super::inject::{self, Injection};
use super::record::Record;

/// Bytes read from one side before they are written to the other. 64 KiB (a loopback
/// segment's size) rather than 16: a quarter of the reads, writes and recorded chunks per
/// byte; 64 KiB messages through the proxy went from 0.56-0.66x to 0.80x of a direct
/// connection's throughput in `npm run bench -- --only=proxy`.
pub const BUFFER: usize = 64 * 1024;

/// When anything last moved, in milliseconds since the relay started.
struct Activity {
    start: Instant,
    last: AtomicU64,
}

impl Activity {
    fn touch(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.last.store(ms, Ordering::Relaxed);
    }

    /// Resolves once nothing moved for `idle`.
    async fn silent_for(&self, idle: Duration) {
        loop {
            let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
            let due = self.start + last + idle;
            if Instant::now() >= due {
                return;
            }
            tokio::time::sleep_until(due.into()).await;
        }
    }
}

/// How one direction ended.
enum End {
    /// The sender closed its side; the half-close was passed on.
    Eof,
    /// Reading from the sender failed.
    ReadFailed(std::io::Error),
    /// Writing to the receiver failed.
    WriteFailed(std::io::Error),
}

fn side(direction: Direction) -> &'static str {
    match direction {
        Direction::Client => "client",
        Direction::Server => "upstream",
    }
}

/// One direction's injections that wait for a frame boundary, and where its frames are.
struct Waiting {
    framing: FrameCounter,
    queue: VecDeque<Injection>,
}

impl Waiting {
    /// Writes (and records) every waiting injection that may go where the relayed bytes
    /// stopped, in order.
    async fn flush<W: AsyncWrite + Unpin>(
        &mut self,
        to: &mut W,
        direction: Direction,
        record: &Record,
        activity: &Activity,
    ) -> std::io::Result<()> {
        while let Some(next) = self.queue.front() {
            let open = next.data && self.framing.in_message();
            if !self.framing.at_boundary() || open {
                break;
            }
            let Some(next) = self.queue.pop_front() else {
                break;
            };
            record.add_injected(direction, &next.bytes);
            to.write_all(&next.bytes).await?;
            activity.touch();
        }
        Ok(())
    }
}

async fn pump<R, W>(
    mut from: R,
    mut to: W,
    direction: Direction,
    record: &Record,
    activity: &Activity,
    mut injections: mpsc::Receiver<Injection>,
    sent_ahead: &[u8],
) -> End
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; BUFFER];
    let mut waiting = Waiting {
        framing: FrameCounter::default(),
        queue: VecDeque::new(),
    };
    waiting.framing.push(sent_ahead);
    let mut queue_open = true;
    loop {
        if let Err(e) = waiting.flush(&mut to, direction, record, activity).await {
            return End::WriteFailed(e);
        }
        // Reading is cancel safe: an injection arriving first loses no relayed byte.
        let n = tokio::select! {
            read = from.read(&mut buf) => match read {
                Ok(0) => {
                    let _ = to.shutdown().await;
                    return End::Eof;
                }
                Ok(n) => n,
                Err(e) => return End::ReadFailed(e),
            },
            injection = injections.recv(), if queue_open => {
                match injection {
                    Some(injection) => waiting.queue.push_back(injection),
                    None => queue_open = false,
                }
                continue;
            }
        };
        activity.touch();
        let mut rest = &buf[..n];
        if waiting.queue.is_empty() {
            waiting.framing.push(rest);
            record.add(direction, rest);
            if let Err(e) = to.write_all(rest).await {
                return End::WriteFailed(e);
            }
        } else {
            // Up to each frame's end, then whatever injection may go there.
            while !rest.is_empty() {
                let piece = waiting.framing.push_to_boundary(rest);
                record.add(direction, &rest[..piece]);
                if let Err(e) = to.write_all(&rest[..piece]).await {
                    return End::WriteFailed(e);
                }
                rest = &rest[piece..];
                if let Err(e) = waiting.flush(&mut to, direction, record, activity).await {
                    return End::WriteFailed(e);
                }
            }
        }
        activity.touch();
    }
}

/// Relays until the connection is over; why it ended, for the listing. `head` is what was
/// already written to the upstream (the client's head as forwarded, and whatever followed
/// it in the same reads), so that the client's frames are followed from the right place.
pub async fn relay<C, U>(
    client: C,
    upstream: U,
    record: Arc<Record>,
    idle: Duration,
    head: &[u8],
) -> String
where
    C: AsyncRead + AsyncWrite + Unpin,
    U: AsyncRead + AsyncWrite + Unpin,
{
    let (client_read, client_write) = tokio::io::split(client);
    let (upstream_read, upstream_write) = tokio::io::split(upstream);
    let activity = Activity {
        start: Instant::now(),
        last: AtomicU64::new(0),
    };
    let (senders, [up_injections, down_injections]) = inject::channels();
    record.lock().inject = Some(senders);
    let up = pump(
        client_read,
        upstream_write,
        Direction::Client,
        &record,
        &activity,
        up_injections,
        head,
    );
    let down = pump(
        upstream_read,
        client_write,
        Direction::Server,
        &record,
        &activity,
        down_injections,
        &[],
    );
    tokio::pin!(up, down);
    let mut ended: [bool; 2] = [false, false];
    let mut first_eof: Option<Direction> = None;
    loop {
        let (direction, end) = tokio::select! {
            end = &mut up, if !ended[0] => (Direction::Client, end),
            end = &mut down, if !ended[1] => (Direction::Server, end),
            () = activity.silent_for(idle) => {
                return format!("idle: nothing sent either way for {} s", idle.as_secs_f64());
            }
        };
        ended[direction.index()] = true;
        let (from, to) = (side(direction), side(direction.other()));
        match end {
            End::Eof => {
                first_eof.get_or_insert(direction);
            }
            End::ReadFailed(e) => return format!("{from} connection failed: {e}"),
            End::WriteFailed(e) => {
                return format!("{to} connection failed while writing to it: {e}")
            }
        }
        if ended == [true, true] {
            let first = side(first_eof.unwrap_or(direction));
            return format!("{first} closed first, then the other side");
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{duplex, DuplexStream};

    use super::super::record::{Opening, Registry};
    use super::*;

    const HEAD: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    /// A relay between two in-memory pipes: (client's end, upstream's end, record).
    fn start() -> (DuplexStream, DuplexStream, Arc<Record>) {
        let (client, client_proxy) = duplex(1 << 16);
        let (upstream_proxy, upstream) = duplex(1 << 16);
        let registry = Registry::new(1 << 20, 8, 1 << 20);
        let record = registry.open(Opening {
            client: "127.0.0.1:1".parse().unwrap(),
            upstream: "ws://a/".into(),
            path: "/".into(),
            upstream_path: "/".into(),
        });
        let relayed = record.clone();
        tokio::spawn(async move {
            relay(
                client_proxy,
                upstream_proxy,
                relayed,
                Duration::from_secs(5),
                HEAD,
            )
            .await
        });
        (client, upstream, record)
    }

    async fn inject(record: &Record, bytes: &[u8], data: bool) {
        let sender = loop {
            if let Some(senders) = record.lock().inject.clone() {
                break senders[Direction::Client.index()].clone();
            }
            tokio::task::yield_now().await;
        };
        let injection = Injection {
            bytes: bytes.to_vec(),
            data,
        };
        sender.send(injection).await.unwrap();
    }

    async fn settle() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// Injections asked for while a frame (or a fragmented message) is half relayed go
    /// after it; a control frame may go between a message's frames, a data message may
    /// not (and what is queued behind it waits: injections keep their order).
    #[tokio::test]
    async fn injections_wait_for_a_frame_boundary() {
        let (mut client, mut upstream, record) = start();
        // Half a frame: "abcd" declared, "ab" sent.
        let frame = [0x81, 0x84, 0, 0, 0, 0, b'a', b'b', b'c', b'd'];
        client.write_all(&frame[..8]).await.unwrap();
        settle().await;
        inject(&record, &[0x89, 0x80, 1, 1, 1, 1], false).await;
        settle().await;
        // A fragmented message opens; a data message and a ping are asked for inside it.
        client.write_all(&frame[8..]).await.unwrap();
        let first = [0x01, 0x81, 0, 0, 0, 0, b'x'];
        let last = [0x80, 0x81, 0, 0, 0, 0, b'y'];
        client.write_all(&first).await.unwrap();
        settle().await;
        inject(&record, &[0x8a, 0x80, 3, 3, 3, 3], false).await;
        inject(&record, &[0x81, 0x81, 2, 2, 2, 2, b'z'], true).await;
        settle().await;
        client.write_all(&last).await.unwrap();
        settle().await;
        drop(client);
        let mut got = Vec::new();
        upstream.read_to_end(&mut got).await.unwrap();
        let mut want = frame.to_vec();
        want.extend([0x89, 0x80, 1, 1, 1, 1]);
        want.extend(first);
        want.extend([0x8a, 0x80, 3, 3, 3, 3]);
        want.extend(last);
        want.extend([0x81, 0x81, 2, 2, 2, 2, b'z']);
        assert_eq!(got, want);
        let marks: Vec<(usize, bool)> = record
            .lock()
            .chunks
            .iter()
            .map(|c| (c.bytes.len(), c.injected))
            .collect();
        assert!(marks.contains(&(6, true)) && marks.contains(&(7, true)));
        assert_eq!(marks.iter().filter(|(_, injected)| *injected).count(), 3);
    }
}
