// Issue 17: wss:// in captures. Real TLS peers nobody here wrote (PyPI websockets over
// Python's ssl with each TLS 1.3 and TLS 1.2 suite forced, RSA key exchange, a
// HelloRetryRequest; headless Chromium's BoringSSL; openssl s_client updating its keys)
// talk on loopback while tcpdump records them and each writes an NSS key log; the packed
// package's decodeCapture, given the key log, must decrypt every conversation into the
// frames tshark's own decryption dissects, field by field and packet by packet, and the
// messages the peers logged. Then what must not decrypt: random secrets, another
// connection's key log, none, an AES-CCM or AES-CBC suite, a tampered record, a lost
// packet, a lost ServerHello; a key log with bad lines; an editcap pcapng carrying its own
// secrets; a mergecap of several connections; CaptureDecoder in slices; the CLI's --keylog.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { repo } from "../support/peers.js";
import { createHash } from "node:crypto";
import { installPacked, importPacked } from "../support/packed.js";
import { buildNative } from "../support/native.js";
import { captureUnavailable, tool } from "../support/capture.js";
import { readPcap, writePcap, dataSegments, tcpOf, withPayload } from "../support/capture-files.js";
import {
  tlsScenarios, recordTls, writeTlsScript, tsharkTlsFrames, injectSecrets, tlsRecords, plaintextRecords,
  recordOverhead, keyLogEntries, randomSecrets, keyUpdateScenario, KEY_UPDATE_STEPS, unsupportedScenarios,
} from "../support/tls-captures.js";

const unavailable = captureUnavailable();
const DIRECTIONS = ["client", "server"];
// tlsScenarios, and openssl s_client updating its keys (TLS 1.3 KeyUpdate) both ways.
const SCENARIOS = [...tlsScenarios, keyUpdateScenario];

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

/** slug -> recordTls's recording, plus `keys` (the key log's text). */
const recordings = new Map();
let dir;

before(async () => {
  if (unavailable) return;
  dir = mkdtempSync(join(tmpdir(), "wsinspect-tls-"));
  const scriptFile = writeTlsScript(dir);
  const started = Date.now();
  // One recording at a time, as capture.test.js: peers at once on two shared cores time out.
  for (const scenario of [...SCENARIOS, ...unsupportedScenarios]) {
    const r = await recordTls(scenario, dir, scriptFile);
    recordings.set(scenario.slug, { ...r, keys: readFileSync(r.keyLog, "utf8") });
  }
  console.log(`# recorded ${recordings.size} wss:// captures in ${Date.now() - started} ms`);
}, { timeout: 90_000 });
after(() => { if (dir && !process.env.KEEP_CAPTURES) rmSync(dir, { recursive: true, force: true }); });

/** tshark's decrypted frames of a recording, and its plaintext placed in packets: read once, used by several tests. */
const theirFrames = (rec) => (rec.tshark ??= tsharkTlsFrames(rec.file, rec.keyLog, rec.serverPort));
const plaintextOf = (rec) => (rec.plaintext ??= plaintextRecords(rec.file, rec.keyLog, rec.serverPort, rec.clientPort,
  recordOverhead(rec.expected.version, rec.expected.cipherSuite)));

function requireRecording(t, slug) {
  if (unavailable) { t.skip(unavailable); return null; }
  const r = recordings.get(slug);
  assert.ok(r, `no recording "${slug}" (the before hook failed: see above)`);
  return r;
}

// ---- comparing --------------------------------------------------------------------------

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const isData = (e) => e.type === "text" || e.type === "binary";
const TLS_IDS = ["keylog", "tls-record", "tls-lost", "tls"];

/** A message as compared: its kind and text, or its hex (a long one by its length and SHA-256). */
function brief(kind, textOrHex) {
  if (kind === "text") return { kind, text: textOrHex };
  if (textOrHex.length <= 512) return { kind, hex: textOrHex };
  return { kind, bytes: textOrHex.length / 2, sha256: sha(Buffer.from(textOrHex, "hex")) };
}

