//! wasm-bindgen tests of the binding, shared by the Node suite (`wasm_node.rs`) and the
//! browser suite (`wasm_browser.rs`): each export converts its arguments and results.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use wsinspect::wasm;

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("property")
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

const MASKED_HELLO: [u8; 11] = [
    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];

#[wasm_bindgen_test]
fn accept_key_rfc6455_example() {
    assert_eq!(
        wasm::accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[wasm_bindgen_test]
fn decode_gives_frames_messages_and_field_spans_as_js_objects() {
    let result = wasm::decode(&MASKED_HELLO, JsValue::UNDEFINED).unwrap();
    let frames: Array = get(&result, "frames").dyn_into().unwrap();
    assert_eq!(frames.length(), 1);
    let frame = frames.get(0);
    assert_eq!(get(&frame, "kind").as_string().unwrap(), "text");
    assert_eq!(get(&frame, "masked").as_bool(), Some(true));
    assert_eq!(get(&frame, "payloadOffset").as_f64(), Some(6.0));
    let key: Uint8Array = get(&frame, "maskingKey").dyn_into().unwrap();
    assert_eq!(key.to_vec(), vec![0x37, 0xfa, 0x21, 0x3d]);
    let message = Array::from(&get(&result, "messages")).get(0);
    assert_eq!(get(&message, "text").as_string().unwrap(), "Hello");
    assert_eq!(get(&result, "role").as_string().unwrap(), "client");
    assert!(get(&result, "incomplete").is_null());
}

#[wasm_bindgen_test]
fn decoder_push_reports_absolute_offsets_and_end_reports_the_tail() {
    let mut decoder = wasm::JsDecoder::new(obj(&[("role", "client".into())])).unwrap();
    let first = decoder.push(&MASKED_HELLO[..4]);
    assert_eq!(Array::from(&get(&first, "frames")).length(), 0);
    let second = decoder.push(&MASKED_HELLO[4..]);
    let frame = Array::from(&get(&second, "frames")).get(0);
    assert_eq!(get(&frame, "offset").as_f64(), Some(0.0));
    let third = decoder.push(&[0x81, 0x05, 0x48]);
    assert_eq!(Array::from(&get(&third, "frames")).length(), 0);
    let end = decoder.end();
    let incomplete = get(&end, "incomplete");
    assert_eq!(get(&incomplete, "offset").as_f64(), Some(11.0));
    assert_eq!(get(&incomplete, "needed").as_f64(), Some(4.0));
}

#[wasm_bindgen_test]
fn violations_are_data_with_id_offset_and_close_code() {
    let result = wasm::decode(&[0x83, 0x00], JsValue::UNDEFINED).unwrap();
    let violation = Array::from(&get(&result, "violations")).get(0);
    assert_eq!(
        get(&violation, "id").as_string().unwrap(),
        "reserved-opcode"
    );
    assert_eq!(get(&violation, "offset").as_f64(), Some(0.0));
    assert_eq!(get(&violation, "closeCode").as_f64(), Some(1002.0));
    assert!(get(&violation, "message")
        .as_string()
        .unwrap()
        .contains("byte 0"));
}

#[wasm_bindgen_test]
fn bad_options_and_bad_text_throw_errors_with_offsets() {
    let err = wasm::decode(&[], obj(&[("role", "peer".into())])).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    let err = wasm::parse_bytes_utf8(b"81 0g", Some("hex".into())).unwrap_err();
    assert_eq!(get(&err, "line").as_f64(), Some(1.0));
    assert_eq!(get(&err, "column").as_f64(), Some(5.0));
    assert_eq!(get(&err, "offset").as_f64(), Some(4.0));
    let err = wasm::hixie76_answer("1 2", "3 4", "short".into()).unwrap_err();
    assert_eq!(get(&err, "key").as_string().unwrap(), "key3");
}

#[wasm_bindgen_test]
fn parse_bytes_then_encode_frame_round_trips() {
    let parsed = wasm::parse_bytes_utf8(b"81 05 48 65 6c 6c 6f", None).unwrap();
    assert_eq!(get(&parsed, "format").as_string().unwrap(), "hex");
    let spec = obj(&[("opcode", 1.into()), ("payload", "Hello".into())]);
    let bytes: Uint8Array = get(&parsed, "bytes").dyn_into().unwrap();
    assert_eq!(wasm::encode_frame(spec).unwrap(), bytes.to_vec());
}

#[wasm_bindgen_test]
fn handshake_checks_come_back_as_objects() {
    let request = "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n";
    let handshake = wasm::parse_handshake(request.into()).unwrap();
    let checks = Array::from(&get(&handshake, "checks"));
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| get(c, "passed").as_bool() == Some(false))
        .map(|c| get(&c, "id").as_string().unwrap())
        .collect();
    assert_eq!(failed, vec!["bad-version"]);
    assert!(get(&handshake, "generation")
        .as_string()
        .unwrap()
        .starts_with("hybi-"));
}

/// The simd128 blocks of unmasking (wasm only) against the byte-by-byte reference, for
/// every length, alignment and phase around a block.
#[wasm_bindgen_test]
fn simd_unmask_equals_bytewise_for_every_length_alignment_and_phase() {
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let source: Vec<u8> = (0..120u32).map(|i| (i * 151 + 7) as u8).collect();
    for align in 0..16 {
        for len in 0..=96 {
            for phase in 0..4 {
                let mut fast = source.clone();
                let mut slow = source.clone();
                wsinspect::unmask(&mut fast[align..align + len], key, phase);
                wsinspect::unmask_bytewise(&mut slow[align..align + len], key, phase);
                assert_eq!(fast, slow, "align {align} len {len} phase {phase}");
            }
        }
    }
}

/// The simd128 ASCII run of UTF-8 validation stops at the first non-ASCII byte wherever
/// it sits in a block.
#[wasm_bindgen_test]
fn simd_ascii_run_finds_a_bad_byte_at_every_position() {
    for align in 0..16 {
        for at in 0..64 {
            let mut text = vec![b'a'; align + 64];
            text[align + at] = 0xFF;
            assert_eq!(
                wsinspect::validate_utf8(&text[align..]).map_err(|s| s.offset as usize),
                Err(at)
            );
            text[align + at] = b'b';
            assert_eq!(wsinspect::validate_utf8(&text[align..]), Ok(()));
        }
    }
}

/// The simd128 hex decoder (32 digits a block) against a decoder written out here, on
/// long random hex at several alignments: valid, and with a byte that is not a digit
/// (the neighbours of the digit ranges, and a two-byte character) at many positions.
#[wasm_bindgen_test]
fn simd_hex_decoding_equals_a_pair_by_pair_decoder_and_stops_at_every_bad_byte() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let digits = b"0123456789abcdefABCDEF";
    let text: String = (0..2100)
        .map(|_| digits[(next() % 22) as usize] as char)
        .collect();
    let parse = |text: &str| wasm::parse_bytes_utf8(text.as_bytes(), Some("hex".into()));
    for align in 0..4 {
        let text = &text[align..align + 2048];
        let expected: Vec<u8> = (0..text.len() / 2)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let bytes: Uint8Array = get(&parse(text).unwrap(), "bytes").dyn_into().unwrap();
        assert_eq!(bytes.to_vec(), expected, "align {align}");
    }
    // Each side of each digit range (':' is left out: it is a separator).
    let bad = ["/", ";", "@", "G", "`", "g", "z", "\u{e9}"];
    for at in (0..1100).step_by(7).chain(1000..1040) {
        let which = bad[at % bad.len()];
        let broken = format!("{}{which}{}", &text[..at], &text[at + 1..2048]);
        let err = parse(&broken).unwrap_err();
        assert_eq!(
            get(&err, "message").as_string().unwrap(),
            format!("invalid hex digit '{which}' at line 1, column {}", at + 1)
        );
        assert_eq!(get(&err, "line").as_f64(), Some(1.0));
        assert_eq!(get(&err, "column").as_f64(), Some(at as f64 + 1.0));
        assert_eq!(get(&err, "offset").as_f64(), Some(at as f64));
    }
}

