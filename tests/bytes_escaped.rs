//! parse_bytes with Format::Escaped.

use wsinspect::{parse_bytes, Format, ParseError};

fn escaped(text: &str) -> (Vec<u8>, &'static str) {
    let parsed = parse_bytes(text, Format::Escaped).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(parsed.format, Format::Escaped);
    (parsed.bytes, parsed.detail)
}

fn escaped_error(text: &str) -> ParseError {
    parse_bytes(text, Format::Escaped).expect_err(text)
}

#[test]
fn hixie_76_text_frame() {
    // draft-hixie-thewebsocketprotocol-76: text frames are 0x00, UTF-8, 0xFF.
    assert_eq!(
        escaped("\\x00Hello\\xFF"),
        (b"\x00Hello\xff".to_vec(), "escapes")
    );
    assert_eq!(escaped("\\x00\\xff").0, b"\x00\xff");
}

#[test]
fn every_named_escape() {
    let text = r#"\r\n\t\0\\\"\'\/\a\b\f\v\e\?"#;
    assert_eq!(escaped(text).0, b"\r\n\t\0\\\"'/\x07\x08\x0c\x0b\x1b?");
}

#[test]
fn literal_characters_are_their_utf8_bytes() {
    assert_eq!(escaped("héllo €"), ("héllo €".as_bytes().to_vec(), "text"));
    assert_eq!(escaped("tab\there").0, b"tab\there");
    assert_eq!(escaped("").0, b"");
}

#[test]
fn the_rfc6455_handshake_as_a_c_string() {
    let text =
        "GET /chat HTTP/1.1\\r\\nHost: server.example.com\\r\\nUpgrade: websocket\\r\\n\\r\\n";
    assert_eq!(
        escaped(text).0,
        b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\r\n"
    );
}

#[test]
fn octal_escapes_as_wireshark_copies_c_strings() {
    assert_eq!(escaped("\\201\\005Hello").0, b"\x81\x05Hello");
    assert_eq!(escaped("\\0008").0, b"\x008");
    assert_eq!(escaped("\\08").0, b"\x008");
    assert_eq!(escaped("\\377").0, b"\xff");
}

#[test]
fn unicode_escapes() {
    assert_eq!(escaped("\\u00e9").0, "é".as_bytes());
    assert_eq!(escaped("\\u{1F600}").0, "😀".as_bytes());
    assert_eq!(escaped("\\ud83d\\ude00").0, "😀".as_bytes());
}

#[test]
fn bad_hex_escape() {
    let error = escaped_error("ok\n\\x0g");
    assert_eq!(error.message, "'\\x' needs two hex digits, found 'g'");
    assert_eq!((error.line, error.column, error.offset), (2, 1, 3));
    assert_eq!(
        escaped_error("\\x4").message,
        "'\\x' needs two hex digits, found the end"
    );
}

#[test]
fn unknown_escape() {
    let error = escaped_error("ab\\qc");
    assert_eq!(error.message, "unknown escape '\\q'");
    assert_eq!((error.line, error.column), (1, 3));
    let error = escaped_error("ab\\\ncd");
    assert_eq!(
        error.message,
        "a backslash followed by '\\n' is not an escape"
    );
}

#[test]
fn dangling_backslash() {
    let error = escaped_error("héllo\\");
    assert_eq!(
        error.message,
        "a backslash at the end of the text escapes nothing"
    );
    assert_eq!((error.column, error.offset), (6, 5));
}

#[test]
fn octal_over_a_byte() {
    let error = escaped_error("\\400");
    assert_eq!(error.message, "octal escape '\\400' is over '\\377'");
}

#[test]
fn bad_unicode_escapes() {
    assert_eq!(
        escaped_error("\\ud83d").message,
        "'\\u' escape D83D is not a character (a lone surrogate, or over 10FFFF)"
    );
    assert_eq!(
        escaped_error("\\u12").message,
        "'\\u' needs four hex digits (or '\\u{...}')"
    );
    assert_eq!(
        escaped_error("\\u{110000}").message,
        "'\\u' escape 110000 is not a character (a lone surrogate, or over 10FFFF)"
    );
    assert_eq!(
        escaped_error("\\u{}").message,
        "'\\u{' needs one to six hex digits and a closing '}'"
    );
}
