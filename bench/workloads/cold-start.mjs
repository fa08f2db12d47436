// 7b. Cold start to the first decoded frame, each in a new Node process, interleaved.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { median } from "../lib/sampler.mjs";

export function measureColdStart(repo, rounds = 7) {
  const scripts = [
    ["empty Node process", "baseline.mjs"],
    ["wsinspect: import, init(), decode one frame", "wsinspect.mjs"],
    ["ws: require Receiver, receive one frame", "ws.mjs"],
  ];
  const samples = scripts.map(() => ({ ms: [], own: [], wall: [] }));
  for (let r = 0; r < rounds + 1; r++) {
    scripts.forEach(([, file], i) => {
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [join(repo, "bench", "cold", file)], { cwd: repo, encoding: "utf8" });
      const wall = performance.now() - t0;
      if (p.status !== 0) throw new Error(`cold start ${file}: ${p.stderr}`);
      if (r === 0) return; // the first round warms the file cache
      const out = JSON.parse(p.stdout);
      samples[i].ms.push(out.ms);
      samples[i].own.push(out.own ?? 0);
      samples[i].wall.push(wall);
    });
  }
  return scripts.map(([name], i) => ({
    name,
    ms: median(samples[i].ms),
    own: median(samples[i].own),
    wall: median(samples[i].wall),
  }));
}
