//! A conversation saved as a pcapng Wireshark opens: Ethernet, IPv4 or IPv6, and one TCP
//! connection (handshake, data with matching sequence and acknowledgement numbers, FIN
//! both ways) carrying each direction's bytes.
//!
//! Block layouts are the pcapng draft's (draft-ietf-opsawg-pcapng, "PCAP Now Generic
//! (pcapng) Capture File Format"), written little-endian: a reader tells the byte order by
//! the Section Header Block's Byte-Order Magic.

use super::headers_out;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::direction::{Direction, Transcript};

/// The most payload one segment carries: an Ethernet MTU of 1500 less 20 bytes of IPv4,
/// 20 of TCP and 12 of the timestamp option most stacks send (a usual MSS).
const SEGMENT_PAYLOAD: usize = 1448;

/// The window each side advertises (RFC 9293 §3.1: "Window: 16 bits"; no window scale
/// option is sent, so this is the window in bytes).
const WINDOW: u16 = 65535;

/// Within one long chunk, the receiver acknowledges after this many segments, so the
/// sender never has more than [`WINDOW`] bytes unacknowledged (44 × 1448 = 63712).
const SEGMENTS_PER_ACK: usize = 44;

/// The client's initial sequence number (any value will do: RFC 9293 §3.4.1).
const CLIENT_ISN: u32 = 0x1000_0000;

/// The server's initial sequence number.
const SERVER_ISN: u32 = 0x2000_0000;

/// The client's and server's MAC addresses: locally administered (the 0x02 bit of the
/// first octet, IEEE 802), so they name no real interface.
const MACS: [[u8; 6]; 2] = [[0x02, 0, 0, 0, 0, 0x01], [0x02, 0, 0, 0, 0, 0x02]];

/// The section comment.
const COMMENT: &str = "written by wsinspect";

/// Default addresses: the documentation ranges of RFC 5737 (192.0.2.0/24) and RFC 3849
/// (2001:db8::/32).
const DEFAULT_V4: [Ipv4Addr; 2] = [Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2)];

/// The default ports: an ephemeral one (RFC 6335 §6: 49152-65535) and HTTP's.
const DEFAULT_PORTS: [u16; 2] = [49152, 80];

/// The conversation's bytes as a pcapng: one Ethernet interface; a TCP handshake (SYN,
/// SYN-ACK, ACK), each chunk as data segments of at most 1448 bytes with sequence and
/// acknowledgement numbers that match, an ACK from the other side after each chunk, and
/// FIN/ACK both ways at the end. Addresses and ports from the transcript, else 192.0.2.1:49152
/// (client) and 192.0.2.2:80 (server) (IPv6 when the addresses are IPv6); times from each
/// chunk's meta, else 1 ms apart from 0; a section comment "written by wsinspect".
///
/// A chunk longer than 44 segments is acknowledged every 44 segments as well, so no side
/// sends past the 65535-byte window. The transcript's gaps are not written as holes: each
/// direction's bytes follow one another.
pub fn write_pcapng(t: &Transcript) -> Vec<u8> {
    let mut out = Vec::new();
    section_header_block(&mut out);
    interface_description_block(&mut out);
    let mut connection = Connection::new(t);
    let mut clock = Clock::new(t);
    let (client, server) = (Direction::Client, Direction::Server);

    // RFC 9293 §3.5: the three-way handshake, "1) A --> B SYN my sequence number is X;
    // 2) A <-- B ACK your sequence number is X, SYN my sequence number is Y; 3) A --> B ACK
    // your sequence number is Y".
    for (from, flags) in [
        (client, Flags::SYN),
        (server, Flags::SYN_ACK),
        (client, Flags::ACK),
    ] {
        let time = clock.next(None);
        connection.packet(&mut out, time, from, flags, &[]);
    }
    for chunk in t.chunks.iter().filter(|c| !c.bytes.is_empty()) {
        let segments: Vec<&[u8]> = chunk.bytes.chunks(SEGMENT_PAYLOAD).collect();
        for (index, segment) in segments.iter().enumerate() {
            let time = if index == 0 {
                clock.next(chunk.meta.time)
            } else {
                clock.follow(chunk.meta.time)
            };
            let last = index + 1 == segments.len();
            let flags = if last { Flags::PSH_ACK } else { Flags::ACK };
            connection.packet(&mut out, time, chunk.direction, flags, segment);
            if last || (index + 1) % SEGMENTS_PER_ACK == 0 {
                let ack_time = clock.follow(chunk.meta.time);
                connection.packet(&mut out, ack_time, chunk.direction.other(), Flags::ACK, &[]);
            }
        }
    }
    // RFC 9293 §3.6: "the normal close sequence": each side's FIN is acknowledged.
    for (from, flags) in [
        (client, Flags::FIN_ACK),
        (server, Flags::FIN_ACK),
        (client, Flags::ACK),
    ] {
        let time = clock.next(None);
        connection.packet(&mut out, time, from, flags, &[]);
    }
    out
}

