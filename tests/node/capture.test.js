// Issue 12: capture files. Real peers nobody here wrote (npm ws, PyPI websockets, headless
// Chromium against `wsinspect serve`) talk on loopback while tcpdump records them; the
// captures (as recorded, converted with editcap, on `-i any`, over ::1, three conversations
// among other traffic) go through the packed package's decodeCapture, whose every
// conversation must hold the frames tshark's own WebSocket dissector sees, field by field,
// and the messages the peers logged. Rewritten copies (segments reordered, duplicated,
// overlapping, removed; the opening cut; a snapshot length) check the TCP reassembly's
// documented answers, and the CLI (native and the packed bin) is run on the same files.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { createSocket } from "node:dgram";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { installPacked, importPacked } from "../support/packed.js";
import { buildNative } from "../support/native.js";
import { captureUnavailable, tool } from "../support/capture.js";
import { scenarios, recordScenario, writeScript } from "../support/conversations.js";
import { spawnPeer, readLog } from "../support/peers.js";
import {
  recordWith, recordPeers, peerCommand, readPcap, writePcap, dataSegments, withPayload, tcpOf,
  tsharkAllFrames, tsharkPackets, packetOfByte,
} from "../support/capture-files.js";

const unavailable = captureUnavailable();
const DIRECTIONS = ["client", "server"];

let packed, installed;
async function api() {
  packed ??= (async () => {
    installed = installPacked();
    const module = await importPacked(installed.dir);
    await module.default();
    return module;
  })();
  const module = await packed;
  assert.equal(typeof module.decodeCapture, "function", "the package exports decodeCapture");
  return module;
}
after(() => installed?.cleanup());

// ---- the recordings ---------------------------------------------------------------------

/**
 * Each capture file the tests read: { file, conversations: [{ clientPort, client: log,
 * server: log | null }], three?: { httpPort, udpPort } }.
 */
const files = new Map();
let dir, plain; // plain: the deflate-off recording the reassembly tests rewrite
const slug = (s) => s.replace(/[^a-z0-9]+/gi, "-");

before(async () => {
  if (unavailable) return;
  dir = mkdtempSync(join(tmpdir(), "wsinspect-capture-"));
  const scriptFile = writeScript(dir);
  const chromium = scenarios.find((s) => s.client === "chromium");
  const started = Date.now();
  // One recording at a time: six at once (Chromium and Python peers among them) on two
  // shared cores let a peer time out now and then.
  const recordings = [
    () => recordScenario({ name: "capture ws-ws deflate", client: "ws", server: "ws", deflate: "on", host: "127.0.0.1" }, dir, scriptFile),
    () => recordScenario({ name: "capture websockets-ws ipv6", client: "websockets", server: "ws", deflate: "on", host: "::1" }, dir, scriptFile),
    () => recordScenario(chromium, dir, scriptFile),
    () => recordPeers({ file: join(dir, "any.pcap"), dir, slug: "any", client: "ws", server: "ws", deflate: "off", iface: "any", scriptFile }),
    () => recordPeers({ file: join(dir, "plain.pcap"), dir, slug: "plain", client: "ws", server: "websockets", deflate: "off", scriptFile }),
    () => recordThree(scriptFile),
  ];
  const recorded = [];
  for (const make of recordings) recorded.push(await make());
  const [deflate, v6, browser, any, base, three] = recorded;
  const one = (r) => [{ clientPort: r.clientPort, client: r.client, server: r.server }];
  const withClientPort = (r) => ({ ...r, clientPort: clientPortOf(r.file, r.port) });
  files.set("ws-ws deflate on, pcap", { file: deflate.file, conversations: one(deflate) });
  files.set("ws-ws deflate on, pcapng (editcap)", { file: convert(deflate.file, "pcapng"), conversations: one(deflate) });
  files.set("ws-ws deflate on, nanosecond pcap (editcap)", { file: convert(deflate.file, "nsecpcap"), conversations: one(deflate) });
  files.set("websockets client, ws server over ::1", { file: v6.file, conversations: one(v6) });
  // The page's /tap connection (how it asks the server to ping and fragment) is a conversation too.
  files.set("chromium, wsinspect serve /echo", { file: browser.file, conversations: one(browser), others: 1 });
  files.set("chromium, wsinspect serve /echo, pcapng", { file: convert(browser.file, "pcapng"), conversations: one(browser), others: 1 });
  files.set("ws-ws deflate off on -i any (Linux cooked)", { file: any.file, conversations: one(withClientPort(any)) });
  plain = withClientPort(base);
  files.set("ws client, websockets server, deflate off", { file: plain.file, conversations: one(plain) });
  files.set("three conversations, HTTP and UDP", three);
  console.log(`# recorded ${files.size} captures in ${Date.now() - started} ms`);
}, { timeout: 90_000 });
after(() => { if (dir && !process.env.KEEP_CAPTURES) rmSync(dir, { recursive: true, force: true }); });

/** editcap -F format: a copy of `file`; its path. */
function convert(file, format) {
  const out = file.replace(/\.pcap$/, `.${format}`);
  tool("editcap", ["-F", format, file, out]);
  return out;
}

