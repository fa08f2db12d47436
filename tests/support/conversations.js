// The real conversations the tests decode: peers nobody here wrote, recorded on
// loopback by the test itself (tests/support/capture.js), each saying tests/interop/script.js.
//
// A recording is { name, file, port, stream, clientPort, client: log, server: log | null, host },
// where the logs are what each peer says it sent and received (tests/support/peers.js).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { record, streamOf } from "./capture.js";
import { spawnPeer, python, readLog, repo } from "./peers.js";
import { script } from "../interop/script.js";

const WS_PEER = join(repo, "tests", "interop", "ws_peer.js");
const PY_PEER = join(repo, "tests", "interop", "websockets_peer.py");

const peerCommand = {
  ws: (role, args) => [process.execPath, [WS_PEER, role, ...args]],
  websockets: (role, args) => [python(), [PY_PEER, role, ...args]],
};

/** The recorded scenarios: name, client, server, permessage-deflate, address. */
export const scenarios = [
  { name: "ws client, websockets server, deflate on", client: "ws", server: "websockets", deflate: "on", host: "127.0.0.1" },
  { name: "ws client, websockets server, deflate off", client: "ws", server: "websockets", deflate: "off", host: "127.0.0.1" },
  { name: "ws client, websockets server, no context takeover", client: "ws", server: "websockets", deflate: "no-context-takeover", host: "127.0.0.1" },
  { name: "websockets client, ws server over IPv6, deflate on", client: "websockets", server: "ws", deflate: "on", host: "::1" },
  { name: "chromium, wsinspect serve /echo, deflate on", client: "chromium", server: "wsinspect", deflate: "on", host: "127.0.0.1" },
];

/** Writes the script the client peers read; returns its path. */
export function writeScript(dir) {
  const file = join(dir, "script.json");
  writeFileSync(file, JSON.stringify(script()));
  return file;
}

/** Records one scenario into `dir`; resolves to its recording. */
export async function recordScenario(scenario, dir, scriptFile) {
  if (scenario.client === "chromium") return recordChromium(scenario, dir);
  const slug = scenario.name.replace(/[^a-z0-9]+/gi, "-");
  const file = join(dir, `${slug}.pcap`);
  const serverLog = join(dir, `${slug}.server.json`), clientLog = join(dir, `${slug}.client.json`);
  const peers = [];
  try {
    const server = spawnPeer(...peerCommand[scenario.server]("server", ["--host", scenario.host, "--deflate", scenario.deflate, "--log", serverLog]));
    peers.push(server);
    const port = await server.port;
    const host = scenario.host.includes(":") ? `[${scenario.host}]` : scenario.host;
    await record(file, port, async () => {
      const client = spawnPeer(...peerCommand[scenario.client]("client", [
        "--url", `ws://${host}:${port}/chat`, "--deflate", scenario.deflate, "--script", scriptFile, "--log", clientLog]));
      peers.push(client);
      await client.done;
      await server.done;
    });
    return { ...scenario, file, port, ...streamOf(file, "/chat"), client: readLog(clientLog), server: readLog(serverLog) };
  } finally {
    for (const p of peers) p.stop();
  }
}

/**
 * Headless Chromium (Debian's, through playwright-core) in a blank page, against the native
 * `wsinspect serve` /echo: the page sends the script's messages with `new WebSocket()`; the
 * server, asked over its tap, pings (the browser answers) and sends a message in 3 frames.
 * A browser cannot fragment or ping by itself, so those come from the server here.
 */
async function recordChromium(scenario, dir) {
  const { startServer } = await import("../interop/start.js");
  const { launchBrowser } = await import("./browser.js");
  const file = join(dir, "chromium.pcap");
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage();
    let log;
    await record(file, server.port, async () => {
      log = await page.evaluate(chromiumPage, { base: server.ws, script: script(), fragText: SERVER_FRAGMENTED });
    });
    return { ...scenario, file, port: server.port, ...streamOf(file, "/echo"), client: log, server: null };
  } finally {
    await browser?.close();
    server.stop();
  }
}

/** The text the server sends in 3 frames in the browser's conversation. */
export const SERVER_FRAGMENTED = "frag: from the server, in three frames ✓";

/** Runs in the page: the client's side of the script; returns its log (the shape of ws_peer.js's). */
async function chromiumPage({ base, script, fragText }) {
  const hexOf = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  const fromHex = (h) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
  const log = { peer: navigator.userAgent, role: "client", extensions: null, events: [] };
  const bounded = (promise, what, ms = 10_000) => Promise.race([promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`page: no ${what} in ${ms} ms`)), ms))]);

  const records = [];
  const waiters = new Set();
  const tap = new WebSocket(`${base}/tap`);
  tap.onmessage = (e) => { records.push(JSON.parse(e.data)); for (const w of [...waiters]) w(); };
  const waitFor = (pred, what) => bounded(new Promise((resolve) => {
    const check = () => { const r = records.find(pred); if (r) { waiters.delete(check); resolve(r); } };
    waiters.add(check);
    check();
  }), what);
  const session = (await waitFor((r) => r.type === "session", "tap session")).session;

  const ws = new WebSocket(`${base}/echo?session=${session}`);
  ws.binaryType = "arraybuffer";
  const queue = [], pending = [];
  ws.onmessage = (e) => {
    const ev = typeof e.data === "string" ? { dir: "received", type: "text", text: e.data } : { dir: "received", type: "binary", hex: hexOf(e.data) };
    log.events.push(ev);
    (pending.shift() ?? ((x) => queue.push(x)))(ev);
  };
  const next = (what) => bounded(queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => pending.push(r)), what);
  const closed = new Promise((resolve) => { ws.onclose = resolve; });
  await bounded(new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("page: socket error")); }), "open");
  log.extensions = ws.extensions || null;

  for (const m of script.messages) {
    if (m.type === "text") ws.send(m.text);
    else ws.send(fromHex(m.hex));
    log.events.push(m.type === "text" ? { dir: "sent", type: "text", text: m.text } : { dir: "sent", type: "binary", hex: m.hex });
    await next("echo");
  }
  tap.send(JSON.stringify({ id: 1, action: "ping", payload: script.ping }));
  await waitFor((r) => r.type === "done" && r.id === 1, "ping done");
  tap.send(JSON.stringify({ id: 2, action: "fragmented", text: fragText, frames: 3 }));
  await next("fragmented message");
  // The browser's pong goes out on its own; give it time to cross before the close.
  await new Promise((r) => setTimeout(r, 200));
  ws.close(script.close.code, script.close.reason);
  log.events.push({ dir: "sent", type: "close", ...script.close });
  const e = await bounded(closed, "close");
  log.events.push({ dir: "received", type: "close", code: e.code, reason: e.reason });
  tap.close();
  return log;
}
