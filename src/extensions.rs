//! Sec-WebSocket-Extensions values (RFC 6455 §9.1) and the permessage-deflate parameters
//! (RFC 7692 §7.1), with character offsets in every error.

use std::fmt;

/// A bad extensions value: what is wrong and the character offset where.
///
/// `Display` gives "duplicate parameter server_no_context_takeover at character 40".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionError {
    /// What is wrong, lowercase, without the location.
    pub message: String,
    /// Character offset (0-based) in the header value.
    pub offset: usize,
}

impl fmt::Display for ExtensionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.message, self.offset)
    }
}

impl std::error::Error for ExtensionError {}

/// One extension of a Sec-WebSocket-Extensions list, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The extension token, e.g. `permessage-deflate`.
    pub name: String,
    /// Character offset of the name.
    pub offset: usize,
    /// The parameters, in order.
    pub params: Vec<ExtensionParam>,
}

/// One `name[=value]` parameter of an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionParam {
    /// The parameter name.
    pub name: String,
    /// The value, unquoted; `None` when the parameter has no `=`.
    pub value: Option<String>,
    /// Character offset of the name.
    pub offset: usize,
    /// Character offset of the value (of its opening quote when quoted).
    pub value_offset: Option<usize>,
}

/// Parses a Sec-WebSocket-Extensions value.
///
/// RFC 6455 §9.1:
/// ```text
/// extension-list = 1#extension
/// extension = extension-token *( ";" extension-param )
/// extension-param = token [ "=" (token | quoted-string) ]
/// ```
/// "When using the quoted-string syntax variant, the value after quoted-string unescaping
/// MUST conform to the 'token' ABNF." Empty list elements (`a, , b`) are skipped, as RFC
/// 7230 §7 asks of recipients.
///
/// ```
/// let list = wsinspect::parse_extensions("permessage-deflate; client_max_window_bits, x-foo").unwrap();
/// assert_eq!(list[0].name, "permessage-deflate");
/// assert_eq!(list[0].params[0].name, "client_max_window_bits");
/// assert_eq!(list[1].offset, 44);
/// let err = wsinspect::parse_extensions("permessage-deflate; =1").unwrap_err();
/// assert_eq!(err.to_string(), "expected a parameter name, found '=' at character 20");
/// ```
pub fn parse_extensions(value: &str) -> Result<Vec<Extension>, ExtensionError> {
    let mut p = Parser {
        text: value,
        bytes: value.as_bytes(),
        pos: 0,
    };
    let mut list = Vec::new();
    loop {
        p.skip_ows();
        if p.eat(b',') {
            continue;
        }
        if p.at_end() {
            break;
        }
        let offset = p.char_offset(p.pos);
        let name = p.token("an extension name")?;
        let mut params = Vec::new();
        loop {
            p.skip_ows();
            if !p.eat(b';') {
                break;
            }
            p.skip_ows();
            let offset = p.char_offset(p.pos);
            let name = p.token("a parameter name")?;
            p.skip_ows();
            let (value, value_offset) = if p.eat(b'=') {
                p.skip_ows();
                let at = p.char_offset(p.pos);
                (Some(p.param_value()?), Some(at))
            } else {
                (None, None)
            };
            params.push(ExtensionParam {
                name,
                value,
                offset,
                value_offset,
            });
        }
        list.push(Extension {
            name,
            offset,
            params,
        });
        p.skip_ows();
        if p.at_end() {
            break;
        }
        if !p.eat(b',') {
            return Err(p.unexpected("',' or ';'"));
        }
    }
    if list.is_empty() {
        return Err(ExtensionError {
            message: "empty extension list".into(),
            offset: 0,
        });
    }
    Ok(list)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.bytes.get(self.pos) == Some(&b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn skip_ows(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn char_offset(&self, byte_pos: usize) -> usize {
        self.text
            .get(..byte_pos)
            .map_or(byte_pos, |s| s.chars().count())
    }

    fn unexpected(&self, expected: &str) -> ExtensionError {
        let message = match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => format!("expected {expected}, found {c:?}"),
            None => format!("expected {expected}, found the end"),
        };
        ExtensionError {
            message,
            offset: self.char_offset(self.pos),
        }
    }

    fn token(&mut self, what: &str) -> Result<String, ExtensionError> {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(|&b| is_tchar(b)) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.unexpected(what));
        }
        Ok(self.text[start..self.pos].to_string())
    }

    fn param_value(&mut self) -> Result<String, ExtensionError> {
        if !self.eat(b'"') {
            return self.token("a parameter value");
        }
        let open = self.pos - 1;
        let mut value = String::new();
        loop {
            match self.bytes.get(self.pos) {
                None => {
                    return Err(ExtensionError {
                        message: "unterminated quoted string".into(),
                        offset: self.char_offset(open),
                    })
                }
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') if self.pos + 1 < self.bytes.len() => {
                    self.pos += 1;
                }
                Some(_) => {}
            }
            let c = self.text[self.pos..].chars().next().unwrap_or('\u{FFFD}');
            if !(c.is_ascii() && is_tchar(c as u8)) {
                return Err(ExtensionError {
                    message: format!("quoted value must be a token, found {c:?}"),
                    offset: self.char_offset(self.pos),
                });
            }
            value.push(c);
            self.pos += c.len_utf8();
        }
        if value.is_empty() {
            return Err(ExtensionError {
                message: "quoted value must be a token, found an empty string".into(),
                offset: self.char_offset(open),
            });
        }
        Ok(value)
    }
}

