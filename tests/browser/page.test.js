// The inspector page in headless Chromium, loaded from the local server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { startServer } from "../support/server.js";
import { launchBrowser, openPage } from "../support/browser.js";

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  mkdirSync("test-results", { recursive: true });
});
after(async () => {
  await browser?.close();
  server?.stop();
});

test("the page loads the wasm module and shows the RFC 6455 accept key it computed", async () => {
  const { page, errors } = await openPage(browser, server.url);
  const line = page.getByTestId("wasm-check");
  await line.filter({ hasText: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" }).waitFor({ timeout: 10_000 });
  assert.match(await line.textContent(), /dGhlIHNhbXBsZSBub25jZQ== .* s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
  await page.screenshot({ path: "test-results/page.png", fullPage: true });
  assert.deepEqual(errors, []);
});
