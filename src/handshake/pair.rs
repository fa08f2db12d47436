//! The rules a response must follow given the request it answers: the accept key
//! (or the hixie-76 answer) and no subprotocol or extension the client never offered.

use super::generation::Generation;
use super::lists::{extension_name, split_list};
use super::rules::Checks;
use super::{Check, CheckId, Handshake, HandshakeKind};
use crate::bytes::hex::to_hex as hex;
use crate::hixie76_keys::hixie76_answer;
use crate::keys::accept_key;

/// Checks a response against the request it answers. Offsets are in the response's
/// bytes. Returns nothing until both heads have ended and they are a request and a
/// response.
///
/// ```
/// let request = wsinspect::parse_handshake(b"GET / HTTP/1.1\r\nHost: a\r\n\
///     Upgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
/// let response = wsinspect::parse_handshake(b"HTTP/1.1 101 Switching Protocols\r\n\
///     Upgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
/// assert!(wsinspect::check_pair(&request, &response).iter().all(|c| c.passed));
/// ```
pub fn check_pair(request: &Handshake, response: &Handshake) -> Vec<Check> {
    if request.kind != HandshakeKind::Request
        || response.kind != HandshakeKind::Response
        || request.head_length.is_none()
        || response.head_length.is_none()
    {
        return Vec::new();
    }
    let mut checks = Checks(Vec::new());
    if request.generation == Generation::Hixie76 || response.generation == Generation::Hixie76 {
        hixie76_answer_check(request, response, &mut checks);
    } else {
        accept_check(request, response, &mut checks);
    }
    offered_checks(
        request,
        response,
        CheckId::UnofferedSubprotocol,
        "sec-websocket-protocol",
        |item| item,
        &mut checks,
    );
    offered_checks(
        request,
        response,
        CheckId::UnofferedExtension,
        "sec-websocket-extensions",
        extension_name,
        &mut checks,
    );
    checks.0
}

fn accept_check(request: &Handshake, response: &Handshake, checks: &mut Checks) {
    const ID: CheckId = CheckId::AcceptMismatch;
    const NAME: &str = "sec-websocket-accept";
    // RFC 6455 §4.1: "If the response lacks a |Sec-WebSocket-Accept| header field or the
    // |Sec-WebSocket-Accept| contains a value other than the base64-encoded SHA-1 of the
    // concatenation of the |Sec-WebSocket-Key| (as a string, not base64-decoded) with the
    // string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" but ignoring any leading and trailing
    // whitespace, the client MUST _Fail the WebSocket Connection_."
    let Some(key) = request.header("sec-websocket-key") else {
        return checks.fail_unlocated(
            ID,
            "sec-websocket-key",
            format_args!("the request has no sec-websocket-key to compare with"),
        );
    };
    let expected = accept_key(key.value.trim());
    match response.header(NAME) {
        Some(accept) if accept.value.trim() == expected => checks.pass(
            ID,
            Some(accept.offset),
            Some(NAME),
            format_args!("{NAME} is {expected}, as expected"),
        ),
        Some(accept) => checks.fail(
            ID,
            accept.offset,
            Some(NAME),
            format_args!("{NAME} is {}, expected {expected}", accept.value),
        ),
        None => checks.fail(
            ID,
            response.start_line_offset,
            Some(NAME),
            format_args!("no {NAME} header, expected {expected}"),
        ),
    }
    checks.expected(expected);
}

fn hixie76_answer_check(request: &Handshake, response: &Handshake, checks: &mut Checks) {
    const ID: CheckId = CheckId::BadHixie76Answer;
    let key1 = request
        .header("sec-websocket-key1")
        .map_or("", |h| h.value.as_str());
    let key2 = request
        .header("sec-websocket-key2")
        .map_or("", |h| h.value.as_str());
    let Some(key3) = request.hixie76_key3() else {
        return checks.fail_unlocated(
            ID,
            "sec-websocket-key1",
            format_args!(
                "the request has {} of its 8 key bytes",
                request.trailing.len().min(8)
            ),
        );
    };
    let expected = match hixie76_answer(key1, key2, key3) {
        Ok(answer) => answer,
        Err(error) => {
            return checks.fail_unlocated(
                ID,
                "sec-websocket-key1",
                format_args!("request: {error}"),
            )
        }
    };
    let at = response.head_length.unwrap_or(0);
    // Draft-76 §4.1: the client reads 16 bytes after the response head and "If the
    // server sent ... bytes that are not exactly equal to /expected/, then fail the
    // WebSocket connection".
    match response.trailing.get(..16) {
        Some(answer) if answer == expected => checks.pass(
            ID,
            Some(at),
            None,
            format_args!("answer is {}, as expected", hex(&expected)),
        ),
        Some(answer) => checks.fail(
            ID,
            at,
            None,
            format_args!("answer is {}, expected {}", hex(answer), hex(&expected)),
        ),
        None => checks.fail(
            ID,
            at,
            None,
            format_args!(
                "the response has {} of the 16 answer bytes, expected {}",
                response.trailing.len(),
                hex(&expected)
            ),
        ),
    }
    checks.expected(hex(&expected));
}

/// RFC 6455 §4.1: "If the response includes a |Sec-WebSocket-Extensions| header field
/// and this header field indicates the use of an extension that was not present in the
/// client's handshake ... the client MUST _Fail the WebSocket Connection_." And the same
/// sentence for |Sec-WebSocket-Protocol| and subprotocols.
fn offered_checks(
    request: &Handshake,
    response: &Handshake,
    id: CheckId,
    name: &'static str,
    key: fn(&str) -> &str,
    out: &mut Checks,
) {
    let offered: Vec<&str> = request
        .headers_named(name)
        .flat_map(|h| split_list(&h.value))
        .map(|item| key(item.text))
        .collect();
    let before = out.0.len();
    let mut picked = Vec::new();
    for header in response.headers_named(name) {
        for item in split_list(&header.value) {
            let chosen = key(item.text);
            picked.push(chosen.to_string());
            if !offered.contains(&chosen) {
                out.fail(
                    id,
                    header.value_stream_offset(item.offset),
                    Some(name),
                    format_args!("the server picked {chosen:?}, which the client never offered"),
                );
            }
        }
    }
    if out.0.len() == before {
        let offset = response.header(name).map(|h| h.offset);
        if picked.is_empty() {
            out.pass(
                id,
                offset,
                Some(name),
                format_args!("the server picked no {name} value"),
            );
        } else {
            let picked = picked.join(", ");
            out.pass(
                id,
                offset,
                Some(name),
                format_args!("the server picked {picked}, all offered"),
            );
        }
    }
}
