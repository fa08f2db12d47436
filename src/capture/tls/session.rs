//! One TLS connection followed through its two reassembled TCP streams: records framed,
//! the hellos read, keys found in the key log by client random, and every record after
//! them decrypted and its tag checked. What comes out is each side's plaintext with the
//! packet of the record that carried it, holes where a record failed, and notices.

use super::cipher::{Failure, RecordCipher};
use super::hello::{
    client_hello, encrypted_extensions_protocol, message_type, server_hello, ClientHello,
    HandshakeReader, ServerHello, CLIENT_HELLO, ENCRYPTED_EXTENSIONS, FINISHED, KEY_UPDATE,
    SERVER_HELLO,
};
use super::keylog::{random_hex, KeyLog};
use super::keys::{tls12_keys, tls13_keys, tls13_next_secret};
use super::records::{
    Record, RecordReader, ALERT, APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE,
};
use super::suites::{self, Suite};
use crate::capture::{CaptureNotice, CaptureNoticeId, TlsFacts, TlsStatus};
use crate::direction::ChunkMeta;

/// Records in a row whose tag fails before a direction is given up as out of step.
const FAILURES_IN_A_ROW: u32 = 8;

/// What following a TLS connection gives.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TlsOutput {
    /// A side's application data, decrypted, with the packet of its record.
    Plain {
        side: usize,
        bytes: Vec<u8>,
        meta: ChunkMeta,
    },
    /// Plaintext of a side left out: records whose tag failed (about `length` bytes:
    /// TLS 1.3 padding is not known), or the rest of a direction after TLS bytes the
    /// capture lost (`length` the TCP bytes lost, an upper bound). `packet` is the one whose
    /// bytes come after the hole, as for a TCP gap, when known.
    Lost {
        side: usize,
        length: u64,
        packet: Option<u64>,
    },
    Notice(CaptureNotice),
}

/// One direction (a TCP side) of the connection.
#[derive(Default)]
struct Side {
    records: RecordReader,
    handshake: HandshakeReader,
    /// The keys its records are decrypted with, once they are.
    cipher: Option<RecordCipher>,
    /// TLS 1.2: the keys that take effect at its ChangeCipherSpec.
    pending: Option<RecordCipher>,
    /// TLS 1.3: its next application traffic secret (taken at its Finished), then the
    /// one in use (for KeyUpdate).
    secret: Option<Vec<u8>>,
    /// Its application data is flowing (TLS 1.3: after its Finished).
    application: bool,
    opened: u64,
    failures: u32,
    /// Plaintext bytes left out since the last that came out (reported with the packet
    /// of the next record that decrypts).
    lost: u64,
    /// Out of step or given up: nothing more is read.
    dead: bool,
}

/// A TLS connection as it is read.
pub(crate) struct TlsSession {
    client_side: usize,
    sides: [Side; 2],
    client_hello: Option<ClientHello>,
    server_hello: Option<ServerHello>,
    suite: Option<&'static Suite>,
    alpn: Option<String>,
    /// `None` while the handshake is under way.
    status: Option<TlsStatus>,
    message: String,
    /// The plaintext is not wanted (the connection is not WebSocket).
    stopped: bool,
    /// It began before the capture.
    mid_stream: bool,
}

impl TlsSession {
    /// A connection whose ClientHello is (or would be) sent by `client_side`.
    pub(crate) fn new(client_side: usize, mid_stream: bool) -> TlsSession {
        TlsSession {
            client_side,
            sides: Default::default(),
            client_hello: None,
            server_hello: None,
            suite: None,
            alpn: None,
            status: None,
            message: String::new(),
            stopped: false,
            mid_stream,
        }
    }

    /// The side that sent (or would send) the ClientHello.
    pub(crate) fn client_side(&self) -> usize {
        self.client_side
    }

    /// Nothing more will be decrypted: not wanted, not decryptable, or begun before the
    /// capture.
    pub(crate) fn is_done(&self) -> bool {
        self.stopped || self.mid_stream || self.status.is_some_and(|s| s != TlsStatus::Decrypted)
    }

