// Recorded wss:// conversations (issue 17) for tests/node/tls.test.js and
// tests/fixtures/captures/record-tls.mjs: PyPI websockets over TLS on both ends
// (tests/interop/websockets_tls_peer.py) with each TLS 1.3 and TLS 1.2 suite forced, headless
// Chromium and `openssl s_client` (TLS 1.3 KeyUpdates) as clients of the same server, recorded
// on loopback with tcpdump (tests/support/capture.js) while each side writes an NSS key log;
// tshark's decryption of a recording is the reference (../shared/TOOLCHAIN.md, "captures",
// "TLS test peers").
import { chromium } from "playwright-core";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { framesOf, record, tool } from "./capture.js";
import { readPcap, tcpOf, dataSegments, reassembled } from "./capture-files.js";
import { spawnPeer, python, readLog, repo } from "./peers.js";
import { script } from "../interop/script.js";

const TLS_PEER = join(repo, "tests", "interop", "websockets_tls_peer.py");

/** The name the test certificate carries (DNS and SAN), sent as SNI where a scenario says so. */
export const SERVER_NAME = "wsinspect.test";

/**
 * The suites the scenarios force: OpenSSL's name (what Python's ssl reports) to the IANA
 * name (RFC 8446 §B.4, RFC 5289, RFC 7905), the name `conversation.tls.cipherSuite` uses.
 */
export const SUITES = {
  TLS_AES_128_GCM_SHA256: "TLS_AES_128_GCM_SHA256",
  TLS_AES_256_GCM_SHA384: "TLS_AES_256_GCM_SHA384",
  TLS_CHACHA20_POLY1305_SHA256: "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "ECDHE-RSA-CHACHA20-POLY1305": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "AES128-GCM-SHA256": "TLS_RSA_WITH_AES_128_GCM_SHA256",
  // Suites the core does not decrypt (unsupportedScenarios).
  TLS_AES_128_CCM_SHA256: "TLS_AES_128_CCM_SHA256",
  "ECDHE-ECDSA-AES128-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
};

/**
 * The recorded scenarios: `slug` (the fixture's name where there is one), `client`
 * ("websockets" or "chromium"; the server is always the Python peer), `tls` ("1.3" | "1.2"),
 * `suite` (OpenSSL's name, forced; null: whatever the two agree), `key` ("ec" | "rsa": a
 * TLS 1.2 ECDHE-RSA suite needs an RSA certificate, ECDHE-ECDSA an EC one), `deflate`,
 * `serverName` (the SNI sent and verified, or null: the client connects to 127.0.0.1 without
 * SNI and without verifying), `alpn` (offered by the client and chosen by the server, or null),
 * `serverGroups` (the only key exchange groups the server takes, when set).
 */
export const tlsScenarios = [
  { slug: "wss-tls13", client: "websockets", tls: "1.3", suite: "TLS_AES_128_GCM_SHA256", key: "ec", deflate: "on", serverName: SERVER_NAME, alpn: "http/1.1" },
  { slug: "wss-tls13-aes256", client: "websockets", tls: "1.3", suite: "TLS_AES_256_GCM_SHA384", key: "rsa", deflate: "off", serverName: null, alpn: null },
  { slug: "wss-tls13-chacha", client: "websockets", tls: "1.3", suite: "TLS_CHACHA20_POLY1305_SHA256", key: "ec", deflate: "off", serverName: null, alpn: "http/1.1" },
  { slug: "wss-tls12-gcm", client: "websockets", tls: "1.2", suite: "ECDHE-RSA-AES128-GCM-SHA256", key: "rsa", deflate: "on", serverName: SERVER_NAME, alpn: "http/1.1" },
  { slug: "wss-tls12-gcm384", client: "websockets", tls: "1.2", suite: "ECDHE-ECDSA-AES256-GCM-SHA384", key: "ec", deflate: "off", serverName: null, alpn: null },
  { slug: "wss-tls12-chacha", client: "websockets", tls: "1.2", suite: "ECDHE-ECDSA-CHACHA20-POLY1305", key: "ec", deflate: "no-context-takeover", serverName: SERVER_NAME, alpn: null },
  // RSA key exchange: the client sends the pre-master secret under the server's RSA key; the
  // key log's CLIENT_RANDOM line still holds the master secret.
  { slug: "wss-tls12-rsa", client: "websockets", tls: "1.2", suite: "AES128-GCM-SHA256", key: "rsa", deflate: "on", serverName: null, alpn: null },
  // The server takes only P-256 key shares: the client's first ClientHello (an X25519 share)
  // is answered with a HelloRetryRequest, and the ServerHello follows a second ClientHello.
  { slug: "wss-tls13-hrr", client: "websockets", tls: "1.3", suite: null, key: "ec", deflate: "on", serverName: SERVER_NAME, alpn: null, serverGroups: "P-256" },
  { slug: "wss-chromium", client: "chromium", tls: "1.3", suite: null, key: "ec", deflate: "on", serverName: SERVER_NAME, alpn: "http/1.1" },
].map((s) => ({ ...s, name: `${s.client} client, TLS ${s.tls} ${s.suite ?? "(the peers' choice)"}, ${s.key.toUpperCase()} key, deflate ${s.deflate}${s.serverGroups ? `, server groups ${s.serverGroups} (HelloRetryRequest)` : ""}` }));

