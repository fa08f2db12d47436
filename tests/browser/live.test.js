// The Live panel: the browser's own WebSocket against a local echo server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setup, open, showPanel, screenshot } from "../support/page-helpers.js";
import { startEcho } from "../support/page-echo.js";

let env, echo;
before(async () => { env = await setup(); echo = await startEcho(); });
after(async () => { echo?.close(); await env?.stop(); });

const events = (page) => page.getByTestId("live-event");
const live = (page) => page.getByTestId("panel-live");

test("connect, send text and binary, see echoes with reconstructed frames, close cleanly", async () => {
  const { page, errors } = await open(env);
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await showPanel(page, "live");
  assert.match(await page.getByTestId("live-note").textContent(), /messages, not frames/);
  await live(page).getByLabel("URL (ws:// or wss://)").fill(echo.url);
  await live(page).getByLabel("Subprotocols (comma separated)").fill("chat, superchat");
  await page.getByTestId("live-connect").click();
  await page.locator("[data-testid=live-state][data-state=open]").waitFor({ timeout: 5000 });
  assert.match(await page.getByTestId("live-state").textContent(), /protocol: chat/);

  const xss = "<img src=x onerror=alert(1)>";
  await live(page).getByLabel("Text message").fill(xss);
  await page.getByTestId("live-send-text").click();
  await page.locator("[data-testid=live-event][data-kind=message]").first().waitFor();
  const sent = page.locator("[data-testid=live-event][data-kind=sent]").first();
  assert.equal(await sent.getByTestId("live-body").textContent(), xss);
  // A browser masks what it sends: the reconstructed frame is masked text, 28 bytes.
  assert.match(await sent.getByTestId("live-frame").textContent(), /reconstructed.*81 9c /);
  const received = page.locator("[data-testid=live-event][data-kind=message]").first();
  assert.equal(await received.getByTestId("live-body").textContent(), xss);
  assert.match(await received.textContent(), /text · 28 bytes/);
  assert.match(await received.getByTestId("live-frame").textContent(), /reconstructed.*81 1c 3c 69 6d 67/);

  await live(page).getByLabel("Binary message (hex)").fill("de ad be ef");
  await page.getByTestId("live-send-binary").click();
  await page.locator("[data-testid=live-event][data-kind=message]").nth(1).waitFor();
  const binary = page.locator("[data-testid=live-event][data-kind=message]").nth(1);
  assert.match(await binary.textContent(), /binary · 4 bytes/);
  assert.equal(await binary.getByTestId("live-body").textContent(), "de ad be ef");

  await live(page).getByLabel("Close code", { exact: true }).fill("1000");
  await live(page).getByLabel("Reason", { exact: true }).fill("bye");
  await page.getByTestId("live-close").click();
  const close = page.locator("[data-testid=live-event][data-kind=close]");
  await close.waitFor({ timeout: 5000 });
  assert.match(await close.textContent(), /code 1000 \(normal closure\) · reason: "bye" · wasClean: true/);
  assert.ok(await events(page).count() >= 6);
  assert.equal(await page.locator("main img").count(), 0);
  assert.deepEqual(dialogs, []);
  await screenshot(page, "live");
  assert.deepEqual(errors, []);
});

test("a connection refused shows error and close events (code 1006)", async () => {
  const { page } = await open(env);
  await showPanel(page, "live");
  await live(page).getByLabel("URL (ws:// or wss://)").fill("ws://127.0.0.1:9/nothing");
  await page.getByTestId("live-connect").click();
  const close = page.locator("[data-testid=live-event][data-kind=close]");
  await close.waitFor({ timeout: 10_000 });
  assert.match(await close.textContent(), /code 1006 \(abnormal closure\).*wasClean: false/);
  assert.equal(await page.locator("[data-testid=live-event][data-kind=error]").count(), 1);
});