    /// Stops decrypting: what the connection carries is not wanted.
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
    }

    /// What the connection is, as far as it is known.
    pub(crate) fn facts(&self) -> TlsFacts {
        TlsFacts {
            version: self.server_hello.as_ref().map(|h| version_name(h.version)),
            cipher_suite: self.server_hello.as_ref().map(|h| suites::name(h.suite)),
            sni: self
                .client_hello
                .as_ref()
                .and_then(|h| h.server_name.clone()),
            alpn: self.alpn.clone(),
            client_random: self
                .client_hello
                .as_ref()
                .map(|h| random_hex(&h.random, false)),
        }
    }

    /// How it ended, and why, for people: at the end of the capture.
    pub(crate) fn outcome(&self) -> (TlsStatus, String) {
        if let Some(status) = self.status {
            return (status, self.message.clone());
        }
        let why = if self.mid_stream {
            "it began before the capture: its handshake, and so its keys, are not in it"
        } else if self.client_hello.is_none() {
            "no ClientHello in the capture"
        } else {
            "no ServerHello in the capture: the suite and server random are unknown"
        };
        (TlsStatus::NoHandshake, format!("TLS, not decrypted: {why}"))
    }

    /// Takes a side's next bytes.
    pub(crate) fn push(
        &mut self,
        side: usize,
        bytes: &[u8],
        meta: ChunkMeta,
        keys: &KeyLog,
        out: &mut Vec<TlsOutput>,
    ) {
        if self.is_done() || self.sides[side].dead {
            return;
        }
        let mut records = Vec::new();
        let framing = self.sides[side].records.push(bytes, meta, &mut records);
        for record in records {
            if self.sides[side].dead {
                return;
            }
            self.record(side, record, keys, out);
        }
        if let Err(e) = framing {
            let who = self.role(side);
            self.kill(
                side,
                CaptureNoticeId::Tls,
                format!(
                    "packet {}: {e}: the rest of the {who}'s tls stream is not read",
                    packet(meta)
                ),
                meta.packet,
                out,
            );
        }
    }

    /// The connection is over: plaintext left out at the end of a side is reported (with
    /// no packet after it).
    pub(crate) fn finish(&mut self, out: &mut Vec<TlsOutput>) {
        for (side, s) in self.sides.iter_mut().enumerate() {
            if s.lost > 0 {
                out.push(TlsOutput::Lost {
                    side,
                    length: std::mem::take(&mut s.lost),
                    packet: None,
                });
            }
        }
    }

    /// Bytes of a side that the capture lost: record boundaries and sequence numbers are
    /// lost with them, so the rest of that direction is not decrypted.
    pub(crate) fn gap(
        &mut self,
        side: usize,
        length: u64,
        packet: Option<u64>,
        out: &mut Vec<TlsOutput>,
    ) {
        if self.is_done() || self.sides[side].dead {
            return;
        }
        let who = self.role(side);
        let at = packet.map_or(String::new(), |p| format!("packet {p}: "));
        if self.sides[side].application {
            let lost = std::mem::take(&mut self.sides[side].lost) + length;
            out.push(TlsOutput::Lost {
                side,
                length: lost,
                packet,
            });
        }
        self.kill(
            side,
            CaptureNoticeId::TlsLost,
            format!("{at}{length} bytes of the {who}'s tls stream were not captured: the rest of that direction cannot be decrypted"),
            packet,
            out,
        );
    }

    fn role(&self, side: usize) -> &'static str {
        if side == self.client_side {
            "client"
        } else {
            "server"
        }
    }

    fn kill(
        &mut self,
        side: usize,
        id: CaptureNoticeId,
        message: String,
        packet: Option<u64>,
        out: &mut Vec<TlsOutput>,
    ) {
        self.sides[side].dead = true;
        out.push(TlsOutput::Notice(CaptureNotice {
            id,
            message,
            packet,
            offset: None,
        }));
    }

    fn record(&mut self, side: usize, record: Record, keys: &KeyLog, out: &mut Vec<TlsOutput>) {
        let tls13 = self.suite.is_some_and(|s| s.tls13);
        let kind = record.content_type();
        // RFC 8446 §5: a ChangeCipherSpec record "received at any time after the first
        // ClientHello ... and before the peer's Finished" is unencrypted, and ignored.
        let encrypted = self.sides[side].cipher.is_some() && !(tls13 && kind == CHANGE_CIPHER_SPEC);
        if encrypted {
            return self.encrypted(side, record, out);
        }
        match kind {
            // RFC 5246 §7.1: "the record layer ... immediately after sending this message,
            // the sender MUST instruct the record layer to make the write pending state the
            // write active state."
            CHANGE_CIPHER_SPEC if !tls13 => {
                let s = &mut self.sides[side];
                s.cipher = s.pending.take();
                s.application = s.cipher.is_some();
            }
            HANDSHAKE => self.handshake(side, &record.body, record.meta, keys, out),
            ALERT => self.alert(side, &record.body, record.meta, out),
            // Application data before keys (TLS 1.3 early data, or a connection not
            // decrypted): never shown.
            _ => {}
        }
    }

    fn encrypted(&mut self, side: usize, record: Record, out: &mut Vec<TlsOutput>) {
        let who = self.role(side);
        let Some(cipher) = self.sides[side].cipher.as_mut() else {
            return;
        };
        let body_len = record.body.len();
        match cipher.open(&record.header, record.body) {
            Ok(opened) => {
                let s = &mut self.sides[side];
                s.opened += 1;
                s.failures = 0;
                match opened.content_type {
                    APPLICATION_DATA if s.application => {
                        if s.lost > 0 {
                            out.push(TlsOutput::Lost {
                                side,
                                length: std::mem::take(&mut s.lost),
                                packet: record.meta.packet,
                            });
                        }
                        out.push(TlsOutput::Plain {
                            side,
                            bytes: opened.plaintext,
                            meta: record.meta,
                        })
                    }
                    HANDSHAKE => {
                        self.encrypted_handshake(side, &opened.plaintext, record.meta, out)
                    }
                    ALERT => self.alert(side, &opened.plaintext, record.meta, out),
                    _ => {}
                }
            }
            Err(failure) => {
                // Only when no record of either side has opened does a failure say
                // the keys are wrong: a first record of one side that fails after the
                // other side's opened (same master secret, or secrets from the same
                // handshake) is a damaged record like any other.
                let nothing_opened = self.sides.iter().all(|s| s.opened == 0);
                let p = packet(record.meta);
                if nothing_opened {
                    // The very first record does not open: these are not this
                    // connection's keys. A `Failed` connection reads nothing more of
                    // either side (`is_done`).
                    let random = self
                        .client_hello
                        .as_ref()
                        .map_or(String::new(), |h| random_hex(&h.random, true));
                    self.status = Some(TlsStatus::Failed);
                    self.message = format!(
                        "TLS, the key log's secrets for client random {random} do not decrypt the {who}'s first record (packet {p}): a key log of another session?"
                    );
                    let message = format!("packet {p}: {}", self.message);
                    return self.kill(
                        side,
                        CaptureNoticeId::TlsRecord,
                        message,
                        record.meta.packet,
                        out,
                    );
                }
                let overhead = match (self.suite.map(|s| (s.tls13, s.cipher)), failure) {
                    (Some((true, _)), _) => 17,
                    (Some((false, suites::Cipher::ChaCha20Poly1305)), _) => 16,
                    _ => 24,
                };
                let what = match failure {
                    Failure::Tag => "fails its authentication tag",
                    Failure::Short => "is too short to hold its tag",
                    Failure::NoContentType => "holds no content type",
                };
                out.push(TlsOutput::Notice(CaptureNotice {
                    id: CaptureNoticeId::TlsRecord,
                    message: format!(
                        "packet {p}: the {who}'s tls record at stream offset {} ({} bytes) {what}: its content is left out",
                        record.offset,
                        body_len
                    ),
                    packet: record.meta.packet,
                    offset: None,
                }));
                if self.sides[side].application {
                    self.sides[side].lost += (body_len as u64).saturating_sub(overhead);
                }
                self.sides[side].failures += 1;
                if self.sides[side].failures >= FAILURES_IN_A_ROW {
                    self.kill(
                        side,
                        CaptureNoticeId::TlsRecord,
                        format!("packet {p}: {FAILURES_IN_A_ROW} of the {who}'s tls records in a row do not decrypt: the rest of that direction is not read"),
                        record.meta.packet,
                        out,
                    );
                }
            }
        }
    }

    /// Unencrypted handshake messages: the hellos.
    fn handshake(
        &mut self,
        side: usize,
        bytes: &[u8],
        meta: ChunkMeta,
        keys: &KeyLog,
        out: &mut Vec<TlsOutput>,
    ) {
        for message in self.messages(side, bytes, meta, out) {
            match message_type(&message) {
                CLIENT_HELLO if side == self.client_side => match client_hello(&message) {
                    Some(hello) => self.client_hello = Some(hello),
                    None => self.note(meta, "the ClientHello does not parse", out),
                },
                SERVER_HELLO if side != self.client_side => match server_hello(&message) {
                    Some(hello) if hello.retry => {}
                    Some(hello) => {
                        // TLS 1.2 names the protocol here; TLS 1.3 in EncryptedExtensions.
                        self.alpn = hello.protocol.clone();
                        self.server_hello = Some(hello);
                        self.keys(keys, meta, out);
                    }
                    None => self.note(meta, "the ServerHello does not parse", out),
                },
                _ => {}
            }
        }
    }

    /// Encrypted handshake messages: TLS 1.3's EncryptedExtensions, Finished and KeyUpdate.
    fn encrypted_handshake(
        &mut self,
        side: usize,
        bytes: &[u8],
        meta: ChunkMeta,
        out: &mut Vec<TlsOutput>,
    ) {
        let Some(suite) = self.suite.filter(|s| s.tls13) else {
            return;
        };
        for message in self.messages(side, bytes, meta, out) {
            match message_type(&message) {
                ENCRYPTED_EXTENSIONS => {
                    self.alpn = encrypted_extensions_protocol(&message).or(self.alpn.take())
                }
                // RFC 8446 §7.2: after its Finished, a side protects its records with its
                // application traffic secret.
                FINISHED if !self.sides[side].application => {
                    self.sides[side].application = true;
                    self.rekey(side, suite, None, meta, out);
                }
                // RFC 8446 §4.6.3: "After sending a KeyUpdate message, the sender SHALL
                // send all its traffic using the next generation of keys".
                KEY_UPDATE if self.sides[side].application => {
                    let next = self.sides[side]
                        .secret
                        .as_deref()
                        .and_then(|s| tls13_next_secret(suite.hash, s));
                    self.rekey(side, suite, Some(next), meta, out);
                }
                _ => {}
            }
        }
    }

    /// Puts a side on its application secret (`next: None`), or on the next one.
    fn rekey(
        &mut self,
        side: usize,
        suite: &Suite,
        next: Option<Option<Vec<u8>>>,
        meta: ChunkMeta,
        out: &mut Vec<TlsOutput>,
    ) {
        let s = &mut self.sides[side];
        let secret = match next {
            None => s.secret.clone(),
            Some(next) => next,
        };
        let cipher = secret
            .as_deref()
            .and_then(|secret| tls13_keys(suite, secret))
            .and_then(|keys| RecordCipher::new(suite, &keys));
        match cipher {
            Some(c) => {
                s.cipher = Some(c);
                s.secret = secret;
            }
            None => {
                let who = self.role(side);
                let message = format!("packet {}: the {who}'s next traffic keys cannot be derived (a secret of the wrong length?)", packet(meta));
                self.kill(side, CaptureNoticeId::Tls, message, meta.packet, out);
            }
        }
    }

    fn messages(
        &mut self,
        side: usize,
        bytes: &[u8],
        meta: ChunkMeta,
        out: &mut Vec<TlsOutput>,
    ) -> Vec<Vec<u8>> {
        match self.sides[side].handshake.push(bytes) {
            Ok(messages) => messages,
            Err(e) => {
                let who = self.role(side);
                let message = format!(
                    "packet {}: {e}: the rest of the {who}'s tls stream is not read",
                    packet(meta)
                );
                self.kill(side, CaptureNoticeId::Tls, message, meta.packet, out);
                Vec::new()
            }
        }
    }

    fn alert(&mut self, side: usize, body: &[u8], meta: ChunkMeta, out: &mut Vec<TlsOutput>) {
        // RFC 8446 §6: close_notify (0) is how a side says it is done; other alerts say why
        // a connection failed.
        if let [level, description] = body[..] {
            if description != 0 {
                let who = self.role(side);
                let level = if level == 2 { "fatal" } else { "warning" };
                let message =
                    format!("the {who} sent a tls {level} alert, description {description}");
                self.note(meta, &message, out);
            }
        }
    }

    fn note(&self, meta: ChunkMeta, message: &str, out: &mut Vec<TlsOutput>) {
        out.push(TlsOutput::Notice(CaptureNotice {
            id: CaptureNoticeId::Tls,
            message: format!("packet {}: {message}", packet(meta)),
            packet: meta.packet,
            offset: None,
        }));
    }

    /// At the ServerHello: the suite, the secrets for the client random, the keys.
    fn keys(&mut self, keys: &KeyLog, meta: ChunkMeta, out: &mut Vec<TlsOutput>) {
        let (Some(client), Some(server)) = (&self.client_hello, &self.server_hello) else {
            self.status = Some(TlsStatus::NoHandshake);
            self.message = "TLS, not decrypted: no ClientHello before the ServerHello".to_string();
            return;
        };
        let random = random_hex(&client.random, true);
        let Some(suite) =
            suites::find(server.suite).filter(|s| s.tls13 == (server.version == 0x0304))
        else {
            self.status = Some(TlsStatus::UnsupportedSuite);
            self.message = format!(
                "TLS, not decrypted: {} with {} is not a suite wsinspect decrypts (it decrypts TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256, and TLS 1.2's AES-GCM and ChaCha20-Poly1305 suites)",
                version_name(server.version),
                suites::name(server.suite)
            );
            let message = self.message.clone();
            return self.note(meta, &message, out);
        };
        self.suite = Some(suite);
        let [client_side, server_side] = [self.client_side, 1 - self.client_side];
        let Some(secrets) = keys.get(&client.random) else {
            self.status = Some(TlsStatus::NoKey);
            self.message = format!("TLS, no key for client random {random}");
            return;
        };
        let ciphers = if suite.tls13 {
            let labels = [
                ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", &secrets.handshake[0]),
                ("SERVER_HANDSHAKE_TRAFFIC_SECRET", &secrets.handshake[1]),
                ("CLIENT_TRAFFIC_SECRET_0", &secrets.application[0]),
                ("SERVER_TRAFFIC_SECRET_0", &secrets.application[1]),
            ];
            if let Some((label, _)) = labels.iter().find(|(_, s)| s.is_none()) {
                self.status = Some(TlsStatus::NoKey);
                self.message = format!(
                    "TLS, no key for client random {random}: the key log has no {label} for it"
                );
                return;
            }
            self.sides[client_side].secret = secrets.application[0].clone();
            self.sides[server_side].secret = secrets.application[1].clone();
            let open = |secret: &Option<Vec<u8>>| {
                secret
                    .as_deref()
                    .and_then(|s| tls13_keys(suite, s))
                    .and_then(|k| RecordCipher::new(suite, &k))
            };
            [open(&secrets.handshake[0]), open(&secrets.handshake[1])]
        } else {
            let Some(master) = &secrets.master else {
                self.status = Some(TlsStatus::NoKey);
                self.message = format!("TLS, no key for client random {random}: the key log has no CLIENT_RANDOM line for it (TLS 1.2)");
                return;
            };
            match tls12_keys(suite, master, &client.random, &server.random) {
                Some([c, s]) => [RecordCipher::new(suite, &c), RecordCipher::new(suite, &s)],
                None => [None, None],
            }
        };
        let [Some(client_cipher), Some(server_cipher)] = ciphers else {
            self.status = Some(TlsStatus::Failed);
            self.message = format!("TLS, the key log's secrets for client random {random} do not fit {} (wrong lengths)", suite.name);
            return;
        };
        if suite.tls13 {
            self.sides[client_side].cipher = Some(client_cipher);
            self.sides[server_side].cipher = Some(server_cipher);
        } else {
            self.sides[client_side].pending = Some(client_cipher);
            self.sides[server_side].pending = Some(server_cipher);
        }
        self.status = Some(TlsStatus::Decrypted);
        self.message = format!(
            "{}, {}, decrypted",
            version_name(server.version),
            suite.name
        );
    }
}

fn packet(meta: ChunkMeta) -> String {
    meta.packet.map_or("?".to_string(), |p| p.to_string())
}

/// `"TLS 1.3"`, `"TLS 1.2"`, ... for a version number.
pub(crate) fn version_name(version: u16) -> String {
    match version {
        0x0304 => "TLS 1.3".to_string(),
        0x0303 => "TLS 1.2".to_string(),
        0x0302 => "TLS 1.1".to_string(),
        0x0301 => "TLS 1.0".to_string(),
        0x0300 => "SSL 3.0".to_string(),
        other => format!("TLS 0x{other:04x}"),
    }
}
