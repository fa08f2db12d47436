// One schema: the native CLI's `--json` and `--jsonl` name every field as the JS API does.
// Each input is decoded by the installed package and by the native binary
// (`cargo build --bin wsinspect`); the package's result, its bytes written as lowercase hex
// (the JSON's spelling), must equal the CLI's document member for member.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { usePackedPackage } from "../support/packed.js";
import { buildNative } from "../support/native.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const vectors = JSON.parse(readFileSync(join(repo, "..", "shared", "vectors", "spec-examples.json"), "utf8"));
let ws, native;

usePackedPackage((module) => {
  ws = module;
});
before(() => {
  native = buildNative();
});

/** A JS result as JSON spells it: every Uint8Array as lowercase hex. */
const asJson = (value) => JSON.parse(JSON.stringify(value, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v)));

/** Runs the native CLI on `input` (hex, given on stdin); its parsed stdout and status. */
function cli(args, input) {
  const r = spawnSync(native, args, { input, encoding: "utf8" });
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout };
}

/** The CLI flags and the package options for one case. */
function settings({ role = "auto", protocol = "auto", extensions, max }) {
  const args = ["--role", role, "--protocol", protocol];
  const options = { role, protocol, maxMessageSize: max ?? Infinity };
  if (extensions) {
    args.push("--extensions", extensions);
    options.extensions = extensions;
  }
  if (max !== undefined) args.push("--max-message", String(max));
  return { args, options };
}

const cases = [
  // The RFCs' examples; the two long ones get a payload of counting bytes after their header.
  ...vectors.frames.map((f) => ({
    name: f.name, role: f.role, extensions: f.extensions,
    hex: f.hex ?? f.hex_prefix + Buffer.from(Array.from({ length: f.payload_len }, (_, i) => i & 0xff)).toString("hex"),
  })),
  { name: "a reserved opcode after a text frame", hex: "810268698300", role: "server" },
  { name: "an unmasked client frame", hex: "81026869", role: "client" },
  { name: "bad UTF-8 and a close with a reason", hex: "8102c3288805 03e8 6279 65".replace(/ /g, ""), role: "server" },
  { name: "a message over the maximum", hex: "820a00010203040506070809", role: "server", max: 4 },
  { name: "role and protocol detected", hex: "818537fa213d7f9f4d5158" },
  { name: "a truncated tail", hex: "8105486578", role: "server" },
  { name: "hixie-76 frames", hex: "00486900ff00", protocol: "hixie-76" },
  { name: "a compressed message without the extension", hex: "c107f248cdc9c90700", role: "server" },
  // RFC 7692 §7.2.3.1's "Hello" in three frames with a ping between: every frame `compressed`.
  { name: "a fragmented compressed message", hex: "4102f248890121" + "0002cdc9" + "8003c90700", role: "server", extensions: "permessage-deflate" },
];

test("decode --json is the JS API's DecodeResult, field for field", () => {
  for (const c of cases) {
    const { args, options } = settings(c);
    const bytes = Buffer.from(c.hex, "hex");
    const expected = asJson(ws.decode(bytes, options));
    const { status, stdout } = cli(["decode", "--format", "hex", "--json", ...args], c.hex);
    const doc = JSON.parse(stdout);
    assert.deepEqual(doc.decoded, expected, c.name);
    assert.ok(doc.decoded.frames.every((f) => typeof f.compressed === "boolean"), c.name);
    assert.equal(status, expected.violations.length ? 1 : 0, c.name);
    assert.equal(doc.input.length, bytes.length);
    assert.equal(doc.framesStart, 0);
  }
});

test("decode --jsonl gives the same frames, messages, violations and notices, one a line", () => {
  for (const c of cases) {
    const { args, options } = settings(c);
    const expected = asJson(ws.decode(Buffer.from(c.hex, "hex"), options));
    const lines = cli(["decode", "--format", "hex", "--jsonl", ...args], c.hex).stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    const of = (type) => lines.filter((l) => l.type === type).map(({ type, ...rest }) => rest);
    assert.deepEqual(of("frame"), expected.frames, c.name);
    assert.deepEqual(of("message"), expected.messages, c.name);
    assert.deepEqual(of("violation"), expected.violations, c.name);
    assert.deepEqual(of("notice"), expected.notices, c.name);
    const end = lines.at(-1);
    assert.deepEqual([end.type, end.role, end.protocol, end.incomplete], ["end", expected.role, expected.protocol, expected.incomplete], c.name);
  }
});

test("a conversation's --json is the JS API's Conversation", () => {
  for (const name of ["any4.follow-raw.txt", "gap4.follow-raw.txt", "any4.tshark-x.txt"]) {
    const text = readFileSync(join(repo, "tests", "fixtures", "transcripts", name), "utf8");
    const expected = asJson(ws.decodeConversation(text, { maxMessageSize: Infinity }));
    const doc = JSON.parse(cli(["decode", "--json"], text).stdout);
    for (const key of Object.keys(expected)) {
      if (key === "streams") continue; // the page's hex view; the CLI prints no byte dump
      assert.deepEqual(doc[key], expected[key], `${name}: ${key}`);
    }
  }
});

test("handshake --json checks are the JS API's checks", () => {
  const request = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n";
  const doc = JSON.parse(spawnSync(native, ["handshake", "--json"], { input: request + response, encoding: "utf8" }).stdout);
  // The first head is parsed from the whole input, so its `trailing` is the response.
  assert.deepEqual(doc.handshake, asJson(ws.parseHandshake(request + response)));
  assert.deepEqual(doc.response.handshake, asJson(ws.parseHandshake(response)));
  assert.deepEqual(doc.pairChecks, asJson(ws.checkHandshakePair(request, response)));
  assert.equal(doc.pairChecks.find((c) => c.id === "accept-mismatch").expected, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.equal(doc.passed, false);
});