/// RFC 7230 §3.2.6 tchar.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Which side of the negotiation a value comes from: the rules differ slightly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Negotiation {
    /// A client's Sec-WebSocket-Extensions request header.
    Offer,
    /// A server's Sec-WebSocket-Extensions response header.
    Response,
}

/// The value of a `client_max_window_bits` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientMaxWindowBits {
    /// Present without a value (allowed in an offer only): the client can honour any.
    NoValue,
    /// A base-2 logarithm of the LZ77 window, 8-15.
    Bits(u8),
}

/// The parameters of one permessage-deflate extension (RFC 7692 §7.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerMessageDeflateParams {
    /// The server does not keep its LZ77 window between messages.
    pub server_no_context_takeover: bool,
    /// The client does not keep its LZ77 window between messages.
    pub client_no_context_takeover: bool,
    /// The server's LZ77 window is at most 2^n bytes.
    pub server_max_window_bits: Option<u8>,
    /// The client's LZ77 window limit.
    pub client_max_window_bits: Option<ClientMaxWindowBits>,
}

/// The registered name of the extension.
pub const PERMESSAGE_DEFLATE: &str = "permessage-deflate";

impl PerMessageDeflateParams {
    /// Checks the parameters of one `permessage-deflate` element.
    ///
    /// RFC 7692 §7: a server MUST decline an offer, and a client MUST fail the connection
    /// on a response, when it "contains an extension parameter not defined for use in an
    /// offer" (or response), "an extension parameter with an invalid value" or "multiple
    /// extension parameters with the same name".
    ///
    /// ```
    /// use wsinspect::{parse_extensions, Negotiation, PerMessageDeflateParams};
    /// let ext = &parse_extensions("permessage-deflate; server_max_window_bits=10").unwrap()[0];
    /// let p = PerMessageDeflateParams::from_extension(ext, Negotiation::Response).unwrap();
    /// assert_eq!(p.server_max_window_bits, Some(10));
    /// ```
    pub fn from_extension(ext: &Extension, side: Negotiation) -> Result<Self, ExtensionError> {
        let mut p = PerMessageDeflateParams::default();
        let mut seen: Vec<&str> = Vec::new();
        for param in &ext.params {
            let name = param.name.as_str();
            if seen.contains(&name) {
                return Err(ExtensionError {
                    message: format!("duplicate parameter {name}"),
                    offset: param.offset,
                });
            }
            seen.push(name);
            match name {
                // RFC 7692 §7.1.1: "This extension parameter has no value."
                "server_no_context_takeover" | "client_no_context_takeover" => {
                    if param.value.is_some() {
                        return Err(bad_value(param, "takes no value"));
                    }
                    if name == "server_no_context_takeover" {
                        p.server_no_context_takeover = true;
                    } else {
                        p.client_no_context_takeover = true;
                    }
                }
                "server_max_window_bits" => {
                    let Some(value) = &param.value else {
                        return Err(bad_value(param, "needs a value from 8 to 15"));
                    };
                    p.server_max_window_bits = Some(window_bits(param, value)?);
                }
                "client_max_window_bits" => {
                    p.client_max_window_bits = Some(match &param.value {
                        Some(value) => ClientMaxWindowBits::Bits(window_bits(param, value)?),
                        // RFC 7692 §7.1.2.2: in an offer "this parameter has no value or a
                        // decimal integer value"; a response names the window the client
                        // must use, so it needs the value.
                        None if side == Negotiation::Offer => ClientMaxWindowBits::NoValue,
                        None => {
                            return Err(bad_value(
                                param,
                                "needs a value from 8 to 15 in a response",
                            ))
                        }
                    });
                }
                _ => {
                    return Err(ExtensionError {
                        message: format!("unknown permessage-deflate parameter {name}"),
                        offset: param.offset,
                    })
                }
            }
        }
        Ok(p)
    }
}

