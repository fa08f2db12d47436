// `wsinspect conformance client` and `conformance server` run for a test: peers and servers
// started and stopped by their process ids, each run bounded in time, its exit status, --json
// summary and reports read back, and its verdicts compared with a library's published ones
// (tests/fixtures/conformance/).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildNative } from "./native.js";
import { repo } from "./peers.js";

/** The verdicts Autobahn's reports use (behavior, then the close verdicts besides). */
export const BEHAVIORS = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"];
export const CLOSE_BEHAVIORS = [...BEHAVIORS, "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT"];

/**
 * Starts a server peer that prints "listening PORT"; resolves to { port, pid, stop(), output() }.
 * Rejects when it exits first or says nothing in `timeout` ms (it is then killed).
 */
export function startPeer(cmd, args, { timeout = 20_000 } = {}) {
  const child = spawn(cmd, args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(child.pid, "SIGKILL"); } catch { /* already gone */ }
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`${cmd} ${args[0]}: no "listening" line in ${timeout} ms\n${output}`)); }, timeout);
    const onData = (d) => {
      output += d;
      const m = output.match(/^listening (\d+)$/m);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), pid: child.pid, stop, output: () => output });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => { output += d; });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args[0]} exited (${code ?? signal}) before listening\n${output}`));
    });
  });
}

/**
 * Runs `wsinspect conformance client URL --json` with `args` (--cases, --agent, ...) into a new
 * report folder, bounded by `timeout` ms. Resolves to the run (see `readRun`).
 */
export async function runClient(url, args, { timeout = 100_000 } = {}) {
  const bin = buildNative();
  const dir = mkdtempSync(join(tmpdir(), "wsinspect-conformance-"));
  const started = Date.now();
  const child = spawn(bin, ["conformance", "client", url, "--report", dir, "--json", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const { status, stdout, stderr } = await finished(child, timeout, "wsinspect conformance client");
  return readRun(dir, status, stdout, stderr, Date.now() - started);
}

/**
 * Starts `wsinspect conformance server --listen 127.0.0.1:0 --json` with `args` into a new
 * report folder. Resolves once it listens to { port, url (ws://127.0.0.1:PORT), pid, stop(),
 * done(): a Promise of the run (see `readRun`) once the server stopped (/stopServer) }.
 * The server is killed after `timeout` ms whatever happens.
 */
export async function startServer(args, { timeout = 120_000 } = {}) {
  const bin = buildNative();
  const dir = mkdtempSync(join(tmpdir(), "wsinspect-conformance-"));
  const started = Date.now();
  const child = spawn(bin, ["conformance", "server", "--listen", "127.0.0.1:0", "--report", dir, "--json", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exit = finished(child, timeout, "wsinspect conformance server");
  exit.catch(() => {}); // seen by done()
  const port = await new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`wsinspect conformance server: no address in 20 s\n${err}`)), 20_000);
    child.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/ws:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    exit.then(({ status }) => { clearTimeout(timer); reject(new Error(`wsinspect conformance server exited (${status}) before listening\n${err}`)); }, () => {});
  });
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () => { if (child.exitCode === null && child.signalCode === null) { try { process.kill(child.pid, "SIGKILL"); } catch { /* gone */ } } },
    done: async () => {
      const { status, stdout, stderr } = await exit;
      return readRun(dir, status, stdout, stderr, Date.now() - started);
    },
  };
}

/** Resolves to { status, stdout, stderr } when `child` exits; kills it after `timeout` ms. */
function finished(child, timeout, what) {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => { stdout += d; });
  child.stderr.on("data", (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try { process.kill(child.pid, "SIGKILL"); } catch { /* gone */ }
      reject(new Error(`${what} took over ${timeout} ms\n${stderr}`));
    }, timeout);
    child.once("close", (code, signal) => { clearTimeout(timer); resolve({ status: code ?? signal, stdout, stderr }); });
  });
}

/**
 * A finished run: { status, stdout, stderr, ms, summary (the --json one), index (case id ->
 * entry, of the one agent), agent, dir, report(id) (its JSON, or null), cleanup() }. A run that
 * could not start (status 2) has no summary or index.
 */
function readRun(dir, status, stdout, stderr, ms) {
  const result = { status, stdout, stderr, ms, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  if (status === 2) return result; // nothing ran: stderr says why
  try {
    result.summary = JSON.parse(stdout);
  } catch (e) {
    throw new Error(`wsinspect conformance exited (${status}) without its --json summary (${e.message})\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  const agents = Object.keys(index);
  if (agents.length !== 1) throw new Error(`index.json has ${agents.length} agents: ${agents}`);
  result.agent = agents[0];
  result.index = index[result.agent];
  result.report = (id) => {
    const file = join(dir, result.index[id].reportfile);
    return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
  };
  return result;
}

/** The case ids of a run in Autobahn's order (numerically, part by part). */
export function caseIds(index) {
  const key = (id) => id.split(".").map(Number);
  return Object.keys(index).sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
    }
    return 0;
  });
}

/** A library's published verdicts (tests/fixtures/conformance/NAME.json). */
export function published(name) {
  return JSON.parse(readFileSync(join(repo, "tests", "fixtures", "conformance", `${name}.json`), "utf8"));
}

/** `[behavior, behaviorClose, remoteCloseCode]` as a short text: "OK / OK / 1000". */
export const verdictText = ([b, c, code]) => `${b ?? "?"} / ${c ?? "?"} / ${code === undefined ? "?" : code ?? "-"}`;

/**
 * Compares a run's index with published verdicts (`fixture[table]`, or `fixture.default` for a
 * case in `defaultGroups` the table does not name; `null` fields are not compared) and with
 * `known`: { "6.4.3": { ours: "NON-STRICT / OK / 1007", why } }. Returns { rows, unexplained,
 * stale, compared, printed }: every differing case with our and the published verdicts and
 * the explanation if known; those with none (or whose verdicts are not the ones explained);
 * known ones that did not differ.
 */
export function compare(index, fixture, table, known, { defaultGroups = [] } = {}) {
  const rows = [];
  let compared = 0;
  for (const id of caseIds(index)) {
    const e = index[id];
    const ours = [e.behavior, e.behaviorClose, e.remoteCloseCode];
    const theirs = fixture[table][id] ?? (defaultGroups.includes(id.split(".")[0]) ? fixture.default : undefined);
    if (!theirs) continue;
    compared++;
    const same = theirs.every((v, i) => v === null || v === ours[i]);
    if (same) continue;
    const k = known[id];
    rows.push({ id, ours: verdictText(ours), theirs: verdictText(theirs), why: k && k.ours === verdictText(ours) ? k.why : null, known: k });
  }
  const unexplained = rows.filter((r) => r.why === null);
  const stale = Object.keys(known).filter((id) => id in index && !rows.some((r) => r.id === id));
  const width = Math.max(4, ...rows.map((r) => r.id.length));
  const line = (id, a, b, why) => `${id.padEnd(width)}  ${a.padEnd(28)}  ${b.padEnd(28)}  ${why}`;
  const printed = [
    `${rows.length} of ${compared} cases differ from ${fixture.library} ${fixture.version} (${table}):`,
    line("case", "wsinspect", "published", "why"),
    ...rows.map((r) => line(r.id, r.ours, r.theirs, r.why ?? (r.known ? `UNEXPLAINED: explained for ${r.known.ours} only` : "UNEXPLAINED"))),
    ...stale.map((id) => `${id}: listed as a known difference (${known[id].ours}), not seen in this run`),
  ].join("\n");
  return { rows, unexplained, stale, compared, printed };
}
