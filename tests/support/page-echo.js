// A tiny WebSocket echo server for the Live panel's test (no dependency: node:http's
// "upgrade" event and a frame reader for the client's masked frames). Loopback only.
import { createServer } from "node:http";
import { createHash } from "node:crypto";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function frame(opcode, payload) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n])
    : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; })()]);
  return Buffer.concat([head, payload]);
}

/** Resolves to { url, close() }: echoes text and binary messages, answers pings and closes. */
export function startEcho() {
  const server = createServer((req, res) => res.writeHead(426).end());
  const sockets = new Set();
  server.on("upgrade", (req, socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const key = req.headers["sec-websocket-key"];
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    socket.write(["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
      `Sec-WebSocket-Accept: ${accept}`, ...(offered.length ? [`Sec-WebSocket-Protocol: ${offered[0]}`] : []), "", ""].join("\r\n"));
    let buf = Buffer.alloc(0);
    let parts = [], kind = 0;
    socket.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1] & 0x7f, at = 2;
        if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); at = 4; }
        else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); at = 10; }
        if (buf.length < at + 4 + len) return;
        const mask = buf.subarray(at, at + 4);
        const payload = Buffer.from(buf.subarray(at + 4, at + 4 + len));
        for (let i = 0; i < len; i++) payload[i] ^= mask[i % 4];
        const fin = (buf[0] & 0x80) !== 0, opcode = buf[0] & 0x0f;
        buf = buf.subarray(at + 4 + len);
        if (opcode === 8) { socket.end(frame(8, payload)); return; }
        if (opcode === 9) { socket.write(frame(10, payload)); continue; }
        if (opcode === 1 || opcode === 2) { kind = opcode; parts = []; }
        if (opcode <= 2) {
          parts.push(payload);
          if (fin) socket.write(frame(kind, Buffer.concat(parts)));
        }
      }
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    url: `ws://127.0.0.1:${server.address().port}/echo`,
    close: () => { for (const s of sockets) s.destroy(); server.close(); },
  })));
}
