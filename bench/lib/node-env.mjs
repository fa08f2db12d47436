// The Node-only peers: ws's Receiver and validation loaded three times, as separate
// module instances, because ws decides at load time (buffer-util.js reads
// WS_NO_BUFFER_UTIL, validation.js takes buffer.isUtf8) which helpers it uses.
import buffer from "node:buffer";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import zlib from "node:zlib";
import { SyncZlib } from "./zlib-sync.mjs";

const require = createRequire(import.meta.url);
// ws's "exports" hides lib/: load its files by path.
const wsDir = dirname(require.resolve("ws"));
const version = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;

function freshWs({ bufferutil, isUtf8 }) {
  for (const k of Object.keys(require.cache)) if (/[\\/]node_modules[\\/]ws[\\/]/.test(k)) delete require.cache[k];
  const savedEnv = process.env.WS_NO_BUFFER_UTIL;
  const savedIsUtf8 = buffer.isUtf8;
  if (bufferutil) delete process.env.WS_NO_BUFFER_UTIL;
  else process.env.WS_NO_BUFFER_UTIL = "1";
  if (!isUtf8) buffer.isUtf8 = undefined;
  try {
    const Receiver = require(join(wsDir, "lib", "receiver.js"));
    const validation = require(join(wsDir, "lib", "validation.js"));
    const bufferUtil = require(join(wsDir, "lib", "buffer-util.js"));
    return { Receiver, validation, bufferUtil };
  } finally {
    if (savedEnv === undefined) delete process.env.WS_NO_BUFFER_UTIL;
    else process.env.WS_NO_BUFFER_UTIL = savedEnv;
    buffer.isUtf8 = savedIsUtf8;
  }
}

export function nodePeers() {
  const ws = freshWs({ bufferutil: true, isUtf8: true });
  const wsPlain = freshWs({ bufferutil: false, isUtf8: true });
  const wsJs = freshWs({ bufferutil: false, isUtf8: false });
  // Make sure each instance took the path it is named after.
  const usesBufferutil = (m) => m.bufferUtil.unmask.toString().includes("bufferUtil.unmask");
  if (!usesBufferutil(ws)) throw new Error("ws did not load bufferutil (is it installed?)");
  if (usesBufferutil(wsPlain)) throw new Error("ws loaded bufferutil despite WS_NO_BUFFER_UTIL");
  if (wsJs.validation.isValidUTF8.name !== "_isValidUTF8") {
    throw new Error("ws's JS UTF-8 fallback was not loaded");
  }
  return {
    ws,
    wsPlain,
    wsJs,
    Buffer,
    zlib,
    SyncZlib,
    crypto,
    isUtf8: buffer.isUtf8,
    versions: {
      node: process.versions.node,
      ws: version(wsDir),
      bufferutil: version(dirname(require.resolve("bufferutil"))),
      zlib: process.versions.zlib,
      v8: process.versions.v8,
    },
  };
}
