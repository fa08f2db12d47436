//! The reassembler on segments built by hand, and on random splits of random streams.

use std::net::{IpAddr, Ipv4Addr};

use super::{Reassembler, ReassemblyOptions, TcpEvent};
use crate::capture::{CaptureNoticeId, SocketAddress, TcpSegment};

const CLIENT: SocketAddress = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 50000);
const SERVER: SocketAddress = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 80);

/// An event with its bytes owned, to compare after the run.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Opened {
        connection: usize,
        initiator: SocketAddress,
        syn_seen: bool,
        packet: u64,
    },
    Data {
        connection: usize,
        side: usize,
        offset: u64,
        bytes: Vec<u8>,
        packet: u64,
    },
    Gap {
        connection: usize,
        side: usize,
        offset: u64,
        length: u64,
        packet: u64,
    },
    Notice {
        connection: Option<usize>,
        id: CaptureNoticeId,
        message: String,
        packet: Option<u64>,
    },
    Closed {
        connection: usize,
    },
}

impl From<TcpEvent<'_>> for Seen {
    fn from(event: TcpEvent<'_>) -> Seen {
        match event {
            TcpEvent::Opened {
                connection,
                initiator,
                syn_seen,
                packet,
                ..
            } => Seen::Opened {
                connection,
                initiator,
                syn_seen,
                packet,
            },
            TcpEvent::Data {
                connection,
                side,
                offset,
                bytes,
                packet,
                ..
            } => Seen::Data {
                connection,
                side,
                offset,
                bytes: bytes.to_vec(),
                packet,
            },
            TcpEvent::Gap {
                connection,
                side,
                offset,
                length,
                packet,
            } => Seen::Gap {
                connection,
                side,
                offset,
                length,
                packet,
            },
            TcpEvent::Notice { connection, notice } => Seen::Notice {
                connection,
                id: notice.id,
                message: notice.message,
                packet: notice.packet,
            },
            TcpEvent::Closed { connection } => Seen::Closed { connection },
        }
    }
}

/// A segment under construction.
#[derive(Clone)]
struct Segment {
    from_client: bool,
    seq: u32,
    flags: &'static str,
    payload: Vec<u8>,
    uncaptured: u32,
}

/// A client segment at `seq` with `flags` (letters S, A, F, R).
fn client(seq: u32, flags: &'static str, payload: &[u8]) -> Segment {
    Segment {
        from_client: true,
        seq,
        flags,
        payload: payload.to_vec(),
        uncaptured: 0,
    }
}

/// A server segment at `seq` with `flags`.
fn server(seq: u32, flags: &'static str, payload: &[u8]) -> Segment {
    Segment {
        from_client: false,
        ..client(seq, flags, payload)
    }
}

/// Pushes the segments (packet numbers 1, 2...) through a reassembler; `end` ends the
/// capture after them.
fn run_with(options: ReassemblyOptions, segments: &[Segment], end: bool) -> Vec<Seen> {
    let mut reassembler = Reassembler::new(options);
    let mut seen = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        let (source, destination) = if s.from_client {
            (CLIENT, SERVER)
        } else {
            (SERVER, CLIENT)
        };
        let segment = TcpSegment {
            source,
            destination,
            seq: s.seq,
            syn: s.flags.contains('S'),
            ack: s.flags.contains('A'),
            fin: s.flags.contains('F'),
            rst: s.flags.contains('R'),
            payload: &s.payload,
            uncaptured: s.uncaptured,
            packet: i as u64 + 1,
            time: Some(i as f64),
        };
        reassembler.push(&segment, &mut |event| seen.push(Seen::from(event)));
    }
    if end {
        reassembler.end(&mut |event| seen.push(Seen::from(event)));
    }
    seen
}

/// [`run_with`] with the default options, ending the capture.
fn run(segments: &[Segment]) -> Vec<Seen> {
    run_with(ReassemblyOptions::default(), segments, true)
}

