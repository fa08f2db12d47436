// Starts the native `wsinspect serve` (built with cargo if needed) on a free loopback port for
// a test, and stops it by its process id.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Builds the debug binary (a no-op when up to date) and returns its path. */
export function buildBinary() {
  const built = spawnSync("cargo", ["build", "--quiet", "--bin", "wsinspect"], { cwd: repo, stdio: "inherit" });
  if (built.status !== 0) throw new Error(`cargo build failed with ${built.status}`);
  return join(repo, "target", "debug", "wsinspect");
}

/** Resolves to { url, ws, port, pid, stop() } once the server prints its address (20 s at most). */
export function startServer(extraArgs = []) {
  const bin = buildBinary();
  const child = spawn(bin, ["serve", "--listen", "127.0.0.1:0", ...extraArgs], {
    cwd: repo, stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error("server did not start in 20 s")); }, 20_000);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/wsinspect: serving on (http:\/\/127\.0\.0\.1:(\d+)\/)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1], ws: `ws://127.0.0.1:${m[2]}`, port: Number(m[2]), pid: child.pid,
          stop: () => { try { process.kill(child.pid, "SIGTERM"); } catch { /* already gone */ } },
        });
      }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}`)); });
  });
}
