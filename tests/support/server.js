// Starts the page server on a free loopback port for a test, and stops it by its process id.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Resolves to { url, pid, stop() } once the server prints its address (10 s at most). */
export function startServer() {
  const child = spawn(process.execPath, ["scripts/serve.mjs"], {
    cwd: repo, env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error("server did not start in 10 s")); }, 10_000);
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
