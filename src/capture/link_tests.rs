//! Headers by link type: the fixtures' TCP segments are checked against tshark in
//! file_tests.rs; here what is not TCP, a snaplen cut, and packets built by hand.

use super::*;
use crate::capture::file::{FileEvent, FileReader};

/// A RawPacket over `data` with this link type.
fn raw(link_type: u32, data: &[u8]) -> RawPacket<'_> {
    RawPacket {
        number: 7,
        time: Some(1.25),
        link_type,
        data,
        original_len: data.len() as u32,
        offset: 0,
        comment: None,
    }
}

/// An IPv4 header (20 bytes) for `protocol`, `total_len`, flags and fragment offset.
fn ipv4(protocol: u8, total_len: u16, fragment: u16) -> Vec<u8> {
    let mut h = vec![
        0x45, 0, 0, 0, 0, 0, 0, 0, 64, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    h[2..4].copy_from_slice(&total_len.to_be_bytes());
    h[6..8].copy_from_slice(&fragment.to_be_bytes());
    h
}

/// A 20-byte TCP header from port 80 to 5000, seq 1000, with these flags.
fn tcp(flags: u8) -> Vec<u8> {
    let mut h = vec![
        0, 80, 0x13, 0x88, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0x50, flags, 1, 0, 0, 0, 0, 0,
    ];
    h[13] = flags;
    h
}

#[test]
fn raw_ip_tcp_with_flags_packet_and_time() {
    let data = [ipv4(6, 43, 0), tcp(0x05), b"abc".to_vec()].concat();
    for link_type in [101, 12, 14, 228] {
        let Ok(LinkRead::Tcp(s)) = read_packet(&raw(link_type, &data)) else {
            panic!("link type {link_type}");
        };
        assert_eq!((s.source.1, s.destination.1, s.seq), (80, 5000, 1000));
        assert_eq!((s.syn, s.ack, s.fin, s.rst), (false, false, true, true));
        assert_eq!((s.payload, s.uncaptured), (&b"abc"[..], 0));
        assert_eq!((s.packet, s.time), (7, Some(1.25)));
    }
}

#[test]
fn null_and_loop_headers_in_either_byte_order() {
    let packet = [ipv4(6, 40, 0), tcp(0x02)].concat();
    for (link_type, family) in [(0, 2u32.to_le_bytes()), (108, 2u32.to_be_bytes())] {
        let data = [&family[..], &packet].concat();
        let read = read_packet(&raw(link_type, &data));
        assert!(
            matches!(read, Ok(LinkRead::Tcp(ref s)) if s.syn),
            "{read:?}"
        );
    }
}

#[test]
fn udp_fragments_and_others_are_named() {
    let udp = [ipv4(17, 28, 0), vec![0; 8]].concat();
    assert_eq!(read_packet(&raw(101, &udp)), Ok(LinkRead::Udp));
    // More fragments (0x2000), offset 0: the first fragment of a TCP segment.
    let fragment = [ipv4(6, 40, 0x2000), tcp(0x10)].concat();
    assert_eq!(read_packet(&raw(101, &fragment)), Ok(LinkRead::Fragment));
    let icmp = [ipv4(1, 28, 0), vec![8, 0, 0, 0, 0, 0, 0, 0]].concat();
    assert_eq!(
        read_packet(&raw(101, &icmp)),
        Ok(LinkRead::Other("icmp".into()))
    );
    let mut lldp = vec![0u8; 12];
    lldp.extend_from_slice(&[0x88, 0xcc, 0, 0]);
    assert_eq!(
        read_packet(&raw(1, &lldp)),
        Ok(LinkRead::Other("ether type 0x88cc".into()))
    );
    assert_eq!(
        read_packet(&raw(147, &udp)),
        Ok(LinkRead::UnknownLinkType(147))
    );
}

#[test]
fn a_cut_tcp_header_is_an_error_and_a_cut_payload_is_uncaptured() {
    // The IP header declares 20 + 20 + 100 bytes; 10 payload bytes were captured.
    let cut = [ipv4(6, 140, 0), tcp(0x18), vec![7; 10]].concat();
    let Ok(LinkRead::Tcp(s)) = read_packet(&raw(101, &cut)) else {
        panic!("{:?}", read_packet(&raw(101, &cut)));
    };
    assert_eq!((s.payload.len(), s.uncaptured), (10, 90));
    let header_cut = &cut[..30];
    let error = read_packet(&raw(101, header_cut)).expect_err("tcp header cut");
    assert!(error.contains("needed"), "{error}");
}

#[test]
fn the_snaplen_fixture_counts_uncaptured_bytes() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/captures/ws-snaplen.pcap"
    );
    let bytes = std::fs::read(path).unwrap();
    let mut uncaptured = Vec::new();
    FileReader::new()
        .push(&bytes, &mut |event| {
            if let FileEvent::Packet(p) = event {
                if let Ok(LinkRead::Tcp(s)) = read_packet(&p) {
                    assert!(p.data.len() <= 96, "cut at the snaplen");
                    uncaptured.push(s.uncaptured);
                }
            }
        })
        .unwrap();
    // The 3000-byte message's segment is cut at 96 bytes; the handshake's are not.
    assert!(uncaptured.iter().any(|&u| u > 2900), "{uncaptured:?}");
    assert!(uncaptured.contains(&0));
}

#[test]
fn fuzz_entry_reads_the_fixtures() {
    for name in ["ws-lo.pcap", "blocks.pcapng", "two-sections.pcapng"] {
        let path = format!(
            "{}/tests/fixtures/captures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(path).unwrap();
        fuzz_read_capture(&bytes);
        fuzz_read_capture(&bytes[..bytes.len() / 2]);
    }
}
