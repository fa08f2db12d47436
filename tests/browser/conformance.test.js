// Conformance (issue 18) in the browser: the page's Conformance panel runs the client-testing
// cases against headless Chromium's own WebSocket through `wsinspect serve`'s /conformance/,
// and the offline HTML report `wsinspect conformance client` writes (tested against an echo
// server on npm ws started here, and one that closes with a hostile reason).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { WebSocketServer } from "ws";
import { startServer } from "../support/server.js";
import { launchBrowser, openPage } from "../support/browser.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const HOSTILE = "<img src=x onerror=alert(1)>";
const VERDICTS = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"];

let server, browser, echo, dir;
before(async () => {
  mkdirSync("test-results", { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), "wsinspect-conformance-"));
  // An echo server nobody here wrote (npm ws); on /hostile it closes at once with a reason
  // that is markup.
  echo = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  echo.on("connection", (socket, request) => {
    // ws fails the connection on a broken frame (2.5's long ping) and reports it here.
    socket.on("error", () => {});
    if (request.url === "/hostile") return socket.close(1000, HOSTILE);
    socket.on("message", (data, binary) => socket.send(data, { binary }));
  });
  await new Promise((resolve) => echo.once("listening", resolve));
});
after(async () => {
  await browser?.close();
  server?.stop();
  await new Promise((resolve) => (echo ? echo.close(resolve) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Console errors a run is expected to log: Chromium reports each connection it fails itself. */
const unexpected = (errors) => errors.filter((e) => !/^WebSocket connection to '.*\/conformance\/runCase.*' failed/.test(e));

/** `wsinspect conformance client` (the binary startServer built) against the echo server. */
async function conformanceClient(path, report, args = []) {
  const url = `ws://127.0.0.1:${echo.address().port}${path}`;
  try {
    const { stdout } = await promisify(execFile)(`${repo}target/debug/wsinspect`,
      ["conformance", "client", url, "--report", report, ...args], { timeout: 120_000 });
    return { code: 0, stdout };
  } catch (error) {
    if (typeof error.code !== "number") throw error;
    return { code: error.code, stdout: error.stdout };
  }
}

test("the panel runs every client case on Chromium's WebSocket: a verdict row each, the well-known ones OK, a report with its frames", async () => {
  const cases = await (await fetch(`${server.url}conformance/cases`)).json();
  const ids = cases.map((c) => c.id);
  assert.ok(ids.includes("1.1.1") && ids.includes("2.2") && ids.includes("2.11"), ids.join());
  const { page, errors } = await openPage(browser, `${server.url}#p=conformance`);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
  await page.locator("[data-testid=panel-conformance][data-available=true]").waitFor({ timeout: 5000 });
  assert.match(await page.getByTestId("conf-note").textContent(), /needs this page served by\s+wsinspect serve/);
  assert.match(await page.getByTestId("conf-agent").inputValue(), /^Chrome\/\d+/);
  // Every group the server has is offered, ticked: groups 1 and 2 at least.
  const groups = await page.getByTestId("conf-group").evaluateAll((els) => els.map((e) => [e.dataset.group, e.checked]));
  assert.deepEqual(groups.map(([g]) => g), [...new Set(ids.map((id) => id.split(".")[0]))]);
  assert.ok(groups.every(([, on]) => on));
  assert.match(await page.getByTestId("conf-status").textContent(), new RegExp(`^${ids.length} cases selected`));
  // A pattern picks the cases instead of the groups.
  await page.getByTestId("conf-pattern").fill("2.1*, 1.1.1");
  assert.match(await page.getByTestId("conf-status").textContent(), /^4 cases selected/);
  // Groups 1 to 10, and two of the compression cases (all 216 of groups 12 and 13 would
  // take minutes on two shared cores).
  const picked = "1.*, 2.*, 3.*, 4.*, 5.*, 6.*, 7.*, 9.*, 10.*, 12.1.1, 13.1.1";
  await page.getByTestId("conf-pattern").fill(picked);
  const run = ids.filter((id) => picked.split(", ").some((p) => (p.endsWith("*") ? id.startsWith(p.slice(0, -1)) : id === p)));
  assert.match(await page.getByTestId("conf-status").textContent(), new RegExp(`^${run.length} cases selected`));

  const started = Date.now();
  await page.getByTestId("conf-run").click();
  await page.locator("[data-testid=conf-status][data-state=done]").waitFor({ timeout: 300_000 });
  const seconds = (Date.now() - started) / 1000;
  const rows = await page.getByTestId("conf-row").evaluateAll((els) => els.map((e) => ({
    id: e.dataset.case, behavior: e.dataset.behavior, close: e.dataset.behaviorClose, text: e.textContent,
  })));
  assert.deepEqual(rows.map((r) => r.id), run, "a row per case, in order");
  for (const r of rows) assert.ok(VERDICTS.includes(r.behavior), `${r.id}: ${r.behavior} (${r.text})`);
  const row = (id) => rows.find((r) => r.id === id);
  for (const id of ["1.1.1", "1.1.8", "1.2.6", "2.1", "2.2", "2.5", "2.10"]) {
    assert.equal(row(id).behavior, "OK", `${id}: ${row(id).text}`);
    assert.equal(row(id).close, "OK", `${id}: ${row(id).text}`);
  }
  // 2.5 (a ping of 126 bytes): Chromium fails the connection with 1002 and its page sees 1006.
  assert.equal(await page.locator("[data-testid=conf-row][data-case='2.5'] [data-testid=conf-remote-code]").textContent(), "1002");
  assert.match(await page.locator("[data-testid=conf-row][data-case='2.5'] [data-testid=conf-browser-saw]").textContent(), /^1006/);
  assert.match(await page.getByTestId("conf-summary").textContent(), new RegExp(`^${run.length} of ${run.length} cases run in [\\d.]+ s: \\d+ OK`));
  // Chromium negotiates permessage-deflate: the compression cases run, not UNIMPLEMENTED.
  assert.equal(row("12.1.1").behavior, "OK", row("12.1.1").text);
  assert.equal(row("13.1.1").behavior, "OK", row("13.1.1").text);
  console.log(`# ${run.length} cases on Chromium's WebSocket in ${seconds.toFixed(1)} s: ${await page.getByTestId("conf-summary").textContent()}`);

  // 2.2's report: the server's ping with its payload, the browser's pong with the same, masked.
  await page.locator("[data-testid=conf-open][data-case='2.2']").click();
  const report = page.getByTestId("conf-report");
  await report.locator("[data-testid=conf-conversation]:not([hidden])").waitFor({ timeout: 5000 });
  assert.equal(await report.getAttribute("data-case"), "2.2");
  assert.equal(await page.getByTestId("conf-report-behavior").textContent(), "OK");
  assert.equal(await page.getByTestId("conf-report-received").textContent(), '["pong","Hello, world!"]');
  const ping = report.locator("[data-testid=conv-frame][data-direction=server][data-kind=ping]");
  assert.equal(await ping.count(), 1);
  assert.equal(await ping.getByTestId("conv-frame-preview").textContent(), "Hello, world!");
  const pong = report.locator("[data-testid=conv-frame][data-direction=client][data-kind=pong]");
  assert.equal(await pong.count(), 1);
  assert.match(await pong.getByTestId("conv-frame-key").textContent(), /key [0-9a-f]{2}( [0-9a-f]{2}){3}/);
  assert.equal(await report.locator("[data-testid=conv-frame][data-kind=close]").count(), 2);
  assert.equal(await report.getByTestId("conv-violation").count(), 0);
  // "How does this browser handle a ping inside a fragmented message?" 5.6: it answers the
  // ping between the fragments, then echoes the whole message.
  await page.locator("[data-testid=conf-open][data-case='5.6']").click();
  await report.locator("[data-testid=conf-conversation]:not([hidden])").waitFor({ timeout: 5000 });
  await page.locator("[data-testid=conf-report][data-case='5.6']").waitFor();
  const timeline = await report.getByTestId("conv-frame").evaluateAll((els) => els.map((e) =>
    `${e.dataset.direction} ${e.dataset.kind} ${e.querySelector("[data-testid=conv-frame-preview]").textContent}`));
  assert.deepEqual(timeline.slice(0, 5), ["server text fragment1", "server ping ping payload", "server continuation fragment2",
    "client pong ping payload", "client text fragment1fragment2"]);
  // The screenshot for docs/: the verdicts and 5.6's report, its ping's bytes shown (the
  // window's height, not the whole page: the heads' checks follow below). Written to docs/
  // only when asked (UPDATE_SCREENSHOTS=1), as the other screenshot tests do.
  await report.locator("[data-testid=conv-frame][data-direction=server][data-kind=ping]").click();
  assert.match(await report.getByTestId("conv-hex").textContent(), /server → client frame #1: bytes \d+-\d+/);
  await page.locator("[data-testid=conf-row][data-case='5.6']").evaluate((row) => {
    const scroller = row.closest(".conf-results");
    scroller.scrollTop = row.offsetTop - scroller.clientHeight / 2;
  });
  await page.setViewportSize({ width: 1400, height: 1700 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: "test-results/conformance.png" });
  if (process.env.UPDATE_SCREENSHOTS === "1") await page.screenshot({ path: "docs/conformance.png" });

  // 2.5's report: the violation the browser was right to fail on, at its byte.
  await page.locator("[data-testid=conf-open][data-case='2.5']").click();
  await report.locator("[data-testid=conv-violation][data-id=control-frame-too-long]").waitFor({ timeout: 5000 });
  assert.equal(await report.getAttribute("data-case"), "2.5");

  // "Open in the inspector": the Decode panel gets the case's wire as Follow text and shows the same conversation.
  const href = await page.getByTestId("conf-open-inspector").getAttribute("href");
  assert.match(href, /^\/#p=decode&d\.in=/);
  const inspector = await browser.newPage();
  await inspector.goto(new URL(href, server.url).href);
  await inspector.locator("[data-testid=decode-status][data-phase=done]").waitFor({ timeout: 15_000 });
  assert.match(await inspector.getByTestId("decode-status").textContent(), /read as tshark follow.*2 directions.*1 violations/);
  assert.equal(await inspector.locator("[data-testid=conv-violation][data-id=control-frame-too-long]").count(), 1);
  await inspector.close();
  assert.deepEqual(unexpected(errors), []);
});

test("on a static host the panel says it needs wsinspect serve", async () => {
  const page = await browser.newPage();
  await page.route("**/conformance/**", (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "not found" }));
  await page.goto(`${server.url}#p=conformance`);
  await page.locator("[data-testid=panel-conformance][data-available=false]").waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId("conf-unavailable").isVisible(), true);
  assert.match(await page.getByTestId("conf-unavailable").textContent(), /not served by\s+wsinspect serve/);
  assert.equal(await page.getByTestId("conf-run").isDisabled(), true);
  await page.close();
});

test("the HTML report of `wsinspect conformance client`: an index linking every case page, each with its decoded frames and pcapng", async () => {
  const report = join(dir, "echo");
  const started = Date.now();
  // Every group, of group 9 (limits and performance, megabytes each) one message in one frame
  // and one in 4 Ki fragments, whose page has a row a frame.
  const run = await conformanceClient("/", report, ["--agent", "npm ws", "--cases", "1.*,2.*,3.*,4.*,5.*,6.*,7.*,9.1.1,9.3.1,10.*"]);
  assert.equal(run.code, 0, run.stdout);
  const index = JSON.parse(readFileSync(join(report, "index.json"), "utf8"))["npm ws"];
  const ids = Object.keys(index);
  assert.ok(ids.length >= 27 && ids.includes("9.3.1"), ids.join());
  console.log(`# ${ids.length} cases against npm ws and their reports in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(pathToFileURL(join(report, "index.html")).href);
  const cells = await page.getByTestId("report-cell").evaluateAll((els) => els.map((e) => ({
    id: e.dataset.case, behavior: e.dataset.behavior, href: e.querySelector("a")?.getAttribute("href"), cls: e.className,
  })));
  assert.deepEqual(cells.map((c) => c.id).sort(), [...ids].sort(), "a cell per case");
  const colour = { OK: "case-ok", "NON-STRICT": "case-nonstrict", INFORMATIONAL: "case-info", UNIMPLEMENTED: "case-unimplemented", FAILED: "case-failed" };
  for (const c of cells) {
    assert.equal(c.behavior, index[c.id].behavior);
    assert.equal(c.href, index[c.id].reportfile.replace(/\.json$/, ".html"));
    assert.ok(existsSync(join(report, c.href)), c.href);
    assert.ok(c.cls.split(" ").includes(colour[c.behavior]), `${c.id}: ${c.cls}`);
  }
  assert.match(await page.getByTestId("report-summary").textContent(), /1 Framing.*Case 1\.1\.1.*2 Pings\/Pongs/s);

  // Each case page: its verdict and the conversation decoded, every frame of the per-case
  // JSON's (both ways), its violations; its pcapng.
  const links = [];
  for (const c of cells) {
    // Read by Chromium's HTML parser in the index's page (a navigation each would take 100 ms;
    // the pages opened below are navigated to).
    const seen = await page.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      const one = (id) => doc.querySelector(`[data-testid=${id}]`);
      return {
        behavior: one("case-behavior").textContent,
        frames: [...doc.querySelectorAll("[data-testid=case-frame]")].map((e) => `${e.dataset.direction} ${e.dataset.kind}`),
        violations: doc.querySelectorAll("[data-testid=case-violation]").length,
        link: one("case-inspector")?.getAttribute("href") ?? null,
        tooLarge: one("case-inspector-too-large")?.textContent ?? null,
      };
    }, readFileSync(join(report, c.href), "utf8"));
    assert.ok(seen.behavior.startsWith(`${c.behavior} · `), c.id);
    const json = JSON.parse(readFileSync(join(report, index[c.id].reportfile), "utf8")).wsinspect;
    assert.deepEqual(seen.frames, json.frames.map((f) => `${f.direction} ${f.kind}`), c.id);
    // Both ways are there: whole frames, or (when the peer failed the connection while the
    // tester was still writing, as ws does on the first byte of 5.11's stray continuation) the
    // tester's frame cut short, which the conversation reports as its incomplete tail.
    for (const side of ["client", "server"]) {
      assert.ok(seen.frames.some((f) => f.startsWith(`${side} `)) || json.incomplete?.[side], `${c.id}: the ${side}'s bytes`);
    }
    assert.equal(seen.violations, json.violations.length, c.id);
    const pcapng = readFileSync(join(report, c.href.replace(/\.html$/, ".pcapng")));
    assert.equal(pcapng.readUInt32LE(0), 0x0a0d0d0a, `${c.id}: a pcapng Section Header Block`);
    // The inspector link when the wire fits one (64 KiB of Follow text), else the pcapng is pointed at.
    if (seen.link !== null) {
      assert.match(seen.link, /^http:\/\/127\.0\.0\.1:8080\/#p=decode&d\.in=/);
      assert.ok(seen.link.length < 200 * 1024, c.id);
      links.push(c.id);
    } else {
      assert.match(seen.tooLarge, /too large for a link.*open the pcapng/, c.id);
    }
  }
  assert.ok(links.includes("1.1.1") && links.includes("2.2") && !links.includes("1.1.7") && !links.includes("1.2.8"), links.join());
  // 9.3.1, a message in 4 Ki fragments (at a sixteenth of its size): a row each, opened as a page.
  await page.goto(pathToFileURL(join(report, index["9.3.1"].reportfile.replace(/\.json$/, ".html"))).href);
  assert.equal(await page.getByTestId("case-frame").count(), JSON.parse(readFileSync(join(report, index["9.3.1"].reportfile), "utf8")).wsinspect.frames.length);
  // The wire record keeps the first 256 KiB each way: 3,700 of its 4,097 frames.
  assert.ok(await page.getByTestId("case-frame").count() > 3500);
  // 2.2 in detail: the tester's masked ping, the server's pong with every field.
  await page.goto(pathToFileURL(join(report, index["2.2"].reportfile.replace(/\.json$/, ".html"))).href);
  const ping = page.locator("[data-testid=case-frame][data-direction=client][data-kind=ping]");
  const cellsOf = async (row) => row.locator("td").allTextContents();
  const pingCells = await cellsOf(ping);
  assert.equal(pingCells[7], "0x9 ping");
  assert.equal(pingCells[8], "1", "MASK");
  assert.match(pingCells[9], /^[0-9a-f]{8}$/, "masking key");
  assert.match(pingCells[4], /^89 8d( [0-9a-f]{2}){4}$/, "header bytes");
  assert.equal(pingCells[11], "“Hello, world!”");
  const pongCells = await cellsOf(page.locator("[data-testid=case-frame][data-direction=server][data-kind=pong]"));
  assert.deepEqual([pongCells[4], pongCells[5], pongCells[6], pongCells[8], pongCells[10]], ["8a 0d", "1", "0 0 0", "0", "13 (7-bit)"]);
  assert.match(await page.getByTestId("case-close-handshake").textContent(), /client → server sent close 1000 at byte \d+; answered: server → client sent close 1000/);
  // The inspector link's fragment is the Follow text of the wire: its request line first.
  const fragment = new URL(await page.getByTestId("case-inspector").getAttribute("href")).hash.slice(1);
  const follow = new URLSearchParams(fragment).get("d.in");
  assert.match(follow, /^={67}\nFollow: tcp,raw\n/);
  assert.ok(follow.split("\n")[3].startsWith(Buffer.from("GET / HTTP/1.1\r\n").toString("hex")));
  await page.close();
  assert.deepEqual(errors, []);
});

test("a hostile close reason and agent name show as text in the HTML report", async () => {
  const report = join(dir, "hostile");
  const agent = "<script>alert(2)</script>";
  const run = await conformanceClient("/hostile", report, ["--cases", "1.1.1,2.2", "--agent", agent]);
  assert.equal(run.code, 1, "the cases FAILED: the server closed before echoing");
  const index = JSON.parse(readFileSync(join(report, "index.json"), "utf8"))[agent];
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(pathToFileURL(join(report, "index.html")).href);
  assert.equal(await page.locator("script").count(), 0);
  assert.ok((await page.getByTestId("report-agents").textContent()).includes(agent));
  assert.equal(await page.locator("[data-testid=report-cell][data-behavior=FAILED]").count(), 2);
  await page.goto(pathToFileURL(join(report, index["1.1.1"].reportfile.replace(/\.json$/, ".html"))).href);
  assert.equal(await page.getByTestId("case-remote-reason").textContent(), HOSTILE);
  assert.equal(await page.locator("img, script").count(), 0, "no element made of the peer's text");
  const close = page.locator("[data-testid=case-frame][data-direction=server][data-kind=close] [data-testid=case-frame-payload]");
  assert.equal(await close.textContent(), `close 1000 normal closure: ${HOSTILE}`);
  assert.ok((await page.getByTestId("case-table").textContent()).includes(HOSTILE));
  assert.match(await page.getByTestId("case-close-handshake").textContent(), /server → client sent close 1000 "<img src=x onerror=alert\(1\)>"/);
  assert.ok((await page.locator("h1").textContent()).includes(agent));
  await page.close();
  assert.deepEqual(errors, []);
});
