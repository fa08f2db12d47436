// Where the subject's time goes in Node: a V8 CPU profile of its calls, self time summed
// by category (the wasm code itself, the wasm-bindgen glue, garbage collection, the rest:
// V8 builtins such as TextDecoder and typed array copies) plus the top functions.
import { Session } from "node:inspector/promises";
import { CountSink } from "./digest.mjs";

function category(frame) {
  if (frame.url.startsWith("wasm://") || frame.functionName.startsWith("wasm-function")) return "wasm";
  if (frame.url.endsWith("pkg/wsinspect.js")) return "glue";
  if (frame.functionName === "(garbage collector)") return "GC";
  // "dispatch" (no script) is the in-process inspector's own work: it does not show in a
  // --cpu-prof profile of the same calls, so it is left out like idle time.
  if (frame.functionName === "(idle)" || frame.functionName === "(program)" || (frame.functionName === "dispatch" && !frame.url)) return "idle";
  if (frame.url.includes("/bench/")) return "harness";
  return "builtins";
}

/** Profiles `peer` for about `ms` milliseconds of calls over inputs 0..used-1. */
export async function profilePeer(peer, used, ms = 800) {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 1000 });
    await session.post("Profiler.start");
    const sink = new CountSink();
    const start = performance.now();
    let k = 0;
    do {
      if (peer.reset) peer.reset(k % used);
      const p = peer.run(sink, k % used);
      if (p) await p;
      k++;
    } while (performance.now() - start < ms);
    const { profile } = await session.post("Profiler.stop");
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const cats = {};
    const fns = new Map();
    let total = 0;
    for (const [id, t] of self) {
      const f = byId.get(id).callFrame;
      const c = category(f);
      if (c === "idle") continue;
      total += t;
      cats[c] = (cats[c] ?? 0) + t;
      const name = `${f.functionName || "(anonymous)"}${f.url ? ` ${f.url.split("/").pop()}:${f.lineNumber + 1}` : ""}`;
      fns.set(name, (fns.get(name) ?? 0) + t);
    }
    const pct = (t) => Math.round((100 * t) / total);
    return {
      categories: Object.fromEntries(Object.entries(cats).sort((a, b) => b[1] - a[1]).map(([c, t]) => [c, pct(t)])),
      top: [...fns].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, t]) => `${n} ${pct(t)}%`),
    };
  } finally {
    await session.post("Profiler.disable").catch(() => {});
    session.disconnect();
  }
}

export function showProfile(p) {
  return `${Object.entries(p.categories).map(([c, v]) => `${c} ${v}%`).join(", ")}; top: ${p.top.join(", ")}`;
}