/// The bytes of one side of one connection, in delivery order, after checking that its
/// data and gaps are contiguous from offset 0.
fn stream(seen: &[Seen], connection: usize, side: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut next = 0;
    for event in seen {
        match event {
            Seen::Data {
                connection: c,
                side: s,
                offset,
                bytes: b,
                ..
            } if (*c, *s) == (connection, side) => {
                assert_eq!(*offset, next, "{seen:#?}");
                next += b.len() as u64;
                bytes.extend_from_slice(b);
            }
            Seen::Gap {
                connection: c,
                side: s,
                offset,
                length,
                ..
            } if (*c, *s) == (connection, side) => {
                assert_eq!(*offset, next, "{seen:#?}");
                next += length;
            }
            _ => {}
        }
    }
    bytes
}

fn gaps(seen: &[Seen]) -> Vec<&Seen> {
    seen.iter()
        .filter(|e| matches!(e, Seen::Gap { .. }))
        .collect()
}

fn notices(seen: &[Seen], id: CaptureNoticeId) -> Vec<(&str, Option<u64>)> {
    seen.iter()
        .filter_map(|e| match e {
            Seen::Notice {
                id: i,
                message,
                packet,
                ..
            } if *i == id => Some((message.as_str(), *packet)),
            _ => None,
        })
        .collect()
}

fn position(seen: &[Seen], wanted: &Seen) -> usize {
    seen.iter()
        .position(|e| e == wanted)
        .unwrap_or_else(|| panic!("no {wanted:?} in {seen:#?}"))
}

/// The handshake: client ISN 1000, server ISN 5000.
fn handshake() -> Vec<Segment> {
    vec![
        client(1000, "S", b""),
        server(5000, "SA", b""),
        client(1001, "A", b""),
    ]
}