/// TCP control bits (RFC 9293 §3.1: "Control bits: The control bits are also known as
/// 'flags'").
#[derive(Clone, Copy, PartialEq)]
struct Flags {
    /// SYN: "Synchronize sequence numbers".
    syn: bool,
    /// ACK: "Acknowledgment field is significant".
    ack: bool,
    /// PSH: "Push function".
    psh: bool,
    /// FIN: "No more data from sender".
    fin: bool,
}

impl Flags {
    const SYN: Flags = Flags {
        syn: true,
        ack: false,
        psh: false,
        fin: false,
    };
    const SYN_ACK: Flags = Flags {
        syn: true,
        ack: true,
        psh: false,
        fin: false,
    };
    const ACK: Flags = Flags {
        syn: false,
        ack: true,
        psh: false,
        fin: false,
    };
    const PSH_ACK: Flags = Flags {
        syn: false,
        ack: true,
        psh: true,
        fin: false,
    };
    const FIN_ACK: Flags = Flags {
        syn: false,
        ack: true,
        psh: false,
        fin: true,
    };
}

/// Packet times: each chunk's own time when it has one (never earlier than the packet
/// before), else 1 ms after the packet before; the first packet at 0, or 3 ms before the
/// first chunk's time so the handshake precedes it.
struct Clock {
    /// The time of the packet written last; `None` before the first.
    last: Option<f64>,
}

impl Clock {
    /// One millisecond, the step between packets without a time.
    const STEP: f64 = 0.001;

    /// A clock whose first packet comes 3 ms before the first chunk's time, if any.
    fn new(t: &Transcript) -> Clock {
        let first = t
            .chunks
            .iter()
            .filter(|c| !c.bytes.is_empty())
            .find_map(|c| c.meta.time.filter(|time| time.is_finite()));
        let last = first.map(|time| (time - 4.0 * Clock::STEP).max(-Clock::STEP));
        Clock { last }
    }

    /// The next packet's time: `own` when it is a usable time, else one step on.
    fn next(&mut self, own: Option<f64>) -> f64 {
        let stepped = self.last.map_or(0.0, |last| last + Clock::STEP);
        let time = match (own.filter(|t| t.is_finite()), self.last) {
            (Some(own), Some(last)) => own.max(last),
            (Some(own), None) => own.max(0.0),
            (None, _) => stepped,
        };
        self.last = Some(time);
        time
    }

    /// A packet of the same chunk, or the answer to it: at the chunk's time when it has
    /// one, else one step on.
    fn follow(&mut self, chunk_time: Option<f64>) -> f64 {
        match (chunk_time.filter(|t| t.is_finite()), self.last) {
            (Some(_), Some(last)) => last,
            _ => self.next(None),
        }
    }
}

