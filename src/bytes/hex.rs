//! Plain hex: a continuous stream, or groups split by separators, each group
//! optionally prefixed with `0x` or `\x`.
//!
//! The digits themselves go through [`decode_pairs`], 32 digits at a time with one
//! validity check per block, so a long stream costs one pass and no allocation beyond
//! the output.

use super::{quote_char_at, Located};
use crate::blocks;

/// `bytes` as lowercase hex digits, two a byte ("81fe" for [0x81, 0xfe]): one allocation,
/// sized from the bytes at hand.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 0x0F)] as char);
    }
    text
}

/// What [`DIGIT`] holds for a byte that is not a hex digit.
const INVALID: u8 = 0xFF;

/// The value of every ASCII hex digit, [`INVALID`] for every other byte.
static DIGIT: [u8; 256] = digit_table();

const fn digit_table() -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
}

/// The value of a hex digit, or `None`.
pub(crate) fn digit_value(b: u8) -> Option<u8> {
    match DIGIT[b as usize] {
        INVALID => None,
        value => Some(value),
    }
}

/// Are all these bytes hex digits? Checked 32 at a time by the block decoder (whose
/// bytes are thrown away: checking alone would save little and cost a second copy of it).
pub(crate) fn all_hex_digits(s: &[u8]) -> bool {
    let mut scratch = [0u8; 16];
    let mut whole = s.chunks_exact(32);
    whole.remainder().iter().all(|&b| is_hex_digit(b))
        && whole.all(|digits| blocks::hex_pairs(digits.try_into().expect("32"), &mut scratch))
}

pub(crate) fn is_hex_digit(b: u8) -> bool {
    DIGIT[b as usize] != INVALID
}

/// Decodes digit pairs from `s[at..]` into `out` for as long as both digits of
/// a pair are hex digits. Returns the index of the first byte not consumed.
pub(crate) fn decode_pairs(s: &[u8], mut at: usize, out: &mut Vec<u8>) -> usize {
    // Short groups end within a few pairs: try those one at a time before
    // committing to whole blocks.
    for _ in 0..8 {
        let Some(&[high, low]) = s.get(at..at + 2) else {
            return at;
        };
        let (high, low) = (DIGIT[high as usize], DIGIT[low as usize]);
        if (high | low) & 0xF0 != 0 {
            return at;
        }
        out.push((high << 4) | low);
        at += 2;
    }
    // Then 16 bytes from 32 digits at a time (a simd128 vector in wasm, 64-bit words
    // natively: see src/blocks.rs), gathered on the stack and appended a few hundred at a
    // time: a call per block to grow the output would cost as much as decoding it, and
    // making room in the output first would cost a pass clearing it. A block with a byte
    // that is not a hex digit is finished one pair at a time below, which finds the
    // exact place to stop.
    let mut buffer = [0u8; 512];
    loop {
        let mut decoded = 0;
        let digits = s.get(at..).unwrap_or_default().chunks_exact(32);
        for (digits, bytes) in digits.zip(buffer.chunks_exact_mut(16)) {
            let digits: &[u8; 32] = digits.try_into().expect("chunks of 32");
            let bytes: &mut [u8; 16] = bytes.try_into().expect("chunks of 16");
            if !blocks::hex_pairs(digits, bytes) {
                break;
            }
            decoded += 16;
        }
        out.extend_from_slice(&buffer[..decoded]);
        at += 2 * decoded;
        if decoded < buffer.len() {
            break;
        }
    }
    while let Some(pair) = s.get(at..at + 2) {
        let (high, low) = (DIGIT[pair[0] as usize], DIGIT[pair[1] as usize]);
        if (high | low) & 0xF0 != 0 {
            break;
        }
        out.push((high << 4) | low);
        at += 2;
    }
    at
}

pub(crate) fn is_ascii_separator(b: u8) -> bool {
    b.is_ascii_whitespace() || b == b',' || b == b':'
}

/// The byte length of the separator at `at` (space, tab, line break, comma,
/// colon, or any Unicode whitespace such as a pasted no-break space), if any.
fn separator_len(text: &str, at: usize) -> Option<usize> {
    let b = *text.as_bytes().get(at)?;
    if is_ascii_separator(b) {
        return Some(1);
    }
    if b < 0x80 {
        return None;
    }
    let c = text.get(at..)?.chars().next()?;
    c.is_whitespace().then(|| c.len_utf8())
}

/// Which spellings a run of hex tokens used, to name its shape.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Spelling {
    spaced: bool,
    zero_x: bool,
    backslash_x: bool,
}

impl Spelling {
    pub(crate) fn detail(self) -> &'static str {
        if self.backslash_x {
            "\\x hex"
        } else if self.zero_x {
            "0x hex"
        } else if self.spaced {
            "spaced hex"
        } else {
            "hex stream"
        }
    }
}

