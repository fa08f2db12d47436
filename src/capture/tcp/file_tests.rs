//! The reassembler on real captures: loopback traffic recorded by tcpdump, reordered and
//! duplicated by a script, cut by editcap; the expected streams are tshark's Follow TCP
//! Stream of the original (tests/fixtures/captures/README.md says how each was made).

use std::net::{IpAddr, Ipv4Addr};

use super::{Reassembler, ReassemblyOptions, TcpEvent};
use crate::capture::{CaptureNoticeId, TcpSegment};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/captures/");

/// A packet of a classic pcap file (Ethernet, IPv4, TCP), its payload owned.
struct Packet {
    segment: TcpSegment<'static>,
}

/// The TCP segments of a classic little-endian pcap of Ethernet frames: a reader just
/// large enough for the fixtures (no options, no fragments, no VLANs).
fn read_pcap(name: &str) -> Vec<Packet> {
    let data = std::fs::read(format!("{FIXTURES}{name}")).expect("the fixture");
    assert_eq!(data[..4], [0xd4, 0xc3, 0xb2, 0xa1], "little-endian pcap");
    let u16be = |b: &[u8], at: usize| usize::from(u16::from_be_bytes([b[at], b[at + 1]]));
    let u32le = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let mut packets = Vec::new();
    let mut at = 24;
    while at + 16 <= data.len() {
        let caplen = u32le(&data, at + 8) as usize;
        let frame = &data[at + 16..at + 16 + caplen];
        at += 16 + caplen;
        let ip = &frame[14..];
        let (ihl, total) = (usize::from(ip[0] & 15) * 4, u16be(ip, 2));
        let address =
            |at: usize| IpAddr::V4(Ipv4Addr::new(ip[at], ip[at + 1], ip[at + 2], ip[at + 3]));
        let tcp = &ip[ihl..];
        let header = usize::from(tcp[12] >> 4) * 4;
        let flags = tcp[13];
        let captured = &tcp[header.min(tcp.len())..(total - ihl).min(tcp.len())];
        let segment = TcpSegment {
            source: (address(12), u16be(tcp, 0) as u16),
            destination: (address(16), u16be(tcp, 2) as u16),
            seq: u32::from_be_bytes(tcp[4..8].try_into().unwrap()),
            syn: flags & 2 != 0,
            ack: flags & 16 != 0,
            fin: flags & 1 != 0,
            rst: flags & 4 != 0,
            payload: Vec::leak(captured.to_vec()),
            uncaptured: (total - ihl - header - captured.len()) as u32,
            packet: packets.len() as u64 + 1,
            time: None,
        };
        packets.push(Packet { segment });
    }
    packets
}

/// tshark's streams: per connection, per side, the bytes.
fn followed() -> Vec<[Vec<u8>; 2]> {
    let text = std::fs::read_to_string(format!("{FIXTURES}tcp-loopback.follow")).unwrap();
    let mut streams: Vec<[Vec<u8>; 2]> = Vec::new();
    for line in text.lines() {
        let mut fields = line.split(' ');
        let (Some(connection), Some(side), hex) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let (connection, side): (usize, usize) =
            (connection.parse().unwrap(), side.parse().unwrap());
        let hex = hex.unwrap_or("").as_bytes();
        let bytes = hex
            .chunks(2)
            .map(|h| u8::from_str_radix(std::str::from_utf8(h).unwrap(), 16).unwrap());
        streams.resize_with(streams.len().max(connection + 1), Default::default);
        streams[connection][side] = bytes.collect();
    }
    streams
}

/// What the reassembler made of a capture: per connection and side, the stream with its
/// gaps as `None` bytes; the notices' ids; the connections closed before the end.
struct Reassembled {
    streams: Vec<[Vec<Option<u8>>; 2]>,
    notices: Vec<CaptureNoticeId>,
    closed_early: usize,
}

fn reassemble(name: &str) -> Reassembled {
    let mut reassembler = Reassembler::new(ReassemblyOptions::default());
    let mut result = Reassembled {
        streams: Vec::new(),
        notices: Vec::new(),
        closed_early: 0,
    };
    let ended = std::cell::Cell::new(false);
    let mut sink = |event: TcpEvent<'_>| match event {
        TcpEvent::Opened {
            connection,
            syn_seen,
            ..
        } => {
            assert!(syn_seen);
            assert_eq!(connection, result.streams.len());
            result.streams.push(Default::default());
        }
        TcpEvent::Data {
            connection,
            side,
            offset,
            bytes,
            ..
        } => {
            let stream = &mut result.streams[connection][side];
            assert_eq!(offset, stream.len() as u64);
            stream.extend(bytes.iter().map(|&b| Some(b)));
        }
        TcpEvent::Gap {
            connection,
            side,
            offset,
            length,
            ..
        } => {
            let stream = &mut result.streams[connection][side];
            assert_eq!(offset, stream.len() as u64);
            stream.extend(std::iter::repeat_n(None, length as usize));
        }
        TcpEvent::Notice { notice, .. } => result.notices.push(notice.id),
        TcpEvent::Closed { .. } => result.closed_early += usize::from(!ended.get()),
    };
    for packet in read_pcap(name) {
        reassembler.push(&packet.segment, &mut sink);
    }
    ended.set(true);
    reassembler.end(&mut sink);
    result
}

/// The expected streams with every byte present.
fn whole(streams: &[[Vec<u8>; 2]]) -> Vec<[Vec<Option<u8>>; 2]> {
    streams
        .iter()
        .map(|sides| sides.clone().map(|s| s.into_iter().map(Some).collect()))
        .collect()
}

#[test]
fn a_loopback_capture_reassembles_to_tsharks_streams() {
    let expected = followed();
    assert_eq!(expected.len(), 2);
    let result = reassemble("tcp-loopback.pcap");
    assert!(
        result.streams == whole(&expected),
        "the streams differ from tshark's"
    );
    assert!(result.notices.is_empty(), "{:?}", result.notices);
    assert_eq!(
        result.closed_early, 2,
        "FIN both ways closes each connection"
    );
}

#[test]
fn reordered_and_duplicated_packets_reassemble_to_the_same_streams() {
    let result = reassemble("tcp-shuffled.pcap");
    assert!(
        result.streams == whole(&followed()),
        "the streams differ from tshark's"
    );
    assert!(result.notices.is_empty(), "{:?}", result.notices);
    assert_eq!(result.closed_early, 2);
}

#[test]
fn packets_cut_by_editcap_leave_gaps_where_their_bytes_were() {
    let expected = followed();
    let cut = read_pcap("tcp-snaplen.pcap")
        .iter()
        .filter(|p| p.segment.uncaptured > 0)
        .count();
    assert!(cut > 10);
    let result = reassemble("tcp-snaplen.pcap");
    assert_eq!(
        result
            .notices
            .iter()
            .filter(|&&id| id == CaptureNoticeId::Snaplen)
            .count(),
        cut
    );
    assert_eq!(result.notices.len(), cut);
    for (sides, wanted) in result.streams.iter().zip(&expected) {
        for (stream, wanted) in sides.iter().zip(wanted) {
            assert_eq!(stream.len(), wanted.len());
            for (got, want) in stream.iter().zip(wanted) {
                assert!(got.is_none_or(|b| b == *want));
            }
            assert!(stream.iter().any(Option::is_none) && stream.iter().any(Option::is_some));
        }
    }
}
