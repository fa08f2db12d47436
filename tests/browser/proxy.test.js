// The page served by `wsinspect proxy`: its Connections panel lists the connections the proxy
// relays, live, and opens one in the conversation view, which follows it as bytes flow. The
// upstream is an npm `ws` echo server with permessage-deflate; the page's own WebSocket goes
// through the proxy, so its frames carry Chromium's real masking keys and compression.
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
  upstream.on("connection", (sock) => sock.on("message", (data, binary) => sock.send(data, { binary })));
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
  await page.screenshot({ path: "docs/proxy.png", fullPage: false });
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
