// npm `ws`'s client under `wsinspect conformance server` (tests/node/conformance.test.js),
// driven as ws's own Autobahn harness drives it:
//
//   node conformance_ws_client.js --url ws://127.0.0.1:PORT --agent NAME [--deflate on|off]
//
// /getCaseCount, then each case N at /runCase?case=N&agent=NAME (one after the other), every
// message echoed as it came (text as text, binary as binary), then /updateReports?agent=NAME.
// Prints "ran N cases" and exits 0; exits 2 after 100 s, whatever happens.
import { parseArgs } from "node:util";
import WebSocket from "ws";

const { values: opts } = parseArgs({
  options: { url: { type: "string" }, agent: { type: "string" }, deflate: { type: "string", default: "off" } },
});
setTimeout(() => { console.error("conformance_ws_client: timed out"); process.exit(2); }, 100_000).unref();

/** Opens `path`, calls onMessage(ws, data, isBinary) for each message; resolves on close. */
function session(path, onMessage = () => {}) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${opts.url}${path}`, { perMessageDeflate: opts.deflate === "on", maxPayload: 64 * 1024 * 1024 });
    ws.on("message", (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on("error", () => {}); // a case that breaks a rule on purpose: ws fails it, close follows
    ws.on("close", resolve);
  });
}

let count = 0;
await session("/getCaseCount", (_ws, data) => { count = parseInt(data.toString(), 10); });
const agent = encodeURIComponent(opts.agent);
for (let n = 1; n <= count; n++) {
  await session(`/runCase?case=${n}&agent=${agent}`, (ws, data, isBinary) => ws.send(data, { binary: isBinary }));
}
await session(`/updateReports?agent=${agent}`);
console.log(`ran ${count} cases`);
process.exit(0);