/** The data messages one direction carried, as the client logged them (the server's log agrees). */
function expectedMessages(peers, direction) {
  const of = (log, dir) => log.events.filter((e) => isData(e) && e.dir === dir).map((e) => brief(e.type, e.text ?? e.hex));
  const fromClient = of(peers.client, direction === "client" ? "sent" : "received");
  assert.deepEqual(of(peers.server, direction === "client" ? "received" : "sent"), fromClient, `the ${direction}'s messages as both peers logged them`);
  return fromClient;
}
const messagesOf = (c, d) => c.messages.filter((m) => m.direction === d).map((m) => brief(m.kind, m.kind === "text" ? m.text : hex(m.data)));

/** tshark's frames of one direction, in the names compared. */
const tsharkOf = (frames, d) => frames.filter((f) => f.direction === d)
  .map((f) => ({ fin: f.fin, rsv: f.rsv, opcode: f.opcode, masked: f.mask, maskingKey: f.masking_key, payloadLength: f.payload_length, packet: f.packet }));

/**
 * Our frames of one direction, in the same names; `packet`: the last packet of the TLS record
 * holding the frame's last byte (what completed it: tshark's convention), found from the
 * frame's plaintext offsets by `plain` (plaintextRecords, independent of the core).
 */
const oursOf = (c, d, plain) => c.frames.filter((f) => f.direction === d).map((f) => ({
  fin: f.fin, rsv: (f.rsv1 ? 4 : 0) | (f.rsv2 ? 2 : 0) | (f.rsv3 ? 1 : 0), opcode: f.opcode, masked: f.masked,
  maskingKey: f.maskingKey ? hex(f.maskingKey) : null, payloadLength: f.payloadLength, packet: plain.at(d, f.offset + f.length - 1)?.last ?? null,
}));

/** What a second reading must give again: each direction's frames, messages and violations. */
function comparable(c) {
  const out = { tls: c.tls };
  for (const d of DIRECTIONS) {
    out[d] = {
      frames: c.frames.filter((f) => f.direction === d).map((f) => ({ offset: f.offset, length: f.length, fin: f.fin, opcode: f.opcode,
        rsv1: f.rsv1, masked: f.masked, payloadLength: f.payloadLength, packet: f.packet, payload: sha(f.payload) })),
      messages: messagesOf(c, d),
      violations: c.violations.filter((v) => v.direction === d).map((v) => `${v.id} at ${v.offset}`),
    };
  }
  return out;
}

/** The client random of a key log's connection (its only one; an `RSA` line names the encrypted pre-master secret instead). */
function clientRandomOf(keys) {
  const randoms = [...new Set(keyLogEntries(keys).filter((e) => e.label !== "RSA").map((e) => e.clientRandom.toLowerCase()))];
  assert.equal(randoms.length, 1, "one connection in the key log");
  return randoms[0];
}

const tlsNotices = (r) => [...r.notices, ...r.conversations.flatMap((c) => c.notices)].filter((n) => TLS_IDS.includes(n.id));

// ---- every recording, decrypted ------------------------------------------------------------

