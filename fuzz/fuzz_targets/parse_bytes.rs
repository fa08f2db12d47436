//! parse_bytes on arbitrary UTF-8 in every format: it must never panic, every
//! error must point inside the text, Auto must agree with the format it names,
//! and what it reads as hex must read back from a plain hex stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsinspect::{parse_bytes, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let format = [Format::Auto, Format::Hex, Format::Base64, Format::Escaped][usize::from(selector % 4)];
    match parse_bytes(&text, format) {
        Ok(parsed) => {
            assert_ne!(parsed.format, Format::Auto);
            if format == Format::Auto {
                let again = parse_bytes(&text, parsed.format).expect("auto's choice must parse alone");
                assert_eq!(again, parsed);
            } else {
                assert_eq!(parsed.format, format);
            }
            if parsed.format == Format::Hex {
                let stream: String = parsed.bytes.iter().map(|b| format!("{b:02x}")).collect();
                assert_eq!(parse_bytes(&stream, Format::Hex).unwrap().bytes, parsed.bytes);
            }
        }
        Err(error) => {
            let chars = text.chars().count();
            let lines = text.split('\n').count();
            assert!(error.offset <= chars, "offset {} past {chars} characters", error.offset);
            assert!(error.line >= 1 && error.line <= lines, "line {} of {lines}", error.line);
            assert!(error.column >= 1);
            assert!(!error.message.is_empty());
        }
    }
});
