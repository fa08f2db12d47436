// The Decode panel with a whole conversation: a recorded chat (PyPI websockets both sides,
// permessage-deflate) pasted as tshark Follow TCP Stream text and as tshark -x packet dumps.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setup, open, decode, screenshot } from "../support/page-helpers.js";
import { captureUnavailable, follow, record, streamOf, tool } from "../support/capture.js";

const FOLLOW = readFileSync("tests/fixtures/transcripts/lo4.follow-raw.txt", "utf8");

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.stop(); });

test("the recorded Follow TCP Stream text shows a two-sided timeline, the inflated JSON and no violation", async () => {
  const { page, errors } = await open(env);
  const status = await decode(page, FOLLOW);
  assert.match(status, /read as tshark follow.*2 directions.*0 violations/);
  assert.equal(await page.getByTestId("conversation").isVisible(), true);
  assert.equal(await page.getByTestId("decode-results").isVisible(), false);
  const frames = page.getByTestId("conv-frame");
  assert.ok(await frames.count() >= 10);
  assert.equal(await frames.first().getAttribute("data-direction"), "client");
  assert.equal(await frames.nth(1).getAttribute("data-direction"), "server");
  assert.equal(await page.getByTestId("conv-violation").count(), 0);
  assert.equal(await page.locator("[data-testid=conv-pair-check][data-passed=false]").count(), 0);
  assert.ok(await page.getByTestId("conv-pair-check").count() > 0);
  // The heads as the Handshake panel shows them: a line each, read from the direction's own
  // bytes (the request's first line is the start line tshark's follow text holds), checks below.
  const request = page.getByTestId("conv-request");
  const lines = await request.getByTestId("conv-line").allTextContents();
  const sent = Buffer.from(FOLLOW.split("\n").find((l) => /^[0-9a-f]+$/.test(l)), "hex").toString("latin1");
  assert.equal(lines[0], sent.split("\r\n")[0]);
  assert.match(lines[0], /^GET \S+ HTTP\/1\.1$/);
  assert.ok(lines.some((l) => /^Sec-WebSocket-Extensions: permessage-deflate/i.test(l)), lines.join("|"));
  assert.equal(await request.getByTestId("conv-generation").textContent(), "rfc6455");
  assert.ok(await request.getByTestId("conv-check").count() >= 3);
  assert.equal(await page.locator("[data-testid=conv-check][data-passed=false]").count(), 0);
  assert.equal(await page.getByTestId("conv-response").getByTestId("conv-line").first().textContent(), "HTTP/1.1 101 Switching Protocols");
  const json = await page.getByTestId("message-json").first().textContent();
  assert.deepEqual(JSON.parse(json), { type: "hello", text: "hi there" });
  assert.match(await page.getByTestId("message-sizes").first().textContent(), /compressed: \d+ bytes on the wire, 34 bytes inflated/);
  // Filters: one direction, one opcode.
  await page.getByTestId("conv-filter-direction").selectOption("server");
  const dirs = await page.locator("[data-testid=conv-frame]").evaluateAll((els) => els.map((e) => e.dataset.direction));
  assert.ok(dirs.length > 0 && dirs.every((d) => d === "server"), dirs.join());
  await page.getByTestId("conv-filter-opcode").selectOption("pong");
  assert.equal(await frames.count(), 1);
  await page.getByTestId("conv-filter-direction").selectOption("");
  await page.getByTestId("conv-filter-opcode").selectOption("");
  await page.locator("[data-testid=conv-frame][data-direction=server][data-index='0']").click();
  await screenshot(page, "conversation", "docs/conversation.png");
  assert.deepEqual(errors, []);
});

test("the packet dump example decodes as the same conversation", async () => {
  const { page, errors } = await open(env);
  await page.getByTestId("examples").locator("summary").click();
  await page.locator('[data-testid=example][data-name="the same chat as tshark -x packet dumps"]').click();
  await page.locator("[data-testid=decode-status][data-phase=done]").waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId("decode-status").textContent(), /packet dump.*0 violations/);
  assert.ok(await page.getByTestId("conv-frame").count() >= 10);
  assert.match(await page.getByTestId("conv-frame").first().textContent(), /packet \d+/);
  assert.deepEqual(errors, []);
});

