// The URL fragment: a shared link reproduces the Decode, Handshake and Build panels.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setup, open, showPanel, waitDecoded } from "../support/page-helpers.js";

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.stop(); });

test("a copied link opened in a new page shows the same panel and results", async () => {
  const first = await open(env);
  const page = first.page;
  await page.getByTestId("decode-input").fill("c1 07 f2 48 cd c9 c9 07 00");
  await page.getByTestId("decode-role").selectOption("server");
  await page.getByTestId("decode-extensions").fill("permessage-deflate");
  await waitDecoded(page);
  await showPanel(page, "handshake");
  await page.getByLabel("Sec-WebSocket-Key", { exact: true }).fill("dGhlIHNhbXBsZSBub25jZQ==");
  await showPanel(page, "build");
  await page.getByLabel("RSV3").check();
  await page.getByLabel("Payload", { exact: true }).fill("shared <b>link</b>");
  const hex = await page.getByTestId("build-hex").textContent();
  await page.getByTestId("copy-link").click();
  const link = await page.getByTestId("share-link").inputValue();
  assert.match(link, /#.*p=build/);
  assert.equal(new URL(link).search, "", "the state stays in the fragment, which never reaches a server");

  const second = await open(env, new URL(link).hash);
  const again = second.page;
  assert.equal(await again.getByTestId("panel-build").isVisible(), true);
  assert.equal(await again.getByTestId("build-hex").textContent(), hex);
  assert.equal(await again.getByLabel("RSV3").isChecked(), true);
  await showPanel(again, "handshake");
  assert.equal(await again.getByTestId("accept-key-output").textContent(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  await showPanel(again, "decode");
  await waitDecoded(again);
  assert.equal(await again.getByTestId("decode-extensions").inputValue(), "permessage-deflate");
  assert.equal(await again.getByTestId("message-text").textContent(), "Hello");
  assert.deepEqual([...first.errors, ...second.errors], []);
});
