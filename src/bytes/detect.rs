//! How [`Format::Auto`] chooses a format: by the text's shape alone, in the
//! order documented on [`parse_bytes`](super::parse_bytes).

use super::hex::is_hex_digit;
use super::{array, base64, dump, Format};

pub(crate) fn detect(text: &str) -> Format {
    if text.trim().is_empty()
        || dump::recognise(text).is_some()
        || array::looks_like_array(text)
        || looks_like_hex(text)
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

/// Only hex digits, whitespace, `,` and `:`, apart from `0x` and `\x` at the
/// start of a group; and either a decimal digit somewhere or an even number of
/// digits in every group, so that words such as "bad" or "a" stay text.
fn looks_like_hex(text: &str) -> bool {
    let s = text.as_bytes();
    let mut any = false;
    let mut decimal = false;
    let mut odd_group = false;
    let mut group = 0usize; // hex digits in the current group
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if is_hex_digit(b) {
            any = true;
            decimal |= b.is_ascii_digit();
            group += 1;
        } else if b.is_ascii_whitespace() || b == b',' || b == b':' {
            odd_group |= group % 2 == 1;
            group = 0;
        } else if b == b'\\' && s.get(i + 1) == Some(&b'x') {
            odd_group |= group % 2 == 1;
            group = 0;
            i += 1;
        } else if matches!(b, b'x' | b'X') && group == 1 && s[i - 1] == b'0' {
            group = 0; // that `0` began a `0x` prefix
        } else {
            return false;
        }
        i += 1;
    }
    odd_group |= group % 2 == 1;
    any && (decimal || !odd_group)
}