/** The client port of the connection to `serverPort` (its SYN's source port). */
function clientPortOf(file, serverPort) {
  const syn = tsharkPackets(file).find((p) => p.proto === "tcp" && p.dstport === serverPort);
  assert.ok(syn, `${file}: a packet to port ${serverPort}`);
  return syn.srcport;
}

/**
 * Three WebSocket conversations side by side (ws-ws deflate on, websockets client to a ws
 * server deflate off, ws client to a websockets server without context takeover), a plain
 * HTTP GET on another port and three UDP datagrams, all in one capture.
 */
async function recordThree(scriptFile) {
  const pairs = [
    { client: "ws", server: "ws", deflate: "on" },
    { client: "websockets", server: "ws", deflate: "off" },
    { client: "ws", server: "websockets", deflate: "no-context-takeover" },
  ];
  const peers = [];
  const http = createServer((req, res) => res.writeHead(200, { "content-type": "text/plain", connection: "close" }).end("not a websocket\n"));
  const udp = createSocket("udp4");
  try {
    const ports = [];
    pairs.forEach((p, i) => {
      p.serverLog = join(dir, `three-${i}.server.json`);
      p.clientLog = join(dir, `three-${i}.client.json`);
      p.server$ = spawnPeer(...peerCommand(p.server, "server", ["--host", "127.0.0.1", "--deflate", p.deflate, "--log", p.serverLog]));
      peers.push(p.server$);
    });
    for (const p of pairs) { p.port = await p.server$.port; ports.push(p.port); }
    await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
    await new Promise((resolve) => udp.bind(0, "127.0.0.1", resolve));
    const httpPort = http.address().port, udpPort = udp.address().port;
    const received = [];
    udp.on("message", (m) => received.push(m));
    const file = join(dir, "three.pcap");
    const filter = [...ports, httpPort].map((p) => `tcp port ${p}`).concat(`udp port ${udpPort}`).join(" or ");
    await recordWith(file, { filter }, async () => {
      await Promise.all(pairs.map(async (p) => {
        const c = spawnPeer(...peerCommand(p.client, "client", ["--url", `ws://127.0.0.1:${p.port}/chat`, "--deflate", p.deflate,
          "--script", scriptFile, "--log", p.clientLog]));
        peers.push(c);
        await c.done;
        await p.server$.done;
      }));
      const body = await new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: httpPort, path: "/plain", agent: false, timeout: 5_000 }, (res) => {
          let text = "";
          res.on("data", (d) => { text += d; });
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.on("timeout", () => req.destroy(new Error("http: no answer in 5 s")));
        req.end();
      });
      assert.equal(body, "not a websocket\n");
      const sender = createSocket("udp4");
      for (const text of ["one", "two", "three"]) await new Promise((resolve) => sender.send(text, udpPort, "127.0.0.1", resolve));
      sender.close();
      for (let i = 0; i < 50 && received.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(received.length, 3, "the three datagrams arrived");
    });
    return {
      file,
      conversations: pairs.map((p) => ({ clientPort: clientPortOf(file, p.port), client: readLog(p.clientLog), server: readLog(p.serverLog) })),
      three: { httpPort, udpPort, serverPorts: ports },
    };
  } finally {
    for (const p of peers) p.stop();
    http.close();
    udp.close();
  }
}

// ---- comparing --------------------------------------------------------------------------

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const isData = (e) => e.type === "text" || e.type === "binary";

/** A message as compared: its kind and text, or its hex (a long one by its length and SHA-256). */
function brief(kind, textOrHex) {
  if (kind === "text") return { kind, text: textOrHex };
  if (textOrHex.length <= 512) return { kind, hex: textOrHex };
  return { kind, bytes: textOrHex.length / 2, sha256: sha(Buffer.from(textOrHex, "hex")) };
}

/** The data messages one direction carried, as the client logged them (and the server, when it logs, agrees). */
function expectedMessages(peers, direction) {
  const of = (log, dir) => log.events.filter((e) => isData(e) && e.dir === dir).map((e) => brief(e.type, e.text ?? e.hex));
  const fromClient = of(peers.client, direction === "client" ? "sent" : "received");
  if (peers.server) assert.deepEqual(of(peers.server, direction === "client" ? "received" : "sent"), fromClient, `the ${direction}'s messages as both peers logged them`);
  return fromClient;
}
const messagesOf = (c, d) => c.messages.filter((m) => m.direction === d).map((m) => brief(m.kind, m.kind === "text" ? m.text : hex(m.data)));

