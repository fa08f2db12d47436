// Generated inputs are kept in target/bench-inputs/cache/, keyed by a hash of the
// generator's source, the scale and the zlib version (deflate output depends on it), so
// a second run reads them instead of generating (deflating 96 MiB takes seconds).
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SOURCES = ["inputs.mjs", "frames.mjs", "prng.mjs", "zlib-sync.mjs"];

export function cachedInput(repo, id, scale, generate) {
  const dir = join(repo, "target", "bench-inputs", "cache");
  const hash = createHash("sha1");
  for (const f of SOURCES) hash.update(readFileSync(new URL(f, import.meta.url)));
  hash.update(`${id} ${scale} ${process.versions.zlib}`);
  try {
    hash.update(readFileSync(join(repo, "node_modules", "playwright-core", "package.json")));
  } catch {
    // no playwright-core: the source corpus fails later with a clear message
  }
  const key = `${id}-${hash.digest("hex").slice(0, 12)}`;
  try {
    const json = readFileSync(join(dir, `${key}.json`), "utf8");
    const bin = readFileSync(join(dir, `${key}.bin`));
    const bytes = new Uint8Array(bin.buffer, bin.byteOffset, bin.length);
    return JSON.parse(json, (k, v) => (v && typeof v === "object" && "$at" in v ? bytes.subarray(v.$at, v.$at + v.$len) : v));
  } catch {
    // not cached yet
  }
  const input = generate();
  const blobs = [];
  let at = 0;
  const json = JSON.stringify(input, (k, v) => {
    if (v instanceof Uint8Array) {
      blobs.push(v);
      at += v.length;
      return { $at: at - v.length, $len: v.length };
    }
    return v;
  });
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.startsWith(`${id}-`)) rmSync(join(dir, f));
  writeFileSync(join(dir, `${key}.bin`), Buffer.concat(blobs));
  writeFileSync(join(dir, `${key}.json`), json);
  return input;
}

/**
 * A generated file kept in target/bench-inputs/cache/ (for inputs other programs read, such
 * as the capture tshark and the CLI open), keyed by the generator's sources and `extra`;
 * `generate(path)` writes it. Returns { path, info } (info: what generate returned).
 */
export async function cachedFile(repo, id, ext, sources, extra, generate) {
  const dir = join(repo, "target", "bench-inputs", "cache");
  const hash = createHash("sha1");
  for (const f of sources) hash.update(readFileSync(f));
  hash.update(`${id} ${extra}`);
  const key = `${id}-${hash.digest("hex").slice(0, 12)}`;
  const path = join(dir, `${key}.${ext}`);
  try {
    return { path, info: JSON.parse(readFileSync(`${path}.json`, "utf8")) };
  } catch {
    // not cached yet
  }
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.startsWith(`${id}-`)) rmSync(join(dir, f));
  const info = (await generate(path)) ?? {};
  writeFileSync(`${path}.json`, JSON.stringify(info));
  return { path, info };
}
