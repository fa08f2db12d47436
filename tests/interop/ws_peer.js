// npm `ws` as one peer of a recorded conversation (tests/node/conversation.test.js).
//
//   node ws_peer.js server --host 127.0.0.1 --deflate on|off|no-context-takeover --log FILE
//     prints "listening PORT", serves one connection: echoes every message (a text that
//     starts with "frag:" in 3 frames), answers pings (ws does), then exits.
//   node ws_peer.js client --url ws://... --deflate ... --script FILE --log FILE
//     says the script (tests/interop/script.js) and closes with its code and reason.
//
// Each writes what it sent and received to the log: { peer, role, extensions, events: [{ dir:
// "sent" | "received", type: "text" | "binary" | "ping" | "pong" | "close", text | hex, code,
// reason }] }. Either exits 2 after 20 s, whatever happens.
import { writeFileSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import WebSocket, { WebSocketServer } from "ws";
import { serverFragments } from "./script.js";

const { positionals: [role], values: opts } = parseArgs({
  allowPositionals: true,
  options: { host: { type: "string" }, url: { type: "string" }, deflate: { type: "string", default: "on" },
    script: { type: "string" }, log: { type: "string" } },
});
setTimeout(() => { console.error(`ws_peer ${role}: timed out`); process.exit(2); }, 20_000).unref();

const version = createRequire(import.meta.url)("ws/package.json").version;
const log = { peer: `ws ${version}`, role, extensions: null, events: [] };
const record = (dir, type, data, extra = {}) => log.events.push({ dir, type, ...describe(type, data), ...extra });
const save = () => writeFileSync(opts.log, JSON.stringify(log, null, 1));

function describe(type, data) {
  if (data === undefined) return {};
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  return type === "text" ? { text: bytes.toString("utf8") } : { hex: bytes.toString("hex") };
}

// ws's option names for the three settings the tests record.
function deflateOption() {
  switch (opts.deflate) {
    case "off": return false;
    case "on": return {};
    case "no-context-takeover": return { clientNoContextTakeover: true, serverNoContextTakeover: true };
    default: throw new Error(`--deflate ${opts.deflate}?`);
  }
}

if (role === "server") {
  const server = new WebSocketServer({ host: opts.host, port: 0, perMessageDeflate: deflateOption() });
  server.on("listening", () => console.log(`listening ${server.address().port}`));
  // The agreed Sec-WebSocket-Extensions as sent (ws.extensions has only the names).
  server.on("headers", (headers) => {
    log.extensions = headers.find((h) => /^sec-websocket-extensions:/i.test(h))?.replace(/^[^:]*:\s*/, "") ?? null;
  });
  server.on("connection", (ws, req) => {
    log.request = { url: req.url };
    ws.on("message", (data, isBinary) => {
      const type = isBinary ? "binary" : "text";
      record("received", type, data);
      if (!isBinary && data.toString("utf8").startsWith("frag:")) {
        const parts = serverFragments(data);
        parts.forEach((p, i) => ws.send(p, { binary: false, fin: i === parts.length - 1 }));
      } else {
        ws.send(data, { binary: isBinary });
      }
      record("sent", type, data);
    });
    ws.on("ping", (data) => { record("received", "ping", data); record("sent", "pong", data); });
    ws.on("close", (code, reason) => {
      record("received", "close", undefined, { code, reason: reason.toString() });
      save();
      server.close();
      process.exit(0);
    });
    ws.on("error", (e) => { log.error = e.message; save(); });
  });
} else if (role === "client") {
  const script = JSON.parse(readFileSync(opts.script, "utf8"));
  const ws = new WebSocket(opts.url, { perMessageDeflate: deflateOption() });
  ws.once("upgrade", (res) => { log.extensions = res.headers["sec-websocket-extensions"] ?? null; });
  const queue = [];
  const waiting = [];
  ws.on("message", (data, isBinary) => {
    record("received", isBinary ? "binary" : "text", data);
    (waiting.shift() ?? ((m) => queue.push(m)))(data);
  });
  const next = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r)));
  ws.on("error", (e) => { log.error = e.message; save(); process.exit(1); });
  ws.on("open", async () => {
    for (const m of script.messages) {
      const type = m.type;
      if (m.fragments) {
        const parts = m.fragments.map((h) => Buffer.from(h, "hex"));
        parts.forEach((p, i) => ws.send(p, { binary: type === "binary", fin: i === parts.length - 1 }));
        record("sent", type, parts);
      } else {
        const data = type === "text" ? m.text : Buffer.from(m.hex, "hex");
        ws.send(data, { binary: type === "binary" });
        record("sent", type, data);
      }
      await next();
    }
    const pong = new Promise((r) => ws.once("pong", r));
    ws.ping(script.ping);
    record("sent", "ping", script.ping);
    record("received", "pong", await pong);
    ws.close(script.close.code, script.close.reason);
    record("sent", "close", undefined, script.close);
  });
  ws.on("close", (code, reason) => {
    record("received", "close", undefined, { code, reason: reason.toString() });
    save();
    process.exit(0);
  });
} else {
  console.error("usage: ws_peer.js server|client ...");
  process.exit(64);
}
