// The Live panel through `wsinspect serve`: the wire view shows the real bytes of the
// browser's own WebSocket, read back over the server's tap.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { startServer } from "../support/server.js";
import { launchBrowser, openPage } from "../support/browser.js";

let server, browser;
before(async () => {
  mkdirSync("test-results", { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

const panel = (page) => page.getByTestId("panel-live");
const row = (page, dir, kind) => page.locator(`[data-testid=wire-frame][data-dir=${dir}][data-kind=${kind}]`);
const event = (page, kind) => page.locator(`[data-testid=live-event][data-kind=${kind}]`);

/** RFC 6455 §4.2.2: base64(SHA-1(key + GUID)), computed here, not by the page. */
function accept(key) {
  return createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
}

/** Opens the page's Live panel, which finds the tap and picks wire mode; connects. */
async function connect({ deflate, protocols = "" }) {
  const { page, errors } = await openPage(browser, server.url);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
  await page.getByTestId("tab-live").click();
  await page.locator("[data-testid=live-tap-status][data-tap=yes]").waitFor({ timeout: 5000 });
  assert.equal(await page.getByTestId("live-mode").inputValue(), "wire");
  assert.equal(await page.getByTestId("wire-view").isVisible(), true);
  await page.getByTestId("live-deflate").setChecked(deflate);
  await panel(page).getByLabel("Subprotocols (comma separated)").fill(protocols);
  await page.getByTestId("live-connect").click();
  await page.locator("[data-testid=live-state][data-state=open]").waitFor({ timeout: 5000 });
  assert.equal(await page.getByTestId("live-deflate").isDisabled(), true);
  return { page, errors };
}

async function sendText(page, text) {
  await panel(page).getByLabel("Text message").fill(text);
  await page.getByTestId("live-send-text").click();
}

test("deflate off: the browser's masked Hello with its real key, and the handshake's key and accept", async () => {
  const { page, errors } = await connect({ deflate: false });
  await page.getByTestId("wire-accept").waitFor();
  const key = await page.getByTestId("wire-key").textContent();
  assert.match(key, /^[A-Za-z0-9+/]{21}[AQgw]==$/, "a Sec-WebSocket-Key is base64 of 16 bytes");
  assert.equal(await page.getByTestId("wire-accept-sent").textContent(), accept(key));
  assert.equal(await page.getByTestId("wire-accept").getAttribute("data-match"), "true");
  const requestText = await page.getByTestId("wire-head-in").getByTestId("wire-head-text").textContent();
  assert.match(requestText, new RegExp(`^GET /echo\\?session=[0-9a-f]{32}&deflate=0 HTTP/1.1\\n`));
  assert.ok(requestText.includes(`Sec-WebSocket-Key: ${key}\n`));
  assert.equal(await page.locator("[data-testid=wire-head-in] [data-testid=wire-check][data-passed=false]").count(), 0);
  assert.ok(await page.locator("[data-testid=wire-head-in] [data-testid=wire-check][data-passed=true]").count() >= 5);
  assert.match(await page.getByTestId("wire-counts").textContent(), /extensions: \(none\)/);

  await sendText(page, "Hello");
  const hello = row(page, "in", "text").first();
  await hello.waitFor({ timeout: 5000 });
  assert.equal(await hello.getAttribute("data-masked"), "true");
  assert.equal(await hello.getAttribute("data-fin"), "true");
  assert.equal(await hello.getAttribute("data-rsv1"), "false");
  assert.equal(await hello.getAttribute("data-length"), "5");
  const maskKey = await hello.getAttribute("data-key");
  assert.match(maskKey, /^[0-9a-f]{8}$/, "a masking key is 4 bytes");
  assert.equal(await hello.getByTestId("wire-masking-key").textContent(), maskKey);
  // Unmasking the bytes from the wire with that key gave "Hello": the key is the one the browser used.
  assert.match(await hello.getByTestId("wire-payload-text").textContent(), /text message: Hello$/);
  const k = Buffer.from(maskKey, "hex");
  const masked = Buffer.from("Hello").map((b, i) => b ^ k[i % 4]);
  assert.equal(await hello.getByTestId("wire-masked").textContent(), `masked: ${[...masked].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`);
  const echo = row(page, "out", "text").first();
  await echo.waitFor();
  assert.equal(await echo.getAttribute("data-masked"), "false");
  assert.equal(await echo.getAttribute("data-key"), "");

  // Each event links to the frames that carried it.
  const sent = event(page, "sent").first();
  await sent.locator("[data-testid=wire-link]").first().waitFor();
  assert.equal(await sent.getByTestId("wire-link").getAttribute("data-target"), await hello.getAttribute("id").then((id) => id.replace(/^wire-/, "")));
  const message = event(page, "message").first();
  await message.locator("[data-testid=wire-link]").first().waitFor();
  assert.equal(await message.getByTestId("wire-link").getAttribute("data-target"), `out-${await echo.getAttribute("data-index")}`);
  assert.deepEqual(await event(page, "open").getByTestId("wire-link").evaluateAll((n) => n.map((b) => b.dataset.target)), ["head-in", "head-out"]);

  // A browser picks a new key for every frame.
  await sendText(page, "Hello");
  await row(page, "in", "text").nth(1).waitFor();
  assert.notEqual(await row(page, "in", "text").nth(1).getAttribute("data-key"), maskKey);

  // A server ping is answered by the browser's own pong, masked, with the same payload.
  await panel(page).getByLabel("Ping payload").fill("are you there");
  await page.getByTestId("wire-ping").click();
  const pong = row(page, "in", "pong");
  await pong.waitFor({ timeout: 5000 });
  assert.equal(await row(page, "out", "ping").count(), 1);
  assert.equal(await pong.getAttribute("data-masked"), "true");
  assert.equal(await pong.getByTestId("wire-payload-text").textContent(), "are you there");
  assert.match(await pong.getByTestId("wire-notes").textContent(), /automatic pong/);
  await page.locator("[data-testid=live-event][data-server=done]").filter({ hasText: "ping" }).waitFor();

  // A peer's markup is text.
  const xss = "<img src=x onerror=alert(1)>";
  await sendText(page, xss);
  await row(page, "out", "text").nth(2).waitFor();
  assert.match(await row(page, "out", "text").nth(2).getByTestId("wire-payload").textContent(), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator("main img").count(), 0);

  // The server's close: the browser answers it, and its close event says the code.
  await panel(page).getByLabel("Server close code").fill("4000");
  await panel(page).getByLabel("Server close reason").fill("bye");
  await page.getByTestId("wire-close").click();
  const close = event(page, "close");
  await close.waitFor({ timeout: 5000 });
  assert.match(await close.textContent(), /code 4000 \(private\) · reason: "bye" · wasClean: true/);
  await close.locator("[data-testid=wire-link]").nth(1).waitFor({ timeout: 5000 });
  const links = await close.getByTestId("wire-link").allTextContents();
  assert.ok(links.some((l) => /← out #\d+ close 4000/.test(l)) && links.some((l) => /→ in #\d+ close 4000/.test(l)), links.join(" | "));

  // Nothing in the wire view is a reconstruction.
  assert.equal(await panel(page).getByTestId("live-frame").count(), 0);
  assert.doesNotMatch(await page.getByTestId("wire-view").textContent(), /reconstructed/);
  assert.doesNotMatch(await page.getByTestId("live-timeline").textContent(), /reconstructed/);
  assert.doesNotMatch(await panel(page).innerText(), /reconstructed/i);
  assert.deepEqual(errors, []);
});

test("deflate on: compressed frames have RSV1 and show compressed and inflated sizes", async () => {
  const { page, errors } = await connect({ deflate: true, protocols: "superchat, chat" });
  await page.getByTestId("wire-accept").waitFor();
  assert.match(await page.getByTestId("wire-counts").textContent(), /extensions: permessage-deflate/);
  // The offered subprotocols go to the server too (?protocol=), which picks the first one offered.
  assert.match(await page.getByTestId("live-state").textContent(), /protocol: superchat/);
  assert.match(await page.getByTestId("wire-head-out").getByTestId("wire-head-text").textContent(), /\nSec-WebSocket-Protocol: superchat\n/);
  assert.equal(await page.locator("[data-testid=wire-pair-check][data-id=unoffered-subprotocol][data-passed=true]").count(), 1);
  const text = "Hello Hello Hello Hello Hello Hello Hello Hello";
  await sendText(page, text);
  for (const dir of ["in", "out"]) {
    const frame = row(page, dir, "text").first();
    await frame.waitFor({ timeout: 5000 });
    assert.equal(await frame.getAttribute("data-rsv1"), "true", dir);
    const sizes = frame.getByTestId("wire-sizes");
    await page.locator(`[data-testid=wire-frame][data-dir=${dir}] [data-testid=wire-sizes][data-compressed=true]`).first().waitFor();
    assert.equal(await sizes.getAttribute("data-inflated"), String(text.length), dir);
    assert.ok(Number(await sizes.getAttribute("data-wire")) < text.length, `${dir}: compressed is smaller`);
    assert.equal(await sizes.getAttribute("data-wire"), await frame.getAttribute("data-length"));
    assert.match(await frame.getByTestId("wire-payload-text").textContent(), new RegExp(`text message: ${text}$`));
  }
  assert.equal(await row(page, "in", "text").first().getAttribute("data-masked"), "true");

  // A message the server splits into 3 frames: one message event, linked to all three.
  await panel(page).getByLabel("Fragmented message").fill("a message in several frames");
  await panel(page).getByLabel("Frames", { exact: true }).fill("3");
  await page.getByTestId("wire-fragmented").click();
  const message = event(page, "message").nth(1);
  await message.waitFor({ timeout: 5000 });
  assert.equal(await message.getByTestId("live-body").textContent(), "a message in several frames");
  await message.locator("[data-testid=wire-link]").nth(2).waitFor({ timeout: 5000 });
  const kinds = await message.getByTestId("wire-link").allTextContents();
  assert.deepEqual(kinds.map((k) => k.replace(/#\d+ /, "")), ["← out text", "← out continuation", "← out continuation"]);
  assert.equal(await row(page, "out", "continuation").count(), 2);
  assert.deepEqual(errors, []);
});

test("a broken frame with a reserved opcode: the browser fails the connection and closes with 1002", async () => {
  const { page, errors } = await connect({ deflate: true });
  await sendText(page, "Hello");
  await row(page, "out", "text").first().waitFor({ timeout: 5000 });
  await panel(page).getByLabel("Ping payload").fill("ping");
  await page.getByTestId("wire-ping").click();
  await row(page, "in", "pong").waitFor({ timeout: 5000 });
  await page.getByTestId("wire-fragmented").click();
  await row(page, "out", "continuation").nth(1).waitFor({ timeout: 5000 });

  const ids = await page.getByTestId("wire-violation").locator("option").evaluateAll((o) => o.map((x) => x.value));
  assert.ok(ids.includes("reserved-opcode") && ids.includes("invalid-utf8"), ids.join(" "));
  await panel(page).getByLabel("Broken frame (violation id)").selectOption("reserved-opcode");
  await page.getByTestId("wire-violate").click();
  const close = event(page, "close");
  await close.waitFor({ timeout: 5000 });
  assert.equal(await event(page, "error").count(), 1);

  const broken = row(page, "out", "reserved");
  await broken.waitFor();
  assert.equal(await broken.getAttribute("data-opcode"), "3");
  assert.equal(await broken.locator("[data-testid=wire-violation][data-id=reserved-opcode]").count(), 1);
  // On the wire the browser sent close 1002 (protocol error); its close event got 1006.
  const browserClose = row(page, "in", "close");
  await browserClose.waitFor({ timeout: 5000 });
  assert.match(await browserClose.getByTestId("wire-payload-text").textContent(), /^1002 protocol error/);
  assert.equal(await browserClose.getAttribute("data-masked"), "true");
  assert.match(await close.textContent(), /code (\d+)/);
  await close.locator("[data-testid=wire-link]").first().waitFor();
  assert.ok((await close.getByTestId("wire-link").allTextContents()).some((l) => /→ in #\d+ close 1002/.test(l)));
  const error = event(page, "error");
  await error.locator("[data-testid=wire-link]").first().waitFor();
  assert.equal(await error.getByTestId("wire-link").first().getAttribute("data-target"), `out-${await broken.getAttribute("data-index")}`);
  await page.locator("[data-testid=live-event][data-server=closed]").waitFor({ timeout: 5000 });

  await page.screenshot({ path: "test-results/live-wire.png", fullPage: true });
  // Chromium logs the failed connection itself; nothing else may.
  assert.deepEqual(errors.filter((e) => !/WebSocket connection to .* failed: Unrecognized frame opcode: 3/.test(e)), []);
});

test("another URL switches to direct mode, where frames are reconstructed", async () => {
  const { page } = await openPage(browser, server.url);
  await page.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
  await page.getByTestId("tab-live").click();
  await page.locator("[data-testid=live-tap-status][data-tap=yes]").waitFor({ timeout: 5000 });
  assert.equal(await page.getByTestId("live-mode").inputValue(), "wire");
  await panel(page).getByLabel("URL (ws:// or wss://)").fill(`${server.url.replace("http:", "ws:")}echo?deflate=0`);
  assert.equal(await page.getByTestId("live-mode").inputValue(), "direct");
  assert.equal(await page.getByTestId("wire-view").isVisible(), false);
  assert.equal(await page.getByTestId("wire-actions").isVisible(), false);
  assert.equal(await page.getByTestId("live-deflate").isVisible(), false);
  await page.getByTestId("live-connect").click();
  await page.locator("[data-testid=live-state][data-state=open]").waitFor({ timeout: 5000 });
  await sendText(page, "Hello");
  await event(page, "message").waitFor();
  assert.match(await event(page, "sent").getByTestId("live-frame").textContent(), /reconstructed.*81 85 /);
  assert.equal(await page.getByTestId("live-mode").isDisabled(), true, "the mode is fixed while connected");
});

test("tap records split anywhere give the same heads, frames and messages (one byte at a time too)", async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
  const outcome = await page.evaluate(async () => {
    const { WireSession } = await import("/wiresession.js");
    const ws = await import("/js/index.js");
    const text = (s) => new TextEncoder().encode(s);
    const join = (...parts) => Uint8Array.from(parts.flatMap((p) => [...p]));
    const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    const request = text(`GET /echo HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`);
    const response = text(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${ws.acceptKey(key)}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`);
    const maskingKey = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
    const streams = {
      // RFC 6455 §5.7's masked "Hello", a compressed message in two frames, a pong.
      in: join(request, ws.encodeFrame({ opcode: 1, maskingKey, payload: "Hello" }),
        ws.encodeFrame({ opcode: 1, fin: false, rsv1: true, maskingKey, payload: new Uint8Array([0xf2, 0x48, 0xcd]) }),
        ws.encodeFrame({ opcode: 0, maskingKey, payload: new Uint8Array([0xc9, 0xc9, 0x07, 0x00]) }),
        ws.encodeFrame({ opcode: 10, maskingKey, payload: "hi" })),
      out: join(response, ws.encodeFrame({ opcode: 9, payload: "hi" }), ws.encodeFrame({ opcode: 3, payload: "x" })),
    };
    /** Feeds each direction cut at `cuts`, the out head first (as the server writes it before reading frames). */
    function run(cutsFor) {
      const seen = { heads: [], frames: [], messages: [], violations: [], gaps: [], pair: null };
      const view = {
        server() {}, bytes() {}, incomplete() {},
        gap: (dir, t) => seen.gaps.push(t),
        head: (dir, h) => seen.heads.push(`${dir}:${h.kind}:${h.checks.filter((c) => !c.passed).length}`),
        pair: (p) => { seen.pair = p.match; },
        frame: (i) => seen.frames.push(`${i.dir}#${i.frame.index}@${i.at}:${i.frame.kind}:${i.compressed}:${i.frame.masked ? [...i.frame.maskingKey].join(".") : "-"}`),
        violation: (dir, v) => seen.violations.push(`${dir}:${v.id}@${v.offset}`),
        message: (m) => seen.messages.push(`${m.dir}:${m.message.text}:${m.message.wireLength}>${m.message.inflatedLength}:${m.frames.map((f) => f.frame.index)}`),
      };
      const session = new WireSession(view);
      session.record({ type: "open", conn: 1, t: 0, peer: "x", target: "/echo" });
      const records = [];
      for (const dir of ["in", "out"]) {
        const bytes = streams[dir];
        const cuts = [0, ...cutsFor(bytes.length), bytes.length];
        for (let i = 1; i < cuts.length; i++) {
          if (cuts[i] > cuts[i - 1]) records.push({ type: "bytes", conn: 1, t: i, dir, offset: cuts[i - 1], base64: b64(bytes.subarray(cuts[i - 1], cuts[i])) });
        }
      }
      // Interleave: each direction keeps its own order, the two alternate.
      const ins = records.filter((r) => r.dir === "in"), outs = records.filter((r) => r.dir === "out");
      while (ins.length || outs.length) {
        if (ins.length) session.record(ins.shift());
        if (outs.length) session.record(outs.shift());
      }
      session.record({ type: "closed", conn: 1, t: 99, reason: "end" });
      // Within a direction order is fixed; across the two it follows the records' arrival.
      for (const list of Object.values(seen)) if (Array.isArray(list)) list.sort();
      return JSON.stringify(seen);
    }
    const whole = run(() => []);
    const differ = [];
    for (let at = 1; at < 200; at++) {
      const split = run((n) => (at < n ? [at] : []));
      if (split !== whole) differ.push(at);
    }
    const bytewise = run((n) => Array.from({ length: n - 1 }, (_, i) => i + 1));
    // A record that does not continue the stream is reported, not decoded.
    const gaps = [];
    const session = new WireSession({ server() {}, bytes() {}, incomplete() {}, head() {}, pair() {}, frame() {}, violation() {}, message() {}, gap: (d, t) => gaps.push(t) });
    session.record({ type: "open", conn: 1, t: 0 });
    session.record({ type: "bytes", conn: 1, t: 1, dir: "in", offset: 0, base64: b64(streams.in.subarray(0, 10)) });
    session.record({ type: "bytes", conn: 1, t: 2, dir: "in", offset: 12, base64: b64(streams.in.subarray(12, 20)) });
    return { whole: JSON.parse(whole), differ, bytewise: bytewise === whole, gaps };
  });
  const { whole } = outcome;
  assert.deepEqual(whole.heads, ["in:request:0", "out:response:0"]);
  assert.equal(whole.pair, true);
  assert.deepEqual(whole.frames, [
    "in#0@0:text:false:55.250.33.61", "in#1@11:text:true:55.250.33.61", "in#2@20:continuation:true:55.250.33.61", "in#3@30:pong:false:55.250.33.61",
    "out#0@0:ping:false:-", "out#1@4:reserved:false:-",
  ]);
  assert.deepEqual(whole.messages, ["in:Hello:5>5:0", "in:Hello:7>5:1,2"]);
  assert.deepEqual(whole.violations, ["out:reserved-opcode@4"]);
  assert.deepEqual(whole.gaps, []);
  assert.deepEqual(outcome.differ, [], "every split point gives the same view");
  assert.equal(outcome.bytewise, true, "one byte per record gives the same view");
  assert.deepEqual(outcome.gaps, ["the in records skip from byte 10 to byte 12: the view stops here"]);
  assert.deepEqual(errors, []);
});
