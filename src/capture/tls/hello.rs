//! The handshake messages that say what a TLS connection is, read with rusticata's
//! tls-parser: the ClientHello (client random, server name, protocols offered), the
//! ServerHello (server random, suite, version) and TLS 1.3's EncryptedExtensions (the
//! protocol chosen); and the framing of handshake messages across records.

use tls_parser::{
    parse_tls_extensions, parse_tls_message_handshake, TlsExtension, TlsMessage,
    TlsMessageHandshake,
};

/// Handshake message types (RFC 8446 §4).
pub(crate) const CLIENT_HELLO: u8 = 1;
pub(crate) const SERVER_HELLO: u8 = 2;
pub(crate) const ENCRYPTED_EXTENSIONS: u8 = 8;
pub(crate) const FINISHED: u8 = 20;
pub(crate) const KEY_UPDATE: u8 = 24;

/// The longest handshake message kept (certificate chains included); a longer one stops
/// the reading of that direction's handshake.
const MAX_MESSAGE: usize = 1 << 20;

/// RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is
/// SHA-256("HelloRetryRequest").
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// What a ClientHello says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientHello {
    pub(crate) random: [u8; 32],
    /// The server name (SNI), when sent.
    pub(crate) server_name: Option<String>,
    /// The application protocols offered (ALPN).
    pub(crate) protocols: Vec<String>,
}

/// What a ServerHello says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerHello {
    pub(crate) random: [u8; 32],
    pub(crate) suite: u16,
    /// The version chosen: supported_versions' when present (TLS 1.3), else the legacy
    /// field.
    pub(crate) version: u16,
    /// The protocol chosen (ALPN) in TLS 1.2 (TLS 1.3 says it in EncryptedExtensions).
    pub(crate) protocol: Option<String>,
    /// A HelloRetryRequest: another ClientHello follows.
    pub(crate) retry: bool,
}

/// A whole handshake message, its 4-byte header included.
pub(crate) fn message_type(message: &[u8]) -> u8 {
    message[0]
}

/// Reads a ClientHello message.
pub(crate) fn client_hello(message: &[u8]) -> Option<ClientHello> {
    let Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)))) =
        parse_tls_message_handshake(message)
    else {
        return None;
    };
    let random: [u8; 32] = hello.random.try_into().ok()?;
    let mut server_name = None;
    let mut protocols = Vec::new();
    for extension in extensions(hello.ext) {
        match extension {
            TlsExtension::SNI(names) => {
                // RFC 6066 §3: name type 0 is host_name.
                server_name = names
                    .iter()
                    .find(|(kind, _)| kind.0 == 0)
                    .map(|(_, name)| String::from_utf8_lossy(name).into_owned());
            }
            TlsExtension::ALPN(list) => {
                protocols = list
                    .iter()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect();
            }
            _ => {}
        }
    }
    Some(ClientHello {
        random,
        server_name,
        protocols,
    })
}

/// Reads a ServerHello message.
pub(crate) fn server_hello(message: &[u8]) -> Option<ServerHello> {
    let Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerHello(hello)))) =
        parse_tls_message_handshake(message)
    else {
        return None;
    };
    let random: [u8; 32] = hello.random.try_into().ok()?;
    let mut version = hello.version.0;
    let mut protocol = None;
    for extension in extensions(hello.ext) {
        match extension {
            TlsExtension::SupportedVersions(v) if v.len() == 1 => version = v[0].0,
            TlsExtension::ALPN(list) => {
                protocol = list
                    .first()
                    .map(|p| String::from_utf8_lossy(p).into_owned());
            }
            _ => {}
        }
    }
    Some(ServerHello {
        random,
        suite: hello.cipher.0,
        version,
        protocol,
        retry: random == HELLO_RETRY_RANDOM,
    })
}

/// TLS 1.3's EncryptedExtensions: the protocol chosen (ALPN), if any.
pub(crate) fn encrypted_extensions_protocol(message: &[u8]) -> Option<String> {
    // struct { Extension extensions<0..2^16-1>; } EncryptedExtensions (RFC 8446 §4.3.1).
    let body = message.get(4..)?;
    let list = body.get(2..)?;
    let (_, parsed) = parse_tls_extensions(list).ok()?;
    parsed.into_iter().find_map(|e| match e {
        TlsExtension::ALPN(list) => list
            .first()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        _ => None,
    })
}

fn extensions(raw: Option<&[u8]>) -> Vec<TlsExtension<'_>> {
    raw.and_then(|bytes| parse_tls_extensions(bytes).ok())
        .map(|(_, list)| list)
        .unwrap_or_default()
}

/// One direction's handshake messages, framed across the records that carry them
/// (RFC 8446 §5.1: "Handshake messages MAY be coalesced into a single TLSPlaintext record or
/// fragmented across several records").
#[derive(Debug, Default)]
pub(crate) struct HandshakeReader {
    partial: Vec<u8>,
}

impl HandshakeReader {
    /// Takes a handshake record's content; returns the messages it completes (each with its
    /// 4-byte header), or an error when a message says it is longer than [`MAX_MESSAGE`].
    pub(crate) fn push(&mut self, mut bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
        let mut messages = Vec::new();
        loop {
            if self.partial.len() < 4 {
                if bytes.is_empty() {
                    break;
                }
                let take = (4 - self.partial.len()).min(bytes.len());
                self.partial.extend_from_slice(&bytes[..take]);
                bytes = &bytes[take..];
                if self.partial.len() < 4 {
                    break;
                }
            }
            let length = usize::from(self.partial[1]) << 16
                | usize::from(self.partial[2]) << 8
                | usize::from(self.partial[3]);
            if length > MAX_MESSAGE {
                return Err(format!(
                    "a handshake message of type {} says it is {length} bytes (over {MAX_MESSAGE})",
                    self.partial[0]
                ));
            }
            let missing = 4 + length - self.partial.len();
            let take = missing.min(bytes.len());
            self.partial.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if take < missing {
                break;
            }
            messages.push(std::mem::take(&mut self.partial));
        }
        Ok(messages)
    }
}
