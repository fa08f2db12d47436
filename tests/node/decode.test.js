// Decoding through the packed npm package: spec examples, every violation id, chunked
// pushes equal to one-shot, errors with offsets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { usePackedPackage } from "../support/packed.js";
import { vectors, vectorBytes, xorshift } from "../support/vectors.js";
import { violationCases } from "../support/violations.js";
import { readFileSync, readdirSync } from "node:fs";
import { unmaskedByte, payloadHead, maskedHead } from "../../www/fields.js";

let installed, ws;
usePackedPackage((module, install) => {
  ws = module;
  installed = install;
});

const optionsOf = (v) => ({ role: v.role, extensions: v.extensions });

/** Pushes the bytes in the given chunk sizes and merges the results, as one decode would give. */
function pushAll(bytes, sizes, options) {
  const decoder = new ws.Decoder(options);
  const merged = { frames: [], messages: [], violations: [], notices: [] };
  let at = 0, i = 0;
  const take = (r) => {
    for (const k of ["frames", "messages", "violations", "notices"]) merged[k].push(...r[k]);
    merged.incomplete = r.incomplete;
    merged.role = r.role;
    merged.protocol = r.protocol;
  };
  while (at < bytes.length) {
    const n = Math.max(1, sizes(i++));
    take(decoder.push(bytes.subarray(at, at + n)));
    at += n;
  }
  take(decoder.end());
  decoder.free();
  return merged;
}

test("every frame example of the specifications decodes as written", () => {
  for (const v of vectors.frames) {
    const r = ws.decode(vectorBytes(v), optionsOf(v));
    assert.deepEqual(r.violations, [], v.name);
    assert.equal(r.incomplete, null, v.name);
    if (v.frames) assert.equal(r.frames.length, v.frames, v.name);
    if (v.payload_len) assert.equal(r.frames[0].payloadLength, v.payload_len, v.name);
    if (v.masking_key) assert.equal(Buffer.from(r.frames[0].maskingKey).toString("hex"), v.masking_key, v.name);
    for (const [i, m] of (v.messages ?? []).entries()) {
      assert.equal(r.messages[i].kind, m.kind, v.name);
      assert.equal(r.messages[i].text, m.text, v.name);
      assert.equal(r.messages[i].compressed, Boolean(m.compressed), v.name);
    }
    for (const [i, c] of (v.control ?? []).entries()) {
      const frame = r.frames.filter((f) => ["close", "ping", "pong"].includes(f.kind))[i];
      assert.equal(frame.kind, c.kind, v.name);
      assert.equal(Buffer.from(frame.payload).toString("hex"), c.payload_hex, v.name);
    }
  }
});

test("the masked Hello shows every field where it sits", () => {
  const r = ws.decode(Buffer.from("818537fa213d7f9f4d5158", "hex"));
  const [f] = r.frames;
  assert.equal(r.role, "client");
  assert.deepEqual([f.fin, f.masked, f.opcode, f.kind, f.payloadLength, f.lengthEncoding, f.payloadOffset], [true, true, 1, "text", 5, "7", 6]);
  assert.equal(new TextDecoder().decode(f.payload), "Hello");
  const key = f.fields.find((x) => x.name === "masking_key");
  assert.deepEqual([key.offset, key.length], [2, 4]);
});

test("every violation id is reported at its byte offset with its span, in one shot and one byte at a time", () => {
  const cases = violationCases(ws);
  assert.equal(new Set(cases.map((c) => c.id)).size, 17);
  for (const c of cases) {
    const r = ws.decode(c.bytes, c.options);
    const v = r.violations.find((x) => x.id === c.id);
    assert.ok(v, `${c.id} not reported; got ${r.violations.map((x) => x.id).join(", ") || "none"}`);
    assert.equal(v.offset, c.offset, `${c.id}: ${v.message}`);
    assert.equal(v.length, c.length, `${c.id}: the span's length`);
    assert.ok(v.offset + v.length <= c.bytes.length, `${c.id}: span inside the input`);
    assert.match(v.message, /^[a-z0-9]/, "messages start lowercase");
    assert.match(v.rfc, /^RFC (6455|7692) §/);
    assert.ok([1002, 1007, 1009].includes(v.closeCode));
    assert.deepEqual(pushAll(c.bytes, () => 1, c.options), r, c.id);
  }
});

