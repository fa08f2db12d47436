// Capture files on the Decode panel: a dropped pcap/pcapng is read in the worker into a
// conversations table; a row opens in the conversation view with packet numbers; an opened
// conversation (and the Live panel's tapped connection) downloads as a pcapng that reads back
// to the same frames. tshark's reading of the fixtures is the reference.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer, WebSocket } from "ws";
import init, { decodeCapture } from "../../js/node.js";
import { setup, open, showPanel, waitDecoded, screenshot } from "../support/page-helpers.js";
import { captureUnavailable, record, tool } from "../support/capture.js";
import { dropBytes, dropRepeated } from "../support/page-captures.js";

const FIXTURES = "tests/fixtures/captures";
const WS_LO = readFileSync(`${FIXTURES}/ws-lo.pcapng`);

let env, dir;
before(async () => {
  await init();
  env = await setup();
  dir = mkdtempSync(join(tmpdir(), "wsinspect-capture-"));
});
after(async () => {
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** tshark's WebSocket frames of a capture file: [{packet, direction, opcode, length}], client = the side on `clientPort`. */
function tsharkFrames(file, clientPort) {
  const out = tool("tshark", ["-r", file, "-Y", "websocket", "-T", "fields", "-E", "separator=/t",
    "-e", "frame.number", "-e", "tcp.srcport", "-e", "websocket.opcode", "-e", "websocket.payload_length"]);
  const frames = [];
  for (const line of out.trim().split("\n").filter(Boolean)) {
    const [packet, src, opcodes, lengths] = line.split("\t");
    const ls = lengths.split(",");
    opcodes.split(",").forEach((op, i) => frames.push({
      packet: Number(packet), direction: Number(src) === clientPort ? "client" : "server", opcode: Number(op), length: Number(ls[i]),
    }));
  }
  return frames;
}

const hasTshark = spawnSync("sh", ["-c", "command -v tshark"]).status === 0;
const rows = (page) => page.getByTestId("capture-row");
const cell = (row, key) => row.getByTestId(`capture-${key}`);

test("a dropped pcapng: one row with its endpoints and frames; opened, frames carry tshark's packet numbers; its pcapng reads back the same", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "decode");
  await dropBytes(page, "ws-lo.pcapng", WS_LO);
  const status = await waitDecoded(page);
  assert.match(status, /read ws-lo.pcapng as pcapng · .* · 1 WebSocket conversation · 20 packets \(20 TCP\) · 1 TCP connection($| ·)/);
  assert.equal(await page.getByTestId("capture-error").isVisible(), false);
  assert.equal(await page.getByTestId("decode-results").isVisible(), false);
  assert.equal(await rows(page).count(), 1);
  const row = rows(page).first();
  // The .tsv (tshark): the client 34636 sent the SYN to 9301, at 1796600529.629383.
  assert.equal(await cell(row, "client").textContent(), "127.0.0.1:34636");
  assert.equal(await cell(row, "server").textContent(), "127.0.0.1:9301");
  assert.equal(await cell(row, "start").textContent(), new Date(1796600529629.383).toISOString().replace("T", " ").replace("Z", ""));
  assert.equal(await cell(row, "framesClient").textContent(), "4");
  assert.equal(await cell(row, "framesServer").textContent(), "4");
  const ref = decodeCapture(WS_LO).conversations[0];
  assert.equal(await cell(row, "messages").textContent(), String(ref.messages.length));
  assert.equal(await cell(row, "violations").textContent(), "0");
  assert.equal(await cell(row, "gaps").textContent(), "0");
  // The share link says it cannot carry the file.
  await page.getByTestId("share-file-note").waitFor();
  assert.match(await page.getByTestId("share-file-note").textContent(), /a link cannot hold a file/);

  await row.getByTestId("capture-open").click();
  await page.getByTestId("conversation").waitFor();
  assert.equal(await page.getByTestId("capture-list").isVisible(), false);
  const shown = await page.getByTestId("conv-frame").evaluateAll((els) => els.map((e) => ({
    direction: e.dataset.direction, packet: Number(e.textContent.match(/packet (\d+)/)?.[1]), time: e.textContent.match(/t=(\d+\.\d+)/)?.[1] ?? null,
  })));
  let expected = [
    [8, "client"], [9, "client"], [10, "client"], [12, "server"], [13, "server"], [14, "server"], [16, "client"], [17, "server"],
  ].map(([packet, direction]) => ({ packet, direction }));
  if (hasTshark) expected = tsharkFrames(`${FIXTURES}/ws-lo.pcapng`, 34636).map(({ packet, direction }) => ({ packet, direction }));
  assert.deepEqual(shown.map(({ packet, direction }) => ({ packet, direction })).sort((a, b) => a.packet - b.packet), expected);
  assert.ok(shown.every((f) => f.time !== null), "every frame shows its time");

  // Download as pcapng: the same frames, read back by decodeCapture (and tshark).
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("capture-download").click()]);
  assert.match(download.suggestedFilename(), /\.pcapng$/);
  const saved = join(dir, "one.pcapng");
  await download.saveAs(saved);
  const original = ref;
  const back = decodeCapture(readFileSync(saved));
  assert.equal(back.error, null);
  assert.equal(back.conversations.length, 1);
  const c = back.conversations[0];
  const frameKey = (f) => `${f.direction} ${f.opcode} ${f.payloadLength} ${Buffer.from(f.payload).toString("hex")}`;
  assert.deepEqual(c.frames.map(frameKey), original.frames.map(frameKey));
  assert.deepEqual(c.client, original.client);
  assert.deepEqual(c.server, original.server);
  if (hasTshark) {
    const theirs = tsharkFrames(saved, 34636).map(({ direction, opcode, length }) => `${direction} ${opcode} ${length}`);
    assert.deepEqual(theirs, tsharkFrames(`${FIXTURES}/ws-lo.pcapng`, 34636).map(({ direction, opcode, length }) => `${direction} ${opcode} ${length}`));
  }

  // Back to the table, focus on the row it came from.
  await page.getByTestId("capture-back").click();
  assert.equal(await page.getByTestId("capture-list").isVisible(), true);
  assert.equal(await page.getByTestId("conversation").isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "capture-open");
  // Pasting replaces the capture.
  await page.getByTestId("decode-input").fill("81 85 37 fa 21 3d 7f 9f 4d 51 58");
  await page.locator("[data-testid=capture][hidden]").waitFor({ state: "attached" });
  assert.match(await waitDecoded(page), /1 frame/);
  assert.deepEqual(errors, []);
});

