//! parse_transcript on every recorded form: directions, endpoints, exact bytes, packet
//! numbers and times, all compared with what tshark says about the same capture.

mod transcripts;

use transcripts::{fixture, payloads};
use wsinspect::{parse_transcript, Direction, Transcript};

/// fixture, capture, format (N: the capture's packet count), the address of both sides (empty: the form names none),
/// whether chunks carry packet numbers and tcpdump's time of day.
const FORMS: &[(&str, &str, &str, &str, bool, bool)] = &[
    (
        "lo4.follow-raw.txt",
        "lo4",
        "tshark follow, raw, 2 directions",
        "127.0.0.1",
        false,
        false,
    ),
    (
        "lo4.follow-hex.txt",
        "lo4",
        "tshark follow, hex, 2 directions",
        "127.0.0.1",
        false,
        false,
    ),
    (
        "lo4.tshark-x.txt",
        "lo4",
        "tshark -x packet dump, N packets",
        "127.0.0.1",
        true,
        false,
    ),
    (
        "lo4.tcpdump-xx.txt",
        "lo4",
        "tcpdump -xx packet dump, N packets",
        "127.0.0.1",
        true,
        true,
    ),
    (
        "lo4.tcpdump-XX.txt",
        "lo4",
        "tcpdump -XX packet dump, N packets",
        "127.0.0.1",
        true,
        true,
    ),
    (
        "lo6.follow-raw.txt",
        "lo6",
        "tshark follow, raw, 2 directions",
        "::1",
        false,
        false,
    ),
    (
        "lo6.follow-hex.txt",
        "lo6",
        "tshark follow, hex, 2 directions",
        "::1",
        false,
        false,
    ),
    (
        "lo6.tshark-x.txt",
        "lo6",
        "tshark -x packet dump, N packets",
        "::1",
        true,
        false,
    ),
    (
        "lo6.tcpdump-xx.txt",
        "lo6",
        "tcpdump -xx packet dump, N packets",
        "::1",
        true,
        true,
    ),
    (
        "lo6.tcpdump-XX.txt",
        "lo6",
        "tcpdump -XX packet dump, N packets",
        "::1",
        true,
        true,
    ),
    (
        "any4.follow-raw.txt",
        "any4",
        "tshark follow, raw, 2 directions",
        "127.0.0.1",
        false,
        false,
    ),
    (
        "any4.follow-hex.txt",
        "any4",
        "tshark follow, hex, 2 directions",
        "127.0.0.1",
        false,
        false,
    ),
    (
        "any4.tshark-x.txt",
        "any4",
        "tshark -x packet dump, N packets",
        "127.0.0.1",
        true,
        false,
    ),
    (
        "any4.tcpdump-xx.txt",
        "any4",
        "tcpdump -xx packet dump, N packets",
        "127.0.0.1",
        true,
        true,
    ),
    (
        "any4.tcpdump-XX.txt",
        "any4",
        "tcpdump -XX packet dump, N packets",
        "127.0.0.1",
        true,
        true,
    ),
    (
        "sll4.follow-raw.txt",
        "sll4",
        "tshark follow, raw, 2 directions",
        "127.0.0.1",
        false,
        false,
    ),
    (
        "sll4.follow-hex.txt",
        "sll4",
        "tshark follow, hex, 2 directions",
        "127.0.0.1",
        false,
        false,
    ),
    (
        "sll4.tshark-x.txt",
        "sll4",
        "tshark -x packet dump, N packets",
        "127.0.0.1",
        true,
        false,
    ),
    (
        "sll4.tcpdump-xx.txt",
        "sll4",
        "tcpdump -xx packet dump, N packets",
        "127.0.0.1",
        true,
        true,
    ),
    (
        "sll4.tcpdump-XX.txt",
        "sll4",
        "tcpdump -XX packet dump, N packets",
        "127.0.0.1",
        true,
        true,
    ),
    (
        "null4.tshark-x.txt",
        "null4",
        "tshark -x packet dump, N packets",
        "127.0.0.1",
        true,
        false,
    ),
    (
        "null4.tcpdump-xx.txt",
        "null4",
        "tcpdump -xx packet dump, N packets",
        "127.0.0.1",
        true,
        true,
    ),
    (
        "vlan4.tshark-x.txt",
        "vlan4",
        "tshark -x packet dump, N packets",
        "127.0.0.1",
        true,
        false,
    ),
    (
        "vlan4.tcpdump-xx.txt",
        "vlan4",
        "tcpdump -xx packet dump, N packets",
        "127.0.0.1",
        true,
        true,
    ),
    (
        "raw4.tshark-x.txt",
        "raw4",
        "tshark -x packet dump, N packets",
        "127.0.0.1",
        true,
        false,
    ),
    (
        "raw4.tcpdump-xx.txt",
        "raw4",
        "tcpdump -x packet dump, N packets",
        "127.0.0.1",
        true,
        true,
    ),
    (
        "lo4.wireshark-hexdump.txt",
        "lo4",
        "wireshark follow, hex dump, 2 directions",
        "",
        false,
        false,
    ),
    (
        "lo4.wireshark-carrays.txt",
        "lo4",
        "wireshark follow, c arrays, 2 directions",
        "",
        true,
        false,
    ),
    (
        "lo6.wireshark-hexdump.txt",
        "lo6",
        "wireshark follow, hex dump, 2 directions",
        "",
        false,
        false,
    ),
    (
        "lo6.wireshark-carrays.txt",
        "lo6",
        "wireshark follow, c arrays, 2 directions",
        "",
        true,
        false,
    ),
];