/// The connection's addresses and each side's next sequence number.
struct Connection {
    /// Client and server addresses, both IPv4 or both IPv6.
    addresses: [IpAddr; 2],
    /// Client and server ports.
    ports: [u16; 2],
    /// The next sequence number each side sends (RFC 9293 §3.3.1: SND.NXT).
    next_seq: [u32; 2],
    /// Whether each side's SYN was sent (until then it acknowledges nothing).
    synchronised: [bool; 2],
    /// Each side's IPv4 identification, counting up.
    ip_id: [u16; 2],
}

impl Connection {
    /// The transcript's addresses and ports, or the defaults.
    fn new(t: &Transcript) -> Connection {
        let parse = |e: &Option<crate::direction::Endpoint>| {
            e.as_ref().and_then(|e| {
                let bare = e.address.trim_start_matches('[').trim_end_matches(']');
                Some((bare.parse::<IpAddr>().ok()?, e.port))
            })
        };
        let (client, server) = (parse(&t.client), parse(&t.server));
        let v6 = [client, server]
            .iter()
            .flatten()
            .any(|(address, _)| address.is_ipv6());
        let default = |side: usize| -> IpAddr {
            if v6 {
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, side as u16 + 1))
            } else {
                IpAddr::V4(DEFAULT_V4[side])
            }
        };
        let pick = |side: usize, given: Option<(IpAddr, u16)>| -> IpAddr {
            match given {
                Some((IpAddr::V4(a), _)) if v6 => IpAddr::V6(a.to_ipv6_mapped()),
                Some((address, _)) => address,
                None => default(side),
            }
        };
        Connection {
            addresses: [pick(0, client), pick(1, server)],
            ports: [
                client.map_or(DEFAULT_PORTS[0], |(_, port)| port),
                server.map_or(DEFAULT_PORTS[1], |(_, port)| port),
            ],
            next_seq: [CLIENT_ISN, SERVER_ISN],
            synchronised: [false, false],
            ip_id: [0, 0],
        }
    }

    /// Writes one segment from `from` as an Enhanced Packet Block and moves its sequence
    /// number on.
    fn packet(
        &mut self,
        out: &mut Vec<u8>,
        time: f64,
        from: Direction,
        flags: Flags,
        payload: &[u8],
    ) {
        let (me, peer) = (from.index(), from.other().index());
        // RFC 9293 §3.4: "the acknowledgment number ... is the next sequence number the
        // sender of the acknowledgment expects to receive".
        let ack = if flags.ack && self.synchronised[peer] {
            self.next_seq[peer]
        } else {
            0
        };
        let bits = [
            (flags.syn, headers_out::SYN),
            (flags.ack, headers_out::ACK),
            (flags.psh, headers_out::PSH),
            (flags.fin, headers_out::FIN),
        ];
        let frame = headers_out::frame(&headers_out::Segment {
            macs: [MACS[me], MACS[peer]],
            addresses: [self.addresses[me], self.addresses[peer]],
            ports: [self.ports[me], self.ports[peer]],
            seq: self.next_seq[me],
            ack,
            flags: bits.iter().filter(|(on, _)| *on).map(|(_, bit)| bit).sum(),
            window: WINDOW,
            ip_id: self.ip_id[me],
            payload,
        });
        self.ip_id[me] = self.ip_id[me].wrapping_add(1);
        // RFC 9293 §3.4: "the SYN is considered to occur before the first actual data
        // octet of the segment", and the FIN after the last: each takes one sequence
        // number.
        let consumed = payload.len() as u32 + u32::from(flags.syn) + u32::from(flags.fin);
        self.next_seq[me] = self.next_seq[me].wrapping_add(consumed);
        if flags.syn {
            self.synchronised[me] = true;
        }
        enhanced_packet_block(out, time, &frame);
    }
}