/** Frames as tshark names their fields; `packet` is the one holding the frame's last byte (tshark's convention). */
const oursOf = (c, d, lastPacket) => c.frames.filter((f) => f.direction === d).map((f) => ({
  fin: f.fin, rsv: (f.rsv1 ? 4 : 0) | (f.rsv2 ? 2 : 0) | (f.rsv3 ? 1 : 0), opcode: f.opcode, masked: f.masked,
  maskingKey: f.maskingKey ? hex(f.maskingKey) : null, payloadLength: f.payloadLength, packet: lastPacket(d, f.offset + f.length - 1),
}));
const tsharkOf = (frames, clientPort, d) => frames
  .filter((f) => (d === "client" ? f.srcport === clientPort : f.dstport === clientPort))
  .map((f) => ({ fin: f.fin, rsv: f.rsv, opcode: f.opcode, masked: f.mask, maskingKey: f.masking_key, payloadLength: f.payload_length, packet: f.packet }));

/**
 * What a rewrite must not change: each direction's frames (in stream order), messages and
 * violations, without packets and times.
 */
const byIndex = (items, d) => items.filter((m) => m.direction === d).sort((a, b) => a.index - b.index);
function comparable(c) {
  const out = {};
  for (const d of DIRECTIONS) {
    out[d] = {
      frames: c.frames.filter((f) => f.direction === d).sort((a, b) => a.offset - b.offset).map((f) => ({ offset: f.offset, length: f.length, fin: f.fin, opcode: f.opcode,
        rsv1: f.rsv1, masked: f.masked, payloadLength: f.payloadLength, payload: sha(f.payload) })),
      messages: messagesOf({ messages: byIndex(c.messages, d) }, d),
      complete: byIndex(c.messages, d).map((m) => m.complete),
      violations: c.violations.filter((v) => v.direction === d).map((v) => `${v.id} at ${v.offset}`),
    };
  }
  return out;
}

function requireFile(t, name) {
  if (unavailable) { t.skip(unavailable); return null; }
  const f = files.get(name);
  assert.ok(f, `no capture "${name}" (the before hook failed: see above)`);
  return f;
}

// ---- every capture, every conversation ---------------------------------------------------

const NAMES = [
  "ws-ws deflate on, pcap", "ws-ws deflate on, pcapng (editcap)", "ws-ws deflate on, nanosecond pcap (editcap)",
  "websockets client, ws server over ::1", "chromium, wsinspect serve /echo", "chromium, wsinspect serve /echo, pcapng",
  "ws-ws deflate off on -i any (Linux cooked)", "ws client, websockets server, deflate off", "three conversations, HTTP and UDP",
];

for (const name of NAMES) {
  test(`${name}: every conversation, with tshark's frames field by field and the peers' messages`, async (t) => {
    const f = requireFile(t, name);
    if (!f) return;
    const ws = await api();
    const r = ws.decodeCapture(readFileSync(f.file));
    assert.equal(r.error, null);
    assert.equal(r.format, /pcapng$/.test(f.file) ? "pcapng" : "pcap");
    assert.equal(r.conversations.length, f.conversations.length + (f.others ?? 0), "one conversation per WebSocket connection");
    const violationIds = new Set(ws.reference().violations.map((v) => v.id));
    const tsharkFrames = tsharkAllFrames(f.file);
    const packets = tsharkPackets(f.file);
    assert.deepEqual(r.notices, [], "nothing odd in a clean capture");
    assert.equal(r.stats.packets, packets.length, "stats.packets: every packet in the file");
    assert.equal(r.stats.tcpPackets, packets.filter((p) => p.proto === "tcp").length, "stats.tcpPackets");
    for (const c of r.conversations) {
      // Every conversation, logged or not (the browser's tap connection is one too).
      const expected = f.conversations.find((x) => x.clientPort === c.client?.port);
      const what = `conversation ${c.index} (client port ${c.client?.port})`;
      assert.equal(c.midStream, false, what);
      assert.deepEqual(c.gaps, [], what);
      assert.deepEqual(c.violations, [], `${what}: real peers break no rule`);
      for (const n of c.notices) assert.ok(!violationIds.has(n.id), `${what}: a notice is not a violation: ${n.id}`);
      assert.equal(c.response?.status, 101, what);
      assert.deepEqual(c.pairChecks.filter((p) => !p.passed), [], `${what}: every pair check passes`);
      assert.equal(c.client.address, c.server.address, "both ends on the same loopback address");
      assert.match(c.client.address, /^(127\.0\.0\.1|::1)$/);
      assert.ok(c.start > 1.6e9 && c.end >= c.start, `start ${c.start}, end ${c.end}`);
      const lastPacket = packetOfByte(packets, c.client.port);
      for (const d of DIRECTIONS) {
        const theirs = tsharkOf(tsharkFrames, c.client.port, d);
        assert.ok(theirs.length > 0, `${what} ${d}: tshark sees its frames`);
        assert.deepEqual(oursOf(c, d, lastPacket), theirs, `${what} ${d}: frames as tshark dissects them (packet: the one completing the frame)`);
        for (const fr of c.frames.filter((x) => x.direction === d)) {
          assert.equal(fr.packet, lastPacket(d, fr.offset), `${what} ${d} frame ${fr.index}: its packet is its first byte's`);
          assert.equal(typeof fr.time, "number");
        }
        if (!expected) continue;
        assert.deepEqual(messagesOf(c, d), expectedMessages(expected, d), `${what} ${d}: the messages the peers logged, in order`);
        assert.ok(c.messages.filter((m) => m.direction === d).every((m) => m.complete), `${d}: every message complete`);
      }
      if (!expected) continue;
      assert.deepEqual([c.close.first?.direction, c.close.first?.code, c.close.first?.reason], ["client", 4000, "bye"]);
      assert.equal(c.close.reply?.direction, "server");
    }
    for (const expected of f.conversations) {
      assert.ok(r.conversations.some((c) => c.client?.port === expected.clientPort), `the conversation from client port ${expected.clientPort}`);
    }
  });
}

