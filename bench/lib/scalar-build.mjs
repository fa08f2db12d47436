// The same package built without simd128, to show what simd128 buys: scripts/build.sh
// with SIMD=off into target/bench-scalar/ (its own cargo target folder, so the two builds
// do not evict each other), next to a copy of js/; imported as a second module.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export async function loadScalarBuild(repo, log) {
  const dir = join(repo, "target", "bench-scalar");
  mkdirSync(dir, { recursive: true });
  log("building the wasm without simd128 (scripts/build.sh with SIMD=off, once: about 90 s)");
  execFileSync("bash", ["scripts/build.sh"], {
    cwd: repo,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, SIMD: "off", OUT_DIR: join(dir, "pkg"), CARGO_TARGET_DIR: join(dir, "cargo") },
  });
  cpSync(join(repo, "js"), join(dir, "js"), { recursive: true });
  const { default: init, ...wsi } = await import(pathToFileURL(join(dir, "js", "node.js")).href);
  await init();
  return wsi;
}
