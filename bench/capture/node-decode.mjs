// The capture rows' wasm subject, in its own Node process (so its memory peak is its own):
// the package's CaptureDecoder over the file in 1 MiB slices, each read straight into wasm
// memory (its writable()/commit() intake), keeping no copies of the stream bytes (as the
// CLI), with the key log (keyLog, as bytes) when one is given (the capture-tls row).
// Prints one JSON line: ms (reading the key log and the file and decoding, after init()),
// conversations and frames found, the TLS connections by what became of them ({ "TLS 1.3,
// TLS_AES_256_GCM_SHA384, decrypted": n, ... }, the CLI's words) and
// process.resourceUsage().maxRSS (KiB).
//
//   node bench/capture/node-decode.mjs FILE [KEYS]
import { closeSync, openSync, readFileSync, readSync } from "node:fs";

const [file, keys] = process.argv.slice(2);
const { default: init, CaptureDecoder } = await import("wsinspect");
await init();
const t0 = performance.now();
// Like the CLI, a reader that lists frames keeps no copy of each conversation's stream
// bytes (streams: false; the page's worker keeps them for its hex view).
const decoder = new CaptureDecoder(keys ? { keyLog: readFileSync(keys), streams: false } : { streams: false });
const SLICE = 1 << 20;
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
// Each slice is read straight into wasm memory (the zero-copy intake: a new view per read,
// as a view lasts until the next call into the package).
for (;;) {
  const view = decoder.writable(SLICE);
  const n = readSync(fd, view, 0, view.length, null);
  if (n === 0) break;
  take(decoder.commit(n));
}
take(decoder.end());
closeSync(fd);
decoder.free();
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, found, conversations, frames, tls, error: error?.message ?? null, maxRSS: process.resourceUsage().maxRSS }) + "\n");
