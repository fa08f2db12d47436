//! The reader against real files (tests/fixtures/captures, recorded with tcpdump and
//! converted with editcap; each compared with tshark's reading of it, the .tsv beside
//! it), pushed in every split, and against each malformation with its offset.

use super::*;
use crate::capture::link::{read_packet, LinkRead};

/// A packet as the tests compare it (owned).
#[derive(Debug, Clone, PartialEq)]
struct Owned {
    number: u64,
    time: Option<f64>,
    link_type: u32,
    data: Vec<u8>,
    original_len: u32,
    offset: u64,
    comment: Option<String>,
}

/// Everything reading `bytes` pushed in `chunks` delivers, and how it ended.
fn read(
    bytes: &[u8],
    chunks: &mut dyn Iterator<Item = usize>,
) -> (Vec<Owned>, Vec<CaptureNotice>, Result<(), CaptureError>) {
    let mut reader = FileReader::new();
    let (mut packets, mut notices) = (Vec::new(), Vec::new());
    let mut sink = |event: FileEvent<'_>| match event {
        FileEvent::Packet(p) => packets.push(Owned {
            number: p.number,
            time: p.time,
            link_type: p.link_type,
            data: p.data.to_vec(),
            original_len: p.original_len,
            offset: p.offset,
            comment: p.comment,
        }),
        FileEvent::Notice(n) => notices.push(n),
        FileEvent::KeyLog { .. } => {}
    };
    let mut rest = bytes;
    let mut result = Ok(());
    while !rest.is_empty() && result.is_ok() {
        let n = chunks.next().unwrap_or(rest.len()).clamp(1, rest.len());
        result = reader.push(&rest[..n], &mut sink);
        rest = &rest[n..];
    }
    let result = result.and_then(|()| reader.end(&mut sink));
    (packets, notices, result)
}

/// The whole file in one push.
fn read_whole(bytes: &[u8]) -> (Vec<Owned>, Vec<CaptureNotice>, Result<(), CaptureError>) {
    read(bytes, &mut std::iter::once(bytes.len()))
}

const FIXTURES: [&str; 11] = [
    "ws-lo.pcap",
    "ws-lo-nsec.pcap",
    "ws-lo-be.pcap",
    "ws-any-sll.pcap",
    "ws-any-sll2.pcap",
    "ws-ipv6.pcap",
    "ws-snaplen.pcap",
    "ws-lo.pcapng",
    "ws-comment.pcapng",
    "two-sections.pcapng",
    "blocks.pcapng",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/captures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_fixture_reads_as_tshark_reads_it() {
    for name in FIXTURES {
        let bytes = fixture(name);
        let expected = String::from_utf8(fixture(&format!("{name}.tsv"))).unwrap();
        let (packets, _, result) = read_whole(&bytes);
        assert_eq!(result, Ok(()), "{name}");
        let rows: Vec<Vec<&str>> = expected.lines().map(|l| l.split('\t').collect()).collect();
        assert_eq!(packets.len(), rows.len(), "{name}: packet count");
        for (packet, row) in packets.iter().zip(&rows) {
            let at = format!("{name} packet {}", packet.number);
            assert_eq!(packet.number.to_string(), row[0], "{at}");
            match (packet.time, row[1]) {
                (None, "") => {}
                (Some(time), text) => {
                    let want: f64 = text.parse().unwrap_or_else(|_| panic!("{at}: {text}"));
                    assert!((time - want).abs() < 1e-6, "{at}: time {time} vs {want}");
                }
                (None, text) => panic!("{at}: no time, tshark has {text}"),
            }
            assert_eq!(packet.original_len.to_string(), row[2], "{at}: length");
            assert_eq!(packet.data.len().to_string(), row[3], "{at}: captured");
            assert_eq!(
                packet.comment.as_deref().unwrap_or(""),
                row[8],
                "{at}: comment"
            );
            let raw = RawPacket {
                number: packet.number,
                time: packet.time,
                link_type: packet.link_type,
                data: &packet.data,
                original_len: packet.original_len,
                offset: packet.offset,
                comment: None,
            };
            let Ok(LinkRead::Tcp(segment)) = read_packet(&raw) else {
                panic!("{at}: not tcp: {:?}", read_packet(&raw));
            };
            assert_eq!(segment.source.1.to_string(), row[4], "{at}: source port");
            assert_eq!(
                segment.destination.1.to_string(),
                row[5],
                "{at}: destination port"
            );
            assert_eq!(segment.seq.to_string(), row[6], "{at}: seq");
            let tcp_len = segment.payload.len() as u64 + u64::from(segment.uncaptured);
            assert_eq!(tcp_len.to_string(), row[7], "{at}: tcp length");
            assert_eq!(segment.packet, packet.number);
        }
    }
}

#[test]
fn every_split_gives_the_same_packets() {
    for name in FIXTURES {
        let bytes = fixture(name);
        let whole = read_whole(&bytes);
        for size in 1..=64 {
            let split = read(&bytes, &mut std::iter::repeat(size));
            assert_eq!(split, whole, "{name} in slices of {size}");
        }
        // A few irregular splits, from a fixed linear congruential sequence.
        let mut state = 0x2545_f491u32;
        for _ in 0..8 {
            let mut sizes = std::iter::from_fn(|| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                Some((state >> 16) as usize % 3000 + 1)
            });
            assert_eq!(
                read(&bytes, &mut sizes),
                whole,
                "{name} in irregular slices"
            );
        }
    }
}