/// Reads the whole text as hex tokens.
pub(crate) fn parse_tokens(text: &str) -> Result<(Vec<u8>, &'static str), Located> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let spelling = parse_range(text, 0, text.len(), &mut out)?;
    Ok((out, spelling.detail()))
}

/// Reads `text[start..end]` as hex tokens, appending the bytes to `out`.
pub(crate) fn parse_range(
    text: &str,
    start: usize,
    end: usize,
    out: &mut Vec<u8>,
) -> Result<Spelling, Located> {
    let s = &text.as_bytes()[..end];
    let mut spelling = Spelling::default();
    let mut at = start;
    let mut separated = false; // a separator other than a line break since the last group
    let mut groups = false;
    let mut buffer = [0u8; 512];
    while at < end {
        // Most spaced hex is two digits and one separator: decode those without the
        // general path's checks, 16 at a time (src/blocks.rs) into a buffer appended in
        // one copy, and then one at a time. Before each group, `separated` is whether a
        // separator other than a line break came before it.
        loop {
            let mut decoded = 0;
            let triples = s.get(at..).unwrap_or_default().chunks_exact(48);
            for (text, bytes) in triples.zip(buffer.chunks_exact_mut(16)) {
                let text: &[u8; 48] = text.try_into().expect("chunks of 48");
                let bytes: &mut [u8; 16] = bytes.try_into().expect("chunks of 16");
                let Some(line_breaks) = blocks::spaced_pairs(text, bytes) else {
                    break;
                };
                // Bit i: the separator after group i is not a line break; groups 1 to
                // 15 come after the first 15 of them.
                let spaces = !line_breaks;
                spelling.spaced |= separated || spaces & 0x7FFF != 0;
                separated |= spaces != 0;
                groups = true;
                decoded += 16;
            }
            out.extend_from_slice(&buffer[..decoded]);
            at += 3 * decoded;
            if decoded < buffer.len() {
                break;
            }
        }
        while let Some(&[high, low, separator]) = s.get(at..at + 3) {
            let (high, low) = (DIGIT[high as usize], DIGIT[low as usize]);
            if (high | low) & 0xF0 != 0 || !is_ascii_separator(separator) {
                break;
            }
            spelling.spaced |= separated;
            groups = true;
            out.push((high << 4) | low);
            separated |= !matches!(separator, b'\n' | b'\r');
            at += 3;
        }
        if at >= end {
            break;
        }
        if let Some(len) = separator_len(&text[..end], at) {
            // A line break alone keeps a stream a stream (xxd -p wraps at 60 digits).
            separated |= groups && !matches!(s[at], b'\n' | b'\r');
            at += len;
            continue;
        }
        spelling.spaced |= separated;
        groups = true;
        let prefixed = match (s[at], s.get(at + 1)) {
            (b'0', Some(b'x' | b'X')) => {
                spelling.zero_x = true;
                true
            }
            (b'\\', Some(b'x')) => {
                spelling.backslash_x = true;
                true
            }
            _ => false,
        };
        let group = if prefixed { at + 2 } else { at };
        at = decode_pairs(s, group, out);
        at = finish_group(&text[..end], group, at, prefixed, out)?;
    }
    Ok(spelling)
}

/// Ends a group whose pairs were decoded up to `at`: accepts a separator or the
/// end, a lone digit after a prefix (`0x5`), and reports anything else.
fn finish_group(
    text: &str,
    group: usize,
    at: usize,
    prefixed: bool,
    out: &mut Vec<u8>,
) -> Result<usize, Located> {
    let s = text.as_bytes();
    let ends_here = |i: usize| i >= s.len() || s[i] == b'\\' || separator_len(text, i).is_some();
    if ends_here(at) {
        if at > group {
            return Ok(at);
        }
        if prefixed {
            let prefix = &text[group - 2..group];
            return Err(Located::new(
                group - 2,
                format_args!("'{prefix}' with no hex digits after it"),
            ));
        }
        // Separators were skipped by the caller: this is a backslash without its `x`.
        return Err(invalid_digit(text, at));
    }
    let Some(value) = digit_value(s[at]) else {
        return Err(invalid_digit(text, at));
    };
    if !ends_here(at + 1) {
        return Err(invalid_digit(text, at + 1));
    }
    if prefixed && at == group {
        out.push(value);
        return Ok(at + 1);
    }
    let count = at + 1 - group;
    Err(Located::new(
        at,
        format_args!(
            "odd number of hex digits ({count}) in a group ending with {}",
            quote_char_at(text, at)
        ),
    ))
}

