// One measurement of the proxy rows (bench/workloads/proxy.mjs), in its own process: an npm
// ws client (no permessage-deflate) against URL, timed from the open connection on.
//
//   node client.mjs throughput URL '{"size":65536,"count":384,"window":16}'
//     count binary messages of `size` random bytes, at most `window` unanswered at a time;
//     every echo checked byte for byte. Prints { ms, bytes, bad }: bytes is the payload sent
//     (echoed back as much), ms from the first send to the last echo.
//   node client.mjs rtt URL '{"size":32,"count":2000,"warmup":200}'
//     one text message at a time, each sent when the previous echo came back; prints the
//     round trips (ms) of the `count` after the warm-up ones: { rtts, bad }.
//
// Prints one JSON line; { error } and exit 1 on failure or after `timeoutMs`.
import { randomBytes } from "node:crypto";
import WebSocket from "ws";

const [mode, url, json = "{}"] = process.argv.slice(2);
const opts = { size: 65536, count: 384, window: 16, warmup: 200, timeoutMs: 60_000, ...JSON.parse(json) };

function fail(message) {
  console.log(JSON.stringify({ error: message }));
  process.exit(1);
}
setTimeout(() => fail(`${mode} on ${url}: not done after ${opts.timeoutMs} ms`), opts.timeoutMs).unref();

const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 20 });
ws.on("error", (e) => fail(`${mode} on ${url}: ${e.message}`));
ws.on("unexpected-response", (_req, res) => fail(`${mode} on ${url}: HTTP ${res.statusCode}`));
ws.on("close", (code) => fail(`${mode} on ${url}: closed (${code}) before the end`));

function finish(out) {
  ws.removeAllListeners("close");
  ws.on("close", () => {
    console.log(JSON.stringify(out));
    process.exit(0);
  });
  ws.close(1000);
}

function throughput() {
  const payload = randomBytes(opts.size);
  let sent = 0, got = 0, bad = 0;
  let t0 = 0;
  ws.on("message", (data, isBinary) => {
    if (!isBinary || !payload.equals(data)) bad++;
    got++;
    if (sent < opts.count) {
      ws.send(payload);
      sent++;
    }
    if (got === opts.count) finish({ ms: performance.now() - t0, bytes: opts.count * opts.size, bad });
  });
  t0 = performance.now();
  for (; sent < Math.min(opts.window, opts.count); sent++) ws.send(payload);
}

function rtt() {
  const text = "r".repeat(opts.size);
  const total = opts.warmup + opts.count;
  const rtts = [];
  let i = 0, bad = 0, t = 0n;
  const next = () => {
    t = process.hrtime.bigint();
    ws.send(text);
  };
  ws.on("message", (data, isBinary) => {
    const now = process.hrtime.bigint();
    if (isBinary || data.toString() !== text) bad++;
    if (i++ >= opts.warmup) rtts.push(Number(now - t) / 1e6);
    if (i < total) next();
    else finish({ rtts, bad });
  });
  next();
}

ws.on("open", () => (mode === "throughput" ? throughput() : mode === "rtt" ? rtt() : fail(`unknown mode ${mode}`)));
