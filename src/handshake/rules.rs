//! The rules one handshake must follow on its own (RFC 6455 §4.1, §4.2 and §11.3):
//! each becomes a [`Check`], passed or failed, located at the header it is about or,
//! when that header is missing, at the request or status line.

use base64::Engine as _;

use super::generation::Generation;
use super::lists::{contains_token, split_list};
use super::{Check, Handshake, HandshakeKind, Header};
use crate::hixie76::hixie76_key_steps;

const RFC_4_1: &str = "RFC 6455 §4.1";
const RFC_4_2_2: &str = "RFC 6455 §4.2.2";
const DRAFT_76: &str = "draft-hixie-thewebsocketprotocol-76 §5.2";

/// Every rule that applies to this handshake, in the order the RFC lists them.
pub(crate) fn checks(handshake: &Handshake) -> Vec<Check> {
    match handshake.kind {
        HandshakeKind::Request => request_checks(handshake),
        HandshakeKind::Response => response_checks(handshake),
    }
}

pub(crate) fn pass(
    id: &'static str,
    rfc: &'static str,
    offset: Option<u64>,
    header: Option<&str>,
    what: String,
) -> Check {
    Check {
        id,
        passed: true,
        message: what,
        rfc,
        offset,
        header: header.map(str::to_ascii_lowercase),
    }
}

pub(crate) fn fail(
    id: &'static str,
    rfc: &'static str,
    offset: u64,
    header: Option<&str>,
    what: String,
) -> Check {
    Check {
        id,
        passed: false,
        message: format!("{what} at byte {offset} ({rfc})"),
        rfc,
        offset: Some(offset),
        header: header.map(str::to_ascii_lowercase),
    }
}

fn request_checks(h: &Handshake) -> Vec<Check> {
    let line = h.start_line_offset;
    let mut checks = Vec::new();

    // RFC 6455 §4.1: "The method of the request MUST be GET, and the HTTP version MUST
    // be at least 1.1."
    let method = h.method.as_deref().unwrap_or("");
    checks.push(if method == "GET" {
        pass(
            "method-not-get",
            RFC_4_1,
            Some(line),
            None,
            "method is GET".into(),
        )
    } else {
        fail(
            "method-not-get",
            RFC_4_1,
            line,
            None,
            format!("method is {method}, it must be GET"),
        )
    });
    let version_offset =
        line + method.len() as u64 + 1 + h.path.as_deref().unwrap_or("").len() as u64 + 1;
    checks.push(http_version_check(h, version_offset));

    // RFC 6455 §4.1: "The request MUST contain a |Host| header field whose value
    // contains /host/ plus optionally ":" followed by /port/".
    checks.push(match h.header("host") {
        Some(host) if !host.value.is_empty() => pass(
            "missing-host",
            RFC_4_1,
            Some(host.offset),
            Some("host"),
            format!("host is {}", host.value),
        ),
        Some(host) => fail(
            "missing-host",
            RFC_4_1,
            host.offset,
            Some("host"),
            "host is empty".into(),
        ),
        None => fail(
            "missing-host",
            RFC_4_1,
            line,
            Some("host"),
            "no host header".into(),
        ),
    });

    // RFC 6455 §4.1: "The request MUST contain an |Upgrade| header field whose value
    // MUST include the "websocket" keyword."
    checks.push(token_check(
        h,
        "bad-upgrade",
        "upgrade",
        "websocket",
        RFC_4_1,
    ));
    // RFC 6455 §4.1: "The request MUST contain a |Connection| header field whose value
    // MUST include the "Upgrade" token."
    checks.push(token_check(
        h,
        "bad-connection",
        "connection",
        "upgrade",
        RFC_4_1,
    ));

    if h.generation == Generation::Hixie76 {
        checks.push(hixie76_key_check(h, "bad-key1", "sec-websocket-key1"));
        checks.push(hixie76_key_check(h, "bad-key2", "sec-websocket-key2"));
    } else if h.generation != Generation::Hixie75 {
        checks.push(key_check(h));
        checks.push(version_check(h));
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
        &mut checks,
    );
    checks
}

