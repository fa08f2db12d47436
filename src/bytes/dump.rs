//! Hex dumps with an offset column and a text gutter: xxd, `hexdump -C`,
//! Wireshark's "Copy as Hex Dump" and `tshark -x`.
//!
//! The gutter shows the same bytes as text, so it may hold anything that looks
//! like hex; it is never read. The hex area of a line ends:
//! - in xxd, at the first two spaces in a row (groups are one space apart);
//! - in the others, at `|` (`hexdump -C`), at three spaces in a row (Wireshark,
//!   tshark), or once the line holds as many bytes as the offsets say it does
//!   (the next line's offset minus this one's; for the last line, the widest
//!   line before it).
//!
//! Every line's byte count is then checked against the offsets, so a dump that
//! lost or gained a byte is an error at the line that is wrong.

use super::hex::{decode_pairs, digit_value, invalid_digit, is_hex_digit};
use super::{quote_char_at, Located};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `00000000: 8105 4865  ..He`
    Xxd,
    /// `00000000  81 05 48 65  |..He|` (hexdump -C) or `0000   81 05 48 65   ..He`
    /// (Wireshark, tshark).
    Columns,
    /// `0000000 0581 6548`: plain hexdump or `od -x`, 16-bit words in the
    /// machine's byte order. Recognised only to be refused clearly.
    Words,
}

/// The kind of dump whose first non-blank line this text starts with. Looks
/// at the start of that line only, so a long single-line stream costs nothing.
pub(crate) fn recognise(text: &str) -> Option<Kind> {
    let line = text.trim_start().as_bytes();
    // An offset has at most 16 digits.
    let digits = line
        .iter()
        .take(17)
        .take_while(|&&b| is_hex_digit(b))
        .count();
    if !(4..=16).contains(&digits) {
        return None;
    }
    let rest = &line[digits..];
    let at_end = |i: usize| matches!(rest.get(i), None | Some(b'\n' | b'\r'));
    if rest.first() == Some(&b':') && (rest.get(1) == Some(&b' ') || at_end(1)) {
        return Some(Kind::Xxd);
    }
    let gap = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let after = &rest[gap..];
    let digit = |i: usize| after.get(i).is_some_and(|&b| is_hex_digit(b));
    let byte_follows = digit(0)
        && digit(1)
        && matches!(
            after.get(2),
            None | Some(b' ' | b'\t' | b'|' | b'\n' | b'\r')
        );
    if (gap >= 2 || rest.first() == Some(&b'\t')) && byte_follows {
        return Some(Kind::Columns);
    }
    let word_follows =
        (0..4).all(digit) && matches!(after.get(4), None | Some(b' ' | b'\n' | b'\r'));
    if digits == 7 && gap == 1 && word_follows {
        return Some(Kind::Words);
    }
    None
}

/// A line of the dump: where its offset and its data start, the offset's
/// value, and where the line ends (before any `\r`).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    offset: u64,
    data: usize,
    end: usize,
    /// Only an offset: `hexdump -C`'s last line, the total length.
    offset_only: bool,
}

pub(crate) fn parse(text: &str, kind: Kind) -> Result<(Vec<u8>, &'static str), Located> {
    let lines = split_lines(text, kind)?;
    let mut out = Vec::with_capacity(text.len() / 3 + 1);
    let mut widest: Option<usize> = None;
    let mut offset_digits = 0;
    for (i, line) in lines.iter().enumerate() {
        offset_digits = offset_digits.max(line.data - line.start);
        if line.offset_only {
            continue;
        }
        let expected = match lines.get(i + 1) {
            Some(next) if next.offset == 0 => None, // a second dump starts
            Some(next) => match next.offset.checked_sub(line.offset) {
                Some(0) | None => {
                    return Err(Located::new(
                        next.start,
                        format!(
                            "offset 0x{:x} does not follow offset 0x{:x} of the line before",
                            next.offset, line.offset
                        ),
                    ))
                }
                Some(count) => Some(usize::try_from(count).unwrap_or(usize::MAX)),
            },
            None => None,
        };
        let limit = expected.or(widest);
        let before = out.len();
        match kind {
            Kind::Xxd => read_xxd_line(text, line, &mut out)?,
            Kind::Columns | Kind::Words => read_columns_line(text, line, limit, &mut out)?,
        }
        let count = out.len() - before;
        if let Some(expected) = expected {
            if count != expected {
                return Err(Located::new(
                    line.start,
                    format!(
                        "this line holds {count} bytes but the offsets say {expected} (the next line is at 0x{:x})",
                        lines[i + 1].offset
                    ),
                ));
            }
            widest = widest.max(Some(expected));
        } else if let Some(width) = widest {
            widest = Some(width.max(count));
        }
    }
    let detail = match kind {
        Kind::Xxd => "xxd",
        // hexdump -C writes 8 offset digits, Wireshark and tshark 4.
        _ if offset_digits >= 8 => "hexdump -C",
        _ => "wireshark hex dump",
    };
    Ok((out, detail))
}

