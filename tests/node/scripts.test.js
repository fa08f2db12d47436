// The test and setup scripts fail loudly and clean up after themselves: a mistyped layer name
// is an error (not a run of nothing that passes), and setup leaves no background install
// running when it stops early.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

test("LAYERS naming an unknown layer fails and names it, before running anything", () => {
  for (const layers of ["typo", "cargo-test typo"]) {
    const run = spawnSync("bash", ["scripts/test.sh"], {
      cwd: repo,
      env: { ...process.env, LAYERS: layers },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.notEqual(run.status, 0, `LAYERS="${layers}" exited 0`);
    assert.match(run.stderr, /unknown layer "typo"/);
    // Nothing ran: not even setup's first line.
    assert.doesNotMatch(run.stdout, /=== /);
  }
});

/** Whether a process still runs (a zombie, ended but not yet reaped, does not). */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

test("setup stopping early leaves none of its background cargo installs running", () => {
  // Stand-ins on PATH (setup puts $HOME/.cargo/bin first): rustup reports everything present,
  // wasm-bindgen and wasm-pack report other versions, `cargo install` records its pid and its child's and would run for a minute, and the
  // first later step that can fail does (npm ci, or pip when node_modules is current).
  const home = mkdtempSync(join(tmpdir(), "wsinspect-setup-"));
  const bin = join(home, ".cargo", "bin");
  const sysroot = join(home, "sysroot");
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(sysroot, "lib", "rustlib", "src", "rust", "library"), { recursive: true });
  const pids = join(home, "pids");
  const stub = (name, body) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub("rustup", `case "$*" in
  "target list --installed") echo wasm32-unknown-unknown ;;
  *"--print sysroot"*) echo "${sysroot}" ;;
esac`);
  // Installed, but not the pinned versions: both get installed.
  stub("wasm-bindgen", 'echo "wasm-bindgen 0.0.0"');
  stub("wasm-pack", 'echo "wasm-pack 0.0.0"');
  stub("cargo", `if [ "$1" = install ]; then
  sleep 60 & echo "$$ $!" >> "${pids}"; wait
fi`);
  // The failing step waits (10 s at most) until both installs have started, so the test sees
  // them whatever the scheduling.
  const failLate = `for _ in $(seq 100); do [ "$(wc -l < "${pids}" 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done\nexit 1`;
  for (const fail of ["npm", "python3", "apt-get", "debconf-set-selections"]) stub(fail, failLate);
  try {
    const run = spawnSync("bash", ["scripts/setup.sh"], {
      cwd: repo,
      env: { ...process.env, HOME: home },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.notEqual(run.status, 0, "setup was meant to fail early");
    assert.match(run.stdout, /installing wasm-bindgen-cli/);
    assert.ok(existsSync(pids), "the cargo install stand-ins ran");
    const started = readFileSync(pids, "utf8").trim().split(/\s+/).map(Number);
    assert.equal(started.length, 4, "two installs, each with a child");
    const running = started.filter(alive);
    for (const pid of running) process.kill(pid, "SIGKILL");
    assert.deepEqual(running, [], "processes left running after setup exited");
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
