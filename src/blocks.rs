//! Bytes taken a block at a time for the hot scan of unmasking: a 128-bit simd128 vector
//! in wasm built with simd128 (every browser since 2023, Node 16.4+), a 64-bit word
//! elsewhere. Written out rather than left to the auto-vectoriser, which the
//! size-optimised wasm build (opt-level "z") does not run. (UTF-8 validation has its own
//! SIMD code, simdutf8's.)

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::{u32x4_splat, v128, v128_xor};

    pub type Block = v128;

    /// `block ^= key` for every block, `key` repeated across each block.
    pub fn xor_key(blocks: &mut [Block], key: [u8; 4]) {
        let key = u32x4_splat(u32::from_ne_bytes(key));
        for block in blocks {
            *block = v128_xor(*block, key);
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    pub type Block = u64;

    /// `block ^= key` for every block, `key` repeated across each block.
    pub fn xor_key(blocks: &mut [Block], key: [u8; 4]) {
        let [a, b, c, d] = key;
        let key = u64::from_ne_bytes([a, b, c, d, a, b, c, d]);
        for block in blocks {
            *block ^= key;
        }
    }
}

pub use imp::{xor_key, Block};

/// `bytes` as an unaligned head, whole aligned blocks, and a tail, for in-place changes.
pub fn split_mut(bytes: &mut [u8]) -> (&mut [u8], &mut [Block], &mut [u8]) {
    // SAFETY: every bit pattern is a valid Block, and every byte pattern it is written back as.
    unsafe { bytes.align_to_mut::<Block>() }
}

// The size of a block is a multiple of 4, so the masking key's phase is the same after any
// number of blocks.
const _: () = assert!(std::mem::size_of::<Block>() % 4 == 0);
