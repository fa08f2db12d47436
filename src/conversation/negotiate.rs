//! What a conversation's heads agreed, and so how each direction's frames are decoded:
//! the response decides when it is there (RFC 6455 §4.2.2, RFC 7692 §5); without it the
//! request's offer, and without either the frames themselves, each assumption stated in
//! a notice, never as a violation.

use crate::direction::Direction;
use crate::extensions::{parse_extensions, PERMESSAGE_DEFLATE};
use crate::handshake::{Generation, Handshake};
use crate::output::{DecodeOptions, NoticeId, Protocol, Role};

/// How to decode both directions, and what was agreed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Per direction (client, server): the decoder's options, or `None` when what
    /// follows the heads is not WebSocket.
    pub options: [Option<DecodeOptions>; 2],
    /// Notices about the assumptions made: direction, id, offset, text.
    pub notices: Vec<(Direction, NoticeId, u64, String)>,
    /// The agreed Sec-WebSocket-Extensions value.
    pub extensions: Option<String>,
    /// The agreed subprotocol.
    pub protocol: Option<String>,
}

/// A complete head, or nothing.
fn complete(h: Option<&Handshake>) -> Option<&Handshake> {
    h.filter(|h| h.is_complete() && h.error.is_none())
}

fn value(h: &Handshake, name: &str) -> Option<String> {
    h.header(name).map(|x| x.value.clone())
}

fn framing(generations: &[Generation]) -> Protocol {
    if generations
        .iter()
        .any(|g| matches!(g, Generation::Hixie75 | Generation::Hixie76))
    {
        Protocol::Hixie76
    } else {
        Protocol::Rfc6455
    }
}

/// Whether a request offers permessage-deflate.
fn offers_deflate(request: &Handshake) -> bool {
    request
        .headers_named("sec-websocket-extensions")
        .filter_map(|h| parse_extensions(&h.value).ok())
        .flatten()
        .any(|e| e.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE))
}

/// Decides how both directions are decoded from the heads that came (`None`: that
/// direction has no head, or it could not be read).
pub(crate) fn plan(
    request: Option<&Handshake>,
    response: Option<&Handshake>,
    max_message_size: Option<u64>,
) -> Plan {
    let request = complete(request);
    let response = complete(response);
    let base = DecodeOptions {
        max_message_size,
        ..DecodeOptions::default()
    };
    let mut plan = Plan::default();
    match (request, response) {
        (_, Some(resp)) => {
            // RFC 6455 §4.1: "If the status code received from the server is not 101,
            // the client handles the response per HTTP [RFC2616] procedures."
            if resp.status != Some(101) {
                plan.notices.push((
                    Direction::Server,
                    NoticeId::NotWebSocket,
                    resp.head_length.unwrap_or(0),
                    format!(
                        "the server answered {} {}: not a WebSocket connection, so the bytes after the heads are not decoded",
                        resp.status.unwrap_or(0),
                        resp.reason.as_deref().unwrap_or("")
                    ),
                ));
                return plan;
            }
            let mut generations = vec![resp.generation];
            generations.extend(request.map(|r| r.generation));
            let protocol = framing(&generations);
            plan.extensions = value(resp, "sec-websocket-extensions");
            plan.protocol = value(resp, "sec-websocket-protocol");
            if request.is_none() {
                plan.notices.push((
                    Direction::Client,
                    NoticeId::HandshakeMissing,
                    0,
                    "no request head in the client's direction: the response decides the extensions".into(),
                ));
            }
            for (i, role) in [Role::Client, Role::Server].into_iter().enumerate() {
                plan.options[i] = Some(DecodeOptions {
                    role,
                    protocol,
                    extensions: plan.extensions.clone(),
                    ..base.clone()
                });
            }
        }
        (Some(req), None) => {
            let protocol = framing(&[req.generation]);
            let deflate = offers_deflate(req);
            plan.notices.push((
                Direction::Server,
                NoticeId::HandshakeMissing,
                0,
                if deflate {
                    "no response head in the server's direction: the request's permessage-deflate offer is taken as accepted once rsv1 appears on a data frame".into()
                } else {
                    "no response head in the server's direction: the request decides the roles".into()
                },
            ));
            for (i, role) in [Role::Client, Role::Server].into_iter().enumerate() {
                plan.options[i] = Some(DecodeOptions {
                    role,
                    protocol,
                    assume_deflate: deflate,
                    ..base.clone()
                });
            }
        }
        (None, None) => {
            plan.notices.push((
                Direction::Client,
                NoticeId::HandshakeMissing,
                0,
                "no handshake: roles are taken from the mask bits and permessage-deflate is assumed once rsv1 appears on a data frame".into(),
            ));
            for options in &mut plan.options {
                *options = Some(DecodeOptions {
                    assume_deflate: true,
                    ..base.clone()
                });
            }
        }
    }
    plan
}
