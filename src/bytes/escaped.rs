//! Escaped text: every literal character stands for its UTF-8 bytes, and
//! backslash escapes stand for the bytes they name (hixie-era servers framed
//! text as `"\x00%s\xFF"`).

use super::hex::digit_value;
use super::{quote_char, Located};

pub(crate) fn parse(text: &str) -> Result<(Vec<u8>, &'static str), Located> {
    let s = text.as_bytes();
    let mut out = Vec::with_capacity(s.len());
    let mut at = 0;
    let mut escapes = false;
    while let Some(found) = s[at..].iter().position(|&b| b == b'\\') {
        let backslash = at + found;
        out.extend_from_slice(&s[at..backslash]);
        at = escape(text, backslash, &mut out)?;
        escapes = true;
    }
    out.extend_from_slice(&s[at..]);
    Ok((out, if escapes { "escapes" } else { "text" }))
}

/// Reads the escape whose backslash is at `backslash`; returns the index after it.
fn escape(text: &str, backslash: usize, out: &mut Vec<u8>) -> Result<usize, Located> {
    let s = text.as_bytes();
    let Some(&letter) = s.get(backslash + 1) else {
        return Err(Located::new(
            backslash,
            "a backslash at the end of the text escapes nothing",
        ));
    };
    let simple = match letter {
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0C),
        b'v' => Some(0x0B),
        b'e' => Some(0x1B),
        b'\\' | b'"' | b'\'' | b'/' | b'?' => Some(letter),
        _ => None,
    };
    if let Some(byte) = simple {
        out.push(byte);
        return Ok(backslash + 2);
    }
    match letter {
        b'x' => {
            let digits = (
                s.get(backslash + 2).and_then(|&b| digit_value(b)),
                s.get(backslash + 3).and_then(|&b| digit_value(b)),
            );
            let (Some(high), Some(low)) = digits else {
                let bad = backslash + if digits.0.is_none() { 2 } else { 3 };
                let found = text
                    .get(bad..)
                    .and_then(|r| r.chars().next())
                    .map_or("the end".to_string(), quote_char);
                return Err(Located::new(
                    backslash,
                    format!("'\\x' needs two hex digits, found {found}"),
                ));
            };
            out.push((high << 4) | low);
            Ok(backslash + 4)
        }
        b'0'..=b'7' => {
            let digits = s[backslash + 1..]
                .iter()
                .take(3)
                .take_while(|b| matches!(b, b'0'..=b'7'))
                .count();
            let value = s[backslash + 1..backslash + 1 + digits]
                .iter()
                .fold(0u32, |v, &b| v * 8 + u32::from(b - b'0'));
            let Ok(byte) = u8::try_from(value) else {
                let escape = &text[backslash..backslash + 1 + digits];
                return Err(Located::new(
                    backslash,
                    format!("octal escape '{escape}' is over '\\377'"),
                ));
            };
            out.push(byte);
            Ok(backslash + 1 + digits)
        }
        b'u' => unicode_escape(text, backslash, out),
        _ => {
            let c = text[backslash + 1..].chars().next().unwrap_or(' ');
            let message = if c.is_whitespace() || c.is_control() {
                format!("a backslash followed by {} is not an escape", quote_char(c))
            } else {
                format!("unknown escape '\\{c}'")
            };
            Err(Located::new(backslash, message))
        }
    }
}

/// `\uXXXX` (a JSON surrogate pair `\uD83D\uDE00` is one character) or `\u{X...}`.
fn unicode_escape(text: &str, backslash: usize, out: &mut Vec<u8>) -> Result<usize, Located> {
    let (code, mut end) = code_unit(text, backslash)?;
    let mut code = code;
    if (0xD800..0xDC00).contains(&code) && text[end..].starts_with("\\u") {
        if let Ok((low, low_end)) = code_unit(text, end) {
            if (0xDC00..0xE000).contains(&low) {
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                end = low_end;
            }
        }
    }
    let Some(c) = char::from_u32(code) else {
        return Err(Located::new(
            backslash,
            format!("'\\u' escape {code:X} is not a character (a lone surrogate, or over 10FFFF)"),
        ));
    };
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    Ok(end)
}

/// The value of one `\u` escape at `backslash` and the index after it.
fn code_unit(text: &str, backslash: usize) -> Result<(u32, usize), Located> {
    let s = text.as_bytes();
    let hex_run = |from: usize, max: usize| {
        s[from.min(s.len())..]
            .iter()
            .take(max)
            .take_while(|&&b| digit_value(b).is_some())
            .count()
    };
    let value = |from: usize, len: usize| {
        s[from..from + len].iter().fold(0u32, |v, &b| {
            v * 16 + u32::from(digit_value(b).unwrap_or(0))
        })
    };
    if s.get(backslash + 2) == Some(&b'{') {
        let start = backslash + 3;
        let len = hex_run(start, 7);
        if (1..=6).contains(&len) && s.get(start + len) == Some(&b'}') {
            return Ok((value(start, len), start + len + 1));
        }
        return Err(Located::new(
            backslash,
            "'\\u{' needs one to six hex digits and a closing '}'",
        ));
    }
    let start = backslash + 2;
    if hex_run(start, 4) == 4 {
        return Ok((value(start, 4), start + 4));
    }
    Err(Located::new(
        backslash,
        "'\\u' needs four hex digits (or '\\u{...}')",
    ))
}