test("a 100 MB capture: the page answers typing while it reads, the bar moves, then every conversation is listed and sorts", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "decode");
  const pcap = readFileSync(`${FIXTURES}/ws-lo.pcap`);
  const copies = Math.ceil(100_000_000 / (pcap.length - 24));
  // Watchers set up in the same task as the drop: the progress bar's values, and the longest
  // gap between animation frames.
  const size = await dropRepeated(page, "big.pcap", pcap, copies, `() => {
    const bar = document.querySelector("[data-testid=capture-progress]");
    window.seen = [];
    window.longestGap = 0;
    let last = performance.now();
    const tick = (now) => { window.longestGap = Math.max(window.longestGap, now - last); last = now; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.watch = setInterval(() => window.seen.push([bar.value, bar.max]), 20);
  }`);
  assert.ok(size >= 100_000_000, `${size} bytes`);
  await page.locator("[data-testid=decode-status][data-phase=decoding]").waitFor();

  // While it reads: type in another panel's field.
  await showPanel(page, "handshake");
  await page.getByLabel("Sec-WebSocket-Key", { exact: true }).fill("dGhlIHNhbXBsZSBub25jZQ==");
  assert.equal(await page.getByTestId("accept-key-output").textContent(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.equal(await page.getByTestId("decode-status").getAttribute("data-phase"), "decoding", "the key was answered during the read");
  await showPanel(page, "decode");

  const summary = await waitDecoded(page, 240_000);
  assert.match(summary, new RegExp(`read big.pcap as pcap · .* · ${copies} WebSocket conversations · ${copies * 20} packets`));
  const seen = await page.evaluate(() => { clearInterval(window.watch); return window.seen; });
  const between = new Set(seen.filter(([v, max]) => v > 0 && v < max).map(([v]) => v));
  assert.ok(between.size >= 2, `the progress bar moved: ${[...between].slice(0, 5).join(", ")}`);
  const gap = await page.evaluate(() => window.longestGap);
  console.log(`# ${copies} conversations; longest gap between animation frames while reading: ${Math.round(gap)} ms`);
  assert.ok(gap < 3000, `the page froze for ${gap} ms`);
  // Every conversation is in the table (the first 500 drawn, the rest a click away).
  assert.equal(await rows(page).count(), 500);
  assert.equal(await page.getByTestId("capture-more").textContent(), `show 500 more of ${copies - 500} not drawn`);
  assert.equal(await rows(page).locator("[data-decoded=false]").count(), 0);
  // Sort by client port, descending, with the keyboard: the last copy comes first.
  const sortClient = page.locator("[data-testid=capture-sort][data-key=client]");
  await sortClient.focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("th[data-key=client]").getAttribute("aria-sort"), "ascending");
  assert.equal(await page.locator("th[data-key=index]").getAttribute("aria-sort"), "none");
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("th[data-key=client]").getAttribute("aria-sort"), "descending");
  assert.equal(await cell(rows(page).first(), "client").textContent(), `127.0.0.1:${1024 + copies - 1}`);
  // The last conversation opens, with its own port.
  await rows(page).first().getByTestId("capture-open").click();
  await page.getByTestId("conversation").waitFor();
  assert.match(await page.getByTestId("conv-summary").textContent(), new RegExp(`client 127\\.0\\.0\\.1:${1024 + copies - 1} · server 127\\.0\\.0\\.1:9301`));
  assert.equal(await page.getByTestId("conv-frame").count(), 8);
  assert.deepEqual(errors, []);
});