fn bad_value(param: &ExtensionParam, what: &str) -> ExtensionError {
    ExtensionError {
        message: format!("{} {what}", param.name),
        offset: param.value_offset.unwrap_or(param.offset),
    }
}

/// RFC 7692 §7.1.2.1: "a decimal integer value without leading zeroes between 8 to 15,
/// inclusive".
fn window_bits(param: &ExtensionParam, value: &str) -> Result<u8, ExtensionError> {
    match value {
        // One of the eight strings matched above: it parses.
        "8" | "9" | "10" | "11" | "12" | "13" | "14" | "15" => Ok(value.parse().unwrap_or(15)),
        _ => Err(ExtensionError {
            message: format!(
                "{} must be from 8 to 15 without leading zeros, not {value:?}",
                param.name
            ),
            offset: param.value_offset.unwrap_or(param.offset),
        }),
    }
}

/// Finds permessage-deflate in a negotiated (response) Sec-WebSocket-Extensions value and
/// checks its parameters; `Ok(None)` when the value does not name it. Other extensions
/// are returned as they are.
///
/// A response accepts at most one configuration, so permessage-deflate twice is an error.
pub fn negotiated_permessage_deflate(
    value: &str,
) -> Result<(Option<PerMessageDeflateParams>, Vec<Extension>), ExtensionError> {
    let mut pmd = None;
    let mut others = Vec::new();
    for ext in parse_extensions(value)? {
        if ext.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE) {
            if pmd.is_some() {
                return Err(ExtensionError {
                    message: "permessage-deflate accepted twice in one response".into(),
                    offset: ext.offset,
                });
            }
            pmd = Some(PerMessageDeflateParams::from_extension(
                &ext,
                Negotiation::Response,
            )?);
        } else {
            others.push(ext);
        }
    }
    Ok((pmd, others))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pmd(value: &str, side: Negotiation) -> Result<PerMessageDeflateParams, ExtensionError> {
        let list = parse_extensions(value)?;
        PerMessageDeflateParams::from_extension(&list[0], side)
    }

    #[test]
    fn lists_params_and_quoted_values() {
        let list = parse_extensions(
            "permessage-deflate ; client_max_window_bits=\"10\";server_no_context_takeover, ,x-webkit-deflate-frame",
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].params.len(), 2);
        assert_eq!(list[0].params[0].value.as_deref(), Some("10"));
        assert_eq!(list[0].params[0].offset, 21);
        assert_eq!(list[0].params[0].value_offset, Some(44));
        assert_eq!(list[0].params[1].value, None);
        assert_eq!(list[1].name, "x-webkit-deflate-frame");
        assert_eq!(list[1].offset, 78);
    }

    #[test]
    fn syntax_errors_carry_offsets() {
        let cases = [
            ("", "empty extension list", 0),
            (" , ", "empty extension list", 0),
            ("a b", "expected ',' or ';', found 'b'", 2),
            ("a;", "expected a parameter name, found the end", 2),
            ("a; b=", "expected a parameter value, found the end", 5),
            ("a; b=\"1", "unterminated quoted string", 5),
            ("a; b=\"1 2\"", "quoted value must be a token, found ' '", 7),
            (
                "a; b=\"\"",
                "quoted value must be a token, found an empty string",
                5,
            ),
            ("é", "expected an extension name, found 'é'", 0),
            ("aé; b=", "expected ',' or ';', found 'é'", 1),
        ];
        for (value, message, offset) in cases {
            let err = parse_extensions(value).unwrap_err();
            assert_eq!(
                (err.message.as_str(), err.offset),
                (message, offset),
                "{value:?}"
            );
        }
    }

    #[test]
    fn permessage_deflate_params() {
        let p = pmd(
            "permessage-deflate; server_no_context_takeover; client_max_window_bits",
            Negotiation::Offer,
        )
        .unwrap();
        assert!(p.server_no_context_takeover && !p.client_no_context_takeover);
        assert_eq!(p.client_max_window_bits, Some(ClientMaxWindowBits::NoValue));
        let p = pmd(
            "permessage-deflate; client_no_context_takeover; client_max_window_bits=8; server_max_window_bits=15",
            Negotiation::Response,
        )
        .unwrap();
        assert!(p.client_no_context_takeover);
        assert_eq!(p.client_max_window_bits, Some(ClientMaxWindowBits::Bits(8)));
        assert_eq!(p.server_max_window_bits, Some(15));
    }

    #[test]
    fn permessage_deflate_errors() {
        let cases = [
            (
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "duplicate parameter server_no_context_takeover",
                48,
            ),
            (
                "permessage-deflate; server_max_window_bits=16",
                "server_max_window_bits must be from 8 to 15 without leading zeros, not \"16\"",
                43,
            ),
            (
                "permessage-deflate; server_max_window_bits=09",
                "server_max_window_bits must be from 8 to 15 without leading zeros, not \"09\"",
                43,
            ),
            (
                "permessage-deflate; server_max_window_bits",
                "server_max_window_bits needs a value from 8 to 15",
                20,
            ),
            (
                "permessage-deflate; client_max_window_bits",
                "client_max_window_bits needs a value from 8 to 15 in a response",
                20,
            ),
            (
                "permessage-deflate; client_no_context_takeover=1",
                "client_no_context_takeover takes no value",
                47,
            ),
            (
                "permessage-deflate; mystery",
                "unknown permessage-deflate parameter mystery",
                20,
            ),
        ];
        for (value, message, offset) in cases {
            let err = pmd(value, Negotiation::Response).unwrap_err();
            assert_eq!(
                (err.message.as_str(), err.offset),
                (message, offset),
                "{value}"
            );
        }
    }

    #[test]
    fn negotiated_value_finds_the_extension_once() {
        let (p, others) = negotiated_permessage_deflate("x-foo, permessage-deflate").unwrap();
        assert_eq!(p, Some(PerMessageDeflateParams::default()));
        assert_eq!(others.len(), 1);
        let (p, _) = negotiated_permessage_deflate("x-foo").unwrap();
        assert_eq!(p, None);
        let err =
            negotiated_permessage_deflate("permessage-deflate, permessage-deflate").unwrap_err();
        assert_eq!(err.offset, 20);
    }
}
