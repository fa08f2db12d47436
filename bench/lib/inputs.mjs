// Every workload's input, generated from a fixed seed (Node side). The browser run
// fetches these same bytes; the native bench reads them from files (writeInputFiles).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { frame, headerLength, writeFrame } from "./frames.mjs";
import { Rng } from "./prng.mjs";
import { SyncZlib } from "./zlib-sync.mjs";

export const SEED = 0x5eed1e55;
const MiB = 1024 * 1024;

/** Pairs consecutive offsets into the [start, end) slices of a stream. */
function sliceList(offsets) {
  const slices = [];
  for (let i = 0; i + 1 < offsets.length; i++) slices.push([offsets[i], offsets[i + 1]]);
  return slices;
}

/**
 * 1. Large frames: masked 64 KiB binary frames, 64 MiB of payload, as 4 streams of 16 MiB
 * (one call decodes one stream; calls take them in turn).
 */
export function largeFrames(scale = 1) {
  const rng = new Rng(SEED ^ 1);
  const count = Math.max(16, Math.round(1024 * scale)) & ~3;
  const len = 64 * 1024;
  const payload = rng.fill(new Uint8Array(count * len));
  const stream = new Uint8Array(count * (headerLength(len, true) + len));
  const offsets = [0];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const key = rng.fill(new Uint8Array(4));
    pos = writeFrame(stream, pos, { opcode: 0x2, key, payload: payload.subarray(i * len, (i + 1) * len) });
    if ((i + 1) % (count / 4) === 0) offsets.push(pos);
  }
  return { stream, slices: sliceList(offsets), frames: count, payloadBytes: count * len, role: "client" };
}

// Characters for text: ASCII most of the time, then 2-, 3- and 4-byte UTF-8.
const SCRIPTS = [
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_'\"(){}[]",
  "àáâäçèéêëìíîïñòóôöùúûüßÀÉÖÜøåæœ", // Latin-1 and Latin Extended: 2 bytes
  "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΘΛΞΠΣΦΨΩ", // Greek: 2 bytes
  "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙК", // Cyrillic: 2 bytes
  "אבגדהוזחטיכלמנסעפצקרשתابتثجحخدذرزسشصضطظعغفقكلمنهوي", // Hebrew, Arabic: 2 bytes
  "अआइईउऊएऐओऔकखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह", // Devanagari: 3 bytes
  "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该由",
  "😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛😝😜🤪🤨🧐🤓😎🤩🥳😏🌍🌎🌏🚀✨", // emoji: 4 bytes (and a few 3)
];
const enc = new TextEncoder();
const CHAR_TABLE = SCRIPTS.map((s) => [...s].map((c) => [...enc.encode(c)]));

/** Writes valid UTF-8 text of exactly `len` bytes at `pos`; `mixed` is the chance (0-1) a word is not ASCII. */
function writeText(rng, out, pos, len, mixed) {
  const end = pos + len;
  const threshold = mixed * 1000;
  let table = CHAR_TABLE[0];
  let left = 0;
  while (pos < end) {
    if (left === 0) {
      table = rng.u32() % 1000 < threshold ? CHAR_TABLE[1 + (rng.u32() % (CHAR_TABLE.length - 1))] : CHAR_TABLE[0];
      left = 2 + (rng.u32() % 8);
      if (pos + 1 < end) out[pos++] = 0x20;
      continue;
    }
    let c = table[rng.u32() % table.length];
    if (pos + c.length > end) c = CHAR_TABLE[0][rng.u32() % 52];
    for (let j = 0; j < c.length; j++) out[pos++] = c[j];
    left--;
  }
  return out;
}

/** 2. Tiny frames: 1 million masked 8-125 byte text and binary frames, in 256 streams. */
export function tinyFrames(scale = 1) {
  const rng = new Rng(SEED ^ 2);
  const count = Math.round(1_000_000 * scale);
  const sliceCount = 256;
  const perSlice = Math.ceil(count / sliceCount);
  const lens = new Uint8Array(count);
  const ops = new Uint8Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    lens[i] = 8 + (rng.u32() % 118);
    ops[i] = rng.u32() & 1 ? 0x1 : 0x2;
    total += 6 + lens[i];
  }
  // Written in place: header, masking key, payload (text or random bytes), then masked.
  const stream = new Uint8Array(total);
  const offsets = [0];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const len = lens[i];
    stream[pos] = 0x80 | ops[i];
    stream[pos + 1] = 0x80 | len;
    const key = rng.u32();
    const k = [key & 0xff, (key >>> 8) & 0xff, (key >>> 16) & 0xff, key >>> 24];
    stream[pos + 2] = k[0];
    stream[pos + 3] = k[1];
    stream[pos + 4] = k[2];
    stream[pos + 5] = k[3];
    const p = pos + 6;
    if (ops[i] === 0x1) writeText(rng, stream, p, len, 0.2);
    else {
      for (let j = 0; j < len; j += 4) {
        const r = rng.u32();
        for (let b = 0; b < 4 && j + b < len; b++) stream[p + j + b] = (r >>> (8 * b)) & 0xff;
      }
    }
    for (let j = 0; j < len; j++) stream[p + j] ^= k[j & 3];
    pos = p + len;
    if ((i + 1) % perSlice === 0 || i + 1 === count) offsets.push(pos);
  }
  return { stream, slices: sliceList(offsets), frames: count, role: "client" };
}