test("three conversations, HTTP and UDP: exactly 3 conversations; the UDP packets and the HTTP connection are counted", async (t) => {
  const f = requireFile(t, "three conversations, HTTP and UDP");
  if (!f) return;
  const ws = await api();
  const r = ws.decodeCapture(readFileSync(f.file));
  const packets = tsharkPackets(f.file);
  assert.equal(r.conversations.length, 3);
  assert.deepEqual(r.conversations.map((c) => c.index), [0, 1, 2]);
  assert.deepEqual(r.conversations.map((c) => c.server.port).sort(), [...f.three.serverPorts].sort(), "the WebSocket servers, not the HTTP one");
  assert.ok(packets.some((p) => p.proto === "tcp" && p.dstport === f.three.httpPort && /http/.test(p.protocols)), "tshark sees the HTTP GET");
  assert.deepEqual(r.stats, {
    packets: packets.length,
    tcpPackets: packets.filter((p) => p.proto === "tcp").length,
    udpPackets: 3,
    otherPackets: 0,
    tcpConnections: 4,
    midStreamCandidates: 0,
    bytes: readFileSync(f.file).length,
  });
  assert.equal(packets.filter((p) => p.proto === "udp").length, 3, "tshark counts the same 3 datagrams");
  const extensions = r.conversations.map((c) => (c.extensions ?? "").replace(/\s+/g, ""));
  assert.equal(extensions.filter((e) => e.startsWith("permessage-deflate")).length, 2, `two of three deflate: ${extensions}`);
  assert.equal(r.conversations.reduce((n, c) => n + c.violations.length, 0), 0, "no false violation");
});

test("CaptureDecoder: the file pushed in slices gives decodeCapture's conversations", async (t) => {
  const f = requireFile(t, "three conversations, HTTP and UDP");
  if (!f) return;
  const ws = await api();
  const bytes = readFileSync(f.file);
  const whole = ws.decodeCapture(bytes);
  for (const size of [1000, 65_536, 7_777]) {
    const d = new ws.CaptureDecoder();
    const got = [];
    try {
      for (let at = 0; at < bytes.length; at += size) got.push(...d.push(bytes.subarray(at, at + size)).conversations);
      got.push(...d.end().conversations);
    } finally {
      d.free();
    }
    assert.deepEqual(got.map((c) => c.index).sort(), [0, 1, 2], `slices of ${size}`);
    for (const c of got) assert.deepEqual(comparable(c), comparable(whole.conversations[c.index]), `slices of ${size}: conversation ${c.index}`);
  }
});

test("CaptureDecoder: the zero-copy intake (writable, then commit) gives push's conversations, in any split", async (t) => {
  const f = requireFile(t, "three conversations, HTTP and UDP");
  if (!f) return;
  const ws = await api();
  const bytes = readFileSync(f.file);
  const whole = ws.decodeCapture(bytes);
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) % 9000;
  for (const pattern of ["random", 13, 65_536]) {
    const d = new ws.CaptureDecoder();
    const got = [];
    let held = null;
    try {
      for (let at = 0; at < bytes.length;) {
        const view = d.writable(pattern === "random" ? 1 + rand() : pattern);
        const n = Math.min(view.length, bytes.length - at);
        view.set(bytes.subarray(at, at + n));
        at += n;
        const part = d.commit(n);
        got.push(...part.conversations);
        held ??= part.conversations[0] ? { c: part.conversations[0], json: JSON.stringify(part.conversations[0]) } : null;
      }
      got.push(...d.end().conversations);
      assert.throws(() => d.commit(1), RangeError, "commit without a writable view");
      assert.throws(() => d.writable(-1), RangeError);
      assert.equal(d.writable(1 << 30).length, 16 << 20, "a view is at most 16 MiB, whatever is asked");
      assert.throws(() => d.commit((16 << 20) + 1), RangeError, "commit past the view");
    } finally {
      d.free();
    }
    assert.deepEqual(got.map((c) => c.index).sort(), [0, 1, 2], `pattern ${pattern}`);
    for (const c of got) assert.deepEqual(comparable(c), comparable(whole.conversations[c.index]), `pattern ${pattern}: conversation ${c.index}`);
    assert.ok(held, "a conversation came out of a commit");
    assert.equal(JSON.stringify(held.c), held.json, "a conversation from commit() outlives later views, memory growth and free()");
  }
});

// ---- TCP reassembly on rewritten captures -------------------------------------------------

