//! Helpers shared by the decoder tests: hex, a tiny frame builder, and the split checker
//! that feeds a stream in every possible split and one byte at a time.
#![allow(dead_code)]

use wsinspect::{decode, DecodeOptions, DecodeOutput, Decoder, Frame, Protocol, Role, ViolationId};

/// Bytes from hex digits (spaces ignored).
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len() % 2 == 0, "odd hex length");
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

pub fn options(role: Role) -> DecodeOptions {
    DecodeOptions {
        role,
        ..Default::default()
    }
}

pub fn deflate_options(role: Role, extensions: &str) -> DecodeOptions {
    DecodeOptions {
        role,
        extensions: Some(extensions.to_string()),
        ..Default::default()
    }
}

pub fn hixie_options() -> DecodeOptions {
    DecodeOptions {
        protocol: Protocol::Hixie76,
        ..Default::default()
    }
}

/// Feeds `chunks` to a new decoder and appends every output, then `end`.
pub fn decode_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    options: &DecodeOptions,
) -> DecodeOutput {
    let mut decoder = Decoder::new(options.clone()).unwrap();
    let mut out = DecodeOutput::default();
    for chunk in chunks {
        out.append(decoder.push(chunk));
    }
    out.append(decoder.end());
    out
}

/// The one-shot decode, after checking that every two-piece split, a three-piece split
/// around every point, and one byte at a time give exactly the same output.
pub fn decode_all_splits(bytes: &[u8], options: &DecodeOptions) -> DecodeOutput {
    let whole = decode(bytes, options.clone()).unwrap();
    let step = if bytes.len() > 4096 { 997 } else { 1 };
    let mut points: Vec<usize> = (0..=bytes.len()).step_by(step).collect();
    points.extend(0..bytes.len().min(32));
    points.extend(bytes.len().saturating_sub(32)..=bytes.len());
    for &split in &points {
        let (a, b) = bytes.split_at(split);
        let out = decode_chunks([a, b], options);
        assert_eq!(
            out, whole,
            "split at {split} differs from the one-shot decode"
        );
        if split + 1 < bytes.len() {
            let (b1, b2) = b.split_at(1);
            let out = decode_chunks([a, b1, &[][..], b2], options);
            assert_eq!(out, whole, "split at {split}, {} differs", split + 1);
        }
    }
    let out = decode_chunks(bytes.chunks(1), options);
    assert_eq!(
        out, whole,
        "one byte at a time differs from the one-shot decode"
    );
    whole
}

/// A test-only RFC 6455 frame builder (the real encoder lives elsewhere).
#[derive(Clone)]
pub struct F {
    pub fin: bool,
    pub rsv: u8,
    pub opcode: u8,
    pub key: Option<[u8; 4]>,
    /// Force a length encoding: 7, 16 or 64 (None: minimal).
    pub encoding: Option<u8>,
    /// Override the declared length.
    pub declared: Option<u64>,
    pub payload: Vec<u8>,
}

pub fn f(opcode: u8, payload: &[u8]) -> F {
    F {
        fin: true,
        rsv: 0,
        opcode,
        key: None,
        encoding: None,
        declared: None,
        payload: payload.to_vec(),
    }
}

impl F {
    pub fn fin(mut self, fin: bool) -> F {
        self.fin = fin;
        self
    }
    pub fn rsv(mut self, rsv: u8) -> F {
        self.rsv = rsv;
        self
    }
    pub fn key(mut self, key: [u8; 4]) -> F {
        self.key = Some(key);
        self
    }
    pub fn encoding(mut self, bits: u8) -> F {
        self.encoding = Some(bits);
        self
    }
    pub fn declared(mut self, len: u64) -> F {
        self.declared = Some(len);
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = vec![(u8::from(self.fin) << 7) | (self.rsv << 4) | self.opcode];
        let len = self.declared.unwrap_or(self.payload.len() as u64);
        let encoding = self.encoding.unwrap_or(match len {
            0..=125 => 7,
            126..=65535 => 16,
            _ => 64,
        });
        let mask_bit = if self.key.is_some() { 0x80 } else { 0 };
        match encoding {
            7 => out.push(mask_bit | len as u8),
            16 => {
                out.push(mask_bit | 126);
                out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                out.push(mask_bit | 127);
                out.extend_from_slice(&len.to_be_bytes());
            }
        }
        let mut payload = self.payload.clone();
        if let Some(key) = self.key {
            out.extend_from_slice(&key);
            for (i, b) in payload.iter_mut().enumerate() {
                *b ^= key[i % 4];
            }
        }
        out.extend_from_slice(&payload);
        out
    }
}

/// Concatenates frames.
pub fn stream(frames: &[F]) -> Vec<u8> {
    frames.iter().flat_map(F::bytes).collect()
}

/// A tiny xorshift PRNG for property tests (no dependency, reproducible).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// Each violation as (id, offset, frame), the triple the tests compare.
pub fn violation_triples(out: &DecodeOutput) -> Vec<(ViolationId, u64, Option<usize>)> {
    out.violations
        .iter()
        .map(|v| (v.id, v.offset, v.frame))
        .collect()
}

/// Each violation as (id, offset, length): where it is and the span that breaks the rule.
pub fn violation_spans(out: &DecodeOutput) -> Vec<(ViolationId, u64, u64)> {
    out.violations
        .iter()
        .map(|v| (v.id, v.offset, v.length))
        .collect()
}

/// Each field of a frame as (name, offset, length).
pub fn field_spans(frame: &Frame) -> Vec<(&'static str, u64, u64)> {
    frame
        .fields()
        .iter()
        .map(|x| (x.name, x.offset, x.length))
        .collect()
}
