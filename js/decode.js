// decode() and Decoder with the defaults that keep a tab alive: a maximum message size of
// 64 MiB unless the caller chooses one (Infinity lifts it), and a budget for what one decode
// returns in all (payload and message bytes), 256 MiB unless chosen. Over the budget the
// decoder stops and says so in a notice; it never grows wasm memory until it traps. Bytes go
// into wasm in steps small enough that one step cannot inflate past the budget by much
// (DEFLATE expands at most about 1032 to 1). The limits themselves live in the core decoder;
// this file only picks the defaults, counts what it hands back and checks its arguments.
import { Decoder as WasmDecoder } from "../pkg/wsinspect.js";
import { readRecords } from "./records.js";

/** The maximum message size when the options do not name one. */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
/** The most payload and message bytes one decode returns when the options do not name a budget. */
export const DEFAULT_MAX_TOTAL_SIZE = 256 * 1024 * 1024;

/** Bytes pushed into wasm at once: 1 MiB plain, 64 KiB when an extension may inflate. */
const STEP = 1 << 20;
const INFLATE_STEP = 64 << 10;
const dispose = Symbol.dispose ?? Symbol.for("Symbol.dispose");

const mib = (n) => (n % (1 << 20) === 0 ? `${n / (1 << 20)} MiB` : `${n} bytes`);

/** Throws unless `value` is a Uint8Array (or another view of single bytes). */
function checkBytes(value, what) {
  if (!ArrayBuffer.isView(value) || value.BYTES_PER_ELEMENT !== 1) {
    const got = value === null ? "null" : typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value;
    throw new TypeError(`${what} needs a Uint8Array, got ${got}`);
  }
}

/**
 * The options as the wasm side takes them, with the default maximum message size applied
 * (missing: 64 MiB; Infinity: none), and whether the default was the one applied.
 */
export function withMessageLimit(options) {
  if (options !== undefined && options !== null && typeof options !== "object") {
    throw new TypeError("the options must be an object");
  }
  const wasm = { ...(options ?? {}) };
  if (wasm.maxMessageSize === undefined || wasm.maxMessageSize === null) {
    wasm.maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    return { wasm, defaultLimit: true };
  }
  if (wasm.maxMessageSize === Infinity) delete wasm.maxMessageSize;
  return { wasm, defaultLimit: false };
}

/**
 * The notice a result gets when the default limit (not one the caller chose) was hit: at
 * the first message-too-big among `violations`, or null when there is none.
 */
export function defaultLimitNotice(violations) {
  const over = violations.find((v) => v.id === "message-too-big");
  if (!over) return null;
  const message = `the default maximum message size of ${mib(DEFAULT_MAX_MESSAGE_SIZE)} applies; pass maxMessageSize (a larger number of bytes, or Infinity) to raise it`;
  return { id: "default-message-limit", offset: over.offset, message, over };
}

/** The wasm decoder's options, the budget and the step, from the caller's options. */
function settle(options) {
  const { wasm, defaultLimit } = withMessageLimit(options);
  const given = options ?? {};
  delete wasm.maxTotalSize;
  let budget = given.maxTotalSize ?? DEFAULT_MAX_TOTAL_SIZE;
  if (typeof budget !== "number" || !(budget >= 0)) {
    throw new RangeError("maxTotalSize must be a number of bytes (0 or more), or Infinity");
  }
  const inflates = typeof given.extensions === "string" && given.extensions.trim() !== "";
  return { wasm, budget, defaultLimit, step: inflates ? INFLATE_STEP : STEP };
}

const empty = (role = "unknown", protocol = "unknown") => ({
  frames: [], messages: [], violations: [], incomplete: null, notices: [], role, protocol,
});

/** `later` appended to `out`, as the core's DecodeOutput::append does. */
function append(out, later) {
  for (const f of later.frames) out.frames.push(f);
  for (const m of later.messages) out.messages.push(m);
  for (const v of later.violations) out.violations.push(v);
  for (const n of later.notices) out.notices.push(n);
  if (later.incomplete) out.incomplete = later.incomplete;
  out.role = later.role;
  out.protocol = later.protocol;
}

const TWO_53 = 2n ** 53n;

/**
 * A count of missing bytes above 2^53 cannot be a JS number without rounding: it becomes the
 * string "more than 2^53" (the message keeps the exact count, from the core's u64).
 */
function exactNeeded(incomplete) {
  if (incomplete && typeof incomplete.needed === "number" && incomplete.needed > Number.MAX_SAFE_INTEGER) {
    const digits = /: (\d+) more byte/.exec(incomplete.message)?.[1];
    if (!digits || BigInt(digits) > TWO_53) incomplete.needed = "more than 2^53";
  }
}

