// Keyboard and labels: every control has a label, and the panels are reachable by keyboard.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setup, open } from "../support/page-helpers.js";

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.stop(); });

test("every input, select and textarea has a label", async () => {
  const { page } = await open(env);
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll("input, select, textarea")]
    .filter((c) => !(c.labels?.length && [...c.labels].some((l) => l.textContent.trim())) && !c.getAttribute("aria-label"))
    .map((c) => c.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, []);
});

test("the arrow keys move between the panel tabs", async () => {
  const { page } = await open(env);
  await page.getByTestId("tab-decode").focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.getByTestId("panel-handshake").isVisible(), true);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "tab-handshake");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.getByTestId("panel-reference").isVisible(), true);
  assert.equal(await page.getByTestId("panel-decode").isVisible(), false);
});
