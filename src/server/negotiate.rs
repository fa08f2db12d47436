//! The server's side of the opening handshake, on the core's parser and checks: refuse (400,
//! 426, 404) or accept (101, with the subprotocol and permessage-deflate settled).

use wsinspect::{
    accept_key, hixie76_answer, parse_extensions, ClientMaxWindowBits, Generation, Handshake,
    HandshakeKind, Negotiation, PerMessageDeflateParams,
};

use super::reply;
use super::request::query_param;

/// What to answer a WebSocket handshake with.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// A complete refusing response, and why, for the tap.
    Refuse(Vec<u8>, String),
    /// RFC 6455: the 101 response, the negotiated extensions value (for the decoder and the
    /// encoder) and the subprotocol.
    Rfc6455 {
        response: Vec<u8>,
        deflate: Option<PerMessageDeflateParams>,
        extensions: Option<String>,
    },
    /// hixie-76: the 101 response followed by the 16-byte MD5 answer.
    Hixie76 { response: Vec<u8> },
}

/// Settles the handshake of a request to `path?query`.
///
/// `query` may hold `deflate=0` (refuse permessage-deflate) and `protocol=a,b` (the
/// subprotocols this endpoint may pick, in preference order).
pub fn answer(h: &Handshake, path: &str, query: &str, hixie_allowed: bool) -> Answer {
    if let Some(error) = &h.error {
        return bad_request(format!("{}: {}", error.id, error.message));
    }
    if h.kind != HandshakeKind::Request {
        return bad_request("malformed-http: expected a request, found a response".into());
    }
    let failures: Vec<String> = h
        .failures()
        .map(|c| format!("{}: {}", c.id, c.message))
        .collect();
    // RFC 6455 §4.2.2: "If this version does not match a version understood by the server,
    // the server MUST abort the WebSocket handshake ... and instead send an appropriate HTTP
    // error code (such as 426 Upgrade Required) and a |Sec-WebSocket-Version| header field
    // indicating the version(s) the server is capable of understanding."
    let wrong_version = h
        .header("sec-websocket-version")
        .is_some_and(|v| v.value.trim() != "13")
        && !matches!(h.generation, Generation::Hixie76 | Generation::Hixie75);
    if wrong_version {
        let text = failures.join("\n");
        return Answer::Refuse(reply::upgrade_required(&text), format!("426: {text}"));
    }
    if !failures.is_empty() {
        return bad_request(failures.join("\n"));
    }
    let protocol = pick_subprotocol(h, query);
    match h.generation {
        Generation::Hixie76 if hixie_allowed => hixie76(h, path, query, protocol.as_deref()),
        Generation::Hixie76 | Generation::Hixie75 => bad_request(format!(
            "unsupported-generation: {} is not served on {path} (RFC 6455 §4.2.1)",
            h.generation.description()
        )),
        _ => rfc6455(h, query, protocol.as_deref()),
    }
}

fn bad_request(text: String) -> Answer {
    Answer::Refuse(reply::bad_request(&text), format!("400: {text}"))
}

fn rfc6455(h: &Handshake, query: &str, protocol: Option<&str>) -> Answer {
    // The checks passed, so the key is there and well formed.
    let key = h
        .header("sec-websocket-key")
        .map(|k| k.value.as_str())
        .unwrap_or("");
    let mut response = String::from(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
    );
    response.push_str(&format!("Sec-WebSocket-Accept: {}\r\n", accept_key(key)));
    if let Some(p) = protocol {
        response.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
    }
    let deflate = if query_param(query, "deflate") == Some("0") {
        None
    } else {
        pick_deflate(h)
    };
    let extensions = deflate.map(|p| deflate_response(&p));
    if let Some(value) = &extensions {
        response.push_str(&format!("Sec-WebSocket-Extensions: {value}\r\n"));
    }
    response.push_str("\r\n");
    Answer::Rfc6455 {
        response: response.into_bytes(),
        deflate,
        extensions,
    }
}

