//! A capture's conversations decoded on a thread of their own (natively): the driver
//! reads the file, reassembles TCP and decrypts TLS on the caller's thread and hands each
//! WebSocket conversation's bytes over; this thread decodes them and gives each finished
//! conversation to a sink (the CLI renders it there). On two cores the reading and the
//! decoding then overlap.

use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use super::CaptureConversation;
use crate::conversation::Builder;
use crate::direction::{ChunkMeta, Direction};

/// What a finished conversation goes to.
pub type ConversationSink = Box<dyn FnMut(CaptureConversation) + Send>;

/// Operations go over in batches (a channel operation, and waking the thread, cost more
/// than a small packet's decoding): a batch is sent when it holds this many operations or
/// this many bytes, and at the end of each slice of the file the driver takes.
const BATCH_OPS: usize = 256;
const BATCH_BYTES: usize = 1 << 20;
/// Batches waiting for the decoding thread at most.
const QUEUE: usize = 4;

/// One operation on a conversation, by its index.
enum Op {
    /// A conversation begins, its first bytes already in its builder.
    Open(usize, Box<Builder>),
    Push(usize, Direction, Vec<u8>, ChunkMeta),
    Gap(usize, Direction, u64),
    /// The conversation is over: everything but its result, and the format for it.
    Close(Box<CaptureConversation>, String),
}

/// The decoding thread, seen from the driver.
pub(crate) struct Offload {
    ops: Option<SyncSender<Vec<Op>>>,
    batch: Vec<Op>,
    batch_bytes: usize,
    thread: Option<JoinHandle<()>>,
}

/// A conversation whose decoding is on the thread: what the driver keeps of it.
pub(crate) struct Remote {
    index: usize,
    /// Bytes pushed each way.
    pub(crate) present: [u64; 2],
}

impl Offload {
    /// Starts the thread; `None` when no thread can be had (the caller decodes itself).
    pub(crate) fn start(mut sink: ConversationSink) -> Option<Offload> {
        let (ops, receiver) = sync_channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("decode".into())
            .spawn(move || run(receiver, &mut sink))
            .ok()?;
        Some(Offload {
            ops: Some(ops),
            batch: Vec::new(),
            batch_bytes: 0,
            thread: Some(thread),
        })
    }

    /// Hands a conversation over, its first bytes already in `builder`.
    pub(crate) fn open(&mut self, index: usize, builder: Builder) -> Remote {
        let present = builder.present;
        self.send(Op::Open(index, Box::new(builder)));
        Remote { index, present }
    }

    pub(crate) fn push(
        &mut self,
        remote: &mut Remote,
        direction: Direction,
        bytes: &[u8],
        meta: ChunkMeta,
    ) {
        remote.present[direction.index()] += bytes.len() as u64;
        self.batch_bytes += bytes.len();
        self.send(Op::Push(remote.index, direction, bytes.to_vec(), meta));
    }

    pub(crate) fn gap(&mut self, remote: &Remote, direction: Direction, missing: u64) {
        self.send(Op::Gap(remote.index, direction, missing));
    }

    /// The conversation is over: `skeleton` (everything but its result) is completed on
    /// the thread and given to the sink.
    pub(crate) fn close(&mut self, remote: Remote, skeleton: CaptureConversation, format: String) {
        debug_assert_eq!(remote.index, skeleton.index);
        self.send(Op::Close(Box::new(skeleton), format));
    }

    /// Waits until every conversation handed over has gone to the sink. A panic of the
    /// thread is raised here.
    pub(crate) fn finish(&mut self) {
        self.flush();
        self.ops = None;
        if let Some(thread) = self.thread.take() {
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
    }

    fn send(&mut self, op: Op) {
        self.batch.push(op);
        if self.batch.len() >= BATCH_OPS || self.batch_bytes >= BATCH_BYTES {
            self.flush();
        }
    }

    /// Sends the operations batched so far.
    pub(crate) fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        let gone = match &self.ops {
            Some(ops) => ops.send(batch).is_err(),
            None => false,
        };
        if gone {
            // The thread stopped (it panicked): raise its panic.
            self.ops = None;
            if let Some(thread) = self.thread.take() {
                if let Err(panic) = thread.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        }
    }
}

impl Drop for Offload {
    fn drop(&mut self) {
        self.ops = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(batches: Receiver<Vec<Op>>, sink: &mut ConversationSink) {
    let mut builders: HashMap<usize, Box<Builder>> = HashMap::new();
    for op in batches.into_iter().flatten() {
        match op {
            Op::Open(index, builder) => {
                builders.insert(index, builder);
            }
            Op::Push(index, direction, bytes, meta) => {
                if let Some(b) = builders.get_mut(&index) {
                    b.push(direction, &bytes, meta);
                }
            }
            Op::Gap(index, direction, missing) => {
                if let Some(b) = builders.get_mut(&index) {
                    b.gap(direction, missing);
                }
            }
            Op::Close(mut skeleton, format) => {
                if let Some(b) = builders.remove(&skeleton.index) {
                    let mut result = b.finish(format);
                    result.client = skeleton.client.clone();
                    result.server = skeleton.server.clone();
                    skeleton.result = result;
                    sink(*skeleton);
                }
            }
        }
    }
}
