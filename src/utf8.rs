//! Incremental UTF-8 validation (RFC 3629), across frame boundaries, locating the first
//! bad byte in the stream.
//!
//! RFC 6455 §5.6: "Note that a particular text frame might include a partial UTF-8
//! sequence; however, the whole message MUST contain valid UTF-8."

/// An ill-formed sequence: where it starts and how many bytes it spans.
///
/// `offset` is the first byte of the maximal ill-formed subsequence (Unicode §3.9, "maximal
/// subpart"; what Rust's `Utf8Error::valid_up_to` and Python's `UnicodeDecodeError.start`
/// point at), `length` its length (`Utf8Error::error_len`, or the unfinished last
/// character's bytes at the end of a text). Positions are in the caller's coordinates:
/// when a character is split over pieces with a gap between them (a frame header), the
/// span runs from its first byte to its last, gap included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utf8Span {
    /// Position of the first byte of the ill-formed subsequence.
    pub offset: u64,
    /// Positions it covers (at least 1).
    pub length: u64,
}

impl Utf8Span {
    fn new(offset: u64, length: u64) -> Self {
        Utf8Span { offset, length }
    }
}

/// Validates a text piece by piece; positions are in the caller's coordinates (`base` is
/// the position of the first byte of each piece, usually its stream offset).
///
/// A bad sequence is reported from the first byte of its maximal ill-formed subsequence:
/// for `E2 82 41` the `E2` (2 bytes: `E2 82`; the `41` is a valid `A`), for the overlong
/// `E0 80 AF` and the surrogate `ED A0 80` the lead byte alone (1 byte), for `C0` the `C0`.
///
/// ```
/// use wsinspect::{Utf8Span, Utf8Validator};
/// let mut v = Utf8Validator::new();
/// assert_eq!(v.feed(&[0x48, 0xE2, 0x82], 10), Ok(()));   // "H" and half of "€"
/// assert_eq!(v.feed(&[0xAC], 13), Ok(()));               // the rest of "€"
/// assert_eq!(v.finish(), Ok(()));
/// assert_eq!(v.feed(&[0xE2, 0x82, 0x41], 20), Err(Utf8Span { offset: 20, length: 2 }));
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
    /// Position of the current character's last byte so far.
    last: u64,
}

impl Utf8Validator {
    /// A validator at the start of a text.
    pub fn new() -> Self {
        Utf8Validator::default()
    }

    /// Validates the next piece of the text; `Err` holds the maximal ill-formed
    /// subsequence. After an error the validator is back at a character boundary.
    pub fn feed(&mut self, bytes: &[u8], base: u64) -> Result<(), Utf8Span> {
        let mut i = 0;
        // Finish a character begun in an earlier piece.
        while self.need > 0 {
            let Some(&b) = bytes.get(i) else {
                return Ok(());
            };
            self.step(b, base + i as u64)?;
            i += 1;
        }
        // The rest at SIMD speed. simdutf8's `compat` flavour reports what
        // `std::str::from_utf8` does: `valid_up_to` and `error_len` (the maximal subpart's
        // length, the Unicode practice), `None` for a character cut off by the end.
        let rest = &bytes[i..];
        match simdutf8::compat::from_utf8(rest) {
            Ok(_) => Ok(()),
            Err(e) => match e.error_len() {
                Some(len) => Err(Utf8Span::new(
                    base + (i + e.valid_up_to()) as u64,
                    len as u64,
                )),
                None => {
                    // An unfinished last character: remember it.
                    let from = e.valid_up_to();
                    for (k, &b) in rest[from..].iter().enumerate() {
                        self.step(b, base + (i + from + k) as u64)?;
                    }
                    Ok(())
                }
            },
        }
    }

    /// Ends the text: `Err` holds the character left unfinished (a message ending
    /// mid-character is invalid).
    pub fn finish(&self) -> Result<(), Utf8Span> {
        if self.need > 0 {
            Err(Utf8Span::new(self.start, self.last + 1 - self.start))
        } else {
            Ok(())
        }
    }

    /// The position of the first byte of the character the text so far ends in the
    /// middle of, if it does.
    pub fn pending_start(&self) -> Option<u64> {
        (self.need > 0).then_some(self.start)
    }

    /// Whether the text so far ends in the middle of a character.
    pub fn in_character(&self) -> bool {
        self.need > 0
    }

