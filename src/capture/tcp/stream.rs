//! One direction of a TCP connection: its segments placed by sequence number into a byte
//! stream, delivered in order, with the holes a capture lost reported as gaps.

use std::collections::BTreeMap;

use super::recent::Recent;
use super::{ConnectionId, TcpEvent};
use crate::capture::{CaptureNotice, CaptureNoticeId};

/// What a waiting piece of the stream holds.
#[derive(Debug)]
enum Content {
    /// Captured bytes, copied because they arrived before the bytes ahead of them.
    Bytes(Vec<u8>),
    /// Bytes a packet carried but the capture cut off (its snapshot length): a gap when
    /// delivery reaches them, unless a later copy of them fills it first.
    Missing(u64),
}

/// A run of the stream that arrived out of order and waits for the hole before it.
#[derive(Debug)]
struct Piece {
    content: Content,
    packet: u64,
    time: Option<f64>,
}

/// What a waiting piece costs besides its bytes (its map entry and bookkeeping, rounded
/// up), counted against the cap so that a flood of tiny pieces is bounded too.
pub(super) const PIECE_OVERHEAD: usize = 64;

impl Piece {
    /// The memory the piece holds, as counted against the cap.
    fn cost(&self) -> usize {
        match &self.content {
            Content::Bytes(bytes) => bytes.len() + PIECE_OVERHEAD,
            Content::Missing(_) => PIECE_OVERHEAD,
        }
    }

    /// How many stream bytes the piece covers.
    fn len(&self) -> u64 {
        match &self.content {
            Content::Bytes(bytes) => bytes.len() as u64,
            Content::Missing(length) => *length,
        }
    }
}

/// A run of a new segment that no earlier copy covers.
#[derive(Clone, Copy)]
enum Fresh<'a> {
    Bytes(&'a [u8]),
    Missing(u64),
}

impl Fresh<'_> {
    fn len(&self) -> u64 {
        match self {
            Fresh::Bytes(bytes) => bytes.len() as u64,
            Fresh::Missing(length) => *length,
        }
    }

    /// The part of the run from `skip` bytes in, `length` long.
    fn slice(&self, skip: u64, length: u64) -> Self {
        match self {
            Fresh::Bytes(bytes) => Fresh::Bytes(&bytes[skip as usize..(skip + length) as usize]),
            Fresh::Missing(_) => Fresh::Missing(length),
        }
    }
}

/// The packet a segment came in and its time: what its events carry.
#[derive(Clone, Copy)]
pub(super) struct Origin {
    pub(super) packet: u64,
    pub(super) time: Option<f64>,
}

/// One side's byte stream. Delivered bytes are never kept: only out-of-order pieces wait,
/// at most about `max_pending` bytes of them.
#[derive(Debug)]
pub(super) struct Stream {
    connection: ConnectionId,
    side: usize,
    /// The sequence number of stream offset 0: the SYN's plus one (RFC 9293 §3.4: "the
    /// SYN is considered to occur before the first actual data octet"), or without a SYN
    /// the first sequence number seen. `None` until the side sends.
    base: Option<u32>,
    /// The initial sequence number, when this side's SYN was seen.
    isn: Option<u32>,
    /// The stream offset of the next byte to deliver: everything before it is delivered
    /// or reported as a gap.
    next: u64,
    /// Out-of-order pieces by stream offset; they never overlap and all start after `next`.
    pending: BTreeMap<u64, Piece>,
    /// What `pending` holds: its bytes, plus [`PIECE_OVERHEAD`] per piece.
    held: usize,
    /// The stream offset the FIN occupies, once seen.
    fin: Option<u64>,
    /// The newest delivered bytes, to compare retransmissions with (`None`: not kept, the
    /// connection is not decoded).
    recent: Option<Recent>,
}

impl Stream {
    /// A side that has not sent yet.
    pub(super) fn new(connection: ConnectionId, side: usize) -> Stream {
        Stream {
            connection,
            side,
            base: None,
            isn: None,
            next: 0,
            pending: BTreeMap::new(),
            held: 0,
            fin: None,
            recent: Some(Recent::default()),
        }
    }

    /// Keeps no delivered bytes from now on.
    pub(super) fn quiet(&mut self) {
        self.recent = None;
    }

    /// The initial sequence number, when the side's SYN was seen.
    pub(super) fn isn(&self) -> Option<u32> {
        self.isn
    }

    /// The side's SYN: "the sequence number of the first data octet in this segment
    /// (except when SYN is present. If SYN is present the sequence number is the initial
    /// sequence number (ISN) and the first data octet is ISN+1)" (RFC 9293 §3.1).
    pub(super) fn start_at_syn(&mut self, isn: u32) {
        if self.base.is_none() {
            self.isn = Some(isn);
            self.base = Some(isn.wrapping_add(1));
        }
    }

