// The page served by `wsinspect proxy`: its Connections panel lists the connections the proxy
// relays, live, and opens one in the conversation view, which follows it as bytes flow. The
// upstream is an npm `ws` echo server with permessage-deflate; the page's own WebSocket goes
// through the proxy, so its frames carry Chromium's real masking keys and compression.
// Injection into such a connection (issue 13 §3) shows what Chromium itself does: it answers
// an injected ping with its own pong, fails the connection on a broken frame (close 1002 to
// the server, 1006 to the page), and sees the upstream's answer to a close injected toward it.
// The Connections view's own injection form asks the same and shows the injected frames marked.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WebSocketServer } from "ws";
import { buildNative } from "../support/native.js";
import { launchBrowser, openPage } from "../support/browser.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
let upstream, proxy, browser, base, upstreamPort;
const upstreamSeen = new Map();

/** Starts `wsinspect proxy` on a free port; resolves to { child, url } once it prints its page's address. */
function startProxy(bin, args) {
  const child = spawn(bin, ["proxy", "--listen", "127.0.0.1:0", "--root", repo, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error("the proxy did not start in 20 s")); }, 20_000);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/inspector page on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve({ child, url: m[1] }); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`the proxy exited with ${code}: ${out}`)); });
  });
}

before(async () => {
  mkdirSync("test-results", { recursive: true });
  const bin = buildNative();
  upstream = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: { threshold: 0 } });
  await new Promise((r) => upstream.on("listening", r));
  upstream.on("connection", (sock, req) => {
    // What the upstream saw on each connection, by the path it was asked for.
    const seen = { pongs: [], close: null };
    upstreamSeen.set(req.url, seen);
    sock.on("message", (data, binary) => sock.send(data, { binary }));
    sock.on("pong", (data) => seen.pongs.push(data.toString()));
    sock.on("close", (code, reason) => { seen.close = { code, reason: reason.toString() }; });
  });
  upstreamPort = upstream.address().port;
  proxy = await startProxy(bin, ["--upstream", `ws://127.0.0.1:${upstreamPort}/echo`]);
  base = proxy.url;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  if (proxy) process.kill(proxy.child.pid, "SIGTERM");
  upstream?.close();
});

/** GET on the proxy with a chosen Host header: status and body. */
function get(path, host) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: host ? { Host: host } : {} }, (res) => {
      const parts = [];
      res.on("data", (d) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode, type: res.headers["content-type"], body: Buffer.concat(parts) }));
    });
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error("timed out")));
    req.end();
  });
}

test("the proxy serves the page and its files, to a local Host only", async () => {
  const page = await get("/");
  assert.equal(page.status, 200);
  assert.match(page.type, /^text\/html/);
  assert.match(page.body.toString(), /data-testid="tab-connections"/);
  assert.equal((await get("/app.js")).status, 200);
  assert.equal((await get("/pkg/wsinspect_bg.wasm")).type, "application/wasm");
  assert.equal((await get("/../Cargo.toml")).status, 404);
  assert.equal((await get("/", "evil.example:80")).status, 403);
  assert.equal((await get("/proxy/connections")).status, 200);
});

