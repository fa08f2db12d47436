//! The last bytes a stream delivered, with the packets that carried them: a later copy
//! of them (a retransmission) is compared, so two copies that differ are reported even
//! when the first was already delivered. Only the newest [`RECENT`] bytes are kept.

use std::collections::VecDeque;

/// How many delivered bytes are kept per direction (a retransmission re-sends recent,
/// unacknowledged data; older copies are not compared).
pub(super) const RECENT: usize = 16 * 1024;

#[derive(Debug, Default)]
pub(super) struct Recent {
    bytes: VecDeque<u8>,
    /// Stream offset just after the last byte kept.
    end: u64,
    /// Where each delivered run starts, and its packet.
    runs: VecDeque<(u64, u64)>,
}

impl Recent {
    /// Stream offset of the first byte kept.
    fn start(&self) -> u64 {
        self.end - self.bytes.len() as u64
    }

    /// Bytes delivered at `offset` (always the stream's next offset).
    pub(super) fn record(&mut self, offset: u64, bytes: &[u8], packet: u64) {
        if offset != self.end {
            // A gap came between: nothing before it is comparable.
            self.bytes.clear();
            self.runs.clear();
        }
        let keep = &bytes[bytes.len().saturating_sub(RECENT)..];
        self.bytes.extend(keep);
        self.end = offset + bytes.len() as u64;
        self.runs.push_back((offset, packet));
        let over = self.bytes.len().saturating_sub(RECENT);
        self.bytes.drain(..over);
        let start = self.start();
        while self.runs.len() > 1 && self.runs[1].0 <= start {
            self.runs.pop_front();
        }
    }

    /// The first offset where `bytes` (at `offset`) differ from the bytes kept, and the
    /// packet that carried the kept byte there.
    pub(super) fn differs(&self, offset: u64, bytes: &[u8]) -> Option<(u64, u64)> {
        let from = offset.max(self.start());
        let to = (offset + bytes.len() as u64).min(self.end);
        (from..to)
            .find(|&at| self.bytes[(at - self.start()) as usize] != bytes[(at - offset) as usize])
            .map(|at| {
                let packet = self
                    .runs
                    .iter()
                    .rev()
                    .find(|run| run.0 <= at)
                    .map_or(0, |run| run.1);
                (at, packet)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_differing_copy_names_the_first_packet() {
        let mut r = Recent::default();
        r.record(0, b"hello ", 4);
        r.record(6, b"world", 5);
        assert_eq!(r.differs(3, b"lo wo"), None);
        assert_eq!(r.differs(3, b"lo Wo"), Some((6, 5)));
        assert_eq!(r.differs(0, b"jello"), Some((0, 4)));
        assert_eq!(r.differs(11, b"!!"), None, "nothing kept there");
    }

    #[test]
    fn only_the_newest_bytes_are_kept() {
        let mut r = Recent::default();
        r.record(0, &vec![1; RECENT], 1);
        r.record(RECENT as u64, &[2; 10], 2);
        assert_eq!(r.differs(0, &[9; 10]), None, "dropped");
        assert_eq!(
            r.differs(RECENT as u64 - 1, &[1, 3]),
            Some((RECENT as u64, 2))
        );
        r.record(RECENT as u64 + 50, &[3], 3);
        assert_eq!(r.differs(RECENT as u64, &[9]), None, "a gap forgets");
    }
}
