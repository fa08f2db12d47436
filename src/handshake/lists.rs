//! Comma-separated header values (RFC 7230 §7 `#rule`): the items of Connection,
//! Upgrade, Sec-WebSocket-Protocol and Sec-WebSocket-Extensions, each with its
//! position inside the value so a check can point at the exact item.

/// One item of a comma-separated list: its text, trimmed of optional whitespace, and
/// its byte offset inside the header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Item<'a> {
    pub(crate) text: &'a str,
    pub(crate) offset: usize,
}

/// Splits a header value at the commas that are not inside a quoted string, trims
/// spaces and tabs around each item, and drops empty items ("a, , b" is "a", "b":
/// RFC 7230 §7 asks recipients to accept and ignore empty list elements).
pub(crate) fn split_list(value: &str) -> Vec<Item<'_>> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    let bytes = value.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        if in_quotes {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_quotes = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_quotes = true,
            b',' => {
                push_trimmed(value, start, index, &mut items);
                start = index + 1;
            }
            _ => {}
        }
    }
    push_trimmed(value, start, bytes.len(), &mut items);
    items
}

fn push_trimmed<'a>(value: &'a str, start: usize, end: usize, items: &mut Vec<Item<'a>>) {
    let raw = &value[start..end];
    let leading = raw.len() - raw.trim_start_matches([' ', '\t']).len();
    let text = raw.trim_matches([' ', '\t']);
    if !text.is_empty() {
        items.push(Item {
            text,
            offset: start + leading,
        });
    }
}

/// The extension name of one Sec-WebSocket-Extensions item: the token before its first
/// `;` (RFC 6455 §9.1: `extension = extension-token *( ";" extension-param )`).
pub(crate) fn extension_name(item: &str) -> &str {
    item.split(';')
        .next()
        .unwrap_or("")
        .trim_matches([' ', '\t'])
}

/// Whether a comma-separated value contains `token`, compared ASCII case-insensitively.
pub(crate) fn contains_token(value: &str, token: &str) -> bool {
    split_list(value)
        .iter()
        .any(|item| item.text.eq_ignore_ascii_case(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_trims_with_offsets() {
        let items = split_list("chat,  superchat\t, ,x");
        let texts: Vec<_> = items.iter().map(|i| (i.text, i.offset)).collect();
        assert_eq!(texts, vec![("chat", 0), ("superchat", 7), ("x", 20)]);
    }

    #[test]
    fn commas_inside_quotes_do_not_split() {
        let items = split_list(r#"foo; a="1,2", bar; b="q\",r""#);
        let texts: Vec<_> = items.iter().map(|i| i.text).collect();
        assert_eq!(texts, vec![r#"foo; a="1,2""#, r#"bar; b="q\",r""#]);
    }

    #[test]
    fn extension_names_stop_at_the_first_semicolon() {
        assert_eq!(
            extension_name("permessage-deflate ; client_max_window_bits"),
            "permessage-deflate"
        );
        assert_eq!(
            extension_name("x-webkit-deflate-frame"),
            "x-webkit-deflate-frame"
        );
    }

    #[test]
    fn tokens_match_case_insensitively() {
        assert!(contains_token("keep-alive, Upgrade", "upgrade"));
        assert!(!contains_token("keep-alive, Upgraded", "upgrade"));
        assert!(!contains_token("", "upgrade"));
    }
}
