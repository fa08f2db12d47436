// Starts the native `wsinspect serve` on a free loopback port for a test, and stops it by
// its process id.
import { spawn, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Resolves to { url, pid, stop() } once the server prints its address (60 s at most, building
 * included). `root` holds the www/, js/ and pkg/ served (the repository unless given).
 */
export function startServer(extraArgs = [], { root = repo } = {}) {
  execFileSync("cargo", ["build", "--quiet", "--bin", "wsinspect"], { cwd: repo, stdio: "inherit" });
  const child = spawn(`${repo}target/debug/wsinspect`, ["serve", "--listen", "127.0.0.1:0", "--root", root, ...extraArgs], {
    cwd: repo, stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error("server did not start in 60 s")); }, 60_000);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], pid: child.pid, stop: () => process.kill(child.pid, "SIGTERM") });
      }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}`)); });
  });
}
