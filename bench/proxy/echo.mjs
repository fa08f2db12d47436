// The upstream of the proxy rows (bench/workloads/proxy.mjs): an npm ws echo server on
// 127.0.0.1, no permessage-deflate (so the proxy is what is measured), sending every message
// back as it came (binary stays binary). Prints `port N` once listening; runs until killed.
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, maxPayload: 1 << 20 });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("error", () => ws.terminate());
});
wss.on("listening", () => console.log(`port ${wss.address().port}`));
