//! parse_bytes on arrays: C, xxd -i, JS, Node, Go, Java, decimal.

use wsinspect::{parse_bytes, Format, ParseError};

/// RFC 6455 §5.7: a single-frame unmasked text message "Hello".
const HELLO: &[u8] = b"\x81\x05\x48\x65\x6c\x6c\x6f";

fn hex(text: &str) -> (Vec<u8>, &'static str) {
    let parsed = parse_bytes(text, Format::Hex).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(parsed.format, Format::Hex);
    let auto = parse_bytes(text, Format::Auto).unwrap_or_else(|e| panic!("auto {text:?}: {e}"));
    assert_eq!(auto, parsed, "auto reads {text:?} differently");
    (parsed.bytes, parsed.detail)
}

fn hex_error(text: &str) -> ParseError {
    parse_bytes(text, Format::Hex).expect_err(text)
}

#[test]
fn c_array_in_braces() {
    assert_eq!(
        hex("{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}"),
        (HELLO.to_vec(), "c array")
    );
}

#[test]
fn c_declaration() {
    let text = "unsigned char buf[] = {\n  0x81, 0x05, 0x48, 0x65,\n  0x6c, 0x6c, 0x6f,\n};\n";
    assert_eq!(hex(text), (HELLO.to_vec(), "c array"));
    let text = "static const uint8_t frame[7] = { 0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F };";
    assert_eq!(hex(text), (HELLO.to_vec(), "c array"));
}

#[test]
fn xxd_include_output_with_its_length_line() {
    let text = "unsigned char hello_bin[] = {\n  0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f\n};\nunsigned int hello_bin_len = 7;\n";
    assert_eq!(hex(text), (HELLO.to_vec(), "c array"));
}

#[test]
fn xxd_include_length_line_that_disagrees() {
    let text =
        "unsigned char hello_bin[] = {\n  0x81, 0x05, 0x48\n};\nunsigned int hello_bin_len = 7;\n";
    let error = hex_error(text);
    assert_eq!(
        error.message,
        "the array has 3 bytes but its length line says 7"
    );
    assert_eq!((error.line, error.column), (4, 30));
}

#[test]
fn js_arrays() {
    assert_eq!(
        hex("[0x81,0x05,0x48,0x65,0x6c,0x6c,0x6f]"),
        (HELLO.to_vec(), "js array")
    );
    assert_eq!(
        hex("new Uint8Array([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);"),
        (HELLO.to_vec(), "js array")
    );
    assert_eq!(
        hex("const frame = Buffer.from([0x81, 0x5, 0x48, 0x65, 0x6c, 0x6c, 0x6f])"),
        (HELLO.to_vec(), "js array")
    );
}

#[test]
fn decimal_arrays_are_read_as_decimal_and_say_so() {
    assert_eq!(
        hex("[129, 5, 72, 101, 108, 108, 111]"),
        (HELLO.to_vec(), "decimal array")
    );
    assert_eq!(
        hex("{129, 5, 72, 101, 108, 108, 111}"),
        (HELLO.to_vec(), "decimal array")
    );
    // Node's console.log of a Uint8Array.
    let node = "Uint8Array(7) [\n  129,   5,  72, 101,\n  108, 108, 111\n]";
    assert_eq!(hex(node), (HELLO.to_vec(), "decimal array"));
    // Python's list(bytes), Rust's {:?} of a Vec<u8>.
    assert_eq!(
        hex("[129, 5, 72, 101, 108, 108, 111]\n"),
        (HELLO.to_vec(), "decimal array")
    );
}

#[test]
fn signed_decimal_arrays_as_java_prints_them() {
    assert_eq!(
        hex("[-127, 5, 72, 101, 108, 108, 111]"),
        (HELLO.to_vec(), "decimal array")
    );
    assert_eq!(hex("[-128, -1, 0]").0, [0x80, 0xFF, 0x00]);
}

