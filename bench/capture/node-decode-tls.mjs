// The capture-tls row's wasm subject, in its own Node process (so its memory peak is its
// own): the package's CaptureDecoder with the key log (keyLog, as bytes) over the wss://
// capture in 1 MiB slices, without copies of the stream bytes (streams: false), as
// node-decode.mjs reads the plain capture. Prints one JSON line: ms (reading the key log and
// the file and decoding, after init()), conversations and frames found, the TLS connections
// by what became of them ({ "TLS 1.3, TLS_AES_256_GCM_SHA384, decrypted": n, ... }, the
// CLI's words) and process.resourceUsage().maxRSS (KiB).
//
//   node bench/capture/node-decode-tls.mjs FILE KEYS
import { closeSync, openSync, readFileSync, readSync } from "node:fs";

const [file, keys] = process.argv.slice(2);
const { default: init, CaptureDecoder } = await import("wsinspect");
await init();
const t0 = performance.now();
const decoder = new CaptureDecoder({ keyLog: readFileSync(keys), streams: false });
const slice = Buffer.alloc(1 << 20);
const fd = openSync(file, "r");
let conversations = 0, frames = 0, found = 0, error = null;
const tls = {};
const take = (part) => {
  found += part.found.length;
  conversations += part.conversations.length;
  for (const c of part.conversations) frames += c.frames.length;
  for (const t of part.tls) tls[t.message] = (tls[t.message] ?? 0) + 1;
  error ??= part.error;
};
for (;;) {
  const n = readSync(fd, slice, 0, slice.length, null);
  if (n === 0) break;
  take(decoder.push(slice.subarray(0, n)));
}
take(decoder.end());
closeSync(fd);
decoder.free();
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, found, conversations, frames, tls, error: error?.message ?? null, maxRSS: process.resourceUsage().maxRSS }) + "\n");
