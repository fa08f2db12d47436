// Records real WebSocket conversations on loopback with Debian's tcpdump, and turns the
// capture into the text forms people copy out of tshark and tcpdump, plus tshark's own
// WebSocket dissection as the reference (../shared/TOOLCHAIN.md, "captures").
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

const TOOL_TIMEOUT = 30_000;
const BIG = 256 * 1024 * 1024;

/** Why captures cannot be recorded here (the test is then skipped with it), or null. */
export function captureUnavailable() {
  if (process.getuid?.() !== 0) return "recording on loopback needs root (tcpdump -i lo)";
  for (const tool of ["tcpdump", "tshark"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
      return `${tool} is missing (scripts/setup.sh installs Debian's tshark and tcpdump as root)`;
    }
  }
  return null;
}

/**
 * Records every packet of TCP port `port` on loopback while `run()` runs; resolves to the
 * capture's path once tcpdump has exited (so the file is complete).
 */
export function record(file, port, run, options) {
  return recordWith(file, { filter: `tcp port ${port}` }, run, options);
}

/**
 * Records the packets `filter` selects on `iface` while `run()` runs; resolves to the
 * capture's path once tcpdump has exited (so the file is complete). tcpdump is started first
 * and given until it says it is listening (a capture started in the same instant as the
 * connection can miss the SYN), and is stopped by its process id, whatever `run` does; a
 * capture the kernel dropped packets from is an error.
 */
