//! One direction's record decryption: the AEAD (RustCrypto's AES-GCM and
//! ChaCha20-Poly1305), its key and IV, and the record sequence number its nonces count.
//! Every record's tag is checked; a record whose tag fails gives no plaintext.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce, Tag};
use chacha20poly1305::ChaCha20Poly1305;

use super::keys::KeyIv;
use super::suites::{Cipher, Suite};

/// The length of an AEAD tag (all three ciphers).
const TAG: usize = 16;
/// TLS 1.2 AES-GCM's explicit nonce at the start of each record (RFC 5288 §3).
const EXPLICIT_NONCE: usize = 8;

enum Aead {
    Aes128(Box<Aes128Gcm>),
    Aes256(Box<Aes256Gcm>),
    ChaCha(Box<ChaCha20Poly1305>),
}

/// How a record's nonce and additional data are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// RFC 5288 §3: nonce = salt (4-byte implicit IV) + the record's explicit 8 bytes.
    Tls12Gcm,
    /// RFC 7905 §2: nonce = IV xor the sequence number; no explicit part.
    Tls12ChaCha,
    /// RFC 8446 §5.3: nonce = IV xor the sequence number; the header is the additional data.
    Tls13,
}

/// A record that did not decrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Shorter than its nonce and tag.
    Short,
    /// Its authentication tag does not match: a wrong key, or bytes changed.
    Tag,
    /// TLS 1.3: the plaintext is all padding, with no content type.
    NoContentType,
}

/// A record's content, decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Opened {
    /// The content type: TLS 1.3's inner type, TLS 1.2's from the header.
    pub(crate) content_type: u8,
    pub(crate) plaintext: Vec<u8>,
}

/// One direction's keys and sequence number.
pub(crate) struct RecordCipher {
    aead: Aead,
    iv: Vec<u8>,
    layout: Layout,
    /// The next record's sequence number (RFC 5246 §6.1, RFC 8446 §5.3).
    seq: u64,
}

impl RecordCipher {
    /// The cipher for `keys` under `suite`; `None` when a key has the wrong length.
    pub(crate) fn new(suite: &Suite, keys: &KeyIv) -> Option<RecordCipher> {
        let aead = match suite.cipher {
            Cipher::Aes128Gcm => Aead::Aes128(Box::new(Aes128Gcm::new_from_slice(&keys.key).ok()?)),
            Cipher::Aes256Gcm => Aead::Aes256(Box::new(Aes256Gcm::new_from_slice(&keys.key).ok()?)),
            Cipher::ChaCha20Poly1305 => {
                Aead::ChaCha(Box::new(ChaCha20Poly1305::new_from_slice(&keys.key).ok()?))
            }
        };
        let layout = match (suite.tls13, suite.cipher) {
            (true, _) => Layout::Tls13,
            (false, Cipher::ChaCha20Poly1305) => Layout::Tls12ChaCha,
            (false, _) => Layout::Tls12Gcm,
        };
        let iv_len = if layout == Layout::Tls12Gcm { 4 } else { 12 };
        if keys.iv.len() != iv_len {
            return None;
        }
        Some(RecordCipher {
            aead,
            iv: keys.iv.clone(),
            layout,
            seq: 0,
        })
    }

    /// Decrypts one record (its 5-byte header and its body). The sequence number moves on
    /// whether or not the record decrypts: the sender counted it.
    /// The body is decrypted where it is: the plaintext is the same allocation.
    pub(crate) fn open(&mut self, header: &[u8; 5], mut body: Vec<u8>) -> Result<Opened, Failure> {
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        let explicit = if self.layout == Layout::Tls12Gcm {
            EXPLICIT_NONCE
        } else {
            0
        };
        if body.len() < explicit + TAG {
            return Err(Failure::Short);
        }
        let mut nonce = [0u8; 12];
        match self.layout {
            Layout::Tls12Gcm => {
                nonce[..4].copy_from_slice(&self.iv);
                nonce[4..].copy_from_slice(&body[..EXPLICIT_NONCE]);
            }
            Layout::Tls12ChaCha | Layout::Tls13 => {
                nonce.copy_from_slice(&self.iv);
                for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
                    *n ^= s;
                }
            }
        }
        let length = body.len() - explicit - TAG;
        // RFC 5246 §6.2.3.3: additional_data = seq_num + TLSCompressed.type +
        // TLSCompressed.version + TLSCompressed.length (the plaintext's length); RFC 8446
        // §5.2: additional_data = TLSCiphertext.opaque_type || legacy_record_version || length.
        let aad: Vec<u8> = match self.layout {
            Layout::Tls13 => header.to_vec(),
            _ => {
                let mut aad = seq.to_be_bytes().to_vec();
                aad.extend_from_slice(&header[..3]);
                aad.extend_from_slice(&(length as u16).to_be_bytes());
                aad
            }
        };
        let (ciphertext, tag) = body[explicit..].split_at_mut(length);
        let nonce = Nonce::from_slice(&nonce);
        let tag = Tag::from_slice(tag);
        let result = match &self.aead {
            Aead::Aes128(a) => a.decrypt_in_place_detached(nonce, &aad, ciphertext, tag),
            Aead::Aes256(a) => a.decrypt_in_place_detached(nonce, &aad, ciphertext, tag),
            Aead::ChaCha(a) => a.decrypt_in_place_detached(nonce, &aad, ciphertext, tag),
        };
        result.map_err(|_| Failure::Tag)?;
        body.truncate(explicit + length);
        body.drain(..explicit);
        let mut plaintext = body;
        if self.layout != Layout::Tls13 {
            return Ok(Opened {
                content_type: header[0],
                plaintext,
            });
        }
        // RFC 8446 §5.2: TLSInnerPlaintext = content || ContentType type || uint8 zeros[].
        let Some(end) = plaintext.iter().rposition(|&b| b != 0) else {
            return Err(Failure::NoContentType);
        };
        let content_type = plaintext[end];
        plaintext.truncate(end);
        Ok(Opened {
            content_type,
            plaintext,
        })
    }
}
