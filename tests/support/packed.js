// Installs the `npm pack` tarball of this repository into a temporary project, once per
// test process, and imports it the way a user would: `import init, {...} from "wsinspect"`.
import { execFileSync } from "node:child_process";
import { before, after } from "node:test";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Packs the repo, installs the tarball into a fresh folder; returns { dir, tarball, cleanup }. */
export function installPacked() {
  const dir = mkdtempSync(join(tmpdir(), "wsinspect-pack-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir, repo], {
    encoding: "utf8", stdio: ["ignore", "pipe", "ignore"],
  });
  const [{ filename, files }] = JSON.parse(out);
  const tarball = join(dir, filename);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", "--loglevel=error", tarball], {
    cwd: dir, stdio: "ignore",
  });
  return { dir, tarball, files: files.map((f) => f.path), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Imports the installed package by its name, resolved from the consumer folder. */
export async function importPacked(dir) {
  const { createRequire } = await import("node:module");
  const entry = createRequire(join(dir, "index.js")).resolve("wsinspect");
  return import(pathToFileURL(entry).href);
}

/**
 * Registers before/after hooks that install the packed package, import it, run init() and
 * hand the module and the install to `ready(ws, installed)`.
 */
export function usePackedPackage(ready) {
  let installed;
  before(async () => {
    installed = installPacked();
    const ws = await importPacked(installed.dir);
    await ws.default();
    ready(ws, installed);
  });
  after(() => installed?.cleanup());
}