for (const scenario of SCENARIOS) {
  test(`${scenario.name}: decrypted with its key log, tshark's frames field by field and packet by packet, the peers' messages`, async (t) => {
    const rec = requireRecording(t, scenario.slug);
    if (!rec) return;
    const ws = await api();
    const r = ws.decodeCapture(readFileSync(rec.file), { keyLog: rec.keys });
    assert.equal(r.error, null);
    assert.equal(r.format, "pcap");
    const clientRandom = clientRandomOf(rec.keys);
    const tls = { version: rec.expected.version, cipherSuite: rec.expected.cipherSuite, sni: rec.expected.sni, alpn: rec.expected.alpn, clientRandom };
    assert.equal(r.tls.length, 1, `one TLS connection: ${JSON.stringify(r.tls)}`);
    const [conn] = r.tls;
    assert.equal(conn.status, "decrypted", conn.message);
    assert.deepEqual({ version: conn.version, cipherSuite: conn.cipherSuite, sni: conn.sni, alpn: conn.alpn, clientRandom: conn.clientRandom }, tls);
    assert.deepEqual([conn.client.port, conn.server.port], [rec.clientPort, rec.serverPort]);
    assert.equal(conn.conversation, 0);
    assert.deepEqual(r.notices, [], "nothing odd in a clean capture");

    assert.equal(r.conversations.length, 1);
    const [c] = r.conversations;
    assert.deepEqual(tlsNotices(r), [], "nor in its conversation");
    assert.deepEqual(c.tls, tls, "conversation.tls: the version and suite forced, SNI, ALPN, client random");
    assert.deepEqual([c.client.port, c.server.port], [rec.clientPort, rec.serverPort]);
    assert.equal(c.midStream, false);
    assert.deepEqual(c.gaps, []);
    assert.deepEqual(c.violations, [], "real peers break no rule");
    assert.equal(c.response?.status, 101);
    assert.equal(c.request?.path, "/chat");
    assert.deepEqual(c.pairChecks.filter((p) => !p.passed), [], "every pair check passes");
    assert.equal(c.extensions, rec.server.extensions, "the extensions the server agreed");

    const plain = plaintextOf(rec);
    const theirs = theirFrames(rec);
    for (const d of DIRECTIONS) {
      assert.ok(theirs.some((f) => f.direction === d), `${d}: tshark decrypts its frames`);
      assert.deepEqual(oursOf(c, d, plain), tsharkOf(theirs, d), `${d}: frames as tshark decrypts and dissects them`);
      for (const f of c.frames.filter((x) => x.direction === d)) {
        assert.equal(f.packet, plain.at(d, f.offset).last, `${d} frame ${f.index}: its packet completes the record holding its first byte`);
        assert.equal(typeof f.time, "number");
      }
      const total = plain.records.filter((p) => p.direction === d).reduce((n, p) => n + p.length, 0);
      const last = c.frames.filter((f) => f.direction === d).at(-1);
      assert.equal(last.offset + last.length, total, `${d}: the frames end where the decrypted stream does`);
      assert.equal(c.streams[d].length, total, `${d}: streams hold the decrypted bytes`);
      assert.deepEqual(messagesOf(c, d), expectedMessages(rec, d), `${d}: the messages the peers logged, in order`);
      assert.ok(c.messages.filter((m) => m.direction === d).every((m) => m.complete), `${d}: every message complete`);
    }
    const close = rec.client.events.find((e) => e.type === "close" && e.dir === "sent");
    assert.deepEqual([c.close.first?.direction, c.close.first?.code, c.close.first?.reason], ["client", close.code, close.reason]);
    assert.equal(c.close.reply?.direction, "server");
  });
}

test("openssl s_client's KeyUpdates: the key log holds only the first traffic secrets, every text after the updates is read", async (t) => {
  const rec = requireRecording(t, keyUpdateScenario.slug);
  if (!rec) return;
  const ws = await api();
  const labels = keyLogEntries(rec.keys).map((e) => e.label);
  assert.ok(labels.includes("CLIENT_TRAFFIC_SECRET_0") && !labels.some((l) => /_TRAFFIC_SECRET_[1-9]/.test(l)), `labels: ${labels}`);
  const r = ws.decodeCapture(readFileSync(rec.file), { keyLog: rec.keys });
  const texts = KEY_UPDATE_STEPS.map(([, text]) => ({ kind: "text", text }));
  for (const d of DIRECTIONS) assert.deepEqual(messagesOf(r.conversations[0], d), texts, `${d}: each text, before and after the updates`);
});

test("wss-tls13-hrr: a HelloRetryRequest before the ServerHello (tshark sees both, and two ClientHellos) is decrypted", async (t) => {
  const rec = requireRecording(t, "wss-tls13-hrr");
  if (!rec) return;
  const ws = await api();
  // RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
  const HRR = createHash("sha256").update("HelloRetryRequest").digest("hex");
  const randoms = tool("tshark", ["-r", rec.file, "-d", `tcp.port==${rec.serverPort},tls`, "-Y", "tls.handshake.type == 2",
    "-T", "fields", "-e", "tls.handshake.random"]).split("\n").filter(Boolean).map((r) => r.replaceAll(":", ""));
  assert.equal(randoms.length, 2, "two ServerHellos");
  assert.equal(randoms[0], HRR, "the first is a HelloRetryRequest");
  const hellos = tool("tshark", ["-r", rec.file, "-d", `tcp.port==${rec.serverPort},tls`, "-Y", "tls.handshake.type == 1", "-T", "fields", "-e", "frame.number"]);
  assert.equal(hellos.split("\n").filter(Boolean).length, 2, "two ClientHellos");
  const r = ws.decodeCapture(readFileSync(rec.file), { keyLog: rec.keys });
  assert.deepEqual(r.tls.map((x) => [x.status, x.clientRandom]), [["decrypted", clientRandomOf(rec.keys)]]);
});