const HEX = "0123456789abcdef";

/**
 * 3. Hex text: 2 MiB of bytes written as clean hex (4 MiB of text), spaced hex and xxd,
 * each cut into 4 pieces at line ends.
 */
export function hexTexts(scale = 1) {
  const rng = new Rng(SEED ^ 3);
  const bytes = rng.fill(new Uint8Array(Math.round(2 * MiB * scale) & ~63));
  const lines = bytes.length / 16;
  const hi = (b) => HEX.charCodeAt(b >> 4);
  const lo = (b) => HEX.charCodeAt(b & 15);
  const clean = Buffer.from(bytes).toString("hex");
  // Spaced: "xx xx ... xx\n", 16 bytes a line.
  const spaced = new Uint8Array(lines * 48);
  let p = 0;
  for (let i = 0; i < bytes.length; i++) {
    spaced[p++] = hi(bytes[i]);
    spaced[p++] = lo(bytes[i]);
    spaced[p++] = i % 16 === 15 ? 0x0a : 0x20;
  }
  // Exactly xxd's default layout: offset, eight 2-byte groups, two spaces, the ASCII column.
  const xxd = new Uint8Array(lines * 68);
  p = 0;
  for (let i = 0; i < bytes.length; i += 16) {
    const offset = i.toString(16).padStart(8, "0");
    for (let j = 0; j < 8; j++) xxd[p++] = offset.charCodeAt(j);
    xxd[p++] = 0x3a;
    xxd[p++] = 0x20;
    for (let j = 0; j < 16; j++) {
      xxd[p++] = hi(bytes[i + j]);
      xxd[p++] = lo(bytes[i + j]);
      if (j % 2 === 1 && j < 15) xxd[p++] = 0x20;
    }
    xxd[p++] = 0x20;
    xxd[p++] = 0x20;
    for (let j = 0; j < 16; j++) {
      const b = bytes[i + j];
      xxd[p++] = b >= 0x20 && b < 0x7f ? b : 0x2e;
    }
    xxd[p++] = 0x0a;
  }
  // Each text as 4 pieces (one call parses one piece), cut at line ends.
  const pieces = (u8, lineLength) => {
    const per = (lines / 4) * lineLength;
    return [0, 1, 2, 3].map((i) => Buffer.from(u8.buffer, u8.byteOffset + i * per, per).toString("latin1"));
  };
  return {
    bytes,
    clean: [0, 1, 2, 3].map((i) => clean.slice((i * clean.length) / 4, ((i + 1) * clean.length) / 4)),
    spaced: pieces(spaced, 48),
    xxd: pieces(xxd, 68),
  };
}

/** 4. Text validation: 1 MiB payloads, ASCII and mixed scripts, each as a server text frame. */
export function utf8Texts(scale = 1) {
  const rng = new Rng(SEED ^ 4);
  const len = Math.round(MiB * scale);
  const ascii = writeText(rng, new Uint8Array(len), 0, len, 0);
  const mixed = writeText(rng, new Uint8Array(len), 0, len, 0.6);
  return {
    ascii: { payload: ascii, frame: frame({ opcode: 0x1, payload: ascii }) },
    mixed: { payload: mixed, frame: frame({ opcode: 0x1, payload: mixed }) },
  };
}

/** Cuts text at UTF-8 character starts near multiples of `size`. */
function splitUtf8(bytes, size) {
  const parts = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + size, bytes.length);
    while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end));
    start = end;
  }
  return parts;
}

