// The package's results as light objects over the wasm's records: lazy parts made on first
// access and kept, payloads that stay valid after the next push, after free() and after wasm
// memory grows, JSON in the CLI's schema, and the zero-copy intake (writable/commit).
import { test } from "node:test";
import assert from "node:assert/strict";
import { usePackedPackage } from "../support/packed.js";
import { xorshift } from "../support/vectors.js";

let ws;
usePackedPackage((module) => {
  ws = module;
});

const hex = (s) => Buffer.from(s.replace(/\s+/g, ""), "hex");
/** An unmasked server frame (RFC 6455 §5.2) of `payload`, FIN set. */
function serverFrame(opcode, payload) {
  const n = payload.length;
  const head = n < 126 ? [0x80 | opcode, n] : n < 65536 ? [0x80 | opcode, 126, n >> 8, n & 255] : [0x80 | opcode, 127, 0, 0, 0, 0, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return Buffer.concat([Buffer.from(head), payload]);
}

test("fields, maskingKey, payload and text are made on first access and kept", () => {
  // RFC 6455 §5.7: a single-frame masked text message, "Hello".
  const r = ws.decode(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), { role: "client" });
  const [f] = r.frames;
  const [m] = r.messages;
  // The spans as RFC 6455 §5.2 lays the header out: two bytes of bits, then the key at 2.
  assert.deepEqual(f.fields.map((x) => [x.name, x.offset, x.length]), [
    ["fin", 0, 1], ["rsv1", 0, 1], ["rsv2", 0, 1], ["rsv3", 0, 1], ["opcode", 0, 1],
    ["mask", 1, 1], ["payload_len", 1, 1], ["masking_key", 2, 4], ["payload", 6, 5],
  ]);
  assert.equal(f.fields, f.fields, "the same array on the second access");
  assert.deepEqual([...f.maskingKey], [0x37, 0xfa, 0x21, 0x3d]);
  assert.equal(f.maskingKey, f.maskingKey);
  assert.equal(Buffer.from(f.payload).toString(), "Hello");
  assert.equal(f.payload, f.payload);
  assert.equal(m.text, "Hello");
  assert.equal(m.data, f.payload, "a one-frame message's data is its frame's payload object");
  // The numbers are own properties: a spread keeps them.
  const { index, offset, payloadOffset, kind, masked, fin } = { ...f };
  assert.deepEqual([index, offset, payloadOffset, kind, masked, fin], [0, 0, 6, "text", true, true]);
});

test("text is decoded as UTF-8 whatever its length, and null for binary and invalid text", () => {
  const texts = ["", "a", "héllo wörld", "x".repeat(31), "y".repeat(33), "日本語のテキスト".repeat(20), "€".repeat(11)];
  const bytes = Buffer.concat([...texts.map((t) => serverFrame(1, Buffer.from(t))), serverFrame(2, Buffer.from("bin")), serverFrame(1, Buffer.from([0x61, 0xff]))]);
  const r = ws.decode(bytes, { role: "server" });
  assert.deepEqual(r.messages.map((m) => m.text), [...texts, null, null]);
  assert.deepEqual(r.messages.map((m) => m.inflatedLength), [...texts.map((t) => Buffer.byteLength(t)), 3, 2]);
});

test("payloads stay valid after the next push and after free()", () => {
  const d = new ws.Decoder({ role: "server" });
  const first = d.push(serverFrame(2, Buffer.alloc(1000, 0xaa)));
  const payload = first.frames[0].payload;
  const data = first.messages[0].data;
  for (let i = 0; i < 50; i++) d.push(serverFrame(2, Buffer.alloc(1000, i)));
  assert.ok(payload.every((b) => b === 0xaa), "after 50 more pushes");
  d.free();
  assert.ok(payload.every((b) => b === 0xaa) && data.every((b) => b === 0xaa), "after free()");
  // A payload read lazily for the first time after free() is still the frame's.
  const d2 = new ws.Decoder({ role: "server" });
  const held = d2.push(serverFrame(2, Buffer.alloc(300, 0x55)));
  d2.free();
  assert.ok(held.frames[0].payload.length === 300 && held.frames[0].payload.every((b) => b === 0x55));
  assert.equal(Buffer.from(held.messages[0].data).toString("hex"), "55".repeat(300));
});

