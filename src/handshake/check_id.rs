//! The handshake rules: one stable id for each, with the section that states it and the
//! rule in the specification's words, as [`crate::ViolationId`] does for the framing rules.

use std::fmt;

const RFC_4_1: &str = "RFC 6455 §4.1";
const DRAFT_76_KEYS: &str = "draft-hixie-thewebsocketprotocol-76 §5.2";
const DRAFT_76_ANSWER: &str = "draft-hixie-thewebsocketprotocol-76 §4.1";

/// The stable machine id of a handshake rule. A [`crate::handshake::Check`] carries one,
/// passed or failed; a [`crate::HandshakeError`] carries `MalformedHttp` or `HeadTooLarge`.
///
/// ```
/// use wsinspect::CheckId;
/// assert_eq!(CheckId::BadVersion.as_str(), "bad-version");
/// assert_eq!(CheckId::BadVersion.rfc(), "RFC 6455 §4.1");
/// assert!(CheckId::BadVersion.rule().contains("MUST be 13"));
/// assert_eq!(CheckId::from_name("bad-version"), Some(CheckId::BadVersion));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckId {
    /// The head is not an HTTP/1.1 message head.
    MalformedHttp,
    /// The head is longer than the receiver accepts.
    HeadTooLarge,
    /// A request whose method is not GET.
    MethodNotGet,
    /// A head whose HTTP version is not 1.1.
    BadHttpVersion,
    /// A request with no Host, or an empty one.
    MissingHost,
    /// No Upgrade header naming websocket.
    BadUpgrade,
    /// No Connection header with the Upgrade token.
    BadConnection,
    /// A Sec-WebSocket-Key that is missing or not base64 of 16 bytes.
    BadKey,
    /// A Sec-WebSocket-Version other than 13.
    BadVersion,
    /// hixie-76: a Sec-WebSocket-Key1 the server cannot use.
    BadKey1,
    /// hixie-76: a Sec-WebSocket-Key2 the server cannot use.
    BadKey2,
    /// A header that must appear once appears more often.
    DuplicateHeader,
    /// A response whose status is not 101.
    BadStatus,
    /// A 101 response with no Sec-WebSocket-Accept.
    MissingAccept,
    /// A response naming more than one subprotocol.
    MultipleSubprotocols,
    /// A Sec-WebSocket-Accept that does not answer the request's key.
    AcceptMismatch,
    /// hixie-76: the 16 bytes after the response head are not the answer to the keys.
    BadHixie76Answer,
    /// A response picking a subprotocol the request did not offer.
    UnofferedSubprotocol,
    /// A response using an extension the request did not offer.
    UnofferedExtension,
}

impl CheckId {
    /// Every id: the head's own errors, the request's rules, the response's, then the
    /// rules of a request and response together.
    pub const ALL: [CheckId; 19] = [
        CheckId::MalformedHttp,
        CheckId::HeadTooLarge,
        CheckId::MethodNotGet,
        CheckId::BadHttpVersion,
        CheckId::MissingHost,
        CheckId::BadUpgrade,
        CheckId::BadConnection,
        CheckId::BadKey,
        CheckId::BadVersion,
        CheckId::BadKey1,
        CheckId::BadKey2,
        CheckId::DuplicateHeader,
        CheckId::BadStatus,
        CheckId::MissingAccept,
        CheckId::MultipleSubprotocols,
        CheckId::AcceptMismatch,
        CheckId::BadHixie76Answer,
        CheckId::UnofferedSubprotocol,
        CheckId::UnofferedExtension,
    ];

