//! Seeded nonces: the RFC 6455 Sec-WebSocket-Key and the small PRNG behind every
//! generated key. The core has no randomness of its own: the caller passes the seed.

use base64::Engine as _;

/// SplitMix64 (Steele, Lea and Flood, 2014): tiny, deterministic, and good for any seed,
/// including 0. It is not a cryptographic generator: callers who need unpredictable keys
/// pass an unpredictable seed.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `low..=high` (`low <= high`), without modulo bias worth
    /// mentioning: 128-bit multiply-shift (Lemire) over the full 64-bit output.
    pub(crate) fn range_inclusive(&mut self, low: u64, high: u64) -> u64 {
        debug_assert!(low <= high);
        let span = high.wrapping_sub(low).wrapping_add(1);
        if span == 0 {
            return self.next_u64();
        }
        low + ((u128::from(self.next_u64()) * u128::from(span)) >> 64) as u64
    }

    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let word = self.next_u64().to_be_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// Generates an RFC 6455 Sec-WebSocket-Key from a caller's seed.
///
/// RFC 6455 §4.1: "The value of this header field MUST be a nonce consisting of a
/// randomly selected 16-byte value that has been base64-encoded". The same seed gives
/// the same key; pass a random seed for a real connection.
///
/// ```
/// let key = wsinspect::generate_key(42);
/// assert_eq!(key.len(), 24);
/// assert!(key.ends_with("=="));
/// ```
pub fn generate_key(seed: u64) -> String {
    let mut bytes = [0u8; 16];
    SplitMix64::new(seed).fill(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_stays_inside_bounds() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..10_000 {
            let v = rng.range_inclusive(3, 9);
            assert!((3..=9).contains(&v));
        }
        assert!(rng.range_inclusive(0, u64::MAX) > 0 || rng.range_inclusive(0, u64::MAX) > 0);
    }

    #[test]
    fn range_reaches_both_ends() {
        let mut rng = SplitMix64::new(1);
        let values: Vec<u64> = (0..1000).map(|_| rng.range_inclusive(1, 12)).collect();
        assert!(values.contains(&1));
        assert!(values.contains(&12));
    }

    #[test]
    fn different_seeds_give_different_keys() {
        assert_ne!(generate_key(1), generate_key(2));
        assert_eq!(generate_key(9), generate_key(9));
    }
}
