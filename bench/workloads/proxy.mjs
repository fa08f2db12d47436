// Issue 13 §4's proxy rows: throughput and added latency through `wsinspect proxy` against a
// direct connection to the same upstream, in the same run, with the proxy's own page open on
// its Connections tab (polling /proxy/connections every 500 ms) the whole time.
//
// The upstream is an npm ws echo server (bench/proxy/echo.mjs, no permessage-deflate, so the
// proxy's relay and recording are measured rather than deflate), the proxy is the release
// build (`wsinspect proxy --upstream ws://127.0.0.1:ECHO/ --listen 127.0.0.1:0`, recording
// every chunk as it does by default), and each measurement is an npm ws client in a fresh
// child process (bench/proxy/client.mjs) on one fresh connection, direct or through the proxy,
// the order rotated each round:
// - throughput: COUNT binary messages of 64 KiB echoed, WINDOW unanswered at a time; the rate
//   is the payload sent over the time from the first send to the last echo; median of the
//   rounds after one warm-up round;
// - round trip: RTT_COUNT text messages of RTT_SIZE bytes one at a time (after RTT_WARMUP
//   untimed); median and p99 of each round, then the median over the rounds.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { median } from "../lib/sampler.mjs";

export const TARGETS = { throughputRatio: 0.8, addedMedianMs: 0.2 };
const SIZE = 64 * 1024;
// 384 x 64 KiB each way is about 48 MiB recorded per connection, under the proxy's default
// 64 MiB recording cap, so every round is relayed and recorded in full.
const COUNT = 384;
const WINDOW = 16;
const THROUGHPUT_ROUNDS = 15; // timed, after one warm-up round
const RTT_SIZE = 32;
const RTT_COUNT = 2000;
const RTT_WARMUP = 200;
const RTT_ROUNDS = 7; // timed, after one warm-up round
const BUDGET_MS = 150_000; // no new round starts after this (at least 3 timed rounds)
const CHILD_TIMEOUT_MS = 60_000; // any one client, and starting the echo server or the proxy

const DIRECT = "direct: ws client -> ws echo server";
const PROXIED = "through wsinspect proxy (page open on Connections)";

/** The release binary: $WSINSPECT_BIN, else $CARGO_TARGET_DIR or target/, then release/wsinspect. */
export function releaseBinary(repo) {
  return process.env.WSINSPECT_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(repo, "target"), "release", "wsinspect");
}

/**
 * Starts `cmd args` and waits for a stdout line matching `pattern`: { child, match }. The
 * child is killed (by its pid) if the line does not come within CHILD_TIMEOUT_MS.
 */
function startWaiting(cmd, args, cwd, pattern) {
  const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd}: no line matching ${pattern} within ${CHILD_TIMEOUT_MS} ms: ${stderr.trim()}`));
    }, CHILD_TIMEOUT_MS);
    const onData = (d) => {
      buffered += d;
      for (const line of buffered.split("\n")) {
        const match = line.match(pattern);
        if (match) {
          clearTimeout(timer);
          child.stdout.off("data", onData);
          child.stdout.resume(); // keep draining what it prints later
          return resolve({ child, match });
        }
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code}) before it was ready: ${stderr.trim()}`));
    });
  });
}

/** One client measurement in a child process; its JSON line. Killed by pid after CHILD_TIMEOUT_MS. */
function client(repo, mode, url, opts) {
  const child = spawn(process.execPath, [join(repo, "bench", "proxy", "client.mjs"), mode, url, JSON.stringify({ ...opts, timeoutMs: CHILD_TIMEOUT_MS - 5000 })], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (err = (err + d).slice(-2000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      let result = null;
      try {
        result = JSON.parse(out.trim().split("\n").pop());
      } catch {
        // no JSON
      }
      if (code === 0 && result && !result.error) return resolve(result);
      reject(new Error(`${mode} client on ${url}: ${result?.error ?? (signal ? `killed (${signal}) after ${CHILD_TIMEOUT_MS} ms` : `exit ${code}`)} ${err.trim()}`));
    });
  });
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function peakRssKiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
    return line ? Number(line.split(/\s+/)[1]) : null;
  } catch {
    return null;
  }
}

/** The process's CPU time so far (user + system), in ms; null when /proc cannot tell. */
function cpuMs(pid, tick) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / tick;
  } catch {
    return null;
  }
}

