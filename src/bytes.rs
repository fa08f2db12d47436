//! Bytes from text: what people paste (hex dumps, arrays, base64, escaped strings)
//! turned into the bytes it stands for, or an error that says where it went wrong.
//!
//! One file per notation: [`hex`] (plain hex in all its spellings), [`array`](mod@array)
//! (C, JS, Go and Node arrays), [`dump`] (xxd, `hexdump -C`, Wireshark dumps),
//! [`base64`](mod@self::base64), [`escaped`] (escaped strings), and [`detect`] (how
//! [`Format::Auto`] chooses).

mod array;
mod base64;
mod detect;
mod dump;
mod escaped;
pub(crate) mod hex;

use std::fmt;

/// The notation a text is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Choose one of the others from the text's shape (see [`parse_bytes`]).
    Auto,
    /// Hex in any of its common spellings: streams, spaced or `0x`/`\x` tokens,
    /// C/JS/Go arrays, xxd, `hexdump -C` and Wireshark dumps.
    Hex,
    /// Base64, standard (`+/`) or URL-safe (`-_`), padded or not.
    Base64,
    /// Text whose characters are its UTF-8 bytes, with C-style escapes such as `\xFF`.
    Escaped,
}

impl Format {
    /// The lowercase name: `"auto"`, `"hex"`, `"base64"` or `"escaped"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Hex => "hex",
            Format::Base64 => "base64",
            Format::Escaped => "escaped",
        }
    }

    /// The format with this lowercase name (the inverse of [`Format::as_str`]).
    ///
    /// ```
    /// use wsinspect::Format;
    /// assert_eq!(Format::from_name("base64"), Some(Format::Base64));
    /// assert_eq!(Format::from_name("octal"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "auto" => Some(Format::Auto),
            "hex" => Some(Format::Hex),
            "base64" => Some(Format::Base64),
            "escaped" => Some(Format::Escaped),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The bytes a text stands for, and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedBytes {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The format used to read the text; never [`Format::Auto`].
    pub format: Format,
    /// The exact shape that was recognised, for people: `"hex stream"`,
    /// `"spaced hex"`, `"0x hex"`, `"\x hex"`, `"xxd"`, `"hexdump -C"`,
    /// `"wireshark hex dump"`, `"c array"`, `"js array"`, `"go array"`,
    /// `"decimal array"`, `"node buffer"`, `"base64"`, `"base64url"`,
    /// `"escapes"`, `"text"` or `"empty"`; for the conversation forms of
    /// [`parse_transcript`](crate::parse_transcript), `"tshark follow raw"`,
    /// `"tshark follow hex"`, `"wireshark follow hex dump"`,
    /// `"wireshark follow c arrays"` or `"packet dump"`.
    pub detail: &'static str,
}

/// Why a text could not be read, and where: the place is that of the first
/// character at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, lowercase, without the place: `invalid hex digit 'g'`.
    pub message: String,
    /// 1-based line number (lines end at `\n`).
    pub line: usize,
    /// 1-based column, counted in characters (Unicode scalar values).
    pub column: usize,
    /// 0-based offset from the start of the text, counted in characters.
    pub offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for ParseError {}

/// An error found at a byte index of the text; turned into a [`ParseError`]
/// (lines, columns and characters) only when it leaves this module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub(crate) at: usize,
    pub(crate) message: String,
}

impl Located {
    /// Never inlined: the many error sites share one copy of the formatting code.
    #[inline(never)]
    pub(crate) fn new(at: usize, message: fmt::Arguments<'_>) -> Located {
        Located {
            at,
            message: fmt::format(message),
        }
    }

    pub(crate) fn into_parse_error(self, text: &str) -> ParseError {
        let mut at = self.at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        ParseError {
            message: self.message,
            line: 1 + before.bytes().filter(|&b| b == b'\n').count(),
            column: 1 + before[line_start..].chars().count(),
            offset: before.chars().count(),
        }
    }
}

/// The character at byte index `at`, quoted for an error message: `'g'`, `'\u{a0}'`.
pub(crate) fn quote_char_at(text: &str, at: usize) -> String {
    match text.get(at..).and_then(|rest| rest.chars().next()) {
        Some(c) => quote_char(c),
        None => "end of text".to_string(),
    }
}

/// A character quoted for an error message, escaped when it would not show.
pub(crate) fn quote_char(c: char) -> String {
    if c == ' ' || !(c.is_whitespace() || c.is_control()) {
        format!("'{c}'")
    } else {
        format!("'{}'", c.escape_debug())
    }
}

