// Issue 12's capture rows: a ~100 MB pcap of WebSocket traffic (bench/lib/capture-input.mjs)
// read whole by wsinspect natively (the CLI, target/release/wsinspect, which reads it in
// 1 MiB slices), by wsinspect in Node (the package's CaptureDecoder over 1 MiB slices, in a
// child process: bench/capture/node-decode.mjs) and by tshark (-Y websocket -T fields -e
// websocket.payload), each a child process, interleaved round by round. Rates are the file's
// bytes over each command's wall time, spawn to exit (the median of the rounds after one
// warm-up round); peaks are each process's maximum resident set (/usr/bin/time -f %M, or
// maxRSS reported by the Node child). Conversations and frames each side found are compared.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachedFile } from "../lib/cache.mjs";
import { makeCapture } from "../lib/capture-input.mjs";
import { median } from "../lib/sampler.mjs";

export const TARGETS = { native: 10, wasm: 3, pageFirstRowMs: 1000 };
const ROUNDS = 5; // timed rounds, after one warm-up round
const BUDGET_MS = 150_000; // no new round starts after this
const TIMEOUT_S = 180; // any one command

const TSHARK_ARGS = (file) => ["-r", file, "-Y", "websocket", "-T", "fields", "-e", "websocket.payload"];

/** The capture file (made once, then cached in target/bench-inputs/cache/): { path, bytes, info }. */
export async function captureFile(repo, log) {
  const ws = createRequire(join(repo, "package.json"))("ws/package.json").version;
  const src = new URL("../lib/capture-input.mjs", import.meta.url);
  const { path, info } = await cachedFile(repo, "capture", "pcap", [src], `ws ${ws}`, (p) => makeCapture(p, log));
  return { path, bytes: statSync(path).size, info };
}

/** Runs `cmd args` under /usr/bin/time -f %M (when present) and coreutils timeout; stdout kept. */
export function timed(cmd, args, cwd) {
  const memFile = join(tmpdir(), `wsinspect-bench-mem-${process.pid}`);
  const haveTime = existsSync("/usr/bin/time");
  const full = [...(haveTime ? ["/usr/bin/time", "-f", "%M", "-o", memFile] : []), "timeout", "-k", "5", String(TIMEOUT_S), cmd, ...args];
  const t0 = performance.now();
  const r = spawnSync(full[0], full.slice(1), { cwd, encoding: "utf8", maxBuffer: 1 << 30, timeout: (TIMEOUT_S + 15) * 1000, killSignal: "SIGKILL" });
  const wall = performance.now() - t0;
  let peakKiB = null;
  if (haveTime) {
    try {
      peakKiB = Number(readFileSync(memFile, "utf8").trim().split("\n").pop());
      rmSync(memFile);
    } catch {
      // no figure
    }
  }
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? (r.status === 124 ? `timed out after ${TIMEOUT_S} s` : `exit ${r.status}`);
    throw new Error(`${cmd} ${args.join(" ")}: ${why}: ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" ")}`);
  }
  return { wall, peakKiB, stdout: r.stdout };
}

/**
 * The CLI's conversation list: one line per conversation, "frames c/s" its 8th column; and
 * its TLS connections (a wss capture's), counted by what became of them ("TLS 1.3,
 * TLS_AES_256_GCM_SHA384, decrypted": n).
 */
export function countCli(stdout) {
  const head = stdout.match(/(\d+) websocket conversation/);
  let conversations = 0, frames = 0;
  const tls = {};
  for (const line of stdout.split("\n")) {
    if (line.startsWith("== ")) break;
    const t = line.match(/^ {2}\S+ -> \S+(?: \(.*\))?: (.*?)(?:: conversation \d+)?$/);
    if (t) tls[t[1]] = (tls[t[1]] ?? 0) + 1;
    const m = line.match(/^\d+\s+\S+:\d+\s+\S+:\d+\s+\S+ \S+\s+\S+ s\s+(\d+)\/(\d+)\s/);
    if (!m) continue;
    conversations++;
    frames += Number(m[1]) + Number(m[2]);
  }
  return { conversations: head ? Number(head[1]) : conversations, listed: conversations, frames, tls };
}

