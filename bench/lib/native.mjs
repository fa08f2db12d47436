// The native build of the same core (benches/native.rs), run on the same input bytes,
// which are written to target/bench-inputs/ for it.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Builds the bench binary (cargo bench --no-run) and returns its path. */
export function buildNative(repo) {
  const r = spawnSync("cargo", ["bench", "--bench", "native", "--no-run", "--message-format=json-render-diagnostics"], {
    cwd: repo,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`cargo bench --bench native --no-run failed (exit ${r.status}); see the compiler output above`);
  for (const line of r.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const m = JSON.parse(line);
    if (m.reason === "compiler-artifact" && m.target?.name === "native" && m.executable) return m.executable;
  }
  throw new Error("cargo bench --no-run did not report the native bench executable");
}

/**
 * Builds the release CLI the capture and proxy rows run (target/release/wsinspect), so they
 * time the code checked out, never a binary left from an earlier build.
 */
export function buildCli(repo) {
  const r = spawnSync("cargo", ["build", "--release", "--bin", "wsinspect"], { cwd: repo, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`cargo build --release failed (exit ${r.status}); see the compiler output above`);
}

export class Native {
  constructor(repo) {
    this.dir = join(repo, "target", "bench-inputs");
    mkdirSync(this.dir, { recursive: true });
    this.exe = buildNative(repo);
    this.written = new Set();
  }

  write(files = {}) {
    for (const [name, bytes] of Object.entries(files)) {
      if (this.written.has(name)) continue;
      writeFileSync(join(this.dir, name), bytes);
      this.written.add(name);
    }
  }

  /** Runs one native workload; returns { ms, callsPerSample, samples, digest } or { error }. */
  run(args, files) {
    this.write(files);
    const r = spawnSync(this.exe, args, { cwd: this.dir, encoding: "utf8", maxBuffer: 1 << 20 });
    if (r.status !== 0) return { error: (r.stderr || `exit ${r.status}`).trim().split("\n").slice(-3).join(" ") };
    try {
      return JSON.parse(r.stdout.trim().split("\n").pop());
    } catch {
      return { error: `unreadable output: ${r.stdout.slice(0, 200)}` };
    }
  }
}
