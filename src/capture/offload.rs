//! A capture's conversations decoded on threads of their own (natively): the driver
//! reads the file, reassembles TCP and decrypts TLS on the caller's thread and hands each
//! WebSocket conversation's bytes over to one of the decoding threads (one per core, up
//! to four; a conversation stays on one); each finished conversation goes to a sink, on its
//! decoding thread (the CLI's renders it there). Reading, decoding and rendering overlap.

use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::CaptureConversation;
use crate::conversation::Builder;
use crate::direction::{ChunkMeta, Direction};

/// What a finished conversation goes to: called on the decoding threads, at once.
pub type ConversationSink = Arc<dyn Fn(CaptureConversation) + Send + Sync>;

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
    /// Bytes of the conversation: a range of its batch's `bytes`.
    Push(usize, Direction, std::ops::Range<usize>, ChunkMeta),
    Gap(usize, Direction, u64),
    /// The conversation is over: everything but its result, and the format for it.
    Close(Box<CaptureConversation>, String),
}

/// The decoding threads, seen from the driver: a conversation is decoded on thread
/// `index % threads`.
pub(crate) struct Offload {
    workers: Vec<Worker>,
}

/// Operations, with the bytes their pushes carry in one buffer (one allocation a batch,
/// not one a TCP segment, freed on the decoding thread).
#[derive(Default)]
struct Batch {
    ops: Vec<Op>,
    bytes: Vec<u8>,
}

/// One decoding thread and the batch of operations going to it.
struct Worker {
    ops: Option<SyncSender<Batch>>,
    batch: Batch,
    thread: Option<JoinHandle<()>>,
}

/// A conversation whose decoding is on a thread: what the driver keeps of it.
pub(crate) struct Remote {
    index: usize,
    /// Bytes pushed each way.
    pub(crate) present: [u64; 2],
}

/// The most decoding threads (one per core up to this).
const MAX_THREADS: usize = 4;

impl Offload {
    /// Starts the threads; `None` when no thread can be had (the caller decodes itself).
    pub(crate) fn start(sink: ConversationSink) -> Option<Offload> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_THREADS);
        let mut workers = Vec::new();
        for _ in 0..threads {
            let (ops, receiver) = sync_channel(QUEUE);
            let sink = Arc::clone(&sink);
            let spawned = std::thread::Builder::new()
                .name("decode".into())
                .spawn(move || run(receiver, &sink));
            match spawned {
                Ok(thread) => workers.push(Worker {
                    ops: Some(ops),
                    batch: Batch::default(),
                    thread: Some(thread),
                }),
                Err(_) => break,
            }
        }
        (!workers.is_empty()).then_some(Offload { workers })
    }

    fn worker(&mut self, index: usize) -> &mut Worker {
        let n = self.workers.len();
        &mut self.workers[index % n]
    }

    /// Hands a conversation over, its first bytes already in `builder`.
    pub(crate) fn open(&mut self, index: usize, builder: Builder) -> Remote {
        let present = builder.present;
        self.worker(index).send(Op::Open(index, Box::new(builder)));
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
        let worker = self.worker(remote.index);
        let buffer = &mut worker.batch.bytes;
        if buffer.capacity() == 0 {
            buffer.reserve(BATCH_BYTES.max(bytes.len()));
        }
        let from = buffer.len();
        buffer.extend_from_slice(bytes);
        let range = from..buffer.len();
        worker.send(Op::Push(remote.index, direction, range, meta));
    }

    pub(crate) fn gap(&mut self, remote: &Remote, direction: Direction, missing: u64) {
        self.worker(remote.index)
            .send(Op::Gap(remote.index, direction, missing));
    }

    /// The conversation is over: `skeleton` (everything but its result) is completed on
    /// its thread and given to the sink.
    pub(crate) fn close(&mut self, remote: Remote, skeleton: CaptureConversation, format: String) {
        debug_assert_eq!(remote.index, skeleton.index);
        self.worker(remote.index)
            .send(Op::Close(Box::new(skeleton), format));
    }

    /// Sends the operations batched so far (at the end of each slice of the file).
    pub(crate) fn flush(&mut self) {
        self.workers.iter_mut().for_each(Worker::flush);
    }

    /// Waits until every conversation handed over has gone to the sink. A panic of a
    /// thread is raised here.
    pub(crate) fn finish(&mut self) {
        for w in &mut self.workers {
            w.flush();
            w.ops = None;
        }
        for w in &mut self.workers {
            w.join();
        }
    }
}

impl Worker {
    fn send(&mut self, op: Op) {
        self.batch.ops.push(op);
        if self.batch.ops.len() >= BATCH_OPS || self.batch.bytes.len() >= BATCH_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.batch.ops.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let gone = match &self.ops {
            Some(ops) => ops.send(batch).is_err(),
            None => false,
        };
        if gone {
            // The thread stopped (it panicked): raise its panic.
            self.ops = None;
            self.join();
        }
    }

    fn join(&mut self) {
        if let Some(thread) = self.thread.take() {
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.ops = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(batches: Receiver<Batch>, sink: &ConversationSink) {
    let mut builders: HashMap<usize, Box<Builder>> = HashMap::new();
    for Batch { ops, bytes } in batches {
        for op in ops {
            apply(op, &bytes, &mut builders, sink);
        }
    }
}

/// One operation, its pushes' bytes in `bytes`.
fn apply(
    op: Op,
    bytes: &[u8],
    builders: &mut HashMap<usize, Box<Builder>>,
    sink: &ConversationSink,
) {
    match op {
        Op::Open(index, builder) => {
            builders.insert(index, builder);
        }
        Op::Push(index, direction, range, meta) => {
            if let Some(b) = builders.get_mut(&index) {
                b.push(direction, &bytes[range], meta);
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
