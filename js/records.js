// A push's results as the wasm side hands them over (src/wasm/records.rs): one Float64Array
// of records and one copy of each byte buffer they point into. Frames and messages are
// light objects over them: the numbers are read into own properties, and the heavy parts
// (payload, data, text, fields, maskingKey, frames) are made on first access and kept.
// The record layout comes from the wasm (recordLayout), so nothing here knows a field's
// place by number. The buffers are copies owned by JS: a payload stays valid after the next
// push, after free() and after wasm memory grows.
import { Decoder as WasmDecoder } from "../pkg/wsinspect.js";

let layout;

/** The layout, read once from the wasm: each record's field places and the name tables. */
function places() {
  if (layout) return layout;
  const raw = WasmDecoder.recordLayout();
  const at = (names) => Object.fromEntries(names.map((name, i) => [name, i]));
  layout = {
    ...raw,
    H: at(raw.header), F: at(raw.frame), M: at(raw.message),
    frameSize: raw.frame.length, messageSize: raw.message.length,
    bit: Object.fromEntries(raw.flags.map((name, i) => [name, 1 << i])),
  };
  return layout;
}

const hexDigits = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Bytes as lowercase hex, as the CLI's JSON writes them. */
export function toHex(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += hexDigits[bytes[i]];
  return s;
}

const utf8 = new TextDecoder();
/** Text already validated by the core: short ASCII without TextDecoder's call cost. */
function decodeText(bytes) {
  if (bytes.length <= 256) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, bytes);
  }
  return utf8.decode(bytes);
}

/**
 * One frame of a result: the fields of the package's Frame (js/index.d.ts). The numbers and
 * flags are own properties (so a spread or Object.keys sees them); payload, maskingKey and
 * fields are made on first access.
 */