// ---- a pcapng carrying its own secrets -------------------------------------------------------

for (const slug of ["wss-tls13", "wss-tls12-gcm", "wss-chromium"]) {
  test(`${slug}: editcap --inject-secrets: the pcapng decrypts with no keyLog, as the pcap with its key log`, async (t) => {
    const rec = requireRecording(t, slug);
    if (!rec) return;
    const ws = await api();
    const file = injectSecrets(rec.file, rec.keyLog, join(dir, `${slug}-secrets.pcapng`));
    const r = ws.decodeCapture(readFileSync(file));
    assert.equal(r.format, "pcapng");
    assert.deepEqual(r.tls.map((x) => x.status), ["decrypted"]);
    assert.deepEqual(tlsNotices(r), []);
    const withKeys = ws.decodeCapture(readFileSync(rec.file), { keyLog: rec.keys });
    assert.equal(r.conversations.length, 1);
    assert.deepEqual(comparable(r.conversations[0]), comparable(withKeys.conversations[0]));
    const theirs = tsharkTlsFrames(file, null, rec.serverPort);
    assert.deepEqual(theirs, theirFrames(rec), "tshark reads the pcapng's secrets too");
  });
}

// ---- what must not decrypt --------------------------------------------------------------------

/** No conversation, no frame and none of the peers' words anywhere in the result. */
function nothingMadeUp(r, rec) {
  assert.deepEqual(r.conversations, [], "no conversation");
  const text = JSON.stringify(r);
  for (const e of rec.client.events.filter((x) => x.type === "text")) assert.ok(!text.includes(e.text), `no plaintext in the result: ${e.text.slice(0, 20)}`);
  assert.ok(!text.includes("Switching Protocols"), "not even the handshake");
}

for (const slug of ["wss-tls13", "wss-tls12-gcm384", "wss-chromium"]) {
  test(`${slug}: random secrets for the right client random: status "failed", no conversation, no made-up plaintext`, async (t) => {
    const rec = requireRecording(t, slug);
    if (!rec) return;
    const ws = await api();
    const keys = randomSecrets(rec.keys);
    assert.notEqual(keys, rec.keys);
    assert.equal(clientRandomOf(keys), clientRandomOf(rec.keys));
    const r = ws.decodeCapture(readFileSync(rec.file), { keyLog: keys });
    assert.equal(r.error, null);
    assert.equal(r.tls.length, 1);
    assert.equal(r.tls[0].status, "failed", JSON.stringify(r.tls[0]));
    assert.equal(r.tls[0].conversation, null);
    assert.equal(r.tls[0].version, rec.expected.version);
    assert.equal(r.tls[0].cipherSuite, rec.expected.cipherSuite);
    assert.match(r.tls[0].message, /\S/);
    nothingMadeUp(r, rec);
  });

  test(`${slug}: another connection's key log: status "no-key" naming the client random, no conversation`, async (t) => {
    const rec = requireRecording(t, slug);
    if (!rec) return;
    const other = recordings.get(slug === "wss-tls13" ? "wss-tls13-chacha" : "wss-tls13");
    const ws = await api();
    const r = ws.decodeCapture(readFileSync(rec.file), { keyLog: other.keys });
    assert.equal(r.tls.length, 1);
    assert.equal(r.tls[0].status, "no-key", JSON.stringify(r.tls[0]));
    assert.equal(r.tls[0].clientRandom, clientRandomOf(rec.keys));
    assert.match(r.tls[0].message, new RegExp(`no key for client random ${clientRandomOf(rec.keys).slice(0, 8)}`));
    assert.equal(r.tls[0].sni, rec.expected.sni, "SNI is in the clear ClientHello");
    nothingMadeUp(r, rec);
  });
}

for (const scenario of unsupportedScenarios) {
  test(`${scenario.name}: status "unsupported-suite" naming it, no conversation, no made-up plaintext`, async (t) => {
    const rec = requireRecording(t, scenario.slug);
    if (!rec) return;
    const ws = await api();
    const r = ws.decodeCapture(readFileSync(rec.file), { keyLog: rec.keys });
    assert.equal(r.tls.length, 1);
    const [conn] = r.tls;
    assert.equal(conn.status, "unsupported-suite", conn.message);
    assert.deepEqual([conn.version, conn.cipherSuite, conn.sni, conn.clientRandom], [rec.expected.version, rec.expected.cipherSuite, rec.expected.sni, clientRandomOf(rec.keys)]);
    assert.match(conn.message, new RegExp(rec.expected.cipherSuite));
    assert.equal(conn.conversation, null);
    nothingMadeUp(r, rec);
  });
}

