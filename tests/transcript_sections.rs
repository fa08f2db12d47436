//! tshark -x's extra sections after a packet are skipped whatever their size, a single
//! byte included ("Unmasked data (1 byte):", seen on a one-byte masked payload).

use wsinspect::parse_transcript;

#[test]
fn a_one_byte_section_is_skipped_like_the_others() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/transcripts/lo4.tshark-x.txt"
    ))
    .unwrap();
    let plain = parse_transcript(&text).unwrap().unwrap();
    // After the first packet's bytes, the sections tshark adds to a packet with a
    // masked one-byte payload; the packet then needs its `Frame (N bytes):` heading.
    let first_blank = text.find("\n\n").unwrap();
    let first_packet = &text[..first_blank];
    let length = first_packet
        .lines()
        .filter_map(|l| l.split("  ").nth(1))
        .map(|bytes| bytes.split_whitespace().count())
        .sum::<usize>();
    let with_sections = format!(
        "Frame ({length} bytes):\n{first_packet}\nUnmasked data (1 byte):\n0000  00                                                .\n\
         Reassembled Message (41 bytes):\n0000  4a 2b 4a 4c b7 ca cf 4b 55 00 00 00 00 ff ff 2a   J+JL...KU......*\n{}",
        &text[first_blank..]
    );
    let read = parse_transcript(&with_sections).unwrap().unwrap();
    assert_eq!(read.chunks, plain.chunks);
}

/// People copy tshark's header lines without the `=====` banner above them.
#[test]
fn follow_header_lines_without_the_banner_are_read() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/transcripts/lo4.follow-raw.txt"
    ))
    .unwrap();
    let whole = parse_transcript(&text).unwrap().unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("====="))
        .map(|l| format!("{l}\n"))
        .collect();
    let read = parse_transcript(&without).unwrap().unwrap();
    assert_eq!(read.chunks, whole.chunks);
    assert_eq!((read.client, read.server), (whole.client, whole.server));
    assert_eq!(read.format, whole.format);
}
