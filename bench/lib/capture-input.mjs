// The capture workload's input: a ~100 MB classic pcap of WebSocket traffic, made once and
// cached (cachedFile, keyed by this file's source and ws's version).
//
// How it is made: one real recording (tcpdump -i lo -U -w, as root) of npm `ws` peers on
// loopback: 48 clients of one ws server, half offering permessage-deflate (the server
// accepts, threshold 0) and half not, each sending a fixed-seed mix of message sizes (85%
// 8-125 bytes, 14% 1-16 KiB, a few 64-256 KiB and 1 MiB; JSON text, a quarter random binary)
// that the server echoes one at a time, then closing. That recording is replicated until the
// file passes 100 MB: each copy's connections get new client ports, both directions'
// sequence and acknowledgement numbers are shifted, timestamps are shifted by a few
// milliseconds per copy, the server port becomes 8080 and client ports come from 49152 up
// (ports no tshark dissector claims: 1080 or 1344 would be read as SOCKS or ICAP), the TCP
// checksums are recomputed, and all copies' packets are merged in time order, so many
// conversations are open at once, as in a busy capture. The wss:// input
// (bench/lib/tls-capture-input.mjs) records the same clients over TLS and copies that
// recording with the same replicate().
import { once } from "node:events";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket, WebSocketServer } from "ws";
import { Rng } from "./prng.mjs";
import { recordWith } from "../../tests/support/capture.js";

export const TARGET_BYTES = 100_000_000;
export const CLIENTS = 48;
const PER_CLIENT_BYTES = 100_000; // sent by each client; the echo doubles it
// The copies' server port (http-alt, which tshark reads as HTTP, as it would the recorded
// port); the recorded one is random and could be a port some dissector claims.
const SERVER_PORT = 8080;

export function captureUnavailable() {
  if (process.getuid?.() !== 0) return "recording on loopback needs root (tcpdump -i lo)";
  return null;
}

const WORDS = "id type user channel message status ok error value items time seq name data price size query result update event".split(" ");

function jsonText(rng, size) {
  let s = "[";
  while (s.length < size - 40) {
    const w = () => WORDS[Math.floor(rng() * WORDS.length)];
    s += `{"${w()}":"${w()} ${w()}","${w()}":${Math.floor(rng() * 1e6)},"${w()}":${rng() < 0.5}},`;
  }
  return (s + '{"end":1}]').slice(0, Math.max(size, 2));
}

function randomBytes(rng, size) {
  return Buffer.from(new Rng(Math.floor(rng() * 2 ** 32)).fill(new Uint8Array(size)));
}

/** One client's messages: sizes mostly tiny, some medium, a few large; text (JSON) and binary. */
function clientMessages(seed) {
  const g = new Rng(seed);
  const rng = () => g.u32() / 2 ** 32;
  const out = [];
  let total = 0;
  while (total < PER_CLIENT_BYTES) {
    const r = rng();
    const size = r < 0.85 ? 8 + Math.floor(rng() * 118) : r < 0.993 ? 1024 + Math.floor(rng() * 15 * 1024) : r < 0.999 ? 65536 + Math.floor(rng() * 192 * 1024) : 1 << 20;
    const binary = rng() < 0.25;
    out.push(binary ? randomBytes(rng, size) : jsonText(rng, size));
    total += size;
  }
  return out;
}

/**
 * Client `c` of `url`: offers permessage-deflate when `c` is even, sends its messages one at
 * a time waiting for each echo, then closes. `options` go to ws (and through it to tls.connect).
 */
export async function client(url, c, options = {}) {
  await sleep(c * 10);
  const ws = new WebSocket(url, { perMessageDeflate: c % 2 === 0 ? { threshold: 0 } : false, ...options });
  await once(ws, "open");
  for (const m of clientMessages(1000 + c)) {
    const echoed = once(ws, "message");
    ws.send(m);
    await echoed;
  }
  ws.close(1000, "done");
  await once(ws, "close");
}

/** A ws server (permessage-deflate accepted, threshold 0) echoing every message; `options` as ws's. */
export function echoServer(options) {
  const server = new WebSocketServer({ ...options, perMessageDeflate: { threshold: 0 } });
  server.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  return server;
}

/** The ws peers' traffic on `port`: CLIENTS connections at once. */
async function traffic(port) {
  const server = echoServer({ host: "127.0.0.1", port });
  await once(server, "listening");
  try {
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(`ws://127.0.0.1:${port}/feed/${c}`, c)));
  } finally {
    for (const ws of server.clients) ws.terminate();
    server.close();
  }
}

// ---- pcap rewriting -------------------------------------------------------------------

