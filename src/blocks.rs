//! Bytes taken a block at a time for the two hot scans, unmasking and the ASCII run of
//! UTF-8 validation: a 128-bit simd128 vector in wasm built with simd128 (every browser
//! since 2023, Node 16.4+), a 64-bit word elsewhere. Written out rather than left to the
//! auto-vectoriser, which the size-optimised wasm build (opt-level "z") does not run.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::{u32x4_splat, u8x16_bitmask, v128, v128_xor};

    pub type Block = v128;

    /// `block ^= key` for every block, `key` repeated across each block.
    pub fn xor_key(blocks: &mut [Block], key: [u8; 4]) {
        let key = u32x4_splat(u32::from_ne_bytes(key));
        for block in blocks {
            *block = v128_xor(*block, key);
        }
    }

    /// Whether no byte of the block has its high bit set.
    pub fn is_ascii(block: &Block) -> bool {
        u8x16_bitmask(*block) == 0
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

    /// Whether no byte of the block has its high bit set.
    pub fn is_ascii(block: &Block) -> bool {
        block & 0x8080_8080_8080_8080 == 0
    }
}

pub use imp::{is_ascii, xor_key, Block};

/// `bytes` as an unaligned head, whole aligned blocks, and a tail.
pub fn split(bytes: &[u8]) -> (&[u8], &[Block], &[u8]) {
    // SAFETY: every bit pattern is a valid Block (plain integers or a plain vector).
    unsafe { bytes.align_to::<Block>() }
}

/// [`split`] for in-place changes.
pub fn split_mut(bytes: &mut [u8]) -> (&mut [u8], &mut [Block], &mut [u8]) {
    // SAFETY: every bit pattern is a valid Block, and every byte pattern it is written back as.
    unsafe { bytes.align_to_mut::<Block>() }
}

/// The size of a block in bytes: a multiple of 4, so the masking key's phase is the same
/// after any number of blocks.
pub const BLOCK: usize = std::mem::size_of::<Block>();
