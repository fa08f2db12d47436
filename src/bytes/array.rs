//! Arrays of byte values as source code and runtimes print them: C
//! (`unsigned char buf[] = {0x81, 0x05};`, with xxd -i's `_len` line), JS
//! (`[0x81, 0x05]`, `new Uint8Array([...])`, `Uint8Array(2) [129, 5]`), Go
//! (`[]byte{...}`), Java (`[-127, 5]`) and Node's `<Buffer 81 05>`.
//!
//! An item is `0x` hex or decimal, as in those languages; a decimal item may be
//! negative down to -128 (a signed byte, as Java prints them).

use super::hex::{self, digit_value};
use super::{quote_char, Located};

/// Where the array starts and how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A `{` or `[` at this byte index.
    Brackets { open: usize },
    /// Node's `<Buffer`, its `<` at this byte index.
    NodeBuffer { open: usize },
}

/// For explicit hex: a text with Node's `<Buffer` or any bracket is an array.
pub(crate) fn recognise(text: &str) -> Option<Shape> {
    if let Some(open) = node_buffer_start(text) {
        return Some(Shape::NodeBuffer { open });
    }
    opener(text, true)
        .or_else(|| text.find('{').or_else(|| text.find('[')))
        .map(|open| Shape::Brackets { open })
}

/// For auto: Node's `<Buffer`, or an opening bracket whose first item starts
/// like a number, after nothing or a one-line declaration, and followed after
/// its closing bracket by nothing but what may end a statement.
pub(crate) fn looks_like_array(text: &str) -> bool {
    if node_buffer_start(text).is_some() {
        return true;
    }
    let Some(open) = opener(text, false) else {
        return false;
    };
    let prefix = text[..open].trim();
    let declaration_chars = prefix
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" \t_[]().:;*<>,\"={&".contains(&b));
    let close = if text.as_bytes()[open] == b'{' {
        '}'
    } else {
        ']'
    };
    let suffix = text[open..].find(close).map(|i| &text[open + i + 1..]);
    declaration_chars
        && is_declaration(prefix)
        && suffix.is_some_and(|suffix| {
            let rest = suffix.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ')' | ';' | ',' | '}')
            });
            rest.is_empty() || rest.starts_with("unsigned int ")
        })
}

fn node_buffer_start(text: &str) -> Option<usize> {
    let open = text.len() - text.trim_start().len();
    text[open..].starts_with("<Buffer").then_some(open)
}

/// The first `{` (or, when no `{` qualifies, `[`) followed by a number or by
/// its own closing bracket, or, with `nested`, by a bracket (to report it).
fn opener(text: &str, nested: bool) -> Option<usize> {
    let starts_array = |open: usize| {
        let close = if text.as_bytes()[open] == b'{' {
            b'}'
        } else {
            b']'
        };
        let rest = text[open + 1..].trim_start().as_bytes();
        matches!(rest.first(), Some(&b) if b.is_ascii_digit() || b == b'-' || b == close
            || (nested && matches!(b, b'[' | b'{')))
    };
    let first = |c: char| {
        text.match_indices(c)
            .map(|(i, _)| i)
            .find(|&i| starts_array(i))
    };
    first('{').or_else(|| first('['))
}

/// Text that may come before an array: nothing, or a declaration or call that
/// ends with `=`, `(`, `)`, `]`, `:`, or a Go element type (`[]byte`).
fn is_declaration(prefix: &str) -> bool {
    prefix.is_empty() || prefix.ends_with(['=', '(', ')', ']', ':']) || is_go_type(prefix)
}

fn is_go_type(prefix: &str) -> bool {
    prefix.ends_with("]byte") || prefix.ends_with("]uint8")
}

pub(crate) fn parse(text: &str, shape: Shape) -> Result<(Vec<u8>, &'static str), Located> {
    match shape {
        Shape::NodeBuffer { open } => parse_node_buffer(text, open),
        Shape::Brackets { open } => parse_brackets(text, open),
    }
}

/// `<Buffer 81 05 48>`: Node's `util.inspect` of a Buffer.
fn parse_node_buffer(text: &str, open: usize) -> Result<(Vec<u8>, &'static str), Located> {
    let start = open + "<Buffer".len();
    let Some(close) = text[start..].find('>').map(|i| start + i) else {
        return Err(Located::new(open, "'<Buffer' is never closed by '>'"));
    };
    if let Some(dots) = text[start..close].find("...") {
        return Err(Located::new(
            start + dots,
            "node printed only the first bytes of this buffer; print it with buf.toString('hex')",
        ));
    }
    let mut out = Vec::with_capacity((close - start) / 3 + 1);
    hex::parse_range(text, start, close, &mut out)?;
    expect_only_whitespace(text, close + 1, "the buffer")?;
    Ok((out, "node buffer"))
}