export class Frame {
  #r; #at; #bufs; #payload; #fields; #key;
  constructor(r, at, buffers, strings) {
    const F = layout.F, flags = r[at + F.flags], bit = layout.bit;
    this.#r = r; this.#at = at; this.#bufs = buffers;
    this.index = r[at + F.index];
    this.offset = r[at + F.offset];
    this.headerLength = r[at + F.headerLength];
    this.length = r[at + F.length];
    this.fin = (flags & bit.fin) !== 0;
    this.rsv1 = (flags & bit.rsv1) !== 0;
    this.rsv2 = (flags & bit.rsv2) !== 0;
    this.rsv3 = (flags & bit.rsv3) !== 0;
    this.opcode = r[at + F.opcode];
    this.kind = layout.kinds[r[at + F.kind]];
    this.compressed = (flags & bit.compressed) !== 0;
    this.masked = (flags & bit.masked) !== 0;
    this.payloadLength = r[at + F.payloadLength];
    this.lengthEncoding = layout.lengthEncodings[r[at + F.lengthEncoding]];
    this.payloadOffset = r[at + F.payloadOffset];
    const code = r[at + F.closeCode];
    if (code >= 0) {
      this.closeCode = code;
      const s = r[at + F.closeStrings];
      if (strings[s] != null) this.closeCodeName = strings[s];
      if (strings[s + 1] != null) this.closeReason = strings[s + 1];
    }
  }
  get maskingKey() {
    const key = this.#r[this.#at + layout.F.maskingKey];
    if (key < 0) return null;
    return (this.#key ??= new Uint8Array([key >>> 24, (key >>> 16) & 255, (key >>> 8) & 255, key & 255]));
  }
  get payload() {
    if (this.#payload) return this.#payload;
    const F = layout.F, r = this.#r, at = this.#at, b = r[at + F.payloadBuffer];
    return (this.#payload = b < 0 ? new Uint8Array(0) : this.#bufs[b].subarray(r[at + F.payloadStart], r[at + F.payloadEnd]));
  }
  get fields() {
    return (this.#fields ??= WasmDecoder.recordFields(this.#r.subarray(this.#at, this.#at + layout.frameSize)));
  }
  /** Whether this frame's payload is these bytes of that buffer (for a message that shares it). */
  hasPayloadAt(buffer, start, end) {
    const F = layout.F, r = this.#r, at = this.#at;
    return r[at + F.payloadBuffer] === buffer && r[at + F.payloadStart] === start && r[at + F.payloadEnd] === end;
  }
  toJSON() {
    const o = {
      index: this.index, offset: this.offset, headerLength: this.headerLength, length: this.length,
      fin: this.fin, rsv1: this.rsv1, rsv2: this.rsv2, rsv3: this.rsv3,
      opcode: this.opcode, kind: this.kind, compressed: this.compressed, masked: this.masked,
      maskingKey: this.maskingKey && toHex(this.maskingKey),
      payloadLength: this.payloadLength, lengthEncoding: this.lengthEncoding, payloadOffset: this.payloadOffset,
      payload: toHex(this.payload),
    };
    if (this.closeCode !== undefined) o.closeCode = this.closeCode;
    if (this.closeCodeName !== undefined) o.closeCodeName = this.closeCodeName;
    if (this.closeReason !== undefined) o.closeReason = this.closeReason;
    o.fields = this.fields;
    return o;
  }
}

/**
 * One message of a result: the fields of the package's Message (js/index.d.ts); frames,
 * data and text are made on first access.
 */
export class Message {
  #r; #at; #bufs; #frames; #list; #data; #text;
  constructor(r, at, buffers, frames) {
    const M = layout.M;
    this.#r = r; this.#at = at; this.#bufs = buffers; this.#frames = frames;
    this.index = r[at + M.index];
    this.kind = layout.messageKinds[r[at + M.kind]];
    this.compressed = r[at + M.compressed] === 1;
    this.wireLength = r[at + M.wireLength];
    this.inflatedLength = r[at + M.inflatedLength];
    this.offset = r[at + M.offset];
    this.complete = r[at + M.complete] === 1;
  }
  #n(name) { return this.#r[this.#at + layout.M[name]]; }
  get frames() {
    if (this.#list) return this.#list;
    const from = this.#at + layout.messageSize;
    return (this.#list = Array.from(this.#r.subarray(from, from + this.#n("frameCount"))));
  }
  get data() {
    if (this.#data) return this.#data;
    const b = this.#n("dataBuffer");
    if (b < 0) return (this.#data = new Uint8Array(0));
    // A message of one uncompressed frame is that frame's payload, the same object.
    if (this.#n("frameCount") === 1 && !this.compressed && this.#frames.length) {
      const only = this.#r[this.#at + layout.messageSize];
      const frame = this.#frames[only - this.#frames[0].index];
      if (frame?.index === only && frame.hasPayloadAt(b, this.#n("dataStart"), this.#n("dataEnd"))) {
        return (this.#data = frame.payload);
      }
    }
    return (this.#data = this.#bufs[b].subarray(this.#n("dataStart"), this.#n("dataEnd")));
  }
  get text() {
    if (this.#text !== undefined) return this.#text;
    const end = this.#n("textEnd");
    return (this.#text = end < 0 ? null : decodeText(this.data.subarray(0, end)));
  }
  toJSON() {
    return {
      index: this.index, kind: this.kind, frames: this.frames, offset: this.offset, compressed: this.compressed,
      wireLength: this.wireLength, inflatedLength: this.inflatedLength, complete: this.complete,
      data: toHex(this.data), text: this.text,
    };
  }
}

/**
 * A result from what pushRecords/endRecords/commitRecords returned: `{frames, messages,
 * violations, incomplete, notices, role, protocol}` and `bytes`, the count of payload and
 * message bytes it holds (for the package's budget).
 */
export function readRecords([records, rare, ...buffers]) {
  const L = places();
  const head = (name) => records[L.H[name]];
  const frames = new Array(head("frames"));
  const messages = new Array(head("messages"));
  const strings = rare?.strings ?? [];
  let at = L.header.length;
  for (let i = 0; i < frames.length; i++, at += L.frameSize) frames[i] = new Frame(records, at, buffers, strings);
  for (let i = 0; i < messages.length; i++) {
    messages[i] = new Message(records, at, buffers, frames);
    at += L.messageSize + records[at + L.M.frameCount];
  }
  let bytes = 0;
  for (const b of buffers) bytes += b.length;
  const incomplete = rare?.incomplete ?? null;
  if (incomplete?.partial) bytes += incomplete.partial.payload.length;
  return {
    frames, messages,
    violations: rare?.violations ?? [],
    incomplete,
    notices: rare?.notices ?? [],
    role: L.roles[head("role")],
    protocol: L.protocols[head("protocol")],
    bytes,
  };
}
