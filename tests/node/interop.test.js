// Clients that no one here wrote against the native server's /echo: npm `ws` here, PyPI
// `websockets` through tests/interop/websockets_client.py. The wire tap is checked with them:
// every byte `ws` sent and received shows up on /tap, in order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { startServer, repo } from "../interop/start.js";

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

const TIMEOUT = 15_000;

/** Resolves with the socket once open (its 101 response's headers in `ws.responseHeaders`);
 * rejects on error or after TIMEOUT. */
function open(url, protocols, options) {
  const ws = new WebSocket(url, protocols, options);
  ws.once("upgrade", (res) => { ws.responseHeaders = res.headers; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`no open: ${url}`)); }, TIMEOUT);
    ws.once("open", () => { clearTimeout(timer); resolve(ws); });
    ws.once("error", (e) => { clearTimeout(timer); reject(e); });
  });
}

/** The next message event as { data, isBinary }. */
function nextMessage(ws) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message")), TIMEOUT);
    ws.once("message", (data, isBinary) => { clearTimeout(timer); resolve({ data, isBinary }); });
  });
}

/** Resolves with [code, reason] when the socket closes. */
function closed(ws) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no close")), TIMEOUT);
    ws.once("close", (code, reason) => { clearTimeout(timer); resolve([code, reason.toString()]); });
  });
}

test("ws: text and binary messages come back unchanged and of the same kind", async () => {
  const ws = await open(`${server.ws}/echo`, [], { perMessageDeflate: false });
  for (const text of ["Hello", "", "héllo ✓", "x".repeat(70_000)]) {
    ws.send(text);
    const { data, isBinary } = await nextMessage(ws);
    assert.equal(isBinary, false);
    assert.equal(data.toString(), text);
  }
  for (const size of [0, 1, 125, 126, 65_535, 65_536, 300_000]) {
    const bytes = randomBytes(size);
    ws.send(bytes);
    const { data, isBinary } = await nextMessage(ws);
    assert.equal(isBinary, true);
    assert.ok(Buffer.compare(data, bytes) === 0, `binary of ${size} bytes`);
  }
  ws.close(1000);
  assert.deepEqual(await closed(ws), [1000, ""]);
});

test("ws: a message sent in fragments comes back whole", async () => {
  const ws = await open(`${server.ws}/echo`, [], { perMessageDeflate: false });
  ws.send("frag", { fin: false });
  ws.send("ment", { fin: false });
  ws.send("ed ✓", { fin: true });
  assert.equal((await nextMessage(ws)).data.toString(), "fragmented ✓");
  ws.close();
});

for (const [name, options, expectNoTakeover] of [
  ["with context takeover", { threshold: 0 }, false],
  ["without context takeover", { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true }, true],
]) {
  test(`ws: permessage-deflate ${name} is negotiated and round-trips`, async () => {
    const ws = await open(`${server.ws}/echo`, [], { perMessageDeflate: options });
    assert.equal(ws.extensions, "permessage-deflate");
    const negotiated = ws.responseHeaders["sec-websocket-extensions"];
    assert.match(negotiated, /^permessage-deflate/);
    assert.equal(negotiated.includes("server_no_context_takeover"), expectNoTakeover, negotiated);
    assert.equal(negotiated.includes("client_no_context_takeover"), expectNoTakeover, negotiated);
    for (let i = 0; i < 30; i++) {
      const text = `message ${i} ` + "abcabc".repeat(100 + i);
      ws.send(text);
      assert.equal((await nextMessage(ws)).data.toString(), text);
    }
    const bytes = randomBytes(10_000);
    ws.send(bytes);
    assert.ok(Buffer.compare((await nextMessage(ws)).data, bytes) === 0);
    ws.close(1000);
    await closed(ws);
  });
}

test("ws: ?deflate=0 refuses the offer and ?protocol= picks the subprotocol", async () => {
  const ws = await open(`${server.ws}/echo?deflate=0&protocol=chat`, ["superchat", "chat"], { perMessageDeflate: {} });
  assert.equal(ws.extensions, "");
  assert.equal(ws.protocol, "chat");
  ws.close();
});

test("ws: a ping is answered with a pong carrying its payload", async () => {
  const ws = await open(`${server.ws}/echo`);
  const pong = new Promise((resolve) => ws.once("pong", resolve));
  ws.ping("are you there");
  assert.equal((await pong).toString(), "are you there");
  ws.close();
});

test("ws: close codes and reasons are echoed", async () => {
  for (const [code, reason] of [[1000, ""], [1001, "going away"], [3000, "registered"], [4999, "private"]]) {
    const ws = await open(`${server.ws}/echo`);
    ws.close(code, reason);
    assert.deepEqual(await closed(ws), [code, reason]);
  }
});

// ---- the wire tap, seen through `ws` ----

