// `npx wsinspect` is the native command line: the packed package's bin (js/cli.js, the CLI
// compiled to wasm) and the native binary (`cargo build --bin wsinspect`) run on the same
// inputs and arguments must write the same stdout and stderr, byte for byte, and exit with
// the same status. Each case also names the status it exists to exercise, and the RFCs'
// own answers are checked where they have one, so a case cannot pass by both sides
// failing the same way.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { usePackedPackage } from "../support/packed.js";
import { buildNative } from "../support/native.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const vectors = JSON.parse(readFileSync(join(repo, "..", "shared", "vectors", "spec-examples.json"), "utf8"));
const transcripts = join(repo, "tests", "fixtures", "transcripts");
const work = mkdtempSync(join(tmpdir(), "wsinspect-npx-"));
after(() => rmSync(work, { recursive: true, force: true }));

let native, consumer, bin;
usePackedPackage((_, installed) => {
  consumer = installed.dir;
  bin = join(consumer, "node_modules", ".bin", "wsinspect");
});
before(() => {
  native = buildNative();
});

/** A file in the scratch folder holding `bytes`; its path. */
function file(name, bytes) {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

const run = (command, args, input) => {
  const r = spawnSync(command, args, { input: input ?? "", cwd: work, maxBuffer: 64 << 20 });
  assert.equal(r.error, undefined, `${command}: ${r.error}`);
  return { status: r.status, stdout: r.stdout.toString("latin1"), stderr: r.stderr.toString("latin1") };
};

/** Runs both; asserts they agree and that the status is the one the case is about. */
function same(name, args, { input, status }) {
  const n = run(native, args, input);
  const p = run(bin, args, input);
  assert.equal(p.stdout, n.stdout, `${name}: stdout`);
  assert.equal(p.stderr, n.stderr, `${name}: stderr`);
  assert.equal(p.status, n.status, `${name}: status`);
  assert.equal(n.status, status, `${name}: status (stderr: ${n.stderr})`);
  return n;
}

const hello = vectors.frames.find((f) => f.name === "single-frame masked text");
const unmasked = vectors.frames.find((f) => f.name === "single-frame unmasked text");
const deflated = vectors.frames.find((f) => f.extensions === "permessage-deflate" && f.role === "server" && f.hex);

test("decode: the table, --json and --jsonl of stdin and of files, with and without flags", () => {
  const hexFile = file("hello.hex", hello.hex);
  const rawFile = file("hello.bin", Buffer.from(hello.hex, "hex"));
  const out = same("table from stdin", ["decode"], { input: hello.hex, status: 0 });
  assert.match(out.stdout, /"Hello"/);
  same("table from a file", ["decode", hexFile], { status: 0 });
  same("json from a file", ["decode", hexFile, "--json"], { status: 0 });
  same("jsonl from stdin", ["decode", "-", "--jsonl"], { input: hello.hex, status: 0 });
  same("raw bytes", ["decode", "--format", "raw", rawFile], { status: 0 });
  same("raw bytes, auto", ["decode", rawFile, "--json"], { status: 0 });
  same("base64", ["decode", "--format", "base64"], { input: Buffer.from(hello.hex, "hex").toString("base64"), status: 0 });
  assert.ok(deflated, "an RFC 7692 example");
  for (const form of [[], ["--json"], ["--jsonl"]]) {
    same(`permessage-deflate ${form}`, ["decode", "--role", "server", "--extensions", "permessage-deflate", ...form], { input: deflated.hex, status: 0 });
  }
  same("hixie-76 frames", ["decode", "--protocol", "hixie-76", "--format", "hex"], { input: "00486900ff00", status: 0 });
  same("a truncated tail", ["decode", "--role", "server"], { input: "8105486578", status: 0 });
  same("empty input", ["decode"], { input: "", status: 0 });
});

test("decode: a conversation, from Follow TCP Stream text, a packet dump and one direction with its head", () => {
  // Recorded between conforming peers (tests/fixtures/transcripts/record_peers.py): no rule
  // broken, status 0; gap4 lost a segment, which is a gap, not a violation.
  for (const name of ["any4.follow-raw.txt", "gap4.follow-raw.txt", "any4.tshark-x.txt", "lo4.tcpdump-xx.txt"]) {
    const path = join(transcripts, name);
    for (const form of [[], ["--json"], ["--jsonl"]]) {
      const { stdout } = same(`${name} ${form}`, ["decode", path, ...form], { status: 0 });
      assert.ok(stdout.length > 200, `${name}: ${stdout}`);
    }
  }
  const request = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const withHead = (hex) => Buffer.concat([Buffer.from(request), Buffer.from(hex, "hex")]);
  same("one direction with its head", ["decode", "--format", "raw"], { input: withHead(hello.hex), status: 0 });
  // RFC 6455 §5.2: opcode 0x3 is reserved; a masked client frame with an empty payload.
  for (const form of [[], ["--json"]]) {
    same(`one direction with a reserved opcode ${form}`, ["decode", ...form], { input: withHead("838011223344"), status: 1 });
  }
});

test("decode: rules broken exit 1, unreadable input exits 2, with the same messages", () => {
  // RFC 6455 §5.2: opcode 0x3 is reserved.
  const broken = same("a reserved opcode", ["decode", "--role", "server"], { input: "810268698300", status: 1 });
  assert.match(broken.stdout, /reserved-opcode/);
  same("a reserved opcode, json", ["decode", "--json", "--role", "server"], { input: "810268698300", status: 1 });
  same("an unmasked client frame, jsonl", ["decode", "--jsonl", "--role", "client"], { input: "81026869", status: 1 });
  same("a message over --max-message", ["decode", "--role", "server", "--max-message", "3"], { input: unmasked.hex, status: 1 });
  const missing = same("a missing file", ["decode", join(work, "no-such-file")], { status: 2 });
  assert.match(missing.stderr, /cannot read .*no-such-file/);
  same("a directory", ["decode", work], { status: 2 });
  same("not hex", ["decode", "--format", "hex"], { input: "81 0g", status: 2 });
  same("not text", ["decode", "--format", "hex"], { input: Buffer.from([0xff, 0x81]), status: 2 });
  same("a bad --extensions value", ["decode", "--extensions", "permessage-deflate; server_max_window_bits=99"], { input: hello.hex, status: 2 });
});

test("accept, hixie76 and handshake print the same, with the RFCs' answers", () => {
  const [rfc] = vectors.accept_keys;
  const accept = same("accept", ["accept", rfc.key], { status: 0 });
  assert.equal(accept.stdout, `${rfc.accept}\n`);
  const note = same("accept of a short key", ["accept", "c2hvcnQ="], { status: 0 });
  assert.match(note.stderr, /not the base64 of 16 bytes/);
  const [draft] = vectors.hixie76;
  const hixie = same("hixie76", ["hixie76", draft.key1, draft.key2, draft.key3], { status: 0 });
  assert.ok(hixie.stdout.includes(`answer as text: ${draft.answer}`), hixie.stdout);
  same("hixie76 --json", ["hixie76", "--json", draft.key1, draft.key2, draft.key3], { status: 0 });
  same("hixie76 with a key without spaces", ["hixie76", "123", draft.key2, draft.key3], { status: 1 });
  same("hixie76 with an unreadable key3", ["hixie76", "--key3-format", "hex", draft.key1, draft.key2, "zz"], { status: 2 });
  const request = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${rfc.accept}\r\n\r\n`;
  same("handshake", ["handshake"], { input: request + response, status: 0 });
  same("handshake --json", ["handshake", "--json", file("pair.txt", request + response)], { status: 0 });
  same("a handshake with a wrong accept", ["handshake"], { input: request + response.replace(rfc.accept, "wrong"), status: 1 });
  same("a handshake from a missing file", ["handshake", join(work, "none")], { status: 2 });
});

test("help, version and usage errors are clap's, on the same stream with the same status", () => {
  const help = same("--help", ["--help"], { status: 0 });
  assert.match(help.stdout, /decode/);
  for (const command of ["decode", "accept", "hixie76", "handshake", "serve"]) {
    same(`${command} --help`, [command, "--help"], { status: 0 });
  }
  const version = same("--version", ["--version"], { status: 0 });
  assert.equal(version.stdout, `wsinspect ${JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).version}\n`);
  same("no subcommand", [], { status: 2 });
  same("an unknown subcommand", ["decoed"], { status: 2 });
  same("a missing argument", ["accept"], { status: 2 });
  same("--json with --jsonl", ["decode", "--json", "--jsonl"], { status: 2 });
  same("a bad --role", ["decode", "--role", "both"], { status: 2 });
  same("a bad serve flag", ["serve", "--listen", "nowhere"], { status: 2 });
});

test("a reader that goes away ends both with 141", () => {
  const many = file("many.hex", "8100".repeat(200_000));
  for (const command of [native, bin]) {
    const r = spawnSync("bash", ["-c", `"$0" decode "$1" | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`, command, many], { encoding: "utf8" });
    assert.equal(r.stdout.trim(), "141", `${command}: ${r.stderr}`);
  }
});

test("serve under npx says it needs the native binary, with status 2", () => {
  const r = run(bin, ["serve"]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^wsinspect serve: the server needs the native binary/);
});

test("proxy under npx says it needs the native binary, with status 2", () => {
  const r = run(bin, ["proxy", "--upstream", "ws://127.0.0.1:9/"]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^wsinspect proxy: the proxy needs the native binary/);
});

test("npx finds the package's bin", () => {
  const [rfc] = vectors.accept_keys;
  const r = spawnSync("npx", ["--no", "wsinspect", "accept", rfc.key], { cwd: consumer, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${rfc.accept}\n`);
});
