// Issue 17's capture-tls rows: a ~50 MB pcap of wss:// traffic and its NSS key log
// (bench/lib/tls-capture-input.mjs), decrypted and decoded whole by wsinspect natively (the CLI,
// `wsinspect decode FILE --keylog KEYS`), by wsinspect in Node (the package's CaptureDecoder
// with keyLog over 1 MiB slices, in a child process: bench/capture/node-decode.mjs) and by
// tshark (-o tls.keylog_file:KEYS -Y websocket -T fields -e websocket.payload), each a child
// process. The method is the capture rows' (bench/workloads/capture.mjs): readers interleaved
// round by round, rates the file's bytes over each command's wall time, spawn to exit (the
// median of the rounds after one warm-up round), peaks each process's maximum resident set,
// conversations and frames each reader found compared with tshark's exact counts (an untimed
// run), and the TLS connections the CLI and the package decrypted compared with each other.
import { createRequire } from "node:module";
import { statSync } from "node:fs";
import { join } from "node:path";
import { cachedFile } from "../lib/cache.mjs";
import { keyLogOf, makeTlsCapture } from "../lib/tls-capture-input.mjs";
import { countCli, countTsharkPayloads, missing, readerRounds, readerRow, timed, tsharkExact } from "./capture.mjs";

/** Native at least 5x tshark (issue 17); the wasm row is reported without a target. */
export const TARGETS = { native: 5 };

const PREFS = (keys) => ["-o", `tls.keylog_file:${keys}`];
const TSHARK_ARGS = (file, keys) => ["-r", file, ...PREFS(keys), "-Y", "websocket", "-T", "fields", "-e", "websocket.payload"];

/** The wss capture and its key log (made once, then cached in target/bench-inputs/cache/): { path, keys, bytes, info }. */
export async function tlsCaptureFile(repo, log) {
  const ws = createRequire(join(repo, "package.json"))("ws/package.json").version;
  const sources = ["../lib/tls-capture-input.mjs", "../lib/capture-input.mjs"].map((f) => new URL(f, import.meta.url));
  // "tls-capture", not "capture-tls": remaking the capture input removes files named "capture-*".
  const { path, info } = await cachedFile(repo, "tls-capture", "pcap", sources, `ws ${ws} node ${process.versions.node}`, (p) => makeTlsCapture(p, log));
  return { path, keys: keyLogOf(path), bytes: statSync(path).size, info };
}

const sameTls = (a, b) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** Runs the rounds; returns { results (rows for the ratio table), detail (the section's table and notes) }. */
export async function runCaptureTls({ repo, log }) {
  const why = missing(repo);
  if (why) throw new Error(`capture-tls rows: ${why}`);
  const { path: file, keys, bytes, info } = await tlsCaptureFile(repo, log);
  log(`capture-tls: ${file} (${(bytes / 1e6).toFixed(1)} MB) and its key log`);
  const cli = join(repo, "target", "release", "wsinspect");
  const peers = [
    { key: "native", name: "wsinspect native (CLI: wsinspect decode FILE --keylog KEYS)", run: () => {
      const r = timed(cli, ["decode", file, "--keylog", keys], repo);
      return { ...r, counts: countCli(r.stdout) };
    } },
    { key: "wasm", name: "wsinspect wasm in Node (CaptureDecoder, keyLog, 1 MiB slices read into wasm memory, streams: false)", run: () => {
      const r = timed(process.execPath, [join(repo, "bench", "capture", "node-decode.mjs"), file, keys], repo);
      const out = JSON.parse(r.stdout.trim().split("\n").pop());
      if (out.error) throw new Error(`CaptureDecoder: ${out.error}`);
      return { ...r, peakKiB: out.maxRSS, own: out.ms, counts: { conversations: out.conversations, frames: out.frames, tls: out.tls } };
    } },
    { key: "tshark", name: "tshark -r FILE -o tls.keylog_file:KEYS -Y websocket -T fields -e websocket.payload", run: () => {
      const r = timed("tshark", TSHARK_ARGS(file, keys), repo);
      return { ...r, counts: countTsharkPayloads(r.stdout) };
    } },
  ];
  const stats = readerRounds(peers, bytes, log, "capture-tls");
  log("capture-tls: tshark's exact frame and connection count (untimed)");
  const exact = tsharkExact(file, repo, PREFS(keys));
  stats.tshark.counts = { ...stats.tshark.counts, ...exact, payloadFrames: stats.tshark.counts.frames };
  const results = [
    readerRow("capture-tls-native", stats, "native", bytes, TARGETS.native),
    readerRow("capture-tls-wasm", stats, "wasm", bytes, null),
  ];
  const n = stats.native.counts, w = stats.wasm.counts;
  const agree = n.conversations === exact.conversations && w.conversations === exact.conversations
    && n.frames === exact.frames && w.frames === exact.frames;
  const decrypted = (t) => Object.entries(t).filter(([m]) => m.endsWith(", decrypted")).reduce((s, [, c]) => s + c, 0);
  const tlsAgree = sameTls(n.tls, w.tls) && decrypted(n.tls) === info.connections;
  return { results, detail: { file, bytes, info, stats, agree, tlsAgree } };
}

/** The notes under the capture-tls table (captureTable gives the table). */
export function captureTlsNotes(detail) {
  const { info, bytes, stats, agree, tlsAgree } = detail;
  const perCopy = info.connections / info.copies;
  const suites = Object.entries(info.suites).map(([s, c]) => `${c} ${s}`).join(", ");
  const tally = (t) => Object.entries(t).sort().map(([m, c]) => `${c} × ${m}`).join("; ");
  return [
    `The file: ${(bytes / 1e6).toFixed(1)} MB, ${info.packets} packets, ${info.connections} wss:// connections, and a key log of ${info.keyLines} lines (bench/lib/tls-capture-input.mjs): one real recording (tcpdump -i lo of npm ws clients of a ws server on Node's https: ${perCopy} clients, ${suites}, half of each with permessage-deflate; the capture rows' messages of 8 bytes to 1 MiB; ${(info.baseBytes / 1e6).toFixed(1)} MB, ${info.basePackets} packets; the key log from the server's 'keylog' events) replicated ${info.copies} times with new client ports, shifted sequence numbers and timestamps, the server port on 443 (tshark reads TLS there, no -d decode-as needed), merged in time order; each copy keeps its handshake, so its client random, and the one key log decrypts them all. Made once, cached in target/bench-inputs/cache/.`,
    `Each reader is a child process timed spawn to exit (the median of ${stats.native.rounds} rounds after a warm-up round, readers rotated each round); MB/s is the file's size over that time. The Node row's time includes starting Node and init() (reading the key log and the file, decrypting and decoding alone is in brackets). Peaks: /usr/bin/time -f %M for the CLI and tshark, process.resourceUsage().maxRSS for Node. Target: native at least ${TARGETS.native}x tshark (issue 17); the wasm row has none.`,
    `Found: ${agree ? "every reader found the same conversations and frames" : "the readers DISAGREE on conversations or frames"} (tshark's from an untimed run with -e tcp.stream -e websocket.opcode; the timed command's fields show only frames with payload).`,
    `TLS connections: ${tlsAgree ? `the CLI and the package decrypted all ${info.connections}` : "the CLI and the package DISAGREE, or not every connection was decrypted"} (CLI: ${tally(stats.native.counts.tls)}${tlsAgree ? "" : `; package: ${tally(stats.wasm.counts.tls)}`}).`,
  ];
}