#[test]
fn pcapng_notices_comments_and_skipped_blocks() {
    let (packets, notices, result) = read_whole(&fixture("blocks.pcapng"));
    assert_eq!(result, Ok(()));
    let comments: Vec<&str> = notices
        .iter()
        .filter(|n| n.id == CaptureNoticeId::Comment)
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(
        comments,
        [
            "section comment at byte 0: first section",
            // The second section starts after section 1's blocks.
            &format!(
                "section comment at byte {}: second section",
                packets[6].offset - 52 - 20
            )
        ]
    );
    let skipped: Vec<&CaptureNotice> = notices
        .iter()
        .filter(|n| n.id == CaptureNoticeId::Skipped)
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0]
        .message
        .starts_with("interface statistics block at byte"));
    assert!(skipped[1]
        .message
        .starts_with("pcapng block type 0x00000099 at byte"));
    // The Simple Packet Block has no time; the obsolete Packet Block's comment is kept.
    assert_eq!(packets[4].time, None);
    assert_eq!(
        packets[5].comment.as_deref(),
        Some("an obsolete packet block")
    );
}

#[test]
fn sniff_names_the_format_by_magic() {
    assert_eq!(sniff(&fixture("ws-lo.pcap")), Some(FileFormat::Pcap));
    assert_eq!(sniff(&fixture("ws-lo-be.pcap")), Some(FileFormat::Pcap));
    assert_eq!(sniff(&fixture("ws-lo-nsec.pcap")), Some(FileFormat::Pcap));
    assert_eq!(sniff(&fixture("ws-lo.pcapng")), Some(FileFormat::Pcapng));
    assert_eq!(sniff(b"GET / HTTP/1.1"), None);
    assert_eq!(sniff(&[0xa1, 0xb2]), None);
}

/// The error reading `bytes` ends with (whole, and split in slices of 5: the same).
fn error_of(bytes: &[u8]) -> CaptureError {
    let (_, _, whole) = read_whole(bytes);
    let (_, _, split) = read(bytes, &mut std::iter::repeat(5));
    assert_eq!(whole, split);
    whole.expect_err("an error")
}

/// A little-endian pcapng block.
fn block(kind: u32, body: &[u8]) -> Vec<u8> {
    let len = (12 + body.len()) as u32;
    [
        &kind.to_le_bytes()[..],
        &len.to_le_bytes(),
        body,
        &len.to_le_bytes(),
    ]
    .concat()
}

/// A little-endian section header and one Ethernet interface.
fn section() -> Vec<u8> {
    let mut shb_body = 0x1a2b_3c4du32.to_le_bytes().to_vec();
    shb_body.extend_from_slice(&[1, 0, 0, 0]);
    shb_body.extend_from_slice(&(-1i64).to_le_bytes());
    [block(SHB, &shb_body), block(IDB, &[1, 0, 0, 0, 0, 0, 0, 0])].concat()
}

/// An Enhanced Packet Block on `interface` with `captured` declared and `data` present.
fn epb(interface: u32, captured: u32, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for field in [interface, 0, 0, captured, captured] {
        body.extend_from_slice(&field.to_le_bytes());
    }
    body.extend_from_slice(data);
    body.resize(body.len().next_multiple_of(4), 0);
    block(EPB, &body)
}

