//! Masking (RFC 6455 §5.3), a block at a time (see `blocks`).

use crate::blocks;

/// XORs `buf` with the masking key, in place; `phase` is the index (mod 4) in the payload
/// of `buf[0]`, so a payload can be unmasked in pieces as it arrives.
///
/// RFC 6455 §5.3: "Octet i of the transformed data ("transformed-octet-i") is the XOR of
/// octet i of the original data ("original-octet-i") with octet at index i modulo 4 of
/// the masking key ("masking-key-octet-j")". Masking and unmasking are the same operation.
///
/// ```
/// let mut data = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// wsinspect::unmask(&mut data, [0x37, 0xfa, 0x21, 0x3d], 0);
/// assert_eq!(&data, b"Hello");
/// ```
pub fn unmask(buf: &mut [u8], key: [u8; 4], phase: usize) {
    let (head, whole, tail) = blocks::split_mut(buf);
    unmask_bytewise(head, key, phase);
    let phase = phase + head.len();
    let k = |i: usize| key[(phase + i) % 4];
    blocks::xor_key(whole, [k(0), k(1), k(2), k(3)]);
    // Blocks are a multiple of 4 bytes long, so the tail's phase is the same.
    unmask_bytewise(tail, key, phase);
}

/// The byte-by-byte reference version of [`unmask`], kept for tests and benchmarks.
pub fn unmask_bytewise(buf: &mut [u8], key: [u8; 4], phase: usize) {
    for (i, byte) in buf.iter_mut().enumerate() {
        *byte ^= key[(phase + i) % 4];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_version_equals_bytewise_for_every_length_alignment_and_phase() {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        let source: Vec<u8> = (0..80u32).map(|i| (i * 151 + 7) as u8).collect();
        for align in 0..8 {
            for len in 0..=64 {
                for phase in 0..8 {
                    let mut fast = source.clone();
                    let mut slow = source.clone();
                    unmask(&mut fast[align..align + len], key, phase);
                    unmask_bytewise(&mut slow[align..align + len], key, phase);
                    assert_eq!(fast, slow, "align {align} len {len} phase {phase}");
                    if len > 0 {
                        assert_ne!(fast, source, "masking changed nothing");
                    }
                }
            }
        }
    }

    #[test]
    fn unmasking_in_pieces_equals_unmasking_at_once() {
        let key = [1, 2, 3, 4];
        let source: Vec<u8> = (0..50u8).collect();
        for split in 0..=source.len() {
            let mut whole = source.clone();
            unmask(&mut whole, key, 0);
            let mut pieces = source.clone();
            let (a, b) = pieces.split_at_mut(split);
            unmask(a, key, 0);
            unmask(b, key, split);
            assert_eq!(whole, pieces);
        }
    }
}