export async function recordWith(file, { iface = "lo", filter }, run, { timeout = 30_000 } = {}) {
  // -Z root: keep writing as root, so the capture can go into a folder only root may write.
  // -B: a 64 MB kernel buffer, so bursts of 64 KB loopback segments are not dropped;
  // --immediate-mode: packets reach the file at once, not when a ring block fills or times out
  // (without it, SIGINT leaves the last packets in the ring, unwritten).
  const tcpdump = spawn("tcpdump", ["-i", iface, "-U", "--immediate-mode", "-n", "-B", "65536", "-Z", "root", "-w", file, filter], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const exited = once(tcpdump, "exit");
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start in 10 s: ${stderr}`)), 10_000);
      tcpdump.stderr.on("data", (d) => {
        stderr += d;
        if (/listening on /.test(stderr)) { clearTimeout(timer); resolve(); }
      });
      tcpdump.once("exit", (code) => { clearTimeout(timer); reject(new Error(`tcpdump exited with ${code}: ${stderr}`)); });
    });
    await sleep(200);
    let timer;
    await Promise.race([
      run(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`scenario took more than ${timeout} ms`)), timeout); }),
    ]).finally(() => clearTimeout(timer));
    // Let the last segments (the closing FIN and ACKs) reach the capture.
    await sleep(200);
  } finally {
    if (tcpdump.exitCode === null) {
      process.kill(tcpdump.pid, "SIGINT");
      const killer = setTimeout(() => { try { process.kill(tcpdump.pid, "SIGKILL"); } catch { /* gone */ } }, 5_000);
      await exited;
      clearTimeout(killer);
    }
  }
  // tcpdump's closing lines: "N packets captured ... M packets dropped by kernel".
  const dropped = Number(stderr.match(/(\d+) packets? dropped by kernel/)?.[1] ?? 0);
  if (dropped) throw new Error(`tcpdump: ${dropped} packets dropped by kernel; the capture is incomplete`);
  return file;
}

/** Runs a capture tool and returns its standard output (its warnings about root are ignored). */
export function tool(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "latin1", maxBuffer: BIG, timeout: TOOL_TIMEOUT });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

/**
 * { stream, clientPort }: the tcp.stream index and client port of the connection whose HTTP
 * request path starts with `path` (other connections on the same port, such as a tap, are
 * then left out of every form).
 */
export function streamOf(file, path) {
  const out = tool("tshark", ["-r", file, "-Y", "http.request", "-T", "fields", "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "http.request.uri"]);
  for (const line of out.split("\n")) {
    const [stream, clientPort, uri] = line.split("\t");
    if (uri?.startsWith(path)) return { stream: Number(stream), clientPort: Number(clientPort) };
  }
  throw new Error(`no HTTP request for ${path} in ${file}:\n${out}`);
}

/** `tshark -qz follow,tcp,raw|hex,N`: Wireshark's Follow TCP Stream, the server's lines indented by a tab. */
export function follow(file, mode, stream = 0) {
  return tool("tshark", ["-r", file, "-qz", `follow,tcp,${mode},${stream}`]);
}

/** `tshark -x` of one connection's packets: link, IP and TCP headers in front of the payload,
 * each packet followed by tshark's own extra sections (reassembled, unmasked, decompressed). */
export function packetDump(file, stream = 0) {
  return tool("tshark", ["-r", file, "-x", "-Y", `tcp.stream == ${stream}`]);
}

/** `tcpdump -r F -xx` of the packets of one TCP port (a connection's client port picks it alone). */
export function tcpdumpDump(file, port) {
  return tool("tcpdump", ["-r", file, "-n", "-xx", `tcp port ${port}`]);
}

const one = (v) => (Array.isArray(v) ? v[0] : v);
const int = (v) => (String(one(v)).startsWith("0x") ? parseInt(one(v), 16) : Number(one(v)));
const bool = (v) => one(v) === "1" || one(v) === "True" || one(v) === "true";

/**
 * tshark's own WebSocket dissection of one connection, in wire order per direction:
 * [{ direction, fin, rsv, opcode, mask, masking_key, payload_length, packet }], where `rsv`
 * is the 3 reserved bits as a number (RSV1 = 4), `masking_key` hex (or null), `packet` the
 * frame.number of the packet that completed it. Several WebSocket frames in one packet are
 * several websocket layers: --no-duplicate-keys makes them one array (without it, tshark 4.0
 * repeats the key and JSON.parse keeps only the last frame).
 */
export function tsharkFrames(file, serverPort, stream = 0) {
  return framesOf(JSON.parse(tool("tshark", ["-r", file, "-Y", `websocket && tcp.stream == ${stream}`, "-T", "json", "--no-duplicate-keys"])), serverPort);
}

/** The WebSocket frames of tshark's `-T json --no-duplicate-keys` packets, in the shape of tsharkFrames. */
export function framesOf(packets, serverPort) {
  const frames = [];
  for (const p of packets) {
    const layers = p._source.layers;
    const direction = int(layers.tcp["tcp.srcport"]) === serverPort ? "server" : "client";
    const list = Array.isArray(layers.websocket) ? layers.websocket : [layers.websocket];
    for (const w of list) {
      const masked = bool(w["websocket.mask"]);
      frames.push({
        direction,
        fin: bool(w["websocket.fin"]),
        rsv: int(w["websocket.rsv"]),
        opcode: int(w["websocket.opcode"]),
        mask: masked,
        masking_key: masked ? String(one(w["websocket.masking_key"])).replaceAll(":", "") : null,
        // The 7-bit field, or the 16/64-bit extended length it announces (126, 127).
        payload_length: int(w["websocket.payload_length_ext_64"] ?? w["websocket.payload_length_ext_16"] ?? w["websocket.payload_length"]),
        packet: int(layers.frame["frame.number"]),
      });
    }
  }
  return frames;
}

/**
 * The chunks of a `follow,tcp,raw` text, in order: [{ direction, bytes }], where lines
 * indented by a tab are Node 1's (the server: Node 0 sent the first packet, the SYN).
 * Read here independently of the core, to push the same bytes into a ConversationDecoder.
 */
export function followChunks(text) {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("Node 1:")) + 1;
  if (start === 0) throw new Error("follow raw: no Node 1 line");
  const chunks = [];
  for (const line of lines.slice(start)) {
    if (line.startsWith("=====")) break;
    if (!line.trim()) continue;
    const direction = line.startsWith("\t") ? "server" : "client";
    const hex = line.trim();
    if (!/^([0-9a-f]{2})+$/.test(hex)) throw new Error(`follow raw: not a hex line: ${line.slice(0, 80)}`);
    chunks.push({ direction, bytes: Buffer.from(hex, "hex") });
  }
  return chunks;
}