/** Throws unless `n` is a byte count writable(n) can take. */
export function checkWritable(n) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("writable(n) needs a byte count (0 or more)");
}

/** Throws unless `n` is at most the `granted` bytes the last writable() view gave. */
export function checkCommit(n, granted) {
  if (!Number.isSafeInteger(n) || n < 0 || n > granted) {
    throw new RangeError(`commit(n) needs at most the ${granted} bytes writable() gave`);
  }
}

/** Incremental decoding with the package's defaults; push() and end() as the core's Decoder. */
export class Decoder {
  #inner;
  #step;
  #budget;
  #defaultLimit;
  #held = 0;
  #at = 0;
  #stopped = false;
  #toldLimit = false;
  #role = "unknown";
  #protocol = "unknown";
  #writable = 0;

  constructor(options) {
    const { wasm, budget, defaultLimit, step } = settle(options);
    this.#inner = new WasmDecoder(wasm);
    this.#budget = budget;
    this.#defaultLimit = defaultLimit;
    this.#step = step;
  }

  /** Decodes a chunk; returns what it completed. */
  push(chunk) {
    checkBytes(chunk, "Decoder.push");
    const inner = this.#live();
    if (this.#stopped) return empty(this.#role, this.#protocol);
    if (chunk.length <= this.#step) return this.#take(this.#call(() => inner.pushRecords(chunk)), chunk.length);
    const out = empty(this.#role, this.#protocol);
    for (let at = 0; at < chunk.length && !this.#stopped; at += this.#step) {
      const part = chunk.subarray(at, at + this.#step);
      append(out, this.#take(this.#call(() => inner.pushRecords(part)), part.length));
    }
    return out;
  }

  /**
   * Zero-copy intake: a view of `n` bytes of wasm memory to read input into (a socket's
   * read, say), then decoded by commit(). The view is valid only until the next call on
   * this decoder or any other wasm call (one may grow wasm memory, which detaches it).
   */
  writable(n) {
    checkWritable(n);
    const inner = this.#live();
    this.#writable = Math.min(n, this.#step);
    return this.#call(() => inner.writable(this.#writable));
  }

  /** Decodes the first `n` bytes written into the view writable() returned; as push() of them. */
  commit(n) {
    checkCommit(n, this.#writable);
    const inner = this.#live();
    this.#writable = 0;
    if (this.#stopped) return empty(this.#role, this.#protocol);
    return this.#take(this.#call(() => inner.commitRecords(n)), n);
  }

  /** Ends the stream: the truncated tail and a message left open. */
  end() {
    const inner = this.#live();
    if (this.#stopped) return empty(this.#role, this.#protocol);
    const out = this.#take(this.#call(() => inner.endRecords()), 0);
    exactNeeded(out.incomplete);
    return out;
  }

  /** Releases the wasm side; safe to call twice, and after a failure. */
  free() {
    const inner = this.#inner;
    this.#inner = null;
    try {
      inner?.free();
    } catch {
      // A decoder whose call trapped stays borrowed forever; there is nothing left to free.
    }
  }

  [dispose]() {
    this.free();
  }

  #live() {
    if (!this.#inner) throw new Error("this Decoder was freed (or failed) and takes no more input");
    return this.#inner;
  }

  /** Runs a wasm call; if it throws (a trap), the decoder is done and the error is the caller's. */
  #call(f) {
    try {
      return f();
    } catch (e) {
      this.free();
      throw e;
    }
  }

  /** Reads a result's records; counts what it holds against the budget; adds the notices the limits call for. */
  #take(records, length) {
    const { bytes, ...r } = readRecords(records);
    this.#at += length;
    this.#role = r.role;
    this.#protocol = r.protocol;
    const notice = this.#defaultLimit && !this.#toldLimit && defaultLimitNotice(r.violations);
    if (notice) {
      this.#toldLimit = true;
      const { over, ...plain } = notice;
      r.notices.push(plain);
    }
    this.#held += bytes;
    if (this.#held > this.#budget) {
      this.#stopped = true;
      r.notices.push({ id: "budget-reached", offset: this.#at, message: `decoding stopped at byte ${this.#at}: the results reached the budget of ${mib(this.#budget)} for one decode; pass maxTotalSize (a larger number of bytes, or Infinity) to decode further` });
    }
    return r;
  }
}

/** Decodes a whole capture: the same result as pushing it in any split and calling end(). */
export function decode(bytes, options) {
  checkBytes(bytes, "decode");
  const decoder = new Decoder(options);
  try {
    const out = decoder.push(bytes);
    append(out, decoder.end());
    return out;
  } finally {
    decoder.free();
  }
}
