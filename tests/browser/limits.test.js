// The page under failure: a decoder that traps shows its own error (not the one its free()
// would throw after it) and the next decode works; a malformed tap record is a notice, and
// the records after it still render.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../support/server.js";
import { launchBrowser } from "../support/browser.js";
import { open, decode } from "../support/page-helpers.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
let env, root;

// A copy of the page whose wasm Decoder traps on a chunk starting with DE AD, as an
// out-of-memory trap does: pushRecords (what the package's push calls) throws RuntimeError
// "unreachable" and leaves the Rust value borrowed, so free() throws "attempted to take
// ownership of Rust value while it was borrowed".
const TRAP = `
{
  const push = Decoder.prototype.pushRecords, free = Decoder.prototype.free, trapped = new WeakSet();
  Decoder.prototype.pushRecords = function (chunk) {
    if (chunk[0] === 0xde && chunk[1] === 0xad) {
      trapped.add(this);
      throw new WebAssembly.RuntimeError("unreachable");
    }
    return push.call(this, chunk);
  };
  Decoder.prototype.free = function () {
    if (trapped.has(this)) throw new Error("attempted to take ownership of Rust value while it was borrowed");
    return free.call(this);
  };
}
`;

before(async () => {
  mkdirSync("test-results", { recursive: true });
  root = mkdtempSync(join(tmpdir(), "wsinspect-trap-"));
  for (const dir of ["www", "js", "pkg"]) cpSync(join(repo, dir), join(root, dir), { recursive: true });
  const glue = join(root, "pkg", "wsinspect.js");
  writeFileSync(glue, readFileSync(glue, "utf8") + TRAP);
  const server = await startServer([], { root });
  env = { server, browser: await launchBrowser() };
});
after(async () => {
  await env?.browser.close();
  env?.server.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

test("a decoder that traps shows its own error, and the next decode works", async () => {
  const { page, errors } = await open(env);
  // It used to show the free() error in place of the trap.
  await decode(page, "de ad be ef", { format: "hex" });
  assert.equal(await page.getByTestId("decode-status").getAttribute("data-phase"), "error");
  const shown = await page.getByTestId("decode-error").textContent();
  assert.match(shown, /the decoder failed: unreachable/);
  assert.doesNotMatch(shown, /borrowed/);
  // A new worker (and wasm instance) decodes the next paste.
  assert.match(await decode(page, "81 05 48 65 6c 6c 6f", { format: "hex" }), /1 frame/);
  assert.equal(await page.getByTestId("decode-error").textContent(), "");
  assert.equal(await page.getByTestId("message-text").first().textContent(), "Hello");
  assert.deepEqual(errors, []);
});

test("a malformed tap record is shown as a notice and skipped; later records still render", async () => {
  const { page, errors } = await open(env);
  const seen = await page.evaluate(async () => {
    const { WireSession } = await import("/wiresession.js");
    const { WireView } = await import("/wireview.js");
    const root = document.querySelector("[data-testid=wire-view]");
    root.hidden = false;
    const events = [];
    const view = new WireView(root, (kind, text) => events.push(`${kind}: ${text}`));
    view.reset();
    const session = new WireSession(view);
    const b64 = (s) => btoa(s);
    const request = "GET /echo HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const thrown = [];
    const records = [
      { type: "open", conn: 1, t: 0, peer: "x", target: "/echo" },
      // Only a hostile server sends these: each used to throw (a TypeError from String()) or worse.
      { type: "note", conn: 1, t: 1, text: { toString: "not a function" } },
      { type: "bytes", conn: 1, t: 2, dir: "in", offset: { valueOf: 1 }, base64: b64(request) },
      { type: "closed", conn: 1, t: 3, reason: ["a", "b"] },
      null,
      [1, 2],
      { type: "bytes", conn: 1, t: 4, dir: "in", offset: 0, base64: b64(request) },
      { type: "note", conn: 1, t: 5, text: "after the bad records" },
    ];
    for (const r of records) {
      try {
        session.record(r);
      } catch (e) {
        thrown.push(e.message);
      }
    }
    return {
      thrown,
      events,
      notices: [...root.querySelectorAll("[data-testid=wire-notice]")].map((li) => li.textContent),
      head: root.querySelector("[data-testid=wire-head-in] [data-testid=wire-head-text]")?.textContent ?? null,
    };
  });
  assert.deepEqual(seen.thrown, []);
  assert.deepEqual(seen.notices, [
    "a tap record was skipped: its text is an object, not a string",
    "a tap record was skipped: its offset is an object, not a number",
    "a tap record was skipped: its reason is an array, not a string",
    "a tap record was skipped: it is not an object",
    "a tap record was skipped: it is not an object",
  ]);
  assert.match(seen.head ?? "", /^GET \/echo HTTP\/1\.1/);
  assert.equal(seen.events.at(-1), "note: after the bad records");
  assert.deepEqual(errors, []);
});