/** Suites recorded to be named and not decrypted ("unsupported-suite"): TLS 1.3 AES-CCM, TLS 1.2 AES-CBC. */
export const unsupportedScenarios = [
  { slug: "wss-tls13-ccm", client: "websockets", tls: "1.3", suite: "TLS_AES_128_CCM_SHA256", key: "ec", deflate: "off", serverName: SERVER_NAME, alpn: null },
  { slug: "wss-tls12-cbc", client: "websockets", tls: "1.2", suite: "ECDHE-ECDSA-AES128-SHA256", key: "ec", deflate: "off", serverName: null, alpn: null },
].map((s) => ({ ...s, name: `${s.client} client, TLS ${s.tls} ${s.suite} (not decrypted)` }));

/**
 * A self-signed certificate for SERVER_NAME and 127.0.0.1 made by Debian's openssl into `dir`
 * (once per directory and key type): { cert, key } (PEM files).
 */
export function certificate(dir, type = "ec") {
  const cert = join(dir, `server-${type}.pem`), key = join(dir, `server-${type}.key`);
  if (!existsSync(cert)) {
    const newkey = type === "rsa" ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
    tool("openssl", ["req", "-x509", ...newkey, "-nodes", "-keyout", key, "-out", cert, "-days", "2",
      "-subj", `/CN=${SERVER_NAME}`, "-addext", `subjectAltName=DNS:${SERVER_NAME},IP:127.0.0.1`]);
  }
  return { cert, key };
}

/**
 * An OPENSSL_CONF file whose system default has `settings` (SSL_CONF_cmd names:
 * { Ciphersuites: "TLS_CHACHA20_POLY1305_SHA256" } allows only that TLS 1.3 suite, { Groups:
 * "P-256" } only that key exchange group): Python's ssl has no call to set either, OpenSSL
 * reads them from here when it starts. Its path (one file per settings).
 */
export function opensslConf(dir, settings) {
  const lines = Object.entries(settings).map(([k, v]) => `${k} = ${v}`);
  const file = join(dir, `openssl-${lines.join("-").replace(/[^A-Za-z0-9_-]+/g, "")}.cnf`);
  writeFileSync(file, [
    "openssl_conf = openssl_init",
    "[openssl_init]", "ssl_conf = ssl_configuration",
    "[ssl_configuration]", "system_default = tls_defaults",
    "[tls_defaults]", ...lines, "",
  ].join("\n"));
  return file;
}

/** "TLSv1.3" (Python's ssl) -> "TLS 1.3" (conversation.tls.version). */
const versionName = (v) => v.replace(/^TLSv/, "TLS ");

/**
 * Records one scenario into `dir`, the client saying the script in `scriptFile` (a JSON of
 * tests/interop/script.js's shape). Resolves to { name, slug, file, keyLog (the client's),
 * serverKeyLog, clientPort, serverPort, client: log, server: log, expected: { version,
 * cipherSuite (IANA), sni, alpn } }: what the server says it negotiated, checked against
 * what the scenario forced.
 */