fn read(name: &str) -> Transcript {
    parse_transcript(&fixture(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .unwrap_or_else(|| panic!("{name}: not recognised"))
}

#[test]
fn every_form_gives_tsharks_payloads() {
    for &(name, capture, format, address, numbered, timed) in FORMS {
        let transcript = read(name);
        let (client_port, expected) = payloads(capture);
        let packets = fixture(&format!("{capture}.payloads")).lines().count();
        let format = format.replace('N', &packets.to_string());
        assert_eq!(transcript.format, format, "{name}");
        if address.is_empty() {
            assert_eq!(
                (&transcript.client, &transcript.server),
                (&None, &None),
                "{name}"
            );
        } else {
            let client = transcript.client.clone().expect(name);
            let server = transcript.server.clone().expect(name);
            assert_eq!(
                (client.address.as_str(), client.port),
                (address, client_port),
                "{name}"
            );
            assert_eq!(
                (server.address.as_str(), server.port),
                (address, 8765),
                "{name}"
            );
        }
        assert!(transcript.gaps.is_empty(), "{name}: {:?}", transcript.gaps);
        assert_eq!(transcript.chunks.len(), expected.len(), "{name}");
        for (chunk, want) in transcript.chunks.iter().zip(&expected) {
            assert_eq!(
                chunk.direction, want.direction,
                "{name} packet {}",
                want.packet
            );
            assert_eq!(chunk.bytes, want.bytes, "{name} packet {}", want.packet);
            let packet = numbered.then_some(want.packet);
            assert_eq!(chunk.meta.packet, packet, "{name}");
            match timed {
                true => {
                    let time = chunk.meta.time.expect(name);
                    let of_day = want.epoch.rem_euclid(86400.0);
                    assert!((time - of_day).abs() < 1e-6, "{name}: {time} vs {of_day}");
                }
                false => assert_eq!(chunk.meta.time, None, "{name}"),
            }
        }
        for direction in Direction::BOTH {
            let got: Vec<u8> = transcript
                .chunks
                .iter()
                .filter(|c| c.direction == direction)
                .flat_map(|c| c.bytes.clone())
                .collect();
            let want: Vec<u8> = expected
                .iter()
                .filter(|p| p.direction == direction)
                .flat_map(|p| p.bytes.clone())
                .collect();
            assert_eq!(got, want, "{name} {direction}");
        }
    }
}

#[test]
fn the_link_layer_found_is_noted() {
    for (name, link) in [
        ("lo4.tshark-x.txt", "ethernet"),
        ("any4.tshark-x.txt", "linux cooked v2"),
        ("lo6.tcpdump-xx.txt", "ethernet"),
        ("sll4.tshark-x.txt", "linux cooked v1"),
        ("null4.tshark-x.txt", "bsd null/loopback"),
        ("raw4.tcpdump-xx.txt", "raw ip"),
        ("vlan4.tshark-x.txt", "ethernet"),
    ] {
        assert_eq!(read(name).notes, [format!("link layer: {link}")], "{name}");
    }
}
