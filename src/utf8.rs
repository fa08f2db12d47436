//! Incremental UTF-8 validation (RFC 3629), across frame boundaries, locating the first
//! bad byte in the stream.
//!
//! RFC 6455 §5.6: "Note that a particular text frame might include a partial UTF-8
//! sequence; however, the whole message MUST contain valid UTF-8."

use crate::blocks;

/// Validates a text piece by piece; positions are in the caller's coordinates (`base` is
/// the position of the first byte of each piece, usually its stream offset).
///
/// The offset reported for a bad sequence is that of the first byte at which the text
/// stops being the beginning of some valid UTF-8 text: for `E2 41` it is the `41`, for
/// `C0` the `C0` itself.
///
/// ```
/// use wsinspect::Utf8Validator;
/// let mut v = Utf8Validator::new();
/// assert_eq!(v.feed(&[0x48, 0xE2, 0x82], 10), Ok(()));   // "H" and half of "€"
/// assert_eq!(v.feed(&[0xAC], 13), Ok(()));               // the rest of "€"
/// assert_eq!(v.finish(), Ok(()));
/// assert_eq!(v.feed(&[0xE2, 0x41], 20), Err(21));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Utf8Validator {
    /// Continuation bytes still needed by the current character.
    need: u8,
    /// Allowed range of the next continuation byte.
    lo: u8,
    hi: u8,
    /// Position of the current character's first byte.
    start: u64,
}

impl Utf8Validator {
    /// A validator at the start of a text.
    pub fn new() -> Self {
        Utf8Validator::default()
    }

    /// Validates the next piece of the text; `Err` holds the position of the first bad
    /// byte. After an error the validator is back at a character boundary.
    pub fn feed(&mut self, bytes: &[u8], base: u64) -> Result<(), u64> {
        let mut i = 0;
        // Finish a character begun in an earlier piece.
        while self.need > 0 {
            let Some(&b) = bytes.get(i) else {
                return Ok(());
            };
            if !self.step(b, base + i as u64) {
                return Err(base + i as u64);
            }
            i += 1;
        }
        let rest = &bytes[i..];
        let ascii = ascii_prefix_len(rest);
        let rest = &rest[ascii..];
        let i = i + ascii;
        match std::str::from_utf8(rest) {
            Ok(_) => Ok(()),
            Err(e) => {
                // Walk the bad or unfinished sequence byte by byte to find where it stops
                // being a prefix of valid UTF-8 (or to remember the unfinished character).
                let from = e.valid_up_to();
                for (k, &b) in rest[from..].iter().enumerate() {
                    let at = base + (i + from + k) as u64;
                    if !self.step(b, at) {
                        return Err(at);
                    }
                    if self.need == 0 && e.error_len().is_some() {
                        break;
                    }
                }
                if e.error_len().is_none() {
                    Ok(())
                } else {
                    // Unreachable for std's definition of an error, kept total.
                    self.need = 0;
                    Err(base + (i + from) as u64)
                }
            }
        }
    }

    /// Ends the text: `Err` holds the position of the first byte of a character left
    /// unfinished (a message ending mid-character is invalid).
    pub fn finish(&self) -> Result<(), u64> {
        if self.need > 0 {
            Err(self.start)
        } else {
            Ok(())
        }
    }

    /// Whether the text so far ends in the middle of a character.
    pub fn in_character(&self) -> bool {
        self.need > 0
    }