test("wss-tls13: no keyLog at all: status \"no-key\", no conversation", async (t) => {
  const rec = requireRecording(t, "wss-tls13");
  if (!rec) return;
  const ws = await api();
  const r = ws.decodeCapture(readFileSync(rec.file));
  assert.deepEqual(r.tls.map((x) => x.status), ["no-key"]);
  nothingMadeUp(r, rec);
});

/**
 * A copy of the recording with one ciphertext byte flipped in the client's application-data
 * record that carries its `n`-th data frame (tshark's numbering; a record wholly in one
 * packet). Returns { file, packet (1-based), frame (tshark's) }.
 */
function tamper(rec, n) {
  const frame = theirFrames(rec).filter((f) => f.direction === "client")[n];
  const record = tlsRecords(rec.file, rec.clientPort).filter((r) => r.direction === "client" && r.type === 23 && r.packets.length === 1 && r.packets[0] === frame.packet - 1);
  assert.equal(record.length, 1, `one client application-data record in packet ${frame.packet}`);
  const pcap = readPcap(rec.file);
  const seg = dataSegments(pcap, rec.clientPort).find((s) => s.index === frame.packet - 1);
  const data = Buffer.from(pcap.records[seg.index].data);
  // A byte in the middle of the record's ciphertext.
  const at = tcpOf(data).payload + (record[0].offset - seg.offset) + 5 + Math.floor(record[0].length / 2);
  data[at] ^= 0x01;
  const records = pcap.records.slice();
  records[seg.index] = { head: records[seg.index].head, data };
  const file = writePcap(join(dir, `${rec.slug}-tampered.pcap`), { header: pcap.header, records });
  return { file, packet: frame.packet, frame };
}

// Recordings without permessage-deflate: with context takeover, a lost message would also
// take the inflater's window from the messages after it.
for (const slug of ["wss-tls13-aes256", "wss-tls13-chacha", "wss-tls12-gcm384"]) {
  test(`${slug}: one ciphertext byte flipped: a "tls-record" notice with its packet, nothing from that record, the rest decrypted`, async (t) => {
    const rec = requireRecording(t, slug);
    if (!rec) return;
    const ws = await api();
    // The client's second message ("héllo wörld …"), one frame in one record.
    const x = tamper(rec, 1);
    const r = ws.decodeCapture(readFileSync(x.file), { keyLog: rec.keys });
    t.diagnostic(`input: ${x.file} (packet ${x.packet} tampered)`);
    const notices = tlsNotices(r).filter((n) => n.id === "tls-record");
    assert.equal(notices.length, 1, `one tls-record notice: ${JSON.stringify(tlsNotices(r))}`);
    assert.equal(notices[0].packet, x.packet);
    assert.match(notices[0].message, new RegExp(`packet ${x.packet}\\b`));
    assert.equal(r.conversations.length, 1, "the connection is still decoded");
    const [c] = r.conversations;
    const sent = expectedMessages(rec, "client");
    const got = messagesOf(c, "client");
    assert.ok(!got.some((m) => m.text === sent[1].text), "nothing from the tampered record");
    assert.deepEqual(got, sent.filter((_, i) => i !== 1), "every other client message");
    assert.deepEqual(messagesOf(c, "server"), expectedMessages(rec, "server"), "the server's side is whole");
    assert.ok(!c.frames.some((f) => f.direction === "client" && f.maskingKey && hex(f.maskingKey) === x.frame.masking_key), "no frame of that record");
    // The record's plaintext is a gap of the client's stream, where plaintextRecords places it.
    const plain = plaintextOf(rec);
    const lost = plain.records.find((p) => p.direction === "client" && p.first === x.packet && p.last === x.packet);
    assert.deepEqual(c.gaps.map((g) => [g.direction, g.offset, g.length]), [["client", lost.offset, lost.length]]);
    assert.deepEqual(c.violations, [], "no violation caused by the lost record");
  });
}

