//! Texts that are one of the transcript forms but broken: each error says what and
//! where (line, column, character offset).

mod transcripts;

use transcripts::fixture;
use wsinspect::{parse_bytes, parse_transcript, Format};

const HEAD: &str = "\n===================================================================\nFollow: tcp,raw\nFilter: tcp.stream eq 0\nNode 0: 127.0.0.1:52822\nNode 1: 127.0.0.1:8765\n";
const HEX_HEAD: &str = "\n===================================================================\nFollow: tcp,hex\nFilter: tcp.stream eq 0\nNode 0: 127.0.0.1:52822\nNode 1: 127.0.0.1:8765\n";

/// The first packet of the IPv4 capture (the SYN, 74 bytes), as tshark -x shows it.
fn syn() -> String {
    fixture("lo4.tshark-x.txt")
        .split("\n\n")
        .next()
        .unwrap()
        .to_string()
}

fn cases() -> Vec<(String, &'static str, usize, usize)> {
    let syn = syn();
    vec![
        (
            format!("{HEAD}474554\nhello\n"),
            "follow output: line 8 is neither a client nor a server line",
            8,
            1,
        ),
        (
            format!("{HEAD}474554\n  485454\n"),
            "follow output: line 8 is neither a client nor a server line",
            8,
            1,
        ),
        (
            format!("{HEAD}474554\n\t48545\n"),
            "follow output: line 8 has an odd number of hex digits",
            8,
            6,
        ),
        (
            format!("{HEAD}4745z4\n"),
            "follow output: invalid hex digit 'z' in line 7",
            7,
            5,
        ),
        (
            HEAD.replace("tcp,raw", "tcp,ascii"),
            "follow output: mode 'ascii' shows text, not the bytes; run tshark with follow,tcp,raw or follow,tcp,hex",
            3,
            9,
        ),
        (
            HEAD.replace("Node 0: 127.0.0.1:52822", "Node 0: somewhere"),
            "follow output: line 5 names no address and port, found 'somewhere'",
            5,
            9,
        ),
        (
            format!("{HEX_HEAD}00000000  47 45 54                                          GET\n\t00000000  48 54                                             HT\n00000004  20                                               \n"),
            "follow output: line 9 is at offset 0x4, but the client had sent 0x3 bytes before it",
            9,
            1,
        ),
        (
            format!("{HEX_HEAD}00000000  47 45 5z                                          GE.\n"),
            "follow output: invalid hex digit 'z' in line 7",
            7,
            18,
        ),
        (
            "char peer0_0[] = { /* Packet 4 */\n0x47, 0xzz };\n".to_string(),
            "c arrays: line 2: expected a byte such as 0x47, found '0'",
            2,
            7,
        ),
        (
            "char peer0_0[] = { /* Packet 4 */\n0x47 };\n0x48 };\n".to_string(),
            "c arrays: line 3 is outside any 'char peerN_M[] = {' array",
            3,
            1,
        ),
        (
            "char peer2_0[] = { /* Packet 4 */\n0x47 };\n".to_string(),
            "c arrays: line 1 is not a 'char peerN_M[] = {' line: the peer is neither 0 nor 1",
            1,
            1,
        ),
        (
            // The second packet's IPv4 total length says 255 bytes; the packet has 60.
            format!("{syn}\n\n{}", syn.replacen("0010  00 3c", "0010  00 ff", 1)),
            "packet 2: ipv4 packet: 255 bytes needed, 60 present",
            7,
            1,
        ),
        (
            format!("{syn}\n\nFrame (80 bytes):\n{syn}\n"),
            "packet 2: the frame holds 74 bytes but its heading says 80",
            7,
            1,
        ),
        (
            format!("{syn}\n\n{}", syn.replacen("0020  ", "0021  ", 1)),
            "packet 2: line 9 is at offset 0x21, but the packet had 0x20 bytes before it",
            9,
            1,
        ),
    ]
}

#[test]
fn every_error_says_what_and_where() {
    for (text, message, line, column) in cases() {
        let error = parse_transcript(&text).expect_err(&text);
        assert_eq!(error.message, message, "{text}");
        assert_eq!(
            (error.line, error.column),
            (line, column),
            "{text}: {error}"
        );
        let before: String = text
            .lines()
            .take(line - 1)
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(error.offset, before.chars().count() + column - 1, "{text}");
        // parse_bytes' auto detection gives the same error.
        assert_eq!(parse_bytes(&text, Format::Auto), Err(error), "{text}");
    }
}

#[test]
fn a_tcpdump_packet_with_a_bad_digit() {
    let text = fixture("lo4.tcpdump-xx.txt");
    let broken = text.replacen("\t0x0010:  003c 0000", "\t0x0010:  003c 00x0", 1);
    let error = parse_transcript(&broken).unwrap_err();
    assert_eq!(error.message, "packet 2: invalid hex digit 'x' in line 9");
    assert_eq!((error.line, error.column), (9, 18));
}
