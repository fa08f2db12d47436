// npm `ws` as the echo server `wsinspect conformance client` tests (tests/node/conformance.test.js),
// correct or deliberately broken in one rule.
//
//   node conformance_ws_server.js [--deflate on|off] [--broken RULE] [--seconds N]
//
// Prints "listening PORT" (127.0.0.1) and echoes every message of every connection as ws's own
// Autobahn server does (text as text, binary as binary), until killed or N seconds (default 120)
// have passed. --broken breaks one rule, everything else staying ws's:
//   wrong-pong       a ping is answered with a pong whose payload differs (RFC 6455 §5.5.3)
//   reserved-opcode  frames with a reserved opcode are not failed (§5.2): a non-control one (3-7)
//                    is taken as binary and echoed, a control one (0xB-0xF) is ignored
//   no-utf8          text is not checked for UTF-8 (§8.1): invalid text is echoed as text, and
//                    a close reason is not checked either
import { createServer, connect } from "node:net";
import { parseArgs } from "node:util";
import { WebSocketServer } from "ws";

const { values: opts } = parseArgs({
  options: {
    deflate: { type: "string", default: "off" },
    broken: { type: "string", default: "none" },
    seconds: { type: "string", default: "120" },
  },
});
if (!["on", "off"].includes(opts.deflate)) throw new Error(`--deflate ${opts.deflate}?`);
if (!["none", "wrong-pong", "reserved-opcode", "no-utf8"].includes(opts.broken)) throw new Error(`--broken ${opts.broken}?`);
setTimeout(() => process.exit(0), Number(opts.seconds) * 1000).unref();

const wss = new WebSocketServer({
  host: "127.0.0.1",
  port: 0,
  perMessageDeflate: opts.deflate === "on",
  autoPong: opts.broken !== "wrong-pong",
  skipUTF8Validation: opts.broken === "no-utf8",
  maxPayload: 64 * 1024 * 1024,
});
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  if (opts.broken === "wrong-pong") {
    // Every byte flipped, or one byte where the ping had none: never the ping's payload.
    ws.on("ping", (data) => ws.pong(data.length ? data.map((b) => b ^ 0xff) : Buffer.from("x")));
  }
  ws.on("error", () => {}); // ws closes with the rule's code itself; nothing to add
});

wss.on("listening", () => {
  if (opts.broken !== "reserved-opcode") {
    console.log(`listening ${wss.address().port}`);
    return;
  }
  // ws fails every reserved opcode, so this rule is broken in front of it: a TCP relay that
  // passes the opening handshake and rewrites the client's frames on their way in.
  const inner = wss.address().port;
  const relay = createServer((client) => {
    const server = connect(inner, "127.0.0.1");
    client.setNoDelay(true);
    server.setNoDelay(true);
    const filter = reservedOpcodeFilter();
    client.on("data", (chunk) => { const out = filter(chunk); if (out.length) server.write(out); });
    server.pipe(client);
    client.on("end", () => server.end());
    for (const [a, b] of [[client, server], [server, client]]) {
      a.on("error", () => b.destroy());
      a.on("close", () => b.destroy());
    }
  });
  relay.listen(0, "127.0.0.1", () => console.log(`listening ${relay.address().port}`));
});

/**
 * The client's bytes as ws is to see them: the opening handshake as is, then each frame with a
 * reserved non-control opcode turned into a binary frame and each with a reserved control opcode
 * left out (header and payload). Frame boundaries are followed across chunks.
 */
function reservedOpcodeFilter() {
  let head = Buffer.alloc(0); // the handshake, then a frame header, being gathered
  let inHandshake = true;
  let payloadLeft = 0; // bytes of the current frame's payload still to pass or skip
  let skipping = false;
  return (chunk) => {
    const out = [];
    let data = chunk;
    while (data.length) {
      if (inHandshake) {
        head = Buffer.concat([head, data]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return Buffer.concat(out);
        out.push(head.subarray(0, end + 4));
        data = head.subarray(end + 4);
        head = Buffer.alloc(0);
        inHandshake = false;
        continue;
      }
      if (payloadLeft > 0) {
        const n = Math.min(payloadLeft, data.length);
        if (!skipping) out.push(data.subarray(0, n));
        payloadLeft -= n;
        data = data.subarray(n);
        continue;
      }
      head = Buffer.concat([head, data]);
      data = Buffer.alloc(0);
      const size = headerSize(head);
      if (size === null || head.length < size) continue;
      const header = Buffer.from(head.subarray(0, size));
      data = head.subarray(size);
      head = Buffer.alloc(0);
      payloadLeft = payloadLength(header);
      const opcode = header[0] & 0x0f;
      skipping = opcode >= 0xb;
      if (opcode >= 0x3 && opcode <= 0x7) header[0] = (header[0] & 0xf0) | 0x2;
      if (!skipping) out.push(header);
    }
    return Buffer.concat(out);
  };
}

/** A frame header's length once its first two bytes are there (null before). */
function headerSize(head) {
  if (head.length < 2) return null;
  const len7 = head[1] & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (head[1] & 0x80 ? 4 : 0);
}

function payloadLength(header) {
  const len7 = header[1] & 0x7f;
  if (len7 === 126) return header.readUInt16BE(2);
  if (len7 === 127) return Number(header.readBigUInt64BE(2));
  return len7;
}