/// The first permessage-deflate offer whose parameters this server can honour.
///
/// RFC 7692 §5.1: "A server MUST decline an extension negotiation offer for this extension if
/// ... The negotiation offer contains an extension parameter not defined for use in an offer
/// ... an extension parameter with an invalid value ... multiple extension parameters with the
/// same name". A malformed header declines every offer in it.
pub fn pick_deflate(h: &Handshake) -> Option<PerMessageDeflateParams> {
    let offered: Vec<&str> = h
        .headers_named("sec-websocket-extensions")
        .map(|x| x.value.as_str())
        .collect();
    let offers = parse_extensions(&offered.join(", ")).ok()?;
    offers
        .iter()
        .filter(|e| e.name.eq_ignore_ascii_case("permessage-deflate"))
        .find_map(|e| PerMessageDeflateParams::from_extension(e, Negotiation::Offer).ok())
        .map(|offer| PerMessageDeflateParams {
            // Honour what the client asked of the server; echo its own promise back so the
            // inflater drops the window between its messages too.
            server_no_context_takeover: offer.server_no_context_takeover,
            client_no_context_takeover: offer.client_no_context_takeover,
            server_max_window_bits: offer.server_max_window_bits,
            client_max_window_bits: match offer.client_max_window_bits {
                Some(ClientMaxWindowBits::Bits(n)) => Some(ClientMaxWindowBits::Bits(n)),
                _ => None,
            },
        })
}

/// The Sec-WebSocket-Extensions response value for accepted parameters.
pub fn deflate_response(p: &PerMessageDeflateParams) -> String {
    let mut value = String::from("permessage-deflate");
    if p.server_no_context_takeover {
        value.push_str("; server_no_context_takeover");
    }
    if p.client_no_context_takeover {
        value.push_str("; client_no_context_takeover");
    }
    if let Some(bits) = p.server_max_window_bits {
        value.push_str(&format!("; server_max_window_bits={bits}"));
    }
    if let Some(ClientMaxWindowBits::Bits(bits)) = p.client_max_window_bits {
        value.push_str(&format!("; client_max_window_bits={bits}"));
    }
    value
}