test("the reference lists every violation id with its rule", () => {
  const ref = ws.reference();
  for (const c of violationCases(ws)) assert.ok(ref.violations.some((v) => v.id === c.id && v.rule.length > 20), c.id);
  assert.equal(ref.opcodes.length, 16);
  assert.equal(ref.closeCodes.find((c) => c.code === 1005).validOnWire, false);
});

const HANDSHAKE_RULES = ["malformed-http", "head-too-large", "method-not-get", "bad-http-version", "missing-host",
  "bad-upgrade", "bad-connection", "bad-key", "bad-version", "bad-key1", "bad-key2", "duplicate-header", "bad-status",
  "missing-accept", "multiple-subprotocols", "accept-mismatch", "bad-hixie76-answer", "unoffered-subprotocol",
  "unoffered-extension"];

test("the reference lists every handshake rule, and each check carries its rule's text", () => {
  const rules = ws.reference().handshakeRules;
  assert.deepEqual(rules.map((r) => r.id).sort(), [...HANDSHAKE_RULES].sort());
  for (const r of rules) {
    assert.ok(r.rule.length > 30 && r.rule.endsWith("."), r.id);
    assert.match(r.rfc, /^(RFC \d+ §[\d.]+|draft-hixie-thewebsocketprotocol-76 §[\d.]+)$/, r.id);
  }
  const request = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n";
  const response = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n";
  const checks = [...ws.parseHandshake(request).checks, ...ws.parseHandshake(response).checks,
    ...ws.checkHandshakePair(request, response)];
  assert.ok(checks.some((c) => c.passed) && checks.some((c) => !c.passed));
  for (const c of checks) {
    const listed = rules.find((r) => r.id === c.id);
    assert.ok(listed, `${c.id} is not in reference().handshakeRules`);
    assert.equal(c.rule, listed.rule, c.id);
  }
  assert.match(checks.find((c) => c.id === "bad-version").rule, /MUST be 13/);
  assert.ok(HANDSHAKE_RULES.includes(ws.parseHandshake("GET / HTTP/1.1\r\nHost a\r\n\r\n").error.id));
});

test("a message of one uncompressed frame shares its frame's payload; others own their data", () => {
  const key = new Uint8Array([1, 2, 3, 4]);
  const bytes = new Uint8Array([
    ...ws.encodeFrame({ opcode: 1, payload: "one", maskingKey: key }),
    ...ws.encodeFrame({ opcode: 2, fin: false, payload: new Uint8Array([1, 2]), maskingKey: key }),
    ...ws.encodeFrame({ opcode: 0, payload: new Uint8Array([3]), maskingKey: key }),
  ]);
  const { frames, messages } = ws.decode(bytes, { role: "client" });
  assert.equal(messages.length, 2);
  assert.equal(messages[0].data, frames[0].payload);
  assert.deepEqual([...messages[1].data], [1, 2, 3]);
  assert.notEqual(messages[1].data, frames[1].payload);
  assert.notEqual(messages[1].data, frames[2].payload);
});

test("a truncated tail is incomplete, not an error, and says how much is missing", () => {
  const r = ws.decode(Buffer.from("810548656c", "hex"));
  assert.deepEqual(r.frames, []);
  assert.deepEqual(r.violations, []);
  assert.equal(r.incomplete.offset, 0);
  assert.equal(r.incomplete.needed, 2);
  const huge = ws.decode(Buffer.from("827f3fffffffffffffff0102", "hex"));
  assert.equal(huge.incomplete.offset, 0);
  // 2^62 - 3 bytes cannot be a JS number exactly: the count says so (the message keeps it exact).
  assert.equal(huge.incomplete.needed, "more than 2^53");
});

test("a truncated frame shows its header fields and the payload bytes present", () => {
  const { incomplete } = ws.decode(new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f]), { role: "client" });
  assert.equal(incomplete.frame, 0);
  assert.equal(incomplete.needed, 3);
  const p = incomplete.partial;
  assert.equal(p.kind, "text");
  assert.equal(p.payloadLength, 5);
  assert.deepEqual([...p.maskingKey], [0x37, 0xfa, 0x21, 0x3d]);
  assert.equal(new TextDecoder().decode(p.payload), "He");
  assert.ok(p.fields.some((f) => f.name === "masking_key" && f.offset === 2 && f.length === 4));
  const early = ws.decode(new Uint8Array([0x81]), { role: "client" }).incomplete;
  assert.equal(early.partial, null);
  assert.equal(early.frame, null);
});

