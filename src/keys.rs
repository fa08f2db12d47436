//! Handshake keys: the RFC 6455 Sec-WebSocket-Accept value.

use base64::Engine as _;

/// The GUID RFC 6455 §1.3 appends to the client's key.
pub const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Computes the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.
///
/// RFC 6455 §4.2.2: "the server has to take the value (as present in the header
/// field ...) and concatenate this with the GUID ... A SHA-1 hash (160 bits) ...
/// of this concatenated value is obtained ... this hash is then base64-encoded".
///
/// ```
/// assert_eq!(wsinspect::accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn accept_key(key: &str) -> String {
    let mut sha1 = sha1_smol::Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(WEBSOCKET_GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sha1.digest().bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_section_1_3_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn key_is_used_as_sent_without_trimming_or_decoding() {
        assert_ne!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ== "),
            accept_key("dGhlIHNhbXBsZSBub25jZQ==")
        );
    }
}