test("Connections lists a proxied connection live and opens it; the view follows it and keeps it after close", async () => {
  const { page, errors } = await openPage(browser, base);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
  await page.locator("body[data-proxy=true]").waitFor({ timeout: 5000 });
  const tab = page.getByTestId("tab-connections");
  assert.equal(await tab.isVisible(), true);

  // The page's own WebSocket, through the proxy (Chromium offers permessage-deflate).
  await page.evaluate(() => new Promise((resolve, reject) => {
    const sock = new WebSocket(`ws://${location.host}/chat?room=1`);
    window.echoes = [];
    window.sock = sock;
    sock.onmessage = (e) => window.echoes.push(e.data);
    sock.onerror = () => reject(new Error("the socket through the proxy failed"));
    sock.onopen = () => { sock.send("hello through the proxy"); sock.send("second message"); resolve(); };
  }));
  await page.waitForFunction(() => window.echoes.length === 2, null, { timeout: 5000 });
  assert.equal(await page.evaluate(() => window.sock.extensions), "permessage-deflate");

  await tab.click();
  const panel = page.getByTestId("panel-connections");
  const row = panel.locator("[data-testid=proxy-row][data-id='1']");
  await row.waitFor({ timeout: 5000 });
  assert.match(await row.getByTestId("proxy-client").textContent(), /^127\.0\.0\.1:\d+$/);
  assert.equal(await row.getByTestId("proxy-upstream").textContent(), `ws://127.0.0.1:${upstreamPort}/echo`);
  assert.equal(await row.getByTestId("proxy-path").textContent(), "/chat?room=1");
  assert.equal(await row.getAttribute("data-state"), "open");
  await page.waitForFunction(() => {
    const r = document.querySelector("[data-testid=proxy-row][data-id='1']");
    return r?.querySelector("[data-testid=proxy-framesClient]").textContent === "2"
      && r?.querySelector("[data-testid=proxy-framesServer]").textContent === "2";
  }, null, { timeout: 5000 });

  await row.getByTestId("proxy-open").click();
  const frames = panel.locator("[data-testid=conv-frame]");
  await panel.locator("[data-testid=conv-frame][data-direction=server]").nth(1).waitFor({ timeout: 5000 });
  assert.equal(await frames.count(), 4);
  assert.equal(await panel.locator("[data-testid=conv-violation]").count(), 0);
  assert.match(await panel.getByTestId("conv-summary").textContent(), /extensions: permessage-deflate/);
  const client = panel.locator("[data-testid=conv-frame][data-direction=client]");
  assert.equal(await client.count(), 2);
  for (let i = 0; i < 2; i++) assert.equal(await client.nth(i).getAttribute("data-rsv1"), "true", "compressed by Chromium");
  const shownKeys = (await client.getByTestId("conv-frame-key").allTextContents()).map((t) => t.trim().replace(/^key /, "").replace(/ /g, ""));

  // The keys shown are the ones on the wire: read them from the proxy's own recording.
  const detail = JSON.parse((await get("/proxy/connections/1")).body);
  const stream = Buffer.concat(detail.chunks.filter((c) => c.direction === "client").map((c) => Buffer.from(c.base64, "base64")));
  const wireKeys = [];
  for (let at = stream.indexOf("\r\n\r\n") + 4; at < stream.length;) {
    const len7 = stream[at + 1] & 0x7f;
    const [len, ext] = len7 === 126 ? [stream.readUInt16BE(at + 2), 2] : [len7, 0];
    assert.ok(stream[at + 1] & 0x80, "client frames are masked");
    wireKeys.push(stream.subarray(at + 2 + ext, at + 6 + ext).toString("hex"));
    at += 6 + ext + len;
  }
  assert.deepEqual(shownKeys, wireKeys);
  const messages = await panel.getByTestId("conv-messages").textContent();
  assert.ok(messages.includes("hello through the proxy") && messages.includes("second message"));

  // A message sent now appears without reloading.
  await page.evaluate(() => window.sock.send("live: after opening"));
  await page.waitForFunction(() => document.querySelector("[data-testid=panel-connections] [data-testid=conv-messages]")
    ?.textContent.includes("live: after opening"), null, { timeout: 5000 });
  await panel.locator("[data-testid=conv-frame][data-direction=server]").nth(2).waitFor({ timeout: 5000 });
  // The screenshot for docs/: the listing, the heads and the timeline with its frames.
  await page.setViewportSize({ width: 1280, height: 1900 });
  await panel.getByTestId("conv-timeline").scrollIntoViewIfNeeded();
  // Written to docs/ only when asked (UPDATE_SCREENSHOTS=1), as the other screenshot tests do.
  await page.screenshot({ path: "test-results/proxy.png", fullPage: false });
  if (process.env.UPDATE_SCREENSHOTS === "1") await page.screenshot({ path: "docs/proxy.png", fullPage: false });
  await page.setViewportSize({ width: 1280, height: 1000 });

  // After close the row says closed, and the connection still opens.
  await page.evaluate(() => window.sock.close(1000, "done"));
  await panel.locator("[data-testid=proxy-row][data-id='1'][data-state=closed]").waitFor({ timeout: 5000 });
  await page.waitForFunction(() => document.querySelector("[data-testid=panel-connections] [data-testid=conv-close]")
    ?.textContent.includes("answered"), null, { timeout: 5000 });
  await panel.locator("[data-testid=proxy-row][data-id='1'] [data-testid=proxy-open]").click();
  await panel.locator("[data-testid=conv-frame][data-kind=close]").nth(1).waitFor({ timeout: 5000 });
  assert.equal(await panel.locator("[data-testid=conv-frame][data-kind=text]").count(), 6);
  assert.equal(await panel.locator("[data-testid=conv-violation]").count(), 0);
  assert.match(await panel.getByTestId("proxy-state").first().textContent(), /^closed/);

  // The download link names the proxy's pcapng of it.
  const href = await panel.getByTestId("proxy-download").getAttribute("href");
  assert.equal(href, "/proxy/connections/1.pcapng");
  const pcapng = await get(href);
  assert.equal(pcapng.status, 200);
  assert.equal(pcapng.body.readUInt32LE(0), 0x0a0d0d0a, "a pcapng section header block");
  assert.deepEqual(errors, []);
  await page.close();
});

