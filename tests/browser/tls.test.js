// wss:// captures on the Decode panel (issue 17): a TLS capture without its key log lists the
// connection and why it was not decrypted; its key log (dropped on the panel, on its own
// target or chosen with its picker) reads the capture again, decrypted, to tshark's frames
// (the fixtures' .ws.tsv) with the TLS facts shown; a pcapng with injected secrets needs no
// key log; a key log's unreadable line is named by its number. Both files stay in the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import init, { decodeCapture } from "../../js/node.js";
import { setup, open, showPanel, waitDecoded, screenshot } from "../support/page-helpers.js";
import { dropBytes } from "../support/page-captures.js";

const FIXTURES = "tests/fixtures/captures";
const read = (name) => readFileSync(`${FIXTURES}/${name}`);
const TLS13 = read("wss-tls13.pcap");
const KEYS = read("wss-tls13.keys").toString("utf8");
const FACTS = JSON.parse(read("wss-tls13.messages.json")).tls;

/** tshark's decrypted frames of a fixture (its .ws.tsv): [{ packet, direction }]. */
function tsharkFrames(tsv) {
  return read(tsv).toString("utf8").trim().split("\n").map((line) => {
    const [packet, direction] = line.split("\t");
    return { packet: Number(packet), direction };
  });
}

/** Lines as a text editor counts them. */
function lineCount(text) {
  const breaks = text.split("\n").length - 1;
  return text.endsWith("\n") ? breaks : breaks + 1;
}

/** Drops a file holding `bytes` on the element with data-testid `target` (the key log's own drop target). */
async function dropOn(page, target, name, bytes) {
  await page.evaluate(([target, name, b64]) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], name));
    document.querySelector(`[data-testid="${target}"]`).dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [target, name, Buffer.from(bytes).toString("base64")]);
}

/**
 * Waits until the key log's state line shows `keyState` and the capture `name` has been read
 * again (the new key log starts that read in the same task as it sets the state line, so the
 * status line is "decoding" by then); returns the status line.
 */
async function waitRead(page, name, keyState) {
  await page.getByTestId("keylog-state").filter({ hasText: keyState }).waitFor();
  await page.locator(`[data-testid=decode-status]:is([data-phase=done], [data-phase=error])`).filter({ hasText: `read ${name} ` }).waitFor();
  return waitDecoded(page);
}

const rows = (page) => page.getByTestId("capture-row");
const cell = (row, key) => row.getByTestId(`capture-${key}`);
const tlsItems = (page) => page.getByTestId("capture-tls-item");

let env;
before(async () => {
  await init();
  env = await setup();
});
after(async () => { await env?.stop(); });

