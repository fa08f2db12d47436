// `npm run bench -- --browser`: the same workloads and sampler in headless Chromium
// (Debian's chromium through playwright-core), inputs served by this process.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { median } from "./lib/sampler.mjs";

const TYPES = { ".css": "text/css", ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
// Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp", "cache-control": "no-store" };

/** Input objects travel as JSON with each Uint8Array replaced by { $bin: n }, fetched apart. */
function serialize(input) {
  const blobs = [];
  const json = JSON.stringify(input, (k, v) => {
    if (v instanceof Uint8Array) {
      blobs.push(v);
      return { $bin: blobs.length - 1 };
    }
    return v;
  });
  return { json, blobs };
}

function serve(repo, inputs, capture) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (capture && path === "/inputs/capture-file") {
      res.writeHead(200, { ...ISOLATION, "content-type": "application/octet-stream", "content-length": capture.bytes });
      return void createReadStream(capture.path).pipe(res);
    }
    const m = path.match(/^\/inputs\/([\w-]+)(?:\/(\d+))?$/);
    if (m) {
      const input = inputs.get(m[1]);
      if (!input) return void res.writeHead(404, ISOLATION).end();
      if (m[2] === undefined) return void res.writeHead(200, { ...ISOLATION, "content-type": "application/json" }).end(input.json);
      return void res.writeHead(200, { ...ISOLATION, "content-type": "application/octet-stream" }).end(input.blobs[Number(m[2])]);
    }
    // The inspector page itself is served at the root, as `wsinspect serve` serves it.
    let top = path.split("/")[1];
    let file = normalize(join(repo, path));
    if (!["bench", "js", "pkg"].includes(top)) {
      top = "www";
      file = normalize(join(repo, "www", path === "/" ? "index.html" : path));
    }
    if (!file.startsWith(join(repo, top))) return void res.writeHead(403, ISOLATION).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...ISOLATION, "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404, ISOLATION).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export async function launch() {
  const executablePath = execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  return chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic", "--js-flags=--max-old-space-size=4096"],
  });
}

/** 10 MB of hex text: frames of 1 to 200 bytes (RFC 6455 §5.2, unmasked), as continuous hex. */
function pasteText() {
  const parts = [];
  let size = 0, seed = 7;
  while (size < 5_000_000) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const n = 1 + (seed % 200);
    const frame = Buffer.alloc(2 + n, 0x61 + (seed % 26));
    frame[0] = 0x81;
    frame[1] = n < 126 ? n : 126;
    const body = n < 126 ? frame : Buffer.concat([Buffer.from([0x81, 126, 0, n]), frame.subarray(2)]);
    parts.push(body);
    size += body.length;
  }
  return Buffer.concat(parts).toString("hex");
}

/**
 * The page as a user meets it: 10 MB of hex pasted into the Decode panel (a paste event
 * carrying the text, as the browser fires it; the page holds a large paste apart from the
 * text box and decodes it) to the first frame rows on screen; the median of 5 fresh pages.
 */
async function pasteToRows(browser, base) {
  const text = pasteText();
  const ms = [];
  for (let i = 0; i < 5; i++) {
    const page = await browser.newPage();
    await page.goto(base);
    await page.waitForSelector("[data-testid=decode-form]");
    ms.push(await page.evaluate(async (text) => {
      const q = (id) => document.querySelector(`[data-testid="${id}"]`);
      document.querySelector('[data-panel="decode"], [data-testid="tab-decode"]')?.click();
      const start = performance.now();
      const clipboardData = new DataTransfer();
      clipboardData.setData("text/plain", text);
      q("decode-input").dispatchEvent(new ClipboardEvent("paste", { clipboardData, bubbles: true, cancelable: true }));
      await new Promise((resolve) => {
        const look = () => (document.querySelector("[data-testid=frame-row]") ? resolve() : requestAnimationFrame(look));
        look();
      });
      return performance.now() - start;
    }, text));
    await page.close();
  }
  return { name: `page: ${(text.length / 1e6).toFixed(0)} MB hex paste to first rows shown (target < 1000 ms)`, ms: median(ms), own: median(ms) };
}

/** Cold start in a fresh browser context each time (empty cache): page start to first frame. */
async function coldStart(browser, base, rounds = 7) {
  const pages = [["blank page", "bench/browser/blank.html"], ["wsinspect: import, init(), decode one frame", "bench/browser/cold.html"]];
  const samples = pages.map(() => ({ ms: [], own: [] }));
  for (let r = 0; r < rounds; r++) {
    for (const [i, [, path]] of pages.entries()) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(base + path);
      const out = await page.waitForFunction(() => window.__cold).then((h) => h.jsonValue());
      await context.close();
      if (out.error) throw new Error(`cold start: ${out.error}`);
      samples[i].ms.push(out.ms);
      samples[i].own.push(out.own);
    }
  }
  return pages.map(([name], i) => ({ name, ms: median(samples[i].ms), own: median(samples[i].own) }));
}

