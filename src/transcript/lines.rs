//! The lines of a text, each with its 1-based number and the byte index where it
//! starts, so that every error can point at its place.

/// One line, without its `\n` or `\r\n`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based.
    pub(crate) number: usize,
    /// Byte index of the line's first character in the whole text.
    pub(crate) start: usize,
    /// The line's characters.
    pub(crate) text: &'a str,
}

impl Line<'_> {
    /// Is the line empty or only spaces and tabs?
    pub(crate) fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Byte index in the whole text of the character at `at` in this line.
    pub(crate) fn at(&self, at: usize) -> usize {
        self.start + at.min(self.text.len())
    }
}

/// Every line of `text`, the last one too when it has no line break.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0;
    text.split_inclusive('\n')
        .enumerate()
        .map(move |(index, raw)| {
            let line = Line {
                number: index + 1,
                start,
                text: raw.trim_end_matches('\n').trim_end_matches('\r'),
            };
            start += raw.len();
            line
        })
}

/// The first line that is not blank.
pub(crate) fn first_non_blank(text: &str) -> Option<Line<'_>> {
    lines(text).find(|line| !line.is_blank())
}

/// The value of a run of hex digits (at most 16), or `None` when `s` is empty, too
/// long or not all hex digits.
pub(crate) fn hex_value(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(s, 16).ok()
}

/// How many hex digits `s` starts with, counted no further than 17: every caller asks
/// about an offset column (at most 16 digits), and recognising a text must not walk all
/// of a long hex stream for that.
pub(crate) fn leading_hex_digits(s: &str) -> usize {
    s.bytes().take(17).take_while(u8::is_ascii_hexdigit).count()
}

/// The two hex digits at `s[at..at + 2]` as a byte.
pub(crate) fn byte_at(s: &[u8], at: usize) -> Option<u8> {
    let high = (*s.get(at)? as char).to_digit(16)?;
    let low = (*s.get(at + 1)? as char).to_digit(16)?;
    u8::try_from(high * 16 + low).ok()
}
