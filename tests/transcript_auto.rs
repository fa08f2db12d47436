//! parse_bytes' auto detection of the transcript forms: both directions' bytes in the
//! text's order, the form named; dumps that are not packet dumps keep today's reading.

mod transcripts;

use transcripts::fixture;
use wsinspect::{parse_bytes, parse_transcript, Format};

#[test]
fn each_form_is_detected_and_named() {
    for (name, detail) in [
        ("lo4.follow-raw.txt", "tshark follow raw"),
        ("lo6.follow-hex.txt", "tshark follow hex"),
        ("lo4.wireshark-hexdump.txt", "wireshark follow hex dump"),
        ("lo6.wireshark-carrays.txt", "wireshark follow c arrays"),
        ("lo4.tshark-x.txt", "packet dump"),
        ("any4.tcpdump-xx.txt", "packet dump"),
        ("sll4.tcpdump-XX.txt", "packet dump"),
        ("null4.tshark-x.txt", "packet dump"),
    ] {
        let text = fixture(name);
        let parsed = parse_bytes(&text, Format::Auto).unwrap_or_else(|e| panic!("{name}: {e}"));
        let transcript = parse_transcript(&text).unwrap().unwrap();
        let all: Vec<u8> = transcript
            .chunks
            .iter()
            .flat_map(|c| c.bytes.clone())
            .collect();
        assert_eq!(
            (parsed.format, parsed.detail),
            (Format::Hex, detail),
            "{name}"
        );
        assert_eq!(parsed.bytes, all, "{name}");
        assert!(
            parsed.bytes.starts_with(b"GET /chat HTTP/1.1\r\n"),
            "{name}"
        );
    }
}

#[test]
fn a_dump_of_frames_stays_a_wireshark_hex_dump() {
    // One WebSocket frame's bytes, no link, IP or TCP headers: not a packet dump.
    let text = "0000  81 05 48 65 6c 6c 6f                              ..Hello\n";
    assert_eq!(parse_transcript(text).unwrap(), None);
    let parsed = parse_bytes(text, Format::Auto).unwrap();
    assert_eq!(parsed.detail, "wireshark hex dump");
    assert_eq!(parsed.bytes, b"\x81\x05Hello");
    // The same from tshark's extra section alone ("Unmasked data"): still not a packet.
    let text = "0000   aa 56 2a a9 2c 48 55 b2   .V*.,HU.\n";
    assert_eq!(parse_transcript(text).unwrap(), None);
    assert_eq!(
        parse_bytes(text, Format::Auto).unwrap().detail,
        "wireshark hex dump"
    );
}

#[test]
fn a_one_direction_follow_hex_dump_stays_hexdump_c() {
    // Wireshark's hex dump view of one side only: no indented lines.
    let text: String = fixture("lo4.wireshark-hexdump.txt")
        .lines()
        .take_while(|l| !l.starts_with(' '))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(parse_transcript(&text).unwrap(), None);
    let parsed = parse_bytes(&text, Format::Auto).unwrap();
    assert_eq!(parsed.detail, "hexdump -C");
    assert!(parsed.bytes.starts_with(b"GET /chat"));
}

#[test]
fn other_texts_are_not_transcripts() {
    for text in [
        "",
        "810548656c6c6f",
        "81 05 48 65 6c 6c 6f",
        "00000000: 8105 4865 6c6c 6f  ..Hello",
        "00000000  81 05 48 65 6c 6c 6f                              |..Hello|\n00000007\n",
        "SGVsbG8=",
        "hello",
        "{0x81, 0x05}",
        "char buf[] = {0x81, 0x05};",
        "==",
    ] {
        assert_eq!(parse_transcript(text).unwrap(), None, "{text:?}");
    }
}