#[test]
fn wrong_magic_is_an_error_at_byte_0() {
    let error = error_of(b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!((error.offset, error.packet), (0, None));
    assert!(
        error.message.contains("not a pcap or pcapng file"),
        "{error:?}"
    );
    let error = error_of(&[0xd4, 0xc3]);
    assert_eq!(error.offset, 0);
}

#[test]
fn a_file_cut_mid_block_is_an_error_at_that_block() {
    let pcap = fixture("ws-lo.pcap");
    let (packets, _, _) = read_whole(&pcap);
    let third = packets[2].offset as usize;
    let error = error_of(&pcap[..third + 20]);
    assert_eq!((error.offset, error.packet), (third as u64, Some(3)));
    assert!(
        error.message.contains("the file ends inside a pcap record"),
        "{error:?}"
    );

    let pcapng = fixture("ws-lo.pcapng");
    let (packets, _, _) = read_whole(&pcapng);
    let fifth = packets[4].offset as usize;
    let error = error_of(&pcapng[..fifth + 9]);
    assert_eq!((error.offset, error.packet), (fifth as u64, Some(5)));
    let (before, _, _) = read_whole(&pcapng[..fifth + 9]);
    assert_eq!(before.len(), 4, "everything before the cut is delivered");
}

#[test]
fn lying_block_lengths_are_errors_at_their_offset() {
    let head = section();
    let at = head.len() as u64;
    // Not a multiple of 4.
    let mut bad = epb(0, 4, b"abcd");
    bad[4] += 2;
    let error = error_of(&[head.clone(), bad].concat());
    assert_eq!((error.offset, error.packet), (at, Some(1)));
    assert!(error.message.contains("not a multiple of 4"), "{error:?}");
    // Shorter than an Enhanced Packet Block's minimum.
    let error = error_of(&[head.clone(), block(EPB, &[0; 8])].concat());
    assert_eq!((error.offset, error.packet), (at, Some(1)));
    assert!(error.message.contains("under the 32 bytes"), "{error:?}");
    // Trailing length not the leading one.
    let mut bad = epb(0, 4, b"abcd");
    let end = bad.len();
    bad[end - 4] = 0x7c;
    let error = error_of(&[head.clone(), bad].concat());
    assert_eq!(error.offset, at);
    assert!(error.message.contains("trailing length"), "{error:?}");
    // A packet longer than its block.
    let error = error_of(&[head.clone(), epb(0, 400, b"abcd")].concat());
    assert_eq!((error.offset, error.packet), (at, Some(1)));
    assert!(error.message.contains("runs past"), "{error:?}");
    // A huge length is refused at once, not waited for.
    let mut huge = block(0x99, &[0; 4]);
    huge[4..8].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    let mut reader = FileReader::new();
    let error = reader.push(&[head.clone(), huge].concat(), &mut |_| {});
    let error = error.expect_err("refused");
    assert_eq!(error.offset, at);
    assert!(error.message.contains("cap"), "{error:?}");
    // And later calls say the same.
    assert_eq!(reader.push(b"more", &mut |_| {}), Err(error.clone()));
    assert_eq!(reader.end(&mut |_| {}), Err(error));
}

#[test]
fn an_undescribed_interface_is_a_notice_and_the_packet_is_skipped() {
    let file = [section(), epb(3, 4, b"abcd"), epb(0, 4, b"wxyz")].concat();
    let (packets, notices, result) = read_whole(&file);
    assert_eq!(result, Ok(()));
    assert_eq!(packets.len(), 1);
    assert_eq!(
        (packets[0].number, packets[0].data.as_slice()),
        (2, &b"wxyz"[..])
    );
    let notice = &notices[0];
    assert_eq!(notice.id, CaptureNoticeId::BadPacket);
    assert_eq!(
        (notice.packet, notice.offset),
        (Some(1), Some(section().len() as u64))
    );
    assert!(notice.message.contains("interface 3"), "{notice:?}");
}

#[test]
fn pcap_records_over_the_snaplen_or_cap_are_errors() {
    let mut pcap = fixture("ws-lo.pcap");
    // The file's snaplen is 262144; set it to 100: the 3074-byte packet is refused.
    pcap[16..20].copy_from_slice(&100u32.to_le_bytes());
    let (packets, _, result) = read_whole(&pcap);
    let error = result.expect_err("over the snaplen");
    let number = packets.len() as u64 + 1;
    assert_eq!(error.packet, Some(number));
    assert!(error.message.contains("snaplen 100"), "{error:?}");
    // A snaplen of 0 means none; a record over 256 KiB is still refused.
    let mut header = pcap[..24].to_vec();
    header[16..20].copy_from_slice(&0u32.to_le_bytes());
    let mut record = vec![0u8; 16];
    record[8..12].copy_from_slice(&(300u32 << 10).to_le_bytes());
    let error = error_of(&[header, record].concat());
    assert_eq!((error.offset, error.packet), (24, Some(1)));
}

#[test]
fn a_big_file_pushed_in_slices_keeps_only_its_tail() {
    // 24 MB of 1514-byte records, pushed in 1 MB slices.
    let mut file = fixture("ws-lo.pcap")[..24].to_vec();
    let record: Vec<u8> = [
        &[0u8; 8][..],
        &1514u32.to_le_bytes(),
        &1514u32.to_le_bytes(),
    ]
    .concat()
    .into_iter()
    .chain(std::iter::repeat_n(0x55, 1514))
    .collect();
    while file.len() < 24 << 20 {
        file.extend_from_slice(&record);
    }
    let mut reader = FileReader::new();
    let (mut count, mut most_kept) = (0u64, 0);
    for chunk in file.chunks(1 << 20) {
        reader.push(chunk, &mut |_| count += 1).unwrap();
        most_kept = most_kept.max(reader.tail.capacity());
    }
    reader.end(&mut |_| {}).unwrap();
    assert_eq!(count, (file.len() as u64 - 24) / record.len() as u64);
    assert_eq!(reader.bytes_read(), file.len() as u64);
    assert!(most_kept < 4 << 20, "kept {most_kept} bytes");
}

#[test]
fn timestamps_follow_if_tsresol_and_if_tsoffset() {
    assert_eq!(seconds(1_500_000, 6, 0), Some(1.5));
    assert_eq!(seconds(3 << 19, 0x94, 100), Some(101.5));
    assert_eq!(seconds(1, 20, 0), None, "10^-20 fits no u64");
    assert_eq!(seconds(7, 0, -2), Some(5.0));
}
