// The Handshake panel: rules passed and failed with the header highlighted, the protocol
// generation, the expected Sec-WebSocket-Accept, and the two key calculators.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setup, open, showPanel, screenshot } from "../support/page-helpers.js";

let env;
const hs = (page) => page.getByTestId("panel-handshake");
before(async () => { env = await setup(); });
after(async () => { await env?.stop(); });

const REQUEST = [
  "GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket", "Connection: Upgrade",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Origin: http://example.com",
  "Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Version: 13", "", "",
].join("\n");
const RESPONSE = [
  "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Protocol: chat", "", "",
].join("\n");

test("the accept-key calculator gives the RFC 6455 §1.3 accept key", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "handshake");
  await hs(page).getByLabel("Sec-WebSocket-Key", { exact: true }).fill("dGhlIHNhbXBsZSBub25jZQ==");
  assert.equal(await page.getByTestId("accept-key-output").textContent(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  // A generated key is 16 random bytes in base64, and gets its own accept value.
  await page.getByTestId("accept-generate").click();
  const key = await page.getByTestId("accept-key-input").inputValue();
  assert.equal(Buffer.from(key, "base64").length, 16);
  assert.match(await page.getByTestId("accept-key-output").textContent(), /^[A-Za-z0-9+/]{27}=$/);
  assert.deepEqual(errors, []);
});

test("the hixie-76 calculator gives the draft's answer 8jKS'y:G*Co,Wxa- with each step", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "handshake");
  await hs(page).getByLabel("Sec-WebSocket-Key1").fill("4 @1  46546xW%0l 1 5");
  await hs(page).getByLabel("Sec-WebSocket-Key2").fill("12998 5 Y3 1  .P00");
  await hs(page).getByLabel("key3 (the 8 bytes after the request head)").fill("^n:ds[4U");
  assert.equal(await page.getByTestId("hixie-answer-text").textContent(), "8jKS'y:G*Co,Wxa-");
  assert.equal(await page.getByTestId("hixie-answer-hex").textContent(), Buffer.from("8jKS'y:G*Co,Wxa-").toString("hex").match(/../g).join(" "));
  const steps = await page.getByTestId("hixie-step").allTextContents();
  // key1: digits 4146546015 over 5 spaces = 829309203; key2: 1299853100 over 5 = 259970620.
  assert.match(steps[0], /4146546015.*5.*829309203/);
  assert.match(steps[1], /1299853100.*5.*259970620/);
  assert.equal(await page.getByTestId("hixie-error").isHidden(), true);
  // A key without spaces is an error, shown as such.
  await hs(page).getByLabel("Sec-WebSocket-Key1").fill("12345");
  assert.equal(await page.getByTestId("hixie-error").isVisible(), true);
  assert.match(await page.getByTestId("hixie-error").textContent(), /key1: .*space/);
  assert.equal(await page.getByTestId("hixie-answer-text").textContent(), "");
  // Generated keys give an answer.
  await page.getByTestId("hixie-generate").click();
  assert.equal((await page.getByTestId("hixie-answer-hex").textContent()).split(" ").length, 16);
  assert.deepEqual(errors, []);
});

test("a request and response pasted: every rule passed, generation named, accept compared", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "handshake");
  await page.getByTestId("hs-request").fill(REQUEST);
  await page.getByTestId("hs-response").fill(RESPONSE);
  const req = page.getByTestId("hs-request-result");
  assert.match(await req.getByTestId("hs-generation").textContent(), /6455/);
  assert.ok(await req.getByTestId("hs-check").count() >= 3);
  assert.equal(await req.locator("[data-testid=hs-check][data-passed=false]").count(), 0);
  const expected = page.getByTestId("hs-expected-accept");
  assert.equal(await expected.getAttribute("data-match"), "true");
  assert.match(await expected.textContent(), /s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=.*match/);
  assert.deepEqual(errors, []);
});

test("a broken request fails its rules with the offending header highlighted", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "handshake");
  await page.getByTestId("hs-request").fill(REQUEST.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"));
  await page.getByTestId("hs-response").fill(RESPONSE.replace("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="));
  const req = page.getByTestId("hs-request-result");
  const failed = req.locator("[data-testid=hs-check][data-passed=false]");
  assert.ok(await failed.count() >= 1, await req.textContent());
  const bad = await req.locator("[data-testid=hs-line][data-bad]").allTextContents();
  assert.deepEqual(bad, ["Sec-WebSocket-Version: 8"]);
  assert.equal(await page.getByTestId("hs-expected-accept").getAttribute("data-match"), "false");
  assert.ok(await page.getByTestId("hs-pair-result").locator("[data-testid=hs-check][data-passed=false]").count() >= 1);
  // A failed check shows the id of what went wrong, not the rule; a passed one the rule it
  // follows, not an id that names a failure.
  const version = req.locator("[data-testid=hs-check][data-id=bad-version]");
  assert.equal(await version.getAttribute("data-passed"), "false");
  assert.equal(await version.getByTestId("check-id").textContent(), "bad-version");
  assert.equal(await version.getByTestId("check-rule").count(), 0);
  const method = req.locator("[data-testid=hs-check][data-id=method-not-get]");
  assert.equal(await method.getAttribute("data-passed"), "true");
  assert.equal(await method.getByTestId("check-rule").textContent(), "The method of the request MUST be GET.");
  assert.equal(await method.getByTestId("check-id").count(), 0);
  assert.doesNotMatch(await method.textContent(), /method-not-get/);
  assert.deepEqual(errors, []);
});