/// The simd128 reading of spaced hex (16 groups of two digits and a separator at a
/// time) against the groups written, with the shape named from the separators used, and
/// a bad digit reported where it is.
#[wasm_bindgen_test]
fn simd_spaced_hex_reads_its_groups_names_its_shape_and_stops_at_a_bad_digit() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let digits = b"0123456789abcdefABCDEF";
    // Separators of one character keep the groups in step with the blocks of 16; the
    // last kinds do not, and are read a group at a time.
    for kinds in [
        &[" "][..],
        &["\n"],
        &["\r", "\n"],
        &[" ", "\n", "\r", ",", ":", "\t", "\x0c"],
        &["\r\n", ", ", "\n"],
    ] {
        let (mut text, mut expected, mut spaced) = (String::new(), Vec::new(), false);
        for group in 0..700 {
            let pair = [digits[next(22) as usize], digits[next(22) as usize]];
            let pair = std::str::from_utf8(&pair).unwrap();
            text.push_str(pair);
            expected.push(u8::from_str_radix(pair, 16).unwrap());
            let separator = kinds[next(kinds.len() as u64) as usize];
            text.push_str(separator);
            spaced |= group < 699 && !matches!(separator, "\n" | "\r" | "\r\n");
        }
        let parsed = wasm::parse_bytes_utf8(text.as_bytes(), Some("hex".into())).unwrap();
        let bytes: Uint8Array = get(&parsed, "bytes").dyn_into().unwrap();
        assert_eq!(bytes.to_vec(), expected, "{kinds:?}");
        let shape = if spaced { "spaced hex" } else { "hex stream" };
        assert_eq!(get(&parsed, "detail").as_string().unwrap(), shape);
        for at in (0..text.len()).step_by(37) {
            if !text.as_bytes()[at].is_ascii_hexdigit() {
                continue;
            }
            let broken = format!("{}g{}", &text[..at], &text[at + 1..]);
            let err = wasm::parse_bytes_utf8(broken.as_bytes(), Some("hex".into())).unwrap_err();
            let line = 1 + text[..at].matches('\n').count();
            let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
            assert_eq!(
                get(&err, "message").as_string().unwrap(),
                format!("invalid hex digit 'g' at line {line}, column {column}")
            );
            assert_eq!(get(&err, "offset").as_f64(), Some(at as f64));
        }
    }
}

/// Line breaks alone keep hex a stream, in a block of 16 groups or across blocks; one
/// space between two groups anywhere makes it spaced hex, one after the last does not.
#[wasm_bindgen_test]
fn simd_spaced_hex_is_spaced_by_any_separator_but_a_line_break_between_groups() {
    for space_after in [
        None,
        Some(0),
        Some(14),
        Some(15),
        Some(16),
        Some(31),
        Some(62),
        Some(63),
    ] {
        let text: String = (0..64)
            .map(|group| {
                let separator = if Some(group) == space_after {
                    ' '
                } else {
                    '\n'
                };
                format!("{:02x}{separator}", group * 3)
            })
            .collect();
        let parsed = wasm::parse_bytes_utf8(text.as_bytes(), Some("hex".into())).unwrap();
        let bytes: Uint8Array = get(&parsed, "bytes").dyn_into().unwrap();
        assert_eq!(bytes.to_vec(), (0..64).map(|g| g * 3).collect::<Vec<u8>>());
        let spaced = space_after.is_some_and(|g| g < 63);
        let shape = if spaced { "spaced hex" } else { "hex stream" };
        assert_eq!(
            get(&parsed, "detail").as_string().unwrap(),
            shape,
            "{space_after:?}"
        );
    }
}
