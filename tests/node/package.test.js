// The npm package used as a user would: packed, installed into a temporary folder, imported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { usePackedPackage } from "../support/packed.js";

let installed, ws;
usePackedPackage((module, install) => {
  ws = module;
  installed = install;
});

test("the tarball holds the glue, the wasm and the declarations only", () => {
  const cli = ["js/cli.js", "js/cli-io.js", "pkg/cli/wsinspect_cli.js", "pkg/cli/wsinspect_cli_bg.wasm"];
  for (const f of ["js/index.js", "js/node.js", "js/index.d.ts", "pkg/wsinspect.js", "pkg/wsinspect_bg.wasm", ...cli]) {
    assert.ok(installed.files.includes(f), `${f} missing from ${installed.files.join(", ")}`);
  }
  assert.ok(!installed.files.some((f) => f.startsWith("src/") || f.startsWith("tests/")));
});

test("init() can be called again", async () => {
  await ws.default();
});

test("acceptKey gives the RFC 6455 §1.3 example", () => {
  assert.equal(ws.acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

test("the declarations name every runtime export and contain no `any`", async () => {
  const { readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const dts = await readFile(join(installed.dir, "node_modules/wsinspect/js/index.d.ts"), "utf8");
  assert.doesNotMatch(dts.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""), /\bany\b/);
  const declared = new Set([...dts.matchAll(/export (?:default )?(?:function|class|const) (\w+)/g)].map((m) => m[1]));
  for (const name of Object.keys(ws)) {
    if (name !== "default") assert.ok(declared.has(name), `${name} is exported but not declared`);
  }
  assert.ok(declared.has("init"));
});

// The decoding module's budget: the wasm and its JS glue (with the inline snippets),
// gzipped, at most 100 KB. Conversations (both directions, their heads and the text forms
// people copy) are a second module, loaded on first use: with them the one module was 135 KB.
test("the packed wasm and its glue, gzipped, are at most 100 KB", async () => {
  const { readFile, readdir } = await import("node:fs/promises");
  const { gzipSync } = await import("node:zlib");
  const { join } = await import("node:path");
  const pkg = join(installed.dir, "node_modules/wsinspect/pkg");
  const files = ["wsinspect_bg.wasm", "wsinspect.js"];
  for (const entry of await readdir(join(pkg, "snippets"), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(join("snippets", entry.parentPath.slice(join(pkg, "snippets").length), entry.name));
  }
  let gzipped = 0;
  for (const file of files) gzipped += gzipSync(await readFile(join(pkg, file)), { level: 9 }).length;
  assert.ok(files.length >= 3, `only ${files.join(", ")}`);
  assert.ok(gzipped <= 100_000, `the module is ${gzipped} bytes gzipped (${files.join(", ")})`);
});

// The conversation module is the whole core with conversations and captures; it ships
// beside the first and loads on first use. Captures took it from 121 KB to 195 KB: the pcap
// and pcapng reader (pcap-parser, 13.5 KB), the HAR reader (serde_json, 18 KB), TCP
// reassembly, the capture driver and the pcapng writer. Decrypting wss:// captures (issue 17)
// took it to 234 KB: before wasm-opt, tls-parser is 21 KB of code and its nom 7 10 KB (the
// hellos), sha2 15 KB (SHA-384 for the *_SHA384 suites), aes 8 KB, polyval, chacha20 and
// poly1305 6 KB, hmac and hkdf 4 KB, the record layer and key log reader 15 KB. Inflating
// with zlib-rs instead of miniz_oxide (issue 12's capture speed; the decoding module keeps
// miniz_oxide) took it to 252 KB. Building it at opt-level 3 for the capture's speed
// (Cargo.toml's wasm-fast profile: 12% less time reading the bench capture in Node) took it
// to 286 KB.
test("the conversation module is packed, and gzipped is at most 300 KB", async () => {
  const { readFile } = await import("node:fs/promises");
  const { gzipSync } = await import("node:zlib");
  const { join } = await import("node:path");
  const dir = join(installed.dir, "node_modules/wsinspect/pkg/conversation");
  let gzipped = 0;
  for (const file of ["wsinspect_conversation_bg.wasm", "wsinspect_conversation.js"]) {
    gzipped += gzipSync(await readFile(join(dir, file)), { level: 9 }).length;
  }
  assert.ok(gzipped > 50_000 && gzipped <= 300_000, `the conversation module is ${gzipped} bytes gzipped`);
});

// Without the conversation module, its calls say what to do; parseBytes reads one direction.
test("decodeConversation before initConversations says to call it; after, it decodes", async () => {
  const { execFileSync } = await import("node:child_process");
  const { join } = await import("node:path");
  const { writeFileSync } = await import("node:fs");
  const file = join(installed.dir, "before-init.mjs");
  writeFileSync(
    file,
    `import { readFileSync } from "node:fs";
import { initSync, decodeConversation, ConversationDecoder, initConversations, parseBytes } from "wsinspect";
initSync({ module: readFileSync(new URL("../pkg/wsinspect_bg.wasm", import.meta.resolve("wsinspect"))) });
console.log(Buffer.from(parseBytes("81 05 48 65 6c 6c 6f").bytes).toString("hex"), Buffer.from(parseBytes("世界".repeat(99), "escaped").bytes).length);
for (const call of [() => decodeConversation("81 05 48 65 6c 6c 6f"), () => new ConversationDecoder()]) {
  try { call(); console.log("no error"); } catch (e) { console.log(e.message); }
}
await initConversations();
console.log(decodeConversation("81 05 48 65 6c 6c 6f").messages[0].text);
`,
  );
  const out = execFileSync(process.execPath, [file], { cwd: installed.dir, encoding: "utf8" }).trimEnd().split("\n");
  assert.equal(out.length, 4, out.join("\n"));
  assert.equal(out[0], "810548656c6c6f 594", "the decoding module's parseBytes (one direction), ASCII and wide text");
  assert.match(out[1], /^decodeConversation needs the conversation module: call `await initConversations\(\)` first/);
  assert.match(out[2], /^ConversationDecoder needs the conversation module/);
  assert.equal(out[3], "Hello");
});