test("wss-tls13-aes256: a client packet lost mid-conversation: a \"tls-lost\" notice naming the packet after the hole; what came before it, and the server's side, still read", async (t) => {
  const rec = requireRecording(t, "wss-tls13-aes256");
  if (!rec) return;
  const ws = await api();
  // The packet of the client's third message (one record): what follows it cannot be decrypted.
  const frame = theirFrames(rec).filter((f) => f.direction === "client")[2];
  const pcap = readPcap(rec.file);
  const lost = dataSegments(pcap, rec.clientPort).find((s) => s.index === frame.packet - 1);
  const file = writePcap(join(dir, "lost-client-record.pcap"), { header: pcap.header, records: pcap.records.filter((_, i) => i !== lost.index) });
  t.diagnostic(`input: ${file} (packet ${lost.index + 1} removed)`);
  const next = dataSegments(readPcap(file), rec.clientPort).find((s) => s.direction === "client" && s.offset > lost.offset);
  const r = ws.decodeCapture(readFileSync(file), { keyLog: rec.keys });
  assert.deepEqual(r.tls.map((x) => x.status), ["decrypted"]);
  const notices = tlsNotices(r);
  assert.deepEqual(notices.map((n) => [n.id, n.packet]), [["tls-lost", next.index + 1]], JSON.stringify(notices));
  assert.match(notices[0].message, new RegExp(`\\b${lost.length} bytes of the client's`));
  const [c] = r.conversations;
  assert.deepEqual(messagesOf(c, "client"), expectedMessages(rec, "client").slice(0, 2), "the client's messages before the hole");
  assert.deepEqual(messagesOf(c, "server"), expectedMessages(rec, "server"), "the server's side is whole");
  assert.deepEqual(c.violations, []);
});

test("wss-tls13: the ServerHello's packet removed: its notice, no conversation", async (t) => {
  const rec = requireRecording(t, "wss-tls13");
  if (!rec) return;
  const ws = await api();
  const hello = tlsRecords(rec.file, rec.clientPort).find((r) => r.direction === "server" && r.type === 22);
  const pcap = readPcap(rec.file);
  const removed = hello.packets[0];
  const file = writePcap(join(dir, "no-server-hello.pcap"), { header: pcap.header, records: pcap.records.filter((_, i) => i !== removed) });
  t.diagnostic(`input: ${file} (packet ${removed + 1} removed)`);
  const r = ws.decodeCapture(readFileSync(file), { keyLog: rec.keys });
  assert.equal(r.error, null);
  assert.equal(r.tls.length, 1);
  assert.equal(r.tls[0].status, "no-handshake", r.tls[0].message);
  assert.match(r.tls[0].message, /ServerHello/);
  assert.equal(r.tls[0].clientRandom, clientRandomOf(rec.keys), "the ClientHello was seen");
  // The server's bytes after the hole: its next data packet (numbered in the file without it).
  const lost = dataSegments(pcap, rec.clientPort).find((s) => s.index === removed);
  const next = dataSegments(readPcap(file), rec.clientPort).find((s) => s.direction === "server" && s.offset > lost.offset);
  const notices = tlsNotices(r);
  assert.deepEqual(notices.map((n) => [n.id, n.packet]), [["tls-lost", next.index + 1]], JSON.stringify(notices));
  assert.match(notices[0].message, new RegExp(`\\b${lost.length} bytes of the server's`));
  nothingMadeUp(r, rec);
});

test("wss-tls13: a record cut across two packets: its frame's packet is the one completing the record, as tshark's", async (t) => {
  const rec = requireRecording(t, "wss-tls13");
  if (!rec) return;
  const ws = await api();
  // The client's first data frame's packet, cut 20 bytes in: the record header and the first
  // ciphertext bytes in one packet, the rest (and the tag) in the next.
  const first = theirFrames(rec).find((f) => f.direction === "client");
  const pcap = readPcap(rec.file);
  const seg = dataSegments(pcap, rec.clientPort).find((s) => s.index === first.packet - 1);
  const records = pcap.records.slice();
  records.splice(seg.index, 1, withPayload(pcap.records[seg.index], seg.data.subarray(0, 20), seg.seq),
    withPayload(pcap.records[seg.index], seg.data.subarray(20), seg.seq + 20));
  const file = writePcap(join(dir, "record-cut.pcap"), { header: pcap.header, records });
  const r = ws.decodeCapture(readFileSync(file), { keyLog: rec.keys });
  assert.deepEqual(r.tls.map((x) => x.status), ["decrypted"]);
  assert.deepEqual(tlsNotices(r), []);
  const ours = r.conversations[0].frames.filter((f) => f.direction === "client").map((f) => f.packet);
  const theirs = tsharkTlsFrames(file, rec.keyLog, rec.serverPort).filter((f) => f.direction === "client").map((f) => f.packet);
  assert.equal(ours[0], first.packet + 1, "the second half's packet");
  assert.deepEqual(ours.slice(0, 2), theirs.slice(0, 2));
});

