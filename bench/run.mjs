// `npm run bench`: wsinspect side by side with ws, Node's own helpers, the memory-copy
// limit and a native build of the same core, in one process, reported as ratios.
//
//   node bench/run.mjs [--browser] [--quick] [--only=id,id] [--no-native]
//
// --browser  runs the same workloads in headless Chromium (peers: DecompressionStream,
//            TextDecoder, Uint8Array.fromHex, crypto.subtle) instead of Node.
// --quick    1/8 of every input (for working on the harness; not for RESULTS.md).
// --only     only these workloads: a value that is a workload's whole id picks that one alone,
//            any other value every workload whose id starts with it (--only=capture: issue
//            12's ~100 MB pcap read by the CLI, the wasm package in Node and tshark, and with
//            --browser the page's drop-to-rows times on that file, not capture-tls;
//            --only=capture-tls: issue 17's ~50 MB wss:// pcap decrypted with its key log by
//            the CLI, the wasm package in Node and tshark, Node only; --only=capt: both;
//            --only=proxy: issue 13's throughput and added round trip through
//            `wsinspect proxy` vs direct, Node only).
// --no-native, --no-profile  skip the native build, or the CPU profile of each row's subject.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { sameDigest, showDigest } from "./lib/digest.mjs";
import { cachedInput } from "./lib/cache.mjs";
import * as inputs from "./lib/inputs.mjs";
import { Native, buildCli } from "./lib/native.mjs";
import { markdownTable, printTable, ratioLines, writeSection, fmtRate } from "./lib/report.mjs";
import { profilePeer, showProfile } from "./lib/profile.mjs";
import { runRow } from "./lib/run-row.mjs";
import { loadScalarBuild } from "./lib/scalar-build.mjs";
import { DEFAULTS } from "./lib/sampler.mjs";
import * as acceptKeys from "./workloads/accept-keys.mjs";
import { measureColdStart } from "./workloads/cold-start.mjs";
import * as hex from "./workloads/hex.mjs";
import * as inflate from "./workloads/inflate.mjs";
import * as largeFrames from "./workloads/large-frames.mjs";
import { GZIP_TARGET, measureSize } from "./workloads/size.mjs";
import * as tinyFrames from "./workloads/tiny-frames.mjs";
import * as utf8 from "./workloads/utf8.mjs";
import { proxyNotes, proxyTable, runProxy } from "./workloads/proxy.mjs";
import { captureFile, captureNotes, captureTable, runCapture, TARGETS as CAPTURE_TARGETS, tsharkVersion } from "./workloads/capture.mjs";
import { captureTlsNotes, runCaptureTls } from "./workloads/capture-tls.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const only = (argv.find((a) => a.startsWith("--only=")) ?? "").slice(7).split(",").filter(Boolean);
const browser = flag("browser");
const scale = flag("quick") ? 1 / 8 : 1;
const started = performance.now();
const log = (msg) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}`);

/** The workloads: id, module, and the generator of their input (Node side, fixed seed). */
const cached = (id, generate) => () => cachedInput(repo, id, scale, generate);
export const WORKLOADS = [
  { id: "large-frames", module: largeFrames, input: cached("large-frames", () => inputs.largeFrames(scale)) },
  { id: "tiny-frames", module: tinyFrames, input: cached("tiny-frames", () => inputs.tinyFrames(scale)) },
  { id: "hex", module: hex, input: cached("hex", () => inputs.hexTexts(scale)) },
  { id: "utf8", module: utf8, input: cached("utf8", () => inputs.utf8Texts(scale)) },
  { id: "inflate", module: inflate, input: cached("inflate", () => inputs.inflateStreams(scale, repo)) },
  { id: "accept-keys", module: acceptKeys, input: () => inputs.keys() },
  // Child processes on a file, not sampler rows: run apart (bench/workloads/capture.mjs).
  { id: "capture", external: true },
  // The same, of a wss:// pcap with its key log (bench/workloads/capture-tls.mjs).
  { id: "capture-tls", external: true },
  // The release proxy between ws peers, the page watching (bench/workloads/proxy.mjs).
  { id: "proxy", external: true },
];
// A whole id picks that workload alone ("capture" is not also "capture-tls"); else a prefix.
const picks = (o, id) => (WORKLOADS.some((w) => w.id === o) ? id === o : id.startsWith(o));
const picked = WORKLOADS.filter((w) => !only.length || only.some((o) => picks(o, w.id)));
const selected = picked.filter((w) => !w.external);
const withCapture = picked.some((w) => w.id === "capture");
const withCaptureTls = picked.some((w) => w.id === "capture-tls");
const withProxy = picked.some((w) => w.id === "proxy");

function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? "unknown"} × ${cpus.length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    load: os.loadavg().map((l) => l.toFixed(2)).join(" "),
  };
}

function versions(nodePeers) {
  const lock = readFileSync(join(repo, "Cargo.lock"), "utf8");
  const crate = (name) => lock.match(new RegExp(`name = "${name}"\\nversion = "([^"]+)"`))?.[1] ?? "?";
  return {
    commit: `${sh("git", ["rev-parse", "--short", "HEAD"])}${sh("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/RESULTS.md"]) ? " (with uncommitted changes)" : ""}`,
    branch: sh("git", ["rev-parse", "--abbrev-ref", "HEAD"]),
    "rustc (native)": sh("rustc", ["--version"]),
    "rustc (wasm, scripts/wasm-toolchain.sh)": sh("bash", ["-c", ". scripts/wasm-toolchain.sh && rustup run \"$WASM_TOOLCHAIN\" rustc --version"]),
    "wasm-bindgen": crate("wasm-bindgen"),
    "miniz_oxide": crate("miniz_oxide"),
    "zlib-rs": crate("zlib-rs"),
    simdutf8: crate("simdutf8"),
    talc: crate("talc"),
    ...(nodePeers ? nodePeers.versions : { node: process.versions.node }),
  };
}

