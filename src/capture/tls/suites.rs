//! The cipher suites whose records wsinspect decrypts: TLS 1.3's three and TLS 1.2's AEAD
//! suites (AES-GCM, RFC 5288 and 5289; ChaCha20-Poly1305, RFC 7905). Any other suite is
//! named (from tls-parser's IANA table) in a notice and its connection is not decrypted.

/// The hash of a suite's key derivation (TLS 1.2's PRF, TLS 1.3's HKDF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
}

impl Hash {
    /// Its output length in bytes.
    pub(crate) fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
        }
    }
}

/// A suite's record protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cipher {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
}

impl Cipher {
    /// Its key length in bytes.
    pub(crate) fn key_len(self) -> usize {
        match self {
            Cipher::Aes128Gcm => 16,
            Cipher::Aes256Gcm | Cipher::ChaCha20Poly1305 => 32,
        }
    }
}

/// A cipher suite wsinspect decrypts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Suite {
    pub(crate) id: u16,
    pub(crate) name: &'static str,
    /// A TLS 1.3 suite (else TLS 1.2).
    pub(crate) tls13: bool,
    pub(crate) cipher: Cipher,
    pub(crate) hash: Hash,
}

const fn suite(id: u16, name: &'static str, tls13: bool, cipher: Cipher, hash: Hash) -> Suite {
    Suite {
        id,
        name,
        tls13,
        cipher,
        hash,
    }
}

use Cipher::*;
use Hash::*;

const SUITES: &[Suite] = &[
    suite(0x1301, "TLS_AES_128_GCM_SHA256", true, Aes128Gcm, Sha256),
    suite(0x1302, "TLS_AES_256_GCM_SHA384", true, Aes256Gcm, Sha384),
    suite(
        0x1303,
        "TLS_CHACHA20_POLY1305_SHA256",
        true,
        ChaCha20Poly1305,
        Sha256,
    ),
    suite(
        0xc02b,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        false,
        Aes128Gcm,
        Sha256,
    ),
    suite(
        0xc02c,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        false,
        Aes256Gcm,
        Sha384,
    ),
    suite(
        0xc02f,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        false,
        Aes128Gcm,
        Sha256,
    ),
    suite(
        0xc030,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        false,
        Aes256Gcm,
        Sha384,
    ),
    suite(
        0xcca8,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        false,
        ChaCha20Poly1305,
        Sha256,
    ),
    suite(
        0xcca9,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        false,
        ChaCha20Poly1305,
        Sha256,
    ),
    suite(
        0xccaa,
        "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        false,
        ChaCha20Poly1305,
        Sha256,
    ),
    suite(
        0x009c,
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        false,
        Aes128Gcm,
        Sha256,
    ),
    suite(
        0x009d,
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        false,
        Aes256Gcm,
        Sha384,
    ),
    suite(
        0x009e,
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        false,
        Aes128Gcm,
        Sha256,
    ),
    suite(
        0x009f,
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        false,
        Aes256Gcm,
        Sha384,
    ),
];

/// The suite of this id, when wsinspect decrypts it.
pub(crate) fn find(id: u16) -> Option<&'static Suite> {
    SUITES.iter().find(|s| s.id == id)
}

/// A suite's IANA name (`TLS_RSA_WITH_AES_128_CBC_SHA`), or its number in hex.
pub(crate) fn name(id: u16) -> String {
    match find(id) {
        Some(s) => s.name.to_string(),
        None => tls_parser::TlsCipherSuite::from_id(id)
            .map(|s| s.name.to_string())
            .unwrap_or_else(|| format!("0x{id:04x}")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn our_names_are_iana_names() {
        for s in super::SUITES {
            let iana = tls_parser::TlsCipherSuite::from_id(s.id).map(|c| c.name);
            assert_eq!(iana, Some(s.name), "0x{:04x}", s.id);
        }
        assert_eq!(super::name(0x002f), "TLS_RSA_WITH_AES_128_CBC_SHA");
        assert_eq!(super::name(0xfefe), "0xfefe");
    }
}
