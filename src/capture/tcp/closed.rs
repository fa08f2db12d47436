//! The connections closed recently, remembered by 4-tuple so that their stragglers (the
//! last ACK after both FINs, a retransmitted FIN) do not open a connection of their own.

use std::collections::{HashMap, VecDeque};

use super::TupleKey;

/// How many closed tuples are remembered; the oldest is forgotten first. Stragglers come
/// within a round trip of the close, long before this many other connections close.
const REMEMBERED: usize = 65_536;

/// Where each side of a closed connection ended.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ends {
    /// The addresses of sides 0 and 1.
    pub(super) addresses: [crate::capture::SocketAddress; 2],
    /// Per side, the first sequence number past what it sent (`None`: it sent nothing).
    pub(super) horizons: [Option<u32>; 2],
}

impl Ends {
    /// Whether a segment without SYN from `source` at `seq` belongs to the closed
    /// connection: at or before where its side ended (RFC 9293 §3.4's modulo 2^32
    /// comparison), or from a side that never sent.
    pub(super) fn covers(&self, source: crate::capture::SocketAddress, seq: u32) -> bool {
        let side = usize::from(source != self.addresses[0]);
        match self.horizons[side] {
            Some(horizon) => (seq.wrapping_sub(horizon) as i32) <= 0,
            None => true,
        }
    }
}

/// The recently closed tuples, at most [`REMEMBERED`].
#[derive(Debug, Default)]
pub(super) struct Closed {
    ends: HashMap<TupleKey, (u64, Ends)>,
    order: VecDeque<(TupleKey, u64)>,
    closes: u64,
}

impl Closed {
    /// Remembers that the connection on `key` closed with these ends.
    pub(super) fn remember(&mut self, key: TupleKey, ends: Ends) {
        self.closes += 1;
        self.ends.insert(key, (self.closes, ends));
        self.order.push_back((key, self.closes));
        while self.order.len() > REMEMBERED {
            let Some((old, close)) = self.order.pop_front() else {
                break;
            };
            // Forget it only if the tuple has not closed again since.
            if self
                .ends
                .get(&old)
                .is_some_and(|(latest, _)| *latest == close)
            {
                self.ends.remove(&old);
            }
        }
    }

    /// How the connection last closed on `key` ended, if it is remembered.
    pub(super) fn get(&self, key: &TupleKey) -> Option<&Ends> {
        self.ends.get(key).map(|(_, ends)| ends)
    }

    /// Forgets `key`: a new connection uses it.
    pub(super) fn forget(&mut self, key: &TupleKey) {
        self.ends.remove(key);
    }
}
