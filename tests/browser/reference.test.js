// The Reference panel: opcodes, close codes, violation ids and handshake rules, each with its RFC section.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setup, open, showPanel, screenshot } from "../support/page-helpers.js";

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.stop(); });

const IDS = ["reserved-bits", "reserved-opcode", "unmasked-client-frame", "masked-server-frame",
  "control-frame-too-long", "fragmented-control-frame", "non-minimal-length", "length-too-large",
  "unexpected-continuation", "expected-continuation", "close-payload-too-short", "invalid-close-code",
  "invalid-utf8", "invalid-rsv1", "inflate-failed", "data-after-close", "message-too-big"];

const HANDSHAKE_RULES = ["malformed-http", "head-too-large", "method-not-get", "bad-http-version", "missing-host",
  "bad-upgrade", "bad-connection", "bad-key", "bad-version", "bad-key1", "bad-key2", "duplicate-header", "bad-status",
  "missing-accept", "multiple-subprotocols", "accept-mismatch", "bad-hixie76-answer", "unoffered-subprotocol",
  "unoffered-extension"];

test("opcodes, close codes with the on-the-wire column, and every violation id with its RFC link", async () => {
  const { page, errors } = await open(env);
  await showPanel(page, "reference");
  const opcodes = await page.getByTestId("ref-opcode").allTextContents();
  for (const [op, name] of [["0x0", "continuation"], ["0x1", "text"], ["0x2", "binary"], ["0x3", "reserved"], ["0x8", "close"], ["0x9", "ping"], ["0xa", "pong"]]) {
    assert.ok(opcodes.some((row) => row.startsWith(op) && row.includes(name)), `${op} ${name} in ${opcodes.join(" | ")}`);
  }
  const codes = await page.getByTestId("ref-close-code").allTextContents();
  assert.ok(codes.some((r) => /^1000normal closureyes/.test(r)), codes.join(" | "));
  assert.ok(codes.some((r) => /^1005no status receivedno/.test(r)), codes.join(" | "));
  const rows = page.getByTestId("ref-violation");
  const ids = await rows.locator("td:first-child").allTextContents();
  for (const id of IDS) assert.ok(ids.includes(id), `${id} in ${ids.join(", ")}`);
  const hrefs = await rows.locator("a").evaluateAll((as) => as.map((a) => a.href));
  assert.equal(hrefs.length, ids.length, "one link per violation");
  for (const href of hrefs) {
    assert.match(href, /^https:\/\/(www\.rfc-editor\.org\/rfc\/rfc(6455|7692)\.html|datatracker\.ietf\.org\/doc\/html\/draft-hixie-thewebsocketprotocol-76)#section-[\d.]+$/);
  }
  // Each row quotes its rule: reserved-bits' is RFC 6455 §5.2's MUST sentence.
  assert.match(await page.locator("#violation-reserved-bits").textContent(), /MUST be 0/);
  // Every handshake rule, request, response, pair and the head's own errors, with its text.
  const hsRows = page.getByTestId("ref-handshake-rule");
  const hsIds = await hsRows.locator("td:first-child").allTextContents();
  assert.deepEqual([...hsIds].sort(), [...HANDSHAKE_RULES].sort());
  assert.equal(await hsRows.locator("a").count(), hsIds.length, "one link per handshake rule");
  assert.match(await page.locator("#handshake-rule-bad-version").textContent(), /MUST be 13/);
  assert.match(await page.locator("#handshake-rule-accept-mismatch").textContent(), /258EAFA5-E914-47DA-95CA-C5AB0DC85B11/);
  await screenshot(page, "reference");
  assert.deepEqual(errors, []);
});