test("a 10 MiB capture pushed in random chunks equals the one-shot decode", () => {
  const next = xorshift(2024);
  const parts = [];
  let size = 0;
  for (let i = 0; size < 10 * 1024 * 1024; i++) {
    const n = next() % 3 === 0 ? 60000 + (next() % 10000) : next() % 200;
    const payload = new Uint8Array(n);
    for (let j = 0; j < n; j += 97) payload[j] = next() & 0x7f;
    const key = Uint8Array.of(next() & 255, next() & 255, next() & 255, next() & 255);
    const frame = ws.encodeFrame({ opcode: 1 + (i % 2), payload, maskingKey: key, fin: true });
    parts.push(frame);
    size += frame.length;
  }
  const bytes = Buffer.concat(parts);
  const once = ws.decode(bytes);
  assert.equal(once.frames.length, parts.length);
  assert.deepEqual(once.violations, []);
  const chunked = pushAll(bytes, () => 1 + (next() % 70000), {});
  assert.equal(chunked.frames.length, once.frames.length);
  assert.deepEqual(chunked, once);
});

test("bad input throws errors that say what and where", () => {
  assert.throws(() => ws.parseBytes("81 05\n48 6g", "hex"), (e) => e.line === 2 && e.column === 5 && e.offset === 10 && /'g'/.test(e.message));
  assert.throws(() => ws.decode(new Uint8Array(0), { extensions: "permessage-deflate; bogus=1" }), (e) => typeof e.offset === "number" && /bogus/.test(e.message));
  assert.throws(() => new ws.Decoder({ role: "peer" }), /role/);
  assert.equal(Buffer.from(ws.parseBytes("gYU3+iE9f59NUVg=").bytes).toString("hex"), "818537fa213d7f9f4d5158");
  assert.equal(ws.parseBytes("0x81, 0x05").format, "hex");
});

// parseBytes encodes its string straight into wasm memory (TextEncoder.encodeInto), with
// room for an eighth more bytes than characters; text that needs more takes encode().
test("parseBytes: text encoded into wasm memory: non-ASCII text, big text, and results held across memory growth", () => {
  const wide = "世界🌍é".repeat(5000); // 3-, 4- and 2-byte characters: past the room asked for
  assert.equal(Buffer.from(ws.parseBytes(wide, "escaped").bytes).toString("hex"), Buffer.from(wide).toString("hex"));
  const fits = `${"a".repeat(800)}é`; // one 2-byte character fits the room
  assert.equal(Buffer.from(ws.parseBytes(fits, "escaped").bytes).toString("hex"), Buffer.from(fits).toString("hex"));
  assert.throws(() => ws.parseBytes("81 05\n48 €5", "hex"), (e) => e.line === 2 && e.column === 4 && /'€'/.test(e.message));
  const small = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) & 255));
  const held = ws.parseBytes(small.toString("hex"), "hex").bytes;
  // 24 MiB of bytes as 48 MiB of hex: the wasm memory grows, and the intake is let go after.
  const big = Buffer.alloc(24 << 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = i >>> 12;
  for (let round = 0; round < 2; round++) {
    const out = ws.parseBytes(big.toString("hex"), "hex").bytes;
    assert.equal(out.length, big.length);
    assert.ok(Buffer.from(out.buffer, out.byteOffset, out.length).equals(big), `round ${round}: the bytes`);
  }
  assert.ok(Buffer.from(held).equals(small), "a result from before the memory grew keeps its bytes");
  assert.equal(Buffer.from(ws.parseBytes("81 05 48 65 6c 6c 6f", "hex").bytes).toString("hex"), "810548656c6c6f", "small text after the big");
});

// Where an invalid UTF-8 sequence starts: the first byte of the maximal ill-formed
// subsequence, as Python's UnicodeDecodeError gives (start, end - start), recorded with
// python3: b"\xe0\x80\xaf" (0, 1), b"\xed\xa0\x80" (0, 1), b"\xe2\x82A" (0, 2).
test("invalid-utf8 points at the start of the ill-formed sequence, with its length", () => {
  const cases = [
    ["8103e080af", [2, 1]], // overlong
    ["8103eda080", [2, 1]], // surrogate
    ["8103e28241", [2, 2]], // truncated before ASCII
    ["0101ed 8002a080", [2, 1]], // ED | A0 80 over two fragments: the ED in the first
    ["8806 03e8 61e28241", [5, 2]], // a close reason: payloadOffset 2 + 2 + 1
  ];
  for (const [hex, [offset, length]] of cases) {
    const r = ws.decode(Buffer.from(hex.replace(/ /g, ""), "hex"), { role: "server" });
    const spans = r.violations.filter((v) => v.id === "invalid-utf8").map((v) => [v.offset, v.length]);
    assert.deepEqual(spans, [[offset, length]], hex);
  }
});