/// Finds every non-blank line's offset, refusing what this module cannot read.
fn split_lines(text: &str, kind: Kind) -> Result<Vec<Line>, Located> {
    if kind == Kind::Words {
        let at = text.len() - text.trim_start().len();
        return Err(Located::new(
            at,
            "this looks like plain hexdump or od -x output, which shows 16-bit words in the \
             machine's byte order; dump again with hexdump -C or xxd",
        ));
    }
    let mut lines = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = start;
        start += raw.len();
        let content = raw.trim_end_matches(['\n', '\r']);
        let end = line_start + content.len();
        let indent = content.len() - content.trim_start().len();
        let trimmed = content.trim();
        if trimmed.is_empty() {
            continue;
        }
        let at = line_start + indent;
        if trimmed == "*" {
            return Err(Located::new(
                at,
                "'*' stands for repeated lines the dump left out; dump again with hexdump -v -C, \
                 or xxd without -a",
            ));
        }
        let digits = trimmed.bytes().take_while(|&b| is_hex_digit(b)).count();
        if !(4..=16).contains(&digits) {
            let what = if kind == Kind::Xxd { "xxd" } else { "hex dump" };
            return Err(Located::new(
                at,
                format!("expected a {what} line starting with an offset"),
            ));
        }
        let offset = u64::from_str_radix(&trimmed[..digits], 16).unwrap_or(u64::MAX);
        let mut data = at + digits;
        if kind == Kind::Xxd {
            if text.as_bytes().get(data) != Some(&b':') {
                return Err(Located::new(
                    data,
                    format!(
                        "expected ':' after the xxd offset, found {}",
                        quote_char_at(text, data)
                    ),
                ));
            }
            data += 1;
        }
        let offset_only = text[data..end].trim().is_empty();
        lines.push(Line {
            start: at,
            offset,
            data,
            end,
            offset_only,
        });
    }
    Ok(lines)
}

/// An xxd line: groups of an even number of digits one space apart, up to the
/// first two spaces in a row.
fn read_xxd_line(text: &str, line: &Line, out: &mut Vec<u8>) -> Result<(), Located> {
    let s = &text.as_bytes()[..line.end];
    let mut at = line.data;
    if s.get(at) == Some(&b' ') {
        at += 1; // the space after the colon
    }
    loop {
        if at >= s.len() || s[at] == b' ' {
            return Ok(()); // the end, or a second space in a row: the gutter follows
        }
        let group = at;
        at = decode_pairs(s, group, out);
        match s.get(at) {
            None if at > group => return Ok(()),
            Some(b' ') if at > group => at += 1,
            Some(&b) if is_hex_digit(b) && matches!(s.get(at + 1), None | Some(b' ')) => {
                return Err(Located::new(
                    at,
                    format!(
                        "odd number of hex digits in an xxd group ending with {}",
                        quote_char_at(text, at)
                    ),
                ));
            }
            Some(&b) if is_hex_digit(b) => return Err(invalid_digit(text, at + 1)),
            _ => return Err(invalid_digit(text, at)),
        }
    }
}

/// A `hexdump -C`, Wireshark or tshark line: two-digit bytes up to `|`, three
/// spaces in a row (or a tab), or `limit` bytes.
fn read_columns_line(
    text: &str,
    line: &Line,
    limit: Option<usize>,
    out: &mut Vec<u8>,
) -> Result<(), Located> {
    let s = &text.as_bytes()[..line.end];
    let mut at = line.data;
    let mut count = 0;
    loop {
        let gap = s[at..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        if count > 0 && (gap >= 3 || s[at..at + gap].contains(&b'\t')) {
            return Ok(());
        }
        at += gap;
        if at >= s.len() || s[at] == b'|' || limit.is_some_and(|limit| count >= limit) {
            return Ok(());
        }
        let (Some(high), Some(low)) = (
            digit_value(s[at]),
            s.get(at + 1).and_then(|&b| digit_value(b)),
        ) else {
            let bad = if is_hex_digit(s[at]) && at + 1 < s.len() {
                at + 1
            } else {
                at
            };
            if bad == at && is_hex_digit(s[at]) {
                return Err(Located::new(
                    at,
                    format!(
                        "a lone hex digit {} where a byte was expected",
                        quote_char_at(text, at)
                    ),
                ));
            }
            return Err(invalid_digit(text, bad));
        };
        match s.get(at + 2) {
            None | Some(b' ' | b'\t' | b'|') => {}
            Some(&b) if is_hex_digit(b) => {
                return Err(Located::new(
                    at,
                    "a byte with more than two hex digits in a hex dump",
                ));
            }
            Some(_) => return Err(invalid_digit(text, at + 2)),
        }
        out.push((high << 4) | low);
        at += 2;
        count += 1;
    }
}