    /// One byte; `Err` if it cannot continue a valid text (the state is then reset). A
    /// byte that breaks a character begun earlier is not part of the ill-formed
    /// subsequence: that is the character's bytes before it.
    fn step(&mut self, b: u8, at: u64) -> Result<(), Utf8Span> {
        if self.need > 0 {
            if b < self.lo || b > self.hi {
                self.need = 0;
                return Err(Utf8Span::new(self.start, self.last + 1 - self.start));
            }
            self.need -= 1;
            self.lo = 0x80;
            self.hi = 0xBF;
            self.last = at;
            return Ok(());
        }
        // RFC 3629 §4: the ranges of the second byte after E0, ED, F0 and F4 exclude
        // overlong forms, surrogates and code points over U+10FFFF.
        let (need, lo, hi) = match b {
            0x00..=0x7F => return Ok(()),
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xE1..=0xEC | 0xEE..=0xEF => (2, 0x80, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => return Err(Utf8Span::new(at, 1)),
        };
        self.need = need;
        self.lo = lo;
        self.hi = hi;
        self.start = at;
        self.last = at;
        Ok(())
    }
}

/// `bytes` as text when they are valid UTF-8. simdutf8's `compat` flavour, as everywhere
/// here: its `basic` one would be a second copy of the SIMD code in the wasm.
pub(crate) fn as_str(bytes: &[u8]) -> Option<&str> {
    simdutf8::compat::from_utf8(bytes).ok()
}

/// How much of a UTF-8 message is text: the whole, or the valid beginning of one that was
/// cut short (mid-character); `None` if a byte is invalid.
pub(crate) fn valid_prefix(data: &[u8]) -> Option<usize> {
    match simdutf8::compat::from_utf8(data) {
        Ok(_) => Some(data.len()),
        Err(e) if e.error_len().is_none() => Some(e.valid_up_to()),
        Err(_) => None,
    }
}

/// Validates a whole text; `Err` holds the maximal ill-formed subsequence (or the
/// unfinished last character), as indices into `bytes`.
///
/// ```
/// use wsinspect::Utf8Span;
/// assert_eq!(wsinspect::validate_utf8("héllo".as_bytes()), Ok(()));
/// assert_eq!(wsinspect::validate_utf8(&[0x61, 0xFF]), Err(Utf8Span { offset: 1, length: 1 }));
/// assert_eq!(wsinspect::validate_utf8(&[0x61, 0xE2, 0x82]), Err(Utf8Span { offset: 1, length: 2 }));
/// ```
pub fn validate_utf8(bytes: &[u8]) -> Result<(), Utf8Span> {
    let mut v = Utf8Validator::new();
    v.feed(bytes, 0).and_then(|()| v.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A verdict as (start, length) of the ill-formed subsequence.
    type Verdict = Result<(), (usize, usize)>;

    /// Reference: the byte-at-a-time state machine alone.
    fn slow(bytes: &[u8]) -> Verdict {
        let mut v = Utf8Validator::new();
        let span = |s: Utf8Span| (s.offset as usize, s.length as usize);
        for (i, &b) in bytes.iter().enumerate() {
            v.step(b, i as u64).map_err(span)?;
        }
        v.finish().map_err(span)
    }

    fn whole(bytes: &[u8]) -> Verdict {
        validate_utf8(bytes).map_err(|s| (s.offset as usize, s.length as usize))
    }

    /// Python's `bytes.decode("utf-8")`: (UnicodeDecodeError.start, .end - .start), for
    /// the first error. Recorded with python3 for each case below:
    /// `try: b.decode("utf-8") except UnicodeDecodeError as e: (e.start, e.end - e.start)`.
    #[test]
    fn table_of_sequences_matches_python() {
        let cases: &[(&[u8], Verdict)] = &[
            (b"", Ok(())),
            (b"Hello", Ok(())),
            ("κόσμε".as_bytes(), Ok(())),
            (&[0xF0, 0x9F, 0x98, 0x80], Ok(())),
            (&[0xF4, 0x8F, 0xBF, 0xBF], Ok(())),
            (&[0xF4, 0x90, 0x80, 0x80], Err((0, 1))),
            (&[0xC0, 0x80], Err((0, 1))),
            (&[0xC1, 0xBF], Err((0, 1))),
            (&[0xE0, 0x80, 0x80], Err((0, 1))),
            (&[0xE0, 0x80, 0xAF], Err((0, 1))),
            (&[0xED, 0xA0, 0x80], Err((0, 1))),
            (&[0xED, 0x9F, 0xBF], Ok(())),
            (&[0xF5], Err((0, 1))),
            (&[0xFF], Err((0, 1))),
            (&[0x80], Err((0, 1))),
            (&[0xE2, 0x82, 0x41], Err((0, 2))),
            (&[0x61, 0xE2, 0x41], Err((1, 1))),
            (&[0x61, 0xE2, 0x82], Err((1, 2))),
            (&[0x61, 0xF0, 0x9F, 0x98, 0x41], Err((1, 3))),
            (
                &[0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xCE],
                Err((8, 1)),
            ),
            (
                &[0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0xFE],
                Err((9, 1)),
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(whole(bytes), *expected, "{bytes:02x?}");
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
            &[0x61, 0xE2, 0x82, 0x41],
            &[0xE0, 0x80, 0xAF],
        ];
        for text in texts {
            let expected = slow(text);
            for split in 0..=text.len() {
                let mut v = Utf8Validator::new();
                let r = v
                    .feed(&text[..split], 100)
                    .and_then(|()| v.feed(&text[split..], 100 + split as u64))
                    .and_then(|()| v.finish())
                    .map_err(|s| ((s.offset - 100) as usize, s.length as usize));
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
            let r = whole(&bytes);
            assert_eq!(r, slow(&bytes), "{bytes:02x?}");
            // std: valid_up_to is the offset, error_len (or the rest) the length.
            let std = std::str::from_utf8(&bytes).map(|_| ()).map_err(|e| {
                let len = e.error_len().unwrap_or(bytes.len() - e.valid_up_to());
                (e.valid_up_to(), len)
            });
            assert_eq!(r, std, "{bytes:02x?}");
        }
    }

    /// A small xorshift generator: the same cases on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Text worth validating: valid characters of every length (long enough for the SIMD
    /// blocks), then a few bytes overwritten with the bytes that make sequences ill-formed
    /// (stray continuations, overlong and surrogate leads, bytes never in UTF-8), or cut
    /// short; or plain random bytes.
    fn random_text(rng: &mut Rng) -> Vec<u8> {
        const CHARS: [char; 10] = [
            'a',
            '~',
            'é',
            'Ж',
            '€',
            '語',
            '\u{FFFF}',
            '😀',
            '\u{10FFFF}',
            '\n',
        ];
        const BAD: [u8; 12] = [
            0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
        ];
        let len = [0, 1, 7, 40, 70, 200, 700][rng.below(7)];
        if rng.below(8) == 0 {
            return (0..len).map(|_| rng.next() as u8).collect();
        }
        let mut text = String::new();
        while text.len() < len {
            // Runs of one script, as real text has.
            let c = CHARS[rng.below(CHARS.len())];
            for _ in 0..=rng.below(20) {
                text.push(c);
            }
        }
        let mut bytes = text.into_bytes();
        for _ in 0..rng.below(3) {
            if !bytes.is_empty() {
                let at = rng.below(bytes.len());
                bytes[at] = BAD[rng.below(BAD.len())];
            }
        }
        if rng.below(4) == 0 && !bytes.is_empty() {
            let cut = rng.below(bytes.len());
            bytes.truncate(cut);
        }
        bytes
    }

    /// Random texts in random pieces, with random gaps between the pieces' positions (the
    /// frame headers between fragments): the verdict is std's on the whole text, mapped to
    /// the pieces' positions. `valid_up_to` is the offset; the length is `error_len`, or
    /// the rest of the text when it ends in the middle of a character.
    #[test]
    fn random_pieces_agree_with_std_on_the_whole() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for _ in 0..30_000 {
            let bytes = random_text(&mut rng);
            let mut cuts: Vec<usize> = (0..rng.below(5))
                .map(|_| rng.below(bytes.len() + 1))
                .collect();
            cuts.push(0);
            cuts.push(bytes.len());
            cuts.sort_unstable();
            // position[i]: where byte i sits in the caller's coordinates.
            let mut position = Vec::with_capacity(bytes.len());
            let mut base = rng.below(1000) as u64;
            let mut v = Utf8Validator::new();
            let mut verdict = Ok(());
            for piece in cuts.windows(2) {
                base += [0, 2, 14][rng.below(3)];
                let piece_base = base;
                for _ in piece[0]..piece[1] {
                    position.push(base);
                    base += 1;
                }
                if verdict.is_ok() {
                    verdict = v.feed(&bytes[piece[0]..piece[1]], piece_base);
                }
            }
            let verdict = verdict.and_then(|()| v.finish());
            let expected = std::str::from_utf8(&bytes).map(|_| ()).map_err(|e| {
                let start = e.valid_up_to();
                let len = e.error_len().unwrap_or(bytes.len() - start);
                let first = position[start];
                Utf8Span::new(first, position[start + len - 1] + 1 - first)
            });
            assert_eq!(verdict, expected, "{bytes:02x?} in pieces at {cuts:?}");
            // The whole text at once, and the shortcut the decoder uses for a message's text.
            let whole = validate_utf8(&bytes).map_err(|s| (s.offset as usize, s.length as usize));
            let std = std::str::from_utf8(&bytes).map(|_| ()).map_err(|e| {
                (
                    e.valid_up_to(),
                    e.error_len().unwrap_or(bytes.len() - e.valid_up_to()),
                )
            });
            assert_eq!(whole, std, "{bytes:02x?}");
            assert_eq!(as_str(&bytes), std::str::from_utf8(&bytes).ok());
        }
    }
}