export async function recordTls(scenario, dir, scriptFile) {
  const recorder = { chromium: recordChromium, s_client: recordSClient, websockets: recordPython }[scenario.client];
  const recorded = await recorder(scenario, dir, scriptFile);
  const tls = recorded.server.tls;
  if (!tls) throw new Error(`${scenario.name}: the server logged no TLS connection`);
  const expected = { version: versionName(tls.version), cipherSuite: SUITES[tls.cipher] ?? tls.cipher, sni: tls.sni, alpn: tls.alpn };
  const forced = { version: `TLS ${scenario.tls}`, cipherSuite: scenario.suite ? SUITES[scenario.suite] : expected.cipherSuite, sni: scenario.serverName, alpn: scenario.alpn };
  if (JSON.stringify(expected) !== JSON.stringify(forced)) {
    throw new Error(`${scenario.name}: negotiated ${JSON.stringify(expected)}, not what the scenario forced: ${JSON.stringify(forced)}`);
  }
  return { name: scenario.name, slug: scenario.slug, ...recorded, clientPort: clientPortOf(recorded.file, recorded.serverPort), expected };
}

/** The Python peers (websockets_tls_peer.py) on both ends. */
async function recordPython(scenario, dir, scriptFile) {
  const { cert, key } = certificate(dir, scenario.key);
  const at = (what) => join(dir, `${scenario.slug}.${what}`);
  const file = at("pcap"), keyLog = at("keys"), serverKeyLog = at("server.keys"), clientLog = at("client.json"), serverLog = at("server.json");
  // TLS 1.3 suites (both peers) and the server's groups come from OPENSSL_CONF in the peers'
  // environment (spawnPeer passes its own environment on, so `env` puts the variable in
  // front of the command).
  const suites = scenario.tls === "1.3" && scenario.suite ? { Ciphersuites: scenario.suite } : {};
  const confs = {
    client: Object.keys(suites).length ? opensslConf(dir, suites) : null,
    server: scenario.serverGroups || Object.keys(suites).length ? opensslConf(dir, { ...suites, ...(scenario.serverGroups ? { Groups: scenario.serverGroups } : {}) }) : null,
  };
  const command = (role, args) => (confs[role]
    ? ["env", [`OPENSSL_CONF=${confs[role]}`, python(), TLS_PEER, role, ...args]]
    : [python(), [TLS_PEER, role, ...args]]);
  // TLS 1.2 suites: both peers allow only the one (Python's client leaves RSA key exchange out).
  const common = ["--tls", scenario.tls, "--deflate", scenario.deflate, ...(scenario.alpn ? ["--alpn", scenario.alpn] : []),
    ...(scenario.tls === "1.2" && scenario.suite ? ["--ciphers", scenario.suite] : [])];
  const peers = [];
  try {
    const server = spawnPeer(...command("server", ["--host", "127.0.0.1", "--cert", cert, "--key", key, ...common,
      "--keylog", serverKeyLog, "--log", serverLog]));
    peers.push(server);
    const port = await server.port;
    const trust = scenario.serverName ? ["--cafile", cert, "--server-name", scenario.serverName] : [];
    await record(file, port, async () => {
      const client = spawnPeer(...command("client", ["--url", `wss://127.0.0.1:${port}/chat`, ...trust, ...common,
        "--keylog", keyLog, "--script", scriptFile, "--log", clientLog]));
      peers.push(client);
      await client.done;
      await server.done;
    });
    return { file, keyLog, serverKeyLog, serverPort: port, client: readLog(clientLog), server: readLog(serverLog) };
  } finally {
    for (const p of peers) p.stop();
  }
}

/**
 * Headless Chromium (Debian's, through playwright-core, as tests/support/browser.js launches
 * it, plus the key log, the test certificate accepted and SERVER_NAME resolved to 127.0.0.1)
 * as the client of the Python TLS server: a blank page opens a wss:// socket, sends the
 * script's messages (each echoed; a browser cannot fragment or ping, so the "frag:" text goes
 * whole and there is no ping) and closes with the script's code and reason.
 */
