//! The rules one handshake must follow on its own (RFC 6455 §4.1, §4.2 and §11.3):
//! each becomes a [`Check`], passed or failed, located at the header it is about or,
//! when that header is missing, at the request or status line.

use std::fmt;

use base64::Engine as _;

use super::generation::Generation;
use super::lists::{contains_token, split_list};
use super::{Check, CheckId, Handshake, HandshakeKind};
use crate::hixie76_keys::hixie76_key_steps;

const DRAFT_76: &str = "draft-hixie-thewebsocketprotocol-76 §5.2";

/// Every rule that applies to this handshake, in the order the RFC lists them.
pub(crate) fn checks(handshake: &Handshake) -> Vec<Check> {
    let mut checks = Checks(Vec::new());
    match handshake.kind {
        HandshakeKind::Request => request_checks(handshake, &mut checks),
        HandshakeKind::Response => response_checks(handshake, &mut checks),
    }
    checks.0
}

/// The checks found so far, in order.
///
/// [`Checks::pass`], [`Checks::fail`] and [`Checks::fail_unlocated`] are the only places a
/// [`Check`] is built: they
/// take the message as `fmt::Arguments` and are never inlined, so the many rules share
/// one copy of the formatting and pushing code (which keeps the wasm small).
pub(crate) struct Checks(pub(crate) Vec<Check>);

impl Checks {
    /// Records a rule the handshake follows.
    #[inline(never)]
    pub(crate) fn pass(
        &mut self,
        id: CheckId,
        offset: Option<u64>,
        header: Option<&str>,
        what: fmt::Arguments<'_>,
    ) {
        self.0.push(Check {
            id,
            passed: true,
            message: fmt::format(what),
            rfc: id.rfc(),
            offset,
            header: header.map(str::to_ascii_lowercase),
            expected: None,
        });
    }

    /// Records a rule broken where no byte of this head can be pointed at (a pair check
    /// missing something from the request); the message gains the rule.
    #[inline(never)]
    pub(crate) fn fail_unlocated(&mut self, id: CheckId, header: &str, what: fmt::Arguments<'_>) {
        let rfc = id.rfc();
        self.0.push(Check {
            id,
            passed: false,
            message: format!("{what} ({rfc})"),
            rfc,
            offset: None,
            header: Some(header.to_ascii_lowercase()),
            expected: None,
        });
    }

    /// Records a rule the handshake breaks; the message gains the offset and the rule.
    pub(crate) fn fail(
        &mut self,
        id: CheckId,
        offset: u64,
        header: Option<&str>,
        what: fmt::Arguments<'_>,
    ) {
        self.fail_citing(id, id.rfc(), offset, header, what);
    }

    /// [`Checks::fail`] citing a narrower section than the rule's own (a repeated
    /// Sec-WebSocket-Key cites RFC 6455 §11.3.1).
    #[inline(never)]
    pub(crate) fn fail_citing(
        &mut self,
        id: CheckId,
        rfc: &'static str,
        offset: u64,
        header: Option<&str>,
        what: fmt::Arguments<'_>,
    ) {
        self.0.push(Check {
            id,
            passed: false,
            message: format!("{what} at byte {offset} ({rfc})"),
            rfc,
            offset: Some(offset),
            header: header.map(str::to_ascii_lowercase),
            expected: None,
        });
    }

    /// Sets what the rule called for on the check recorded last.
    pub(crate) fn expected(&mut self, value: String) {
        if let Some(last) = self.0.last_mut() {
            last.expected = Some(value);
        }
    }

    /// Records a broken rule about a header that is missing: located at the start line.
    fn missing(&mut self, h: &Handshake, id: CheckId, name: &str) {
        self.fail(
            id,
            h.start_line_offset,
            Some(name),
            format_args!("no {name} header"),
        );
    }
}

