//! Record keys from a key log's secrets: TLS 1.2's key block (RFC 5246 §6.3, its PRF of
//! §5 over HMAC) and TLS 1.3's traffic keys (RFC 8446 §7.1 and §7.3, HKDF-Expand-Label).
//! HMAC and HKDF are RustCrypto's; only the labels and seeds are put together here.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384};

use super::suites::{Hash, Suite};

/// One direction's record key and IV.
#[derive(Clone)]
pub(crate) struct KeyIv {
    pub(crate) key: Vec<u8>,
    pub(crate) iv: Vec<u8>,
}

/// TLS 1.2 (RFC 5246 §6.3): "key_block = PRF(SecurityParameters.master_secret, "key
/// expansion", SecurityParameters.server_random + SecurityParameters.client_random)",
/// partitioned into client_write_MAC_key, server_write_MAC_key (none for AEAD suites),
/// client_write_key, server_write_key, client_write_IV, server_write_IV. The implicit IV is
/// 4 bytes for AES-GCM (RFC 5288 §3) and 12 for ChaCha20-Poly1305 (RFC 7905 §2).
/// Returns the client's and the server's.
pub(crate) fn tls12_keys(
    suite: &Suite,
    master: &[u8],
    client_random: &[u8],
    server_random: &[u8],
) -> Option<[KeyIv; 2]> {
    let key_len = suite.cipher.key_len();
    let iv_len = match suite.cipher {
        super::suites::Cipher::ChaCha20Poly1305 => 12,
        _ => 4,
    };
    let mut seed = server_random.to_vec();
    seed.extend_from_slice(client_random);
    let mut block = vec![0; 2 * (key_len + iv_len)];
    prf(suite.hash, master, b"key expansion", &seed, &mut block)?;
    let (keys, ivs) = block.split_at(2 * key_len);
    Some([0, 1].map(|side| KeyIv {
        key: keys[side * key_len..(side + 1) * key_len].to_vec(),
        iv: ivs[side * iv_len..(side + 1) * iv_len].to_vec(),
    }))
}

/// RFC 5246 §5: `PRF(secret, label, seed) = P_<hash>(secret, label + seed)`.
pub(crate) fn prf(
    hash: Hash,
    secret: &[u8],
    label: &[u8],
    seed: &[u8],
    out: &mut [u8],
) -> Option<()> {
    match hash {
        Hash::Sha256 => p_hash::<Hmac<Sha256>>(secret, &[label, seed], out),
        Hash::Sha384 => p_hash::<Hmac<Sha384>>(secret, &[label, seed], out),
    }
}

/// RFC 5246 §5: "P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) + HMAC_hash(secret,
/// A(2) + seed) + ...", where "A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))".
fn p_hash<M: Mac + hmac::digest::KeyInit>(
    secret: &[u8],
    seed: &[&[u8]],
    out: &mut [u8],
) -> Option<()> {
    let hmac = |parts: &[&[u8]]| -> Option<Vec<u8>> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret).ok()?;
        for part in parts {
            mac.update(part);
        }
        Some(mac.finalize().into_bytes().to_vec())
    };
    let mut a = hmac(seed)?;
    for chunk in out.chunks_mut(M::output_size()) {
        let mut parts = vec![a.as_slice()];
        parts.extend_from_slice(seed);
        let block = hmac(&parts)?;
        chunk.copy_from_slice(&block[..chunk.len()]);
        a = hmac(&[&a])?;
    }
    Some(())
}

/// TLS 1.3 (RFC 8446 §7.3): `[sender]_write_key = HKDF-Expand-Label(Secret, "key", "",
/// key_length)`, `[sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "", iv_length)`.
pub(crate) fn tls13_keys(suite: &Suite, secret: &[u8]) -> Option<KeyIv> {
    Some(KeyIv {
        key: expand_label(suite.hash, secret, b"key", suite.cipher.key_len())?,
        iv: expand_label(suite.hash, secret, b"iv", 12)?,
    })
}

/// RFC 8446 §7.2: "application_traffic_secret_N+1 = HKDF-Expand-Label(
/// application_traffic_secret_N, "traffic upd", "", Hash.length)" (after a KeyUpdate).
pub(crate) fn tls13_next_secret(hash: Hash, secret: &[u8]) -> Option<Vec<u8>> {
    expand_label(hash, secret, b"traffic upd", hash.len())
}

/// RFC 8446 §7.1: HKDF-Expand-Label(Secret, Label, "", Length) = HKDF-Expand(Secret,
/// HkdfLabel, Length), HkdfLabel = uint16 length, opaque label<7..255> = "tls13 " + Label,
/// opaque context<0..255> (empty here).
fn expand_label(hash: Hash, secret: &[u8], label: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut info = Vec::with_capacity(10 + label.len());
    info.extend_from_slice(&(len as u16).to_be_bytes());
    info.push((6 + label.len()) as u8);
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label);
    info.push(0);
    let mut out = vec![0; len];
    match hash {
        Hash::Sha256 => Hkdf::<Sha256>::from_prk(secret)
            .ok()?
            .expand(&info, &mut out)
            .ok()?,
        Hash::Sha384 => Hkdf::<Sha384>::from_prk(secret)
            .ok()?
            .expand(&info, &mut out)
            .ok()?,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The TLS 1.2 PRF test vector for SHA-256 posted to the IETF TLS list (also in
    /// Go's crypto/tls prf_test.go and others).
    #[test]
    fn prf_sha256_matches_the_published_vector() {
        let secret = hex("9bbe436ba940f017b17652849a71db35");
        let seed = hex("a0ba9f936cda311827a6f796ffd5198c");
        let mut out = vec![0; 100];
        prf(Hash::Sha256, &secret, b"test label", &seed, &mut out).unwrap();
        assert_eq!(
            out,
            hex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66")
        );
    }

    /// RFC 8448 §3 (Simple 1-RTT Handshake): the server's handshake traffic secret and the
    /// key and IV derived from it.
    #[test]
    fn expand_label_matches_rfc_8448() {
        let secret = hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
        let suite = super::super::suites::find(0x1301).unwrap();
        let keys = tls13_keys(suite, &secret).unwrap();
        assert_eq!(keys.key, hex("3fce516009c21727d0f2e4e86ee403bc"));
        assert_eq!(keys.iv, hex("5d313eb2671276ee13000b30"));
    }
}
