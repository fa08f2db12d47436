//! parse_bytes with Format::Base64.

use wsinspect::{parse_bytes, Format, ParseError};

/// RFC 6455 §5.7, "Hello" unmasked then masked: 18 bytes, so no padding.
const TWO_FRAMES: &[u8] =
    b"\x81\x05\x48\x65\x6c\x6c\x6f\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";

fn base64(text: &str) -> (Vec<u8>, &'static str) {
    let parsed = parse_bytes(text, Format::Base64).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(parsed.format, Format::Base64);
    (parsed.bytes, parsed.detail)
}

fn base64_error(text: &str) -> ParseError {
    parse_bytes(text, Format::Base64).expect_err(text)
}

#[test]
fn standard_alphabet() {
    assert_eq!(
        base64("gQVIZWxsb4GFN/ohPX+fTVFY"),
        (TWO_FRAMES.to_vec(), "base64")
    );
}

#[test]
fn url_safe_alphabet() {
    assert_eq!(
        base64("gQVIZWxsb4GFN_ohPX-fTVFY"),
        (TWO_FRAMES.to_vec(), "base64url")
    );
}

#[test]
fn padded_and_unpadded() {
    assert_eq!(base64("gQVIZWxsbw==").0, b"\x81\x05Hello");
    assert_eq!(base64("gQVIZWxsbw").0, b"\x81\x05Hello");
    assert_eq!(base64("gQVIZWxsb4E=").0, b"\x81\x05Hello\x81");
    assert_eq!(base64("gQVIZWxsb4E").0, b"\x81\x05Hello\x81");
}

#[test]
fn rfc4648_test_vectors() {
    // RFC 4648 §10.
    for (text, bytes) in [
        ("", ""),
        ("Zg==", "f"),
        ("Zm8=", "fo"),
        ("Zm9v", "foo"),
        ("Zm9vYg==", "foob"),
        ("Zm9vYmE=", "fooba"),
        ("Zm9vYmFy", "foobar"),
    ] {
        assert_eq!(base64(text).0, bytes.as_bytes(), "{text}");
    }
}

#[test]
fn the_rfc6455_handshake_key() {
    // RFC 6455 §1.3: the nonce "the sample nonce".
    assert_eq!(base64("dGhlIHNhbXBsZSBub25jZQ==").0, b"the sample nonce");
}

#[test]
fn whitespace_and_line_breaks_anywhere() {
    assert_eq!(base64(" gQVIZWxs\r\nb4GFN/oh\n PX+f TVFY\n").0, TWO_FRAMES);
}

#[test]
fn invalid_character() {
    let error = base64_error("gQVI\nZW*s");
    assert_eq!(error.message, "invalid base64 character '*'");
    assert_eq!((error.line, error.column, error.offset), (2, 3, 7));
}

#[test]
fn mixed_alphabets() {
    let error = base64_error("gQVIZWxsb4GFN/ohPX-fTVFY");
    assert_eq!(
        error.message,
        "'-' mixes the base64 alphabet ('+', '/') with the base64url one ('-', '_')"
    );
    assert_eq!(error.column, 19);
}

#[test]
fn data_after_padding() {
    let error = base64_error("Zg==Zg==");
    assert_eq!(error.message, "base64 character 'Z' after '=' padding");
    assert_eq!(error.column, 5);
}

#[test]
fn too_much_padding() {
    let error = base64_error("Zg===");
    assert_eq!(error.message, "more than two '=' padding characters");
    assert_eq!(error.column, 5);
}

#[test]
fn wrong_padding_for_the_length() {
    let error = base64_error("Zm8==");
    assert_eq!(
        error.message,
        "wrong number of '=' padding characters for the length of the base64"
    );
    assert_eq!(error.column, 4);
}

#[test]
fn one_character_too_many() {
    let error = base64_error("Zm9vY");
    assert_eq!(
        error.message,
        "5 base64 characters cannot be decoded: one is missing or one is too many"
    );
    assert_eq!(error.column, 5);
}

#[test]
fn non_canonical_final_bits() {
    // "Zh" carries "f" plus four set bits that no encoder writes.
    let error = base64_error("Zh==");
    assert!(
        error
            .message
            .starts_with("the last base64 character 'h' has bits set"),
        "{}",
        error.message
    );
    assert_eq!(error.column, 2);
}

#[test]
fn non_ascii() {
    let error = base64_error("Zm9v\u{a0}");
    assert_eq!(error.message, "invalid base64 character '\\u{a0}'");
    assert_eq!(error.column, 5);
}