fn response_checks(h: &Handshake) -> Vec<Check> {
    let line = h.start_line_offset;
    let mut checks = Vec::new();

    // RFC 6455 §4.1: "If the status code received from the server is not 101, the client
    // handles the response per HTTP [RFC2616] procedures." The other rules are about a
    // 101 response only.
    let status_offset = line + "HTTP/1.1 ".len() as u64;
    match h.status {
        Some(101) => checks.push(pass(
            "bad-status",
            RFC_4_1,
            Some(status_offset),
            None,
            "status is 101".into(),
        )),
        status => {
            let status = status.map_or_else(|| "missing".to_string(), |s| s.to_string());
            checks.push(fail(
                "bad-status",
                RFC_4_1,
                status_offset,
                None,
                format!("status is {status}, the handshake only succeeds with 101"),
            ));
            return checks;
        }
    }

    // RFC 6455 §4.1: "If the response lacks an |Upgrade| header field or the |Upgrade|
    // header field contains a value that is not an ASCII case-insensitive match for the
    // value "websocket", the client MUST _Fail the WebSocket Connection_."
    checks.push(match h.header("upgrade") {
        Some(u) if u.value.eq_ignore_ascii_case("websocket") => pass(
            "bad-upgrade",
            RFC_4_1,
            Some(u.offset),
            Some("upgrade"),
            format!("upgrade is {}", u.value),
        ),
        Some(u) => fail(
            "bad-upgrade",
            RFC_4_1,
            u.offset,
            Some("upgrade"),
            format!("upgrade is {:?}, it must be websocket", u.value),
        ),
        None => fail(
            "bad-upgrade",
            RFC_4_1,
            line,
            Some("upgrade"),
            "no upgrade header".into(),
        ),
    });
    // RFC 6455 §4.1: "If the response lacks a |Connection| header field or the
    // |Connection| header field doesn't contain a token that is an ASCII case-insensitive
    // match for the value "Upgrade", the client MUST _Fail the WebSocket Connection_."
    checks.push(token_check(
        h,
        "bad-connection",
        "connection",
        "upgrade",
        RFC_4_1,
    ));

    if !matches!(h.generation, Generation::Hixie75 | Generation::Hixie76) {
        // RFC 6455 §4.1: "If the response lacks a |Sec-WebSocket-Accept| header field
        // or ... contains a value other than the base64-encoded SHA-1 of ... the client
        // MUST _Fail the WebSocket Connection_."
        checks.push(match h.header("sec-websocket-accept") {
            Some(a) => pass(
                "missing-accept",
                RFC_4_1,
                Some(a.offset),
                Some("sec-websocket-accept"),
                format!("sec-websocket-accept is {}", a.value),
            ),
            None => fail(
                "missing-accept",
                RFC_4_1,
                line,
                Some("sec-websocket-accept"),
                "no sec-websocket-accept header".into(),
            ),
        });
        // RFC 6455 §4.2.2: "/subprotocol/ Either a single value representing the
        // subprotocol the server is ready to use or null."
        checks.push(single_subprotocol_check(h));
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
        &mut checks,
    );
    checks
}

fn http_version_check(h: &Handshake, offset: u64) -> Check {
    match h.version.as_deref() {
        Some("HTTP/1.1") => pass(
            "bad-http-version",
            RFC_4_1,
            Some(offset),
            None,
            "http version is HTTP/1.1".into(),
        ),
        other => fail(
            "bad-http-version",
            RFC_4_1,
            offset,
            None,
            format!(
                "http version is {}, it must be at least HTTP/1.1",
                other.unwrap_or("missing")
            ),
        ),
    }
}

/// A header, possibly repeated, whose comma-separated items must include `token`.
fn token_check(
    h: &Handshake,
    id: &'static str,
    name: &'static str,
    token: &str,
    rfc: &'static str,
) -> Check {
    let headers: Vec<&Header> = h.headers_named(name).collect();
    if let Some(found) = headers.iter().find(|x| contains_token(&x.value, token)) {
        return pass(
            id,
            rfc,
            Some(found.offset),
            Some(name),
            format!("{name} is {}", found.value),
        );
    }
    match headers.first() {
        Some(first) => fail(
            id,
            rfc,
            first.offset,
            Some(name),
            format!("{name} is {:?}, it must include {token}", first.value),
        ),
        None => fail(
            id,
            rfc,
            h.start_line_offset,
            Some(name),
            format!("no {name} header"),
        ),
    }
}

