//! parse_handshake and check_pair on arbitrary bytes: they must never panic, and every
//! offset and span must lie inside the bytes it is about. The first two bytes choose
//! where the rest splits into a request and a response for check_pair; the whole rest
//! is parsed alone as well.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsinspect::{check_pair, parse_handshake, Handshake};

fuzz_target!(|data: &[u8]| {
    let [hi, lo, rest @ ..] = data else {
        return;
    };
    let whole = parse_handshake(rest);
    check(&whole, rest);

    let split = usize::from(u16::from_be_bytes([*hi, *lo])) % (rest.len() + 1);
    let (request_bytes, response_bytes) = rest.split_at(split);
    let request = parse_handshake(request_bytes);
    let response = parse_handshake(response_bytes);
    check(&request, request_bytes);
    check(&response, response_bytes);
    // Offsets of pair checks are in the response's bytes.
    for c in check_pair(&request, &response) {
        assert!(!c.message.is_empty());
        if let Some(offset) = c.offset {
            assert!(
                offset <= response_bytes.len() as u64,
                "pair check {} at {offset} past the response's {} bytes",
                c.id,
                response_bytes.len()
            );
        }
    }
});

fn check(h: &Handshake, bytes: &[u8]) {
    let len = bytes.len() as u64;
    assert!(h.start_line_offset + h.start_line_length <= len, "start line past the input");
    for header in &h.headers {
        let end = header.offset + header.length;
        assert!(end <= len, "header {} ends at {end}, past {len}", header.name);
        assert!(
            header.value_offset >= header.offset && header.value_offset + header.value_length <= end,
            "value of {} outside its line",
            header.name
        );
        assert_eq!(
            bytes[header.offset as usize..][..header.name.len()].to_ascii_lowercase(),
            header.name.as_bytes().to_ascii_lowercase(),
            "header name is not at its offset"
        );
    }
    if let Some(head) = h.head_length {
        assert!(head <= len, "head of {head} bytes in {len}");
        assert_eq!(h.trailing, bytes[head as usize..], "trailing is not what follows the head");
    } else {
        assert!(h.trailing.is_empty());
        assert!(h.checks.is_empty(), "checks before the head ended");
        assert!(h.incomplete.is_some() || h.error.is_some(), "no head, yet neither incomplete nor an error");
    }
    if let Some(incomplete) = &h.incomplete {
        assert!(incomplete.offset <= len, "incomplete at {} past {len}", incomplete.offset);
    }
    if let Some(error) = &h.error {
        assert!(error.offset <= len, "error at {} past {len}", error.offset);
        assert!(!error.message.is_empty());
    }
    for c in &h.checks {
        if let Some(offset) = c.offset {
            assert!(offset <= len, "check {} at {offset} past {len}", c.id);
        }
        assert!(!c.message.is_empty());
    }
    // Parsing is a function of the bytes alone.
    assert_eq!(&parse_handshake(bytes), h);
}