/**
 * Issue 12's page figure: the ~100 MB capture (fetched into a File first, untimed) dropped
 * on the Decode panel, as a user drops it; the time to the first conversation row on screen
 * and to the read's end (status "done", every conversation listed). Median of 3 fresh pages.
 */
async function dropCapture(browser, base, capture, log) {
  const first = [], all = [];
  let rows = 0;
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(base);
      await page.waitForSelector("[data-testid=drop-zone]", { state: "attached" });
      await page.evaluate(() => document.querySelector('[data-testid="tab-decode"]')?.click());
      const out = await page.evaluate(async (timeoutMs) => {
        const blob = await (await fetch("/inputs/capture-file")).blob();
        const file = new File([blob], "bench.pcap");
        const q = (sel) => document.querySelector(sel);
        const dt = new DataTransfer();
        dt.items.add(file);
        const start = performance.now();
        q("[data-testid=drop-zone]").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
        let firstMs = null;
        let doneAt = null;
        return await new Promise((resolve) => {
          const look = () => {
            const now = performance.now();
            if (firstMs === null && q("[data-testid=capture-row]")) firstMs = now - start;
            const phase = q("[data-testid=decode-status]")?.dataset.phase;
            // "All listed": the read done and no row still waiting for its decode (the table
            // may mark the last rows decoded a frame after the status says done).
            const waiting = document.querySelectorAll("[data-testid=capture-row][data-decoded=false]").length;
            if (phase === "done" && doneAt === null) doneAt = now;
            if ((phase === "done" && (waiting === 0 || now - doneAt > 5000)) || phase === "error" || now - start > timeoutMs) {
              return resolve({
                firstMs, allMs: now - start, statusDoneMs: doneAt - start, phase, status: q("[data-testid=decode-status]")?.textContent ?? "",
                rows: document.querySelectorAll("[data-testid=capture-row]").length,
                undecoded: document.querySelectorAll("[data-testid=capture-row][data-decoded=false]").length,
              });
            }
            requestAnimationFrame(look);
          };
          look();
        });
      }, 120_000);
      if (out.phase !== "done") throw new Error(`the page's read of the capture: ${out.phase ?? "no status"} after ${out.allMs.toFixed(0)} ms: ${out.status}${errors.length ? `; page errors: ${errors.join("; ")}` : ""}`);
      if (out.undecoded) throw new Error(`the page listed ${out.undecoded} conversations still undecoded 5 s after its status said done`);
      log(`  page capture ${i + 1}: first row ${out.firstMs?.toFixed(0)} ms, status done ${out.statusDoneMs.toFixed(0)} ms, all rows decoded ${out.allMs.toFixed(0)} ms, ${out.rows} rows; ${out.status}`);
      first.push(out.firstMs ?? out.allMs);
      all.push(out.allMs);
      rows = out.rows;
    } finally {
      await page.close();
    }
  }
  return {
    firstMs: median(first), allMs: median(all), rows,
    note: `A fresh page each time (median of 3); the file (${(capture.bytes / 1e6).toFixed(1)} MB, the capture rows' file) is fetched into a File first, untimed, then dropped on the drop zone; times from the drop event to the first \`capture-row\` on screen, and to the status's \`done\` phase with all ${rows} rows listed and none still marked undecoded (checked every animation frame).`,
  };
}

export async function runBrowser({ repo, workloads, log, onRow, capture = null }) {
  const inputs = new Map();
  const server = await serve(repo, inputs, capture);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => (m.type() === "error" ? errors.push(m.text()) : log(`  page: ${m.text()}`)));
    await page.goto(base + "bench/browser/page.html");
    await page.waitForFunction(() => window.benchReady || window.benchError);
    const pageError = await page.evaluate(() => window.benchError);
    if (pageError) throw new Error(`bench page: ${pageError}`);
    const stub = { kind: "browser", browser: true, wsi: null, view: (u8) => u8 };
    for (const w of workloads) {
      log(`${w.id}: generating input`);
      const input = w.input();
      inputs.set(w.id, serialize(input));
      const rows = w.module.rows(input, stub);
      const results = await page.evaluate((id) => window.runWorkload(id), w.id).catch((e) => {
        throw new Error(`${w.id} in the browser: ${e.message}${errors.length ? `; page errors: ${errors.join("; ")}` : ""}`);
      });
      inputs.delete(w.id);
      for (const result of results) onRow(rows.find((r) => r.id === result.id), result);
    }
    log("cold start in fresh browser contexts");
    const cold = await coldStart(browser, base);
    log("the page: a 10 MB hex paste to the first rows");
    cold.push(await pasteToRows(browser, base));
    let capturePage = null;
    if (capture) {
      log("the page: the ~100 MB capture dropped, to the first conversation row and to all");
      capturePage = await dropCapture(browser, base, capture, log);
    }
    return { cold, capturePage, version: `Chromium ${browser.version()}` };
  } finally {
    await browser.close();
    server.close();
  }
}