async function recordChromium(scenario, dir, scriptFile) {
  const { cert, key } = certificate(dir, scenario.key);
  const at = (what) => join(dir, `${scenario.slug}.${what}`);
  const file = at("pcap"), keyLog = at("keys"), serverKeyLog = at("server.keys"), serverLog = at("server.json");
  const peers = [];
  let browser;
  try {
    const server = spawnPeer(python(), [TLS_PEER, "server", "--host", "127.0.0.1", "--cert", cert, "--key", key, "--tls", scenario.tls,
      "--deflate", scenario.deflate, ...(scenario.alpn ? ["--alpn", scenario.alpn] : []), "--keylog", serverKeyLog, "--log", serverLog]);
    peers.push(server);
    const port = await server.port;
    browser = await chromium.launch({
      executablePath: execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim(),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
        `--ssl-key-log-file=${keyLog}`, "--ignore-certificate-errors", `--host-resolver-rules=MAP ${SERVER_NAME} 127.0.0.1`],
    });
    const page = await browser.newPage();
    let log;
    await record(file, port, async () => {
      log = await page.evaluate(tlsPage, { url: `wss://${scenario.serverName ?? "127.0.0.1"}:${port}/chat`, script: JSON.parse(readFileSync(scriptFile, "utf8")) });
      await server.done;
    });
    // Chromium writes its key log from another thread: closing the browser flushes it.
    await browser.close();
    browser = null;
    return { file, keyLog, serverKeyLog, serverPort: port, client: log, server: readLog(serverLog) };
  } finally {
    await browser?.close();
    for (const p of peers) p.stop();
  }
}

/** Runs in the page: the client's side of the script; returns its log (the shape of the peers'). */
async function tlsPage({ url, script }) {
  const hexOf = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  const fromHex = (h) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
  const log = { peer: navigator.userAgent, role: "client", extensions: null, events: [] };
  const bounded = (promise, what, ms = 10_000) => Promise.race([promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`page: no ${what} in ${ms} ms`)), ms))]);
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const queue = [], pending = [];
  ws.onmessage = (e) => {
    const ev = typeof e.data === "string" ? { dir: "received", type: "text", text: e.data } : { dir: "received", type: "binary", hex: hexOf(e.data) };
    log.events.push(ev);
    (pending.shift() ?? ((x) => queue.push(x)))(ev);
  };
  const next = (what) => bounded(queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => pending.push(r)), what);
  const closed = new Promise((resolve) => { ws.onclose = resolve; });
  await bounded(new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error(`page: socket error on ${url}`)); }), "open");
  log.extensions = ws.extensions || null;
  for (const m of script.messages) {
    if (m.type === "text") ws.send(m.text);
    else ws.send(fromHex(m.hex));
    log.events.push(m.type === "text" ? { dir: "sent", type: "text", text: m.text } : { dir: "sent", type: "binary", hex: m.hex });
    await next("echo");
  }
  ws.close(script.close.code, script.close.reason);
  log.events.push({ dir: "sent", type: "close", ...script.close });
  const e = await bounded(closed, "close");
  log.events.push({ dir: "received", type: "close", code: e.code, reason: e.reason });
  return log;
}

/**
 * TLS 1.3 key updates from real OpenSSL, recorded apart from tlsScenarios (its client says
 * no script): `openssl s_client` as a hand-driven WebSocket client of the Python TLS server.
 */
export const keyUpdateScenario = {
  slug: "wss-tls13-keyupdate", client: "s_client", tls: "1.3", suite: null, key: "ec", deflate: "off", serverName: null, alpn: null,
  name: "openssl s_client, TLS 1.3 with KeyUpdates both ways, deflate off",
};

/** The texts s_client sends, each after its command (k: a KeyUpdate; K: one asking the peer to update too). */
export const KEY_UPDATE_STEPS = [[null, "before the key update"], ["k", "after the client's key update"], ["K", "after both sides' key updates"]];

/**
 * keyUpdateScenario: the upgrade request, then for each of KEY_UPDATE_STEPS its command and a
 * masked text, then a close (1000 "done"), each step once s_client has printed the answer to
 * the last (the 101, its "KEYUPDATE" line, the echo); the server's OpenSSL answers the
 * KeyUpdate that asks for one with its own. The client's log is what was sent and echoed.
 */
