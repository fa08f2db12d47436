// Frames kept as columns of typed arrays, so that a capture of hundreds of thousands of
// frames crosses from the worker to the page without one JS object per frame: the worker
// packs each chunk's frames into a batch (FramePacker), the page appends batches to a
// FrameStore and rebuilds a frame object only for the rows and bytes it shows. A frame's
// field spans (about ten) are stored once per distinct layout relative to the frame's
// first byte; a capture of like frames shares a handful of layouts.

const NUM = 5; // offset, headerLength, length, payloadLength, payloadOffset
const U8 = 4; // flags, opcode, kind code, length-encoding code
const ENCODINGS = ["7", "16", "64"];
const FLAG = { fin: 1, rsv1: 2, rsv2: 4, rsv3: 8, masked: 16, compressed: 32 };

function grow(array, needed) {
  if (needed <= array.length) return array;
  const next = new array.constructor(Math.max(needed, array.length * 2, 64));
  next.set(array);
  return next;
}

/** Worker side: packs frames (objects from the package's decode) into transferable batches. */
export class FramePacker {
  constructor() {
    this.names = []; // kind and field names, interned; the page receives the whole table each batch
    this.codes = new Map();
    this.layouts = []; // [[name code, offset from the frame's start, length], ...] per layout id
    this.layoutIds = new Map();
    this.sentLayouts = 0;
    this.reset();
  }

  reset() {
    this.count = 0;
    this.num = new Float64Array(64 * NUM);
    this.u8 = new Uint8Array(64 * U8);
    this.key = new Uint32Array(64);
    this.layout = new Uint32Array(64);
    this.close = [];
  }

  code(name) {
    let c = this.codes.get(name);
    if (c === undefined) {
      c = this.names.length;
      this.names.push(name);
      this.codes.set(name, c);
    }
    return c;
  }

  add(f) {
    const i = this.count++;
    this.num = grow(this.num, this.count * NUM);
    this.u8 = grow(this.u8, this.count * U8);
    this.key = grow(this.key, this.count);
    this.layout = grow(this.layout, this.count);
    this.num.set([f.offset, f.headerLength, f.length, f.payloadLength, f.payloadOffset], i * NUM);
    const flags = (f.fin ? FLAG.fin : 0) | (f.rsv1 ? FLAG.rsv1 : 0) | (f.rsv2 ? FLAG.rsv2 : 0)
      | (f.rsv3 ? FLAG.rsv3 : 0) | (f.masked ? FLAG.masked : 0) | (f.compressed ? FLAG.compressed : 0);
    const enc = ENCODINGS.indexOf(String(f.lengthEncoding));
    this.u8.set([flags, f.opcode & 0xff, this.code(f.kind), enc < 0 ? 255 : enc], i * U8);
    const k = f.maskingKey;
    this.key[i] = k && k.length === 4 ? ((k[0] << 24) | (k[1] << 16) | (k[2] << 8) | k[3]) >>> 0 : 0;
    const layout = (f.fields ?? []).map((x) => [this.code(x.name), x.offset - f.offset, x.length]);
    const signature = layout.join(";");
    let id = this.layoutIds.get(signature);
    if (id === undefined) {
      id = this.layouts.length;
      this.layouts.push(layout);
      this.layoutIds.set(signature, id);
    }
    this.layout[i] = id;
    if (f.closeCode !== undefined || f.closeReason !== undefined) {
      this.close.push([f.index, f.closeCode ?? null, f.closeCodeName ?? "", f.closeReason ?? ""]);
    }
  }

  /** The frames added since the last take(), and the buffers to transfer with them. */
  take() {
    const batch = {
      count: this.count,
      names: this.names.slice(),
      num: this.num.slice(0, this.count * NUM),
      u8: this.u8.slice(0, this.count * U8),
      key: this.key.slice(0, this.count),
      layout: this.layout.slice(0, this.count),
      layouts: this.layouts.slice(this.sentLayouts),
      close: this.close,
    };
    this.sentLayouts = this.layouts.length;
    this.reset();
    return [batch, [batch.num.buffer, batch.u8.buffer, batch.key.buffer, batch.layout.buffer]];
  }
}

/** Page side: all frames decoded so far, appended batch by batch. */
export class FrameStore {
  constructor() {
    this.count = 0;
    this.names = [];
    this.num = new Float64Array(0);
    this.u8 = new Uint8Array(0);
    this.key = new Uint32Array(0);
    this.layout = new Uint32Array(0);
    this.layouts = [];
    this.close = new Map();
  }

  append(batch) {
    const n = this.count + batch.count;
    this.num = grow(this.num, n * NUM);
    this.u8 = grow(this.u8, n * U8);
    this.key = grow(this.key, n);
    this.layout = grow(this.layout, n);
    this.num.set(batch.num, this.count * NUM);
    this.u8.set(batch.u8, this.count * U8);
    this.key.set(batch.key, this.count);
    this.layout.set(batch.layout, this.count);
    for (const l of batch.layouts) this.layouts.push(l);
    for (const [index, code, name, reason] of batch.close) this.close.set(index, { code, name, reason });
    this.names = batch.names;
    this.count = n;
  }

  offset(i) { return this.num[i * NUM]; }
  end(i) { return this.num[i * NUM] + this.num[i * NUM + 2]; }

  /**
   * The frame object for row i: the package's Frame fields without the payload bytes (the
   * page holds the input; fields.js reads a payload byte from it).
   */
  frame(i) {
    const n = i * NUM, u = i * U8, flags = this.u8[u];
    const masked = (flags & FLAG.masked) !== 0;
    const k = this.key[i];
    const start = this.num[n];
    const fields = this.layouts[this.layout[i]].map(([name, at, length]) => ({ name: this.names[name], offset: start + at, length }));
    return {
      index: i,
      offset: this.num[n], headerLength: this.num[n + 1], length: this.num[n + 2],
      payloadLength: this.num[n + 3], payloadOffset: this.num[n + 4],
      fin: (flags & FLAG.fin) !== 0, rsv1: (flags & FLAG.rsv1) !== 0, rsv2: (flags & FLAG.rsv2) !== 0,
      rsv3: (flags & FLAG.rsv3) !== 0, compressed: (flags & FLAG.compressed) !== 0, masked,
      opcode: this.u8[u + 1], kind: this.names[this.u8[u + 2]],
      lengthEncoding: ENCODINGS[this.u8[u + 3]] ?? "",
      maskingKey: masked ? new Uint8Array([k >>> 24, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff]) : null,
      fields, close: this.close.get(i) ?? null,
    };
  }

  /** The index of the frame whose bytes contain `offset`, or -1. */
  indexAt(offset) {
    let lo = 0, hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.offset(mid) > offset) hi = mid - 1;
      else if (this.end(mid) <= offset) lo = mid + 1;
      else return mid;
    }
    return -1;
  }
}