function clockTick() {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  return Number(r.stdout?.trim()) || 100;
}

function stop(child) {
  if (child && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Rounds of `measure(url)` over both URLs, the order rotated; the warm-up round dropped. */
async function rounds(name, timed, urls, measure, log) {
  const samples = urls.map(() => []);
  const started = performance.now();
  for (let round = 0; round <= timed; round++) {
    if (round > 3 && performance.now() - started > BUDGET_MS) break;
    for (let i = 0; i < urls.length; i++) {
      const k = (i + round) % urls.length;
      const s = await measure(urls[k]);
      if (round > 0) samples[k].push(s);
    }
    log(`proxy: ${name} round ${round}${round === 0 ? " (warm-up)" : ""} done`);
  }
  return samples;
}

/**
 * Runs the rows; returns { results (the throughput row for the ratio table), detail (the
 * proxy section's tables and notes) }.
 */
export async function runProxy({ repo, log }) {
  const bin = releaseBinary(repo);
  if (!existsSync(bin)) throw new Error(`proxy rows: ${bin} is missing: cargo build --release`);
  let echo = null, proxy = null, browser = null;
  try {
    echo = (await startWaiting(process.execPath, [join(repo, "bench", "proxy", "echo.mjs")], repo, /^port (\d+)$/));
    const direct = `ws://127.0.0.1:${echo.match[1]}/`;
    proxy = await startWaiting(bin, ["proxy", "--upstream", direct, "--listen", "127.0.0.1:0"], repo, /^wsinspect: proxying on ws:\/\/([^/]+)\/$/);
    const addr = proxy.match[1];
    const proxied = `ws://${addr}/`;
    log(`proxy: echo server on ${direct}, wsinspect proxy (pid ${proxy.child.pid}) on ${proxied}`);

    const { launch } = await import("../browser.mjs");
    browser = await launch();
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://${addr}/#p=connections`);
    await page.waitForSelector("[data-testid=panel-connections]:not([hidden])", { timeout: 30_000 });
    log(`proxy: the page is open on http://${addr}/#p=connections`);

    const urls = [direct, proxied];
    const tick = clockTick();
    const proxyCpu = []; // per proxied throughput round: [proxy CPU ms, the client's ms]
    const thr = await rounds("throughput", THROUGHPUT_ROUNDS, urls, async (url) => {
      const cpu0 = url === proxied ? cpuMs(proxy.child.pid, tick) : null;
      const r = await client(repo, "throughput", url, { size: SIZE, count: COUNT, window: WINDOW });
      if (r.bad) throw new Error(`throughput on ${url}: ${r.bad} echoes differ from what was sent`);
      if (cpu0 != null) proxyCpu.push([cpuMs(proxy.child.pid, tick) - cpu0, r.ms]);
      return (r.bytes / 1e6) / (r.ms / 1000); // MB/s
    }, log);
    proxyCpu.shift(); // the warm-up round's
    const rtt = await rounds("round trip", RTT_ROUNDS, urls, async (url) => {
      const r = await client(repo, "rtt", url, { size: RTT_SIZE, count: RTT_COUNT, warmup: RTT_WARMUP });
      if (r.bad) throw new Error(`round trip on ${url}: ${r.bad} echoes differ from what was sent`);
      return { median: median(r.rtts), p99: percentile(r.rtts, 99) };
    }, log);

    // What the page shows once the last connection closed (it polls every 500 ms).
    await new Promise((r) => setTimeout(r, 1500));
    const pageRows = await page.evaluate(() => document.querySelectorAll("[data-testid=proxy-row]").length);
    const peakKiB = peakRssKiB(proxy.child.pid);
    const chromium = `Chromium ${browser.version()}`;

    const rate = (k) => median(thr[k]);
    const stats = {
      direct: { rate: rate(0), rates: thr[0], median: median(rtt[0].map((s) => s.median)), p99: median(rtt[0].map((s) => s.p99)) },
      proxied: { rate: rate(1), rates: thr[1], median: median(rtt[1].map((s) => s.median)), p99: median(rtt[1].map((s) => s.p99)) },
    };
    const results = [{
      id: "proxy-throughput",
      title: "",
      unit: "MB/s",
      perCall: (COUNT * SIZE) / 1e6,
      external: true,
      targets: [{ vs: DIRECT, min: TARGETS.throughputRatio }],
      peers: [
        { name: PROXIED, rate: stats.proxied.rate, subject: true },
        { name: DIRECT, rate: stats.direct.rate },
      ],
    }];
    const connections = (THROUGHPUT_ROUNDS + 1 + RTT_ROUNDS + 1);
    return {
      results,
      detail: { stats, peakKiB, proxyCpu, pageRows, pageErrors: errors, connections, chromium, rounds: { throughput: thr[0].length, rtt: rtt[0].length } },
    };
  } finally {
    if (browser) await browser.close().catch(() => {});
    stop(proxy?.child);
    stop(echo?.child);
  }
}

const ms = (v) => `${v.toFixed(3)} ms`;

/** The round-trip table (and its verdict): { headers, rows, missed }. */
export function proxyTable(detail) {
  const { direct, proxied } = detail.stats;
  const added = proxied.median - direct.median;
  const met = added < TARGETS.addedMedianMs;
  return {
    headers: [`round trip, ${RTT_SIZE}-byte text, one at a time`, "direct", "through the proxy", "added", "target", "verdict"],
    rows: [
      ["median", ms(direct.median), ms(proxied.median), ms(added), `< ${TARGETS.addedMedianMs} ms`, met ? "met" : `MISSED by ${ms(added - TARGETS.addedMedianMs)}`],
      ["p99", ms(direct.p99), ms(proxied.p99), ms(proxied.p99 - direct.p99), "", ""],
    ],
    missed: met ? 0 : 1,
  };
}

export function proxyNotes(detail) {
  const { stats, peakKiB, proxyCpu, pageRows, pageErrors, rounds: n, chromium } = detail;
  const list = (xs) => xs.map((x) => x.toFixed(0)).join(", ");
  return [
    `Upstream: an npm ws echo server on 127.0.0.1 (no permessage-deflate); the proxy: the release build, \`wsinspect proxy --upstream ws://127.0.0.1:PORT/ --listen 127.0.0.1:0\`, recording every chunk (its default); clients: npm ws (no permessage-deflate), a fresh child process and connection per measurement, direct and proxied rotated each round. All on one machine, sharing its cores.`,
    `Throughput: ${COUNT} binary messages of 64 KiB echoed (${(COUNT * SIZE / 2 ** 20).toFixed(0)} MiB each way, under the proxy's 64 MiB per-connection recording cap), ${WINDOW} unanswered at a time, every echo checked byte for byte; MB/s is the payload sent over first send to last echo; median of ${n.throughput} rounds after a warm-up round (direct: ${list(stats.direct.rates)} MB/s; proxied: ${list(stats.proxied.rates)} MB/s).`,
    `The proxy's own CPU time in a proxied throughput round (user + system, /proc/PID/stat; it includes the page's polls in that time): median ${median(proxyCpu.map(([c]) => c)).toFixed(0)} ms over a median round of ${median(proxyCpu.map(([, w]) => w)).toFixed(0)} ms wall, about ${(median(proxyCpu.map(([c]) => c)) / ((COUNT * SIZE * 2) / 2 ** 20)).toFixed(2)} ms per MiB relayed (both directions counted).`,
    `Round trip: ${RTT_COUNT} messages after ${RTT_WARMUP} untimed, each sent when the previous echo arrived (process.hrtime in the client); each figure is the median over ${n.rtt} rounds (after a warm-up round) of that round's median or p99.`,
    `The page watching: headless ${chromium} open on the proxy's own page, Connections tab (\`http://PROXY/#p=connections\`, polling /proxy/connections every 500 ms) for the whole timed part, direct rounds included; at the end it listed ${pageRows} connections${pageErrors.length ? `; page errors: ${pageErrors.join("; ")}` : ", no page errors"}.`,
    `The proxy's peak resident set (VmHWM from /proc/PID/status, read at the end): ${peakKiB != null ? `${(peakKiB / 1024).toFixed(0)} MiB` : "unknown"}; it keeps the recordings of closed connections in memory (up to 1 GiB by default, --max-kept), here about ${((THROUGHPUT_ROUNDS + 1) * COUNT * SIZE * 2 / 2 ** 20).toFixed(0)} MiB of throughput rounds.`,
  ];
}