/// Appends a block: Block Type, Block Total Length, the body padded to 32 bits, Block
/// Total Length again (pcapng §3.1: "Block Total Length: total size of this block ...
/// The block length is repeated at the end of the block").
fn block(out: &mut Vec<u8>, block_type: u32, body: &[u8]) {
    let padded = body.len().next_multiple_of(4);
    let total = (12 + padded) as u32;
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.resize(out.len() + padded - body.len(), 0);
    out.extend_from_slice(&total.to_le_bytes());
}

/// Appends an option (pcapng §3.5: "Option Code", "Option Length" (the value's length
/// without padding), "Option Value" padded to a 32-bit boundary).
fn option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    body.extend_from_slice(&code.to_le_bytes());
    body.extend_from_slice(&(value.len() as u16).to_le_bytes());
    body.extend_from_slice(value);
    body.resize(
        body.len() + value.len().next_multiple_of(4) - value.len(),
        0,
    );
}

/// Ends an options list (pcapng §3.5: "opt_endofopt: The opt_endofopt option delimits the
/// end of the optional fields").
fn end_of_options(body: &mut Vec<u8>) {
    option(body, 0, &[]);
}

/// The Section Header Block (pcapng §4.1, Block Type 0x0A0D0D0A).
fn section_header_block(out: &mut Vec<u8>) {
    let mut body = Vec::new();
    // "Byte-Order Magic: magic number, whose value is the hexadecimal number 0x1A2B3C4D".
    body.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    // "Major Version ... 1"; "Minor Version ... 0".
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    // "Section Length ... a value of -1 (0xFFFFFFFFFFFFFFFF) means that the size of the
    // section is not specified".
    body.extend_from_slice(&u64::MAX.to_le_bytes());
    // "opt_comment" (code 1): "a UTF-8 string containing human-readable comment text".
    option(&mut body, 1, COMMENT.as_bytes());
    // "shb_userappl" (code 4): "the name of the application used to create this section".
    let application = concat!("wsinspect ", env!("CARGO_PKG_VERSION"));
    option(&mut body, 4, application.as_bytes());
    end_of_options(&mut body);
    block(out, 0x0A0D_0D0A, &body);
}

/// The Interface Description Block (pcapng §4.2, Block Type 0x00000001).
fn interface_description_block(out: &mut Vec<u8>) {
    let mut body = Vec::new();
    // "LinkType: a value that defines the link layer type of this interface":
    // LINKTYPE_ETHERNET is 1.
    body.extend_from_slice(&1u16.to_le_bytes());
    // "Reserved: not used - MUST be filled with 0".
    body.extend_from_slice(&0u16.to_le_bytes());
    // "SnapLen: maximum number of octets captured from each packet ... A value of zero
    // signifies no limit."
    body.extend_from_slice(&0u32.to_le_bytes());
    // "if_tsresol" (code 9): "If the Most Significant Bit is equal to zero, the remaining
    // bits indicates the resolution of the timestamp as a negative power of 10": 9 is
    // nanoseconds.
    option(&mut body, 9, &[9]);
    end_of_options(&mut body);
    block(out, 0x0000_0001, &body);
}

