// Writes RFC 6455 frames into a buffer (the bench builds its own inputs so that it does
// not depend on the encoder under test).

/** Header length of a frame with this payload length. */
export function headerLength(len, masked) {
  return (len < 126 ? 2 : len < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes one frame at `pos` and returns the position after it.
 * opts: { fin = true, rsv1 = false, opcode, key (4 bytes or null), payload (Uint8Array) }
 */
export function writeFrame(out, pos, { fin = true, rsv1 = false, opcode, key = null, payload }) {
  const len = payload.length;
  out[pos++] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = key ? 0x80 : 0;
  if (len < 126) {
    out[pos++] = maskBit | len;
  } else if (len < 65536) {
    out[pos++] = maskBit | 126;
    out[pos++] = len >>> 8;
    out[pos++] = len & 0xff;
  } else {
    out[pos++] = maskBit | 127;
    const hi = Math.floor(len / 2 ** 32);
    const lo = len >>> 0;
    for (const word of [hi, lo]) {
      out[pos++] = word >>> 24;
      out[pos++] = (word >>> 16) & 0xff;
      out[pos++] = (word >>> 8) & 0xff;
      out[pos++] = word & 0xff;
    }
  }
  if (key) {
    out.set(key, pos);
    pos += 4;
    for (let i = 0; i < len; i++) out[pos + i] = payload[i] ^ key[i & 3];
  } else {
    out.set(payload, pos);
  }
  return pos + len;
}

/** One frame as its own buffer. */
export function frame(opts) {
  const out = new Uint8Array(headerLength(opts.payload.length, !!opts.key) + opts.payload.length);
  writeFrame(out, 0, opts);
  return out;
}
