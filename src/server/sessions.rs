//! Tap sessions: which tap sees which subject connection.
//!
//! A tap connection (`/tap`) creates a session with a random 128-bit id and receives its
//! records; a subject connection (`/echo?session=ID`) joins it and sends every byte it reads
//! and writes there. Only the holder of the id (the page that opened the tap) can join, and a
//! session ends with its tap.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use super::actions::ActionRequest;

/// Records a tap may have queued before the subject waits for it to catch up.
const RECORD_QUEUE: usize = 1024;
/// Bytes of records a tap may have queued (a record larger than this takes all of it): a tap
/// that stops reading holds its subject back rather than letting memory grow.
const RECORD_BUDGET: usize = 8 * 1024 * 1024;
/// Actions a subject may have queued; more are refused rather than waited for.
const ACTION_QUEUE: usize = 64;

/// Direction of bytes on the subject connection, as seen by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Read by the server: sent by the browser.
    In,
    /// Written by the server.
    Out,
}

impl Dir {
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::In => "in",
            Dir::Out => "out",
        }
    }
}

/// What a subject connection tells its tap. `t` is when it happened, `conn` which connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A subject connection joined (its handshake head has been read).
    Open {
        conn: u64,
        t: Instant,
        peer: String,
        target: String,
    },
    /// Bytes exactly as they crossed the socket; `offset` counts bytes before them in `dir`.
    Bytes {
        conn: u64,
        t: Instant,
        dir: Dir,
        offset: u64,
        bytes: Vec<u8>,
    },
    /// Something the server decided (a close it sent and why, an action done).
    Note { conn: u64, t: Instant, text: String },
    /// The outcome of an action asked for over the tap.
    Done {
        conn: u64,
        t: Instant,
        id: serde_json::Value,
        result: Result<String, String>,
    },
    /// The subject connection ended.
    Closed {
        conn: u64,
        t: Instant,
        reason: String,
    },
}

/// A record on its way to the tap, holding its share of the session's byte budget until the
/// tap has sent it.
#[derive(Debug)]
pub struct Queued {
    pub record: Record,
    _permit: OwnedSemaphorePermit,
}

/// One tap session.
pub struct Session {
    pub id: String,
    /// Record timestamps count from here.
    pub start: Instant,
    records: mpsc::Sender<Queued>,
    budget: Arc<Semaphore>,
    subject: Mutex<Option<(u64, mpsc::Sender<ActionRequest>)>>,
    next_conn: AtomicU64,
}

impl Session {
    /// Joins a subject connection: its number and the queue its actions arrive on. A later
    /// subject takes the actions over from an earlier one.
    pub fn join(self: &Arc<Self>) -> (TapSink, mpsc::Receiver<ActionRequest>) {
        let conn = self.next_conn.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = mpsc::channel(ACTION_QUEUE);
        *self.subject.lock().unwrap_or_else(|e| e.into_inner()) = Some((conn, tx));
        (
            TapSink {
                session: self.clone(),
                conn,
                counts: [0, 0],
            },
            rx,
        )
    }

    /// Hands an action to the latest subject connection.
    pub fn act(&self, request: ActionRequest) -> Result<u64, String> {
        let subject = self.subject.lock().unwrap_or_else(|e| e.into_inner());
        let Some((conn, tx)) = subject.as_ref() else {
            return Err("no subject connection in this session yet".into());
        };
        match tx.try_send(request) {
            Ok(()) => Ok(*conn),
            Err(mpsc::error::TrySendError::Full(_)) => {
                Err(format!("connection {conn} has too many actions queued"))
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                Err(format!("connection {conn} has ended"))
            }
        }
    }
}

/// A subject connection's end of the tap.
pub struct TapSink {
    session: Arc<Session>,
    pub conn: u64,
    counts: [u64; 2],
}

impl TapSink {
    /// Records bytes read (`In`) or written (`Out`) at `t`. Waits while the tap is behind,
    /// so no byte is ever dropped; a tap that has gone costs nothing.
    pub async fn bytes(&mut self, dir: Dir, t: Instant, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let slot = &mut self.counts[dir as usize];
        let offset = *slot;
        *slot += bytes.len() as u64;
        self.send(Record::Bytes {
            conn: self.conn,
            t,
            dir,
            offset,
            bytes: bytes.to_vec(),
        })
        .await;
    }

    /// The connection began at `t` (when its first bytes were read).
    pub async fn open(&self, t: Instant, peer: String, target: String) {
        self.send(Record::Open {
            conn: self.conn,
            t,
            peer,
            target,
        })
        .await;
    }

    pub async fn note(&self, text: String) {
        self.send(Record::Note {
            conn: self.conn,
            t: Instant::now(),
            text,
        })
        .await;
    }

    pub async fn done(&self, id: serde_json::Value, result: Result<String, String>) {
        self.send(Record::Done {
            conn: self.conn,
            t: Instant::now(),
            id,
            result,
        })
        .await;
    }