pub(crate) fn invalid_digit(text: &str, at: usize) -> Located {
    Located::new(
        at,
        format_args!("invalid hex digit {}", quote_char_at(text, at)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value gives the two digits `format!("{:02x}")` gives, and the digits read
    /// back as the bytes.
    #[test]
    fn to_hex_writes_two_lowercase_digits_a_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = to_hex(&all);
        let expected: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(text, expected);
        let mut back = Vec::new();
        assert_eq!(decode_pairs(text.as_bytes(), 0, &mut back), text.len());
        assert_eq!(back, all);
        assert_eq!(to_hex(&[]), "");
    }

    fn pairs(text: &str) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        let end = decode_pairs(text.as_bytes(), 0, &mut out);
        (out, end)
    }

    #[test]
    fn decode_pairs_stops_at_the_first_pair_that_is_not_hex_in_every_block_position() {
        for len in [0usize, 1, 2, 63, 64, 65, 127, 128, 129, 200] {
            for bad in 0..len {
                let mut text: Vec<u8> = (0..len)
                    .map(|i| b"0123456789abcdefABCDEF"[i % 22])
                    .collect();
                text[bad] = b'g';
                let text = String::from_utf8(text).unwrap();
                let (out, end) = pairs(&text);
                assert_eq!(end, bad - bad % 2, "len {len} bad {bad}");
                assert_eq!(out.len(), end / 2);
            }
        }
    }

    #[test]
    fn decode_pairs_matches_a_naive_decoder() {
        let text: String = (0..300u32)
            .map(|i| format!("{:02x}", (i * 37) as u8))
            .collect();
        let (out, end) = pairs(&text);
        assert_eq!(end, 600);
        let naive: Vec<u8> = (0..300)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(out, naive);
    }

    /// The decoder before blocks: one pair at a time through the table.
    fn scalar_pairs(s: &[u8], mut at: usize, out: &mut Vec<u8>) -> usize {
        while let Some(&[high, low]) = s.get(at..at + 2) {
            let (Some(high), Some(low)) = (digit_value(high), digit_value(low)) else {
                break;
            };
            out.push((high << 4) | low);
            at += 2;
        }
        at
    }

    #[test]
    fn decode_pairs_equals_the_scalar_decoder_on_random_text_with_bad_bytes_anywhere() {
        let mut rng = crate::handshake::nonce::SplitMix64::new(0x0048_4558);
        let digits = b"0123456789abcdefABCDEF";
        for round in 0..2000 {
            let len = rng.range_inclusive(0, 300) as usize;
            let mut text: Vec<u8> = (0..len)
                .map(|_| digits[rng.range_inclusive(0, 21) as usize])
                .collect();
            // Most rounds get one byte that is not a hex digit (any byte value, the
            // neighbours of the digit ranges included), some get none or several.
            for _ in 0..[0, 1, 1, 1, 3][round % 5] {
                if len > 0 {
                    let at = rng.range_inclusive(0, len as u64 - 1) as usize;
                    text[at] = rng.range_inclusive(0, 255) as u8;
                }
            }
            let start = rng.range_inclusive(0, len.min(5) as u64) as usize;
            let (mut fast, mut slow) = (vec![7], vec![7]);
            let end = decode_pairs(&text, start, &mut fast);
            assert_eq!(end, scalar_pairs(&text, start, &mut slow), "{text:?}");
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    #[test]
    fn a_block_of_32_digits_refuses_every_other_byte_value_in_every_position() {
        let text: Vec<u8> = (0..32).map(|i| b"0123456789abcdefABCDEF"[i % 22]).collect();
        let mut expected = Vec::new();
        scalar_pairs(&text, 0, &mut expected);
        let block: [u8; 32] = text.clone().try_into().unwrap();
        let mut bytes = [0; 16];
        assert!(blocks::hex_pairs(&block, &mut bytes));
        assert_eq!(bytes.to_vec(), expected);
        for at in 0..32 {
            for b in 0..=255u8 {
                let mut block = block;
                block[at] = b;
                let mut scalar = Vec::new();
                let whole = scalar_pairs(&block, 0, &mut scalar) == 32;
                assert_eq!(whole, is_hex_digit(b), "byte {b:#04x}");
                let mut bytes = [0; 16];
                assert_eq!(
                    blocks::hex_pairs(&block, &mut bytes),
                    whole,
                    "{b:#04x} at {at}"
                );
                if whole {
                    assert_eq!(bytes.to_vec(), scalar, "byte {b:#04x} at {at}");
                }
            }
        }
    }

    /// What the block of triples must give: the triple-at-a-time reading.
    fn scalar_triples(text: &[u8]) -> Option<(Vec<u8>, u16)> {
        let mut bytes = Vec::new();
        let mut line_breaks = 0;
        for (i, triple) in text.chunks_exact(3).enumerate() {
            let (high, low) = (digit_value(triple[0])?, digit_value(triple[1])?);
            if !(triple[2].is_ascii_whitespace() || b",:".contains(&triple[2])) {
                return None;
            }
            bytes.push((high << 4) | low);
            line_breaks |= u16::from(b"\r\n".contains(&triple[2])) << i;
        }
        Some((bytes, line_breaks))
    }

    #[test]
    fn a_block_of_16_spaced_pairs_equals_the_triple_by_triple_reading_for_every_byte() {
        let block: Vec<u8> = (0..16)
            .flat_map(|i| {
                let digits = b"0123456789abcdefABCDEF";
                [digits[i], digits[(i * 7 + 3) % 22], b" \n,:\t\r\x0c"[i % 7]]
            })
            .collect();
        let block: [u8; 48] = block.try_into().unwrap();
        let mut bytes = [0; 16];
        let whole = blocks::spaced_pairs(&block, &mut bytes).map(|m| (bytes.to_vec(), m));
        assert_eq!(whole, scalar_triples(&block));
        assert!(whole.is_some());
        for at in 0..48 {
            for b in 0..=255u8 {
                let mut block = block;
                block[at] = b;
                let mut bytes = [0; 16];
                let fast = blocks::spaced_pairs(&block, &mut bytes).map(|m| (bytes.to_vec(), m));
                assert_eq!(fast, scalar_triples(&block), "byte {b:#04x} at {at}");
            }
        }
    }

    #[test]
    fn spaced_hex_with_random_separators_reads_as_its_groups_and_names_its_shape() {
        let mut rng = crate::handshake::nonce::SplitMix64::new(0x0053_5041);
        let digits = b"0123456789abcdefABCDEF";
        for round in 0..400 {
            // Mostly one separator kind per text, as pasted, sometimes all mixed.
            let kinds: &[&str] = match round % 4 {
                0 => &[" "],
                1 => &["\n"],
                2 => &["\r", "\n", "\r\n"],
                _ => &[" ", "\n", ",", ":", "\t", "\r\n", ", ", "\x0c"],
            };
            let (mut text, mut bytes, mut spaced) = (String::new(), Vec::new(), false);
            let groups = rng.range_inclusive(1, 200);
            for group in 0..groups {
                let (high, low) = (rng.range_inclusive(0, 21), rng.range_inclusive(0, 21));
                text.push(digits[high as usize] as char);
                text.push(digits[low as usize] as char);
                bytes.push(digit_value(digits[high as usize]).unwrap() << 4);
                *bytes.last_mut().unwrap() |= digit_value(digits[low as usize]).unwrap();
                let separator = kinds[rng.range_inclusive(0, kinds.len() as u64 - 1) as usize];
                text.push_str(separator);
                spaced |= group + 1 < groups && !matches!(separator, "\n" | "\r" | "\r\n");
            }
            let shape = if spaced { "spaced hex" } else { "hex stream" };
            assert_eq!(parse_tokens(&text), Ok((bytes, shape)), "{text:?}");
            // A bad digit anywhere is reported where it is.
            let at = 3 * rng.range_inclusive(0, groups - 1) as usize;
            let digit_at = text[..]
                .char_indices()
                .filter(|(_, c)| c.is_ascii_hexdigit());
            let at = digit_at.map(|(i, _)| i).find(|&i| i >= at).unwrap();
            let broken = format!("{}g{}", &text[..at], &text[at + 1..]);
            let error = parse_tokens(&broken).unwrap_err();
            assert_eq!(
                (error.at, error.message.as_str()),
                (at, "invalid hex digit 'g'")
            );
        }
    }

    #[test]
    fn all_hex_digits_finds_a_byte_that_is_not_one_anywhere() {
        for len in [0usize, 1, 31, 32, 33, 64, 95, 97] {
            let text: Vec<u8> = (0..len)
                .map(|i| b"0123456789abcdefABCDEF"[i % 22])
                .collect();
            assert!(all_hex_digits(&text), "len {len}");
            for at in 0..len {
                for b in [b'/', b':', b'@', b'G', b'`', b'g', b' ', 0x80, 0xE6] {
                    let mut text = text.clone();
                    text[at] = b;
                    assert!(!all_hex_digits(&text), "len {len}, {b:#04x} at {at}");
                }
            }
        }
    }

    #[test]
    fn digit_table_knows_exactly_the_22_hex_digits() {
        let count = (0..=255u8).filter(|&b| is_hex_digit(b)).count();
        assert_eq!(count, 22);
        assert_eq!(digit_value(b'F'), Some(15));
        assert_eq!(digit_value(b'g'), None);
    }
}