// RFC 7692 §7.1.2.1: the stream copies from 515 bytes back; with
// server_max_window_bits=9 (512 bytes) zlib fails it ("invalid distance too far back").
test("a copy from beyond the agreed window is inflate-failed, spanning its frame", () => {
  const bytes = Buffer.from("c2064a1c05a30000c2050226010000", "hex");
  const r = ws.decode(bytes, { role: "server", extensions: "permessage-deflate; server_max_window_bits=9" });
  assert.deepEqual(r.violations.map((v) => [v.id, v.offset, v.length, v.frame]), [["inflate-failed", 8, 7, 1]]);
  const wide = ws.decode(bytes, { role: "server", extensions: "permessage-deflate" });
  assert.deepEqual(wide.violations, []);
  assert.equal(wide.messages[1].inflatedLength, 3);
});

test("compressed marks every frame of a compressed message, continuations too, and no other", () => {
  // RFC 7692 §7.2.3.1's "Hello" (f2 48 cd c9 c9 07 00) in three frames, RSV1 on the first
  // only (§6.1), a ping between them, then a plain text message and a close.
  const hex = "4102f248" + "890121" + "0002cdc9" + "8003c90700" + "8105706c61696e" + "880203e8";
  const r = ws.decode(Buffer.from(hex, "hex"), { role: "server", extensions: "permessage-deflate" });
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.messages.map((m) => m.text), ["Hello", "plain"]);
  assert.deepEqual(r.frames.map((f) => [f.kind, f.rsv1, f.compressed]), [
    ["text", true, true], ["ping", false, false], ["continuation", false, true],
    ["continuation", false, true], ["text", false, false], ["close", false, false],
  ]);
  // Without the extension RSV1 is a violation and nothing is compressed.
  const plain = ws.decode(Buffer.from(hex, "hex"), { role: "server" });
  assert.ok(plain.frames.every((f) => f.compressed === false));
});

test("the page's payload bytes are the core's unmasked payload, and only fields.js unmasks", () => {
  // RFC 6455 §5.7's masked "Hello", then a masked frame of 7 bytes whose key starts at an
  // offset that is not a multiple of 4, so the key index counts from the payload's start.
  const bytes = Buffer.from("818537fa213d7f9f4d5158" + "8287a1b2c3d4" + "a0b0c0d0e0f001", "hex");
  const r = ws.decode(bytes, { role: "client" });
  assert.equal(r.frames.length, 2);
  for (const f of r.frames) {
    // A FrameStore frame keeps no payload: the byte comes from the input.
    const { payload } = f;
    const stored = { payloadOffset: f.payloadOffset, payloadLength: f.payloadLength, masked: f.masked, maskingKey: f.maskingKey };
    for (let i = 0; i < f.payloadLength; i++) {
      assert.equal(unmaskedByte(stored, bytes, f.payloadOffset + i), payload[i], `frame ${f.index} byte ${i}`);
      assert.equal(unmaskedByte(f, bytes, f.payloadOffset + i), payload[i]);
    }
    assert.equal(unmaskedByte(stored, bytes, f.payloadOffset - 1), -1);
    assert.equal(unmaskedByte(stored, bytes, f.payloadOffset + f.payloadLength), -1);
    assert.deepEqual(payloadHead(stored, bytes, 5), payload.subarray(0, 5));
    assert.deepEqual(payloadHead(f, bytes, 5), payload.subarray(0, 5));
    // Masked again, the payload is the bytes as they crossed the wire.
    assert.deepEqual(maskedHead(f, f.payloadLength), new Uint8Array(bytes.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength)));
  }
  const first = r.frames[0];
  const withoutPayload = { payloadOffset: first.payloadOffset, payloadLength: first.payloadLength, masked: first.masked, maskingKey: first.maskingKey };
  assert.equal(new TextDecoder().decode(payloadHead(withoutPayload, bytes, 32)), "Hello");
  // One copy of the masking step in the page: every other module asks fields.js.
  const www = new URL("../../www/", import.meta.url);
  const xoring = readdirSync(www).filter((n) => n.endsWith(".js") && n !== "fields.js")
    .filter((n) => /maskingKey\s*\[/.test(readFileSync(new URL(n, www), "utf8")));
  assert.deepEqual(xoring, []);
});
