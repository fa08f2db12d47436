//! parse_bytes on hex dumps: xxd, hexdump -C, Wireshark and tshark. The texts
//! are the tools' own output for FRAMES (xxd 2022-01-14 and util-linux hexdump;
//! Wireshark's DataPrinter::hexTextDump layout).

use wsinspect::{parse_bytes, Format, ParseError};

/// RFC 6455 §5.7: "Hello" unmasked, "Hello" masked, then "Hel" + "lo" fragmented.
const FRAMES: &[u8] = b"\x81\x05\x48\x65\x6c\x6c\x6f\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58\x01\x03\x48\x65\x6c\x80\x02\x6c\x6f";

const XXD: &str = "\
00000000: 8105 4865 6c6c 6f81 8537 fa21 3d7f 9f4d  ..Hello..7.!=..M
00000010: 5158 0103 4865 6c80 026c 6f              QX..Hel..lo
";

const XXD_G1_C8: &str = "\
00000000: 81 05 48 65 6c 6c 6f 81  ..Hello.
00000008: 85 37 fa 21 3d 7f 9f 4d  .7.!=..M
00000010: 51 58 01 03 48 65 6c 80  QX..Hel.
00000018: 02 6c 6f                 .lo
";

const HEXDUMP_C: &str = "\
00000000  81 05 48 65 6c 6c 6f 81  85 37 fa 21 3d 7f 9f 4d  |..Hello..7.!=..M|
00000010  51 58 01 03 48 65 6c 80  02 6c 6f                 |QX..Hel..lo|
0000001b
";

const WIRESHARK: &str = "\
0000   81 05 48 65 6c 6c 6f 81 85 37 fa 21 3d 7f 9f 4d   ..Hello..7.!=..M
0010   51 58 01 03 48 65 6c 80 02 6c 6f                  QX..Hel..lo
";

const WIRESHARK_HEX_ONLY: &str = "\
0000   81 05 48 65 6c 6c 6f 81 85 37 fa 21 3d 7f 9f 4d
0010   51 58 01 03 48 65 6c 80 02 6c 6f
";

const TSHARK: &str = "\
0000  81 05 48 65 6c 6c 6f 81 85 37 fa 21 3d 7f 9f 4d   ..Hello..7.!=..M
0010  51 58 01 03 48 65 6c 80 02 6c 6f                  QX..Hel..lo
";

fn parsed(text: &str, format: Format) -> (Vec<u8>, Format, &'static str) {
    let parsed = parse_bytes(text, format).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    (parsed.bytes, parsed.format, parsed.detail)
}

fn hex_error(text: &str) -> ParseError {
    parse_bytes(text, Format::Hex).expect_err(text)
}

#[test]
fn xxd() {
    assert_eq!(
        parsed(XXD, Format::Hex),
        (FRAMES.to_vec(), Format::Hex, "xxd")
    );
    assert_eq!(
        parsed(XXD_G1_C8, Format::Hex),
        (FRAMES.to_vec(), Format::Hex, "xxd")
    );
}

#[test]
fn hexdump_canonical() {
    assert_eq!(
        parsed(HEXDUMP_C, Format::Hex),
        (FRAMES.to_vec(), Format::Hex, "hexdump -C")
    );
}

#[test]
fn wireshark_copy_as_hex_dump_with_and_without_text() {
    assert_eq!(
        parsed(WIRESHARK, Format::Hex),
        (FRAMES.to_vec(), Format::Hex, "wireshark hex dump")
    );
    assert_eq!(
        parsed(WIRESHARK_HEX_ONLY, Format::Hex),
        (FRAMES.to_vec(), Format::Hex, "wireshark hex dump")
    );
}

#[test]
fn tshark_x() {
    assert_eq!(
        parsed(TSHARK, Format::Hex),
        (FRAMES.to_vec(), Format::Hex, "wireshark hex dump")
    );
}

#[test]
fn every_dump_is_recognised_by_auto() {
    for (text, detail) in [
        (XXD, "xxd"),
        (XXD_G1_C8, "xxd"),
        (HEXDUMP_C, "hexdump -C"),
        (WIRESHARK, "wireshark hex dump"),
        (WIRESHARK_HEX_ONLY, "wireshark hex dump"),
        (TSHARK, "wireshark hex dump"),
    ] {
        assert_eq!(
            parsed(text, Format::Auto),
            (FRAMES.to_vec(), Format::Hex, detail),
            "{text}"
        );
    }
}

#[test]
fn crlf_line_ends_and_a_missing_final_newline() {
    let text = XXD.replace('\n', "\r\n");
    assert_eq!(parsed(&text, Format::Hex).0, FRAMES);
    assert_eq!(parsed(HEXDUMP_C.trim_end(), Format::Hex).0, FRAMES);
}

