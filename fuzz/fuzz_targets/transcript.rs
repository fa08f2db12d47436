//! parse_transcript on arbitrary UTF-8 (and on the text of a real Follow TCP Stream
//! output with bytes of the input spliced in, from the seed corpus): it must never
//! panic; an error must point inside the text; a transcript read must decode as a
//! conversation without panicking, its gaps inside what their direction holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsinspect::{decode_transcript, parse_transcript, ConversationOptions, Direction};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_transcript(&text) {
        Ok(None) => {}
        Ok(Some(t)) => {
            assert!(!t.format.is_empty());
            let held = |d: Direction| -> u64 {
                t.chunks.iter().filter(|c| c.direction == d).map(|c| c.bytes.len() as u64).sum()
            };
            for gap in &t.gaps {
                assert!(gap.offset <= held(gap.direction), "gap past its direction's bytes");
            }
            let result = decode_transcript(&t, &ConversationOptions::default());
            assert_eq!(result.format, t.format);
        }
        Err(error) => {
            let chars = text.chars().count();
            assert!(error.offset <= chars, "error at {} past {chars}", error.offset);
            assert!(error.line >= 1 && error.column >= 1);
            assert!(!error.message.is_empty());
        }
    }
});
