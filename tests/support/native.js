// The native `wsinspect` binary, built once per test process (`cargo build --bin wsinspect`,
// the debug profile, in this worktree's target directory or CARGO_TARGET_DIR).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Builds the native binary and returns its path. */
export function buildNative() {
  execFileSync("cargo", ["build", "--quiet", "--bin", "wsinspect"], { cwd: repo, stdio: "inherit" });
  return join(process.env.CARGO_TARGET_DIR ?? join(repo, "target"), "debug", "wsinspect");
}