/** JSON events, the kind of messages trading and chat sockets carry. */
function jsonCorpus(len) {
  const rng = new Rng(SEED ^ 5);
  const kinds = ["trade", "quote", "order", "cancel", "heartbeat", "chat", "presence", "ack"];
  const symbols = ["BTC-USD", "ETH-USD", "SOL-EUR", "AAPL", "MSFT", "EURUSD", "XAU", "DOGE-USDT"];
  const names = ["Zoë", "José", "Ann", "Mikhaïl", "李雷", "Ayşe", "Søren", "Owen", "Иван", "Amélie"];
  const words = ["hello", "ok", "price", "moved", "again", "see", "chart", "🚀", "now", "später", "très", "bien"];
  const parts = [];
  let size = 0;
  let id = 1;
  while (size < len) {
    const ev = {
      id: id++,
      type: rng.pick(kinds),
      ts: 1700000000000 + id * 37 + (rng.u32() % 1000),
      symbol: rng.pick(symbols),
      price: Math.round(rng.u32() % 10000000) / 100,
      qty: (rng.u32() % 100000) / 10000,
      side: rng.u32() & 1 ? "buy" : "sell",
      user: { name: rng.pick(names), id: rng.u32() % 100000, verified: !!(rng.u32() & 1) },
      tags: Array.from({ length: rng.int(0, 3) }, () => rng.pick(words)),
      text: Array.from({ length: rng.int(0, 8) }, () => rng.pick(words)).join(" "),
    };
    const s = JSON.stringify(ev) + "\n";
    parts.push(s);
    size += Buffer.byteLength(s);
  }
  return cut(Buffer.from(parts.join("")), len);
}

/** Real source text: the JavaScript of playwright-core (the bench's own dev dependency), repeated. */
function sourceCorpus(len, repoRoot) {
  const dir = join(repoRoot, "node_modules", "playwright-core", "lib");
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith(".js")) files.push(join(d, e.name));
    }
  };
  walk(dir);
  const one = Buffer.concat(files.map((f) => readFileSync(f)));
  const out = Buffer.alloc(len);
  for (let pos = 0; pos < len; pos += one.length) one.copy(out, pos, 0, Math.min(one.length, len - pos));
  return cut(out, len);
}

/** Ends the text at a UTF-8 character start at or before `len`. */
function cut(bytes, len) {
  let end = Math.min(len, bytes.length);
  while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, end);
}

/**
 * 5. permessage-deflate: 16 MiB of JSON and of source text, compressed by zlib as ws does
 * (level 6, 15-bit window, context takeover, each message sync-flushed and its 00 00 FF FF
 * removed), sent as server frames. The 16 MiB are cut into connections, each with its own
 * compression context, so that one call (one connection) stays short: 4 connections of
 * 4 MiB sent as one message or as 16 KiB messages, 16 connections of 1 MiB sent as 1 KiB
 * messages.
 */
export function inflateStreams(scale, repoRoot) {
  const len = Math.round(16 * MiB * scale);
  const corpora = { json: jsonCorpus(len), source: sourceCorpus(len, repoRoot) };
  const out = {};
  for (const [corpus, text] of Object.entries(corpora)) {
    for (const [variant, size, connections] of [["one message", Infinity, 4], ["16 KiB messages", 16 * 1024, 4], ["1 KiB messages", 1024, 16]]) {
      const frames = [];
      const payloads = []; // [connection, offset in stream, length] of each compressed payload
      const inflatedLengths = [];
      const offsets = [0];
      let pos = 0;
      let count = 0;
      for (const [c, part] of splitUtf8(text, Math.ceil(text.length / connections)).entries()) {
        const deflate = new SyncZlib(zlib.createDeflateRaw({ level: 6, windowBits: 15, memLevel: 8 }));
        for (const m of size === Infinity ? [part] : splitUtf8(part, size)) {
          const z = deflate.process(m, zlib.constants.Z_SYNC_FLUSH);
          const payload = z.subarray(0, z.length - 4);
          const f = frame({ opcode: 0x1, rsv1: true, payload });
          payloads.push([c, pos + f.length - payload.length, payload.length]);
          inflatedLengths.push(m.length);
          frames.push(f);
          pos += f.length;
          count++;
        }
        deflate.close();
        offsets.push(pos);
      }
      const stream = new Uint8Array(Buffer.concat(frames));
      out[`${corpus}, ${variant}`] = {
        stream,
        slices: sliceList(offsets),
        role: "server",
        extensions: "permessage-deflate",
        messages: count,
        inflatedBytes: text.length,
        inflatedLengths,
        payloads,
      };
    }
  }
  return out;
}

/** 6. Accept keys: 10,000 Sec-WebSocket-Key values. */
export function keys(count = 10_000) {
  const rng = new Rng(SEED ^ 6);
  const key = new Uint8Array(16);
  return { keys: Array.from({ length: count }, () => Buffer.from(rng.fill(key)).toString("base64")) };
}