    /// A side whose SYN is not in the capture starts at the first sequence number seen.
    pub(super) fn start_at(&mut self, seq: u32) {
        if self.base.is_none() {
            self.base = Some(seq);
        }
    }

    /// The stream offset of sequence number `seq`, negative before the stream's start.
    /// Sequence numbers wrap at 2^32 ("all arithmetic dealing with sequence numbers must be
    /// performed modulo 2**32", RFC 9293 §3.4): `seq` is read as the nearest offset to the
    /// next one expected, within 2^31 either way, so offsets keep counting past 4 GiB.
    pub(super) fn offset_of(&self, seq: u32) -> i128 {
        let base = self.base.unwrap_or(seq);
        let expected = base.wrapping_add(self.next as u32);
        let delta = seq.wrapping_sub(expected) as i32;
        i128::from(self.next) + i128::from(delta)
    }

    /// The first sequence number past everything this side sent that the capture holds
    /// (its FIN included): a later segment at or before it belongs to this stream.
    pub(super) fn horizon(&self) -> Option<u32> {
        let base = self.base?;
        let waiting = self
            .pending
            .last_key_value()
            .map_or(0, |(start, piece)| start + piece.len());
        let fin = self.fin.map_or(0, |fin| fin + 1);
        Some(base.wrapping_add(self.next.max(waiting).max(fin) as u32))
    }

    /// Records the FIN at stream offset `offset` (the first FIN seen counts).
    pub(super) fn finish_at(&mut self, offset: i128) {
        if self.fin.is_none() {
            self.fin = u64::try_from(offset).ok();
        }
    }

    /// What the out-of-order pieces hold, as counted against the cap.
    pub(super) fn held(&self) -> usize {
        self.held
    }

    /// Whether the side's FIN was seen and every byte before it delivered.
    pub(super) fn finished(&self) -> bool {
        self.fin.is_some_and(|fin| self.next >= fin) && self.pending.is_empty()
    }

