// A 10 MB paste: decoded in the worker with a progress line, while the page stays usable.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setup, open, showPanel, waitDecoded } from "../support/page-helpers.js";

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.stop(); });

test("a 10 MB paste finishes, and an input typed while it decodes is accepted", async () => {
  const { page, errors } = await open(env);
  // 11-byte masked "Hello" frames as spaced hex (33 characters each), then one reserved opcode.
  const frame = "81 85 37 fa 21 3d 7f 9f 4d 51 58\n";
  const count = Math.ceil(10_000_000 / frame.length);
  // Pasted as a user would (a paste event carrying the text), then watched: the longest gap
  // between animation frames, and the decode's phase when each key of the typing is handled.
  await page.evaluate(([frame, count]) => {
    const input = document.querySelector("[data-testid=decode-input]");
    const status = document.querySelector("[data-testid=decode-status]");
    window.longestGap = 0;
    let last = performance.now();
    const tick = (now) => { window.longestGap = Math.max(window.longestGap, now - last); last = now; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.typedDuring = [];
    document.addEventListener("input", (e) => {
      if (e.target.dataset.testid === "accept-key-input") window.typedDuring.push(status.dataset.phase);
    });
    const data = new DataTransfer();
    data.setData("text/plain", frame.repeat(count) + "83 80 37 fa 21 3d");
    input.focus();
    input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, [frame, count]);
  assert.match(await page.getByTestId("decode-large-summary").textContent(), /pasted text: 10\.0 MB/);
  const status = page.getByTestId("decode-status");
  await page.locator("[data-testid=decode-status][data-phase=decoding]").waitFor();

  // While it decodes: type in another panel and see the page answer.
  await showPanel(page, "handshake");
  await page.getByLabel("Sec-WebSocket-Key", { exact: true }).fill("dGhlIHNhbXBsZSBub25jZQ==");
  assert.equal(await page.getByTestId("accept-key-output").textContent(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.deepEqual(await page.evaluate(() => window.typedDuring), ["decoding"], "the input was handled during the decode");

  await showPanel(page, "decode");
  const summary = await waitDecoded(page, 120_000);
  assert.match(summary, new RegExp(`${count + 1} frames`));
  assert.match(summary, /1 violation\b/);
  const gap = await page.evaluate(() => window.longestGap);
  console.log(`# longest gap between animation frames while decoding: ${Math.round(gap)} ms`);
  assert.ok(gap < 3000, `the page froze for ${gap} ms`);
  // The last frame's violation is listed and reachable in the virtualised views.
  const last = (count) * 11;
  const item = page.locator("[data-testid=violation][data-id=reserved-opcode]");
  assert.equal(await item.getAttribute("data-offset"), String(last));
  await item.getByTestId("violation-jump").click();
  assert.match(await page.locator(`.hx-b[data-offset="${last}"]`).getAttribute("class"), /hx-current/);
  await page.locator(`[data-testid=frame-row][data-index="${count}"]`).waitFor();
  assert.equal(await page.locator("[data-testid=frame-row]").count() < 100, true, "only the rows in view are rendered");
  assert.deepEqual(errors, []);
});
