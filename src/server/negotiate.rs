//! The server's side of the opening handshake, on the core's parser and checks: refuse (400,
//! 426, 404) or accept (101, with the subprotocol and permessage-deflate settled).

use wsinspect::{
    accept_key, hixie76_answer, parse_extensions, ClientMaxWindowBits, Generation, Handshake,
    HandshakeKind, Negotiation, PerMessageDeflateParams,
};

use super::connection::query_param;
use super::reply;

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