#[test]
fn gutters_that_look_like_hex_are_not_read() {
    // The gutter of "ab cd ef 12" reads "ab cd ef 12": hex-looking text.
    let bytes = b"ab cd ef 12 34 56 78 9a";
    let xxd = "00000000: 6162 2063 6420 6566 2031 3220 3334 2035  ab cd ef 12 34 5\n\
               00000010: 3620 3738 2039 61                        6 78 9a\n";
    assert_eq!(parsed(xxd, Format::Hex).0, bytes);
    let hexdump =
        "00000000  61 62 20 63 64 20 65 66  20 31 32 20 33 34 20 35  |ab cd ef 12 34 5|\n\
                   00000010  36 20 37 38 20 39 61                              |6 78 9a|\n\
                   00000017\n";
    assert_eq!(parsed(hexdump, Format::Hex).0, bytes);
    let wireshark = "0000   61 62 20 63 64 20 65 66 20 31 32 20 33 34 20 35   ab cd ef 12 34 5\n\
                     0010   36 20 37 38 20 39 61                              6 78 9a\n";
    assert_eq!(parsed(wireshark, Format::Hex).0, bytes);
}

#[test]
fn a_full_single_line_gutter_after_two_spaces_is_cut_by_the_byte_count() {
    // Old Wireshark versions put two spaces before the gutter; the offsets of
    // the next line bound the first, and the widest line bounds the last.
    let text = "0000  61 62 63 64 65 66 61 62 63 64 65 66 61 62 63 64  abcdefabcdefabcd\n\
                0010  61 62 63 64 65 66 61 62 63 64 65 66 61 62 63 64  abcdefabcdefabcd\n";
    assert_eq!(
        parsed(text, Format::Hex).0,
        b"abcdefabcdefabcdabcdefabcdefabcd"
    );
}

#[test]
fn a_gutter_with_bars_inside() {
    let text = "00000000  7c 61 7c                                          ||a||\n00000003\n";
    assert_eq!(
        parsed(text, Format::Hex),
        (b"|a|".to_vec(), Format::Hex, "hexdump -C")
    );
}

#[test]
fn concatenated_dumps_restart_at_offset_zero() {
    let two = format!("{WIRESHARK}{WIRESHARK}");
    assert_eq!(parsed(&two, Format::Hex).0, [FRAMES, FRAMES].concat());
}

#[test]
fn xxd_odd_group_is_located() {
    let error = hex_error("00000000: 8105 486  ..H\n");
    assert_eq!(
        error.message,
        "odd number of hex digits in an xxd group ending with '6'"
    );
    assert_eq!((error.line, error.column), (1, 18));
}

#[test]
fn xxd_bad_digit_is_located() {
    let error = hex_error("00000000: 8105 4865  ..He\n00000004: 6c6x 6f    lo\n");
    assert_eq!(error.message, "invalid hex digit 'x'");
    assert_eq!((error.line, error.column), (2, 14));
}

#[test]
fn a_line_with_fewer_bytes_than_the_offsets_say() {
    let text = HEXDUMP_C.replacen("4d  |", "    |", 1);
    let error = hex_error(&text);
    assert_eq!(
        error.message,
        "this line holds 15 bytes but the offsets say 16 (the next line is at 0x10)"
    );
    assert_eq!((error.line, error.column), (1, 1));
}

#[test]
fn hexdump_final_offset_checks_the_last_line() {
    let text = HEXDUMP_C.replace("0000001b", "0000001c");
    let error = hex_error(&text);
    assert_eq!(
        error.message,
        "this line holds 11 bytes but the offsets say 12 (the next line is at 0x1c)"
    );
    assert_eq!(error.line, 2);
}

#[test]
fn offsets_that_go_backwards() {
    let text = XXD
        .replace("00000010:", "00000008:")
        .replace("00000000:", "00000010:");
    let error = hex_error(&text);
    assert_eq!(
        error.message,
        "offset 0x8 does not follow offset 0x10 of the line before"
    );
    assert_eq!((error.line, error.column), (2, 1));
}

#[test]
fn hexdump_star_is_refused_with_a_hint() {
    let text = "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000100\n";
    let error = hex_error(text);
    assert!(error.message.contains("hexdump -v -C"), "{}", error.message);
    assert_eq!((error.line, error.column), (2, 1));
}

#[test]
fn plain_hexdump_words_are_refused_with_a_hint() {
    let text = "0000000 0581 6548 6c6c 816f 3785 21fa 7f3d 4d9f\n0000010 5851 0301 6548 806c 6c02 006f\n000001b\n";
    for format in [Format::Hex, Format::Auto] {
        let error = parse_bytes(text, format).unwrap_err();
        assert!(
            error.message.contains("hexdump -C or xxd"),
            "{}",
            error.message
        );
        assert_eq!((error.line, error.column), (1, 1));
    }
}

#[test]
fn a_stray_line_inside_a_dump() {
    let text = format!("{}Reassembled TCP (27 bytes):\n", WIRESHARK);
    let error = hex_error(&text);
    assert_eq!(
        error.message,
        "expected a hex dump line starting with an offset"
    );
    assert_eq!((error.line, error.column), (3, 1));
}

#[test]
fn a_byte_with_three_digits_in_a_dump() {
    let error = hex_error("0000   81 055 48\n");
    assert_eq!(
        error.message,
        "a byte with more than two hex digits in a hex dump"
    );
    assert_eq!((error.line, error.column), (1, 11));
}
