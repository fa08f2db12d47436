// The Decode panel, used as a person would: paste, read the table, the hex view, the
// violations and the messages. Vectors are the specifications' own examples.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setup, open, decode, hexByte, screenshot, serverFrameHex, waitDecoded } from "../support/page-helpers.js";

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.stop(); });

test("pasting the RFC 6455 masked Hello shows MASK set, key 37fa213d and the text Hello", async () => {
  const { page, errors } = await open(env);
  // Typed as a user would (the page decodes as the paste changes).
  await page.getByTestId("decode-input").fill("81 85 37 fa 21 3d 7f 9f 4d 51 58");
  assert.match(await waitDecoded(page), /1 frame/);
  const row = page.getByTestId("frame-row").first();
  assert.equal(await row.locator("[data-col=mask]").textContent(), "1");
  assert.equal(await row.locator("[data-col=key]").textContent(), "37fa213d");
  assert.equal(await row.locator("[data-col=fin]").textContent(), "1");
  assert.match(await row.locator("[data-col=opcode]").textContent(), /text 0x1/);
  assert.match(await row.locator("[data-col=length]").textContent(), /^5 \(7-bit\)/);
  assert.equal(await row.locator("[data-col=preview]").textContent(), "Hello");
  assert.equal(await page.getByTestId("message-text").first().textContent(), "Hello");
  // The hex view colours the masking key and shows the payload unmasked beside it.
  for (let o = 2; o < 6; o++) assert.match(await hexByte(page, o).getAttribute("class"), /hx-f-key/);
  assert.match(await hexByte(page, 6).getAttribute("class"), /hx-f-payload/);
  assert.match(await page.getByTestId("hx-unmasked").first().textContent(), /48 65 6c 6c 6f\s+Hello/);
  // Hovering a byte names its field.
  await hexByte(page, 3).hover();
  assert.match(await page.getByTestId("hex-hover").textContent(), /byte 3 .*masking key of frame 0/);
  await hexByte(page, 6).hover();
  assert.match(await page.getByTestId("hex-hover").textContent(), /payload of frame 0.*unmasked 0x48 'H'/);
  assert.deepEqual(errors, []);
});

// One example per violation id, with the span RFC-wise rules give (ViolationId::span): byte 0
// for reserved bits/opcode, fragmentation and fin rules; byte 1 for the mask bit; the length
// field for control-frame-too-long (byte 1 and the extended length) and the extended length
// for non-minimal-length and length-too-large; the close code's two bytes; the whole frame
// for a close too short, a frame that does not inflate and data after close; the header for
// message-too-big; the maximal ill-formed subsequence for UTF-8 (Python's
// UnicodeDecodeError.start/end for "AB" FF: 2..3, for E2 82 "A": 0..2).
const VIOLATIONS = [
  ["reserved-bits", "a1 05 48656c6c6f", 0, 1, { role: "server" }],
  ["reserved-opcode", "83 00", 0, 1, { role: "server" }],
  ["unmasked-client-frame", "81 05 48656c6c6f", 1, 1, { role: "client" }],
  ["masked-server-frame", "81 85 37fa213d 7f9f4d5158", 1, 1, { role: "server" }],
  ["control-frame-too-long", "89 7e 007e " + "00".repeat(126), 1, 3, { role: "server" }],
  ["fragmented-control-frame", "09 00", 0, 1, { role: "server" }],
  ["non-minimal-length", "82 7e 0005 0102030405", 2, 2, { role: "server" }],
  ["length-too-large", "82 7f 8000000000000000", 2, 8, { role: "server" }],
  ["unexpected-continuation", "80 00", 0, 1, { role: "server" }],
  ["expected-continuation", "01 01 48 81 01 49", 3, 1, { role: "server" }],
  ["close-payload-too-short", "88 01 03", 0, 3, { role: "server" }],
  ["invalid-close-code", "88 02 03ed", 2, 2, { role: "server" }],
  ["invalid-utf8", "81 03 4142ff", 4, 1, { role: "server" }],
  ["invalid-utf8", "81 03 e28241", 2, 2, { role: "server" }],
  ["invalid-rsv1", "c9 00", 0, 1, { role: "server", extensions: "permessage-deflate" }],
  ["inflate-failed", "c1 01 ff", 0, 3, { role: "server", extensions: "permessage-deflate" }],
  ["data-after-close", "88 00 81 00", 2, 2, { role: "server" }],
  ["message-too-big", "81 05 48656c6c6f", 0, 2, { role: "server", max: 3 }],
];

