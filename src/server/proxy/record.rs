//! What the proxy keeps of each connection: its chunks in order (direction, time, bytes),
//! bounded by a per-connection cap, the byte and frame counts each way, and its state. The
//! registry lists every open connection and the newest closed ones.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use wsinspect::Direction;

use super::frames::FrameCounter;
use super::inject::Senders;

/// Seconds since the Unix epoch, as captures time their packets.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// One read from one side, as it was forwarded, or bytes the proxy injected into that
/// side's stream (part of what the other side received all the same).
#[derive(Debug, Clone)]
pub struct Chunk {
    pub direction: Direction,
    pub time: f64,
    pub bytes: Vec<u8>,
    /// Written by the proxy (`POST /proxy/connections/ID/inject`), not read from the side.
    pub injected: bool,
}

/// Whether the connection is still relaying, and if not why it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Open,
    Closed(String),
}

/// A connection's recording and counters; behind the record's lock.
#[derive(Debug)]
pub struct Inner {
    pub chunks: Vec<Chunk>,
    /// Bytes held in `chunks`.
    pub recorded: usize,
    /// Set once a chunk did not fit under the cap: nothing after it is recorded.
    pub truncated: bool,
    /// Bytes relayed each way (client, server), recorded or not.
    pub bytes: [u64; 2],
    /// Frame headers seen each way (client, server).
    pub frames: [FrameCounter; 2],
    pub state: State,
    /// The upstream's address once connected.
    pub upstream_addr: Option<SocketAddr>,
    /// When it ended.
    pub end: Option<f64>,
    /// The relay's injection queues while it relays.
    pub inject: Option<Senders>,
}

/// One proxied connection.
#[derive(Debug)]
pub struct Record {
    pub id: u64,
    pub client: SocketAddr,
    /// The upstream URL the route named.
    pub upstream: String,
    /// The request target the client asked for.
    pub path: String,
    /// The request target sent upstream.
    pub upstream_path: String,
    pub start: f64,
    cap: usize,
    inner: Mutex<Inner>,
}

impl Record {
    /// Locks the recording (a poisoned lock still holds consistent counts: every update is
    /// a few assignments).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts and records bytes one side sent, as they are forwarded.
    pub fn add(&self, direction: Direction, bytes: &[u8]) {
        self.add_chunk(direction, bytes, false);
    }

    /// Counts and records bytes the proxy wrote into `direction`'s stream itself.
    pub fn add_injected(&self, direction: Direction, bytes: &[u8]) {
        self.add_chunk(direction, bytes, true);
    }

    fn add_chunk(&self, direction: Direction, bytes: &[u8], injected: bool) {
        let mut inner = self.lock();
        inner.bytes[direction.index()] += bytes.len() as u64;
        inner.frames[direction.index()].push(bytes);
        if inner.truncated {
            return;
        }
        if inner.recorded + bytes.len() > self.cap {
            inner.truncated = true;
            return;
        }
        inner.recorded += bytes.len();
        inner.chunks.push(Chunk {
            direction,
            time: now(),
            bytes: bytes.to_vec(),
            injected,
        });
    }

    /// Marks the connection closed with why (the first reason given stays).
    pub fn close(&self, why: &str) {
        let mut inner = self.lock();
        if inner.state == State::Open {
            inner.state = State::Closed(why.to_owned());
            inner.end = Some(now());
        }
        inner.inject = None;
    }
}

/// Every open connection and the newest closed ones.
#[derive(Debug)]
pub struct Registry {
    next_id: Mutex<u64>,
    records: Mutex<VecDeque<Arc<Record>>>,
    cap: usize,
    keep_closed: usize,
    /// Most bytes of recording kept across closed connections.
    keep_bytes: usize,
}

/// What a new connection is, before any byte is relayed.
pub struct Opening {
    pub client: SocketAddr,
    pub upstream: String,
    pub path: String,
    pub upstream_path: String,
}