/// An Enhanced Packet Block (pcapng §4.3, Block Type 0x00000006) on interface 0.
fn enhanced_packet_block(out: &mut Vec<u8>, time: f64, frame: &[u8]) {
    // "Timestamp (High) and Timestamp (Low): upper 32 bits and lower 32 bits of a 64-bit
    // timestamp ... in units of resolution specified by the if_tsresol option": here
    // nanoseconds since 1970-01-01 00:00:00 UTC. A negative or unrepresentable time is 0.
    let nanoseconds = (time * 1e9).round();
    let stamp = if nanoseconds.is_finite() && nanoseconds >= 0.0 && nanoseconds < u64::MAX as f64 {
        nanoseconds as u64
    } else {
        0
    };
    let mut body = Vec::with_capacity(20 + frame.len());
    // "Interface ID: ... the interface this packet comes from".
    body.extend_from_slice(&0u32.to_le_bytes());
    body.extend_from_slice(&((stamp >> 32) as u32).to_le_bytes());
    body.extend_from_slice(&(stamp as u32).to_le_bytes());
    // "Captured Packet Length" and "Original Packet Length": the whole frame is kept.
    body.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    body.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    // "Packet Data: the data coming from the network, including link-layer headers ...
    // padded with octets of value 0 to a 32-bit boundary" (block() pads it).
    body.extend_from_slice(frame);
    block(out, 0x0000_0006, &body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direction::{ChunkMeta, DirectedChunk};

    fn chunk(direction: Direction, bytes: &[u8], time: Option<f64>) -> DirectedChunk {
        DirectedChunk {
            direction,
            bytes: bytes.to_vec(),
            meta: ChunkMeta { time, packet: None },
        }
    }

    /// Splits a pcapng into its blocks: (type, body), checking both lengths agree.
    fn blocks(file: &[u8]) -> Vec<(u32, Vec<u8>)> {
        let mut at = 0;
        let mut found = Vec::new();
        while at < file.len() {
            let word = |i: usize| u32::from_le_bytes(file[i..i + 4].try_into().unwrap());
            let (kind, total) = (word(at), word(at + 4) as usize);
            assert_eq!(total % 4, 0);
            assert_eq!(word(at + total - 4) as usize, total);
            found.push((kind, file[at + 8..at + total - 4].to_vec()));
            at += total;
        }
        found
    }

    #[test]
    fn packets_follow_the_handshake_chunks_and_close() {
        let t = Transcript {
            chunks: vec![
                chunk(Direction::Client, b"hello", None),
                chunk(Direction::Server, &[7; 3000], None),
            ],
            ..Transcript::default()
        };
        let file = write_pcapng(&t);
        let found = blocks(&file);
        let kinds: Vec<u32> = found.iter().map(|(k, _)| *k).collect();
        // SHB, IDB, 3 handshake, 1 + ACK, 3 segments (1448 + 1448 + 104) + ACK, 3 close.
        assert_eq!(kinds[..2], [0x0A0D_0D0A, 1]);
        assert_eq!(kinds.len(), 2 + 3 + 2 + 4 + 3);
        assert!(kinds[2..].iter().all(|k| *k == 6));
        let times: Vec<u64> = found[2..]
            .iter()
            .map(|(_, b)| {
                let high = u64::from(u32::from_le_bytes(b[4..8].try_into().unwrap()));
                high << 32 | u64::from(u32::from_le_bytes(b[8..12].try_into().unwrap()))
            })
            .collect();
        let expected: Vec<u64> = (0..times.len() as u64).map(|i| i * 1_000_000).collect();
        assert_eq!(times, expected);
        let lengths: Vec<u32> = found[2..]
            .iter()
            .map(|(_, b)| u32::from_le_bytes(b[12..16].try_into().unwrap()))
            .collect();
        assert_eq!(lengths[5], 14 + 20 + 20 + 1448);
        assert_eq!(lengths[7], 14 + 20 + 20 + 104);
    }

    #[test]
    fn chunk_times_set_packet_times() {
        let t = Transcript {
            chunks: vec![chunk(Direction::Client, b"x", Some(1000.5))],
            ..Transcript::default()
        };
        let found = blocks(&write_pcapng(&t));
        let time = |b: &[u8]| {
            let high = u64::from(u32::from_le_bytes(b[4..8].try_into().unwrap()));
            high << 32 | u64::from(u32::from_le_bytes(b[8..12].try_into().unwrap()))
        };
        assert_eq!(time(&found[2].1), 1_000_497_000_000);
        assert_eq!(time(&found[5].1), 1_000_500_000_000);
        assert_eq!(time(&found[6].1), 1_000_500_000_000);
        assert_eq!(time(&found[7].1), 1_000_501_000_000);
    }
}