fn parse_brackets(text: &str, open: usize) -> Result<(Vec<u8>, &'static str), Located> {
    let s = text.as_bytes();
    let prefix = text[..open].trim();
    if !is_declaration(prefix) {
        let at = text.len() - text.trim_start().len();
        return Err(Located::new(at, "unexpected text before the array"));
    }
    let close = if s[open] == b'{' { b'}' } else { b']' };
    let mut out = Vec::with_capacity((text.len() - open) / 3 + 1);
    let mut any_hex = false;
    let mut item_since_comma = false;
    let mut at = open + 1;
    loop {
        at = skip_whitespace(text, at);
        let Some(&b) = s.get(at) else {
            return Err(Located::new(open, "this array is never closed"));
        };
        if b == close {
            break;
        }
        match b {
            b',' if !item_since_comma => {
                return Err(Located::new(at, "missing array item before ','"));
            }
            b',' => {
                item_since_comma = false;
                at += 1;
            }
            b'{' | b'[' => return Err(Located::new(at, "nested arrays are not bytes")),
            _ if item_since_comma => {
                return Err(Located::new(at, "missing ',' between array items"));
            }
            _ => {
                let (value, is_hex, end) = parse_item(text, at, close)?;
                out.push(value);
                any_hex |= is_hex;
                item_since_comma = true;
                at = end;
            }
        }
    }
    check_suffix(text, at + 1, out.len())?;
    let detail = if !any_hex && !out.is_empty() {
        "decimal array"
    } else if is_go_type(prefix) {
        "go array"
    } else if close == b'}' {
        "c array"
    } else {
        "js array"
    };
    Ok((out, detail))
}

/// One item, `0x` hex or decimal; returns its value, whether it was hex, and
/// the index after it.
fn parse_item(text: &str, start: usize, close: u8) -> Result<(u8, bool, usize), Located> {
    let s = text.as_bytes();
    let ends_item = |i: usize| match s.get(i) {
        None => true,
        Some(&b) => b == close || b == b',' || b.is_ascii_whitespace(),
    };
    let token = || {
        let len = text[start..].find(|c: char| c.is_whitespace() || c == ',' || c == close as char);
        let token = &text[start..start + len.unwrap_or(text.len() - start)];
        token.chars().take(24).collect::<String>()
    };
    let hex_prefixed = s[start] == b'0' && matches!(s.get(start + 1), Some(b'x' | b'X'));
    let negative = s[start] == b'-';
    let digits_start = if hex_prefixed {
        start + 2
    } else {
        start + usize::from(negative)
    };
    let radix: u64 = if hex_prefixed { 16 } else { 10 };
    let mut value: u64 = 0;
    let mut at = digits_start;
    while let Some(digit) = s
        .get(at)
        .and_then(|&b| digit_value(b))
        .filter(|&d| u64::from(d) < radix)
    {
        value = value.saturating_mul(radix).saturating_add(u64::from(digit));
        at += 1;
    }
    if at == digits_start || !ends_item(at) {
        let token = token();
        let message = if token.bytes().all(|b| b.is_ascii_hexdigit()) {
            format!("array item '{token}' has hex digits but no 0x prefix (items without 0x are decimal)")
        } else if at == digits_start && hex_prefixed {
            format!("'{}' with no hex digits after it", &text[start..start + 2])
        } else {
            let bad = if at == digits_start { start } else { at };
            let c = text[bad..].chars().next().unwrap_or(' ');
            format!("invalid array item '{token}': unexpected {}", quote_char(c))
        };
        return Err(Located::new(start, message));
    }
    let digits = at - digits_start;
    if !hex_prefixed && digits > 1 && s[digits_start] == b'0' && value >= 8 {
        return Err(Located::new(
            start,
            format!("array item '{}' is ambiguous: a leading zero means octal in C; drop the zero or write 0x", token()),
        ));
    }
    let byte = match (negative, value) {
        (false, 0..=255) => value as u8,
        (true, 1..=128) => (256 - value) as u8,
        (true, 0) => 0,
        _ => {
            let range = if hex_prefixed {
                "0x00 to 0xff"
            } else {
                "-128 to 255"
            };
            return Err(Located::new(
                start,
                format!("array item '{}' is not a byte ({range})", token()),
            ));
        }
    };
    Ok((byte, hex_prefixed, at))
}

/// After the closing bracket: `)`, `;`, `,`, `}` and whitespace, and xxd -i's
/// `unsigned int name_len = N;`, whose N must be the number of items.
fn check_suffix(text: &str, mut at: usize, count: usize) -> Result<(), Located> {
    let trailer = |c: char| c.is_whitespace() || matches!(c, ')' | ';' | ',' | '}');
    at += text[at..]
        .find(|c: char| !trailer(c))
        .unwrap_or(text.len() - at);
    if let Some(rest) = text[at..].strip_prefix("unsigned int ") {
        let declared = rest
            .split_once('=')
            .filter(|(name, _)| {
                name.trim()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
            .and_then(|(_, value)| value.split_once(';'))
            .map(|(value, _)| value);
        if let Some(value) = declared {
            let value_at = at + (text[at..].len() - rest.len()) + rest.find('=').unwrap_or(0) + 1;
            let value_at = skip_whitespace(text, value_at);
            if value.trim().parse::<usize>().ok() != Some(count) {
                return Err(Located::new(
                    value_at,
                    format!(
                        "the array has {count} bytes but its length line says {}",
                        value.trim()
                    ),
                ));
            }
            at = value_at + text[value_at..].find(';').unwrap_or(0) + 1;
            at += text[at..]
                .find(|c: char| !trailer(c))
                .unwrap_or(text.len() - at);
        }
    }
    expect_only_whitespace(text, at, "the array")
}

fn expect_only_whitespace(text: &str, at: usize, what: &str) -> Result<(), Located> {
    let at = skip_whitespace(text, at);
    if at < text.len() {
        return Err(Located::new(at, format!("unexpected text after {what}")));
    }
    Ok(())
}

fn skip_whitespace(text: &str, at: usize) -> usize {
    at + text[at..]
        .find(|c: char| !c.is_whitespace())
        .unwrap_or(text.len() - at)
}