// ---- key logs with more in them ----------------------------------------------------------------

test("a key log with garbage lines, comments and unknown labels still decrypts, one \"keylog\" notice per bad line", async (t) => {
  const rec = requireRecording(t, "wss-tls13");
  if (!rec) return;
  const ws = await api();
  const real = rec.keys.split("\n").filter((l) => l && !l.startsWith("#"));
  const random = clientRandomOf(rec.keys);
  const lines = [
    "# a comment",
    "",
    "this is not a key log line",                                // bad
    real[0],
    `EARLY_EXPORTER_SECRET ${random} ${"ab".repeat(32)}`,          // unknown label: skipped
    `CLIENT_RANDOM ${"zz".repeat(32)} ${"cd".repeat(48)}`,       // bad: the random is not hex
    ...real.slice(1, 3),
    "   # an indented comment",
    `CLIENT_TRAFFIC_SECRET_0 ${random}`,                          // bad: no secret
    ...real.slice(3),
    "\u00e9\u00e9\u00e9 garbage \u2713",                          // bad
  ];
  const bad = lines.map((l, i) => [l, i + 1]).filter(([l]) => /not a key|zz|garbage/.test(l) || /^CLIENT_TRAFFIC_SECRET_0 \S+$/.test(l)).map(([, n]) => n);
  assert.equal(bad.length, 4);
  const r = ws.decodeCapture(readFileSync(rec.file), { keyLog: lines.join("\n") });
  assert.deepEqual(r.tls.map((x) => x.status), ["decrypted"]);
  const notices = r.notices.filter((n) => n.id === "keylog");
  assert.equal(notices.length, bad.length, JSON.stringify(notices));
  notices.forEach((n, i) => assert.match(n.message, new RegExp(`line ${bad[i]}\\b`)));
  assert.equal(r.conversations.length, 1);
  assert.deepEqual(messagesOf(r.conversations[0], "client"), expectedMessages(rec, "client"));
  // The same as bytes (a Uint8Array key log), CRLF line ends.
  const crlf = ws.decodeCapture(readFileSync(rec.file), { keyLog: Buffer.from(lines.join("\r\n")) });
  assert.deepEqual(crlf.tls.map((x) => x.status), ["decrypted"]);
  assert.deepEqual(crlf.notices.filter((n) => n.id === "keylog").map((n) => n.message), notices.map((n) => n.message));
});

test("one key log for all: every recording's lines together decrypt each", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const ws = await api();
  const decrypted = SCENARIOS.map((s) => recordings.get(s.slug));
  const all = [...recordings.values()].map((r) => r.keys).join("\n");
  for (const rec of decrypted) {
    const r = ws.decodeCapture(readFileSync(rec.file), { keyLog: all });
    assert.deepEqual(r.tls.map((x) => x.status), ["decrypted"], rec.slug);
    assert.equal(r.conversations.length, 1, rec.slug);
  }
});

