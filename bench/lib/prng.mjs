// A seeded xorshift32 generator: the same seed gives the same inputs on every machine,
// in Node and in the browser.

export class Rng {
  constructor(seed) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }

  /** The next 32-bit unsigned integer. */
  u32() {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }

  /** An integer in [lo, hi] (inclusive). */
  int(lo, hi) {
    return lo + (this.u32() % (hi - lo + 1));
  }

  /** One element of an array. */
  pick(items) {
    return items[this.u32() % items.length];
  }

  /** Fills bytes with random values, a word at a time. */
  fill(bytes) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = this.u32();
    for (let i = words.length * 4; i < bytes.length; i++) bytes[i] = this.u32() & 0xff;
    return bytes;
  }
}