#[test]
fn in_order_streams_close_after_both_fins() {
    let mut segments = handshake();
    segments.extend([
        client(1001, "A", b"GET / HTTP/1.1\r\n"),
        client(1017, "A", b"\r\n"),
        server(5001, "A", b"HTTP/1.1 101\r\n\r\n"),
        client(1019, "FA", b""),
        server(5017, "FA", b"bye"),
        client(1020, "A", b""), // the last ACK: a straggler, not a new connection
    ]);
    let seen = run_with(ReassemblyOptions::default(), &segments, false);
    assert_eq!(
        seen[0],
        Seen::Opened {
            connection: 0,
            initiator: CLIENT,
            syn_seen: true,
            packet: 1
        }
    );
    assert_eq!(stream(&seen, 0, 0), b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(stream(&seen, 0, 1), b"HTTP/1.1 101\r\n\r\nbye");
    assert_eq!(seen.last(), Some(&Seen::Closed { connection: 0 }));
    assert_eq!(
        seen.iter()
            .filter(|e| matches!(e, Seen::Opened { .. }))
            .count(),
        1
    );
    assert!(
        seen.iter()
            .all(|e| !matches!(e, Seen::Notice { .. } | Seen::Gap { .. })),
        "{seen:#?}"
    );
}

#[test]
fn every_order_of_four_segments_gives_the_same_bytes() {
    let parts: [&[u8]; 4] = [b"abc", b"defg", b"h", b"ijklmn"];
    let mut seq = 1001;
    let data: Vec<Segment> = parts
        .iter()
        .map(|p| {
            let s = client(seq, "A", p);
            seq += p.len() as u32;
            s
        })
        .collect();
    let mut orders = 0;
    for a in 0..4 {
        for b in 0..4 {
            for c in 0..4 {
                for d in 0..4 {
                    let order = [a, b, c, d];
                    if (0..4).any(|i| !order.contains(&i)) {
                        continue;
                    }
                    orders += 1;
                    let mut segments = handshake();
                    segments.extend(order.iter().map(|&i| data[i].clone()));
                    let seen = run(&segments);
                    assert_eq!(stream(&seen, 0, 0), b"abcdefghijklmn", "{order:?}");
                    assert!(gaps(&seen).is_empty(), "{order:?}");
                }
            }
        }
    }
    assert_eq!(orders, 24);
}

#[test]
fn exact_duplicates_are_dropped_silently() {
    let mut segments = handshake();
    segments.extend([
        client(1001, "A", b"hello"),
        client(1001, "A", b"hello"),
        client(1006, "A", b"!"),
    ]);
    segments.extend([client(1006, "A", b"!"), client(1001, "A", b"hello")]);
    let seen = run(&segments);
    assert_eq!(stream(&seen, 0, 0), b"hello!");
    assert!(
        seen.iter().all(|e| !matches!(e, Seen::Notice { .. })),
        "{seen:#?}"
    );
}

#[test]
fn partial_retransmissions_deliver_only_the_new_bytes() {
    let mut segments = handshake();
    segments.extend([
        client(1001, "A", b"0123456789"),
        client(1006, "A", b"56789abcde"), // overlaps what was delivered
        client(1021, "A", b"klmno"),      // out of order
        client(1019, "A", b"ijklm"),      // overlaps the waiting piece
        client(1016, "A", b"fghij"),
    ]);
    let seen = run(&segments);
    assert_eq!(stream(&seen, 0, 0), b"0123456789abcdefghijklmno");
    let second = Seen::Data {
        connection: 0,
        side: 0,
        offset: 10,
        bytes: b"abcde".to_vec(),
        packet: 5,
    };
    position(&seen, &second);
    let filler = Seen::Data {
        connection: 0,
        side: 0,
        offset: 18,
        bytes: b"ij".to_vec(),
        packet: 7,
    };
    position(&seen, &filler);
}

#[test]
fn differing_overlaps_are_a_notice_and_the_first_copy_wins() {
    let mut segments = handshake();
    segments.extend([
        client(1011, "A", b"ABCDEFGHIJ"), // packet 4, waits for 1001..1011
        client(1013, "A", b"CDxFGHIJyz"), // packet 5: differs at stream offset 14
        client(1001, "A", b"0123456789"),
    ]);
    let seen = run(&segments);
    assert_eq!(stream(&seen, 0, 0), b"0123456789ABCDEFGHIJyz");
    let conflicts = notices(&seen, CaptureNoticeId::OverlapConflict);
    assert_eq!(conflicts.len(), 1, "{seen:#?}");
    let (message, packet) = conflicts[0];
    assert_eq!(packet, Some(5));
    for part in ["packet 5", "packet 4", "stream offset 14"] {
        assert!(message.contains(part), "{message}");
    }
}

/// Found by the real-capture tests: a retransmission of bytes already delivered, with
/// other bytes, was dropped without a word.
#[test]
fn a_differing_copy_of_delivered_bytes_is_a_notice_too() {
    let mut segments = handshake();
    segments.extend([
        client(1001, "A", b"0123456789"), // packet 4, delivered at once
        client(1006, "A", b"56x89abcde"), // packet 5: differs at stream offset 7
        client(1001, "A", b"0123456789"), // packet 6: an exact copy, silent
    ]);
    let seen = run(&segments);
    assert_eq!(stream(&seen, 0, 0), b"0123456789abcde");
    let conflicts = notices(&seen, CaptureNoticeId::OverlapConflict);
    assert_eq!(conflicts.len(), 1, "{seen:#?}");
    let (message, packet) = conflicts[0];
    assert_eq!(packet, Some(5));
    for part in ["packet 5", "packet 4", "stream offset 7"] {
        assert!(message.contains(part), "{message}");
    }
}

#[test]
fn a_missing_segment_is_a_gap_at_the_end_and_the_bytes_after_it_follow() {
    let mut segments = handshake();
    segments.extend([
        client(1001, "A", b"first"),
        client(1016, "A", b"third"),
        client(1021, "A", b"!"),
    ]);
    let seen = run(&segments);
    let gap = Seen::Gap {
        connection: 0,
        side: 0,
        offset: 5,
        length: 10,
        packet: 5,
    };
    let after = Seen::Data {
        connection: 0,
        side: 0,
        offset: 15,
        bytes: b"third".to_vec(),
        packet: 5,
    };
    assert!(position(&seen, &gap) < position(&seen, &after));
    assert!(position(&seen, &after) < position(&seen, &Seen::Closed { connection: 0 }));
    assert_eq!(stream(&seen, 0, 0), b"firstthird!");
    assert_eq!(gaps(&seen).len(), 1);
}

#[test]
fn past_the_cap_a_hole_becomes_a_gap_at_once() {
    let mut segments = handshake();
    segments.extend([
        client(1001, "A", b"0123456789"),
        client(1021, "A", b"ABCDEFGHIJ"), // 10 bytes and a piece wait: 74
        client(1041, "A", b"abcdefghij"), // 148: more than 100
        client(1031, "A", b"KLMNOPQRST"),
    ]);
    let seen = run_with(ReassemblyOptions { max_pending: 100 }, &segments, false);
    let caps = notices(&seen, CaptureNoticeId::OutOfOrderCap);
    assert_eq!(caps.len(), 1, "{seen:#?}");
    assert_eq!(caps[0].1, Some(6));
    let gap = Seen::Gap {
        connection: 0,
        side: 0,
        offset: 10,
        length: 10,
        packet: 5,
    };
    let notice = seen.iter().position(|e| {
        matches!(
            e,
            Seen::Notice {
                id: CaptureNoticeId::OutOfOrderCap,
                ..
            }
        )
    });
    assert!(
        notice < Some(position(&seen, &gap)),
        "the gap comes at once, after the notice"
    );
    assert_eq!(
        gaps(&seen).len(),
        1,
        "the second hole waits: its piece is under the cap"
    );
    assert_eq!(
        stream(&seen, 0, 0),
        b"0123456789ABCDEFGHIJKLMNOPQRSTabcdefghij"
    );
    assert!(!seen.contains(&Seen::Closed { connection: 0 }));
}

#[test]
fn a_flood_of_tiny_pieces_is_capped_too() {
    // Each one-byte piece, and each piece a snaplen cut left with no byte, costs its
    // bookkeeping: eleven of them pass a cap of 640 bytes though they hold at most 11.
    for empty in [false, true] {
        let mut segments = handshake();
        for i in 0..11 {
            let mut piece = client(1003 + 2 * i, "A", if empty { b"" } else { b"x" });
            piece.uncaptured = u32::from(empty);
            segments.push(piece);
        }
        let seen = run_with(ReassemblyOptions { max_pending: 640 }, &segments, false);
        let caps = notices(&seen, CaptureNoticeId::OutOfOrderCap);
        assert!(!caps.is_empty(), "{seen:#?}");
        let first = Seen::Gap {
            connection: 0,
            side: 0,
            offset: 0,
            length: 2,
            packet: 4,
        };
        position(&seen, &first);
    }
}

#[test]
fn sequence_numbers_wrap_at_two_to_the_32() {
    let isn = u32::MAX - 5;
    let segments = vec![
        client(isn, "S", b""),
        server(7, "SA", b""),
        client(1, "A", b"ghij"), // past the wrap, out of order
        client(isn.wrapping_add(1), "A", b"abc"),
        client(u32::MAX - 1, "A", b"def"), // across the wrap
    ];
    let seen = run(&segments);
    assert_eq!(stream(&seen, 0, 0), b"abcdefghij");
    assert!(gaps(&seen).is_empty(), "{seen:#?}");
    position(
        &seen,
        &Seen::Data {
            connection: 0,
            side: 0,
            offset: 6,
            bytes: b"ghij".to_vec(),
            packet: 3,
        },
    );
}

#[test]
fn offsets_keep_counting_past_four_gibibytes() {
    // Two snaplen cuts of nearly 4 GiB each carry the stream past 2^32 bytes.
    let big = u32::MAX - 100;
    let mut segments = handshake();
    let mut first = client(1001, "A", b"a");
    first.uncaptured = big;
    let mut second = client(1002u32.wrapping_add(big), "A", b"b");
    second.uncaptured = big;
    let third = client(1003u32.wrapping_add(big).wrapping_add(big), "A", b"c");
    segments.extend([first, second, third]);
    let seen = run(&segments);
    let offset = 2 + 2 * u64::from(big);
    assert!(offset > 1 << 32);
    position(
        &seen,
        &Seen::Data {
            connection: 0,
            side: 0,
            offset,
            bytes: b"c".to_vec(),
            packet: 6,
        },
    );
    assert_eq!(stream(&seen, 0, 0), b"abc");
}

#[test]
fn a_connection_without_its_syn_starts_at_the_first_byte_seen() {
    let segments = vec![
        server(90_000, "A", b"hello"),
        client(70_000, "A", b"hi"),
        server(90_005, "A", b"again"),
        client(70_002, "A", b"!"),
    ];
    let seen = run(&segments);
    assert_eq!(
        seen[0],
        Seen::Opened {
            connection: 0,
            initiator: SERVER,
            syn_seen: false,
            packet: 1
        }
    );
    assert_eq!(notices(&seen, CaptureNoticeId::MidStream).len(), 1);
    assert_eq!(stream(&seen, 0, 0), b"helloagain");
    assert_eq!(stream(&seen, 0, 1), b"hi!");
}

#[test]
fn bytes_before_the_first_seen_are_dropped_with_a_notice() {
    let segments = vec![
        client(1000, "A", b"klmno"),
        client(990, "A", b"abcdefghijklm"), // 10 bytes before the start, 3 delivered ones
        client(985, "A", b"vwxyz"),         // wholly before it
        client(1005, "A", b"pq"),
    ];
    let seen = run(&segments);
    assert_eq!(stream(&seen, 0, 0), b"klmnopq");
    let mid = notices(&seen, CaptureNoticeId::MidStream);
    assert_eq!(mid.len(), 3, "{seen:#?}");
    assert_eq!((mid[1].1, mid[2].1), (Some(2), Some(3)));
    assert!(
        mid[1].0.contains("10 bytes before the start"),
        "{}",
        mid[1].0
    );
}

#[test]
fn a_new_syn_on_a_used_tuple_is_a_new_connection_and_a_retransmitted_one_is_not() {
    let mut segments = handshake();
    segments.extend([
        client(1000, "S", b""), // retransmitted SYN
        client(1001, "A", b"one"),
        client(9000, "S", b""), // a new ISN: a new connection
        server(3000, "SA", b""),
        client(9001, "A", b"two"),
    ]);
    let seen = run(&segments);
    let closed = position(&seen, &Seen::Closed { connection: 0 });
    let opened = Seen::Opened {
        connection: 1,
        initiator: CLIENT,
        syn_seen: true,
        packet: 6,
    };
    assert!(closed < position(&seen, &opened));
    assert_eq!(stream(&seen, 0, 0), b"one");
    assert_eq!(stream(&seen, 1, 0), b"two");
    assert_eq!(
        seen.iter()
            .filter(|e| matches!(e, Seen::Opened { .. }))
            .count(),
        2
    );
}

#[test]
fn a_snaplen_cut_is_a_gap_and_a_notice() {
    let mut segments = handshake();
    let mut cut = client(1001, "A", b"0123");
    cut.uncaptured = 6;
    segments.extend([cut, client(1011, "A", b"abc")]);
    let seen = run(&segments);
    let snaplen = notices(&seen, CaptureNoticeId::Snaplen);
    assert_eq!(snaplen.len(), 1);
    assert_eq!(snaplen[0].1, Some(4));
    let data = Seen::Data {
        connection: 0,
        side: 0,
        offset: 0,
        bytes: b"0123".to_vec(),
        packet: 4,
    };
    let gap = Seen::Gap {
        connection: 0,
        side: 0,
        offset: 4,
        length: 6,
        packet: 4,
    };
    assert!(position(&seen, &data) < position(&seen, &gap));
    assert_eq!(stream(&seen, 0, 0), b"0123abc");
}

#[test]
fn a_waiting_snaplen_cut_is_filled_by_a_later_full_copy() {
    let mut segments = handshake();
    let mut cut = client(1011, "A", b"abcd");
    cut.uncaptured = 6;
    segments.extend([
        cut,
        client(1011, "A", b"abcdefghij"),
        client(1001, "A", b"0123456789"),
    ]);
    let seen = run(&segments);
    assert_eq!(stream(&seen, 0, 0), b"0123456789abcdefghij");
    assert!(gaps(&seen).is_empty(), "{seen:#?}");
}

#[test]
fn fin_both_ways_with_a_hole_waits_for_it_then_closes() {
    let mut segments = handshake();
    segments.extend([
        client(1001, "A", b"abc"),
        client(1007, "FA", b"ghi"), // 1004..1007 missing
        server(5001, "FA", b""),
    ]);
    let unfilled = run_with(ReassemblyOptions::default(), &segments, false);
    assert!(
        !unfilled.contains(&Seen::Closed { connection: 0 }),
        "a retransmission may still come"
    );
    let ended = run(&segments);
    let gap = Seen::Gap {
        connection: 0,
        side: 0,
        offset: 3,
        length: 3,
        packet: 5,
    };
    assert!(position(&ended, &gap) < position(&ended, &Seen::Closed { connection: 0 }));
    assert_eq!(stream(&ended, 0, 0), b"abcghi");

    segments.push(client(1004, "A", b"def"));
    let filled = run_with(ReassemblyOptions::default(), &segments, false);
    assert_eq!(stream(&filled, 0, 0), b"abcdefghi");
    assert_eq!(filled.last(), Some(&Seen::Closed { connection: 0 }));
}

#[test]
fn a_rst_with_a_hole_closes_at_once_with_a_gap() {
    let mut segments = handshake();
    segments.extend([
        client(1001, "A", b"abc"),
        client(1007, "A", b"ghi"),
        server(5001, "RA", b""),
    ]);
    segments.push(client(1010, "A", b"late")); // after the RST: a straggler
    let seen = run_with(ReassemblyOptions::default(), &segments, false);
    let gap = Seen::Gap {
        connection: 0,
        side: 0,
        offset: 3,
        length: 3,
        packet: 5,
    };
    assert!(position(&seen, &gap) < position(&seen, &Seen::Closed { connection: 0 }));
    assert_eq!(stream(&seen, 0, 0), b"abcghi");
    assert_eq!(seen.last(), Some(&Seen::Closed { connection: 0 }));
}

/// xorshift64*: small, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_splits_shuffled_and_duplicated_deliver_each_byte_once_in_order() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..3000 {
        let length = rng.below(3000);
        let original: Vec<u8> = (0..length).map(|_| rng.next() as u8).collect();
        let isn = rng.next() as u32;
        let mut pieces = Vec::new();
        let mut at = 0;
        while at < length {
            let size = 1 + rng.below(200).min(length - at - 1);
            pieces.push((at, size));
            at += size;
        }
        // Retransmissions: copies of random pieces and random ranges spanning pieces.
        for _ in 0..rng.below(pieces.len() + 1) {
            let piece = pieces[rng.below(pieces.len())];
            pieces.push(piece);
            let start = rng.below(length);
            pieces.push((start, 1 + rng.below(length - start)));
        }
        let reorder_window = 1 + rng.below(8);
        for i in 0..pieces.len() {
            let j = (i + rng.below(reorder_window)).min(pieces.len() - 1);
            pieces.swap(i, j);
        }
        let mut segments = vec![client(isn, "S", b""), server(1, "SA", b"")];
        segments.extend(pieces.iter().map(|&(start, size)| {
            client(
                isn.wrapping_add(1 + start as u32),
                "A",
                &original[start..start + size],
            )
        }));
        let seen = run(&segments);
        assert_eq!(stream(&seen, 0, 0), original, "case {case}");
        assert!(gaps(&seen).is_empty(), "case {case}");
        assert!(
            seen.iter().all(|e| !matches!(e, Seen::Notice { .. })),
            "case {case}"
        );
        assert_eq!(
            seen.last(),
            Some(&Seen::Closed { connection: 0 }),
            "case {case}"
        );
    }
}
