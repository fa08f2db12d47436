//! TCP reassembly: each connection's two byte streams, in sequence-number order, with
//! the holes a capture lost reported as gaps.
//!
//! Connections are keyed by their 4-tuple, either way round. A side's segments are placed
//! by sequence number ([`stream`]); in-order bytes go to the sink as borrowed slices and
//! are not kept, only out-of-order pieces wait, at most [`ReassemblyOptions::max_pending`]
//! bytes per side.

mod closed;
#[cfg(test)]
mod file_tests;
mod fuzz;
mod recent;
mod stream;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use closed::{Closed, Ends};
pub use fuzz::fuzz_reassemble;
use stream::{Origin, Stream};

use crate::capture::{CaptureNotice, CaptureNoticeId, SocketAddress, TcpSegment};

/// A connection's number: 0, 1, 2... in the order of their first packet.
pub(crate) type ConnectionId = usize;

/// A 4-tuple with the lower address first, so that both directions find the connection.
type TupleKey = (SocketAddress, SocketAddress);

/// How the reassembler bounds its memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReassemblyOptions {
    /// Out-of-order bytes that may wait for a hole, per direction, each waiting piece
    /// counted with 64 bytes of bookkeeping besides its bytes (so that a flood of tiny
    /// pieces is bounded too): past it, the hole becomes a gap at once.
    pub(crate) max_pending: usize,
}

impl Default for ReassemblyOptions {
    /// 4 MiB per direction.
    fn default() -> Self {
        ReassemblyOptions {
            max_pending: 4 << 20,
        }
    }
}

/// What reassembly tells its sink, in capture order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TcpEvent<'a> {
    /// A new connection: side 0 is the initiator (the SYN's sender; without a SYN, the
    /// sender of the first packet seen), side 1 the other.
    Opened {
        connection: ConnectionId,
        initiator: SocketAddress,
        responder: SocketAddress,
        syn_seen: bool,
        packet: u64,
        time: Option<f64>,
    },
    /// In-order bytes of one side's stream, starting at `offset` (stream offset: 0 is the
    /// first byte after that side's SYN; without its SYN, the first byte seen).
    Data {
        connection: ConnectionId,
        side: usize,
        offset: u64,
        bytes: &'a [u8],
        packet: u64,
        time: Option<f64>,
    },
    /// A hole that never filled: `length` bytes at `offset` of that side's stream missing;
    /// `packet` is the packet whose bytes come after the hole.
    Gap {
        connection: ConnectionId,
        side: usize,
        offset: u64,
        length: u64,
        packet: u64,
    },
    /// Something reassembly skipped, assumed or found odd.
    Notice {
        connection: Option<ConnectionId>,
        notice: CaptureNotice,
    },
    /// The connection is over (RST, FIN both ways and all bytes delivered, a new SYN
    /// reusing its 4-tuple, or end of capture): no more events for it.
    Closed { connection: ConnectionId },
}

/// One connection being reassembled.
#[derive(Debug)]
struct Connection {
    id: ConnectionId,
    /// The addresses of side 0 (the initiator) and side 1.
    addresses: [SocketAddress; 2],
    streams: [Stream; 2],
}

impl Connection {
    /// Which side sent from `source`.
    fn side_of(&self, source: SocketAddress) -> usize {
        usize::from(source != self.addresses[0])
    }

    /// Every hole becomes a gap, every waiting byte is delivered, then the connection is
    /// closed. Returns where its sides ended, for its stragglers.
    fn close(mut self, sink: &mut dyn FnMut(TcpEvent<'_>)) -> Ends {
        let horizons = [self.streams[0].horizon(), self.streams[1].horizon()];
        for stream in &mut self.streams {
            stream.drain(sink);
        }
        sink(TcpEvent::Closed {
            connection: self.id,
        });
        Ends {
            addresses: self.addresses,
            horizons,
        }
    }
}

/// Reassembles the TCP connections of a capture, segment by segment.
#[derive(Debug)]
pub(crate) struct Reassembler {
    options: ReassemblyOptions,
    open: HashMap<TupleKey, Connection>,
    closed: Closed,
    opened: usize,
}

impl Reassembler {
    /// A reassembler with no connections yet.
    pub(crate) fn new(options: ReassemblyOptions) -> Reassembler {
        Reassembler {
            options,
            open: HashMap::new(),
            closed: Closed::default(),
            opened: 0,
        }
    }

    /// How many connections were opened.
    pub(crate) fn connections(&self) -> usize {
        self.opened
    }

    /// Stops keeping a connection's delivered bytes for comparison (the caller does not
    /// decode it: only its order and gaps matter, and its retransmissions are not judged).
    pub(crate) fn quiet(&mut self, connection: ConnectionId) {
        if let Some(c) = self.open.values_mut().find(|c| c.id == connection) {
            c.streams.iter_mut().for_each(Stream::quiet);
        }
    }