fn request_checks(h: &Handshake, checks: &mut Checks) {
    let line = h.start_line_offset;

    // RFC 6455 §4.1: "The method of the request MUST be GET, and the HTTP version MUST
    // be at least 1.1."
    let method = h.method.as_deref().unwrap_or("");
    if method == "GET" {
        checks.pass(
            CheckId::MethodNotGet,
            Some(line),
            None,
            format_args!("method is GET"),
        );
    } else {
        checks.fail(
            CheckId::MethodNotGet,
            line,
            None,
            format_args!("method is {method}, it must be GET"),
        );
    }
    let version_offset =
        line + method.len() as u64 + 1 + h.path.as_deref().unwrap_or("").len() as u64 + 1;
    http_version_check(h, version_offset, checks);

    // RFC 6455 §4.1: "The request MUST contain a |Host| header field whose value
    // contains /host/ plus optionally ":" followed by /port/".
    match h.header("host") {
        Some(host) if !host.value.is_empty() => checks.pass(
            CheckId::MissingHost,
            Some(host.offset),
            Some("host"),
            format_args!("host is {}", host.value),
        ),
        Some(host) => checks.fail(
            CheckId::MissingHost,
            host.offset,
            Some("host"),
            format_args!("host is empty"),
        ),
        None => checks.missing(h, CheckId::MissingHost, "host"),
    }

    // RFC 6455 §4.1: "The request MUST contain an |Upgrade| header field whose value
    // MUST include the "websocket" keyword."
    token_check(h, CheckId::BadUpgrade, "upgrade", "websocket", checks);
    // RFC 6455 §4.1: "The request MUST contain a |Connection| header field whose value
    // MUST include the "Upgrade" token."
    token_check(h, CheckId::BadConnection, "connection", "upgrade", checks);

    if h.generation == Generation::Hixie76 {
        hixie76_key_check(h, CheckId::BadKey1, "sec-websocket-key1", checks);
        hixie76_key_check(h, CheckId::BadKey2, "sec-websocket-key2", checks);
    } else if h.generation != Generation::Hixie75 {
        key_check(h, checks);
        version_check(h, checks);
    }

    // RFC 6455 §11.3.1: "The |Sec-WebSocket-Key| header field MUST NOT appear more than
    // once in an HTTP request." §11.3.5: "The |Sec-WebSocket-Version| header field MUST
    // NOT appear more than once in an HTTP request." RFC 7230 §5.4: "A server MUST
    // respond with a 400 (Bad Request) status code to ... any request message that
    // contains more than one Host header field".
    duplicate_checks(
        h,
        &[
            ("host", "RFC 7230 §5.4"),
            ("sec-websocket-key", "RFC 6455 §11.3.1"),
            ("sec-websocket-version", "RFC 6455 §11.3.5"),
            ("sec-websocket-key1", DRAFT_76),
            ("sec-websocket-key2", DRAFT_76),
        ],
        checks,
    );
}

