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
  for (const f of ["js/index.js", "js/node.js", "js/index.d.ts", "pkg/wsinspect.js", "pkg/wsinspect_bg.wasm"]) {
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
  const declared = new Set([...dts.matchAll(/export (?:default )?(?:function|class) (\w+)/g)].map((m) => m[1]));
  for (const name of Object.keys(ws)) {
    if (name !== "default") assert.ok(declared.has(name), `${name} is exported but not declared`);
  }
  assert.ok(declared.has("init"));
});

// The decoding module's budget: the wasm and its JS glue (with the inline snippets),
// gzipped, at most 100 KB. It was 80 KB for the wasm alone until conversations (both
// directions, their heads and the text forms people copy) joined the one module.
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
