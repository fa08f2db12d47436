//! Bytes taken a block at a time for the hot scans, unmasking and hex digits (UTF-8
//! validation has its own SIMD code, simdutf8's): a 128-bit simd128 vector in wasm built with simd128 (every
//! browser since 2023, Node 16.4+), a 64-bit word elsewhere. Written out rather than left to the
//! auto-vectoriser, which the size-optimised wasm build (opt-level "z") does not run.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::{
        i8x16_shuffle, u16x8_shl, u32x4_splat, u8x16_add, u8x16_add_sat, u8x16_bitmask, u8x16_eq,
        u8x16_min, u8x16_splat, u8x16_sub, v128, v128_and, v128_load, v128_or, v128_store,
        v128_xor,
    };

    pub type Block = v128;

    /// `block ^= key` for every block, `key` repeated across each block.
    pub fn xor_key(blocks: &mut [Block], key: [u8; 4]) {
        let key = u32x4_splat(u32::from_ne_bytes(key));
        for block in blocks {
            *block = v128_xor(*block, key);
        }
    }

    /// Writes the 16 bytes that 32 hex digits stand for, or returns false if any byte
    /// is not one (leaving `bytes` in any state).
    // Inlined into the caller's loop: the size-optimised build would otherwise call it
    // per block and pass the vectors through memory.
    #[inline(always)]
    pub fn hex_pairs(digits: &[u8; 32], bytes: &mut [u8; 16]) -> bool {
        // SAFETY: v128_load reads 16 bytes at any alignment, and both halves lie within
        // the 32 bytes of `digits`.
        let (first, second) = unsafe {
            (
                v128_load(digits.as_ptr().cast()),
                v128_load(digits[16..].as_ptr().cast()),
            )
        };
        let (first, first_invalid) = nibbles(first);
        let (second, second_invalid) = nibbles(second);
        if u8x16_bitmask(v128_or(first_invalid, second_invalid)) != 0 {
            return false;
        }
        // Even digits are high nibbles, odd ones low: each byte is 16 * even + odd. The
        // evens are below 16, so shifting 16-bit lanes by 4 moves no bit across a byte.
        let high = i8x16_shuffle::<0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30>(
            first, second,
        );
        let low = i8x16_shuffle::<1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31>(
            first, second,
        );
        // SAFETY: v128_store writes 16 bytes at any alignment, exactly those of `bytes`.
        unsafe { v128_store(bytes.as_mut_ptr().cast(), v128_or(u16x8_shl(high, 4), low)) };
        true
    }

    /// Writes the 16 bytes of 16 triples of two hex digits and a separator (space, tab,
    /// line feed, form feed, carriage return, `,` or `:`), and returns which separators
    /// are line breaks (bit i for the triple at 3i); `None` if any triple is not one.
    #[inline(always)]
    pub fn spaced_pairs(text: &[u8; 48], bytes: &mut [u8; 16]) -> Option<u16> {
        // SAFETY: v128_load reads 16 bytes at any alignment; all three lie within `text`.
        let (a, b, c) = unsafe {
            (
                v128_load(text.as_ptr().cast()),
                v128_load(text[16..].as_ptr().cast()),
                v128_load(text[32..].as_ptr().cast()),
            )
        };
        // Gathers the bytes at 3i + k: those below 32 from `a` and `b` (a shuffle index
        // of 16 or more takes from the second vector), then those from `c`.
        let high = i8x16_shuffle::<0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 0, 0, 0, 0, 0>(a, b);
        let high = i8x16_shuffle::<0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 20, 23, 26, 29>(high, c);
        let low = i8x16_shuffle::<1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 0, 0, 0, 0, 0>(a, b);
        let low = i8x16_shuffle::<0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 18, 21, 24, 27, 30>(low, c);
        let sep = i8x16_shuffle::<2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 0, 0, 0, 0, 0, 0>(a, b);
        let sep = i8x16_shuffle::<0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 19, 22, 25, 28, 31>(sep, c);
        let (high, high_invalid) = nibbles(high);
        let (low, low_invalid) = nibbles(low);
        let is = |b: u8| u8x16_eq(sep, u8x16_splat(b));
        let line_break = v128_or(is(b'\n'), is(b'\r'));
        let separator = v128_or(
            v128_or(line_break, v128_or(is(b' '), is(b'\t'))),
            v128_or(is(0x0C), v128_or(is(b','), is(b':'))),
        );
        if u8x16_bitmask(v128_or(high_invalid, low_invalid)) != 0
            || u8x16_bitmask(separator) != 0xFFFF
        {
            return None;
        }
        // SAFETY: v128_store writes 16 bytes at any alignment, exactly those of `bytes`.
        unsafe { v128_store(bytes.as_mut_ptr().cast(), v128_or(u16x8_shl(high, 4), low)) };
        Some(u8x16_bitmask(line_break))
    }

    /// Each byte's value as a hex digit, and the bytes that are not hex digits: those
    /// with their high bit set in the second vector (the values of those are meaningless).
    #[inline(always)]
    fn nibbles(c: v128) -> (v128, v128) {
        let digit = u8x16_sub(c, u8x16_splat(b'0'));
        // Setting bit 5 lowercases ASCII letters, so one range check covers 'a'..='f' and
        // 'A'..='F' ('A' | 0x20 == 'a'); the bytes it maps into that range are exactly those.
        let letter = u8x16_sub(v128_or(c, u8x16_splat(0x20)), u8x16_splat(b'a'));
        // Saturating `x + (0x80 - n)` has its high bit set exactly when x >= n: a byte is
        // not a digit when both `digit >= 10` and `letter >= 6`.
        let invalid = v128_and(
            u8x16_add_sat(digit, u8x16_splat(0x80 - 10)),
            u8x16_add_sat(letter, u8x16_splat(0x80 - 6)),
        );
        // For a decimal digit, `letter + 10` wraps to 0xD9 or more; for a letter, `digit`
        // is 0x11 or more: the smaller of the two is the value either way.
        (
            u8x16_min(digit, u8x16_add(letter, u8x16_splat(10))),
            invalid,
        )
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

    /// Writes the 16 bytes that 32 hex digits stand for, or returns false if any byte
    /// is not one (leaving `bytes` in any state).
    // Inlined into the caller's loop: the size-optimised build would otherwise call it
    // per block and pass the vectors through memory.
    #[inline(always)]
    pub fn hex_pairs(digits: &[u8; 32], bytes: &mut [u8; 16]) -> bool {
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const fn each(b: u8) -> u64 {
            u64::from_ne_bytes([b; 8])
        }
        let mut invalid = 0u64;
        for (out, word) in bytes.chunks_exact_mut(4).zip(digits.chunks_exact(8)) {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            let x = u64::from_le_bytes(eight);
            // Range checks on 7-bit bytes: `b + (0x80 - n)` has its high bit set exactly
            // when b >= n, and carries into no other byte. Bytes of 0x80 and more are
            // never hex digits, and are masked out first so that they carry nothing.
            let ascii = x & !HIGH;
            let at_least = |n: u8| ascii + each(0x80 - n);
            let digit = at_least(b'0') & !at_least(b'9' + 1);
            let lower = ascii | each(0x20); // 'A' | 0x20 == 'a'
            let letter = (lower + each(0x80 - b'a')) & !(lower + each(0x80 - b'f' - 1)) & HIGH;
            invalid |= (x | !(digit | letter)) & HIGH;
            // A digit's value is its low four bits, a letter's is those plus 9 ('a' is
            // 0x61): `letter` holds 0x80 in each letter's byte, and 0x80 >> 4 | 0x80 >> 7 == 9.
            let nibbles = (x & each(0x0F)) + ((letter >> 4) | (letter >> 7));
            // Little-endian, so byte 2i holds the high nibble and byte 2i + 1 the low one:
            // put 16 * high + low in the even bytes, then close up the gaps.
            let pairs = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF_00FF_00FF_00FF;
            let pairs = (pairs | (pairs >> 8)) & 0x0000_FFFF_0000_FFFF;
            let pairs = (pairs | (pairs >> 16)) as u32;
            out.copy_from_slice(&pairs.to_le_bytes());
        }
        invalid == 0
    }
    /// Writes the 16 bytes of 16 triples of two hex digits and a separator (space, tab,
    /// line feed, form feed, carriage return, `,` or `:`), and returns which separators
    /// are line breaks (bit i for the triple at 3i); `None` if any triple is not one.
    /// Natively a triple at a time: words would not line up with triples.
    pub fn spaced_pairs(text: &[u8; 48], bytes: &mut [u8; 16]) -> Option<u16> {
        use crate::bytes::hex::{digit_value, is_ascii_separator};
        let mut line_breaks = 0;
        for (i, (triple, byte)) in text.chunks_exact(3).zip(bytes.iter_mut()).enumerate() {
            let (high, low) = (digit_value(triple[0])?, digit_value(triple[1])?);
            if !is_ascii_separator(triple[2]) {
                return None;
            }
            *byte = (high << 4) | low;
            line_breaks |= u16::from(matches!(triple[2], b'\n' | b'\r')) << i;
        }
        Some(line_breaks)
    }
}

pub use imp::{hex_pairs, spaced_pairs, xor_key, Block};

/// `bytes` as an unaligned head, whole aligned blocks, and a tail, for in-place changes.
pub fn split_mut(bytes: &mut [u8]) -> (&mut [u8], &mut [Block], &mut [u8]) {
    // SAFETY: every bit pattern is a valid Block, and every byte pattern it is written back as.
    unsafe { bytes.align_to_mut::<Block>() }
}