    /// The stable machine id, naming what goes wrong when the rule fails (`missing-host`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::MalformedHttp => "malformed-http",
            CheckId::HeadTooLarge => "head-too-large",
            CheckId::MethodNotGet => "method-not-get",
            CheckId::BadHttpVersion => "bad-http-version",
            CheckId::MissingHost => "missing-host",
            CheckId::BadUpgrade => "bad-upgrade",
            CheckId::BadConnection => "bad-connection",
            CheckId::BadKey => "bad-key",
            CheckId::BadVersion => "bad-version",
            CheckId::BadKey1 => "bad-key1",
            CheckId::BadKey2 => "bad-key2",
            CheckId::DuplicateHeader => "duplicate-header",
            CheckId::BadStatus => "bad-status",
            CheckId::MissingAccept => "missing-accept",
            CheckId::MultipleSubprotocols => "multiple-subprotocols",
            CheckId::AcceptMismatch => "accept-mismatch",
            CheckId::BadHixie76Answer => "bad-hixie76-answer",
            CheckId::UnofferedSubprotocol => "unoffered-subprotocol",
            CheckId::UnofferedExtension => "unoffered-extension",
        }
    }

    /// The id for a machine id string, the inverse of [`CheckId::as_str`].
    pub fn from_name(name: &str) -> Option<CheckId> {
        CheckId::ALL.into_iter().find(|id| id.as_str() == name)
    }

    /// The section that states the rule. A check may cite a narrower one: a repeated
    /// Sec-WebSocket-Key's `duplicate-header` cites RFC 6455 §11.3.1.
    pub fn rfc(self) -> &'static str {
        match self {
            CheckId::MalformedHttp => "RFC 7230 §3",
            CheckId::HeadTooLarge => "RFC 6585 §5",
            CheckId::BadKey1 | CheckId::BadKey2 => DRAFT_76_KEYS,
            CheckId::BadHixie76Answer => DRAFT_76_ANSWER,
            CheckId::DuplicateHeader => "RFC 6455 §11.3",
            CheckId::MultipleSubprotocols => "RFC 6455 §4.2.2",
            CheckId::MethodNotGet
            | CheckId::BadHttpVersion
            | CheckId::MissingHost
            | CheckId::BadUpgrade
            | CheckId::BadConnection
            | CheckId::BadKey
            | CheckId::BadVersion
            | CheckId::BadStatus
            | CheckId::MissingAccept
            | CheckId::AcceptMismatch
            | CheckId::UnofferedSubprotocol
            | CheckId::UnofferedExtension => RFC_4_1,
        }
    }

    /// The rule in one sentence, in the specification's words where it has them.
    pub fn rule(self) -> &'static str {
        match self {
            CheckId::MalformedHttp => "An opening handshake is an HTTP/1.1 message head: a start line, header fields, then an empty line.",
            CheckId::HeadTooLarge => "A server answers a head longer than it accepts with 431 Request Header Fields Too Large.",
            CheckId::MethodNotGet => "The method of the request MUST be GET.",
            CheckId::BadHttpVersion => "The HTTP version MUST be at least 1.1.",
            CheckId::MissingHost => "The request MUST contain a |Host| header field whose value contains /host/ plus optionally \":\" followed by /port/.",
            CheckId::BadUpgrade => "The |Upgrade| header field MUST include the \"websocket\" keyword (in a response: be \"websocket\").",
            CheckId::BadConnection => "The |Connection| header field MUST include the \"Upgrade\" token.",
            CheckId::BadKey => "The value of |Sec-WebSocket-Key| MUST be a nonce consisting of a randomly selected 16-byte value that has been base64-encoded.",
            CheckId::BadVersion => "The value of the |Sec-WebSocket-Version| header field MUST be 13.",
            CheckId::BadKey1 => "Sec-WebSocket-Key1's digits form a number no greater than 4,294,967,295 that is an integral multiple of its spaces, of which there is at least one.",
            CheckId::BadKey2 => "Sec-WebSocket-Key2's digits form a number no greater than 4,294,967,295 that is an integral multiple of its spaces, of which there is at least one.",
            CheckId::DuplicateHeader => "|Sec-WebSocket-Key|, |Sec-WebSocket-Version|, |Sec-WebSocket-Accept| and |Sec-WebSocket-Protocol| (and Host) MUST NOT appear more than once.",
            CheckId::BadStatus => "The handshake succeeds only with status code 101; any other status is handled per HTTP.",
            CheckId::MissingAccept => "If the response lacks a |Sec-WebSocket-Accept| header field, the client MUST _Fail the WebSocket Connection_.",
            CheckId::MultipleSubprotocols => "/subprotocol/: either a single value representing the subprotocol the server is ready to use or null.",
            CheckId::AcceptMismatch => "|Sec-WebSocket-Accept| MUST be the base64-encoded SHA-1 of the |Sec-WebSocket-Key| concatenated with \"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\".",
            CheckId::BadHixie76Answer => "The 16 bytes after the response head MUST be the MD5 of key1's and key2's numbers divided by their spaces, then the 8 key3 bytes.",
            CheckId::UnofferedSubprotocol => "If the response names a subprotocol that was not present in the client's handshake, the client MUST _Fail the WebSocket Connection_.",
            CheckId::UnofferedExtension => "If the response uses an extension that was not present in the client's handshake, the client MUST _Fail the WebSocket Connection_.",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_lowercase_round_trip_and_state_their_rule() {
        for (i, id) in CheckId::ALL.iter().enumerate() {
            let name = id.as_str();
            assert_eq!(name, name.to_lowercase());
            assert_eq!(CheckId::from_name(name), Some(*id));
            assert!(id.rule().ends_with('.') && id.rule().len() > 30, "{name}");
            assert!(id.rfc().starts_with("RFC ") || id.rfc().starts_with("draft-"));
            for other in &CheckId::ALL[i + 1..] {
                assert_ne!(name, other.as_str());
            }
        }
        assert_eq!(CheckId::from_name("nope"), None);
        assert_eq!(format!("{:<16}|", CheckId::BadKey), "bad-key         |");
    }
}