/** POST with a JSON body on the proxy: status and parsed body (or text). */
function post(path, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const data = JSON.stringify(body);
    const req = request({ method: "POST", host: u.hostname, port: u.port, path: u.pathname,
      headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } }, (res) => {
      const parts = [];
      res.on("data", (d) => parts.push(d));
      res.on("end", () => {
        const text = Buffer.concat(parts).toString();
        let json = null;
        try { json = JSON.parse(text); } catch { /* a refusal's text */ }
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error("timed out")));
    req.end(data);
  });
}

/** Polls `check` every 50 ms until it returns something truthy (5 s at most). */
async function until(what, check) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The frames in `stream` from `at` on: {fin, rsv1, opcode, masked, payload (unmasked)}. */
function parseFrames(stream, at = 0) {
  const frames = [];
  while (at + 2 <= stream.length) {
    const len7 = stream[at + 1] & 0x7f;
    const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const len = len7 === 126 ? stream.readUInt16BE(at + 2) : len7 === 127 ? Number(stream.readBigUInt64BE(at + 2)) : len7;
    const masked = (stream[at + 1] & 0x80) !== 0;
    const start = at + 2 + ext + (masked ? 4 : 0);
    if (start + len > stream.length) break;
    const payload = Buffer.from(stream.subarray(start, start + len));
    if (masked) for (let i = 0; i < len; i++) payload[i] ^= stream[at + 2 + ext + (i % 4)];
    frames.push({ fin: (stream[at] & 0x80) !== 0, rsv1: (stream[at] & 0x40) !== 0, opcode: stream[at] & 0x0f, masked, payload });
    at = start + len;
  }
  return frames;
}

/** The frames of one direction of a recorded connection, after its HTTP head. */
function framesOf(detail, direction) {
  const stream = Buffer.concat(detail.chunks.filter((c) => c.direction === direction).map((c) => Buffer.from(c.base64, "base64")));
  return parseFrames(stream, stream.indexOf("\r\n\r\n") + 4);
}

/**
 * Opens a page on the proxy whose own WebSocket goes through it to `path`; resolves once it
 * is open, with the page, its console errors, the connection's id in the proxy's listing and
 * what the upstream saw of it. The page keeps the socket's events in window.events.
 */
async function pageSocket(path) {
  const { page, errors } = await openPage(browser, base);
  await page.evaluate((path) => new Promise((resolve, reject) => {
    const sock = new WebSocket(`ws://${location.host}${path}`);
    window.sock = sock;
    window.events = [];
    sock.onmessage = (e) => window.events.push({ type: "message", data: e.data });
    sock.onerror = () => window.events.push({ type: "error" });
    sock.onclose = (e) => window.events.push({ type: "close", code: e.code, reason: e.reason, wasClean: e.wasClean });
    sock.onopen = () => resolve();
    setTimeout(() => reject(new Error(`no open on ${path} in 5 s`)), 5000);
  }), path);
  const line = await until(`${path} in the listing`, async () =>
    JSON.parse((await get("/proxy/connections")).body).connections.find((c) => c.path === path));
  const seen = await until(`the upstream's connection for ${path}`, () => upstreamSeen.get(line.upstreamPath));
  return { page, errors, id: line.id, seen };
}

/** A connection's recording (JSON detail). */
async function detailOf(id) {
  return JSON.parse((await get(`/proxy/connections/${id}`)).body);
}

/** The page socket's close event, once it came (5 s at most). */
async function pageClose(page) {
  await page.waitForFunction(() => window.events.some((e) => e.type === "close"), null, { timeout: 5000 });
  return page.evaluate(() => window.events);
}

