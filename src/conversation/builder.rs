//! A whole conversation built as its bytes come: each direction's chunks and gaps pushed
//! in, the result taken at the end. What [`decode_transcript`](super::decode_transcript)
//! and a capture's connections both use, so neither holds the raw chunks until the end.

use super::one_shot::finish;
use super::{Conversation, ConversationOptions, ConversationOutput, ConversationResult};
use crate::direction::{ChunkMeta, Direction};
use crate::transcript::Gap;

pub(crate) struct Builder {
    conversation: Conversation,
    out: ConversationOutput,
    /// Each direction's bytes up to its first gap (the result's `streams`).
    streams: [Vec<u8>; 2],
    gapped: [bool; 2],
    /// `streams` is not kept.
    without_streams: bool,
    /// Bytes pushed each way.
    pub(crate) present: [u64; 2],
}

impl Builder {
    pub(crate) fn new(options: ConversationOptions) -> Builder {
        Builder::keeping(options, true)
    }

    /// A builder that keeps each direction's bytes for the result's `streams` or not.
    pub(crate) fn keeping(options: ConversationOptions, streams: bool) -> Builder {
        Builder {
            without_streams: !streams,
            conversation: Conversation::new(options),
            out: ConversationOutput::default(),
            streams: [Vec::new(), Vec::new()],
            gapped: [false, false],
            present: [0, 0],
        }
    }

    /// A direction's next bytes.
    pub(crate) fn push(&mut self, direction: Direction, bytes: &[u8], meta: ChunkMeta) {
        let d = direction.index();
        if !self.gapped[d] && !self.without_streams {
            self.streams[d].extend_from_slice(bytes);
        }
        self.present[d] += bytes.len() as u64;
        self.conversation
            .push_into(direction, bytes, meta, &mut self.out);
    }

    /// `missing` bytes of a direction never came.
    pub(crate) fn gap(&mut self, direction: Direction, missing: u64) {
        self.gapped[direction.index()] = true;
        let out = self.conversation.gap(direction, missing);
        self.out.append(out);
    }

    /// Pushes chunks in the order given, each gap once its direction has been fed up to
    /// the gap's offset (counted in the bytes present), the rest at the end.
    pub(crate) fn feed<'a>(
        &mut self,
        chunks: impl IntoIterator<Item = (Direction, &'a [u8], ChunkMeta)>,
        gaps: &[Gap],
    ) {
        let mut pending: Vec<&Gap> = gaps.iter().collect();
        let mut fed = [0u64; 2];
        for (direction, bytes, meta) in chunks {
            let d = direction.index();
            pending.retain(|g| {
                let due = g.direction == direction && g.offset <= fed[d];
                if due {
                    self.gap(direction, g.missing);
                }
                !due
            });
            self.push(direction, bytes, meta);
            fed[d] += bytes.len() as u64;
        }
        for g in pending {
            self.gap(g.direction, g.missing);
        }
    }

    /// Ends both directions; the result on one timeline.
    pub(crate) fn finish(mut self, format: String) -> ConversationResult {
        let end = self.conversation.end();
        self.out.append(end);
        let mut result = finish(format, self.conversation, self.out);
        result.streams = self.streams;
        result
    }
}
