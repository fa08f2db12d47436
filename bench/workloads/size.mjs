// 7a. Size: the .wasm and its JS glue, raw, gzip -9 (zlib level 9) and brotli (quality 11).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";

export const GZIP_TARGET = 100_000;

export function measureSize(repo) {
  // The glue: wasm-bindgen's module and the inline JS snippets it imports.
  const snippets = readdirSync(join(repo, "pkg/snippets"), { recursive: true })
    .filter((f) => f.endsWith(".js"))
    .map((f) => join("pkg/snippets", f));
  const files = ["pkg/wsinspect_bg.wasm", "pkg/wsinspect.js", ...snippets.sort()];
  const rows = files.map((f) => {
    const bytes = readFileSync(join(repo, f));
    return {
      file: f,
      raw: bytes.length,
      gzip: zlib.gzipSync(bytes, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(bytes, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }).length,
    };
  });
  const total = rows.reduce((t, r) => ({ file: "total", raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  return { rows: [...rows, total], total, met: total.gzip <= GZIP_TARGET };
}
