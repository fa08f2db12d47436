// Spawns the WebSocket peers of the recorded conversations (tests/interop/*_peer.*), each
// bounded in time and stopped by its process id.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../..", import.meta.url));

/** The Python that has PyPI websockets (WSINSPECT_PYTHON, a .venv of the repo, or python3). */
export function python() {
  const candidates = [process.env.WSINSPECT_PYTHON, join(repo, ".venv", "bin", "python")].filter(Boolean);
  return candidates.find((p) => existsSync(p)) ?? "python3";
}

/**
 * Starts a peer. Returns { pid, port: Promise<number> (a server's "listening N" line),
 * done: Promise (exit 0, else rejects with its output), stop() }. Each promise rejects after
 * `timeout` ms; stop() kills the process if it still runs.
 */
export function spawnPeer(cmd, args, { timeout = 25_000 } = {}) {
  const child = spawn(cmd, args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => { output += d; });
  child.stderr.on("data", (d) => { output += d; });
  const exit = new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  const bounded = (promise, what) => {
    let timer;
    return Promise.race([
      promise,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${cmd} ${args[0]}: no ${what} in ${timeout} ms\n${output}`)), timeout); }),
    ]).finally(() => clearTimeout(timer));
  };
  const port = bounded(new Promise((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = output.match(/^listening (\d+)$/m);
      if (m) resolve(Number(m[1]));
    });
    exit.then(({ code, signal }) => reject(new Error(`${cmd} ${args[0]} exited (${code ?? signal}) before listening\n${output}`)));
  }), "listening line");
  port.catch(() => {}); // a client never listens: only a caller that asks sees the rejection
  const done = bounded(exit.then(({ code, signal }) => {
    if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited (${code ?? signal})\n${output}`);
  }), "exit");
  return {
    pid: child.pid,
    port,
    done,
    output: () => output,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) {
        try { process.kill(child.pid, "SIGKILL"); } catch { /* already gone */ }
      }
    },
  };
}

/** A peer's log: { peer, role, extensions, events: [{ dir, type, text | hex, code, reason }] }. */
export function readLog(file) {
  const log = JSON.parse(readFileSync(file, "utf8"));
  if (log.error) throw new Error(`${log.peer} ${log.role}: ${log.error}`);
  return log;
}