test("a file cut inside a block: the error with its byte offset and packet, and what was read before it", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "decode");
  // Cut in the middle of packet 14's block (the server's 3004-byte echo).
  const cut = WS_LO.subarray(0, 7000);
  const expected = decodeCapture(cut);
  // Packet 14 is 3070 bytes on the wire (the .tsv): its block is 3070 + 32 + 2 of padding.
  assert.deepEqual([expected.error?.packet, expected.error?.message], [14, "the file ends inside a pcapng block at byte 4784: 2216 of its 3104 bytes present"]);
  // Opened with "Open a capture", offered while nothing is pasted.
  assert.equal(await page.getByTestId("capture-file-label").isVisible(), true);
  await page.getByTestId("capture-file").setInputFiles({ name: "cut.pcapng", mimeType: "application/octet-stream", buffer: cut });
  const status = await waitDecoded(page);
  assert.match(status, /1 WebSocket conversation .* stopped by an error/);
  const error = page.getByTestId("capture-error");
  assert.equal(await error.isVisible(), true);
  const text = await error.textContent();
  const where = expected.error.packet === null ? "" : `, packet ${expected.error.packet}`;
  assert.ok(text.startsWith(`the capture could not be read to its end (byte ${expected.error.offset} of the file${where}): ${expected.error.message}`), text);
  assert.equal(await error.getAttribute("data-offset"), String(expected.error.offset));
  // What came before the cut stays: the conversation, with the frames read.
  assert.equal(await rows(page).count(), 1);
  assert.equal(await cell(rows(page).first(), "client").textContent(), "127.0.0.1:34636");
  const before = expected.conversations[0].frames.length;
  assert.equal(Number(await cell(rows(page).first(), "framesClient").textContent()) + Number(await cell(rows(page).first(), "framesServer").textContent()), before);
  assert.deepEqual(errors, []);
});

