//! Nothing panics on any version of any fixture: cut at every line boundary, cut at
//! many byte positions, and with bytes overwritten or dropped at random places.

mod transcripts;

use transcripts::{all_fixtures, fixture};
use wsinspect::{parse_bytes, parse_transcript, Format};

/// A small deterministic generator (xorshift64*): the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn check(text: &str) {
    let _ = parse_transcript(text);
    let _ = parse_bytes(text, Format::Auto);
}

/// Cuts at a byte index, moved back to a character boundary.
fn cut(text: &str, mut at: usize) -> &str {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

#[test]
fn cut_at_every_line_boundary() {
    for name in all_fixtures() {
        let text = fixture(&name);
        for (at, _) in text.match_indices('\n') {
            check(&text[..at]);
            check(&text[..at + 1]);
            check(&text[at + 1..]);
        }
    }
}

#[test]
fn cut_and_garbled_at_random_places() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    const GARBAGE: &[u8] = b"0123456789abcdefxz \t\n\r=:[]{}(),;*/\\\x00\xff";
    for name in all_fixtures() {
        let text = fixture(&name);
        for _ in 0..60 {
            check(cut(&text, rng.below(text.len() + 1)));
            let mut bytes = text.clone().into_bytes();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                match rng.below(3) {
                    0 => bytes[at] = GARBAGE[rng.below(GARBAGE.len())],
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, GARBAGE[rng.below(GARBAGE.len())]),
                }
            }
            check(&String::from_utf8_lossy(&bytes));
        }
    }
}