/** Runs a row's native command and its phases, checking the digest against the subject's. */
function runNative(native, row, result) {
  if (!native || !row.native) return;
  // The native build decodes the same inputs the sampler used (the first `used` of them).
  const slices = (row.native.slices ?? []).slice(0, result.used).flat().join(",");
  const pieces = (row.native.pieces ?? []).slice(0, result.used).join(",");
  const fill = (args) => args.map((a) => (a === "{slices}" ? slices : a === "{pieces}" ? pieces : a));
  const n = native.run(fill(row.native.args), row.native.files);
  if (n.error) result.native = { error: n.error };
  else if (n.digest && result.digest && !sameDigest(n.digest, result.digest)) {
    result.native = { error: `native output differs: ${showDigest(n.digest)} vs ${showDigest(result.digest)}` };
  } else result.native = { ...n, rate: (row.perCall * 1000) / n.ms };
  result.phases = (row.phases ?? []).map((ph) => {
    const r = native.run(fill(ph.args), ph.files);
    return r.error ? { name: ph.name, error: r.error } : { name: ph.name, ms: r.ms, rate: (ph.perCall * 1000) / r.ms, unit: row.unit };
  });
}

function rowSummary(result) {
  const parts = result.peers.map((p) => `${p.name}: ${fmtRate(p.rate, result.unit)}${p.spread > 0.05 ? ` (±${(p.spread * 100).toFixed(0)}%)` : ""}`);
  if (result.native) parts.push(result.native.error ? `native: ${result.native.error}` : `native: ${fmtRate(result.native.rate, result.unit)}`);
  return parts.join("; ");
}