fn response_checks(h: &Handshake, checks: &mut Checks) {
    // RFC 6455 §4.1: "If the status code received from the server is not 101, the client
    // handles the response per HTTP [RFC2616] procedures." The other rules are about a
    // 101 response only.
    let status_offset = h.start_line_offset + "HTTP/1.1 ".len() as u64;
    match h.status {
        Some(101) => checks.pass(
            CheckId::BadStatus,
            Some(status_offset),
            None,
            format_args!("status is 101"),
        ),
        status => {
            let status = status.map_or_else(|| "missing".to_string(), |s| s.to_string());
            checks.fail(
                CheckId::BadStatus,
                status_offset,
                None,
                format_args!("status is {status}, the handshake only succeeds with 101"),
            );
            return;
        }
    }

    // RFC 6455 §4.1: "If the response lacks an |Upgrade| header field or the |Upgrade|
    // header field contains a value that is not an ASCII case-insensitive match for the
    // value "websocket", the client MUST _Fail the WebSocket Connection_."
    match h.header("upgrade") {
        Some(u) if u.value.eq_ignore_ascii_case("websocket") => checks.pass(
            CheckId::BadUpgrade,
            Some(u.offset),
            Some("upgrade"),
            format_args!("upgrade is {}", u.value),
        ),
        Some(u) => checks.fail(
            CheckId::BadUpgrade,
            u.offset,
            Some("upgrade"),
            format_args!("upgrade is {:?}, it must be websocket", u.value),
        ),
        None => checks.missing(h, CheckId::BadUpgrade, "upgrade"),
    }
    // RFC 6455 §4.1: "If the response lacks a |Connection| header field or the
    // |Connection| header field doesn't contain a token that is an ASCII case-insensitive
    // match for the value "Upgrade", the client MUST _Fail the WebSocket Connection_."
    token_check(h, CheckId::BadConnection, "connection", "upgrade", checks);

    if !matches!(h.generation, Generation::Hixie75 | Generation::Hixie76) {
        // RFC 6455 §4.1: "If the response lacks a |Sec-WebSocket-Accept| header field
        // or ... contains a value other than the base64-encoded SHA-1 of ... the client
        // MUST _Fail the WebSocket Connection_."
        const NAME: &str = "sec-websocket-accept";
        match h.header(NAME) {
            Some(a) => checks.pass(
                CheckId::MissingAccept,
                Some(a.offset),
                Some(NAME),
                format_args!("{NAME} is {}", a.value),
            ),
            None => checks.missing(h, CheckId::MissingAccept, NAME),
        }
        // RFC 6455 §4.2.2: "/subprotocol/ Either a single value representing the
        // subprotocol the server is ready to use or null."
        single_subprotocol_check(h, checks);
    }

    // RFC 6455 §11.3.3: "The |Sec-WebSocket-Accept| header field MUST NOT appear more
    // than once in an HTTP response." §11.3.4: "The |Sec-WebSocket-Protocol| header field
    // MUST NOT appear more than once in an HTTP response." (Sec-WebSocket-Extensions
    // may repeat: erratum 3433.)
    duplicate_checks(
        h,
        &[
            ("sec-websocket-accept", "RFC 6455 §11.3.3"),
            ("sec-websocket-protocol", "RFC 6455 §11.3.4"),
        ],
        checks,
    );
}

fn http_version_check(h: &Handshake, offset: u64, checks: &mut Checks) {
    match h.version.as_deref() {
        Some("HTTP/1.1") => checks.pass(
            CheckId::BadHttpVersion,
            Some(offset),
            None,
            format_args!("http version is HTTP/1.1"),
        ),
        other => checks.fail(
            CheckId::BadHttpVersion,
            offset,
            None,
            format_args!(
                "http version is {}, it must be at least HTTP/1.1",
                other.unwrap_or("missing")
            ),
        ),
    }
}

/// A header, possibly repeated, whose comma-separated items must include `token`.
fn token_check(h: &Handshake, id: CheckId, name: &'static str, token: &str, checks: &mut Checks) {
    let mut first = None;
    for header in h.headers_named(name) {
        if contains_token(&header.value, token) {
            return checks.pass(
                id,
                Some(header.offset),
                Some(name),
                format_args!("{name} is {}", header.value),
            );
        }
        first = first.or(Some(header));
    }
    match first {
        Some(first) => checks.fail(
            id,
            first.offset,
            Some(name),
            format_args!("{name} is {:?}, it must include {token}", first.value),
        ),
        None => checks.missing(h, id, name),
    }
}

fn key_check(h: &Handshake, checks: &mut Checks) {
    const ID: CheckId = CheckId::BadKey;
    const NAME: &str = "sec-websocket-key";
    // RFC 6455 §4.1: "The request MUST include a header field with the name
    // |Sec-WebSocket-Key|. The value of this header field MUST be a nonce consisting of
    // a randomly selected 16-byte value that has been base64-encoded (see Section 4 of
    // [RFC4648])."
    let Some(key) = h.header(NAME) else {
        return checks.missing(h, ID, NAME);
    };
    match base64::engine::general_purpose::STANDARD.decode(key.value.as_bytes()) {
        Ok(bytes) if bytes.len() == 16 => checks.pass(
            ID,
            Some(key.offset),
            Some(NAME),
            format_args!("{NAME} is base64 of 16 bytes"),
        ),
        Ok(bytes) => checks.fail(
            ID,
            key.offset,
            Some(NAME),
            format_args!(
                "{NAME} {:?} decodes to {} bytes, it must be 16",
                key.value,
                bytes.len()
            ),
        ),
        Err(_) => checks.fail(
            ID,
            key.offset,
            Some(NAME),
            format_args!("{NAME} {:?} is not base64", key.value),
        ),
    }
}