    /// One byte; false if it cannot continue a valid text (the state is then reset).
    fn step(&mut self, b: u8, at: u64) -> bool {
        if self.need > 0 {
            if b < self.lo || b > self.hi {
                self.need = 0;
                return false;
            }
            self.need -= 1;
            self.lo = 0x80;
            self.hi = 0xBF;
            return true;
        }
        // RFC 3629 §4: the ranges of the second byte after E0, ED, F0 and F4 exclude
        // overlong forms, surrogates and code points over U+10FFFF.
        let (need, lo, hi) = match b {
            0x00..=0x7F => return true,
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xE1..=0xEC | 0xEE..=0xEF => (2, 0x80, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => return false,
        };
        self.need = need;
        self.lo = lo;
        self.hi = hi;
        self.start = at;
        true
    }
}

/// Validates a whole text; `Err` holds the index of the first bad byte (or of the first
/// byte of an unfinished last character).
///
/// ```
/// assert_eq!(wsinspect::validate_utf8("héllo".as_bytes()), Ok(()));
/// assert_eq!(wsinspect::validate_utf8(&[0x61, 0xFF]), Err(1));
/// assert_eq!(wsinspect::validate_utf8(&[0x61, 0xE2, 0x82]), Err(1));
/// ```
pub fn validate_utf8(bytes: &[u8]) -> Result<(), usize> {
    let mut v = Utf8Validator::new();
    v.feed(bytes, 0)
        .and_then(|()| v.finish())
        .map_err(|at| at as usize)
}

/// Length of the all-ASCII prefix, checked a block at a time (see `blocks`).
fn ascii_prefix_len(bytes: &[u8]) -> usize {
    let (head, whole, _) = blocks::split(bytes);
    let mut n = head.iter().take_while(|b| b.is_ascii()).count();
    if n == head.len() {
        n += blocks::BLOCK * whole.iter().take_while(|b| blocks::is_ascii(b)).count();
    }
    n + bytes[n..].iter().take_while(|b| b.is_ascii()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: the byte-at-a-time state machine alone.
    fn slow(bytes: &[u8]) -> Result<(), usize> {
        let mut v = Utf8Validator::new();
        for (i, &b) in bytes.iter().enumerate() {
            if !v.step(b, i as u64) {
                return Err(i);
            }
        }
        v.finish().map_err(|at| at as usize)
    }

    #[test]
    fn table_of_sequences() {
        let cases: &[(&[u8], Result<(), usize>)] = &[
            (b"", Ok(())),
            (b"Hello", Ok(())),
            ("κόσμε".as_bytes(), Ok(())),
            (&[0xF0, 0x9F, 0x98, 0x80], Ok(())),
            (&[0xF4, 0x8F, 0xBF, 0xBF], Ok(())),
            (&[0xF4, 0x90, 0x80, 0x80], Err(1)),
            (&[0xC0, 0x80], Err(0)),
            (&[0xC1, 0xBF], Err(0)),
            (&[0xE0, 0x80, 0x80], Err(1)),
            (&[0xED, 0xA0, 0x80], Err(1)),
            (&[0xED, 0x9F, 0xBF], Ok(())),
            (&[0xF5], Err(0)),
            (&[0xFF], Err(0)),
            (&[0x80], Err(0)),
            (&[0x61, 0xE2, 0x41], Err(2)),
            (&[0x61, 0xE2, 0x82], Err(1)),
            (
                &[0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xCE],
                Err(8),
            ),
            (
                &[0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0xFE],
                Err(9),
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(validate_utf8(bytes), *expected, "{bytes:02x?}");
            assert_eq!(slow(bytes), *expected, "{bytes:02x?}");
        }
    }

    #[test]
    fn every_split_agrees_with_one_piece() {
        let texts: &[&[u8]] = &[
            "aé€😀z".as_bytes(),
            &[0x61, 0xF0, 0x9F, 0x98, 0x41, 0x42],
            &[0xE2, 0x82, 0xAC, 0xED, 0xA0, 0x80],
            &[0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF],
        ];
        for text in texts {
            let expected = slow(text);
            for split in 0..=text.len() {
                let mut v = Utf8Validator::new();
                let r = v
                    .feed(&text[..split], 100)
                    .and_then(|()| v.feed(&text[split..], 100 + split as u64))
                    .and_then(|()| v.finish())
                    .map_err(|at| (at - 100) as usize);
                assert_eq!(r, expected, "{text:02x?} split at {split}");
            }
        }
    }

    #[test]
    fn pseudo_random_bytes_agree_with_reference_and_std() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 12) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| {
                    let r = (x >> (i * 5)) as u8;
                    // Bias towards interesting bytes.
                    [0x41, 0x80, 0xBF, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, r][(r % 9) as usize]
                })
                .collect();
            let r = validate_utf8(&bytes);
            assert_eq!(r, slow(&bytes), "{bytes:02x?}");
            assert_eq!(
                r.is_ok(),
                std::str::from_utf8(&bytes).is_ok(),
                "{bytes:02x?}"
            );
        }
    }
}