#[test]
fn items_without_0x_are_decimal_even_beside_hex_ones() {
    assert_eq!(
        hex("{0x81, 5, 72, 0x65, 0x6c, 0x6c, 0x6f}"),
        (HELLO.to_vec(), "c array")
    );
}

#[test]
fn go_slice_literal() {
    assert_eq!(
        hex("[]byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}"),
        (HELLO.to_vec(), "go array")
    );
}

#[test]
fn rust_array_with_a_type() {
    assert_eq!(
        hex("let frame: [u8; 7] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];"),
        (HELLO.to_vec(), "js array")
    );
}

#[test]
fn node_buffer_inspection() {
    assert_eq!(
        hex("<Buffer 81 05 48 65 6c 6c 6f>"),
        (HELLO.to_vec(), "node buffer")
    );
    assert_eq!(hex("<Buffer >"), (vec![], "node buffer"));
}

#[test]
fn node_json_of_a_buffer() {
    let text = r#"{"type":"Buffer","data":[129,5,72,101,108,108,111]}"#;
    assert_eq!(hex(text), (HELLO.to_vec(), "decimal array"));
}

#[test]
fn empty_arrays() {
    assert_eq!(hex("[]"), (vec![], "js array"));
    assert_eq!(hex("{ }"), (vec![], "c array"));
}

#[test]
fn truncated_node_buffer() {
    let error = hex_error("<Buffer 81 05 48 ... 950 more bytes>");
    assert!(
        error
            .message
            .starts_with("node printed only the first bytes"),
        "{}",
        error.message
    );
    assert_eq!(error.column, 18);
}

#[test]
fn a_decimal_item_over_255() {
    let error = hex_error("[129, 5, 300]");
    assert_eq!(
        error.message,
        "array item '300' is not a byte (-128 to 255)"
    );
    assert_eq!((error.line, error.column), (1, 10));
}

#[test]
fn a_hex_item_over_0xff() {
    let error = hex_error("{0x81,\n 0x105}");
    assert_eq!(
        error.message,
        "array item '0x105' is not a byte (0x00 to 0xff)"
    );
    assert_eq!((error.line, error.column), (2, 2));
}

#[test]
fn hex_digits_without_a_prefix() {
    let error = hex_error("[81, 05, 6c]");
    assert_eq!(
        error.message,
        "array item '6c' has hex digits but no 0x prefix (items without 0x are decimal)"
    );
    assert_eq!(error.column, 10);
}

#[test]
fn a_leading_zero_that_c_would_read_as_octal() {
    let error = hex_error("{010, 5}");
    assert!(
        error.message.starts_with("array item '010' is ambiguous"),
        "{}",
        error.message
    );
    assert_eq!(hex("{00, 07}").0, [0, 7]);
}

#[test]
fn missing_commas_and_items() {
    assert_eq!(
        hex_error("[1 2]").message,
        "missing ',' between array items"
    );
    let error = hex_error("[1,, 2]");
    assert_eq!(
        (error.message.as_str(), error.column),
        ("missing array item before ','", 4)
    );
}

#[test]
fn unclosed_and_nested_arrays() {
    let error = hex_error("x = [1, 2");
    assert_eq!(
        (error.message.as_str(), error.column),
        ("this array is never closed", 5)
    );
    let error = hex_error("[[1], [2]]");
    assert_eq!(
        (error.message.as_str(), error.column),
        ("nested arrays are not bytes", 2)
    );
}

#[test]
fn text_around_the_array() {
    let error = hex_error("frame 81 [1, 2]");
    assert_eq!(
        (error.message.as_str(), error.column),
        ("unexpected text before the array", 1)
    );
    let error = hex_error("[1, 2] and more");
    assert_eq!(
        (error.message.as_str(), error.column),
        ("unexpected text after the array", 8)
    );
}

#[test]
fn char_literals_are_not_bytes() {
    let error = hex_error("{'a', 0x05}");
    assert_eq!(error.message, "invalid array item ''a'': unexpected '''");
    assert_eq!(error.column, 2);
}
