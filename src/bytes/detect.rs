//! How [`Format::Auto`] chooses a format: by the text's shape alone, in the
//! order documented on [`parse_bytes`](super::parse_bytes).

use super::hex::{all_hex_digits, is_ascii_separator, is_hex_digit};
use super::{array, base64, dump, Format};
#[cfg(feature = "conversation")]
use super::{Located, ParsedBytes};

/// The conversation forms (Follow TCP Stream output, packet dumps), read by
/// [`crate::transcript`]: both directions' bytes in the text's order.
#[cfg(feature = "conversation")]
pub(crate) fn transcript(text: &str) -> Result<Option<ParsedBytes>, Located> {
    Ok(
        crate::transcript::read(text)?.map(|(transcript, form)| ParsedBytes {
            bytes: transcript
                .chunks
                .iter()
                .flat_map(|chunk| chunk.bytes.iter().copied())
                .collect(),
            format: Format::Hex,
            detail: form.detail(),
        }),
    )
}

pub(crate) fn detect(text: &str) -> Format {
    // Hex text has no brackets, so checking it before arrays changes nothing
    // but saves a long hex stream the search for them.
    if text.trim().is_empty()
        || dump::recognise(text).is_some()
        || looks_like_hex(text)
        || array::looks_like_array(text)
    {
        Format::Hex
    } else if text.contains('\\') {
        Format::Escaped
    } else if base64::looks_like_base64(text) {
        Format::Base64
    } else {
        Format::Escaped
    }
}

/// Either only `\xNN` escapes (exactly two digits each, as in escaped text) and
/// separators, or only hex digits, whitespace, `,`, `:` and `0x` prefixes; and either a decimal digit somewhere or an even number of
/// digits in every group, so that words such as "bad" or "a" stay text.
fn looks_like_hex(text: &str) -> bool {
    let s = text.trim().as_bytes();
    if all_hex_digits(s) {
        // The common case, a long hex stream, in one branch-free pass.
        return !s.is_empty() && (s.len() % 2 == 0 || s.iter().any(u8::is_ascii_digit));
    }
    let mut bare = false; // digits not after `\x`
    let mut escaped = false; // `\xNN`
    let mut decimal = false;
    let mut odd_group = false;
    let mut group = 0usize; // bare hex digits in the current group
    let mut i = 0;
    while i < s.len() {
        // The common shape, two digits and a separator, without the checks below.
        while let Some(&[high, low, separator]) = s.get(i..i + 3).filter(|_| group == 0) {
            if !(is_hex_digit(high) && is_hex_digit(low) && is_ascii_separator(separator)) {
                break;
            }
            bare = true;
            decimal |= high.is_ascii_digit() || low.is_ascii_digit();
            i += 3;
        }
        let Some(&b) = s.get(i) else {
            break;
        };
        if is_hex_digit(b) {
            bare = true;
            decimal |= b.is_ascii_digit();
            group += 1;
        } else if is_ascii_separator(b) {
            odd_group |= group % 2 == 1;
            group = 0;
        } else if b == b'\\' && s.get(i + 1) == Some(&b'x') {
            // As in escaped text: exactly two digits, and no bare digits
            // anywhere, so "\x00cafe" and "\x41 42" stay escaped text.
            let two = s
                .get(i + 2..i + 4)
                .is_some_and(|d| d.iter().all(|&b| is_hex_digit(b)));
            if !two || group > 0 || s.get(i + 4).is_some_and(|&b| is_hex_digit(b)) {
                return false;
            }
            escaped = true;
            i += 3;
        } else if matches!(b, b'x' | b'X') && group == 1 && s[i - 1] == b'0' {
            group = 0; // that `0` began a `0x` prefix
        } else {
            return false;
        }
        i += 1;
    }
    odd_group |= group % 2 == 1;
    match (bare, escaped) {
        (true, true) => false,
        (false, escaped) => escaped,
        (true, false) => decimal || !odd_group,
    }
}
