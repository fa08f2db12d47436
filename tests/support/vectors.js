// The specifications' worked examples (../shared/vectors/spec-examples.json, beside the repo).
import { readFileSync } from "node:fs";

export const vectors = JSON.parse(
  readFileSync(new URL("../../../shared/vectors/spec-examples.json", import.meta.url), "utf8"),
);

export const fromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
export const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** The bytes of a frame vector: its hex, or its prefix followed by payload_len bytes of a fixed pattern. */
export function vectorBytes(v) {
  if (v.hex) return fromHex(v.hex);
  const prefix = fromHex(v.hex_prefix);
  const out = new Uint8Array(prefix.length + v.payload_len);
  out.set(prefix);
  for (let i = 0; i < v.payload_len; i++) out[prefix.length + i] = (i * 7) & 0xff;
  return out;
}

/** A deterministic PRNG (xorshift32) so every run feeds the same "random" chunks. */
export function xorshift(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
}