/** Opens a tap; resolves to { ws, id, records, waitFor(pred) }. */
async function openTap() {
  const ws = await open(`${server.ws}/tap`);
  const records = [];
  const waiters = [];
  ws.on("message", (data) => {
    records.push(JSON.parse(data.toString()));
    for (const w of [...waiters]) if (w.check()) waiters.splice(waiters.indexOf(w), 1);
  });
  const waitFor = (pred, what) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tap: no ${what} in ${JSON.stringify(records).slice(0, 2000)}`)), TIMEOUT);
    const check = () => {
      const found = records.find(pred);
      if (found) { clearTimeout(timer); resolve(found); return true; }
      return false;
    };
    if (!check()) waiters.push({ check });
  });
  const session = await waitFor((r) => r.type === "session", "session record");
  return { ws, id: session.session, records, waitFor };
}

/** Every byte the tap saw in one direction of connection `conn`, in order. */
function stream(records, conn, dir) {
  const parts = records.filter((r) => r.type === "bytes" && r.conn === conn && r.dir === dir);
  let offset = 0;
  for (const p of parts) { assert.equal(p.offset, offset, "records are contiguous"); offset += Buffer.from(p.base64, "base64").length; }
  return Buffer.concat(parts.map((p) => Buffer.from(p.base64, "base64")));
}

/** Frames of an RFC 6455 stream (written here, independent of the core). */
function frames(buf) {
  const out = [];
  let at = 0;
  while (at + 2 <= buf.length) {
    const b0 = buf[at], b1 = buf[at + 1];
    let len = b1 & 0x7f, h = 2;
    if (len === 126) { len = buf.readUInt16BE(at + 2); h = 4; } else if (len === 127) { len = Number(buf.readBigUInt64BE(at + 2)); h = 10; }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? buf.subarray(at + h, at + h + 4) : null;
    if (masked) h += 4;
    if (at + h + len > buf.length) break;
    const payload = Buffer.from(buf.subarray(at + h, at + h + len));
    if (key) for (let i = 0; i < payload.length; i++) payload[i] ^= key[i % 4];
    out.push({ fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, opcode: b0 & 0x0f, masked, key, payload });
    at += h + len;
  }
  return out;
}

function afterHead(buf) {
  const end = buf.indexOf("\r\n\r\n");
  assert.ok(end >= 0, "a complete head");
  return [buf.subarray(0, end + 4).toString("latin1"), buf.subarray(end + 4)];
}

test("tap: the handshake and every frame ws sent and received, with masking keys", async () => {
  const tap = await openTap();
  assert.match(tap.id, /^[0-9a-f]{32}$/);
  const ws = await open(`${server.ws}/echo?session=${tap.id}`, [], { perMessageDeflate: false });
  ws.send("Hello");
  assert.equal((await nextMessage(ws)).data.toString(), "Hello");
  ws.close(1000, "done");
  await closed(ws);
  await tap.waitFor((r) => r.type === "closed" && r.conn === 1, "closed record");
  const open1 = tap.records.find((r) => r.type === "open");
  assert.equal(open1.conn, 1);
  assert.ok(tap.records.indexOf(open1) < tap.records.findIndex((r) => r.type === "bytes"));

  const [requestHead, inFrames] = afterHead(stream(tap.records, 1, "in"));
  const [responseHead, outFrames] = afterHead(stream(tap.records, 1, "out"));
  assert.match(requestHead, new RegExp(`^GET /echo\\?session=${tap.id} HTTP/1.1\r\n`));
  const key = requestHead.match(/sec-websocket-key: (\S+)/i)[1];
  assert.match(responseHead, /^HTTP\/1.1 101 /);
  const accept = responseHead.match(/sec-websocket-accept: (\S+)/i)[1];
  const { createHash } = await import("node:crypto");
  assert.equal(accept, createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64"));

  const sent = frames(inFrames);
  assert.equal(sent[0].opcode, 1);
  assert.ok(sent[0].masked && sent[0].key.length === 4, "client frames are masked");
  assert.equal(sent[0].payload.toString(), "Hello");
  assert.equal(sent.at(-1).opcode, 8);
  const got = frames(outFrames);
  assert.equal(got[0].masked, false);
  assert.equal(got[0].payload.toString(), "Hello");
  assert.equal(got.at(-1).opcode, 8);
  assert.equal(got.at(-1).payload.readUInt16BE(0), 1000);
  for (const r of tap.records.filter((r) => "t" in r)) assert.ok(typeof r.t === "number" && r.t >= 0);
  tap.ws.close();
});

test("tap: compressed frames carry RSV1 in both directions when deflate is on", async () => {
  const tap = await openTap();
  const ws = await open(`${server.ws}/echo?session=${tap.id}`, [], { perMessageDeflate: { threshold: 0 } });
  const text = "compress me ".repeat(50);
  ws.send(text);
  assert.equal((await nextMessage(ws)).data.toString(), text);
  ws.close();
  await tap.waitFor((r) => r.type === "closed", "closed record");
  const sent = frames(afterHead(stream(tap.records, 1, "in"))[1]);
  const got = frames(afterHead(stream(tap.records, 1, "out"))[1]);
  assert.ok(sent[0].rsv1 && sent[0].payload.length < text.length, "the client compressed");
  assert.ok(got[0].rsv1 && got[0].payload.length < text.length, "the server compressed");
  tap.ws.close();
});

test("tap actions: a server ping is answered by the client's pong; fragments; close; a broken frame", async () => {
  const tap = await openTap();
  const ws = await open(`${server.ws}/echo?session=${tap.id}`, [], { perMessageDeflate: false });
  await tap.waitFor((r) => r.type === "open", "open record");

  tap.ws.send(JSON.stringify({ id: 1, action: "ping", payload: "tap ping" }));
  const done = await tap.waitFor((r) => r.type === "done" && r.id === 1, "done 1");
  assert.equal(done.ok, true, JSON.stringify(done));
  await tap.waitFor(() => frames(afterHead(stream(tap.records, 1, "in"))[1]).some((f) => f.opcode === 0xa), "pong");
  const pong = frames(afterHead(stream(tap.records, 1, "in"))[1]).find((f) => f.opcode === 0xa);
  assert.equal(pong.payload.toString(), "tap ping");
  assert.ok(pong.masked);

  const message = nextMessage(ws);
  tap.ws.send(JSON.stringify({ id: 2, action: "fragmented", text: "in three parts", frames: 3 }));
  assert.equal((await message).data.toString(), "in three parts");
  await tap.waitFor((r) => r.type === "done" && r.id === 2, "done 2");
  const out = frames(afterHead(stream(tap.records, 1, "out"))[1]).filter((f) => f.opcode <= 2);
  assert.deepEqual(out.slice(-3).map((f) => [f.opcode, f.fin]), [[1, false], [0, false], [0, true]]);

  tap.ws.send(JSON.stringify({ id: 3, action: "frobnicate" }));
  const bad = await tap.waitFor((r) => r.type === "done" && r.id === 3, "done 3");
  assert.equal(bad.ok, false);
  assert.match(bad.error, /unknown action/);

  const errored = new Promise((resolve) => ws.once("error", resolve));
  const gone = closed(ws);
  tap.ws.send(JSON.stringify({ id: 4, action: "violation", violation: "reserved-opcode" }));
  assert.match((await errored).message, /opcode/i);
  await gone;
  // ws fails the connection: it sends close 1002 (the tap shows it) and drops TCP without
  // waiting for an answer, so its own close event says 1006.
  await tap.waitFor(() => frames(afterHead(stream(tap.records, 1, "in"))[1]).some((f) => f.opcode === 8), "client close");
  const clientClose = frames(afterHead(stream(tap.records, 1, "in"))[1]).find((f) => f.opcode === 8);
  assert.equal(clientClose.payload.readUInt16BE(0), 1002);
  tap.ws.close();
});

test("tap: an unknown session is refused", async () => {
  await assert.rejects(open(`${server.ws}/echo?session=${"0".repeat(32)}`), /404|Unexpected server response/);
});

// ---- PyPI websockets ----

function python() {
  const candidates = [process.env.WSINSPECT_PYTHON, join(repo, ".venv", "bin", "python")].filter(Boolean);
  return candidates.find((p) => existsSync(p)) ?? "python3";
}

test("PyPI websockets: text, binary, fragmented, compressed, ping, close codes", () => {
  const run = spawnSync(python(), [join(repo, "tests", "interop", "websockets_client.py"), server.ws], {
    encoding: "utf8", timeout: 120_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output);
  assert.match(run.stdout, /^9 passed, 0 failed$/m, output);
});

// ---- a real browser (Debian's chromium through playwright-core), seen through the tap ----

/** Runs a scenario in a page served by the server (its CSP forbids eval, so the scenarios are
 * written out here); returns the tap records, the subject socket's events and extensions. */
async function inBrowser(query, scenario) {
  const { launchBrowser } = await import("../support/browser.js");
  const browser = await launchBrowser();
  try {
    // Any page of the server gives the origin and its CSP; the page's own modules do not matter here.
    const page = await browser.newPage();
    await page.goto(server.url);
    const result = await page.evaluate(async ({ base, query, scenario }) => {
      const records = [];
      const waiters = [];
      const tap = new WebSocket(`${base}/tap`);
      tap.onmessage = (e) => { records.push(JSON.parse(e.data)); waiters.forEach((w) => w()); };
      const waitFor = (pred) => new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`tap: timed out; ${JSON.stringify(records).slice(0, 500)}`)), 10_000);
        const check = () => { const r = records.find(pred); if (r) { clearTimeout(timer); resolve(r); } };
        waiters.push(check);
        check();
      });
      const session = (await waitFor((r) => r.type === "session")).session;
      const ws = new WebSocket(`${base}/echo?session=${session}${query}`);
      const events = [];
      for (const type of ["open", "message", "error", "close"]) {
        ws.addEventListener(type, (e) => events.push({ type, data: e.data, code: e.code, wasClean: e.wasClean }));
      }
      await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
      const next = (type) => new Promise((r) => ws.addEventListener(type, r, { once: true }));
      if (scenario === "hello-ping-close") {
        ws.send("Hello");
        await next("message");
        tap.send(JSON.stringify({ id: 1, action: "ping", payload: "from server" }));
        await waitFor((r) => r.type === "done" && r.id === 1);
        await new Promise((r) => setTimeout(r, 200));
        ws.close(1000, "bye");
      } else if (scenario === "compressed") {
        ws.send("Hello Hello Hello Hello");
        await next("message");
        ws.close();
      } else if (scenario === "broken") {
        tap.send(JSON.stringify({ id: 1, action: "violation", violation: "reserved-opcode" }));
        await next("close");
      }
      await waitFor((r) => r.type === "closed");
      tap.close();
      return { records, events, extensions: ws.extensions };
    }, { base: server.ws, query, scenario });
    return result;
  } finally {
    await browser.close();
  }
}

test("chromium: its masked Hello with the real key, the handshake key and accept, a server ping and its pong", async () => {
  const { records, events } = await inBrowser("&deflate=0", "hello-ping-close");
  assert.ok(events.some((e) => e.type === "message" && e.data === "Hello"));
  const [requestHead, inBytes] = afterHead(stream(records, 1, "in"));
  const [responseHead] = afterHead(stream(records, 1, "out"));
  const key = requestHead.match(/sec-websocket-key: (\S+)/i)[1];
  const { createHash } = await import("node:crypto");
  const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  assert.match(responseHead, new RegExp(`Sec-WebSocket-Accept: ${accept.replace(/[+/]/g, "\\$&")}\r\n`));
  const sent = frames(inBytes);
  const hello = sent.find((f) => f.opcode === 1);
  assert.ok(hello.masked && hello.key.length === 4, "the browser masks");
  assert.equal(hello.payload.toString(), "Hello");
  // The masked bytes on the wire are "Hello" XOR the key the browser chose.
  const at = inBytes.indexOf(hello.key) + 4;
  assert.deepEqual([...inBytes.subarray(at, at + 5)], [..."Hello"].map((c, i) => c.charCodeAt(0) ^ hello.key[i % 4]));
  const pong = sent.find((f) => f.opcode === 0xa);
  assert.ok(pong, "the browser answered the server's ping");
  assert.equal(pong.payload.toString(), "from server");
  const close = sent.find((f) => f.opcode === 8);
  assert.equal(close.payload.readUInt16BE(0), 1000);
  assert.equal(close.payload.subarray(2).toString(), "bye");
});

test("chromium: with deflate on, its Hello crosses the wire compressed", async () => {
  const { records, extensions } = await inBrowser("", "compressed");
  assert.match(extensions, /^permessage-deflate/);
  const sent = frames(afterHead(stream(records, 1, "in"))[1]);
  const got = frames(afterHead(stream(records, 1, "out"))[1]);
  const { inflateRawSync, constants } = await import("node:zlib");
  // RFC 7692 §7.2.2: append 00 00 FF FF and inflate; the stream has no final block.
  const inflate = (p) => inflateRawSync(Buffer.concat([p, Buffer.from([0, 0, 0xff, 0xff])]),
    { finishFlush: constants.Z_SYNC_FLUSH }).toString();
  assert.ok(sent[0].rsv1 && sent[0].masked);
  assert.equal(inflate(sent[0].payload), "Hello Hello Hello Hello");
  assert.ok(got[0].rsv1);
  assert.equal(inflate(got[0].payload), "Hello Hello Hello Hello");
});

test("chromium: a broken server frame makes the browser fail the connection with 1002", async () => {
  const { records, events } = await inBrowser("&deflate=0", "broken");
  assert.ok(events.some((e) => e.type === "error"), "the page saw an error event");
  const close = events.find((e) => e.type === "close");
  assert.equal(close.wasClean, false);
  const out = frames(afterHead(stream(records, 1, "out"))[1]);
  assert.equal(out[0].opcode, 3);
  const answered = frames(afterHead(stream(records, 1, "in"))[1]).find((f) => f.opcode === 8);
  assert.ok(answered, "chromium answered with a close frame");
  assert.equal(answered.payload.readUInt16BE(0), 1002);
  assert.ok(answered.masked);
  assert.ok(close.code === 1006 || close.code === 1002, `close code ${close.code}`);
});
