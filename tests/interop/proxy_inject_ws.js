// npm `ws` on either side of `wsinspect proxy` for the injection tests (tests/proxy_inject.rs):
// each peer logs what reaches it, one JSON line per event, and sends nothing unasked.
//
//   node proxy_inject_ws.js server
//     a server on 127.0.0.1 with permessage-deflate; prints "listening PORT", then a line
//     per event on its connections; serves until it is killed (or 60 s).
//   node proxy_inject_ws.js client --url ws://...
//     connects (permessage-deflate offered), prints "open", then a line per event; exits
//     once closed (or after 30 s).
//
// Events: {"event":"message","binary":B,"data":TEXT-or-BASE64} {"event":"ping","data":...}
// {"event":"pong","data":...} {"event":"close","code":N,"reason":...}
// {"event":"error","message":...,"code":...}.
import { parseArgs } from "node:util";
import WebSocket, { WebSocketServer } from "ws";

const { positionals: [role], values: opts } = parseArgs({
  allowPositionals: true,
  options: { url: { type: "string" } },
});

const log = (value) => console.log(JSON.stringify(value));

function listen(ws) {
  ws.on("message", (data, binary) =>
    log({ event: "message", binary, data: binary ? data.toString("base64") : data.toString("utf8") }));
  ws.on("ping", (data) => log({ event: "ping", data: data.toString("utf8") }));
  ws.on("pong", (data) => log({ event: "pong", data: data.toString("utf8") }));
  ws.on("error", (e) => log({ event: "error", message: e.message, code: e.code ?? null }));
  ws.on("close", (code, reason) => {
    log({ event: "close", code, reason: reason.toString("utf8") });
    if (role === "client") process.exit(0);
  });
}

if (role === "server") {
  setTimeout(() => process.exit(0), 60_000).unref();
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: { threshold: 0 } });
  wss.on("listening", () => console.log(`listening ${wss.address().port}`));
  wss.on("connection", (ws) => { log({ event: "connection" }); listen(ws); });
} else {
  setTimeout(() => { console.error("proxy_inject_ws client: timed out"); process.exit(2); }, 30_000).unref();
  const ws = new WebSocket(opts.url, { perMessageDeflate: { threshold: 0 } });
  ws.on("open", () => console.log("open"));
  listen(ws);
}