for (const [id, hex, offset, length, options] of VIOLATIONS) {
  test(`a ${id} example (${hex.slice(0, 14)}) shows the id and highlights bytes ${offset} to ${offset + length - 1}`, async () => {
    const { page, errors } = await open(env);
    await decode(page, hex, { format: "hex", ...options });
    const item = page.locator(`[data-testid=violation][data-id="${id}"]`);
    assert.equal(await item.count(), 1, `${id} listed once in: ${await page.getByTestId("violations").textContent()}`);
    assert.equal(await item.getAttribute("data-offset"), String(offset));
    assert.equal(await item.getAttribute("data-length"), String(length));
    assert.match(await item.getByTestId("violation-offset").textContent(), new RegExp(`^${offset} \\(0x`));
    assert.match(await item.getByTestId("violation-rfc").textContent(), /RFC (6455|7692)/);
    assert.match(await item.getByTestId("violation-close").textContent(), /^10\d\d$/);
    // Every byte of the violation's span is underlined; clicking the violation outlines
    // exactly that span: not the byte before it, not the byte after it.
    for (let o = offset; o < offset + length; o++) {
      assert.match(await hexByte(page, o).getAttribute("class"), /hx-violation/, `byte ${o}`);
    }
    await item.getByTestId("violation-jump").click();
    for (let o = offset; o < offset + length; o++) {
      assert.match(await hexByte(page, o).getAttribute("class"), /hx-current/, `byte ${o}`);
    }
    const bytes = hex.replace(/\s/g, "").length / 2;
    if (offset > 0) assert.doesNotMatch(await hexByte(page, offset - 1).getAttribute("class"), /hx-current/);
    if (offset + length < bytes) {
      assert.doesNotMatch(await hexByte(page, offset + length).getAttribute("class"), /hx-current/);
    }
    assert.match(await item.getAttribute("class"), /current/);
    assert.deepEqual(errors, []);
  });
}

test("the RFC 7692 shared-window pair shows two Hello messages with their sizes", async () => {
  const { page, errors } = await open(env);
  await decode(page, "c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00", { role: "server", extensions: "permessage-deflate" });
  const messages = page.getByTestId("message");
  assert.equal(await messages.count(), 2);
  for (const [i, wire] of [[0, 7], [1, 5]]) {
    assert.equal(await messages.nth(i).getByTestId("message-text").textContent(), "Hello");
    const sizes = await messages.nth(i).getByTestId("message-sizes").textContent();
    assert.match(sizes, new RegExp(`compressed: ${wire} bytes on the wire, 5 bytes inflated`));
  }
  assert.equal(await page.locator("[data-testid=violation]").count(), 0);
  assert.deepEqual(errors, []);
});

test("a paste that is not hex points at the line and column", async () => {
  const { page } = await open(env);
  const status = await decode(page, "81 05 48 65\n6c 6g 6f", { format: "hex" });
  assert.match(status, /nothing decoded/);
  const error = await page.getByTestId("decode-error").textContent();
  assert.match(error, /'g'/);
  assert.match(error, /line 2, column 5/);
  // "show me" selects the bad character in the paste.
  await page.getByTestId("decode-error-show").click();
  const selected = await page.evaluate(() => {
    const input = document.querySelector("[data-testid=decode-input]");
    return input.value.slice(input.selectionStart, input.selectionEnd);
  });
  assert.equal(selected, "g");
});

test("bad negotiated extensions are named as such, with where", async () => {
  const { page } = await open(env);
  await decode(page, "c1 07 f2 48 cd c9 c9 07 00", { format: "hex", extensions: "permessage-deflate; foo" });
  assert.match(await page.getByTestId("decode-error").textContent(), /negotiated extensions: .*foo/);
});

test("a binary file opened (or dropped) is decoded from its bytes", async () => {
  const { page, errors } = await open(env);
  await page.getByTestId("decode-file").setInputFiles({
    name: "capture.bin", mimeType: "application/octet-stream", buffer: Buffer.from("818537fa213d7f9f4d5158", "hex"),
  });
  assert.match(await waitDecoded(page), /11 bytes decoded · 1 frame/);
  assert.equal(await page.getByTestId("decode-input").inputValue(), "818537fa213d7f9f4d5158");
  assert.equal(await page.getByTestId("message-text").textContent(), "Hello");
  assert.deepEqual(errors, []);
});

test("a truncated tail says how many more bytes are needed", async () => {
  const { page } = await open(env);
  await decode(page, "81 05 48 65 6c 6c 6f 81 05 48 65", { format: "hex", role: "server" });
  assert.equal(await page.getByTestId("frame-row").count(), 1);
  assert.match(await page.getByTestId("incomplete").textContent(), /incomplete: 3 more bytes needed .* byte 7 .*\(frame 1: text, unmasked, 2 of 5 payload bytes present\)/);
});