test("a wss capture alone lists its TLS connection with no key and no conversation; its key log dropped after decrypts it to tshark's frames", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "decode");
  // Both files stay in the page, and the page says so.
  const note = page.getByTestId("local-note");
  assert.equal(await note.isVisible(), true);
  assert.match(await note.textContent(), /stay in this browser: nothing is uploaded \(decryption happens in this page\)/);
  assert.match(await page.getByTestId("keylog-zone").textContent(), /Key log \(SSLKEYLOGFILE\), for wss:\/\/ captures/);

  await dropBytes(page, "wss-tls13.pcap", TLS13);
  assert.match(await waitDecoded(page), /read wss-tls13.pcap as pcap · .* · 0 WebSocket conversations · .* · 1 TLS connection, 0 decrypted/);
  assert.equal(await rows(page).count(), 0);
  assert.equal(await page.getByTestId("capture-empty").isVisible(), true);
  const plain = decodeCapture(TLS13).tls;
  assert.equal(plain.length, 1);
  assert.equal(plain[0].status, "no-key");
  assert.equal(await tlsItems(page).count(), 1);
  const item = tlsItems(page).first();
  assert.equal(await item.getAttribute("data-status"), "no-key");
  assert.equal(await item.textContent(),
    `127.0.0.1:${plain[0].client.port} → 127.0.0.1:${plain[0].server.port} · SNI ${FACTS.sni} · TLS, no key for client random ${plain[0].clientRandom.slice(0, 8)}…`);
  assert.match(await item.textContent(), /no key for client random/);

  // The key log, dropped on the panel's drop zone: recognised as one, and the capture read again with it.
  await dropBytes(page, "wss-tls13.keys", Buffer.from(KEYS));
  const status = await waitRead(page, "wss-tls13.pcap", "wss-tls13.keys");
  assert.match(status, /1 WebSocket conversation · .* · 1 TLS connection, 1 decrypted/);
  assert.equal(await page.getByTestId("keylog-state").textContent(), `wss-tls13.keys · ${lineCount(KEYS)} lines`);
  assert.equal(await page.getByTestId("decode-input").inputValue(), "", "the key log is not pasted as bytes");
  assert.equal(await page.getByTestId("capture-tls-missed").isVisible(), false);
  assert.equal(await rows(page).count(), 1);
  const row = rows(page).first();
  assert.equal(await row.getAttribute("data-wss"), "true");
  assert.equal(await row.getByTestId("capture-wss").textContent(), "wss");
  assert.match(await cell(row, "tls").textContent(), new RegExp(`^wss ${FACTS.version}${FACTS.sni}$`));
  const tsv = tsharkFrames("wss-tls13.ws.tsv");
  assert.equal(tsv.length, lineCount(read("wss-tls13.ws.tsv").toString("utf8")));
  assert.equal(await cell(row, "framesClient").textContent(), String(tsv.filter((f) => f.direction === "client").length));
  assert.equal(await cell(row, "framesServer").textContent(), String(tsv.filter((f) => f.direction === "server").length));
  assert.equal(await cell(row, "violations").textContent(), "0");

  // Opened: the TLS facts in its header, and tshark's frames, each in the packet that completed it.
  await row.getByTestId("capture-open").click();
  await page.getByTestId("conversation").waitFor();
  const facts = await page.getByTestId("capture-opened-tls").textContent();
  assert.equal(FACTS.version, "TLS 1.3");
  assert.equal(FACTS.cipherSuite, "TLS_AES_128_GCM_SHA256");
  assert.equal(facts, `wss TLS 1.3 · TLS_AES_128_GCM_SHA256 · SNI ${FACTS.sni} · ALPN ${FACTS.alpn}`);
  const shown = await page.getByTestId("conv-frame").evaluateAll((els) => els.map((e) => ({
    packet: Number(e.querySelector(".conv-fhead").textContent.match(/packet (\d+)$/)?.[1]), direction: e.dataset.direction,
  })));
  assert.equal(shown.length, tsv.length);
  assert.deepEqual(shown.sort((a, b) => a.packet - b.packet || a.direction.localeCompare(b.direction)),
    [...tsv].sort((a, b) => a.packet - b.packet || a.direction.localeCompare(b.direction)));
  assert.deepEqual(errors, []);
});

test("a pcapng with the secrets injected decrypts with no key log", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "decode");
  assert.equal(await page.getByTestId("keylog-state").getAttribute("data-set"), "false");
  await page.getByTestId("capture-file").setInputFiles({ name: "wss-tls13-secrets.pcapng", mimeType: "application/octet-stream", buffer: read("wss-tls13-secrets.pcapng") });
  assert.match(await waitDecoded(page), /read wss-tls13-secrets.pcapng as pcapng · .* · 1 WebSocket conversation · .* · 1 TLS connection, 1 decrypted/);
  const row = rows(page).first();
  assert.equal(await row.getAttribute("data-wss"), "true");
  assert.match(await cell(row, "tls").textContent(), /TLS 1\.3/);
  const tsv = tsharkFrames("wss-tls13-secrets.pcapng.ws.tsv");
  const frames = Number(await cell(row, "framesClient").textContent()) + Number(await cell(row, "framesServer").textContent());
  assert.equal(frames, tsv.length);
  assert.equal(await tlsItems(page).count(), 0);
  assert.deepEqual(errors, []);
});