/** A little-endian pcap without its first `n` packets: a capture begun after the connection opened. */
function withoutFirst(pcap, n) {
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  let at = 24;
  for (let i = 0; i < n; i++) at += 16 + view.getUint32(at + 8, true);
  return Buffer.concat([pcap.subarray(0, 24), pcap.subarray(at)]);
}

test("a capture begun mid-connection: named as begun before the capture, decoded once the mid-stream choice is ticked", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "decode");
  // ws-lo.pcap's packets 1 to 7 are the TCP and WebSocket handshakes; 8 is the first frame.
  const late = withoutFirst(readFileSync(`${FIXTURES}/ws-lo.pcap`), 7);
  const plain = decodeCapture(late);
  const decoded = decodeCapture(late, { midStream: true });
  assert.deepEqual([plain.conversations.length, plain.stats.midStreamCandidates], [0, 1]);
  assert.equal(decoded.conversations.length, 1);
  await dropBytes(page, "late.pcap", late);
  assert.match(await waitDecoded(page), /0 WebSocket conversations .* 1 begun before the capture/);
  const said = await page.locator("[data-testid=capture-notice][data-id=mid-stream]").allTextContents();
  assert.ok(said.some((t) => /looks like websocket frames both ways: decode it with the mid-stream option/.test(t)), said.join("\n"));
  await page.getByTestId("capture-mid-stream").check();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=capture-row][data-decoded=true]").length === 1);
  const row = rows(page).first();
  const frames = Number(await cell(row, "framesClient").textContent()) + Number(await cell(row, "framesServer").textContent());
  assert.equal(frames, decoded.conversations[0].frames.length);
  assert.equal(await cell(row, "violations").textContent(), "0");
  assert.deepEqual(errors, []);
});

test("a HAR's markup stays text: its URL and message are shown, never run", async () => {
  const { page, errors } = await open(env);
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await showPanel(page, "decode");
  // A HAR whose WebSocket message and URL carry markup.
  const har = {
    log: { version: "1.2", creator: { name: "test", version: "1" }, entries: [{
      startedDateTime: "2026-01-01T00:00:00.000Z", time: 1, _resourceType: "websocket",
      request: { method: "GET", url: "ws://127.0.0.1:9/<img src=x onerror=alert(1)>", httpVersion: "HTTP/1.1", headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
      response: { status: 101, statusText: "Switching Protocols", httpVersion: "HTTP/1.1", headers: [], cookies: [], content: { size: 0, mimeType: "x-unknown" }, redirectURL: "", headersSize: -1, bodySize: 0 },
      cache: {}, timings: { send: 0, wait: 0, receive: 0 },
      _webSocketMessages: [{ type: "send", time: 1767225600.1, opcode: 1, data: "<img src=x onerror=alert(2)>" }],
    }] },
  };
  await dropBytes(page, "markup.har", Buffer.from(JSON.stringify(har)));
  assert.match(await waitDecoded(page), /read markup.har as har · .* · 1 WebSocket conversation/);
  assert.equal(await rows(page).count(), 1);
  // A HAR has no addresses or frames: the row says so, and still opens.
  assert.equal(await cell(rows(page).first(), "client").textContent(), "—");
  assert.equal(await cell(rows(page).first(), "messages").textContent(), "1");
  await rows(page).first().getByTestId("capture-open").click();
  await page.getByTestId("conversation").waitFor();
  assert.ok((await page.getByTestId("conv-messages").textContent()).includes("<img src=x onerror=alert(2)>"));
  assert.ok((await page.getByTestId("conv-notices").textContent()).includes("url: ws://127.0.0.1:9/<img src=x onerror=alert(1)>"));
  assert.equal(await page.locator("main img").count(), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
});

test("the Live panel's tapped connection downloads as a pcapng with the browser's frames", async () => {
  const { page, errors } = await open(env);
  await page.getByTestId("tab-live").click();
  await page.locator("[data-testid=live-tap-status][data-tap=yes]").waitFor({ timeout: 5000 });
  await page.getByTestId("live-deflate").setChecked(false);
  await page.getByTestId("live-connect").click();
  await page.locator("[data-testid=live-state][data-state=open]").waitFor({ timeout: 5000 });
  await page.getByTestId("panel-live").getByLabel("Text message").fill("Hello pcapng");
  await page.getByTestId("live-send-text").click();
  await page.locator("[data-testid=wire-frame][data-dir=out][data-kind=text]").waitFor({ timeout: 5000 });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("wire-download").click()]);
  const saved = join(dir, "live.pcapng");
  await download.saveAs(saved);
  const read = decodeCapture(readFileSync(saved));
  assert.equal(read.error, null);
  assert.equal(read.conversations.length, 1);
  const c = read.conversations[0];
  assert.match(c.request.path, /^\/echo\?session=/);
  assert.equal(c.response.status, 101);
  const texts = c.frames.filter((f) => f.kind === "text").map((f) => `${f.direction} ${f.masked} ${Buffer.from(f.payload).toString()}`);
  assert.deepEqual(texts, ["client true Hello pcapng", "server false Hello pcapng"]);
  assert.equal(c.violations.length, 0);
  assert.equal(c.server.port, Number(new URL(env.server.url).port));
  assert.ok(c.frames.every((f) => f.time > 1_000_000_000), "frames carry epoch times");
  assert.deepEqual(errors, []);
});