/**
 * tshark's fields output: one line per packet with WebSocket frames, each frame's payload
 * (hex) comma-separated; a frame without payload (an empty Close, Ping or Pong) has no field,
 * so this counts frames that carry payload bytes: a floor on tshark's frames. The exact
 * count and the connections come from one more, untimed, tshark run (-e tcp.stream -e
 * websocket.opcode) after the timed rounds.
 */
export function countTsharkPayloads(stdout) {
  let frames = 0;
  for (const line of stdout.split("\n")) if (line) frames += line.split(",").length;
  return { frames };
}

/** tshark's exact frames and connections (`prefs`: -o options before the filter, as a key log). */
export function tsharkExact(file, cwd, prefs = []) {
  const r = timed("tshark", ["-r", file, ...prefs, "-Y", "websocket", "-T", "fields", "-e", "tcp.stream", "-e", "websocket.opcode"], cwd);
  const streams = new Set();
  let frames = 0;
  for (const line of r.stdout.split("\n")) {
    if (!line) continue;
    const [stream, opcodes] = line.split("\t");
    streams.add(stream);
    frames += opcodes.split(",").length;
  }
  return { conversations: streams.size, frames };
}

export function tsharkVersion() {
  const r = spawnSync("tshark", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.split("\n")[0].trim() : null;
}

/**
 * Runs the rounds; returns { results (rows for the ratio table), detail (the capture
 * section's table and notes) }.
 */
export async function runCapture({ repo, log }) {
  const why = missing(repo);
  if (why) throw new Error(`capture rows: ${why}`);
  const { path: file, bytes, info } = await captureFile(repo, log);
  log(`capture: ${file} (${(bytes / 1e6).toFixed(1)} MB)`);
  const cli = join(repo, "target", "release", "wsinspect");
  const peers = [
    { key: "native", name: "wsinspect native (CLI: wsinspect decode FILE)", run: () => {
      const r = timed(cli, ["decode", file], repo);
      return { ...r, counts: countCli(r.stdout) };
    } },
    { key: "wasm", name: "wsinspect wasm in Node (CaptureDecoder, 1 MiB slices read into wasm memory, streams: false)", run: () => {
      const r = timed(process.execPath, [join(repo, "bench", "capture", "node-decode.mjs"), file], repo);
      const out = JSON.parse(r.stdout.trim().split("\n").pop());
      if (out.error) throw new Error(`CaptureDecoder: ${out.error}`);
      return { ...r, peakKiB: out.maxRSS, own: out.ms, counts: { conversations: out.conversations, frames: out.frames } };
    } },
    { key: "tshark", name: "tshark -r FILE -Y websocket -T fields -e websocket.payload", run: () => {
      const r = timed("tshark", TSHARK_ARGS(file), repo);
      return { ...r, counts: countTsharkPayloads(r.stdout) };
    } },
  ];
  const stats = readerRounds(peers, bytes, log, "capture");
  log("capture: tshark's exact frame and connection count (untimed)");
  const exact = tsharkExact(file, repo);
  stats.tshark.counts = { ...stats.tshark.counts, ...exact, payloadFrames: stats.tshark.counts.frames };
  const results = [readerRow("capture-native", stats, "native", bytes, TARGETS.native), readerRow("capture-wasm", stats, "wasm", bytes, TARGETS.wasm)];
  const agree = stats.native.counts.conversations === exact.conversations && stats.wasm.counts.conversations === exact.conversations
    && stats.native.counts.frames === exact.frames && stats.wasm.counts.frames === exact.frames;
  return { results, detail: { file, bytes, info, stats, agree } };
}

/**
 * Runs each reader (`peers`: [{ key, name, run() -> { wall, peakKiB, own?, counts } }]) once
 * as a warm-up, then up to ROUNDS timed rounds (no new round after BUDGET_MS), the order
 * rotated each round; returns each reader's { name, ms (median wall), own, rate (MB/s of
 * `bytes`), peakMB (the highest), counts (the last round's), rounds }.
 */
export function readerRounds(peers, bytes, log, label) {
  const samples = new Map(peers.map((p) => [p.key, []]));
  const started = performance.now();
  for (let round = 0; round <= ROUNDS; round++) {
    if (round > 2 && performance.now() - started > BUDGET_MS) break;
    // Rotate the order each round so no peer always runs right after another.
    for (let i = 0; i < peers.length; i++) {
      const p = peers[(i + round) % peers.length];
      const s = p.run();
      delete s.stdout;
      if (round > 0) samples.get(p.key).push(s);
    }
    log(`${label}: round ${round}${round === 0 ? " (warm-up)" : ""} done`);
  }
  return Object.fromEntries(peers.map((p) => {
    const s = samples.get(p.key);
    const ms = median(s.map((x) => x.wall));
    const peaks = s.map((x) => x.peakKiB).filter((v) => Number.isFinite(v));
    return [p.key, {
      name: p.name,
      ms,
      own: s[0].own !== undefined ? median(s.map((x) => x.own)) : null,
      rate: bytes / 1e3 / ms, // MB/s
      peakMB: peaks.length ? Math.max(...peaks) / 1024 : null,
      counts: s[s.length - 1].counts,
      rounds: s.length,
    }];
  }));
}

/** A row of the ratio table: reader `subject` of `stats` against tshark, target `min`. */
export function readerRow(id, stats, subject, bytes, min) {
  return {
    id,
    title: "",
    unit: "MB/s",
    perCall: bytes / 1e6,
    external: true,
    targets: min ? [{ vs: stats.tshark.name, min }] : [],
    peers: [
      { name: stats[subject].name, rate: stats[subject].rate, subject: true },
      { name: stats.tshark.name, rate: stats.tshark.rate },
    ],
  };
}

export function missing(repo) {
  if (!existsSync(join(repo, "target", "release", "wsinspect"))) return "target/release/wsinspect is missing: cargo build --release";
  if (spawnSync("tshark", ["--version"]).status !== 0) return "tshark is missing (scripts/setup.sh installs it)";
  if (spawnSync("timeout", ["--version"]).status !== 0) return "coreutils timeout is missing";
  return null;
}

/** The capture section of RESULTS.md (and the terminal): one line per tool, then notes. */
export function captureTable(detail) {
  const { stats } = detail;
  const rows = ["native", "wasm", "tshark"].map((k) => {
    const s = stats[k];
    return [
      s.name,
      (s.ms / 1000).toFixed(2) + (s.own != null ? ` (${(s.own / 1000).toFixed(2)} decoding)` : ""),
      s.rate.toFixed(1),
      s.peakMB != null ? s.peakMB.toFixed(0) : "-",
      String(s.counts.conversations),
      k === "tshark" ? `${s.counts.frames} (${s.counts.payloadFrames} with payload)` : String(s.counts.frames),
    ];
  });
  return { headers: ["reader", "s wall (median)", "MB/s", "peak MB (max RSS)", "conversations", "frames"], rows };
}

export function captureNotes(detail) {
  const { info, bytes, stats, agree } = detail;
  return [
    `The file: ${(bytes / 1e6).toFixed(1)} MB, ${info.packets} packets, ${info.connections} WebSocket connections (bench/lib/capture-input.mjs): one real recording (tcpdump -i lo of npm ws peers: ${info.connections / info.copies} clients, half with permessage-deflate, messages of 8 bytes to 1 MiB, ${(info.baseBytes / 1e6).toFixed(1)} MB, ${info.basePackets} packets) replicated ${info.copies} times with new client ports, shifted sequence numbers and timestamps, merged in time order. Made once, cached in target/bench-inputs/cache/.`,
    `Each reader is a child process timed spawn to exit (the median of ${stats.native.rounds} rounds after a warm-up round, readers rotated each round); MB/s is the file's size over that time. The Node row's time includes starting Node and init() (the decoding alone is in brackets). Peaks: /usr/bin/time -f %M for the CLI and tshark, process.resourceUsage().maxRSS for Node.`,
    `Found: ${agree ? "every reader found the same conversations and frames" : "the readers DISAGREE on conversations or frames"} (tshark's from an untimed run with -e tcp.stream -e websocket.opcode; the timed command's fields show only frames with payload).`,
  ];
}