/** The plain recording's records and segments, and its decoding as recorded. */
async function rewriting(t) {
  const f = requireFile(t, "ws client, websockets server, deflate off");
  if (!f) return null;
  const ws = await api();
  const pcap = readPcap(plain.file);
  assert.equal(pcap.linktype, 1, "Ethernet (-i lo)");
  const segments = dataSegments(pcap, plain.clientPort);
  const original = ws.decodeCapture(readFileSync(plain.file));
  assert.equal(original.conversations.length, 1);
  // Segments whose bytes no other packet carries (loopback captures hold a few retransmissions).
  const unique = (s) => segments.filter((x) => x.direction === s.direction && x.offset === s.offset).length === 1;
  const client = segments.filter((s) => s.direction === "client" && unique(s));
  const decode = (records, options) => {
    const file = join(dir, `rewrite-${++rewrites}.pcap`);
    writePcap(file, { header: pcap.header, records });
    return { file, r: ws.decodeCapture(readFileSync(file), options) };
  };
  return { ws, pcap, records: pcap.records, segments, client, original, base: original.conversations[0], decode };
}
let rewrites = 0;
const conflicts = (r) => r.notices.filter((n) => n.id === "overlap-conflict");

test("reassembly: segments reordered give the conversation as recorded", async (t) => {
  const x = await rewriting(t);
  if (!x) return;
  const [a, b] = [x.client[3], x.client[5]];
  const records = x.records.slice();
  [records[a.index], records[b.index]] = [records[b.index], records[a.index]];
  const { r } = x.decode(records);
  assert.equal(r.conversations.length, 1);
  assert.deepEqual(r.conversations[0].gaps, []);
  assert.deepEqual(comparable(r.conversations[0]), comparable(x.base));
  assert.deepEqual(conflicts(r), []);
});

test("reassembly: segments reordered: each direction's frames stay in stream order in the frames list", async (t) => {
  const x = await rewriting(t);
  if (!x) return;
  const [a, b] = [x.client[3], x.client[5]];
  const records = x.records.slice();
  [records[a.index], records[b.index]] = [records[b.index], records[a.index]];
  const { file, r } = x.decode(records);
  t.diagnostic(`input: ${file} (packets ${a.index + 1} and ${b.index + 1} of ${plain.file} swapped)`);
  for (const d of DIRECTIONS) {
    const frames = r.conversations[0].frames.filter((f) => f.direction === d);
    assert.deepEqual(frames.map((f) => f.index), frames.map((_, i) => i), `${d}: frames in index order`);
    assert.deepEqual(frames.map((f) => f.offset), frames.map((f) => f.offset).sort((p, q) => p - q), `${d}: offsets ascending`);
    const messages = r.conversations[0].messages.filter((m) => m.direction === d);
    assert.deepEqual(messages.map((m) => m.index), messages.map((_, i) => i), `${d}: messages in index order`);
  }
});

test("reassembly: a segment seen twice counts once", async (t) => {
  const x = await rewriting(t);
  if (!x) return;
  const records = x.records.slice();
  records.splice(x.client[5].index + 1, 0, x.records[x.client[3].index], x.records[x.client[4].index]);
  const { r } = x.decode(records);
  assert.deepEqual(r.conversations[0].gaps, []);
  assert.deepEqual(comparable(r.conversations[0]), comparable(x.base));
  assert.deepEqual(r.notices, []);
});

/** A client segment of at least 600 bytes cut into two that share its middle third: [first, second] records, in capture order. */
function overlapping(x, { secondFirst, alter }) {
  const s = x.client.find((c) => c.length >= 600 && c.length < 10_000);
  assert.ok(s, "a client segment of 600 bytes or more");
  const third = Math.floor(s.length / 3);
  const head = Buffer.from(s.data.subarray(0, 2 * third)), tail = Buffer.from(s.data.subarray(third));
  // The copy that comes second in the capture carries other bytes where the two overlap.
  if (alter) for (let i = third; i < 2 * third; i++) (secondFirst ? head : tail)[secondFirst ? i : i - third] ^= 0x5a;
  const a = withPayload(x.records[s.index], head, s.seq), b = withPayload(x.records[s.index], tail, s.seq + third);
  const records = x.records.slice();
  records.splice(s.index, 1, ...(secondFirst ? [b, a] : [a, b]));
  // 1-based packet numbers of the copies in capture order; the overlap's stream offset.
  return { records, first: s.index + 1, second: s.index + 2, at: s.offset + third };
}