    /// Takes the next segment of the capture.
    pub(crate) fn push(&mut self, segment: &TcpSegment<'_>, sink: &mut dyn FnMut(TcpEvent<'_>)) {
        let key = tuple_key(segment.source, segment.destination);
        if segment.syn && !segment.ack && self.is_new_syn(&key, segment) {
            // A SYN with a new ISN on a used tuple starts a new incarnation of the
            // connection ("segments from one incarnation of a connection ... an earlier
            // incarnation", RFC 9293 §3.4.1): the old one is over.
            if let Some(old) = self.open.remove(&key) {
                let ends = old.close(sink);
                self.closed.remember(key, ends);
            }
        }
        if !self.open.contains_key(&key) && !self.open_for(key, segment, sink) {
            return;
        }
        let max_pending = self.options.max_pending;
        let Some(connection) = self.open.get_mut(&key) else {
            return;
        };
        let side = connection.side_of(segment.source);
        if segment.rst {
            // "In all states except SYN-SENT, all reset (RST) segments are validated by
            // checking their SEQ fields" (RFC 9293 §3.5.3): the capture holds no window
            // to check against, so every RST ends the connection. Its data, if any, is
            // "diagnostic data that explains the cause of the RST" (ibid.), not stream
            // bytes.
            self.close(key, sink);
            return;
        }
        let stream = &mut connection.streams[side];
        if segment.syn {
            stream.start_at_syn(segment.seq);
        } else {
            stream.start_at(segment.seq);
        }
        // "If SYN is present ... the first data octet is ISN+1" (RFC 9293 §3.1).
        let offset = stream.offset_of(segment.seq.wrapping_add(u32::from(segment.syn)));
        let origin = Origin {
            packet: segment.packet,
            time: segment.time,
        };
        stream.take(
            offset,
            segment.payload,
            segment.uncaptured,
            origin,
            max_pending,
            sink,
        );
        if segment.fin {
            // The FIN occupies the sequence number after the segment's data (§3.4).
            let length = segment.payload.len() as i128 + i128::from(segment.uncaptured);
            stream.finish_at(offset + length);
        }
        if connection.streams.iter().all(Stream::finished) {
            self.close(key, sink);
        }
    }

    /// End of capture: every hole still waiting becomes a gap, the bytes after it are
    /// delivered, every connection is closed (in connection order).
    pub(crate) fn end(&mut self, sink: &mut dyn FnMut(TcpEvent<'_>)) {
        let mut connections: Vec<Connection> = self.open.drain().map(|(_, c)| c).collect();
        connections.sort_by_key(|connection| connection.id);
        for connection in connections {
            connection.close(sink);
        }
    }

    /// Whether a SYN without ACK starts a new connection: it does unless its sender's
    /// side of the open connection on the tuple has the same ISN (a retransmitted SYN).
    fn is_new_syn(&self, key: &TupleKey, segment: &TcpSegment<'_>) -> bool {
        self.open.get(key).is_none_or(|connection| {
            let side = connection.side_of(segment.source);
            connection.streams[side].isn() != Some(segment.seq)
        })
    }

    /// Opens a connection for a segment on a tuple with none open. Returns false for a
    /// segment that opens nothing: a straggler of a connection closed on the tuple, or a
    /// RST (which would close it at once).
    fn open_for(
        &mut self,
        key: TupleKey,
        segment: &TcpSegment<'_>,
        sink: &mut dyn FnMut(TcpEvent<'_>),
    ) -> bool {
        let straggler = self
            .closed
            .get(&key)
            .is_some_and(|ends| ends.covers(segment.source, segment.seq));
        if (!segment.syn && straggler) || segment.rst {
            return false;
        }
        self.closed.forget(&key);
        // The SYN's sender initiates; a SYN-ACK's receiver did; without either, the
        // sender of the first packet seen is taken for the initiator.
        let syn_seen = segment.syn && !segment.ack;
        let (initiator, responder) = if segment.syn && segment.ack {
            (segment.destination, segment.source)
        } else {
            (segment.source, segment.destination)
        };
        let id = self.opened;
        self.opened += 1;
        let streams = [Stream::new(id, 0), Stream::new(id, 1)];
        let connection = Connection {
            id,
            addresses: [initiator, responder],
            streams,
        };
        self.open.insert(key, connection);
        sink(TcpEvent::Opened {
            connection: id,
            initiator,
            responder,
            syn_seen,
            packet: segment.packet,
            time: segment.time,
        });
        if !syn_seen {
            let message = format!(
                "connection {id} ({} to {}) starts without its SYN at packet {}: each side's \
                 stream starts at the first byte seen",
                show(initiator),
                show(responder),
                segment.packet
            );
            let notice = CaptureNotice {
                id: CaptureNoticeId::MidStream,
                message,
                packet: Some(segment.packet),
                offset: None,
            };
            sink(TcpEvent::Notice {
                connection: Some(id),
                notice,
            });
        }
        true
    }

    /// Closes the connection on `key` and remembers where it ended.
    fn close(&mut self, key: TupleKey, sink: &mut dyn FnMut(TcpEvent<'_>)) {
        if let Some(connection) = self.open.remove(&key) {
            let ends = connection.close(sink);
            self.closed.remember(key, ends);
        }
    }
}

/// The tuple's key, the same both ways round.
fn tuple_key(a: SocketAddress, b: SocketAddress) -> TupleKey {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// An address as people write it: `10.0.0.1:80`, `[::1]:443`.
fn show(address: SocketAddress) -> String {
    std::net::SocketAddr::from(address).to_string()
}