/// Reads the bytes a text stands for.
///
/// With an explicit format the text must be in that format. Everything below
/// is accepted; anything else is an error with its line, column and character
/// offset.
///
/// - [`Format::Hex`]: a continuous stream (`8105486f`, Wireshark's "hex
///   stream"); groups separated by spaces, tabs, newlines, commas or colons
///   (`81 05`, `81:05`, `8105 486f`), each with an even number of digits;
///   `0x` or `\x` before a group (`0x81 0x5`: a prefixed group of one digit
///   is one byte); arrays (`{0x81, 0x05}`, `[0x81,0x05]`,
///   `unsigned char buf[] = {...};` with xxd -i's `_len` line checked,
///   `[]byte{...}`, `new Uint8Array([...])`, Node's `<Buffer 81 05>`), where
///   items without `0x` are decimal (`[129, 5]` is read as decimal and
///   reported as `"decimal array"`); xxd output, `hexdump -C` output (its
///   final offset line included) and Wireshark's "Copy as Hex Dump" or
///   `tshark -x` output, with the offset column and the text gutter dropped
///   and the byte count of every line checked against the offsets. Plain
///   `hexdump`/`od -x` output (16-bit little-endian words) and `hexdump`'s
///   `*` (lines left out as repeats) are refused with a hint.
/// - [`Format::Base64`]: standard or URL-safe alphabet (not both), padded or
///   not, with any whitespace between characters.
/// - [`Format::Escaped`]: literal characters stand for their UTF-8 bytes;
///   escapes are `\xNN` (two hex digits), `\n`, `\r`, `\t`, `\0`, `\a`, `\b`,
///   `\f`, `\v`, `\e`, `\\`, `\"`, `\'`, `\/`, octal `\NNN` (one to three
///   digits, at most `\377`), and `\uXXXX`, `\u{X...}` (the character's UTF-8
///   bytes; a JSON surrogate pair is joined). Quotes around the text are data.
///
/// [`Format::Auto`] looks at the shape only, in this order, and then reads the
/// text in the format chosen, so a malformed dump still gets the hex error:
///
/// 0. a text form of both directions of a connection that
///    [`parse_transcript`](crate::parse_transcript) reads (Follow TCP Stream output,
///    a packet dump whose bytes start with link, IP and TCP headers): the bytes of
///    all its chunks, in the order the text gives them, [`Format::Hex`], detail
///    `"tshark follow raw"`, `"tshark follow hex"`, `"wireshark follow hex dump"`,
///    `"wireshark follow c arrays"` or `"packet dump"`; such a text that is broken
///    is an error (a hex dump that is not a packet dump stays a hex dump);
/// 1. blank text: no bytes, [`Format::Hex`], detail `"empty"`;
/// 2. the first non-blank line is an xxd, `hexdump -C`, Wireshark or plain
///    `hexdump` line (an offset of 4 to 16 hex digits followed by `: `, or by
///    two spaces or a tab and a two-digit byte), or the text starts with
///    `<Buffer`, or it has an array: a `{` or `[` followed by a digit, `-` or
///    its own closing bracket, after nothing or a one-line declaration ending
///    in `=`, `(`, `)`, `]`, `:` or a Go type, and followed by nothing but
///    `)`, `;`, `,`, `}` or xxd -i's length line: hex;
/// 3. the text is only `\xNN` escapes (two digits each) and separators, or
///    only hex digits, whitespace, `,`, `:` and `0x` prefixes with a decimal
///    digit somewhere or an even number of digits in every group: hex (so
///    `\x00cafe\xff` and `\x41 42` stay escaped text, and `bad` stays text);
/// 4. the text has a backslash: escaped;
/// 5. the text is base64 (standard or URL-safe, line breaks allowed but no
///    spaces or tabs inside, a valid length, canonical final bits): base64;
/// 6. otherwise: escaped, detail `"text"` (the text's own UTF-8 bytes).
///
/// So `"cafe"` is hex, `"SGVsbG8="` is base64 and `"hello"` is text; choose
/// the format explicitly when a text could be more than one.
///
/// ```
/// use wsinspect::{parse_bytes, Format};
///
/// let parsed = parse_bytes("00000000: 8105 4865 6c6c 6f  ..Hello", Format::Auto).unwrap();
/// assert_eq!(parsed.bytes, b"\x81\x05Hello");
/// assert_eq!((parsed.format, parsed.detail), (Format::Hex, "xxd"));
///
/// let error = parse_bytes("81 05\n48 6g", Format::Hex).unwrap_err();
/// assert_eq!(error.to_string(), "invalid hex digit 'g' at line 2, column 5");
/// assert_eq!(error.offset, 10);
/// ```
pub fn parse_bytes(text: &str, format: Format) -> Result<ParsedBytes, ParseError> {
    // A byte order mark (a file saved by an editor that writes one) is not part of the
    // bytes meant: hex, base64 and auto read the text after it; escaped text keeps it
    // when auto detection chooses escaped text, as its UTF-8 bytes are then data.
    if let Some(body) = text.strip_prefix('\u{FEFF}') {
        if format != Format::Escaped {
            match parse_after_bom(body, format) {
                Ok(parsed) if parsed.format == Format::Escaped => {}
                Ok(parsed) => return Ok(parsed),
                Err(mut e) => {
                    // Places count the mark: it is still in the text the user sees.
                    e.offset += 1;
                    if e.line == 1 {
                        e.column += 1;
                    }
                    return Err(e);
                }
            }
        }
    }
    parse_after_bom(text, format)
}

fn parse_after_bom(text: &str, format: Format) -> Result<ParsedBytes, ParseError> {
    #[cfg(feature = "conversation")]
    if format == Format::Auto {
        if let Some(parsed) = detect::transcript(text).map_err(|e| e.into_parse_error(text))? {
            return Ok(parsed);
        }
    }
    let format = match format {
        Format::Auto => detect::detect(text),
        chosen => chosen,
    };
    let read = match format {
        Format::Hex => read_hex(text),
        Format::Base64 => base64::parse(text),
        Format::Escaped | Format::Auto => escaped::parse(text),
    };
    let (bytes, detail) = read.map_err(|e| e.into_parse_error(text))?;
    Ok(ParsedBytes {
        bytes,
        format,
        detail,
    })
}

/// Hex in any of its shapes: a dump, an array, or plain hex tokens.
fn read_hex(text: &str) -> Result<(Vec<u8>, &'static str), Located> {
    if text.trim().is_empty() {
        return Ok((Vec::new(), "empty"));
    }
    if let Some(kind) = dump::recognise(text) {
        return dump::parse(text, kind);
    }
    // An array starts with, or holds, a character that is not hex: plain hex
    // fails on it at once, and only then is the text searched for brackets.
    hex::parse_tokens(text).or_else(|error| match array::recognise(text) {
        Some(shape) => array::parse(text, shape),
        None => Err(error),
    })
}
