// The Build panel: compose a frame, read its bytes, and decode it back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setup, open, showPanel, screenshot, waitDecoded } from "../support/page-helpers.js";

let env;
const build = (page) => page.getByTestId("panel-build");
before(async () => { env = await setup(); });
after(async () => { await env?.stop(); });

test("building the RFC masked Hello gives its bytes; decode this shows it back", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "build");
  await build(page).getByLabel("Mask (client frames are masked)").check();
  await build(page).getByLabel("Masking key (8 hex digits)").fill("37fa213d");
  await build(page).getByLabel("Payload", { exact: true }).fill("Hello");
  assert.equal(await page.getByTestId("build-hex").textContent(), "81 85 37 fa 21 3d 7f 9f 4d 51 58");
  assert.equal(await page.getByTestId("build-base64").textContent(), Buffer.from("818537fa213d7f9f4d5158", "hex").toString("base64"));
  assert.match(await page.getByTestId("build-c").textContent(), /\[11\] = \{\s+0x81, 0x85, 0x37/);
  await screenshot(page, "build");
  await page.getByTestId("build-decode").click();
  await page.getByTestId("panel-decode").waitFor({ state: "visible" });
  await waitDecoded(page);
  const row = page.getByTestId("frame-row").first();
  assert.equal(await row.locator("[data-col=key]").textContent(), "37fa213d");
  assert.equal(await page.getByTestId("message-text").textContent(), "Hello");
  assert.equal(await page.getByTestId("decode-role").inputValue(), "client");
  assert.equal(await page.locator("[data-testid=violation]").count(), 0);
  assert.deepEqual(errors, []);
});

test("a frame broken on purpose (RSV2, a 16-bit length for 3 bytes) decodes to its violations", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "build");
  await build(page).getByLabel("RSV2").check();
  await build(page).getByLabel("Length encoding").selectOption("16");
  await build(page).getByLabel("Payload is").selectOption("hex");
  await build(page).getByLabel("Payload", { exact: true }).fill("01 02 03");
  await build(page).getByLabel("Opcode").selectOption("2");
  assert.equal(await page.getByTestId("build-hex").textContent(), "a2 7e 00 03 01 02 03");
  await page.getByTestId("build-decode").click();
  await waitDecoded(page);
  const ids = await page.getByTestId("violation-id").allTextContents();
  assert.deepEqual(ids.sort(), ["non-minimal-length", "reserved-bits"]);
  assert.match(await page.getByTestId("frame-row").first().locator("[data-col=length]").textContent(), /3 \(16-bit\)/);
  assert.deepEqual(errors, []);
});

test("a compressed frame decodes back to its text", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "build");
  await build(page).getByLabel("Compress (permessage-deflate, sets RSV1)").check();
  await build(page).getByLabel("Payload", { exact: true }).fill("Hello, Hello, Hello");
  const hex = await page.getByTestId("build-hex").textContent();
  assert.match(hex, /^c1 /);
  await page.getByTestId("build-decode").click();
  await waitDecoded(page);
  assert.equal(await page.getByTestId("decode-extensions").inputValue(), "permessage-deflate");
  assert.equal(await page.getByTestId("message-text").textContent(), "Hello, Hello, Hello");
  assert.match(await page.getByTestId("message-sizes").textContent(), /compressed: .* 19 bytes inflated/);
  assert.deepEqual(errors, []);
});

test("a close frame with an invalid code, built from code and reason, decodes to invalid-close-code", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "build");
  await build(page).getByLabel("Opcode").selectOption("8");
  await build(page).getByLabel("Payload is").selectOption("close");
  await build(page).getByLabel("Close code (any, even invalid ones)").fill("1005");
  await build(page).getByLabel("Close reason").fill("bye");
  assert.equal(await page.getByTestId("build-hex").textContent(), "88 05 03 ed 62 79 65");
  await page.getByTestId("build-decode").click();
  await waitDecoded(page);
  assert.deepEqual(await page.getByTestId("violation-id").allTextContents(), ["invalid-close-code"]);
  assert.match(await page.getByTestId("frame-row").first().locator("[data-col=preview]").textContent(), /^1005 no status received: bye$/);
  assert.deepEqual(errors, []);
});

test("a bad masking key is an error, not a frame", async () => {
  const { page } = await open(env);
  await showPanel(page, "build");
  await build(page).getByLabel("Mask (client frames are masked)").check();
  await build(page).getByLabel("Masking key (8 hex digits)").fill("37fa21");
  assert.match(await page.getByTestId("build-error").textContent(), /8 hex digits/);
  assert.equal(await page.getByTestId("build-hex").textContent(), "");
  assert.equal(await page.getByTestId("build-decode").isDisabled(), true);
});