test("a ping injected toward Chromium is answered by Chromium's own pong, masked, which reaches the upstream", async () => {
  const { page, errors, id, seen } = await pageSocket("/inject/ping");
  const answer = await post(`/proxy/connections/${id}/inject`, { toward: "client", action: "ping", data: "hi" });
  assert.equal(answer.status, 202, answer.text);
  await until("the upstream's pong", () => seen.pongs.length > 0);
  assert.deepEqual(seen.pongs, ["hi"], "Chromium's pong, relayed to the upstream");

  const detail = await detailOf(id);
  const injected = detail.chunks.filter((c) => c.injected);
  assert.equal(injected.length, 1);
  assert.equal(injected[0].direction, "server", "written into the upstream's stream toward the client");
  assert.deepEqual(Buffer.from(injected[0].base64, "base64"), Buffer.from([0x89, 0x02, 0x68, 0x69]), "an unmasked ping \"hi\"");
  const pongs = framesOf(detail, "client").filter((f) => f.opcode === 0xa);
  assert.equal(pongs.length, 1);
  assert.equal(pongs[0].fin, true);
  assert.equal(pongs[0].rsv1, false, "control frames are never compressed (RFC 7692 §6.1)");
  assert.equal(pongs[0].masked, true, "a client's frame is masked (RFC 6455 §5.3)");
  assert.equal(pongs[0].payload.toString(), "hi", "the ping's application data (RFC 6455 §5.5.3)");

  // The socket goes on: a message still echoes, and no violation was recorded.
  await page.evaluate(() => window.sock.send("after the ping"));
  await page.waitForFunction(() => window.events.some((e) => e.data === "after the ping"), null, { timeout: 5000 });
  assert.deepEqual((await detailOf(id)).decoded.violations, []);
  await page.evaluate(() => window.sock.close(1000));
  assert.deepEqual(errors, []);
  await page.close();
});

test("a reserved opcode injected toward Chromium makes it fail the connection: close 1002 to the server, 1006 to the page", async () => {
  const { page, errors, id, seen } = await pageSocket("/inject/broken");
  const answer = await post(`/proxy/connections/${id}/inject`, { toward: "client", action: "broken", violation: "reserved-opcode" });
  assert.equal(answer.status, 202, answer.text);
  const events = await pageClose(page);
  const close = events.find((e) => e.type === "close");
  console.log(`Chromium on a reserved opcode: page events ${JSON.stringify(events)}; console ${JSON.stringify(errors)}`);
  assert.deepEqual(events.map((e) => e.type), ["error", "close"]);
  assert.equal(close.code, 1006, "the page sees an abnormal closure");
  assert.equal(close.wasClean, false);

  const detail = await until("the connection to end", async () => {
    const d = await detailOf(id);
    return d.state === "closed" && d;
  });
  const closes = framesOf(detail, "client").filter((f) => f.opcode === 0x8);
  assert.equal(closes.length, 1, "Chromium's close frame");
  assert.equal(closes[0].masked, true);
  assert.equal(closes[0].payload.readUInt16BE(0), 1002, "RFC 6455 §7.4.1: protocol error");
  console.log(`Chromium's close reason: ${JSON.stringify(closes[0].payload.subarray(2).toString())}`);
  assert.ok(detail.decoded.violations.some((v) => v.id === "reserved-opcode" && v.direction === "server"),
    JSON.stringify(detail.decoded.violations));
  await until("the upstream's close", () => seen.close);
  assert.equal(seen.close.code, 1002, "Chromium's close reached the upstream");
  assert.ok(errors.length === 1 && /opcode/i.test(errors[0]), `Chromium reports the opcode: ${JSON.stringify(errors)}`);
  await page.close();
});