fn key_check(h: &Handshake) -> Check {
    const ID: &str = "bad-key";
    const NAME: &str = "sec-websocket-key";
    // RFC 6455 §4.1: "The request MUST include a header field with the name
    // |Sec-WebSocket-Key|. The value of this header field MUST be a nonce consisting of
    // a randomly selected 16-byte value that has been base64-encoded (see Section 4 of
    // [RFC4648])."
    let Some(key) = h.header(NAME) else {
        return fail(
            ID,
            RFC_4_1,
            h.start_line_offset,
            Some(NAME),
            format!("no {NAME} header"),
        );
    };
    match base64::engine::general_purpose::STANDARD.decode(key.value.as_bytes()) {
        Ok(bytes) if bytes.len() == 16 => pass(
            ID,
            RFC_4_1,
            Some(key.offset),
            Some(NAME),
            format!("{NAME} is base64 of 16 bytes"),
        ),
        Ok(bytes) => fail(
            ID,
            RFC_4_1,
            key.offset,
            Some(NAME),
            format!(
                "{NAME} {:?} decodes to {} bytes, it must be 16",
                key.value,
                bytes.len()
            ),
        ),
        Err(_) => fail(
            ID,
            RFC_4_1,
            key.offset,
            Some(NAME),
            format!("{NAME} {:?} is not base64", key.value),
        ),
    }
}

fn version_check(h: &Handshake) -> Check {
    const ID: &str = "bad-version";
    const NAME: &str = "sec-websocket-version";
    // RFC 6455 §4.1: "The request MUST include a header field with the name
    // |Sec-WebSocket-Version|. The value of this header field MUST be 13."
    match h.header(NAME) {
        Some(v) if v.value == "13" => pass(
            ID,
            RFC_4_1,
            Some(v.offset),
            Some(NAME),
            format!("{NAME} is 13"),
        ),
        Some(v) => {
            let era = match h.generation {
                Generation::Hybi { .. } => format!(" ({})", h.generation.description()),
                _ => String::new(),
            };
            fail(
                ID,
                RFC_4_1,
                v.offset,
                Some(NAME),
                format!("{NAME} is {:?}{era}, it must be 13", v.value),
            )
        }
        None => fail(
            ID,
            RFC_4_1,
            h.start_line_offset,
            Some(NAME),
            format!("no {NAME} header"),
        ),
    }
}

fn hixie76_key_check(h: &Handshake, id: &'static str, name: &'static str) -> Check {
    let Some(key) = h.header(name) else {
        return fail(
            id,
            DRAFT_76,
            h.start_line_offset,
            Some(name),
            format!("no {name} header"),
        );
    };
    match hixie76_key_steps(&key.value) {
        Ok(steps) => pass(
            id,
            DRAFT_76,
            Some(key.offset),
            Some(name),
            format!(
                "{name}: digits {} / {} spaces = {}",
                steps.number, steps.spaces, steps.quotient
            ),
        ),
        Err(error) => {
            let offset = error
                .offset()
                .map_or(key.offset, |o| key.value_stream_offset(o));
            fail(id, DRAFT_76, offset, Some(name), format!("{name}: {error}"))
        }
    }
}

fn single_subprotocol_check(h: &Handshake) -> Check {
    const ID: &str = "multiple-subprotocols";
    const NAME: &str = "sec-websocket-protocol";
    let Some(header) = h.header(NAME) else {
        return pass(
            ID,
            RFC_4_2_2,
            None,
            Some(NAME),
            "the server picked no subprotocol".into(),
        );
    };
    let items = split_list(&header.value);
    if items.len() <= 1 {
        pass(
            ID,
            RFC_4_2_2,
            Some(header.offset),
            Some(NAME),
            format!("the server picked {}", header.value),
        )
    } else {
        fail(
            ID,
            RFC_4_2_2,
            header.value_stream_offset(items[1].offset),
            Some(NAME),
            format!(
                "the server picked {} subprotocols, it must pick one",
                items.len()
            ),
        )
    }
}

fn duplicate_checks(h: &Handshake, names: &[(&'static str, &'static str)], out: &mut Vec<Check>) {
    let before = out.len();
    for &(name, rfc) in names {
        for repeat in h.headers_named(name).skip(1) {
            out.push(fail(
                "duplicate-header",
                rfc,
                repeat.offset,
                Some(name),
                format!("{name} appears more than once"),
            ));
        }
    }
    if out.len() == before {
        out.push(pass(
            "duplicate-header",
            "RFC 6455 §11.3",
            None,
            None,
            "no header that must appear once is repeated".into(),
        ));
    }
}