    /// Takes a segment's payload at stream offset `offset`: `payload` captured, then
    /// `uncaptured` bytes the capture cut off. Delivers what is now in order, keeps what
    /// is ahead of a hole, and when more than `max_pending` bytes wait, gives up on holes.
    pub(super) fn take(
        &mut self,
        offset: i128,
        payload: &[u8],
        uncaptured: u32,
        origin: Origin,
        max_pending: usize,
        sink: &mut dyn FnMut(TcpEvent<'_>),
    ) {
        let missing_at = offset + payload.len() as i128;
        self.take_fresh(offset, Fresh::Bytes(payload), origin, sink);
        if uncaptured > 0 && missing_at + i128::from(uncaptured) > i128::from(self.next) {
            self.notice(
                CaptureNoticeId::Snaplen,
                origin.packet,
                format!(
                "packet {} was cut by the capture's snapshot length: {uncaptured} bytes at stream \
                 offset {missing_at} of connection {} side {} are missing",
                origin.packet, self.connection, self.side
            ),
                sink,
            );
            self.take_fresh(
                missing_at,
                Fresh::Missing(u64::from(uncaptured)),
                origin,
                sink,
            );
        }
        if self.held > max_pending {
            self.give_up_holes(max_pending, origin.packet, sink);
        }
    }

    /// Places one run of a segment: what lies before the stream's start is dropped with a
    /// notice, what was delivered already is a retransmission (dropped silently), the
    /// rest is taken where earlier copies do not cover it.
    fn take_fresh(
        &mut self,
        offset: i128,
        fresh: Fresh<'_>,
        origin: Origin,
        sink: &mut dyn FnMut(TcpEvent<'_>),
    ) {
        let length = i128::from(fresh.len());
        if length == 0 {
            return;
        }
        let mut skip = 0;
        if offset < 0 {
            skip = length.min(-offset);
            if let Fresh::Bytes(_) = fresh {
                self.report_before_start(skip, origin.packet, sink);
            }
        }
        // "If a segment's contents straddle the boundary between old and new, only the new
        // parts should be processed" (RFC 9293 §3.10.7.4): bytes before `next` were
        // delivered; a copy of them that differs is reported (the first copy stays).
        if let (Fresh::Bytes(bytes), Ok(at)) = (fresh, u64::try_from(offset.max(0))) {
            let delivered = &bytes[..usize::try_from(i128::from(self.next) - offset)
                .unwrap_or(0)
                .min(bytes.len())];
            let start = usize::try_from(skip).unwrap_or(0).min(delivered.len());
            let differs = self
                .recent
                .as_ref()
                .and_then(|r| r.differs(at, &delivered[start..]));
            if let Some((differs, first)) = differs {
                self.report_conflict(differs, first, origin.packet, sink);
            }
        }
        skip = skip.max(i128::from(self.next) - offset);
        if skip >= length {
            return;
        }
        let (Ok(start), Ok(skip)) = (u64::try_from(offset + skip), u64::try_from(skip)) else {
            return;
        };
        let fresh = fresh.slice(skip, fresh.len() - skip);
        if self.pending.is_empty() {
            // The usual case, in order or the first piece ahead of a hole: nothing to
            // compare with, nothing to fill.
            self.take_run(start, fresh, origin, sink);
            return;
        }
        if let Fresh::Bytes(_) = fresh {
            self.fill_missing(start, start + fresh.len());
        }
        for (run_start, run) in self.uncovered_runs(start, fresh, origin.packet, sink) {
            self.take_run(run_start, run, origin, sink);
        }
    }

    /// The parts of `fresh` (at `start`) that no waiting piece covers. Where a waiting
    /// piece holds other bytes for the same offsets, a notice names both packets: the
    /// first copy wins.
    fn uncovered_runs<'a>(
        &self,
        start: u64,
        fresh: Fresh<'a>,
        packet: u64,
        sink: &mut dyn FnMut(TcpEvent<'_>),
    ) -> Vec<(u64, Fresh<'a>)> {
        let end = start + fresh.len();
        let mut runs = Vec::new();
        let mut cursor = start;
        for (&piece_start, piece) in self.overlapping(start, end) {
            let piece_end = piece_start + piece.len();
            if piece_start > cursor {
                runs.push((cursor, fresh.slice(cursor - start, piece_start - cursor)));
            }
            if let (Fresh::Bytes(new), Content::Bytes(old)) = (fresh, &piece.content) {
                let from = piece_start.max(start);
                let to = piece_end.min(end);
                let new = &new[(from - start) as usize..(to - start) as usize];
                let old = &old[(from - piece_start) as usize..(to - piece_start) as usize];
                if let Some(at) = new.iter().zip(old).position(|(a, b)| a != b) {
                    self.report_conflict(from + at as u64, piece.packet, packet, sink);
                }
            }
            cursor = cursor.max(piece_end);
        }
        if cursor < end {
            runs.push((cursor, fresh.slice(cursor - start, end - cursor)));
        }
        runs
    }

    /// The waiting pieces that share a byte with `start..end`, in order.
    fn overlapping(&self, start: u64, end: u64) -> impl Iterator<Item = (&u64, &Piece)> {
        let before = self
            .pending
            .range(..start)
            .next_back()
            .filter(|(&piece_start, piece)| piece_start + piece.len() > start);
        before.into_iter().chain(self.pending.range(start..end))
    }

    /// Bytes that arrived for `start..end` fill the parts of a snaplen cut still waiting
    /// there: the cut pieces shrink to what stays missing.
    fn fill_missing(&mut self, start: u64, end: u64) {
        let cut: Vec<u64> = self
            .overlapping(start, end)
            .filter(|(_, piece)| matches!(piece.content, Content::Missing(_)))
            .map(|(&piece_start, _)| piece_start)
            .collect();
        for piece_start in cut {
            let Some(piece) = self.release(piece_start) else {
                continue;
            };
            let piece_end = piece_start + piece.len();
            for (from, to) in [(piece_start, start), (end, piece_end)] {
                if from < to {
                    let content = Content::Missing(to - from);
                    self.hold(from, Piece { content, ..piece });
                }
            }
        }
    }

    /// A run no earlier copy covers: delivered at once when it is next, else kept.
    fn take_run(
        &mut self,
        start: u64,
        run: Fresh<'_>,
        origin: Origin,
        sink: &mut dyn FnMut(TcpEvent<'_>),
    ) {
        if start == self.next {
            self.deliver(run, origin, sink);
            self.deliver_ready(sink);
        } else {
            let content = match run {
                Fresh::Bytes(bytes) => Content::Bytes(bytes.to_vec()),
                Fresh::Missing(length) => Content::Missing(length),
            };
            let piece = Piece {
                content,
                packet: origin.packet,
                time: origin.time,
            };
            self.hold(start, piece);
        }
    }

    /// Keeps a piece until the stream reaches it.
    fn hold(&mut self, start: u64, piece: Piece) {
        self.held += piece.cost();
        self.pending.insert(start, piece);
    }

    /// Takes back the piece at `start`.
    fn release(&mut self, start: u64) -> Option<Piece> {
        let piece = self.pending.remove(&start)?;
        self.held -= piece.cost();
        Some(piece)
    }

    /// Hands the run at `next` to the sink: bytes as data, a snaplen cut as a gap.
    fn deliver(&mut self, run: Fresh<'_>, origin: Origin, sink: &mut dyn FnMut(TcpEvent<'_>)) {
        let (connection, side, offset) = (self.connection, self.side, self.next);
        if let Fresh::Bytes(bytes) = run {
            if let Some(recent) = &mut self.recent {
                recent.record(offset, bytes, origin.packet);
            }
        }
        match run {
            Fresh::Bytes(bytes) => sink(TcpEvent::Data {
                connection,
                side,
                offset,
                bytes,
                packet: origin.packet,
                time: origin.time,
            }),
            Fresh::Missing(length) => sink(TcpEvent::Gap {
                connection,
                side,
                offset,
                length,
                packet: origin.packet,
            }),
        }
        self.next += run.len();
    }

    /// Delivers the waiting pieces the stream has now reached.
    fn deliver_ready(&mut self, sink: &mut dyn FnMut(TcpEvent<'_>)) {
        while let Some((&start, _)) = self.pending.first_key_value() {
            if start > self.next {
                return;
            }
            let Some(piece) = self.release(start) else {
                return;
            };
            let origin = Origin {
                packet: piece.packet,
                time: piece.time,
            };
            // Pieces never overlap what was delivered; were one to, only its new part goes.
            let skip = self.next - start;
            if skip < piece.len() {
                let run = match &piece.content {
                    Content::Bytes(bytes) => Fresh::Bytes(bytes),
                    Content::Missing(length) => Fresh::Missing(*length),
                };
                self.deliver(run.slice(skip, piece.len() - skip), origin, sink);
            }
        }
    }

    /// The first hole never filled: a gap up to the piece after it, which is delivered
    /// (with whatever follows it in order). Returns false when nothing waits.
    pub(super) fn skip_hole(&mut self, sink: &mut dyn FnMut(TcpEvent<'_>)) -> bool {
        let Some((&start, piece)) = self.pending.first_key_value() else {
            return false;
        };
        if start > self.next {
            let origin = Origin {
                packet: piece.packet,
                time: None,
            };
            self.deliver(Fresh::Missing(start - self.next), origin, sink);
        }
        self.deliver_ready(sink);
        true
    }

    /// Every hole still waiting becomes a gap, every piece is delivered.
    pub(super) fn drain(&mut self, sink: &mut dyn FnMut(TcpEvent<'_>)) {
        while self.skip_hole(sink) {}
    }

    /// More than `max_pending` out-of-order bytes wait (counted with their pieces'
    /// overhead): the holes before them become gaps at once, until no more than the cap
    /// waits, so memory stays bounded.
    fn give_up_holes(
        &mut self,
        max_pending: usize,
        packet: u64,
        sink: &mut dyn FnMut(TcpEvent<'_>),
    ) {
        self.notice(
            CaptureNoticeId::OutOfOrderCap,
            packet,
            format!(
                "connection {} side {}: {} out-of-order bytes wait for a hole at stream offset {} \
             (packet {packet}), more than the {max_pending} allowed: the hole is a gap",
                self.connection, self.side, self.held, self.next
            ),
            sink,
        );
        while self.held > max_pending && self.skip_hole(sink) {}
    }

    /// Bytes before the stream's start: dropped, never delivered at a negative offset.
    fn report_before_start(&self, count: i128, packet: u64, sink: &mut dyn FnMut(TcpEvent<'_>)) {
        // Without its SYN the stream starts at the first byte seen; this is why.
        let id = if self.isn.is_some() {
            CaptureNoticeId::Other
        } else {
            CaptureNoticeId::MidStream
        };
        self.notice(
            id,
            packet,
            format!(
            "packet {packet} carries {count} bytes before the start of connection {} side {}'s \
             stream: dropped",
            self.connection, self.side
        ),
            sink,
        );
    }

    /// Two copies of the same stream bytes differ: the first is kept.
    fn report_conflict(
        &self,
        offset: u64,
        first: u64,
        second: u64,
        sink: &mut dyn FnMut(TcpEvent<'_>),
    ) {
        self.notice(
            CaptureNoticeId::OverlapConflict,
            second,
            format!(
                "packet {second} carries bytes that differ from packet {first}'s at stream offset \
             {offset} of connection {} side {}: packet {first}'s are kept",
                self.connection, self.side
            ),
            sink,
        );
    }

    /// A notice about this connection, concerning `packet`.
    fn notice(
        &self,
        id: CaptureNoticeId,
        packet: u64,
        message: String,
        sink: &mut dyn FnMut(TcpEvent<'_>),
    ) {
        let notice = CaptureNotice {
            id,
            message,
            packet: Some(packet),
            offset: None,
        };
        sink(TcpEvent::Notice {
            connection: Some(self.connection),
            notice,
        });
    }
}
