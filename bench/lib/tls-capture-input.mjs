// The capture-tls workload's input (issue 17): a ~50 MB classic pcap of wss:// traffic and the
// NSS key log that decrypts it, made once and cached (cachedFile, keyed by this file's and
// capture-input.mjs's sources and by ws's and Node's versions: Node's OpenSSL picks the suites).
//
// How it is made: one real recording (tcpdump -i lo, as root: recordWith) of the capture
// input's 48 npm `ws` clients (capture-input.mjs: the same message mix, half offering
// permessage-deflate) talking to one `ws` echo server over Node's https, which holds a
// self-signed P-256 and a self-signed RSA 2048 certificate made by Debian's openssl in a
// temporary folder (tests/support/tls-captures.js certificate()). The TLS varies by client,
// each choice with and without deflate: half TLS 1.3 with Node's default suite
// (TLS_AES_256_GCM_SHA384 between two Nodes), a quarter TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, a
// quarter TLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305 (maxVersion "TLSv1.2" and ciphers set by the
// client); what the server negotiated is checked against what each client asked for. The key
// log is the server's 'keylog' events: every secret of every connection (TLS 1.3's traffic
// secrets, TLS 1.2's CLIENT_RANDOM lines). The recording is then replicated to ~50 MB as the
// capture input is (replicate(): new client ports, shifted sequence numbers and times,
// checksums recomputed), with the server port on 443, where tshark reads TLS without a -d
// decode-as. The key log stays valid for every copy: a copy keeps its handshake, so its
// client random.
import { once } from "node:events";
import { createServer } from "node:https";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLIENTS, captureUnavailable, client, echoServer, replicate } from "./capture-input.mjs";
import { recordWith } from "../../tests/support/capture.js";

export const TARGET_BYTES = 50_000_000;
/** The copies' server port: tshark's TLS (and HTTP inside it) port, no decode-as needed. */
export const SERVER_PORT = 443;

/**
 * Client `c`'s TLS: [name, ws/tls.connect options]. Every two clients (one with deflate, one
 * without) take the next of four: TLS 1.3, TLS 1.3, TLS 1.2 AES-128-GCM, TLS 1.2 ChaCha20.
 */
function tlsOf(c) {
  const tls12 = (ciphers) => [`TLS 1.2 ${ciphers}`, { maxVersion: "TLSv1.2", ciphers }];
  return [
    ["TLS 1.3", {}],
    ["TLS 1.3", {}],
    tls12("ECDHE-RSA-AES128-GCM-SHA256"),
    tls12("ECDHE-ECDSA-CHACHA20-POLY1305"),
  ][Math.floor(c / 2) % 4];
}

/**
 * The wss:// traffic on `port`: CLIENTS connections at once to a ws echo server on https.
 * Returns { keys (the server's key log), suites ({ "TLS 1.3 TLS_AES_256_GCM_SHA384": clients, ... }) }.
 */
async function traffic(port, dir) {
  // Imported here: tls-captures.js brings playwright-core, which only making the input needs.
  const { certificate } = await import("../../tests/support/tls-captures.js");
  const ec = certificate(dir, "ec");
  const rsa = certificate(dir, "rsa");
  const https = createServer({ key: [ec, rsa].map((c) => readFileSync(c.key)), cert: [ec, rsa].map((c) => readFileSync(c.cert)) });
  const keys = [];
  https.on("keylog", (line) => keys.push(line));
  const server = echoServer({ server: https });
  const suites = {};
  const wrong = [];
  server.on("connection", (ws, req) => {
    const c = Number(req.url.split("/").pop());
    const [asked, options] = tlsOf(c);
    const version = req.socket.getProtocol().replace(/^TLSv/, "TLS ");
    const cipher = req.socket.getCipher();
    if (!asked.startsWith(version) || (options.ciphers && cipher.name !== options.ciphers)) wrong.push(`client ${c} asked for ${asked}, got ${version} ${cipher.name}`);
    const name = `${version} ${cipher.standardName}`;
    suites[name] = (suites[name] ?? 0) + 1;
  });
  https.listen(port, "127.0.0.1");
  await once(https, "listening");
  try {
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) =>
      client(`wss://127.0.0.1:${port}/feed/${c}`, c, { rejectUnauthorized: false, ...tlsOf(c)[1] })));
  } finally {
    for (const ws of server.clients) ws.terminate();
    server.close();
    https.close();
  }
  if (wrong.length) throw new Error(`TLS not as asked: ${wrong.join("; ")}`);
  return { keys: Buffer.concat(keys), suites };
}

/** Where makeTlsCapture puts the key log of the pcap `file`. */
export const keyLogOf = (file) => `${file}.keys`;

/** Records the base capture, then writes the ≥ 50 MB replicated `file` and its key log (keyLogOf). */
export async function makeTlsCapture(file, log = () => {}) {
  const why = captureUnavailable();
  if (why) throw new Error(`cannot make the wss capture: ${why}`);
  const port = 20000 + ((process.pid + 7) % 20000);
  const base = `${file}.base.pcap`;
  const dir = mkdtempSync(join(tmpdir(), "wsinspect-bench-tls-"));
  let recorded;
  try {
    log(`capture-tls: recording ${CLIENTS} wss connections on lo port ${port}`);
    await recordWith(base, { filter: `tcp port ${port}` }, async () => { recorded = await traffic(port, dir); }, { timeout: 120_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const buf = readFileSync(base);
  rmSync(base);
  const { bytes, info } = replicate(buf, port, { targetBytes: TARGET_BYTES, serverPort: SERVER_PORT });
  log(`capture-tls: ${info.basePackets} packets, ${(info.baseBytes / 1e6).toFixed(1)} MB recorded; ${info.copies} copies`);
  writeFileSync(file, bytes);
  writeFileSync(keyLogOf(file), recorded.keys);
  return { ...info, connections: info.copies * CLIENTS, suites: recorded.suites, keyLines: recorded.keys.toString().split("\n").filter(Boolean).length };
}