test("a server frame with a reserved opcode is a violation on the server side at its byte, and markup stays text", async () => {
  const { page, errors } = await open(env);
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  // The recorded chat with one more server line: a text frame carrying markup, then opcode 0x3.
  const markup = Buffer.from("<img src=x onerror=alert(1)>");
  const extra = Buffer.concat([Buffer.from([0x81, markup.length]), markup, Buffer.from([0x83, 0x00])]).toString("hex");
  const lines = FOLLOW.trimEnd().split("\n");
  const end = lines.pop();
  lines.splice(lines.length - 2, 0, `\t${extra}`);
  const status = await decode(page, [...lines, end].join("\n") + "\n");
  assert.match(status, /violation/);
  const v = page.locator("[data-testid=conv-violation][data-id=reserved-opcode]");
  assert.equal(await v.count(), 1);
  assert.equal(await v.getAttribute("data-direction"), "server");
  // The reserved frame follows the markup frame; its offset counts the server's bytes before it.
  const before = lines.slice(0, lines.length - 2).filter((l) => l.startsWith("\t")).reduce((n, l) => n + l.trim().length / 2, 0);
  assert.equal(Number(await v.getAttribute("data-offset")), before - extra.length / 2 + 2 + markup.length);
  assert.ok((await page.getByTestId("conv-frame-preview").allTextContents()).includes(markup.toString()));
  assert.equal(await page.locator("main img").count(), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
});

test("one direction that opens with its head goes through the conversation path with no false violation", async () => {
  const { page, errors } = await open(env);
  const lines = FOLLOW.split("\n").filter((l) => /^[0-9a-f]+$/.test(l));
  const status = await decode(page, lines.join(""));
  assert.match(status, /1 direction.*0 violations/);
  assert.ok(await page.getByTestId("conv-frame").count() >= 5);
  assert.equal(await page.getByTestId("conv-frame").first().getAttribute("data-direction"), "client");
  assert.deepEqual(errors, []);
});

test("clicking a server frame shows its bytes at its offset in the server's stream, as tshark reassembled it", async () => {
  // The server's stream read from tshark's follow text without our parser: the lines after a tab.
  const server = FOLLOW.split("\n").filter((l) => l.startsWith("\t") && /^[0-9a-f]+$/.test(l.slice(1))).map((l) => l.slice(1)).join("");
  const { page, errors } = await open(env);
  await decode(page, FOLLOW);
  const row = page.locator("[data-testid=conv-frame][data-direction=server][data-index='1']");
  const offset = Number(await row.getAttribute("data-offset"));
  await row.click();
  const text = await page.getByTestId("conv-hex").textContent();
  const lines = text.split("\n");
  assert.match(lines[0], new RegExp(`server → client frame #1: bytes ${offset}-\\d+ of the server's stream`));
  const [, at, bytes] = lines[1].match(/^\s*(\d+)\s+(.*)$/);
  assert.equal(Number(at), offset);
  const shown = bytes.replaceAll(" ", "");
  assert.ok(shown.length >= 4, lines[1]);
  assert.equal(shown, server.slice(offset * 2, offset * 2 + shown.length));
  assert.equal(await row.evaluate((e) => e.classList.contains("selected")), true);
  assert.deepEqual(errors, []);
});

/** Runs in a blank page: Hello to /echo, then the server is asked over its tap to send a frame with a reserved opcode. */
async function brokenConversation(base) {
  const bounded = (p, what) => Promise.race([p, new Promise((_, r) => setTimeout(() => r(new Error(`no ${what} in 10 s`)), 10_000))]);
  const tap = new WebSocket(`${base}/tap`);
  const records = [];
  const waiters = new Set();
  tap.onmessage = (e) => { records.push(JSON.parse(e.data)); for (const w of [...waiters]) w(); };
  const waitFor = (pred, what) => bounded(new Promise((resolve) => {
    const check = () => { const r = records.find(pred); if (r) { waiters.delete(check); resolve(r); } };
    waiters.add(check);
    check();
  }), what);
  const session = (await waitFor((r) => r.type === "session", "tap session")).session;
  const ws = new WebSocket(`${base}/echo?session=${session}`);
  const closed = new Promise((resolve) => { ws.onclose = (e) => resolve(e.code); });
  const echo = new Promise((resolve) => { ws.onmessage = (e) => resolve(e.data); });
  await bounded(new Promise((resolve) => { ws.onopen = resolve; }), "open");
  ws.send("Hello");
  await bounded(echo, "echo");
  tap.send(JSON.stringify({ id: 1, action: "violation", violation: "reserved-opcode" }));
  const code = await bounded(closed, "close");
  tap.close();
  return code;
}

test("a frame broken on purpose by wsinspect serve, recorded with tcpdump, is a server violation at tshark's byte", async (t) => {
  const unavailable = captureUnavailable();
  if (unavailable) return t.skip(unavailable);
  const dir = mkdtempSync(join(tmpdir(), "wsinspect-broken-"));
  try {
    const file = join(dir, "broken.pcap");
    const url = new URL(env.server.url);
    const blank = await env.browser.newPage();
    await record(file, Number(url.port), () => blank.evaluate(brokenConversation, `ws://${url.host}`));
    await blank.close();
    const { stream } = streamOf(file, "/echo");
    // tshark's own dissector: the frame with opcode 3, and where its segment starts in the
    // server's stream (relative sequence numbers count from 1 after the SYN).
    const fields = tool("tshark", ["-r", file, "-Y", `tcp.stream == ${stream} && websocket.opcode == 3`, "-T", "fields", "-e", "tcp.seq"]);
    const offset = Number(fields.trim().split("\n")[0]) - 1;
    assert.ok(offset > 100, `tshark: ${fields}`);
    const { page, errors } = await open(env);
    await decode(page, follow(file, "raw", stream));
    const v = page.locator("[data-testid=conv-violation][data-id=reserved-opcode]");
    assert.equal(await v.count(), 1);
    assert.equal(await v.getAttribute("data-direction"), "server");
    assert.equal(Number(await v.getAttribute("data-offset")), offset);
    // Nothing else is wrong in that conversation.
    assert.equal(await page.getByTestId("conv-violation").count(), 1);
    assert.deepEqual(errors, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
