//! The fuzz target's entry: arbitrary bytes read as a sequence of segments on two
//! 4-tuples, pushed through a [`Reassembler`], with what the events promise checked.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use super::{ConnectionId, Reassembler, ReassemblyOptions, Stream, TcpEvent};
use crate::capture::TcpSegment;

/// The initial sequence numbers the fuzz segments count from, per side: near 2^32 and
/// 2^31, so that short streams wrap.
const BASES: [u32; 2] = [0xffff_ff00, 0x7fff_fff0];

/// Reads `bytes` as segments (a header of six bytes each: flags, sequence number (two
/// bytes, plus a third shifted to the top when the "far" flag is set), payload length,
/// uncaptured length; the payload is generated from the sequence numbers) and pushes them
/// through a reassembler, then ends the capture. Panics if an event breaks a promise: a
/// connection's events before its `Opened` or after its `Closed`, a side's data or gaps
/// not contiguous from offset 0 or empty, a side holding more than the cap after a
/// segment, a byte that is not the one sent at its offset (when no segment was
/// corrupted), a connection left open at the end.
#[doc(hidden)]
pub fn fuzz_reassemble(bytes: &[u8]) {
    let Some((&cap, mut rest)) = bytes.split_first() else {
        return;
    };
    let max_pending = usize::from(cap) * 16;
    let mut reassembler = Reassembler::new(ReassemblyOptions { max_pending });
    let mut checker = Checker {
        exact: !rest.chunks(6).any(|header| header[0] & 0x20 != 0),
        ..Checker::default()
    };
    let mut packet = 0;
    while let [flags, seq_low, seq_high, far, length, cut, tail @ ..] = rest {
        rest = tail;
        packet += 1;
        let side = usize::from(flags & 1);
        let tuple = u16::from(flags >> 6 & 1);
        let ends = [address(1, 40000 + tuple), address(2, 80)];
        let mut seq =
            BASES[side].wrapping_add(u32::from(u16::from_le_bytes([*seq_low, *seq_high])));
        if flags & 0x80 != 0 {
            seq = seq.wrapping_add(u32::from(*far) << 24);
        }
        let syn = flags & 2 != 0;
        let first = seq.wrapping_add(u32::from(syn));
        let mut payload: Vec<u8> = (0..u32::from(*length))
            .map(|i| pattern(first.wrapping_add(i), side))
            .collect();
        if flags & 0x20 != 0 {
            payload.iter_mut().for_each(|b| *b = !*b);
        }
        let segment = TcpSegment {
            source: ends[side],
            destination: ends[1 - side],
            seq,
            syn,
            ack: flags & 4 != 0,
            fin: flags & 8 != 0,
            rst: flags & 0x10 != 0,
            payload: &payload,
            uncaptured: u32::from(cut.saturating_sub(200)),
            packet,
            time: None,
        };
        reassembler.push(&segment, &mut |event| checker.check(event));
        // Memory stays bounded: past the cap, holes become gaps until it holds again.
        let streams = reassembler.open.values().flat_map(|c| &c.streams);
        assert!(streams.map(Stream::held).all(|held| held <= max_pending));
    }
    reassembler.end(&mut |event| checker.check(event));
    assert_eq!(reassembler.connections(), checker.opened);
    assert!(checker.streams.is_empty(), "a connection was never closed");
    assert!(reassembler.open.is_empty());
}

/// 127.0.0.`host`:`port`.
fn address(host: u8, port: u16) -> (IpAddr, u16) {
    (IpAddr::V4(Ipv4Addr::new(127, 0, 0, host)), port)
}

/// The byte sent at sequence number `seq` by `side`.
fn pattern(seq: u32, side: usize) -> u8 {
    (seq as u8).wrapping_add(side as u8 * 0x55)
}

/// What the events have promised so far.
#[derive(Default)]
struct Checker {
    /// Connections opened.
    opened: usize,
    /// Per open connection and side: the next stream offset, and the byte value at
    /// offset 0 once known (every byte is `value0 + offset`).
    streams: HashMap<ConnectionId, [(u64, Option<u8>); 2]>,
    /// Whether no segment was corrupted, so every byte can be checked.
    exact: bool,
}

impl Checker {
    fn check(&mut self, event: TcpEvent<'_>) {
        match event {
            TcpEvent::Opened {
                connection,
                initiator,
                responder,
                ..
            } => {
                assert_eq!(connection, self.opened);
                assert_ne!(initiator, responder);
                self.opened += 1;
                self.streams.insert(connection, [(0, None); 2]);
            }
            TcpEvent::Data {
                connection,
                side,
                offset,
                bytes,
                ..
            } => {
                let exact = self.exact;
                let (next, value0) = self.side(connection, side);
                assert_eq!(offset, *next, "data not where the stream is");
                assert!(!bytes.is_empty());
                if exact {
                    let zero = *value0.get_or_insert(bytes[0].wrapping_sub(offset as u8));
                    for (i, &b) in bytes.iter().enumerate() {
                        assert_eq!(b, zero.wrapping_add((offset + i as u64) as u8));
                    }
                }
                *next += bytes.len() as u64;
            }
            TcpEvent::Gap {
                connection,
                side,
                offset,
                length,
                ..
            } => {
                let (next, _) = self.side(connection, side);
                assert_eq!(offset, *next, "gap not where the stream is");
                assert!(length > 0);
                *next += length;
            }
            TcpEvent::Notice { connection, notice } => {
                if let Some(connection) = connection {
                    assert!(self.streams.contains_key(&connection));
                }
                assert!(!notice.message.is_empty() && notice.packet.is_some());
            }
            TcpEvent::Closed { connection } => {
                assert!(self.streams.remove(&connection).is_some());
            }
        }
    }

    fn side(&mut self, connection: ConnectionId, side: usize) -> &mut (u64, Option<u8>) {
        let streams = self
            .streams
            .get_mut(&connection)
            .expect("an open connection");
        &mut streams[side]
    }
}
