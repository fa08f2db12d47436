// What every peer's output is reduced to before timing, so that all peers of a row can
// be checked equal (and the native build too: benches/native.rs computes the same).
// Timed runs use CountSink, which only counts; the check uses HashSink.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Counts items and bytes only: the cheap sink used while timing. */
export class CountSink {
  constructor() {
    this.count = 0;
    this.len = 0;
  }
  message(data) {
    this.count++;
    this.len += data.length;
  }
  value() {
    this.count++;
  }
  text(s) {
    this.count++;
    this.len += s.length;
  }
}

/**
 * FNV-1a (32-bit) over every item in order: a message mixes in 1 (text) or 2 (binary)
 * then its bytes; a value mixes in its low byte; a text mixes in each char code's low byte.
 */
export class HashSink {
  constructor() {
    this.count = 0;
    this.len = 0;
    this.hash = FNV_OFFSET;
  }
  message(data, isText) {
    this.count++;
    this.len += data.length;
    let h = Math.imul(this.hash ^ (isText ? 1 : 2), FNV_PRIME);
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], FNV_PRIME);
    this.hash = h >>> 0;
  }
  value(v) {
    this.count++;
    this.hash = Math.imul(this.hash ^ (v & 0xff), FNV_PRIME) >>> 0;
  }
  text(s) {
    this.count++;
    this.len += s.length;
    let h = this.hash;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ (s.charCodeAt(i) & 0xff), FNV_PRIME);
    this.hash = h >>> 0;
  }
  digest() {
    return { count: this.count, len: this.len, hash: this.hash >>> 0 };
  }
}

export function sameDigest(a, b) {
  return a.count === b.count && a.len === b.len && a.hash === b.hash;
}

export function showDigest(d) {
  return `${d.count} items, ${d.len} bytes, fnv ${d.hash.toString(16).padStart(8, "0")}`;
}