test("clicking a frame row selects it and colours its fields in the hex view", async () => {
  const { page } = await open(env);
  await decode(page, "01 03 48 65 6c 80 02 6c 6f", { format: "hex", role: "server" });
  assert.equal(await page.getByTestId("frame-row").count(), 2);
  await page.locator("[data-testid=frame-row][data-index='1']").click();
  assert.equal(await page.locator("[data-testid=frame-row][data-index='1']").getAttribute("aria-selected"), "true");
  assert.match(await hexByte(page, 5).getAttribute("class"), /hx-f-head/);
  assert.doesNotMatch(await hexByte(page, 0).getAttribute("class"), /hx-f-/);
  // The arrow keys move the selection.
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.locator("[data-testid=frame-row][data-index='0']").getAttribute("aria-selected"), "true");
  assert.equal(await page.getByTestId("message-text").textContent(), "Hello");
});

test("a payload <img src=x onerror=alert(1)> shows as text and runs nothing", async () => {
  const { page, errors } = await open(env);
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  const payload = "<img src=x onerror=alert(1)>";
  await decode(page, serverFrameHex(1, payload), { format: "hex", role: "server" });
  assert.equal(await page.getByTestId("message-text").textContent(), payload);
  assert.equal(await page.locator("[data-testid=frame-row] [data-col=preview]").textContent(), payload);
  assert.equal(await page.locator("main img").count(), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
});

test("the examples menu loads the stream with several violations (screenshot of the Decode panel)", async () => {
  const { page, errors } = await open(env);
  await page.getByTestId("examples").locator("summary").click();
  await page.locator('[data-testid=example][data-name="a client stream with several violations"]').click();
  await waitDecoded(page);
  const ids = await page.getByTestId("violation-id").allTextContents();
  assert.ok(ids.includes("reserved-bits") && ids.includes("unmasked-client-frame"), ids.join(", "));
  await page.getByTestId("violation-jump").nth(2).click();
  await screenshot(page, "decode", "docs/decode.png");
  // The dark theme follows prefers-color-scheme.
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await background();
  assert.notEqual(dark, light);
  const [r, g, b] = dark.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `a dark background, not ${dark}`);
  await screenshot(page, "decode-dark");
  assert.deepEqual(errors, []);
});

// RFC 7692 §7.2.3.1's "Hello" (f2 48 cd c9 c9 07 00) in three frames, RSV1 on the first only
// (§6.1), a ping between them, then a plain text message.
const FRAGMENTED_DEFLATE = "4102f248" + "890121" + "0002cdc9" + "8003c90700" + "8105706c61696e";

test("a fragmented compressed message: its continuation frames show as compressed (screenshot)", async () => {
  const { page, errors } = await open(env);
  await decode(page, FRAGMENTED_DEFLATE, { format: "hex", role: "server", extensions: "permessage-deflate" });
  const previews = await page.locator("[data-testid=frame-row] [data-col=preview]").allTextContents();
  assert.deepEqual(previews, ["f2 48 (compressed)", "!", "cd c9 (compressed)", "c9 07 00 (compressed)", "plain"]);
  assert.equal(await page.getByTestId("message-text").first().textContent(), "Hello");
  await page.getByTestId("frame-row").nth(2).click();
  await screenshot(page, "decode-fragmented-deflate");
  assert.deepEqual(errors, []);
});

test("a one-direction conversation: compressed continuations and a UTF-8 head as sent", async () => {
  const { page, errors } = await open(env);
  const head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    + "X-Note: 日本語 é\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
  await decode(page, Buffer.from(head).toString("hex") + FRAGMENTED_DEFLATE);
  const frames = page.locator("[data-testid=conv-frame]");
  const seen = await frames.evaluateAll((els) => els.map((e) => [e.dataset.kind, e.querySelector("[data-testid=conv-frame-preview]").textContent]));
  assert.deepEqual(seen, [
    ["text", "2 compressed bytes (see the messages)"], ["ping", "!"],
    ["continuation", "2 compressed bytes (see the messages)"], ["continuation", "3 compressed bytes (see the messages)"],
    ["text", "plain"],
  ]);
  const lines = await page.getByTestId("conv-response").getByTestId("conv-line").allTextContents();
  assert.ok(lines.includes("X-Note: 日本語 é"), lines.join("|"));
  assert.deepEqual(errors, []);
});