for (const secondFirst of [false, true]) {
  const order = secondFirst ? "the later bytes first (held out of order)" : "in order";
  test(`reassembly: overlapping segments with equal bytes, ${order}: no notice, the same conversation`, async (t) => {
    const x = await rewriting(t);
    if (!x) return;
    const { r } = x.decode(overlapping(x, { secondFirst, alter: false }).records);
    assert.deepEqual(r.notices, []);
    assert.deepEqual(r.conversations[0].gaps, []);
    assert.deepEqual(comparable(r.conversations[0]), comparable(x.base));
  });

  test(`reassembly: overlapping segments with different bytes, ${order}: an overlap-conflict naming both packets, the first copy wins`, async (t) => {
    const x = await rewriting(t);
    if (!x) return;
    const o = overlapping(x, { secondFirst, alter: true });
    const { r } = x.decode(o.records);
    assert.deepEqual(comparable(r.conversations[0]), comparable(x.base), "the first copy's bytes are kept");
    const [notice, ...more] = conflicts(r);
    assert.deepEqual(more, []);
    assert.ok(notice, `an overlap-conflict notice (notices: ${JSON.stringify(r.notices)})`);
    assert.equal(notice.packet, o.second, "the notice concerns the second copy");
    assert.match(notice.message, new RegExp(`packet ${o.first}\\b`));
    assert.match(notice.message, new RegExp(`packet ${o.second}\\b`));
    assert.match(notice.message, new RegExp(`stream offset ${o.at}\\b`));
  });
}

test("reassembly: a segment removed is a gap; decoding resumes at the next frame, the lost message is missing, no violation", async (t) => {
  const x = await rewriting(t);
  if (!x) return;
  // The client's third data segment: the second message, one whole frame.
  const lost = x.client[2];
  const frame = x.base.frames.find((f) => f.direction === "client" && f.offset === lost.offset);
  assert.ok(frame && frame.offset + frame.length === lost.offset + lost.length, "the segment is one whole frame");
  const next = x.segments.find((s) => s.direction === "client" && s.offset === lost.offset + lost.length);
  const { r } = x.decode(x.records.filter((_, i) => i !== lost.index));
  const c = r.conversations[0];
  assert.deepEqual(c.gaps, [{ direction: "client", offset: lost.offset, length: lost.length, packet: next.index /* 1-based, one packet fewer */ }]);
  assert.deepEqual(c.violations, []);
  const sent = expectedMessages(plain, "client");
  const lostMessage = x.base.messages.filter((m) => m.direction === "client").findIndex((m) => m.frames.includes(frame.index));
  assert.deepEqual(messagesOf(c, "client"), sent.filter((_, i) => i !== lostMessage), "every client message but the lost one");
  assert.deepEqual(messagesOf(c, "server"), expectedMessages(plain, "server"), "the server's side is whole");
  const resumed = c.notices.find((n) => n.id === "gap" && n.direction === "client" && /resumed at byte/.test(n.message));
  assert.ok(resumed, `a notice says where decoding resumed: ${JSON.stringify(c.notices)}`);
  assert.equal(resumed.offset, lost.offset + lost.length, "at the next frame");
  const base = comparable(x.base).client.frames.filter((f) => f.offset !== lost.offset);
  assert.deepEqual(comparable(c).client.frames, base, "every other client frame as recorded");
});

test("reassembly: a segment removed inside a long frame: decoding resumes at the frame after it, no violation", async (t) => {
  const x = await rewriting(t);
  if (!x) return;
  const big = x.base.frames.find((f) => f.direction === "client" && f.payloadLength === 300_000);
  const end = big.offset + big.length;
  const lost = x.client.find((s) => s.offset > big.offset + 50_000 && s.offset + s.length < end);
  assert.ok(lost, "a client segment in the middle of the 300 000-byte frame");
  const { file, r } = x.decode(x.records.filter((_, i) => i !== lost.index));
  const c = r.conversations[0];
  t.diagnostic(`input: ${file}; packet ${lost.index + 1} of ${plain.file} removed (client stream ${lost.offset}+${lost.length})`);
  assert.equal(c.gaps.length, 1);
  assert.deepEqual(c.gaps[0], { direction: "client", offset: lost.offset, length: lost.length, packet: c.gaps[0].packet });
  assert.deepEqual(c.violations.slice(0, 3), [], `no violation caused by the gap (${c.violations.length})`);
  const resumed = c.frames.filter((f) => f.direction === "client" && f.offset >= lost.offset);
  assert.deepEqual(resumed.map((f) => [f.offset, f.opcode]), comparable(x.base).client.frames.filter((f) => f.offset >= end).map((f) => [f.offset, f.opcode]),
    "the next frames are the recorded ping and close");
});

test("reassembly: the opening removed: not a conversation but a mid-stream notice, unless midStream: true", async (t) => {
  const x = await rewriting(t);
  if (!x) return;
  // Everything before the client's first frame (SYN, handshake request and response) is cut.
  const first = x.segments.find((s) => s.direction === "client" && s.offset > 0);
  const records = x.records.slice(first.index);
  const { r } = x.decode(records);
  assert.deepEqual(r.conversations, []);
  assert.equal(r.stats.midStreamCandidates, 1);
  const notice = r.notices.find((n) => n.id === "mid-stream" && /mid-stream option/.test(n.message));
  assert.ok(notice, `a mid-stream notice: ${JSON.stringify(r.notices)}`);
  assert.match(notice.message, new RegExp(`127\\.0\\.0\\.1:${plain.clientPort}\\b`));

  const { r: m } = x.decode(records, { midStream: true });
  assert.equal(m.conversations.length, 1);
  const c = m.conversations[0];
  assert.equal(c.midStream, true);
  assert.deepEqual([c.request, c.response, c.extensions], [null, null, null], "no handshake");
  assert.equal(c.client.port, plain.clientPort, "the client is the side that masks");
  assert.equal(c.server.port, plain.port);
  assert.ok(c.notices.some((n) => n.id === "handshake-missing"), "the no-handshake rules are said");
  assert.deepEqual(c.violations, []);
  assert.deepEqual(c.gaps, []);
  for (const d of DIRECTIONS) {
    assert.deepEqual(messagesOf(c, d), expectedMessages(plain, d), `${d}: every message`);
    // Offsets now count from the first byte seen: the recorded ones less the handshake head.
    const head = x.base.frames.find((f) => f.direction === d).offset;
    assert.deepEqual(comparable(c)[d].frames, comparable(x.base)[d].frames.map((f) => ({ ...f, offset: f.offset - head })), `${d}: the frames as recorded`);
  }
});

