//! Packet dumps that are not tidy: segments swapped, sent twice or lost, and packets of
//! other protocols and connections. The expected bytes are tshark's own reassembly
//! (`-qz follow,tcp,raw,0` of the same capture) and its sequence numbers.

mod transcripts;

use transcripts::fixture;
use wsinspect::{parse_transcript, Direction, Gap, Transcript};

fn read(name: &str) -> Transcript {
    parse_transcript(&fixture(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .unwrap_or_else(|| panic!("{name}: not recognised"))
}

/// Each direction's bytes as tshark's follow output gives them, read without our
/// parser: node 0's lines at the margin, node 1's after a tab.
fn tshark_streams(name: &str) -> [Vec<u8>; 2] {
    let text = fixture(name);
    let mut streams = [Vec::new(), Vec::new()];
    for line in text.lines() {
        let (side, hex) = match line.strip_prefix('\t') {
            Some(hex) => (1, hex),
            None => (0, line),
        };
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        for i in (0..hex.len()).step_by(2) {
            streams[side].push(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
        }
    }
    streams
}

fn stream(transcript: &Transcript, direction: Direction) -> Vec<u8> {
    transcript
        .chunks
        .iter()
        .filter(|c| c.direction == direction)
        .flat_map(|c| c.bytes.clone())
        .collect()
}

/// tshark's fields of one packet: (source port, raw seq, payload length).
fn tshark_packet(capture: &str, number: u64) -> (u16, u32, u64) {
    let text = fixture(&format!("{capture}.payloads"));
    let row: Vec<&str> = text
        .lines()
        .nth(number as usize - 1)
        .unwrap()
        .split('\t')
        .collect();
    (
        row[2].parse().unwrap(),
        row[3].parse().unwrap(),
        row[4].len() as u64 / 2,
    )
}

#[test]
fn swapped_and_repeated_segments_come_out_in_order_once() {
    for name in ["messy4.tshark-x.txt", "messy4.tcpdump-xx.txt"] {
        let transcript = read(name);
        let [client, server] = tshark_streams("messy4.follow-raw.txt");
        assert_eq!(stream(&transcript, Direction::Client), client, "{name}");
        assert_eq!(stream(&transcript, Direction::Server), server, "{name}");
        assert!(transcript.gaps.is_empty(), "{name}");
        // The client's segments in sequence order: packet 12 (sent second) before 10.
        let packets: Vec<u64> = transcript
            .chunks
            .iter()
            .filter(|c| c.direction == Direction::Client)
            .map(|c| c.meta.packet.unwrap())
            .collect();
        assert_eq!(packets, [6, 12, 10, 14, 17, 19], "{name}");
        assert_eq!(
            transcript.notes,
            [
                "link layer: ethernet",
                "packet 3 skipped: not tcp (udp)",
                "packet 4 skipped: of another tcp connection",
            ],
            "{name}"
        );
        assert_eq!(
            transcript.client.unwrap().port,
            tshark_packet("messy4", 1).0
        );
    }
}

#[test]
fn a_lost_segment_is_a_gap_not_glue() {
    let transcript = read("gap4.tshark-x.txt");
    // tshark: packet 8 is the client's last segment before the hole, 11 the first after.
    let (_, before_seq, before_len) = tshark_packet("gap4", 8);
    let (_, after_seq, _) = tshark_packet("gap4", 11);
    let missing = u64::from(after_seq - before_seq) - before_len;
    let (_, first_seq, first_len) = tshark_packet("gap4", 4);
    let offset = u64::from(before_seq - first_seq) + before_len;
    assert_eq!(first_len, 268);
    assert_eq!(
        transcript.gaps,
        [Gap {
            direction: Direction::Client,
            offset,
            missing,
            packet: Some(11),
        }]
    );
    // The bytes around the hole are tshark's, without the text tshark puts in the hole.
    let [client, server] = tshark_streams("gap4.follow-raw.txt");
    let marker = format!("[{missing} bytes missing in capture file]\0");
    let at = offset as usize;
    assert_eq!(&client[at..at + marker.len()], marker.as_bytes());
    let mut without = client.clone();
    without.drain(at..at + marker.len());
    assert_eq!(stream(&transcript, Direction::Client), without);
    assert_eq!(stream(&transcript, Direction::Server), server);

    // tshark's own follow output of the same capture: the same hole, as a gap.
    let follow = read("gap4.follow-raw.txt");
    assert_eq!(
        follow.gaps,
        [Gap {
            direction: Direction::Client,
            offset,
            missing,
            packet: None,
        }]
    );
    assert_eq!(stream(&follow, Direction::Client), without);
}

/// The result's streams are each direction's bytes as tshark reassembled them, so a
/// frame's offset and length point at its own bytes; a direction ends at its first gap.
#[test]
fn the_result_streams_are_tsharks_bytes_and_stop_at_a_gap() {
    use wsinspect::{decode_transcript, ConversationOptions};
    let r = decode_transcript(&read("lo4.tshark-x.txt"), &ConversationOptions::default());
    assert_eq!(r.streams, tshark_streams("lo4.follow-raw.txt"));
    assert!(!r.frames.is_empty());
    for f in &r.frames {
        let stream = &r.streams[f.direction.index()];
        let first = stream[f.item.offset as usize];
        assert_eq!(
            first & 0x0f,
            f.item.opcode,
            "frame {} of the {}",
            f.item.index,
            f.direction
        );
        assert_eq!(first & 0x80 != 0, f.item.fin);
        assert!(f.item.offset + f.item.length <= stream.len() as u64);
    }
    let transcript = read("gap4.tshark-x.txt");
    let gap = transcript.gaps[0].clone();
    let r = decode_transcript(&transcript, &ConversationOptions::default());
    assert_eq!(r.streams[gap.direction.index()].len() as u64, gap.offset);
    assert_eq!(
        r.streams[gap.direction.index()][..],
        stream(&transcript, gap.direction)[..gap.offset as usize]
    );
}