fn version_check(h: &Handshake, checks: &mut Checks) {
    const ID: CheckId = CheckId::BadVersion;
    const NAME: &str = "sec-websocket-version";
    // RFC 6455 §4.1: "The request MUST include a header field with the name
    // |Sec-WebSocket-Version|. The value of this header field MUST be 13."
    match h.header(NAME) {
        Some(v) if v.value == "13" => {
            checks.pass(ID, Some(v.offset), Some(NAME), format_args!("{NAME} is 13"))
        }
        Some(v) => {
            let (open, era, close) = match h.generation {
                Generation::Hybi { .. } => (" (", h.generation.description(), ")"),
                _ => ("", "", ""),
            };
            checks.fail(
                ID,
                v.offset,
                Some(NAME),
                format_args!("{NAME} is {:?}{open}{era}{close}, it must be 13", v.value),
            )
        }
        None => checks.missing(h, ID, NAME),
    }
}

/// Draft-76 §5.2: "If either /key-number_1/ or /key-number_2/ is greater than
/// 4,294,967,295, then abort the WebSocket connection. ... If either /spaces_1/ or
/// /spaces_2/ is zero, then abort the WebSocket connection. ... If /key-number_1/ is not
/// an integral multiple of /spaces_1/, then abort the WebSocket connection."
fn hixie76_key_check(h: &Handshake, id: CheckId, name: &'static str, checks: &mut Checks) {
    let Some(key) = h.header(name) else {
        return checks.missing(h, id, name);
    };
    match hixie76_key_steps(&key.value) {
        Ok(steps) => checks.pass(
            id,
            Some(key.offset),
            Some(name),
            format_args!(
                "{name}: digits {} / {} spaces = {}",
                steps.number, steps.spaces, steps.quotient
            ),
        ),
        Err(error) => {
            let offset = error
                .offset()
                .map_or(key.offset, |o| key.value_stream_offset(o));
            checks.fail(id, offset, Some(name), format_args!("{name}: {error}"))
        }
    }
}

fn single_subprotocol_check(h: &Handshake, checks: &mut Checks) {
    const ID: CheckId = CheckId::MultipleSubprotocols;
    const NAME: &str = "sec-websocket-protocol";
    let Some(header) = h.header(NAME) else {
        return checks.pass(
            ID,
            None,
            Some(NAME),
            format_args!("the server picked no subprotocol"),
        );
    };
    let items = split_list(&header.value);
    if items.len() <= 1 {
        checks.pass(
            ID,
            Some(header.offset),
            Some(NAME),
            format_args!("the server picked {}", header.value),
        )
    } else {
        checks.fail(
            ID,
            header.value_stream_offset(items[1].offset),
            Some(NAME),
            format_args!(
                "the server picked {} subprotocols, it must pick one",
                items.len()
            ),
        )
    }
}

fn duplicate_checks(h: &Handshake, names: &[(&'static str, &'static str)], checks: &mut Checks) {
    let before = checks.0.len();
    for &(name, rfc) in names {
        for repeat in h.headers_named(name).skip(1) {
            checks.fail_citing(
                CheckId::DuplicateHeader,
                rfc,
                repeat.offset,
                Some(name),
                format_args!("{name} appears more than once"),
            );
        }
    }
    if checks.0.len() == before {
        checks.pass(
            CheckId::DuplicateHeader,
            None,
            None,
            format_args!("no header that must appear once is repeated"),
        );
    }
}
