//! `parse_extensions` and the permessage-deflate parameter checks on arbitrary text (a
//! Sec-WebSocket-Extensions value comes straight off the wire): they must never panic;
//! every character offset, of a name, a parameter, a value or an error, must lie inside
//! the value; names are tokens; and a parsed list written back out parses to the same list.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsinspect::{
    negotiated_permessage_deflate, parse_extensions, Negotiation, PerMessageDeflateParams,
};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let chars = value.chars().count();
    let list = match parse_extensions(value) {
        Ok(list) => list,
        Err(e) => {
            assert!(e.offset <= chars, "error at character {} past {chars}", e.offset);
            assert!(!e.message.is_empty());
            assert!(negotiated_permessage_deflate(value).is_err());
            return;
        }
    };
    for ext in &list {
        assert!(is_token(&ext.name), "extension name {:?}", ext.name);
        assert!(ext.offset < chars);
        for param in &ext.params {
            assert!(is_token(&param.name), "parameter name {:?}", param.name);
            assert!(param.offset < chars);
            assert_eq!(param.value.is_some(), param.value_offset.is_some());
            if let Some(at) = param.value_offset {
                assert!(at < chars && at > param.offset);
            }
        }
        for side in [Negotiation::Offer, Negotiation::Response] {
            if let Err(e) = PerMessageDeflateParams::from_extension(ext, side) {
                assert!(e.offset < chars, "parameter error at {} past {chars}", e.offset);
            }
        }
    }
    // Written back with every value quoted, the list reads the same (offsets aside).
    let written: Vec<String> = list
        .iter()
        .map(|ext| {
            let mut s = ext.name.clone();
            for p in &ext.params {
                s.push_str("; ");
                s.push_str(&p.name);
                if let Some(v) = &p.value {
                    s.push_str(&format!("=\"{v}\""));
                }
            }
            s
        })
        .collect();
    let again = parse_extensions(&written.join(", ")).expect("a written-back list parses");
    let names = |l: &[wsinspect::Extension]| -> Vec<(String, Vec<(String, Option<String>)>)> {
        l.iter()
            .map(|e| {
                let params = e.params.iter().map(|p| (p.name.clone(), p.value.clone()));
                (e.name.clone(), params.collect())
            })
            .collect()
    };
    assert_eq!(names(&again), names(&list));
    let _ = negotiated_permessage_deflate(value);
});

/// RFC 7230 §3.2.6: `token = 1*tchar`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
        })
}