test("mergecap of wss TLS 1.3, wss TLS 1.2 and a ws:// capture: each TLS connection listed with its own outcome and conversation", async (t) => {
  const [a, b] = [requireRecording(t, "wss-tls13"), requireRecording(t, "wss-tls12-gcm")];
  if (!a || !b) return;
  const ws = await api();
  const plainWs = join(repo, "tests", "fixtures", "captures", "ws-lo.pcap");
  const file = join(dir, "mixed.pcap");
  tool("mergecap", ["-F", "pcap", "-w", file, a.file, b.file, plainWs]);
  const bytes = readFileSync(file);
  const plainPort = ws.decodeCapture(readFileSync(plainWs)).conversations[0].client.port;
  const outcome = (r) => Object.fromEntries(r.tls.map((x) => [x.client.port, [x.status, x.conversation === null ? null : r.conversations[x.conversation].client.port]]));

  const one = ws.decodeCapture(bytes, { keyLog: b.keys });
  assert.deepEqual(outcome(one), { [a.clientPort]: ["no-key", null], [b.clientPort]: ["decrypted", b.clientPort] });
  assert.deepEqual(one.conversations.map((c) => [c.client.port, c.tls?.version ?? null]).sort(), [[b.clientPort, "TLS 1.2"], [plainPort, null]].sort());

  const both = ws.decodeCapture(bytes, { keyLog: `${a.keys}\n${b.keys}` });
  assert.deepEqual(outcome(both), { [a.clientPort]: ["decrypted", a.clientPort], [b.clientPort]: ["decrypted", b.clientPort] });
  assert.equal(both.conversations.length, 3);
  for (const c of both.conversations.filter((x) => x.tls)) {
    const rec = c.client.port === a.clientPort ? a : b;
    assert.deepEqual(messagesOf(c, "client"), expectedMessages(rec, "client"), `${rec.slug}: its messages`);
  }
  assert.equal(both.stats.tcpConnections, 3);
});

// ---- CaptureDecoder -----------------------------------------------------------------------------

for (const slug of ["wss-tls12-chacha", "wss-chromium"]) test(`${slug}: CaptureDecoder({ keyLog }): the capture pushed in slices gives decodeCapture's conversation`, async (t) => {
  const rec = requireRecording(t, slug);
  if (!rec) return;
  const ws = await api();
  const bytes = readFileSync(rec.file);
  const whole = ws.decodeCapture(bytes, { keyLog: rec.keys });
  for (const size of [1000, 65_536, 7_777]) {
    const d = new ws.CaptureDecoder({ keyLog: rec.keys });
    const got = [], tls = [];
    try {
      for (let at = 0; at < bytes.length; at += size) {
        const part = d.push(bytes.subarray(at, at + size));
        got.push(...part.conversations);
        tls.push(...part.tls);
      }
      const end = d.end();
      got.push(...end.conversations);
      tls.push(...end.tls);
    } finally {
      d.free();
    }
    assert.equal(got.length, 1, `slices of ${size}`);
    assert.deepEqual(tls, whole.tls, `slices of ${size}: the TLS connection`);
    assert.deepEqual(comparable(got[0]), comparable(whole.conversations[0]), `slices of ${size}`);
  }
});

// ---- the CLI ------------------------------------------------------------------------------------

let native;
const run = (command, args) => {
  const r = spawnSync(command, args, { cwd: dir, maxBuffer: 512 << 20, timeout: 60_000 });
  assert.equal(r.error, undefined, `${command}: ${r.error}`);
  return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") };
};

test("CLI: decode FILE --keylog KEYS names the wss conversation, its TLS version and suite, its frames; native and npx the same", async (t) => {
  const rec = requireRecording(t, "wss-tls13");
  if (!rec) return;
  native ??= buildNative();
  await api();
  const npx = join(installed.dir, "node_modules", ".bin", "wsinspect");
  const args = ["decode", rec.file, "--keylog", rec.keyLog];
  const n = run(native, args), p = run(npx, args);
  assert.equal(n.status, 0, n.stderr);
  assert.deepEqual([p.status, p.stdout, p.stderr], [n.status, n.stdout, n.stderr], "npx wsinspect says the same");
  assert.match(n.stdout, /wss/);
  assert.match(n.stdout, /TLS 1\.3/);
  assert.match(n.stdout, /TLS_AES_128_GCM_SHA256/);
  assert.match(n.stdout, new RegExp(`127\\.0\\.0\\.1:${rec.clientPort}\\b`));
  assert.match(n.stdout, /Hello, server/);
  const json = JSON.parse(run(native, [...args, "--json"]).stdout);
  assert.equal(json.conversations.length, 1);
  assert.equal(json.conversations[0].tls.cipherSuite, "TLS_AES_128_GCM_SHA256");
  const theirs = theirFrames(rec);
  assert.equal(json.conversations[0].frames.length, theirs.length, "every frame");
  const without = run(native, ["decode", rec.file]);
  assert.doesNotMatch(without.stdout, /Hello, server/, "without the key log, no plaintext");
});
