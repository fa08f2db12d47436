// The package's defaults keep a process (or a tab) alive: a maximum message size of 64 MiB
// and a budget for one decode, over which the result says so instead of trapping; one huge
// frame keeps no more than the maximum; arguments that are not bytes are refused. Memory is
// measured in a child process of its own, as its peak RSS over its RSS before the decode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { usePackedPackage } from "../support/packed.js";

let installed, ws;
usePackedPackage((module, install) => {
  ws = module;
  installed = install;
});

const MiB = 1 << 20;

/**
 * Runs `body` (an async function's source taking `ws`, `bomb` and `frame`) in a fresh Node
 * with the installed package; returns what it returns plus `growthMiB`, the peak RSS over the
 * RSS just before `body` ran.
 */
function inChild(body) {
  const entry = pathToFileURL(createRequire(join(installed.dir, "index.js")).resolve("wsinspect")).href;
  const script = `
    import { deflateRawSync, constants } from "node:zlib";
    const ws = await import(${JSON.stringify(entry)});
    await ws.default();
    // A permessage-deflate payload of n MiB of zeros, built 1 MiB at a time: each piece a
    // sync-flushed deflate of its own, ending in an empty stored block (00 00 FF FF), so
    // pieces join into one stream; the message's last four bytes go, as RFC 7692 §7.2.1
    // says, and the decoder adds them back.
    const piece = deflateRawSync(new Uint8Array(${MiB}), { finishFlush: constants.Z_SYNC_FLUSH });
    const bomb = (n) => {
      const out = new Uint8Array(piece.length * n);
      for (let i = 0; i < n; i++) out.set(piece, i * piece.length);
      return out.subarray(0, -4);
    };
    // One unmasked frame (as a server sends it), its length in the shortest encoding.
    const frame = (b0, payload) => {
      const n = payload.length;
      const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
      const out = new Uint8Array(head + n);
      out[0] = b0;
      if (head === 2) out[1] = n;
      else if (head === 4) { out[1] = 126; new DataView(out.buffer).setUint16(2, n); }
      else { out[1] = 127; new DataView(out.buffer).setBigUint64(2, BigInt(n)); }
      out.set(payload, head);
      return out;
    };
    const run = async (ws, bomb, frame) => { ${body} };
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    const result = await run(ws, bomb, frame);
    const growthMiB = Math.round((process.resourceUsage().maxRSS * 1024 - before) / ${MiB});
    process.stdout.write(JSON.stringify({ ...result, growthMiB }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8", maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out);
}

const summary = `
  const ids = r.violations.map((v) => v.id);
  const kept = r.messages.reduce((n, m) => n + m.data.length, 0);
  return { frames: r.frames.length, messages: r.messages.length, ids, notices: r.notices.map((n) => n.message), noticeIds: r.notices.map((n) => n.id), kept };
`;

test("decode() of a 1 GiB deflate bomb stays under 600 MB with the default limit", () => {
  // It used to take 2.3-3.1 GB, or trap the wasm ("RuntimeError: unreachable").
  const r = inChild(`
    const input = frame(0xc2, bomb(1024));
    const r = ws.decode(input, { role: "server", extensions: "permessage-deflate" });
    ${summary}
  `);
  console.log(`1 GiB bomb, default limit: ${r.growthMiB} MiB of growth; kept ${r.kept} bytes`);
  assert.deepEqual(r.ids, ["message-too-big"]);
  assert.ok(r.kept <= 64 * MiB);
  assert.match(r.notices.join("\n"), /default maximum message size of 64 MiB.*maxMessageSize/);
  assert.ok(r.growthMiB < 600, `growth ${r.growthMiB} MiB`);
});

test("many messages within the limit stop at the budget of one decode, with a notice", () => {
  // 16 messages of 48 MiB each (768 MiB in all): past 256 MiB the decoder stops and says so.
  const r = inChild(`
    const one = frame(0xc2, bomb(48));
    const input = new Uint8Array(one.length * 16);
    for (let i = 0; i < 16; i++) input.set(one, i * one.length);
    const r = ws.decode(input, { role: "server", protocol: "rfc6455", extensions: "permessage-deflate" });
    ${summary}
  `);
  console.log(`16 x 48 MiB, default budget: ${r.growthMiB} MiB of growth; ${r.messages} messages kept`);
  assert.deepEqual(r.ids, []);
  assert.ok(r.messages >= 5 && r.messages < 16, `${r.messages} messages`);
  assert.equal(r.notices.length, 1);
  assert.match(r.notices[0], /^decoding stopped at byte \d+: the results reached the budget of 256 MiB for one decode; pass maxTotalSize/);
  assert.ok(r.growthMiB < 600, `growth ${r.growthMiB} MiB`);
});

test("maxMessageSize bounds what one huge frame keeps", () => {
  // A 2^62-byte frame, 256 MiB of it pushed, maxMessageSize 1 MiB: it used to keep it all (+514 MB).
  const r = inChild(`
    const d = new ws.Decoder({ role: "client", maxMessageSize: ${MiB} });
    const header = new Uint8Array(14);
    header[0] = 0x82; header[1] = 0xff;
    new DataView(header.buffer).setBigUint64(2, 1n << 62n);
    const ids = d.push(header).violations.map((v) => v.id);
    const chunk = new Uint8Array(${MiB});
    for (let i = 0; i < 256; i++) ids.push(...d.push(chunk).violations.map((v) => v.id));
    const end = d.end();
    d.free();
    return { ids, have: end.incomplete.have, kept: end.incomplete.partial.payload.length, needed: end.incomplete.needed };
  `);
  console.log(`2^62-byte frame, 256 MiB pushed, maxMessageSize 1 MiB: ${r.growthMiB} MiB of growth`);
  assert.deepEqual(r.ids, ["message-too-big"]);
  assert.equal(r.have, 14 + 256 * MiB);
  assert.ok(r.kept <= MiB);
  assert.equal(r.needed, "more than 2^53");
  assert.ok(r.growthMiB < 64, `growth ${r.growthMiB} MiB`);
});

test("the default maximum is 64 MiB; a number raises it and Infinity lifts it", () => {
  assert.equal(ws.DEFAULT_MAX_MESSAGE_SIZE, 64 * MiB);
  assert.equal(ws.DEFAULT_MAX_TOTAL_SIZE, 256 * MiB);
  // A header announcing 64 MiB + 1: too big by default, only the header is here.
  const header = new Uint8Array(10);
  header[0] = 0x82; header[1] = 127;
  new DataView(header.buffer).setBigUint64(2, BigInt(64 * MiB + 1));
  const ids = (options) => ws.decode(header, { role: "server", ...options }).violations.map((v) => v.id);
  assert.deepEqual(ids({}), ["message-too-big"]);
  assert.deepEqual(ids({ maxMessageSize: null }), ["message-too-big"]);
  assert.deepEqual(ids({ maxMessageSize: 128 * MiB }), []);
  assert.deepEqual(ids({ maxMessageSize: Infinity }), []);
  // The budget counts payload and message bytes (a message of one frame shares its payload);
  // it is checked after each MiB pushed. Infinity lifts it too.
  const three = new Uint8Array(3 * (MiB + 10));
  for (let i = 0; i < 3; i++) {
    three[i * (MiB + 10)] = 0x82;
    three[i * (MiB + 10) + 1] = 127;
    new DataView(three.buffer).setBigUint64(i * (MiB + 10) + 2, BigInt(MiB));
  }
  const small = ws.decode(three, { role: "server", protocol: "rfc6455", maxTotalSize: MiB + 1 });
  assert.equal(small.frames.length, 2);
  assert.deepEqual(small.notices.map((n) => n.id), ["budget-reached"]);
  assert.deepEqual(small.notices.map((n) => n.message), [`decoding stopped at byte ${3 * MiB}: the results reached the budget of ${MiB + 1} bytes for one decode; pass maxTotalSize (a larger number of bytes, or Infinity) to decode further`]);
  assert.equal(small.incomplete, null);
  assert.equal(ws.decode(three, { role: "server", maxTotalSize: Infinity }).frames.length, 3);
  const ten = new Uint8Array(10);
  assert.throws(() => ws.decode(ten, { maxTotalSize: -1 }), /maxTotalSize must be a number/);
  assert.throws(() => ws.decode(ten, { maxMessageSize: -1 }), /maxMessageSize must be an integer/);
});

test("an incomplete count above 2^53 says so instead of a rounded number", () => {
  const header = (declared) => {
    const h = new Uint8Array(10);
    h[0] = 0x82; h[1] = 127;
    new DataView(h.buffer).setBigUint64(2, declared);
    return h;
  };
  const needed = (declared) => ws.decode(header(declared), { role: "server", maxMessageSize: Infinity }).incomplete;
  assert.equal(needed(1n << 40n).needed, 2 ** 40);
  assert.equal(needed(2n ** 53n - 1n).needed, 2 ** 53 - 1);
  assert.equal(needed(2n ** 53n).needed, 2 ** 53);
  const big = needed((1n << 62n) + 3n);
  assert.equal(big.needed, "more than 2^53");
  assert.match(big.message, /: 4611686018427387907 more bytes needed/);
});

test("push and decode refuse what is not bytes, and the decoder stays usable", () => {
  const d = new ws.Decoder();
  // It used to take {length: 1e9} as a gigabyte of zeros.
  assert.throws(() => d.push({ length: 1e9 }), (e) => e instanceof TypeError && /Decoder.push needs a Uint8Array, got Object/.test(e.message));
  assert.throws(() => d.push("81 00"), /got string/);
  assert.throws(() => d.push([0x81, 0x00]), /got Array/);
  assert.throws(() => ws.decode({ length: 10 }), /decode needs a Uint8Array/);
  assert.throws(() => new ws.Decoder(5), /options must be an object/);
  assert.equal(d.push(new Uint8Array([0x81, 0x00])).frames.length, 1);
  assert.equal(d.push(Buffer.from([0x81, 0x00])).frames.length, 1);
  d.free();
  d.free();
  assert.throws(() => d.push(new Uint8Array(1)), /freed/);
});

test("conversations have the same default maximum, with a notice on the side that passed it", () => {
  // The server's head, then a binary frame announcing 1 GiB (only its header is here).
  const head = new TextEncoder().encode("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
  const frame = new Uint8Array([0x82, 0x7f, 0, 0, 0, 0, 0x40, 0, 0, 0]);
  const bytes = new Uint8Array(head.length + frame.length);
  bytes.set(head);
  bytes.set(frame, head.length);
  const byDefault = ws.decodeConversation(bytes);
  assert.deepEqual(byDefault.violations.map((v) => [v.id, v.direction, v.offset]), [["message-too-big", "server", head.length]]);
  const notice = byDefault.notices.find((n) => n.id === "default-message-limit");
  assert.equal(notice.direction, "server");
  assert.match(notice.message, /default maximum message size of 64 MiB.*maxMessageSize/);
  const lifted = ws.decodeConversation(bytes, { maxMessageSize: Infinity });
  assert.deepEqual(lifted.violations, []);
  assert.equal(lifted.notices.some((n) => n.id === "default-message-limit"), false);
  const chosen = ws.decodeConversation(bytes, { maxMessageSize: 2 ** 31 });
  assert.deepEqual(chosen.violations, []);
  const d = new ws.ConversationDecoder();
  d.push("server", bytes);
  assert.deepEqual(d.end().violations.map((v) => v.id), ["message-too-big"]);
  d.free();
});