    pub async fn closed(&self, reason: String) {
        self.send(Record::Closed {
            conn: self.conn,
            t: Instant::now(),
            reason,
        })
        .await;
    }

    async fn send(&self, record: Record) {
        let size = match &record {
            Record::Bytes { bytes, .. } => bytes.len(),
            _ => 0,
        };
        let permits = size.clamp(1, RECORD_BUDGET) as u32;
        let Ok(permit) = self
            .session
            .budget
            .clone()
            .acquire_many_owned(permits)
            .await
        else {
            return;
        };
        let _ = self
            .session
            .records
            .send(Queued {
                record,
                _permit: permit,
            })
            .await;
    }
}

/// Every open session, by id.
pub struct Sessions {
    open: Mutex<HashMap<String, Arc<Session>>>,
    max: usize,
}

impl Sessions {
    pub fn new(max: usize) -> Self {
        Sessions {
            open: Mutex::new(HashMap::new()),
            max,
        }
    }

    /// Opens a session with a fresh random id, or None when `max` are open already.
    pub fn create(&self) -> Option<(Arc<Session>, mpsc::Receiver<Queued>)> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.len() >= self.max {
            return None;
        }
        let id = loop {
            let id = random_id()?;
            if !open.contains_key(&id) {
                break id;
            }
        };
        let (records, rx) = mpsc::channel(RECORD_QUEUE);
        let session = Arc::new(Session {
            id: id.clone(),
            start: Instant::now(),
            records,
            budget: Arc::new(Semaphore::new(RECORD_BUDGET)),
            subject: Mutex::new(None),
            next_conn: AtomicU64::new(0),
        });
        open.insert(id, session.clone());
        Some((session, rx))
    }

    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    pub fn remove(&self, id: &str) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// 128 random bits from the operating system, as 32 lowercase hex digits.
pub fn random_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `s` has the shape of a session id (so a bad one is refused before any lookup).
pub fn is_session_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::super::actions::Action;
    use super::*;

    #[test]
    fn ids_are_128_random_bits_in_hex() {
        let a = random_id().unwrap();
        let b = random_id().unwrap();
        assert!(is_session_id(&a) && is_session_id(&b));
        assert_ne!(a, b);
        assert!(!is_session_id("0123"));
        assert!(!is_session_id(&a.to_uppercase()));
    }

    #[test]
    fn sessions_are_bounded_and_removed() {
        let sessions = Sessions::new(2);
        let (a, _ra) = sessions.create().unwrap();
        let (_b, _rb) = sessions.create().unwrap();
        assert!(sessions.create().is_none());
        assert!(sessions.get(&a.id).is_some());
        sessions.remove(&a.id);
        assert!(sessions.get(&a.id).is_none());
        assert_eq!(sessions.len(), 1);
        assert!(sessions.create().is_some());
    }

    #[test]
    fn records_carry_per_direction_offsets_and_actions_reach_the_latest_subject() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let sessions = Sessions::new(4);
            let (session, mut records) = sessions.create().unwrap();
            assert!(session
                .act(ActionRequest {
                    id: 1.into(),
                    action: Action::Ping(vec![])
                })
                .is_err());
            let (mut first, _first_actions) = session.join();
            let (second, mut second_actions) = session.join();
            assert_eq!((first.conn, second.conn), (1, 2));
            let now = Instant::now();
            first.bytes(Dir::In, now, b"abc").await;
            first.bytes(Dir::Out, now, b"de").await;
            first.bytes(Dir::In, now, b"f").await;
            let offsets: Vec<_> = (0..3)
                .map(|_| match records.try_recv().unwrap().record {
                    Record::Bytes { dir, offset, .. } => (dir, offset),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(offsets, [(Dir::In, 0), (Dir::Out, 0), (Dir::In, 3)]);
            let request = ActionRequest {
                id: 7.into(),
                action: Action::Ping(b"x".to_vec()),
            };
            assert_eq!(session.act(request.clone()), Ok(2));
            assert_eq!(second_actions.try_recv().unwrap(), request);
        });
    }

    #[test]
    fn a_tap_that_stops_reading_holds_its_subject_back_within_the_byte_budget() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let sessions = Sessions::new(1);
            let (session, mut records) = sessions.create().unwrap();
            let (mut sink, _actions) = session.join();
            let big = vec![0u8; RECORD_BUDGET / 2];
            sink.bytes(Dir::Out, Instant::now(), &big).await;
            sink.bytes(Dir::Out, Instant::now(), &big).await;
            // The budget is spent: the third waits until the tap takes one.
            let third = tokio::time::timeout(
                std::time::Duration::from_millis(50),
                sink.bytes(Dir::Out, Instant::now(), &big),
            );
            assert!(
                third.await.is_err(),
                "a third record fitted past the budget"
            );
            drop(records.try_recv().unwrap());
            let fourth = tokio::time::timeout(
                std::time::Duration::from_secs(5),
                sink.bytes(Dir::Out, Instant::now(), &big),
            );
            assert!(fourth.await.is_ok());
        });
    }
}
