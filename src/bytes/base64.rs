//! Base64 (RFC 4648 §4) and base64url (RFC 4648 §5), padded or not, with any
//! whitespace between characters; decoded by the `base64` crate.

use ::base64::alphabet;
use ::base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ::base64::{DecodeError, Engine as _};

use super::{quote_char_at, Located};

/// Padding optional, final bits must be zero (RFC 4648 §3.5: canonical encoding).
const CONFIG: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, CONFIG);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, CONFIG);

/// Is this text base64 as [`Format::Auto`](super::Format::Auto) sees it: no
/// spaces or tabs inside (line breaks are fine) and it decodes.
pub(crate) fn looks_like_base64(text: &str) -> bool {
    let trimmed = text.trim();
    !trimmed.is_empty() && !trimmed.contains([' ', '\t']) && parse(text).is_ok()
}

pub(crate) fn parse(text: &str) -> Result<(Vec<u8>, &'static str), Located> {
    let s = text.as_bytes();
    let mut standard_at = None;
    let mut url_at = None;
    let mut padding_at = None;
    let mut padding = 0;
    let mut whitespace = false;
    for (i, &b) in s.iter().enumerate() {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                whitespace = true;
                continue;
            }
            b'=' => {
                padding_at.get_or_insert(i);
                padding += 1;
                if padding > 2 {
                    return Err(Located::new(i, "more than two '=' padding characters"));
                }
                continue;
            }
            b'+' | b'/' => _ = standard_at.get_or_insert(i),
            b'-' | b'_' => _ = url_at.get_or_insert(i),
            b if b.is_ascii_alphanumeric() => {}
            _ => {
                return Err(Located::new(
                    i,
                    format!("invalid base64 character {}", quote_char_at(text, i)),
                ))
            }
        }
        if padding_at.is_some() {
            return Err(Located::new(
                i,
                format!(
                    "base64 character {} after '=' padding",
                    quote_char_at(text, i)
                ),
            ));
        }
    }
    if let (Some(standard), Some(url)) = (standard_at, url_at) {
        return Err(Located::new(
            standard.max(url),
            format!(
                "{} mixes the base64 alphabet ('+', '/') with the base64url one ('-', '_')",
                quote_char_at(text, standard.max(url))
            ),
        ));
    }
    let (engine, detail) = if url_at.is_some() {
        (&URL_SAFE, "base64url")
    } else {
        (&STANDARD, "base64")
    };
    let compact: Vec<u8>;
    let input = if whitespace {
        compact = s
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        &compact[..]
    } else {
        s
    };
    let bytes = engine
        .decode(input)
        .map_err(|error| locate(text, input, error, padding_at))?;
    Ok((bytes, detail))
}

/// Places a decoding error in the text (`input` is the text without whitespace).
fn locate(text: &str, input: &[u8], error: DecodeError, padding_at: Option<usize>) -> Located {
    let data_len = input.iter().filter(|&&b| b != b'=').count();
    match error {
        DecodeError::InvalidByte(index, b'=') => Located::new(
            text_index(text, index),
            "wrong number of '=' padding characters for the length of the base64",
        ),
        DecodeError::InvalidByte(index, _) => {
            let at = text_index(text, index);
            Located::new(
                at,
                format!("misplaced base64 character {}", quote_char_at(text, at)),
            )
        }
        DecodeError::InvalidLastSymbol(index, _) => {
            let at = text_index(text, index);
            Located::new(
                at,
                format!(
                    "the last base64 character {} has bits set beyond the end of the data (truncated or not base64?)",
                    quote_char_at(text, at)
                ),
            )
        }
        DecodeError::InvalidLength(_) if data_len % 4 == 1 => Located::new(
            text_index(text, data_len - 1),
            format!(
                "{data_len} base64 characters cannot be decoded: one is missing or one is too many"
            ),
        ),
        DecodeError::InvalidLength(_) | DecodeError::InvalidPadding => Located::new(
            padding_at.unwrap_or_else(|| text_index(text, data_len.saturating_sub(1))),
            "wrong number of '=' padding characters for the length of the base64",
        ),
    }
}

/// The byte index in `text` of its `index`-th character that is not whitespace.
fn text_index(text: &str, index: usize) -> usize {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| !b.is_ascii_whitespace())
        .nth(index)
        .map_or(text.len(), |(i, _)| i)
}