/// The first subprotocol of `?protocol=a,b` that the client offered.
///
/// RFC 6455 §4.2.2: the server's |Sec-WebSocket-Protocol| is "either a single value
/// representing the subprotocol the server is ready to use or null" and it must be one the
/// client offered.
fn pick_subprotocol(h: &Handshake, query: &str) -> Option<String> {
    let wanted = query_param(query, "protocol")?;
    let offered: Vec<&str> = h
        .headers_named("sec-websocket-protocol")
        .flat_map(|p| p.value.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    wanted
        .split(',')
        .map(str::trim)
        .find(|w| !w.is_empty() && offered.contains(w))
        .map(str::to_owned)
}

/// draft-hixie-thewebsocketprotocol-76 §5.2: the server's handshake, then the MD5 answer.
fn hixie76(h: &Handshake, path: &str, query: &str, protocol: Option<&str>) -> Answer {
    let key = |name| h.header(name).map(|k| k.value.as_str()).unwrap_or("");
    let Some(key3) = h.hixie76_key3() else {
        return bad_request(
            "bad-key3: fewer than 8 key bytes after the head (draft-hixie-76 §4.1)".into(),
        );
    };
    let answer = match hixie76_answer(key("sec-websocket-key1"), key("sec-websocket-key2"), key3) {
        Ok(answer) => answer,
        Err(e) => return bad_request(format!("{}: {e}", e.id())),
    };
    let host = key("host");
    let target = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    let mut response = String::from("HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n");
    if let Some(origin) = h.header("origin") {
        response.push_str(&format!("Sec-WebSocket-Origin: {}\r\n", origin.value));
    }
    response.push_str(&format!("Sec-WebSocket-Location: ws://{host}{target}\r\n"));
    if let Some(p) = protocol {
        response.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
    }
    response.push_str("\r\n");
    let mut response = response.into_bytes();
    response.extend_from_slice(&answer);
    Answer::Hixie76 { response }
}

#[cfg(test)]
mod tests {
    use wsinspect::{check_pair, parse_handshake};

    use super::*;

    fn request(extra: &str) -> String {
        format!(
            "GET /echo HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
        )
    }

    /// The core's own pair checks accept every 101 this server writes.
    #[test]
    fn accepted_answers_pass_the_cores_pair_checks() {
        for (extra, query) in [
            ("", ""),
            ("Sec-WebSocket-Protocol: chat, superchat\r\n", "protocol=superchat"),
            ("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n", ""),
            (
                "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; client_max_window_bits=12\r\n",
                "",
            ),
            ("Sec-WebSocket-Extensions: x-webkit-deflate-frame, permessage-deflate\r\n", "deflate=0"),
        ] {
            let req = parse_handshake(request(extra).as_bytes());
            let Answer::Rfc6455 { response, .. } = answer(&req, "/echo", query, true) else {
                panic!("{extra}: refused");
            };
            let res = parse_handshake(&response);
            assert!(res.is_valid(), "{extra}: {:?}", res.failures().collect::<Vec<_>>());
            let pair = check_pair(&req, &res);
            assert!(!pair.is_empty() && pair.iter().all(|c| c.passed), "{extra}: {pair:?}");
        }
    }

    #[test]
    fn the_deflate_answer_echoes_what_the_client_asked_of_the_server() {
        let req = parse_handshake(request(
            "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_max_window_bits=10\r\n",
        ).as_bytes());
        let Answer::Rfc6455 {
            extensions,
            deflate,
            ..
        } = answer(&req, "/echo", "", true)
        else {
            panic!()
        };
        assert_eq!(
            extensions.as_deref(),
            Some("permessage-deflate; server_no_context_takeover; server_max_window_bits=10")
        );
        assert_eq!(deflate.unwrap().server_max_window_bits, Some(10));
    }

    #[test]
    fn refusals_name_the_rule_and_wrong_versions_get_426() {
        let cases = [
            (
                request("")
                    .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 12")
                    .into_bytes(),
                "426",
                "bad-version",
            ),
            (
                request("")
                    .replace("Upgrade: websocket", "Upgrade: h2c")
                    .into_bytes(),
                "400",
                "bad-upgrade",
            ),
            (
                b"GET /echo HTTP/1.1\r\nHost: a\r\n\r\n".to_vec(),
                "400",
                "bad-upgrade",
            ),
            (b"HTTP/1.1 101 OK\r\n\r\n".to_vec(), "400", "malformed-http"),
            (
                b"GET /echo HTTP/1.1\r\nHost a\r\n\r\n".to_vec(),
                "400",
                "malformed-http",
            ),
        ];
        for (bytes, status, rule) in cases {
            let Answer::Refuse(response, why) = answer(&parse_handshake(&bytes), "/echo", "", true)
            else {
                panic!("{rule}: accepted");
            };
            let text = String::from_utf8(response).unwrap();
            assert!(
                text.starts_with(&format!("HTTP/1.1 {status} ")),
                "{rule}: {text}"
            );
            assert!(text.contains(rule) && why.contains(rule), "{rule}: {text}");
        }
    }

    #[test]
    fn hixie76_is_answered_on_echo_only() {
        let head = b"GET /echo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n\
            Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nUpgrade: WebSocket\r\n\
            Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nOrigin: http://example.com\r\n\r\n^n:ds[4U";
        let h = parse_handshake(head);
        let Answer::Hixie76 { response } = answer(&h, "/echo", "", true) else {
            panic!("not hixie")
        };
        assert!(response.ends_with(b"8jKS'y:G*Co,Wxa-"));
        assert!(matches!(answer(&h, "/tap", "", false), Answer::Refuse(..)));
    }
}