test("three conversations recorded on loopback: the table, sorted by the bytes the server sent (the README's screenshot)", { skip: captureUnavailable() ?? false }, async () => {
  const file = join(dir, "three.pcap");
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: true });
  await new Promise((r) => wss.on("listening", r));
  const port = wss.address().port;
  wss.on("connection", (s, req) => {
    s.on("message", (m, binary) => {
      if (req.url === "/bye") s.close(1001, "going away");
      else s.send(m, { binary });
    });
  });
  const talk = (path, deflate, send) => new Promise((resolve, reject) => {
    const c = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: deflate });
    let left = send.length;
    c.on("open", () => { for (const m of send) c.send(m); c.ping("ping"); });
    c.on("message", () => { if (--left === 0) c.close(1000, "done"); });
    c.on("close", resolve);
    c.on("error", reject);
  });
  try {
    await record(file, port, async () => {
      await talk("/chat", true, [JSON.stringify({ type: "hello", text: "hi there" }), JSON.stringify({ type: "msg", text: "x".repeat(2000) })]);
      await talk("/binary", false, [Buffer.from([1, 2, 3, 4]), Buffer.alloc(70_000, 7)]);
      await talk("/bye", false, ["leaving"]);
    });
  } finally {
    wss.close();
  }
  const { page, errors } = await open(env);
  await showPanel(page, "decode");
  await dropBytes(page, "three.pcap", readFileSync(file));
  assert.match(await waitDecoded(page), /3 WebSocket conversations/);
  assert.equal(await rows(page).count(), 3);
  const servers = await page.getByTestId("capture-server").allTextContents();
  assert.deepEqual(servers, Array(3).fill(`127.0.0.1:${port}`));
  // Sorted by bytes the server sent, largest first (two clicks).
  await page.locator("[data-testid=capture-sort][data-key=bytesServer]").click();
  await page.locator("[data-testid=capture-sort][data-key=bytesServer]").click();
  assert.equal(await page.locator("th[data-key=bytesServer]").getAttribute("aria-sort"), "descending");
  // The second conversation found (numbered from 0, as --conversation N takes it) sent most.
  assert.equal(await rows(page).first().getByTestId("capture-open").textContent(), "1");
  await page.getByTestId("decode-status").scrollIntoViewIfNeeded();
  await screenshot(page, "capture", "docs/capture.png");
  assert.deepEqual(errors, []);
});
