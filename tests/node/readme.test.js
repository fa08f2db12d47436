// The README's JavaScript examples, run against the packed package so they cannot go stale:
// each `// →` comment must equal what its line printed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { installPacked } from "../support/packed.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

let installed;
before(() => { installed = installPacked(); });
after(() => installed?.cleanup());

test("the README has an example for every exported function", async () => {
  const { importPacked } = await import("../support/packed.js");
  const names = Object.keys(await importPacked(installed.dir)).map((n) => (n === "default" ? "init" : n));
  assert.ok(names.length >= 15, `only ${names.length} exports`);
  for (const name of names) {
    // Functions and classes are called; constants (all capitals) are used.
    const use = /^[A-Z0-9_]+$/.test(name) ? `\\b${name}\\b` : `\\b${name}\\(|new ${name}\\b`;
    assert.ok(examples.some((e) => new RegExp(use).test(e)), `no README example uses ${name}`);
  }
});

for (const [i, code] of examples.entries()) {
  test(`README example ${i + 1} prints what its comments say`, () => {
    const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]);
    assert.ok(expected.length > 0, "an example without an expected output checks nothing");
    const file = join(installed.dir, `example-${i + 1}.mjs`);
    writeFileSync(file, code);
    const out = execFileSync(process.execPath, [file], { cwd: installed.dir, encoding: "utf8" });
    assert.deepEqual(out.trimEnd().split("\n"), expected);
  });
}