function readRecords(buf) {
  if (buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error("not a little-endian usec pcap");
  if (buf.readUInt32LE(20) !== 1) throw new Error(`linktype ${buf.readUInt32LE(20)}, expected Ethernet (1)`);
  const records = [];
  for (let at = 24; at + 16 <= buf.length;) {
    const incl = buf.readUInt32LE(at + 8);
    records.push({ sec: buf.readUInt32LE(at), usec: buf.readUInt32LE(at + 4), data: buf.subarray(at + 16, at + 16 + incl), orig: buf.readUInt32LE(at + 12) });
    at += 16 + incl;
  }
  return { header: buf.subarray(0, 24), records };
}

function tcpChecksum(d, ip, tcp, end) {
  let sum = 0;
  for (let i = ip + 12; i < ip + 20; i += 2) sum += d.readUInt16BE(i); // addresses
  sum += 6 + (end - tcp);
  d.writeUInt16BE(0, tcp + 16);
  let i = tcp;
  for (; i + 1 < end; i += 2) sum += (d[i] << 8) | d[i + 1];
  if (i < end) sum += d[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  d.writeUInt16BE(~sum & 0xffff, tcp + 16);
}

/** Copy `k` of the recording: ports mapped (the server's to `toPort`), seq/ack shifted, checksum redone. */
function rewrite(data, serverPort, toPort, portOf, shift) {
  const d = Buffer.from(data);
  if (d.readUInt16BE(12) !== 0x0800 || d[14 + 9] !== 6) return d;
  const ip = 14;
  const tcp = ip + (d[ip] & 0x0f) * 4;
  const end = Math.min(ip + d.readUInt16BE(ip + 2), d.length);
  const src = d.readUInt16BE(tcp);
  const dst = d.readUInt16BE(tcp + 2);
  if (src === serverPort) {
    d.writeUInt16BE(toPort, tcp);
    d.writeUInt16BE(portOf(dst), tcp + 2);
  } else {
    d.writeUInt16BE(portOf(src), tcp);
    d.writeUInt16BE(toPort, tcp + 2);
  }
  d.writeUInt32BE((d.readUInt32BE(tcp + 4) + shift) >>> 0, tcp + 4);
  if (d[tcp + 13] & 0x10) d.writeUInt32BE((d.readUInt32BE(tcp + 8) + shift) >>> 0, tcp + 8);
  if (end === d.length) tcpChecksum(d, ip, tcp, end); // whole segment captured
  return d;
}

/** Records a base capture into `file`.base.pcap, then writes the ≥ 100 MB replicated file. */
export async function makeCapture(file, log = () => {}) {
  const why = captureUnavailable();
  if (why) throw new Error(`cannot make the capture: ${why}`);
  const port = 20000 + (process.pid % 20000);
  const base = `${file}.base.pcap`;
  log(`capture: recording ${CLIENTS} ws connections on lo port ${port}`);
  await recordWith(base, { filter: `tcp port ${port}` }, () => traffic(port), { timeout: 60_000 });
  const buf = readFileSync(base);
  rmSync(base);
  const { bytes, info } = replicate(buf, port, { targetBytes: TARGET_BYTES, serverPort: SERVER_PORT });
  log(`capture: ${info.basePackets} packets, ${(info.baseBytes / 1e6).toFixed(1)} MB recorded; ${info.copies} copies`);
  writeFileSync(file, bytes);
  return { ...info, connections: info.copies * CLIENTS };
}

/**
 * A recording of one server port (`recordedPort`; a little-endian µs Ethernet pcap) copied
 * until it passes `targetBytes`: each copy's client ports are new (from 49152 up), the server
 * port becomes `serverPort`, sequence and acknowledgement numbers are shifted, timestamps move
 * about 8 ms per copy, checksums are recomputed, and all copies' packets are merged in time
 * order. Returns { bytes (the pcap), info: { basePackets, baseBytes, copies, packets } }.
 */
export function replicate(buf, recordedPort, { targetBytes, serverPort }) {
  const { header, records } = readRecords(buf);
  const copies = Math.ceil(targetBytes / (buf.length - 24));
  const t0 = records[0].sec * 1e6 + records[0].usec;
  const items = [];
  let nextPort = 49152; // IANA's dynamic range: no dissector claims these ports
  for (let k = 0; k < copies; k++) {
    const ports = new Map();
    const portOf = (p) => {
      if (!ports.has(p)) {
        ports.set(p, nextPort++);
      }
      return ports.get(p);
    };
    const shift = Math.imul(k + 1, 0x3b9aca07) >>> 0;
    for (const r of records) {
      const t = r.sec * 1e6 + r.usec - t0 + k * 7919; // about 8 ms apart per copy
      items.push({ t, k, data: rewrite(r.data, recordedPort, serverPort, portOf, shift), orig: r.orig });
    }
  }
  items.sort((a, b) => a.t - b.t || a.k - b.k);
  const start = t0;
  const parts = [Buffer.from(header)];
  for (const it of items) {
    const h = Buffer.alloc(16);
    const t = start + it.t;
    h.writeUInt32LE(Math.floor(t / 1e6), 0);
    h.writeUInt32LE(t % 1e6, 4);
    h.writeUInt32LE(it.data.length, 8);
    h.writeUInt32LE(Math.max(it.orig, it.data.length), 12);
    parts.push(h, it.data);
  }
  return { bytes: Buffer.concat(parts), info: { basePackets: records.length, baseBytes: buf.length, copies, packets: items.length } };
}