test("the hixie-76 handshake example is named hixie-76 (screenshot of the Handshake panel)", async () => {
  const { page, errors } = await open(env);
  await page.getByTestId("examples").locator("summary").click();
  await page.locator('[data-testid=example][data-name="opening handshake (draft-76 §1.3)"]').click();
  await page.getByTestId("panel-handshake").waitFor({ state: "visible" });
  assert.match(await page.getByTestId("hs-request-result").getByTestId("hs-generation").textContent(), /hixie-76/);
  assert.match(await page.getByTestId("hs-request-result").getByTestId("hs-trailing").textContent(), /\^n:ds\[4U/);
  assert.equal(await page.getByTestId("hixie-answer-text").textContent(), "8jKS'y:G*Co,Wxa-");
  await screenshot(page, "handshake");
  assert.deepEqual(errors, []);
});

test("a header value <img src=x onerror=alert(1)> shows as text", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "handshake");
  await page.getByTestId("hs-request").fill(REQUEST.replace("Origin: http://example.com", "Origin: <img src=x onerror=alert(1)>"));
  assert.match(await page.getByTestId("hs-request-result").getByTestId("hs-head").textContent(), /Origin: <img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator("main img").count(), 0);
  assert.deepEqual(errors, []);
});

test("a head with UTF-8 header values highlights the failing line by its bytes (screenshot)", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "handshake");
  // 45 bytes of UTF-8 in 15 characters before the failing line: by character positions its
  // byte offset would land 30 characters further on, in the line after it.
  const note = "X-Note: 日本語の説明です、ありがとう é";
  const request = REQUEST.replace("Origin: http://example.com", `Origin: http://café.example\n${note}`)
    .replace("Sec-WebSocket-Protocol: chat, superchat\nSec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8\nSec-WebSocket-Protocol: chat, superchat");
  await page.getByTestId("hs-request").fill(request);
  const req = page.getByTestId("hs-request-result");
  assert.equal(await req.locator("[data-testid=hs-check][data-id=bad-version]").getAttribute("data-passed"), "false");
  const bad = await req.locator("[data-testid=hs-line][data-bad]").allTextContents();
  assert.deepEqual(bad, ["Sec-WebSocket-Version: 8"]);
  // Each line is shown as sent: its bytes decoded as UTF-8.
  const lines = await req.getByTestId("hs-line").allTextContents();
  assert.ok(lines.includes(note), lines.join("|"));
  assert.ok(lines.includes("Origin: http://café.example"), lines.join("|"));
  await page.getByTestId("hs-response").fill(RESPONSE);
  await screenshot(page, "handshake-utf8");
  assert.deepEqual(errors, []);
});

test("the expected Sec-WebSocket-Accept is the core's accept check, passed or failed", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "handshake");
  // U+FEFF after the key is not whitespace to RFC 6455 §4.1 (the core keeps it; JavaScript's
  // trim() would drop it): the key is another string, and the response's accept does not
  // answer it. The line above the checks must say what the check says.
  const cases = [
    [REQUEST, RESPONSE, "true"],
    [REQUEST, RESPONSE.replace("s3pPLMBi", "AAAAAAAA"), "false"],
    [REQUEST.replace("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ==\uFEFF"), RESPONSE, "false"],
  ];
  for (const [request, response, match] of cases) {
    await page.getByTestId("hs-request").fill(request);
    await page.getByTestId("hs-response").fill(response);
    const pair = page.getByTestId("hs-pair-result");
    const check = pair.locator("[data-testid=hs-check][data-id=accept-mismatch]");
    assert.equal(await check.getAttribute("data-passed"), match);
    const line = page.getByTestId("hs-expected-accept");
    assert.equal(await line.getAttribute("data-match"), match, request);
    // The value shown is the one the core's check names ("..., expected X" or "X, as expected").
    const expected = await line.locator("code").first().textContent();
    assert.ok((await check.textContent()).includes(expected), `${expected} in ${await check.textContent()}`);
  }
  assert.deepEqual(errors, []);
});