test("a push that grows wasm memory leaves the results held before it intact", () => {
  const d = new ws.Decoder({ role: "server", maxMessageSize: Infinity, maxTotalSize: Infinity });
  const early = d.push(Buffer.concat([serverFrame(1, Buffer.from("before")), serverFrame(2, Buffer.alloc(70000, 7))]));
  // Fields not yet read: made after memory grew, from the records copied out before.
  const big = Buffer.alloc(48 << 20, 3);
  const grown = d.push(serverFrame(2, big));
  assert.equal(grown.frames[0].payload.length, big.length);
  assert.equal(early.messages[0].text, "before");
  assert.equal(early.frames[1].payload.length, 70000);
  assert.ok(early.frames[1].payload.every((b) => b === 7));
  assert.deepEqual(early.frames[1].fields.map((x) => x.name).slice(-2), ["extended_payload_len", "payload"]);
  d.free();
});

test("writable(n) and commit(n) decode in place: the same results as push, in any split", () => {
  const rand = xorshift(11);
  const parts = [];
  for (let i = 0; i < 200; i++) {
    const n = rand() % 300;
    parts.push(serverFrame(rand() % 2 ? 1 : 2, Buffer.from("ab".repeat(n))));
  }
  parts.push(hex("88 02 03 e8"));
  const bytes = Buffer.concat(parts);
  const oneShot = JSON.stringify(ws.decode(bytes, { role: "server" }));
  const d = new ws.Decoder({ role: "server" });
  const merged = { frames: [], messages: [], violations: [], incomplete: null, notices: [], role: "unknown", protocol: "unknown" };
  const take = (r) => {
    for (const k of ["frames", "messages", "violations", "notices"]) merged[k].push(...r[k]);
    merged.incomplete = r.incomplete;
    merged.role = r.role;
    merged.protocol = r.protocol;
  };
  let heldPayload, heldCopy;
  for (let at = 0; at < bytes.length;) {
    const view = d.writable(1 + (rand() % 5000));
    assert.ok(view instanceof Uint8Array && view.length > 0);
    const n = Math.min(view.length, bytes.length - at, 1 + (rand() % view.length));
    view.set(bytes.subarray(at, at + n));
    const r = d.commit(n);
    at += n;
    if (!heldPayload && r.frames.length) {
      heldPayload = r.frames[0].payload;
      heldCopy = Buffer.from(heldPayload).toString("hex");
    }
    take(r);
  }
  take(d.end());
  assert.equal(JSON.stringify(merged), oneShot);
  assert.equal(Buffer.from(heldPayload).toString("hex"), heldCopy, "a payload from commit() outlives the next writable()");
  assert.throws(() => d.commit(1), /commit\(n\) needs at most the 0 bytes/);
  d.free();
});

test("JSON.stringify gives every declared field, bytes as hex", () => {
  const r = ws.decode(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58 88 82 11 22 33 44 12 ca"), { role: "client" });
  const frame = JSON.parse(JSON.stringify(r.frames[0]));
  assert.deepEqual(Object.keys(frame).sort(), ["compressed", "fields", "fin", "headerLength", "index", "kind", "length", "lengthEncoding", "masked", "maskingKey", "offset", "opcode", "payload", "payloadLength", "payloadOffset", "rsv1", "rsv2", "rsv3"]);
  assert.equal(frame.payload, Buffer.from("Hello").toString("hex"));
  assert.equal(frame.maskingKey, "37fa213d");
  const close = JSON.parse(JSON.stringify(r.frames[1]));
  // Unmasked, the payload 12 ca is 12^11 ca^22 = 03 e8: close code 1000 (RFC 6455 §7.4.1).
  assert.equal(close.closeCode, 1000);
  assert.equal(close.closeCodeName, "normal closure");
  const message = JSON.parse(JSON.stringify(r.messages[0]));
  assert.deepEqual(Object.keys(message).sort(), ["complete", "compressed", "data", "frames", "index", "inflatedLength", "kind", "offset", "text", "wireLength"]);
  assert.deepEqual([message.data, message.text, message.frames], [Buffer.from("Hello").toString("hex"), "Hello", [0]]);
});
