// One direction of a tapped connection, as the server saw it: the HTTP head first (parsed and
// checked with parseHandshake), then frames, fed to a Decoder chunk by chunk as the tap's
// `bytes` records arrive. `in` is what the browser sent (client frames, masked), `out` what
// the server wrote.
import * as ws from "/js/index.js";

export class WireStream {
  /** `dir` is "in" or "out". */
  constructor(dir) {
    this.dir = dir;
    this.role = dir === "in" ? "client" : "server";
    this.received = 0;
    this.headBytes = new Uint8Array(0);
    this.head = null;
    this.headLength = null;
    this.headError = null;
    this.pending = [];
    this.decoder = null;
    this.stopped = false;
    this.chunks = [];
  }

  /**
   * Takes one `bytes` record's payload. Returns what became known: `{head, result, gap}`:
   * `head` once the HTTP head is whole (or broken), `result` the Decoder's answer for frames,
   * `gap` an error line if the record does not continue the stream where the last one ended.
   */
  push(bytes, offset) {
    const out = { head: null, result: null, gap: null };
    if (offset !== this.received) {
      out.gap = `the ${this.dir} records skip from byte ${this.received} to byte ${offset}: the view stops here`;
      this.stopped = true;
    }
    if (this.stopped) return out;
    this.received += bytes.length;
    this.chunks.push(bytes);
    if (this.head === null) {
      const all = concat(this.headBytes, bytes);
      // parseHandshake holds the core's one head limit (MAX_HEAD_LENGTH): a longer head is
      // its error `head-too-large`, and the view stops there.
      const h = ws.parseHandshake(all);
      if (h.error) {
        this.head = h;
        this.headBytes = all;
        this.headError = h.error;
        this.stopped = true;
        out.head = h;
        return out;
      }
      if (h.headLength === null || h.headLength === undefined) {
        this.headBytes = all;
        return out;
      }
      this.head = h;
      this.headLength = h.headLength;
      this.headBytes = all.slice(0, h.headLength);
      out.head = h;
      bytes = all.subarray(h.headLength);
      if (!bytes.length) return out;
    }
    if (this.decoder) out.result = this.decoder.push(bytes);
    else this.pending.push(bytes.slice());
    return out;
  }

  /**
   * Starts decoding frames with the negotiated extensions (the response's
   * Sec-WebSocket-Extensions); returns the result for the bytes that waited for it, or null.
   */
  startFrames(extensions) {
    if (this.decoder || this.stopped) return null;
    this.decoder = new ws.Decoder({ role: this.role, protocol: "rfc6455", extensions: extensions || undefined });
    const waiting = concat(...this.pending);
    this.pending = [];
    return waiting.length ? this.decoder.push(waiting) : null;
  }

  /** The stream ended: the Decoder's report on an incomplete tail (or null). */
  end() {
    if (!this.decoder) return null;
    const result = this.decoder.end();
    this.free();
    return result;
  }

  /** Every byte of this direction up to its first gap, head included (what a capture of it holds). */
  bytes() {
    if (this.chunks.length > 1) this.chunks = [concat(...this.chunks)];
    return this.chunks[0] ?? new Uint8Array(0);
  }

  free() {
    this.decoder?.free();
    this.decoder = null;
    this.stopped = true;
  }
}

/** The values of a header, joined as one list (HTTP allows a header to repeat). */
export function headerValue(head, name) {
  if (!head?.headers) return null;
  const values = head.headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value.trim());
  return values.length ? values.join(", ") : null;
}

function concat(...parts) {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