async function main() {
  for (const f of ["pkg/wsinspect_bg.wasm", "pkg/wsinspect.js"]) {
    if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run bash scripts/build.sh first (npm run bench does)`);
  }
  log(`wsinspect bench (${browser ? "headless Chromium" : "Node"}${scale !== 1 ? `, inputs scaled by ${scale}` : ""})`);
  const { nodePeers } = await import("./lib/node-env.mjs");
  const node = browser ? null : nodePeers();
  const info = { machine: machine(), versions: versions(node) };
  if (withCapture || withCaptureTls) info.versions.tshark = tsharkVersion() ?? "missing";

  if (withCapture || withCaptureTls || withProxy) {
    log("building the release CLI for the capture and proxy rows (cargo build --release)");
    buildCli(repo);
  }
  let native = null;
  if (!flag("no-native") && selected.length) {
    log("building the native bench (cargo bench --bench native --no-run)");
    native = new Native(repo);
  }

  const results = [];
  let extra = {};
  let capture = null;
  let captureTls = null;
  let proxy = null;
  if (browser) {
    const { runBrowser } = await import("./browser.mjs");
    const file = withCapture ? await captureFile(repo, log) : null;
    extra = await runBrowser({ repo, workloads: selected, log, capture: file, onRow: (row, result) => {
      runNative(native, row, result);
      log(`${result.id}: ${rowSummary(result)}`);
      results.push(result);
    } });
    info.versions.chromium = extra.version;
    if (withProxy) log("proxy: Node only (it opens its own headless page); skipped with --browser");
    if (withCaptureTls) log("capture-tls: Node only (the CLI, the package in Node and tshark); skipped with --browser");
  } else {
    const { default: init, ...wsi } = await import("wsinspect");
    await init();
    const scalar = flag("no-scalar") || !selected.length ? null : await loadScalarBuild(repo, log);
    const env = {
      kind: "node",
      wsi,
      wsiScalar: scalar,
      node,
      view: (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.length),
    };
    for (const w of selected) {
      log(`${w.id}: generating input`);
      const input = w.input();
      for (const row of w.module.rows(input, env)) {
        log(`${row.id}: checking ${row.peers.length} peers, then sampling`);
        const result = await runRow(row, () => performance.now());
        runNative(native, row, result);
        log(`${row.id}: ${rowSummary(result)}`);
        if (!flag("no-profile")) {
          result.profile = await profilePeer(row.peers[0], result.used);
          log(`${row.id}: wsinspect profile: ${showProfile(result.profile)}`);
        }
        results.push(result);
      }
    }
    if (withCapture) {
      log("capture: the ~100 MB pcap read by the CLI, by wasm in Node and by tshark");
      capture = await runCapture({ repo, log });
      for (const r of capture.results) log(`${r.id}: ${rowSummary(r)}`);
      results.push(...capture.results);
    }
    if (withCaptureTls) {
      log("capture-tls: the ~50 MB wss:// pcap decrypted with its key log by the CLI, by wasm in Node and by tshark");
      captureTls = await runCaptureTls({ repo, log });
      for (const r of captureTls.results) log(`${r.id}: ${rowSummary(r)}`);
      results.push(...captureTls.results);
    }
    if (withProxy) {
      log("proxy: throughput and round trip through wsinspect proxy vs direct, the page watching");
      proxy = await runProxy({ repo, log });
      for (const r of proxy.results) log(`${r.id}: ${rowSummary(r)}`);
      const t = proxyTable(proxy.detail);
      log(`proxy: median round trip ${t.rows[0].slice(1, 4).join(" / ")} (direct / proxied / added)`);
      results.push(...proxy.results);
      info.versions.chromium = proxy.detail.chromium;
    }
  }

  log("size and cold start");
  const size = measureSize(repo);
  const cold = browser ? extra.cold : measureColdStart(repo);
  const elapsed = (performance.now() - started) / 1000;
  report({ info, results, size, cold, elapsed, env: browser ? "browser" : "node", capture: capture?.detail, captureTls: captureTls?.detail, capturePage: extra.capturePage, proxy: proxy?.detail });
}

/** The page's capture times against the first-row target: { headers, rows, missed, judged }. */
function capturePageTable(page) {
  const target = CAPTURE_TARGETS.pageFirstRowMs;
  const rows = [
    ["drop to the first conversation row shown", page.firstMs.toFixed(0), `< ${target} ms`, page.firstMs < target ? "met" : `MISSED by ${(page.firstMs / target).toFixed(2)}x`],
    [`drop to all ${page.rows} conversations listed (the read done)`, page.allMs.toFixed(0), "", ""],
  ];
  return { headers: ["page, ~100 MB pcap dropped", "ms (median)", "target", "verdict"], rows, missed: page.firstMs < target ? 0 : 1 };
}

function report({ info, results, size, cold, elapsed, env, capture, captureTls, capturePage, proxy }) {
  const lines = ratioLines(results);
  const headers = ["workload", "peer", "peer rate", "wsinspect rate", "wsinspect ÷ peer", "target", "verdict"];
  const rows = lines.map((l) => [l.row, l.peer, l.peerRate, l.subjectRate, l.ratio, l.target, l.verdict]);
  console.log();
  printTable(headers, rows);
  const sizeRows = size.rows.map((r) => [r.file, r.raw.toLocaleString("en"), r.gzip.toLocaleString("en"), r.brotli.toLocaleString("en")]);
  console.log();
  printTable(["file", "bytes", "gzip -9", "brotli"], sizeRows);
  console.log(`wasm + glue gzipped: ${size.total.gzip.toLocaleString("en")} bytes, target ≤ ${GZIP_TARGET.toLocaleString("en")}: ${size.met ? "met" : "MISSED"}`);
  const coldRows = cold.map((c) => [c.name, c.ms.toFixed(1), c.own.toFixed(1), c.wall?.toFixed(1) ?? "-"]);
  const coldHeaders = ["cold start", "ms since process/page start", "ms of its own work", "ms wall (spawn to exit)"];
  console.log();
  printTable(coldHeaders, coldRows);
  const profileRows = results.filter((r) => r.profile).map((r) => [r.id, ...["wasm", "glue", "builtins", "GC"].map((c) => `${r.profile.categories[c] ?? 0}%`), r.profile.top.join("; ")]);
  const phaseRows = results.flatMap((r) => (r.phases ?? []).map((p) => [r.id, p.name, p.error ?? fmtRate(p.rate, p.unit)]));
  const capTable = capture ? captureTable(capture) : null;
  if (capTable) {
    console.log();
    printTable(capTable.headers, capTable.rows);
    for (const n of captureNotes(capture)) console.log(`- ${n}`);
  }
  const tlsTable = captureTls ? captureTable(captureTls) : null;
  if (tlsTable) {
    console.log();
    printTable(tlsTable.headers, tlsTable.rows);
    for (const n of captureTlsNotes(captureTls)) console.log(`- ${n}`);
  }
  const pageTable = capturePage ? capturePageTable(capturePage) : null;
  if (pageTable) {
    console.log();
    printTable(pageTable.headers, pageTable.rows);
  }
  const proxyRtt = proxy ? proxyTable(proxy) : null;
  if (proxyRtt) {
    console.log();
    printTable(proxyRtt.headers, proxyRtt.rows);
    for (const n of proxyNotes(proxy)) console.log(`- ${n}`);
  }
  const missed = lines.filter((l) => l.verdict.startsWith("MISSED"));
  const missedCount = missed.length + (pageTable?.missed ?? 0) + (proxyRtt?.missed ?? 0);
  const judged = lines.filter((l) => l.verdict).length + (pageTable ? 1 : 0) + (proxyRtt ? 1 : 0);
  console.log(`\n${missedCount} of ${judged} targets missed; ran in ${elapsed.toFixed(0)} s`);

  const options = [...(env === "browser" ? ["--browser"] : []), ...(only.length ? [`--only=${only.join(",")}`] : [])];
  const command = ["npm run bench", ...(options.length ? ["--", ...options] : [])].join(" ");
  const md = [
    `## ${env === "node" ? "Node" : "Headless Chromium"}`,
    "",
    `Command: \`${command}\`${scale !== 1 ? ` (inputs scaled by ${scale}: not a reference run)` : ""}; ran in ${elapsed.toFixed(0)} s on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC.`,
    "",
    ...Object.entries({ ...info.machine, ...info.versions }).map(([k, v]) => `- ${k}: ${v}`),
    `- sampling: ${DEFAULTS.warmups} warm-up calls, then the median of ${DEFAULTS.samples} samples of at least ${DEFAULTS.minSampleMs} ms per peer, peers interleaved and rotated each round; every peer's output checked equal (FNV-1a digest) before timing; native in a child process after the JS samples of each row`,
    "",
    "### Ratios",
    "",
    markdownTable(headers, rows),
    "",
    `${missedCount} of ${judged} targets missed.`,
    "",
    "`wsinspect ÷ peer` is wsinspect's rate over the peer's (above 1: wsinspect is faster). A verdict says by how much a target is missed: the factor the ratio must still gain.",
    "",
    "### Workloads",
    "",
    "Inputs come from a fixed seed (the source-text corpus is playwright-core's JavaScript). To keep the run under 5 minutes on 2 shared cores, each input is cut into pieces and one call decodes one piece, taking them in turn; the subject is checked on as many pieces as fit in 2.5 s, and every peer and the native build are then checked and timed on exactly those pieces (\"pieces used\"). The large frames are 4 streams of 16 MiB; the tiny frames 256 streams of about 3,900 frames; the hex texts 4 pieces each; the deflate corpora are cut into connections, each with its own compression context, so \"one message\" is one 4 MiB message per connection rather than one 16 MiB message.",
    "",
    ...results.filter((r) => !r.external).map((r) => `- \`${r.id}\`: ${r.title}. Pieces used: ${r.used} of ${r.calls}. Output checked: ${showDigest(r.digest)}.`),
    "",
    ...(capTable
      ? [
          "### Capture file (issue 12): the same ~100 MB pcap read whole",
          "",
          markdownTable(capTable.headers, capTable.rows),
          "",
          ...captureNotes(capture).map((n) => `- ${n}`),
          "",
        ]
      : []),
    ...(tlsTable
      ? [
          "### wss:// capture file (issue 17): a ~50 MB pcap decrypted with its key log and decoded",
          "",
          markdownTable(tlsTable.headers, tlsTable.rows),
          "",
          ...captureTlsNotes(captureTls).map((n) => `- ${n}`),
          "",
        ]
      : []),
    ...(proxyRtt
      ? [
          "### The proxy (issue 13): through `wsinspect proxy` vs direct, the page watching",
          "",
          "Throughput is the `proxy-throughput` row of the ratios above (target at least 0.8x direct).",
          "",
          markdownTable(proxyRtt.headers, proxyRtt.rows),
          "",
          ...proxyNotes(proxy).map((n) => `- ${n}`),
          "",
        ]
      : []),
    ...(pageTable
      ? [
          "### The page: a ~100 MB pcap dropped on the Decode panel",
          "",
          markdownTable(pageTable.headers, pageTable.rows),
          "",
          `${capturePage.note}`,
          "",
        ]
      : []),
    "### Native phases (the same core, timed piece by piece)",
    "",
    markdownTable(["workload", "phase", "rate"], phaseRows),
    "",
    ...(profileRows.length
      ? [
          "### Where wsinspect's time goes (V8 CPU profile of the wasm subject, self time)",
          "",
          "wasm: the compiled Rust; glue: pkg/wsinspect.js (wasm-bindgen); builtins: V8/Node built-ins called from the glue (TextDecoder, typed array copies, Reflect.set); GC: garbage collection; the rest is the bench's own call loop, into which V8 may inline glue functions. Release wasm has no names: wasm-function[N] is the index.",
          "",
          markdownTable(["workload", "wasm", "glue", "builtins", "GC", "top functions"], profileRows),
          "",
        ]
      : []),
    "### Size",
    "",
    markdownTable(["file", "bytes", "gzip -9", "brotli"], sizeRows),
    "",
    `wasm + glue gzipped: ${size.total.gzip.toLocaleString("en")} bytes; target at most ${GZIP_TARGET.toLocaleString("en")}: ${size.met ? "met" : "MISSED"}.`,
    "",
    "### Cold start to the first decoded frame",
    "",
    markdownTable(coldHeaders, coldRows),
  ].join("\n");
  writeSection(join(repo, "bench", "RESULTS.md"), env, md);
  console.log(`wrote bench/RESULTS.md (${env} section)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
