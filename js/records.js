// A push's results as the wasm side hands them over (src/wasm/records.rs): one Float64Array
// of records and one copy of each byte buffer they point into. Frames and messages are
// light objects over them: every field is a getter reading its record, and the heavy parts
// (payload, data, text, fields, maskingKey, frames) are made on first access and kept.
// The record layout comes from the wasm (recordLayout), so nothing here knows a field's
// place by number. The buffers are copies owned by JS: a payload stays valid after the next
// push, after free() and after wasm memory grows.
import { recordFields, recordLayout } from "../pkg/wsinspect.js";

let layout;

/** The layout, read once from the wasm: each record's field places and the name tables. */
function places() {
  if (layout) return layout;
  const raw = recordLayout();
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
  if (bytes.length <= 32) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, bytes);
  }
  return utf8.decode(bytes);
}

const EMPTY = new Uint8Array(0);

/** One frame of a result; the fields of the package's Frame (js/index.d.ts). */
export class Frame {
  #r; #at; #bufs; #strings; #payload; #fields; #key;
  constructor(records, at, buffers, strings) {
    this.#r = records; this.#at = at; this.#bufs = buffers; this.#strings = strings;
  }
  #n(name) { return this.#r[this.#at + layout.F[name]]; }
  #flag(name) { return (this.#n("flags") & layout.bit[name]) !== 0; }
  get index() { return this.#n("index"); }
  get offset() { return this.#n("offset"); }
  get headerLength() { return this.#n("headerLength"); }
  get length() { return this.#n("length"); }
  get fin() { return this.#flag("fin"); }
  get rsv1() { return this.#flag("rsv1"); }
  get rsv2() { return this.#flag("rsv2"); }
  get rsv3() { return this.#flag("rsv3"); }
  get opcode() { return this.#n("opcode"); }
  get kind() { return layout.kinds[this.#n("kind")]; }
  get masked() { return this.#flag("masked"); }
  get compressed() { return this.#flag("compressed"); }
  get maskingKey() {
    const key = this.#n("maskingKey");
    if (key < 0) return null;
    return (this.#key ??= new Uint8Array([key >>> 24, (key >>> 16) & 255, (key >>> 8) & 255, key & 255]));
  }
  get payloadLength() { return this.#n("payloadLength"); }
  get lengthEncoding() { return layout.lengthEncodings[this.#n("lengthEncoding")]; }
  get payloadOffset() { return this.#n("payloadOffset"); }
  get payload() {
    if (this.#payload) return this.#payload;
    const b = this.#n("payloadBuffer");
    return (this.#payload = b < 0 ? EMPTY.slice() : this.#bufs[b].subarray(this.#n("payloadStart"), this.#n("payloadEnd")));
  }
  get closeCode() { const c = this.#n("closeCode"); return c < 0 ? undefined : c; }
  get closeCodeName() { const s = this.#n("closeStrings"); return s < 0 ? undefined : (this.#strings[s] ?? undefined); }
  get closeReason() { const s = this.#n("closeStrings"); return s < 0 ? undefined : (this.#strings[s + 1] ?? undefined); }
  get fields() {
    return (this.#fields ??= recordFields(this.#r.subarray(this.#at, this.#at + layout.frameSize)));
  }
  /** Where this frame's payload lies: [buffer, start, end] (for a message sharing it). */
  get payloadPlace() { return [this.#n("payloadBuffer"), this.#n("payloadStart"), this.#n("payloadEnd")]; }
  toJSON() {
    const o = {
      index: this.index, offset: this.offset, headerLength: this.headerLength, length: this.length,
      fin: this.fin, rsv1: this.rsv1, rsv2: this.rsv2, rsv3: this.rsv3,
      opcode: this.opcode, kind: this.kind, masked: this.masked, compressed: this.compressed,
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

/** One message of a result; the fields of the package's Message (js/index.d.ts). */
export class Message {
  #r; #at; #bufs; #frames; #list; #data; #text;
  constructor(records, at, buffers, frames) {
    this.#r = records; this.#at = at; this.#bufs = buffers; this.#frames = frames;
  }
  #n(name) { return this.#r[this.#at + layout.M[name]]; }
  get index() { return this.#n("index"); }
  get kind() { return layout.messageKinds[this.#n("kind")]; }
  get frames() {
    if (this.#list) return this.#list;
    const from = this.#at + layout.messageSize;
    return (this.#list = Array.from(this.#r.subarray(from, from + this.#n("frameCount"))));
  }
  get offset() { return this.#n("offset"); }
  get compressed() { return this.#n("compressed") === 1; }
  get wireLength() { return this.#n("wireLength"); }
  get inflatedLength() { return this.#n("dataEnd") - this.#n("dataStart"); }
  get complete() { return this.#n("complete") === 1; }
  get data() {
    if (this.#data) return this.#data;
    const b = this.#n("dataBuffer");
    if (b < 0) return (this.#data = EMPTY.slice());
    // A message of one uncompressed frame is that frame's payload, the same object.
    if (this.#n("frameCount") === 1 && !this.compressed) {
      const only = this.#r[this.#at + layout.messageSize];
      const frame = this.#frames.length ? this.#frames[only - this.#frames[0].index] : undefined;
      const place = frame?.payloadPlace;
      if (place && place[0] === b && place[1] === this.#n("dataStart") && place[2] === this.#n("dataEnd")) {
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
