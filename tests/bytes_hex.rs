//! parse_bytes with Format::Hex on plain hex: streams, separators, prefixes.

use wsinspect::{parse_bytes, Format, ParseError};

/// RFC 6455 §5.7: a single-frame unmasked text message "Hello".
const HELLO: &[u8] = b"\x81\x05\x48\x65\x6c\x6c\x6f";

fn hex(text: &str) -> (Vec<u8>, &'static str) {
    let parsed = parse_bytes(text, Format::Hex).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(parsed.format, Format::Hex);
    (parsed.bytes, parsed.detail)
}

fn hex_error(text: &str) -> ParseError {
    parse_bytes(text, Format::Hex).expect_err(text)
}

#[test]
fn wireshark_hex_stream() {
    assert_eq!(hex("810548656c6c6f"), (HELLO.to_vec(), "hex stream"));
}

#[test]
fn uppercase_and_surrounding_whitespace() {
    assert_eq!(hex("  810548656C6C6F\r\n"), (HELLO.to_vec(), "hex stream"));
}

#[test]
fn xxd_plain_lines_stay_a_stream() {
    let text = "810548656c6c6f818537fa213d7f9f4d5158010348656c80026c6f\n8105\n";
    let (bytes, detail) = hex(text);
    assert_eq!(detail, "hex stream");
    assert_eq!(bytes.len(), 29);
    assert_eq!(&bytes[27..], b"\x81\x05");
}

#[test]
fn spaced_by_each_separator() {
    for text in [
        "81 05 48 65 6c 6c 6f",
        "81\t05\n48\r\n65 6c 6c 6f",
        "81,05,48,65,6c,6c,6f",
        "81:05:48:65:6c:6c:6f",
        "81, 05, 48 ,65:6c 6c\u{a0}6f",
    ] {
        assert_eq!(hex(text), (HELLO.to_vec(), "spaced hex"), "{text:?}");
    }
}

#[test]
fn groups_of_several_bytes() {
    assert_eq!(hex("8105 4865 6c6c6f"), (HELLO.to_vec(), "spaced hex"));
}

#[test]
fn zero_x_prefixes_including_one_digit_groups() {
    assert_eq!(
        hex("0x81 0x5 0x48 0X65 0x6c 0x6c 0x6f"),
        (HELLO.to_vec(), "0x hex")
    );
    assert_eq!(
        hex("0x81,0x05,0x48,0x65,0x6c,0x6c,0x6f,"),
        (HELLO.to_vec(), "0x hex")
    );
    assert_eq!(hex("0x810548656c6c6f"), (HELLO.to_vec(), "0x hex"));
}

#[test]
fn backslash_x_escapes() {
    assert_eq!(
        hex("\\x81\\x05\\x48\\x65\\x6c\\x6c\\x6f"),
        (HELLO.to_vec(), "\\x hex")
    );
    assert_eq!(hex("\\x81\\x5 \\x48656c6c6f"), (HELLO.to_vec(), "\\x hex"));
}

#[test]
fn blank_text_is_no_bytes() {
    assert_eq!(hex(""), (vec![], "empty"));
    assert_eq!(hex(" \n\t"), (vec![], "empty"));
}

#[test]
fn a_bad_digit_is_named_with_its_line_column_and_offset() {
    let error = hex_error("81 05\n48 6g");
    assert_eq!(
        error.to_string(),
        "invalid hex digit 'g' at line 2, column 5"
    );
    assert_eq!((error.line, error.column, error.offset), (2, 5, 10));
    assert_eq!(error.message, "invalid hex digit 'g'");
}

#[test]
fn invalid_digit_in_a_long_stream_is_found_in_any_block_position() {
    for bad in [0usize, 1, 127, 128, 129, 1000, 4095] {
        let mut text = "ab".repeat(2048);
        text.replace_range(bad..bad + 1, "z");
        let error = hex_error(&text);
        assert_eq!(
            (error.line, error.column, error.offset),
            (1, bad + 1, bad),
            "bad {bad}"
        );
        assert_eq!(error.message, "invalid hex digit 'z'");
    }
}

#[test]
fn columns_and_offsets_count_characters_not_bytes() {
    // "é" is two bytes in UTF-8 but one character.
    let error = hex_error("81 05\n48 é5");
    assert_eq!((error.line, error.column, error.offset), (2, 4, 9));
    assert_eq!(error.message, "invalid hex digit 'é'");
}

#[test]
fn odd_digit_count_in_a_stream_points_at_the_unpaired_digit() {
    let error = hex_error("810548656c6c6");
    assert_eq!(
        error.message,
        "odd number of hex digits (13) in a group ending with '6'"
    );
    assert_eq!((error.line, error.column, error.offset), (1, 13, 12));
}

#[test]
fn odd_digit_count_in_a_group_points_at_that_group() {
    let error = hex_error("81 05\n48 655 6c");
    assert_eq!(
        error.message,
        "odd number of hex digits (3) in a group ending with '5'"
    );
    assert_eq!((error.line, error.column), (2, 6));
}

#[test]
fn three_digit_zero_x_group_is_odd() {
    let error = hex_error("0x81 0x123");
    assert_eq!(
        error.message,
        "odd number of hex digits (3) in a group ending with '3'"
    );
    assert_eq!(error.column, 10);
}

#[test]
fn prefix_without_digits() {
    let error = hex_error("0x81 0x, 0x05");
    assert_eq!(error.message, "'0x' with no hex digits after it");
    assert_eq!(error.column, 6);
    let error = hex_error("\\x81\\x");
    assert_eq!(error.message, "'\\x' with no hex digits after it");
    assert_eq!(error.column, 5);
}

#[test]
fn backslash_without_x() {
    let error = hex_error("81\\05");
    assert_eq!(error.message, "invalid hex digit '\\'");
    assert_eq!(error.column, 3);
}

#[test]
fn invisible_characters_are_shown_escaped() {
    let error = hex_error("81\u{0}05");
    assert_eq!(error.message, "invalid hex digit '\\0'");
    assert_eq!(error.column, 3);
}

#[test]
fn error_display_is_message_then_place() {
    let error = hex_error("\n\n  zz");
    assert_eq!(
        error.to_string(),
        "invalid hex digit 'z' at line 3, column 3"
    );
    assert_eq!(error.offset, 4);
}

#[test]
fn a_byte_order_mark_before_hex_is_skipped() {
    // A file saved with a BOM used to fail on its first character.
    assert_eq!(hex("\u{FEFF}810548656c6c6f").0, HELLO);
    assert_eq!(
        hex("\u{FEFF}00000000: 8105 4865 6c6c 6f  ..Hello\n").0,
        HELLO
    );
    // Places still count the mark, which is in the text the user sees.
    let e = hex_error("\u{FEFF}81 6g");
    assert_eq!((e.line, e.column, e.offset), (1, 6, 5));
    let e = hex_error("\u{FEFF}81\n6g");
    assert_eq!((e.line, e.column, e.offset), (2, 2, 5));
}