async function recordSClient(scenario, dir) {
  const { cert, key } = certificate(dir, scenario.key);
  const at = (what) => join(dir, `${scenario.slug}.${what}`);
  const file = at("pcap"), keyLog = at("keys"), serverKeyLog = at("server.keys"), serverLog = at("server.json");
  const log = { peer: `openssl s_client (${tool("openssl", ["version"]).trim()})`, role: "client", extensions: null, events: [] };
  let server, client;
  try {
    server = spawnPeer(python(), [TLS_PEER, "server", "--host", "127.0.0.1", "--cert", cert, "--key", key, "--tls", scenario.tls,
      "--deflate", scenario.deflate, "--keylog", serverKeyLog, "--log", serverLog]);
    const port = await server.port;
    await record(file, port, async () => {
      // Not spawnPeer: s_client reads its input (and its commands) from stdin.
      client = spawn("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-tls1_3", "-keylogfile", keyLog], { stdio: ["pipe", "pipe", "pipe"] });
      let output = "";
      client.stdout.on("data", (d) => { output += d.toString("latin1"); });
      client.stderr.on("data", (d) => { output += d.toString("latin1"); });
      const exited = once(client, "exit");
      const count = (needle) => output.split(needle).length - 1;
      const waitFor = async (needle, times = 1) => {
        for (let waited = 0; count(needle) < times; waited += 10) {
          if (waited > 10_000 || client.exitCode !== null) throw new Error(`s_client: no ${JSON.stringify(needle)} (${times}) in 10 s\n${output}`);
          await sleep(10);
        }
      };
      client.stdin.write(`GET /chat HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      await waitFor("101 Switching Protocols");
      for (const [command, text] of KEY_UPDATE_STEPS) {
        if (command) {
          const updates = count("KEYUPDATE");
          client.stdin.write(command);
          await waitFor("KEYUPDATE", updates + 1);
        }
        client.stdin.write(maskedFrame(0x1, Buffer.from(text)));
        log.events.push({ dir: "sent", type: "text", text });
        await waitFor(text);
        log.events.push({ dir: "received", type: "text", text });
      }
      client.stdin.write(maskedFrame(0x8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from("done")])));
      log.events.push({ dir: "sent", type: "close", code: 1000, reason: "done" });
      await server.done;
      client.stdin.end();
      await exited;
    });
    return { file, keyLog, serverKeyLog, serverPort: port, client: log, server: readLog(serverLog) };
  } finally {
    server?.stop();
    if (client && client.exitCode === null && client.signalCode === null) {
      try { process.kill(client.pid, "SIGKILL"); } catch { /* already gone */ }
    }
  }
}

/** A client's masked frame (FIN, a random masking key; payloads under 126 bytes). */
function maskedFrame(opcode, payload) {
  const key = randomBytes(4);
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), key, payload.map((b, i) => b ^ key[i % 4])]);
}

/** The client port of the connection to `serverPort` in a tcpdump -i lo capture (its first SYN's source port). */
export function clientPortOf(file, serverPort) {
  for (const r of readPcap(file).records) {
    const t = tcpOf(r.data);
    if (t && t.dstport === serverPort && (t.flags & 0x12) === 0x02) return t.srcport;
  }
  throw new Error(`${file}: no SYN to port ${serverPort}`);
}

// ---- tshark's decryption ------------------------------------------------------------------


/**
 * tshark's arguments to decrypt the TLS on `serverPort`: `-d tcp.port==N,tls` (TLS on a port
 * it does not know; from there the HTTP heuristic or the ALPN finds the HTTP Upgrade, and the
 * WebSocket dissector the rest) and the key log, unless the file carries its own secrets
 * (keyLog null: a pcapng with a Decryption Secrets Block).
 */
export function tsharkTlsArgs(keyLog, serverPort) {
  return [...(keyLog ? ["-o", `tls.keylog_file:${keyLog}`] : []), "-d", `tcp.port==${serverPort},tls`];
}

/**
 * tshark's WebSocket frames of the decrypted wss:// connection on `serverPort`, in the shape
 * of capture.js's tsharkFrames: [{ direction, fin, rsv, opcode, mask, masking_key, payload_length,
 * packet }], `packet` being the frame.number of the packet whose TLS record completed the frame.
 */
export function tsharkTlsFrames(file, keyLog, serverPort) {
  return framesOf(JSON.parse(tool("tshark", ["-r", file, ...tsharkTlsArgs(keyLog, serverPort),
    "-Y", `websocket && tcp.port == ${serverPort}`, "-T", "json", "--no-duplicate-keys"])), serverPort);
}

/** `editcap --inject-secrets tls,KEYLOG`: a pcapng copy of `file` carrying its key log (a Decryption Secrets Block); its path. */
export function injectSecrets(file, keyLog, out) {
  tool("editcap", ["--inject-secrets", `tls,${keyLog}`, file, out]);
  return out;
}

// ---- TLS records, read here independently of the core ----------------------------------------

/**
 * The TLS records of the connection of `clientPort` in a classic pcap, in stream order per
 * direction: [{ direction, type (20 ChangeCipherSpec, 21 alert, 22 handshake, 23 application
 * data), offset (stream offset of its 5-byte header), length (of its fragment), packets
 * (0-based record indexes holding its bytes, first to last) }]. Each stream byte is taken
 * from the first captured segment holding it, so a retransmission overlapping earlier
 * segments at another offset, or a keep-alive probe, neither shifts nor cuts the stream (a
 * CI run once failed here on a Chromium recording); the stream ends at its first hole.
 */
export function tlsRecords(file, clientPort) {
  const segments = dataSegments(readPcap(file), clientPort);
  const out = [];
  for (const direction of ["client", "server"]) {
    const { stream, packetAt } = reassembled(segments, direction);
    for (let at = 0; at + 5 <= stream.length;) {
      const length = stream.readUInt16BE(at + 3);
      if (at + 5 + length > stream.length) break;
      out.push({ direction, type: stream[at], offset: at, length, packets: [...new Set([packetAt(at), packetAt(at + 4 + length)])] });
      at += 5 + length;
    }
  }
  return out;
}

/**
 * What a record adds to its plaintext: TLS 1.3 the 16-byte tag and the inner content type
 * (RFC 8446 §5.2; OpenSSL and BoringSSL add no padding); TLS 1.2 AES-GCM an 8-byte explicit
 * nonce and the tag (RFC 5288 §3), ChaCha20-Poly1305 the tag alone (RFC 7905 §2).
 */
export function recordOverhead(version, cipherSuite) {
  if (version === "TLS 1.3") return 17;
  return /CHACHA20/.test(cipherSuite) ? 16 : 24;
}

/**
 * Each direction's decrypted application data as tshark types its records (the inner content
 * type, for TLS 1.3) and tlsRecords places them: [{ direction, offset (in that direction's
 * plaintext, what the WebSocket frames' offsets count), length, first, last (1-based packets
 * of the record's first and last bytes) }]. `at(direction, offset)` finds the record holding
 * a plaintext byte.
 */
export function plaintextRecords(file, keyLog, serverPort, clientPort, overhead) {
  const out = tool("tshark", ["-r", file, ...tsharkTlsArgs(keyLog, serverPort), "-Y", `tls && tcp.port == ${serverPort}`,
    "-T", "fields", "-e", "tcp.srcport", "-e", "tls.record.content_type", "-e", "tls.record.length"]);
  const types = { client: [], server: [] };
  for (const line of out.split("\n").filter(Boolean)) {
    const [port, type, length] = line.split("\t");
    const direction = Number(port) === serverPort ? "server" : "client";
    const lengths = length.split(",").map(Number);
    type.split(",").forEach((t, i) => types[direction].push({ type: Number(t), length: lengths[i] }));
  }
  const records = [];
  for (const direction of ["client", "server"]) {
    const placed = tlsRecords(file, clientPort).filter((r) => r.direction === direction);
    if (placed.length !== types[direction].length || placed.some((r, i) => r.length !== types[direction][i].length)) {
      throw new Error(`${file} ${direction}: tshark's records (${types[direction].length}) are not the ones read here (${placed.length})`);
    }
    let offset = 0;
    placed.forEach((r, i) => {
      if (types[direction][i].type !== 23) return;
      const length = r.length - overhead;
      records.push({ direction, offset, length, first: r.packets[0] + 1, last: r.packets[r.packets.length - 1] + 1 });
      offset += length;
    });
  }
  const at = (direction, offset) => records.find((r) => r.direction === direction && r.offset <= offset && offset < r.offset + r.length) ?? null;
  return { records, at };
}

// ---- key logs ---------------------------------------------------------------------------------

/** An NSS key log's secret lines: [{ label, clientRandom, secret }] (comments and blank lines skipped). */
export function keyLogEntries(text) {
  return text.split("\n").filter((l) => l.trim() && !l.startsWith("#")).map((l) => {
    const [label, clientRandom, secret] = l.trim().split(/\s+/);
    return { label, clientRandom, secret };
  });
}

/** The same key log with every secret replaced by random bytes of its length (the client randoms kept). */
export function randomSecrets(text) {
  return text.replace(/^(\S+ [0-9a-fA-F]{64} )([0-9a-fA-F]+)$/gm, (_, head, secret) =>
    head + Array.from({ length: secret.length }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join(""));
}

/** The scenario's script file in `dir` (tests/interop/script.js, or `messages` in its place); its path. */
export function writeTlsScript(dir, name = "script.json", messages = null) {
  const s = script();
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(messages ? { ...s, messages } : s));
  return file;
}