test("a key log with a garbage line: a keylog notice names its line, the rest decrypts; cleared, the capture is read again without it; its name stays text", async () => {
  const { page, errors } = await open(env);
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await showPanel(page, "decode");
  await dropBytes(page, "wss-tls13.pcap", TLS13);
  await waitDecoded(page);
  // On the key log's own target, named with markup, its third line garbage.
  const lines = KEYS.split("\n");
  const bad = [...lines.slice(0, 2), "this is <b>not</b> a key log line", ...lines.slice(2)].join("\n");
  const name = "<img src=x onerror=alert(1)>.keys";
  await dropOn(page, "keylog-zone", name, Buffer.from(bad));
  await waitRead(page, "wss-tls13.pcap", name);
  assert.equal(await page.getByTestId("keylog-state").textContent(), `${name} · ${lineCount(bad)} lines`);
  const notices = await page.locator("[data-testid=capture-notice][data-id=keylog]").allTextContents();
  const expected = decodeCapture(TLS13, { keyLog: bad }).notices.filter((n) => n.id === "keylog").map((n) => n.message);
  assert.equal(expected.length, 1);
  assert.match(expected[0], /^key log line 3: /);
  assert.deepEqual(notices, expected);
  assert.equal(await rows(page).count(), 1, "the lines around it still decrypt");
  assert.equal(await rows(page).first().getAttribute("data-wss"), "true");
  assert.equal(await page.locator("main img, main b").count(), 0);
  assert.deepEqual(dialogs, []);

  // Cleared: read again with no key log, the connection listed as not decrypted.
  await page.getByTestId("keylog-clear").click();
  await waitRead(page, "wss-tls13.pcap", "none");
  assert.equal(await page.getByTestId("keylog-clear").isVisible(), false);
  assert.equal(await rows(page).count(), 0);
  assert.match(await tlsItems(page).first().textContent(), /no key for client random/);
  // Chosen with the picker: read again, decrypted.
  await page.getByTestId("keylog-file").setInputFiles({ name: "wss-tls13.keys", mimeType: "text/plain", buffer: Buffer.from(KEYS) });
  await waitRead(page, "wss-tls13.pcap", "wss-tls13.keys");
  assert.equal(await rows(page).count(), 1);
  assert.equal(await page.locator("[data-testid=capture-notice][data-id=keylog]").count(), 0);
  assert.deepEqual(errors, []);
});

test("two TLS connections and the key log of one, both dropped on the key log's target: its wss row, the other listed with the client random to look for (the README's screenshot)", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "decode");
  // wss-tls12-gcm.pcap was recorded after wss-tls13.pcap: its packets follow in time.
  const both = Buffer.concat([TLS13, read("wss-tls12-gcm.pcap").subarray(24)]);
  const ref = decodeCapture(both, { keyLog: KEYS });
  assert.deepEqual(ref.tls.map((t) => t.status), ["decrypted", "no-key"]);
  await dropOn(page, "keylog-zone", "wss-tls13.keys", Buffer.from(KEYS));
  await page.getByTestId("keylog-state").filter({ hasText: "wss-tls13.keys" }).waitFor();
  // The capture dropped on the key log's target by mistake: read as the capture it is, with the key log set before it.
  await dropOn(page, "keylog-zone", "two-wss.pcap", both);
  assert.match(await waitDecoded(page), /read two-wss.pcap as pcap · .* · 1 WebSocket conversation · .* · 2 TLS connections, 1 decrypted/);
  assert.equal(await page.getByTestId("keylog-state").textContent(), `wss-tls13.keys · ${lineCount(KEYS)} lines`);
  assert.equal(await rows(page).count(), 1);
  assert.equal(await tlsItems(page).count(), 1);
  const missed = ref.tls[1];
  assert.equal(await tlsItems(page).first().textContent(),
    `127.0.0.1:${missed.client.port} → 127.0.0.1:${missed.server.port} · SNI ${missed.sni} · ${missed.message}`);
  assert.equal(await tlsItems(page).first().getAttribute("title"), `client random ${missed.clientRandom}`);
  await page.getByTestId("decode-status").scrollIntoViewIfNeeded();
  await screenshot(page, "wss-capture", "docs/wss-capture.png");
  assert.deepEqual(errors, []);
});
