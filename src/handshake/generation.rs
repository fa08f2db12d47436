//! Which generation of the WebSocket protocol a handshake speaks.

use super::lists::contains_token;
use super::{Handshake, HandshakeKind};

/// A WebSocket protocol generation, as told by the handshake's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// draft-hixie-thewebsocketprotocol-75: Upgrade: WebSocket and no Sec- headers
    /// (the response has WebSocket-Origin and WebSocket-Location).
    Hixie75,
    /// draft-hixie-thewebsocketprotocol-76 (also hybi-00): Sec-WebSocket-Key1 and Key2,
    /// 8 key bytes after the request head and a 16-byte answer after the response head.
    Hixie76,
    /// A hybi draft that sent Sec-WebSocket-Version 4 to 8 (drafts 08 to 12 all sent 8).
    Hybi {
        /// The Sec-WebSocket-Version value, 4 to 8.
        version: u8,
    },
    /// RFC 6455: Sec-WebSocket-Version 13 (also sent by drafts hybi-13 to hybi-17). A
    /// response with Sec-WebSocket-Accept is reported as this: a response alone cannot
    /// tell the hybi drafts from the RFC.
    Rfc6455,
    /// Not recognisably any of them.
    Unknown,
}

impl Generation {
    /// A short stable name: `hixie-75`, `hixie-76`, `hybi-04` ... `hybi-08`, `rfc6455`
    /// or `unknown`.
    pub fn name(&self) -> &'static str {
        match self {
            Generation::Hixie75 => "hixie-75",
            Generation::Hixie76 => "hixie-76",
            Generation::Hybi { version: 4 } => "hybi-04",
            Generation::Hybi { version: 5 } => "hybi-05",
            Generation::Hybi { version: 6 } => "hybi-06",
            Generation::Hybi { version: 7 } => "hybi-07",
            Generation::Hybi { .. } => "hybi-08",
            Generation::Rfc6455 => "rfc6455",
            Generation::Unknown => "unknown",
        }
    }

    /// A human description naming the documents that generation covers.
    pub fn description(&self) -> &'static str {
        match self {
            Generation::Hixie75 => "draft-hixie-thewebsocketprotocol-75",
            Generation::Hixie76 => "draft-hixie-thewebsocketprotocol-76 (also hybi-00)",
            Generation::Hybi { version: 4 } => "hybi-04 (Sec-WebSocket-Version: 4)",
            Generation::Hybi { version: 5 } => "hybi-05 (Sec-WebSocket-Version: 5)",
            Generation::Hybi { version: 6 } => "hybi-06 (Sec-WebSocket-Version: 6)",
            Generation::Hybi { version: 7 } => "hybi-07 (Sec-WebSocket-Version: 7)",
            Generation::Hybi { .. } => "hybi-08 to hybi-12 (Sec-WebSocket-Version: 8)",
            Generation::Rfc6455 => "RFC 6455 (Sec-WebSocket-Version: 13, also hybi-13 to hybi-17)",
            Generation::Unknown => "not a recognisable WebSocket handshake",
        }
    }
}

/// Tells the generation from the headers parsed so far.
pub(crate) fn detect(handshake: &Handshake) -> Generation {
    let has = |name: &str| handshake.header(name).is_some();
    match handshake.kind {
        HandshakeKind::Request => {
            if has("sec-websocket-key1") || has("sec-websocket-key2") {
                return Generation::Hixie76;
            }
            if let Some(version) = handshake.header("sec-websocket-version") {
                return match version.value.trim().parse::<u8>() {
                    Ok(13) => Generation::Rfc6455,
                    Ok(version @ 4..=8) => Generation::Hybi { version },
                    _ => Generation::Unknown,
                };
            }
            let any_sec = handshake
                .headers
                .iter()
                .any(|h| h.name.to_ascii_lowercase().starts_with("sec-websocket-"));
            let upgrade = handshake
                .header("upgrade")
                .is_some_and(|h| contains_token(&h.value, "websocket"));
            if upgrade && !any_sec {
                Generation::Hixie75
            } else {
                Generation::Unknown
            }
        }
        HandshakeKind::Response => {
            if has("sec-websocket-accept") {
                Generation::Rfc6455
            } else if has("sec-websocket-origin") || has("sec-websocket-location") {
                Generation::Hixie76
            } else if has("websocket-origin") || has("websocket-location") {
                Generation::Hixie75
            } else {
                Generation::Unknown
            }
        }
    }
}
