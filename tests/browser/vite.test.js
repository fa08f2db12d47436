// A Vite build of a tiny project that imports the packed package; its built page decodes
// a frame in headless Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile, writeFile } from "node:fs/promises";
import { join, extname, normalize } from "node:path";
import { build } from "vite";
import { installPacked } from "../support/packed.js";
import { launchBrowser, openPage } from "../support/browser.js";

let installed, browser, server;
before(async () => {
  installed = installPacked();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.close();
  installed?.cleanup();
});

test("a Vite project that imports wsinspect builds, and its page decodes a frame", async () => {
  const root = installed.dir;
  await writeFile(join(root, "index.html"),
    '<!doctype html><meta charset="utf-8"><title>vite smoke</title><link rel="icon" href="data:,"><p id="out">…</p><script type="module" src="./main.js"></script>');
  await writeFile(join(root, "main.js"), `
import init, { decode } from "wsinspect";
await init();
const r = decode(new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]));
document.getElementById("out").textContent = r.frames[0].kind + ":" + r.messages[0].text;
`);
  await build({ root, logLevel: "error", build: { outDir: join(root, "dist"), emptyOutDir: true } });
  const dist = join(root, "dist");
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
  server = createServer(async (req, res) => {
    const file = normalize(join(dist, req.url === "/" ? "index.html" : req.url.slice(1)));
    if (!file.startsWith(dist)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { page, errors } = await openPage(browser, `http://127.0.0.1:${server.address().port}/`);
  await page.locator("#out").filter({ hasText: "text:Hello" }).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
});
