// Capture files for tests/node/capture.test.js (the Node tests' helper; the page tests'
// helpers are tests/support/page-captures.js): recording on any interface with any filter,
// reading and rewriting classic pcap records (reordered, duplicated, overlapping, removed
// segments), and tshark's own reading of a file (its TCP segments and WebSocket frames),
// the reference the core's answers are checked against.
import { readFileSync, writeFileSync } from "node:fs";
import { recordWith, tool } from "./capture.js";
import { spawnPeer, readLog, python, repo } from "./peers.js";

/** Records on any interface with any filter (tests/support/capture.js). */
export { recordWith };

// ---- classic pcap records -------------------------------------------------------------

/** A little-endian microsecond pcap (what tcpdump writes here): { header, linktype, records: [{ head, data }] }. */
export function readPcap(file) {
  const buf = readFileSync(file);
  if (buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file}: not a little-endian usec pcap`);
  const records = [];
  for (let at = 24; at + 16 <= buf.length;) {
    const incl = buf.readUInt32LE(at + 8);
    records.push({ head: Buffer.from(buf.subarray(at, at + 16)), data: Buffer.from(buf.subarray(at + 16, at + 16 + incl)) });
    at += 16 + incl;
  }
  return { header: Buffer.from(buf.subarray(0, 24)), linktype: buf.readUInt32LE(20), records };
}

/** Writes records, each head's captured and original lengths set from its data. */
export function writePcap(file, { header, records }) {
  const parts = [header];
  for (const r of records) {
    const head = Buffer.from(r.head);
    head.writeUInt32LE(r.data.length, 8);
    head.writeUInt32LE(r.data.length, 12);
    parts.push(head, r.data);
  }
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/**
 * The TCP segment in an Ethernet (linktype 1) packet over IPv4 or IPv6:
 * { ip, ipv6, tcp, payload (its offset in the packet), srcport, dstport, seq, flags, length } or null.
 */
export function tcpOf(data) {
  const type = data.readUInt16BE(12);
  const ip = 14;
  let tcp, ipv6 = false;
  if (type === 0x0800 && data[ip + 9] === 6) tcp = ip + (data[ip] & 0x0f) * 4;
  else if (type === 0x86dd && data[ip + 6] === 6) { tcp = ip + 40; ipv6 = true; }
  else return null;
  const payload = tcp + (data[tcp + 12] >> 4) * 4;
  const end = ipv6 ? ip + 40 + data.readUInt16BE(ip + 4) : ip + data.readUInt16BE(ip + 2);
  return {
    ip, ipv6, tcp, payload, srcport: data.readUInt16BE(tcp), dstport: data.readUInt16BE(tcp + 2),
    seq: data.readUInt32BE(tcp + 4), flags: data[tcp + 13], length: Math.max(0, Math.min(end, data.length) - payload),
  };
}

/** The same packet with `payload` as its TCP payload at sequence number `seq` (IP length and IPv4 checksum redone). */
export function withPayload(record, payload, seq) {
  const t = tcpOf(record.data);
  const data = Buffer.concat([record.data.subarray(0, t.payload), payload]);
  data.writeUInt32BE(seq >>> 0, t.tcp + 4);
  if (t.ipv6) data.writeUInt16BE(data.length - t.ip - 40, t.ip + 4);
  else {
    data.writeUInt16BE(data.length - t.ip, t.ip + 2);
    data.writeUInt16BE(0, t.ip + 10);
    let sum = 0;
    for (let i = t.ip; i < t.tcp; i += 2) sum += data.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    data.writeUInt16BE(~sum & 0xffff, t.ip + 10);
  }
  return { head: record.head, data };
}

/**
 * A capture's TCP data segments as this parser reads them, for the connection whose client
 * port is `clientPort`: [{ index (0-based record), direction, seq, offset (stream offset:
 * seq - ISN - 1), length, data (the payload) }].
 */
export function dataSegments(pcap, clientPort) {
  const isn = {};
  const out = [];
  pcap.records.forEach((r, index) => {
    const t = tcpOf(r.data);
    if (!t || (t.srcport !== clientPort && t.dstport !== clientPort)) return;
    const direction = t.srcport === clientPort ? "client" : "server";
    if (t.flags & 0x02) isn[direction] = t.seq; // SYN
    if (t.length === 0) return;
    out.push({ index, direction, seq: t.seq, offset: (t.seq - isn[direction] - 1) >>> 0, length: t.length,
      data: r.data.subarray(t.payload, t.payload + t.length) });
  });
  return out;
}

/**
 * One direction's stream from dataSegments' segments, up to its first hole: each byte from
 * the first segment captured that carries it (a retransmission changes nothing), and
 * `packetAt(offset)` the 0-based record that byte came from.
 */
export function reassembled(segments, direction) {
  const mine = segments.filter((s) => s.direction === direction);
  // A segment past every byte sent (a keep-alive probe sits one byte before the stream,
  // which wraps to 2^32 - 1) holds nothing of it.
  const sent = mine.reduce((n, s) => n + s.length, 0);
  const placed = mine.filter((s) => s.offset + s.length <= sent);
  const size = placed.reduce((n, s) => Math.max(n, s.offset + s.length), 0);
  const bytes = Buffer.alloc(size);
  const owner = new Int32Array(size).fill(-1);
  for (const s of placed) {
    for (let i = 0; i < s.length; i++) {
      if (owner[s.offset + i] < 0) {
        owner[s.offset + i] = s.index;
        bytes[s.offset + i] = s.data[i];
      }
    }
  }
  const hole = owner.indexOf(-1);
  return { stream: bytes.subarray(0, hole < 0 ? size : hole), packetAt: (at) => owner[at] };
}

// ---- tshark's reading -----------------------------------------------------------------

const one = (v) => (Array.isArray(v) ? v[0] : v);
const int = (v) => (String(one(v)).startsWith("0x") ? parseInt(one(v), 16) : Number(one(v)));
const bool = (v) => one(v) === "1" || one(v) === "True" || one(v) === "true";

/**
 * Every WebSocket frame tshark's dissector sees in a file: [{ stream, srcport, dstport,
 * packet (the one that completed it), fin, rsv, opcode, mask, masking_key, payload_length }],
 * payload_length being the extended length when the 7-bit field says 126 or 127.
 */
export function tsharkAllFrames(file) {
  const packets = JSON.parse(tool("tshark", ["-r", file, "-Y", "websocket", "-T", "json", "--no-duplicate-keys"]));
  const frames = [];
  for (const p of packets) {
    const layers = p._source.layers;
    const list = Array.isArray(layers.websocket) ? layers.websocket : [layers.websocket];
    for (const w of list) {
      const masked = bool(w["websocket.mask"]);
      frames.push({
        stream: int(layers.tcp["tcp.stream"]),
        srcport: int(layers.tcp["tcp.srcport"]),
        dstport: int(layers.tcp["tcp.dstport"]),
        packet: int(layers.frame["frame.number"]),
        fin: bool(w["websocket.fin"]),
        rsv: int(w["websocket.rsv"]),
        opcode: int(w["websocket.opcode"]),
        mask: masked,
        masking_key: masked ? String(one(w["websocket.masking_key"])).replaceAll(":", "") : null,
        payload_length: int(w["websocket.payload_length_ext_64"] ?? w["websocket.payload_length_ext_16"] ?? w["websocket.payload_length"]),
      });
    }
  }
  return frames;
}

/**
 * tshark's packets: [{ packet, protocols, proto ("tcp" | "udp" | ""), stream, srcport, dstport,
 * offset (relative seq - 1: the stream offset), length (tcp.len), frameLength, capturedLength }].
 */
export function tsharkPackets(file) {
  const out = tool("tshark", ["-r", file, "-T", "fields", "-E", "separator=/t", "-e", "frame.number", "-e", "frame.protocols",
    "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.seq", "-e", "tcp.len", "-e", "frame.len", "-e", "frame.cap_len",
    "-e", "udp.srcport"]);
  return out.split("\n").filter(Boolean).map((line) => {
    const [packet, protocols, stream, srcport, dstport, seq, len, frameLength, capturedLength, udp] = line.split("\t");
    const tcp = stream !== "";
    return {
      packet: Number(packet), protocols, proto: tcp ? "tcp" : udp ? "udp" : "", stream: tcp ? Number(stream) : null,
      srcport: Number(srcport), dstport: Number(dstport), offset: tcp ? Number(seq) - 1 : null, length: tcp ? Number(len) : 0,
      frameLength: Number(frameLength), capturedLength: Number(capturedLength),
    };
  });
}

/** (direction, stream offset) -> the packet carrying that byte of the connection of `clientPort`, from tshark's segments (first copy). */
export function packetOfByte(packets, clientPort) {
  const spans = packets.filter((p) => p.proto === "tcp" && p.length > 0 && (p.srcport === clientPort || p.dstport === clientPort))
    .map((p) => ({ direction: p.srcport === clientPort ? "client" : "server", from: p.offset, to: p.offset + p.length, packet: p.packet }));
  return (direction, at) => spans.find((s) => s.direction === direction && s.from <= at && at < s.to)?.packet ?? null;
}

// ---- recordings -----------------------------------------------------------------------

/** [command, args] of a peer process (tests/interop/*_peer.*): "ws" (npm) or "websockets" (PyPI). */
export function peerCommand(kind, role, args) {
  if (kind === "ws") return [process.execPath, [`${repo}tests/interop/ws_peer.js`, role, ...args]];
  if (kind === "websockets") return [python(), [`${repo}tests/interop/websockets_peer.py`, role, ...args]];
  throw new Error(`no peer ${kind}`);
}

/**
 * One conversation between two peer processes recorded on `iface`: the server is started
 * first (its port decides the filter), the client says tests/interop/script.js. Resolves to
 * { file, port, client, server } (the logs: what each peer says it sent and received).
 */
export async function recordPeers({ file, dir, slug, client, server, deflate, host = "127.0.0.1", iface = "lo", scriptFile }) {
  const serverLog = `${dir}/${slug}.server.json`, clientLog = `${dir}/${slug}.client.json`;
  const peers = [];
  try {
    const s = spawnPeer(...peerCommand(server, "server", ["--host", host, "--deflate", deflate, "--log", serverLog]));
    peers.push(s);
    const port = await s.port;
    const h = host.includes(":") ? `[${host}]` : host;
    await recordWith(file, { iface, filter: `tcp port ${port}` }, async () => {
      const c = spawnPeer(...peerCommand(client, "client", ["--url", `ws://${h}:${port}/chat`, "--deflate", deflate, "--script", scriptFile, "--log", clientLog]));
      peers.push(c);
      await c.done;
      await s.done;
    });
    return { file, port, client: readLog(clientLog), server: readLog(serverLog) };
  } finally {
    for (const p of peers) p.stop();
  }
}
