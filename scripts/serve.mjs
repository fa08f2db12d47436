// A small static server for the inspector page until the native `wsinspect serve` lands:
// www/ at /, the package's js/ and pkg/ at /js/ and /pkg/. Loopback only.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const mounts = [["/js/", "js"], ["/pkg/", "pkg"], ["/", "www"]];
const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png",
  ".svg": "image/svg+xml", ".ts": "text/plain; charset=utf-8",
};
const port = Number(process.env.PORT ?? 8080);

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const [prefix, dir] = mounts.find(([p]) => path.startsWith(p));
  let file = normalize(join(root, dir, path.slice(prefix.length)));
  if (!file.startsWith(join(root, dir))) return void res.writeHead(403).end("forbidden");
  if (path.endsWith("/")) file = join(file, "index.html");
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      "content-type": types[extname(file)] ?? "application/octet-stream",
      "content-security-policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:",
      "cache-control": "no-store",
    });
    res.end(body);
  } catch {
    res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}`);
  }
});
server.listen(port, "127.0.0.1", () => console.log(`wsinspect: serving on http://127.0.0.1:${server.address().port}/`));
