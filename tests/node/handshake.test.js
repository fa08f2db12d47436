// Keys, hixie-76 answers, handshakes and the encoder through the packed npm package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { usePackedPackage } from "../support/packed.js";
import { vectors, toHex } from "../support/vectors.js";

let installed, ws;
usePackedPackage((module, install) => {
  ws = module;
  installed = install;
});

const rfcRequest =
  "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\n" +
  "Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n";
const rfcResponse =
  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n";

test("every accept-key example", () => {
  for (const v of vectors.accept_keys) assert.equal(ws.acceptKey(v.key), v.accept, v.source);
});

test("every hixie-76 example, key3 as text and as bytes", () => {
  for (const v of vectors.hixie76) {
    const answer = ws.hixie76Answer(v.key1, v.key2, v.key3);
    assert.equal(Buffer.from(answer).toString("latin1"), v.answer, v.source);
    assert.deepEqual(ws.hixie76Answer(v.key1, v.key2, new TextEncoder().encode(v.key3)), answer);
  }
});

test("hixie-76 errors say which key and where", () => {
  assert.throws(() => ws.hixie76Answer("12345", "1 2", "12345678"), (e) => e.key === "key1" && /space/.test(e.message));
  assert.throws(() => ws.hixie76Answer("1 2", "1 2", "short"), (e) => e.key === "key3" && /8/.test(e.message));
  assert.throws(() => ws.hixie76Answer("1 2", "99999999999 1", "12345678"), (e) => e.key === "key2" && typeof e.offset === "number");
  const steps = ws.hixie76KeySteps(vectors.hixie76[0].key1);
  assert.equal(steps.number, steps.quotient * steps.spaces);
});

test("generated keys are valid", () => {
  const { key1, key2, key3 } = ws.hixie76GenerateKeys(42);
  assert.equal(ws.hixie76Answer(key1, key2, key3).length, 16);
  assert.equal(Buffer.from(ws.generateKey(7), "base64").length, 16);
  assert.notEqual(ws.generateKey(7), ws.generateKey(8));
});

test("the RFC 6455 §1.3 handshake passes every check, request and response", () => {
  const req = ws.parseHandshake(rfcRequest);
  assert.equal(req.kind, "request");
  assert.equal(req.generation, "rfc6455");
  assert.ok(req.checks.length > 5);
  assert.deepEqual(req.checks.filter((c) => !c.passed), []);
  const res = ws.parseHandshake(new TextEncoder().encode(rfcResponse));
  assert.equal(res.status, 101);
  assert.deepEqual(ws.checkHandshakePair(rfcRequest, rfcResponse).filter((c) => !c.passed), []);
});

test("a failed check names the header and its byte offset", () => {
  const bad = rfcRequest.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8");
  const failed = ws.parseHandshake(bad).checks.filter((c) => !c.passed);
  assert.equal(failed.length, 1);
  assert.equal(failed[0].id, "bad-version");
  assert.equal(failed[0].offset, bad.indexOf("Sec-WebSocket-Version"));
  const wrongAccept = rfcResponse.replace("s3pPLM", "x3pPLM");
  const mismatch = ws.checkHandshakePair(rfcRequest, wrongAccept).find((c) => c.id === "accept-mismatch");
  assert.equal(mismatch.passed, false);
  assert.match(mismatch.message, /s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
});

test("encodeFrame builds the RFC 6455 §5.7 and RFC 7692 examples", () => {
  assert.equal(toHex(ws.encodeFrame({ opcode: 1, payload: "Hello" })), "810548656c6c6f");
  assert.equal(
    toHex(ws.encodeFrame({ opcode: 1, payload: "Hello", maskingKey: Uint8Array.of(0x37, 0xfa, 0x21, 0x3d) })),
    "818537fa213d7f9f4d5158",
  );
  assert.equal(toHex(ws.encodeFrame({ opcode: 1, payload: "Hello", compress: true })), "c107f248cdc9c90700");
  assert.equal(toHex(ws.encodeFrame({ opcode: 2, payload: new Uint8Array(256) })).slice(0, 8), "827e0100");
  assert.equal(toHex(ws.encodeFrame({ opcode: 1, payload: "Hi", lengthEncoding: "16" })), "817e00024869");
  assert.throws(() => ws.encodeFrame({ opcode: 16 }), /opcode/);
  assert.throws(() => ws.encodeFrame({ opcode: 1, maskingKey: Uint8Array.of(1) }), /4 bytes/);
});

test("the pair's accept check carries the Sec-WebSocket-Accept the key calls for", () => {
  const pair = (response) => ws.checkHandshakePair(rfcRequest, response).find((c) => c.id === "accept-mismatch");
  // RFC 6455 §1.3: dGhlIHNhbXBsZSBub25jZQ== calls for s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
  const passed = pair(rfcResponse);
  assert.equal(passed.passed, true);
  assert.equal(passed.expected, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  const failed = pair(rfcResponse.replace("s3pPLMBi", "AAAAAAAA"));
  assert.equal(failed.passed, false);
  assert.equal(failed.expected, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  // Checks that work nothing out from the other head expect nothing.
  assert.ok(ws.parseHandshake(rfcRequest).checks.every((c) => c.expected === null));
});
