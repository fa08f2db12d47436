//! Format::Auto: which format each shape gets, and that it is reported.

use wsinspect::{parse_bytes, Format};

fn auto(text: &str) -> (Vec<u8>, Format, &'static str) {
    let parsed = parse_bytes(text, Format::Auto).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_ne!(parsed.format, Format::Auto);
    (parsed.bytes, parsed.format, parsed.detail)
}

fn chosen(text: &str) -> (Format, &'static str) {
    let (_, format, detail) = auto(text);
    (format, detail)
}

#[test]
fn blank_is_empty_hex() {
    assert_eq!(auto(""), (vec![], Format::Hex, "empty"));
    assert_eq!(auto("\n  \n"), (vec![], Format::Hex, "empty"));
}

#[test]
fn hex_shapes() {
    assert_eq!(
        auto("810548656c6c6f"),
        (b"\x81\x05Hello".to_vec(), Format::Hex, "hex stream")
    );
    assert_eq!(chosen("81 05 48 65 6c 6c 6f"), (Format::Hex, "spaced hex"));
    assert_eq!(chosen("81:05:48"), (Format::Hex, "spaced hex"));
    assert_eq!(chosen("0x81, 0x05"), (Format::Hex, "0x hex"));
    assert_eq!(chosen("\\x81\\x05\\x48"), (Format::Hex, "\\x hex"));
    assert_eq!(chosen("{0x81, 0x05}"), (Format::Hex, "c array"));
    assert_eq!(chosen("[0x81,0x05]"), (Format::Hex, "js array"));
    assert_eq!(chosen("[129, 5]"), (Format::Hex, "decimal array"));
    assert_eq!(chosen("<Buffer 81 05>"), (Format::Hex, "node buffer"));
}

#[test]
fn words_made_of_hex_letters() {
    // An even number of hex letters is hex; an odd one without any decimal digit is text.
    assert_eq!(auto("cafe"), (vec![0xca, 0xfe], Format::Hex, "hex stream"));
    assert_eq!(auto("bad"), (b"bad".to_vec(), Format::Escaped, "text"));
    assert_eq!(auto("a"), (b"a".to_vec(), Format::Escaped, "text"));
    assert_eq!(chosen("dead beef"), (Format::Hex, "spaced hex"));
}

#[test]
fn odd_hex_with_digits_stays_hex_and_reports_the_odd_digit() {
    let error = parse_bytes("81 05 4", Format::Auto).unwrap_err();
    assert_eq!(
        error.message,
        "odd number of hex digits (1) in a group ending with '4'"
    );
    assert_eq!(error.column, 7);
}

#[test]
fn a_malformed_dump_is_a_hex_error_not_text() {
    let error = parse_bytes("00000000: 8105 4g65  ..He\n", Format::Auto).unwrap_err();
    assert_eq!(error.message, "invalid hex digit 'g'");
    assert_eq!(error.column, 17);
}

#[test]
fn escapes_make_escaped() {
    assert_eq!(
        auto("\\x00hello\\xff"),
        (b"\x00hello\xff".to_vec(), Format::Escaped, "escapes")
    );
    assert_eq!(chosen("line\\r\\n"), (Format::Escaped, "escapes"));
}

#[test]
fn base64_shapes() {
    assert_eq!(
        auto("SGVsbG8="),
        (b"Hello".to_vec(), Format::Base64, "base64")
    );
    assert_eq!(
        auto("SGVsbG8"),
        (b"Hello".to_vec(), Format::Base64, "base64")
    );
    assert_eq!(
        chosen("gQVIZWxsb4GFN_ohPX-fTVFY"),
        (Format::Base64, "base64url")
    );
    assert_eq!(
        chosen("gQVIZWxs\nb4GFN/oh\nPX+fTVFY\n"),
        (Format::Base64, "base64")
    );
    assert_eq!(
        auto("dGhlIHNhbXBsZSBub25jZQ=="),
        (b"the sample nonce".to_vec(), Format::Base64, "base64")
    );
}

#[test]
fn text_that_is_not_base64() {
    assert_eq!(auto("hello"), (b"hello".to_vec(), Format::Escaped, "text"));
    assert_eq!(
        auto("Hello World"),
        (b"Hello World".to_vec(), Format::Escaped, "text")
    );
    assert_eq!(chosen("Hi"), (Format::Escaped, "text"));
    assert_eq!(
        chosen(r#"{"type":"subscribe","channel":"ticker"}"#),
        (Format::Escaped, "text")
    );
    assert_eq!(chosen(r#"["x", 1]"#), (Format::Escaped, "text"));
    assert_eq!(chosen("héllo wörld"), (Format::Escaped, "text"));
}

#[test]
fn a_hex_typo_outside_a_dump_falls_to_text() {
    // Documented limit of auto: the shape is no longer hex.
    assert_eq!(
        auto("81 05 4g"),
        (b"81 05 4g".to_vec(), Format::Escaped, "text")
    );
}

#[test]
fn hex_wins_over_base64_when_both_fit() {
    assert_eq!(chosen("deadbeef"), (Format::Hex, "hex stream"));
    assert_eq!(
        parse_bytes("deadbeef", Format::Base64).unwrap().bytes,
        [0x75, 0xe6, 0x9d, 0x6d, 0xe7, 0x9f]
    );
}

#[test]
fn backslash_x_with_more_digits_is_escaped_text_not_hex() {
    // A hixie-76 frame around "cafe": the letters are text, not hex.
    assert_eq!(
        auto("\\x00cafe\\xff"),
        (b"\x00cafe\xff".to_vec(), Format::Escaped, "escapes")
    );
    assert_eq!(
        auto("\\x00\\xff"),
        (b"\x00\xff".to_vec(), Format::Hex, "\\x hex")
    );
}

#[test]
fn backslash_x_beside_bare_digits_is_escaped_text() {
    assert_eq!(
        auto("\\x41 42"),
        (b"A 42".to_vec(), Format::Escaped, "escapes")
    );
    assert_eq!(
        auto("42\\x41"),
        (b"42A".to_vec(), Format::Escaped, "escapes")
    );
}

#[test]
fn brackets_inside_text_are_not_an_array() {
    assert_eq!(chosen("x = [1]\\x00"), (Format::Escaped, "escapes"));
    assert_eq!(chosen("\\xE4={[\\221"), (Format::Escaped, "escapes"));
    assert_eq!(chosen("see [1] and [2]"), (Format::Escaped, "text"));
}

#[test]
fn format_names_round_trip() {
    for (format, name) in [
        (Format::Auto, "auto"),
        (Format::Hex, "hex"),
        (Format::Base64, "base64"),
        (Format::Escaped, "escaped"),
    ] {
        assert_eq!(format.as_str(), name);
        assert_eq!(format.to_string(), name);
        assert_eq!(Format::from_name(name), Some(format));
    }
    assert_eq!(Format::from_name("Hex"), None);
}

#[test]
fn a_byte_order_mark_is_skipped_before_hex_and_base64_and_kept_in_text() {
    // Auto used to read a BOM before hex as escaped text: garbage bytes.
    assert_eq!(
        auto("\u{FEFF}81 05 48 65 6c 6c 6f"),
        (b"\x81\x05Hello".to_vec(), Format::Hex, "spaced hex")
    );
    assert_eq!(auto("\u{FEFF}SGVsbG8=").0, b"Hello");
    // Text read as text keeps every character it has, the mark too.
    assert_eq!(
        auto("\u{FEFF}hello"),
        ("\u{FEFF}hello".as_bytes().to_vec(), Format::Escaped, "text")
    );
}