impl Registry {
    /// A registry recording at most `cap` bytes per connection and keeping at most
    /// `keep_closed` closed connections holding at most `keep_bytes` bytes in all.
    pub fn new(cap: usize, keep_closed: usize, keep_bytes: usize) -> Registry {
        Registry {
            next_id: Mutex::new(1),
            records: Mutex::new(VecDeque::new()),
            cap,
            keep_closed,
            keep_bytes,
        }
    }

    fn records(&self) -> MutexGuard<'_, VecDeque<Arc<Record>>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a connection; ids count from 1 in the order connections arrive.
    pub fn open(&self, opening: Opening) -> Arc<Record> {
        let id = {
            let mut next = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
            let id = *next;
            *next += 1;
            id
        };
        let record = Arc::new(Record {
            id,
            client: opening.client,
            upstream: opening.upstream,
            path: opening.path,
            upstream_path: opening.upstream_path,
            start: now(),
            cap: self.cap,
            inner: Mutex::new(Inner {
                chunks: Vec::new(),
                recorded: 0,
                truncated: false,
                bytes: [0; 2],
                frames: Default::default(),
                state: State::Open,
                upstream_addr: None,
                end: None,
                inject: None,
            }),
        });
        self.records().push_back(record.clone());
        record
    }

    /// Drops the oldest closed connections beyond the number or the bytes kept.
    pub fn forget_old(&self) {
        let mut records = self.records();
        let closed_sizes = |records: &VecDeque<Arc<Record>>| {
            let closed: Vec<usize> = records
                .iter()
                .map(|r| r.lock())
                .filter(|inner| inner.state != State::Open)
                .map(|inner| inner.recorded)
                .collect();
            (closed.len(), closed.iter().sum::<usize>())
        };
        let (mut count, mut bytes) = closed_sizes(&records);
        while count > self.keep_closed || bytes > self.keep_bytes {
            let Some(pos) = records.iter().position(|r| r.lock().state != State::Open) else {
                break;
            };
            if let Some(dropped) = records.remove(pos) {
                bytes -= dropped.lock().recorded;
            }
            count -= 1;
        }
    }

    /// Every connection kept, oldest first.
    pub fn list(&self) -> Vec<Arc<Record>> {
        self.records().iter().cloned().collect()
    }

    /// The connection with this id, if kept.
    pub fn get(&self, id: u64) -> Option<Arc<Record>> {
        self.records().iter().find(|r| r.id == id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opening() -> Opening {
        Opening {
            client: "127.0.0.1:1".parse().unwrap(),
            upstream: "ws://a:80/".into(),
            path: "/".into(),
            upstream_path: "/".into(),
        }
    }

    #[test]
    fn recording_stops_at_the_cap_and_counting_goes_on() {
        let registry = Registry::new(10, 8, 100);
        let record = registry.open(opening());
        record.add(Direction::Client, b"123456");
        record.add(Direction::Server, b"12345");
        record.add(Direction::Client, b"1");
        let inner = record.lock();
        assert_eq!((inner.chunks.len(), inner.recorded), (1, 6));
        assert!(inner.truncated);
        assert_eq!(inner.bytes, [7, 5]);
    }

    #[test]
    fn only_the_newest_closed_are_kept() {
        let registry = Registry::new(10, 1, 100);
        let ids: Vec<u64> = (0..3).map(|_| registry.open(opening()).id).collect();
        assert_eq!(ids, [1, 2, 3]);
        registry.get(1).unwrap().close("done");
        registry.get(2).unwrap().close("done");
        registry.forget_old();
        let kept: Vec<u64> = registry.list().iter().map(|r| r.id).collect();
        assert_eq!(kept, [2, 3]);
        // And within the bytes kept: 6 + 6 closed is over 10, the older goes.
        let registry = Registry::new(10, 8, 10);
        for _ in 0..3 {
            let record = registry.open(opening());
            record.add(Direction::Client, b"123456");
            record.close("done");
            registry.forget_old();
        }
        let kept: Vec<u64> = registry.list().iter().map(|r| r.id).collect();
        assert_eq!(kept, [3]);
    }
}