/** What tshark says a snapshot length cut: [{ direction, offset, length, packet }] per cut data packet, first copies only. */
function cutsOf(file, clientPort) {
  const seen = new Set();
  const cuts = [];
  for (const p of tsharkPackets(file)) {
    if (p.proto !== "tcp" || p.length === 0 || p.capturedLength >= p.frameLength) continue;
    const captured = Math.max(0, p.length - (p.frameLength - p.capturedLength));
    const direction = p.srcport === clientPort ? "client" : "server";
    const key = `${direction} ${p.offset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    cuts.push({ direction, offset: p.offset + captured, length: p.length - captured, packet: p.packet });
  }
  return cuts;
}

for (const snaplen of [100, 400]) {
  test(`reassembly: snaplen ${snaplen} (editcap -s ${snaplen}): every cut is named with its packet`, async (t) => {
    const x = await rewriting(t);
    if (!x) return;
    const file = join(dir, `snaplen-${snaplen}.pcap`);
    tool("editcap", ["-s", String(snaplen), plain.file, file]);
    const cuts = cutsOf(file, plain.clientPort);
    assert.ok(cuts.length >= 10, `tshark sees cut packets (${cuts.length})`);
    const r = x.ws.decodeCapture(readFileSync(file));
    assert.equal(r.error, null);
    const notices = r.notices.filter((n) => n.id === "snaplen");
    assert.deepEqual(notices.map((n) => n.packet), cuts.map((c) => c.packet), "a snaplen notice per cut packet");
    for (const [i, n] of notices.entries()) assert.match(n.message, new RegExp(`${cuts[i].length} bytes at stream offset ${cuts[i].offset}\\b`));
    if (snaplen === 400) {
      assert.equal(r.conversations.length, 1);
      assert.deepEqual(r.conversations[0].gaps, cuts, "the gaps: direction, stream offset, length and packet of each cut");
    }
  });

  test(`reassembly: snaplen ${snaplen}: the conversation, its gaps, no violation`, async (t) => {
    const x = await rewriting(t);
    if (!x) return;
    const file = join(dir, `snaplen-${snaplen}-b.pcap`);
    tool("editcap", ["-s", String(snaplen), plain.file, file]);
    const r = x.ws.decodeCapture(readFileSync(file));
    t.diagnostic(`input: ${file}`);
    assert.equal(r.conversations.length, 1, "the conversation is found");
    const c = r.conversations[0];
    assert.deepEqual(c.gaps, cutsOf(file, plain.clientPort));
    assert.deepEqual(c.violations.map((v) => `${v.direction} ${v.id} at ${v.offset}`), [], "no violation caused by the gaps");
  });
}

// ---- the CLI on real captures ---------------------------------------------------------------

let native;
function cli(t) {
  if (unavailable) { t.skip(unavailable); return null; }
  native ??= buildNative();
  return native;
}
const run = (command, args) => {
  const r = spawnSync(command, args, { cwd: dir, maxBuffer: 512 << 20, timeout: 60_000 });
  assert.equal(r.error, undefined, `${command}: ${r.error}`);
  return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") };
};

/** Runs the native binary and the packed bin; asserts the same stdout, stderr and status, and the status expected. */
async function same(t, args, status) {
  const bin = cli(t);
  await api();
  const npx = join(installed.dir, "node_modules", ".bin", "wsinspect");
  const n = run(bin, args), p = run(npx, args);
  assert.equal(n.status, status, `native ${args.join(" ")}: status (stderr: ${n.stderr.slice(0, 500)})`);
  assert.equal(p.stdout, n.stdout, `${args.join(" ")}: stdout`);
  assert.equal(p.stderr, n.stderr, `${args.join(" ")}: stderr`);
  assert.equal(p.status, n.status, `${args.join(" ")}: status`);
  return n;
}

test("CLI: decode of a capture, the table and --json, native and npx the same; --json is decodeCapture's object", async (t) => {
  const f = requireFile(t, "ws-ws deflate on, pcapng (editcap)");
  if (!f) return;
  const ws = await api();
  const table = await same(t, ["decode", f.file], 0);
  assert.match(table.stdout, /127\.0\.0\.1/);
  const out = await same(t, ["decode", f.file, "--json"], 0);
  await same(t, ["decode", f.file, "--jsonl"], 0);
  const json = JSON.parse(out.stdout);
  const js = ws.decodeCapture(readFileSync(f.file));
  assert.equal(json.format, "pcapng");
  assert.deepEqual(json.stats, js.stats);
  assert.deepEqual(json.notices, js.notices);
  assert.equal(json.error, null);
  assert.equal(json.conversations.length, 1);
  const [a, b] = [json.conversations[0], js.conversations[0]];
  for (const key of ["index", "client", "server", "midStream", "gaps", "bytes", "start", "end", "extensions"]) assert.deepEqual(a[key], b[key], key);
  assert.deepEqual(a.frames.map((x) => [x.direction, x.offset, x.opcode, x.payloadLength, x.packet]), b.frames.map((x) => [x.direction, x.offset, x.opcode, x.payloadLength, x.packet]));
  assert.deepEqual(a.messages.map((m) => [m.direction, m.kind, m.text ?? null]), b.messages.map((m) => [m.direction, m.kind, m.text ?? null]));
  assert.deepEqual(a.violations, []);
});

test("CLI: a classic pcap (tcpdump -w) is read as a capture", async (t) => {
  const f = requireFile(t, "ws client, websockets server, deflate off");
  if (!f) return;
  const out = await same(t, ["decode", f.file], 0);
  assert.match(out.stdout, /read as pcap\b/);
  const json = JSON.parse((await same(t, ["decode", f.file, "--json"], 0)).stdout);
  assert.equal(json.format, "pcap");
  assert.equal(json.conversations.length, 1);
  assert.deepEqual(json.conversations[0].violations, []);
});

// The other CLI tests read pcapng (editcap's conversion of the recordings), so they test
// what they name while a classic pcap is not read (above).
test("CLI: --conversation N picks one of three", async (t) => {
  const three = requireFile(t, "three conversations, HTTP and UDP");
  if (!three) return;
  const f = { file: convert(three.file, "pcapng") };
  const all = await same(t, ["decode", f.file], 0);
  const one = await same(t, ["decode", f.file, "--conversation", "1"], 0);
  assert.ok(one.stdout.length < all.stdout.length, "one conversation decoded, not three");
  const json = JSON.parse((await same(t, ["decode", f.file, "--conversation", "1", "--json"], 0)).stdout);
  assert.deepEqual(json.conversations.map((c) => c.index), [1]);
  const ws = await api();
  assert.equal(json.conversations[0].client.port, ws.decodeCapture(readFileSync(f.file)).conversations[1].client.port);
  const every = JSON.parse((await same(t, ["decode", f.file, "--json"], 0)).stdout);
  assert.deepEqual(every.conversations.map((c) => c.index), [0, 1, 2]);
});

test("CLI: --mid-stream decodes a connection whose opening was not captured", async (t) => {
  if (!cli(t)) return;
  const x = await rewriting(t);
  const first = x.segments.find((s) => s.direction === "client" && s.offset > 0);
  const file = convert(writePcap(join(dir, "cli-mid-stream.pcap"), { header: x.pcap.header, records: x.records.slice(first.index) }), "pcapng");
  const without = JSON.parse((await same(t, ["decode", file, "--json"], 0)).stdout);
  assert.deepEqual(without.conversations, []);
  const json = JSON.parse((await same(t, ["decode", file, "--mid-stream", "--json"], 0)).stdout);
  assert.equal(json.conversations.length, 1);
  assert.equal(json.conversations[0].midStream, true);
});

test("CLI: exit 1 on a violation in a capture, 2 on a truncated capture", async (t) => {
  if (!cli(t)) return;
  const x = await rewriting(t);
  // The client's first frame (a masked text frame, 0x81) made opcode 0x3, reserved (RFC 6455 §5.2).
  const first = x.segments.find((s) => s.direction === "client" && s.offset > 0);
  assert.equal(first.data[0], 0x81);
  const records = x.records.slice();
  const data = Buffer.from(records[first.index].data);
  data[tcpOf(data).payload] = 0x83;
  records[first.index] = { head: records[first.index].head, data };
  const broken = convert(writePcap(join(dir, "cli-violation.pcap"), { header: x.pcap.header, records }), "pcapng");
  const out = await same(t, ["decode", broken], 1);
  assert.match(out.stdout, /reserved-opcode/);
  await same(t, ["decode", broken, "--json"], 1);

  const whole = readFileSync(convert(plain.file, "pcapng"));
  const truncated = join(dir, "cli-truncated.pcapng");
  writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
  const cut = await same(t, ["decode", truncated], 2);
  assert.match(cut.stdout, /error at byte \d+, packet \d+: the file ends inside a pcapng block/, "the table says where the file ends");
  const json = JSON.parse((await same(t, ["decode", truncated, "--json"], 2)).stdout);
  assert.ok(json.error && json.error.offset > 0, `the error and where: ${JSON.stringify(json.error)}`);
});
