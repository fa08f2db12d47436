// npm `ws` on either side of `wsinspect proxy` (tests/proxy_interop.rs, tests/proxy_load.rs).
//
//   node proxy_ws.js server
//     an echo server on 127.0.0.1 with permessage-deflate; prints "listening PORT" and
//     serves until it is killed (or 60 s).
//   node proxy_ws.js client --url ws://... [--connections C] [--messages N]
//     opens C connections at once (permessage-deflate offered), sends N messages of mixed
//     sizes and kinds on each, checks every echo is the message sent, in order, closes with
//     1000, and prints one JSON line {connections, messages, failures, extensions}. Exits 1
//     if anything was lost or altered, 2 after 30 s.
import { parseArgs } from "node:util";
import WebSocket, { WebSocketServer } from "ws";

const { positionals: [role], values: opts } = parseArgs({
  allowPositionals: true,
  options: { url: { type: "string" }, connections: { type: "string", default: "1" },
    messages: { type: "string", default: "20" } },
});

// The sizes cycle through each length encoding's edges (RFC 6455 §5.2: 7-bit, 16-bit,
// 64-bit lengths); even messages are compressible text, odd ones binary noise.
const SIZES = [0, 1, 125, 126, 127, 1000, 65535, 65536, 70000, 5];
export function message(connection, index) {
  const size = SIZES[index % SIZES.length];
  if (index % 2 === 0) {
    const line = `connection ${connection} message ${index} `;
    return line.repeat(Math.ceil(size / line.length) + 1).slice(0, size);
  }
  const bytes = Buffer.alloc(size);
  let x = (connection * 7919 + index * 104729) >>> 0;
  for (let i = 0; i < size; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bytes[i] = x >>> 24; }
  return bytes;
}

if (role === "server") {
  setTimeout(() => process.exit(0), 60_000).unref();
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: { threshold: 0 } });
  wss.on("listening", () => console.log(`listening ${wss.address().port}`));
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
} else {
  setTimeout(() => { console.error("proxy_ws client: timed out"); process.exit(2); }, 30_000).unref();
  const connections = Number(opts.connections), messages = Number(opts.messages);
  let failures = [], echoed = 0, extensions = new Set();
  await Promise.all(Array.from({ length: connections }, (_, c) => new Promise((resolve) => {
    const ws = new WebSocket(opts.url, { perMessageDeflate: { threshold: 0 } });
    let next = 0;
    ws.on("open", () => {
      extensions.add(ws.extensions);
      for (let i = 0; i < messages; i++) ws.send(message(c, i));
    });
    ws.on("message", (data, isBinary) => {
      const want = message(c, next);
      const same = typeof want === "string"
        ? !isBinary && data.toString("utf8") === want
        : isBinary && Buffer.compare(data, want) === 0;
      if (!same) failures.push(`connection ${c} message ${next} altered`);
      else echoed++;
      if (++next === messages) ws.close(1000, "done");
    });
    ws.on("error", (e) => { failures.push(`connection ${c}: ${e.message}`); resolve(); });
    ws.on("close", () => {
      if (next < messages) failures.push(`connection ${c}: closed after ${next} echoes`);
      resolve();
    });
  })));
  console.log(JSON.stringify({ connections, messages: echoed, failures, extensions: [...extensions] }));
  process.exit(failures.length ? 1 : 0);
}