test("a close 4001 injected toward the upstream closes it with that code, and the page sees the upstream's answer", async () => {
  const { page, errors, id, seen } = await pageSocket("/inject/close");
  const answer = await post(`/proxy/connections/${id}/inject`,
    { toward: "upstream", action: "close", code: 4001, reason: "from the proxy" });
  assert.equal(answer.status, 202, answer.text);
  await until("the upstream's close", () => seen.close);
  assert.deepEqual(seen.close, { code: 4001, reason: "from the proxy" });
  const close = (await pageClose(page)).find((e) => e.type === "close");
  console.log(`the page's close after an injected close toward the upstream: ${JSON.stringify(close)}`);
  assert.equal(close.code, 4001, "npm ws answers a close with its code, which reaches Chromium");
  assert.equal(close.reason, "from the proxy");
  assert.equal(close.wasClean, true);
  const detail = await until("the connection to end", async () => {
    const d = await detailOf(id);
    return d.state === "closed" && d;
  });
  const injected = detail.chunks.filter((c) => c.injected);
  assert.equal(injected.length, 1);
  assert.equal(injected[0].direction, "client", "written into the client's stream toward the upstream");
  const [frame, ...more] = parseFrames(Buffer.from(injected[0].base64, "base64"));
  assert.equal(more.length, 0);
  assert.equal(frame.opcode, 0x8);
  assert.equal(frame.masked, true, "masked with the proxy's own key, as a client's frame must be");
  assert.equal(frame.payload.readUInt16BE(0), 4001);
  assert.equal(frame.payload.subarray(2).toString(), "from the proxy");
  // In the client's stream: the injected close, then Chromium's answer to the upstream's.
  const closes = framesOf(detail, "client").filter((f) => f.opcode === 0x8);
  assert.equal(closes.length, 2);
  assert.equal(closes[1].masked, true);
  assert.equal(closes[1].payload.readUInt16BE(0), 4001, "Chromium answers with the code it received (RFC 6455 §5.5.1)");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the Connections view injects from its form: a ping Chromium answers, a text the upstream echoes, a refused close", async () => {
  const { page, errors, id, seen } = await pageSocket("/inject/ui");
  await page.locator("body[data-proxy=true]").waitFor({ timeout: 5000 });
  await page.getByTestId("tab-connections").click();
  const panel = page.getByTestId("panel-connections");
  const row = panel.locator(`[data-testid=proxy-row][data-id='${id}']`);
  await row.waitFor({ timeout: 5000 });
  await row.getByTestId("proxy-open").click();
  const form = panel.getByTestId("proxy-inject");
  await form.waitFor({ state: "visible", timeout: 5000 });
  const status = panel.getByTestId("proxy-inject-status");
  const send = async () => {
    await panel.getByTestId("proxy-inject-status").evaluate((n) => { n.textContent = ""; });
    await panel.getByRole("button", { name: "Send" }).click();
    await page.waitForFunction(() => /^(sent|not sent):/.test(document.querySelector("[data-testid=proxy-inject-status]").textContent),
      null, { timeout: 5000 });
    return status.textContent();
  };

  // A ping toward the client, asked through the form's labelled fields.
  await panel.getByLabel("Toward").selectOption("client");
  await panel.getByLabel("Action").selectOption("ping");
  await panel.getByLabel("Ping payload").fill("ui");
  assert.equal(await panel.getByLabel("Close code").isVisible(), false, "close's fields are hidden for a ping");
  assert.match(await send(), /^sent: ping toward the client, 4 bytes injected into connection #\d+$/);
  const ping = panel.locator("[data-testid=conv-frame][data-kind=ping][data-direction=server]");
  await ping.waitFor({ timeout: 5000 });
  assert.equal(await ping.getAttribute("data-injected"), "true");
  assert.match(await ping.textContent(), /injected/);
  const pong = panel.locator("[data-testid=conv-frame][data-kind=pong][data-direction=client]");
  await pong.waitFor({ timeout: 5000 });
  assert.equal(await pong.getAttribute("data-injected"), null, "Chromium's own pong is not marked");
  await until("the upstream's pong", () => seen.pongs.length > 0);
  assert.deepEqual(seen.pongs, ["ui"]);

  // A text toward the upstream: the echo server answers it, and the page's socket gets it.
  await panel.getByLabel("Toward").selectOption("upstream");
  await panel.getByLabel("Action").selectOption("text");
  await panel.getByLabel("Text", { exact: true }).fill("from the page");
  assert.match(await send(), /^sent: text toward the upstream, \d+ bytes injected/);
  await page.waitForFunction(() => window.events.some((e) => e.type === "message" && e.data === "from the page"), null, { timeout: 5000 });
  const text = panel.locator("[data-testid=conv-frame][data-kind=text][data-direction=client][data-injected=true]");
  await text.waitFor({ timeout: 5000 });

  // A close with code 999: the proxy refuses it (400) and the status line says why.
  await panel.getByLabel("Action").selectOption("close");
  assert.equal(await panel.getByLabel("Text", { exact: true }).isVisible(), false, "the data field is hidden for a close");
  await panel.getByLabel("Close code").fill("999");
  await panel.getByLabel("Close reason").fill("bad");
  const refused = await send();
  console.log(`the form's status after a close with code 999: ${refused}`);
  assert.match(refused, /^not sent: 400 .*999/);

  // The broken-frame select lists the violation ids.
  await panel.getByLabel("Action").selectOption("broken");
  const ids = await panel.getByLabel("Broken frame (violation id)").locator("option").evaluateAll((os) => os.map((o) => o.value));
  assert.ok(ids.includes("reserved-opcode") && !ids.some((v) => v.startsWith("hixie-")), JSON.stringify(ids));

  // Closed, the connection keeps its view but not the form.
  await page.evaluate(() => window.sock.close(1000));
  await form.waitFor({ state: "hidden", timeout: 5000 });
  // Chromium logs the refused request itself; nothing else went wrong.
  assert.deepEqual(errors, ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
  await page.close();
});
