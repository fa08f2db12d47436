// The interleaved A/B sampler: every peer of a row is checked equal, warmed up, then
// sampled in rounds (A B C, B C A, C A B, ...) so that drift on a shared machine hits
// every peer alike. Works the same in Node and in the browser; peers may be async.
import { CountSink, HashSink, sameDigest, showDigest } from "./digest.mjs";

export const DEFAULTS = { warmups: 10, samples: 15, minSampleMs: 20, checkBudgetMs: 2500 };

/** Runs one call; awaits only when the peer returned a promise. */
function call(peer, sink, k) {
  const r = peer.run(sink, k);
  return r && typeof r.then === "function" ? r : null;
}

/**
 * Each peer: { name, run(sink, k), reset?(k) }. A call decodes input k (0 <= k < calls);
 * a peer whose run changes its input (ws unmasks in place) has reset(k), called untimed
 * before each call.
 *
 * The first peer (the subject) is checked on inputs 0, 1, ... until `budgetMs` has passed
 * or all are done; that number of inputs (`used`) is then checked for every other peer and
 * is all the sampler uses. These checked calls count as warm-up calls.
 */
export async function checkPeers(peers, calls, { now, budgetMs = DEFAULTS.checkBudgetMs } = {}) {
  const digests = [];
  const times = [];
  let used = calls;
  for (const [i, peer] of peers.entries()) {
    const sink = new HashSink();
    const t = [];
    const start = now();
    for (let k = 0; k < used; k++) {
      if (peer.reset) peer.reset(k);
      const t0 = now();
      const p = call(peer, sink, k);
      if (p) await p;
      t.push(now() - t0);
      if (i === 0 && now() - start > budgetMs) used = k + 1;
    }
    digests.push(sink.digest());
    times.push(t);
  }
  for (let i = 1; i < peers.length; i++) {
    if (!sameDigest(digests[0], digests[i])) {
      throw new Error(
        `outputs differ: ${peers[0].name} gives ${showDigest(digests[0])}, ${peers[i].name} gives ${showDigest(digests[i])}`,
      );
    }
  }
  return { digest: digests[0], used, times };
}

async function timeCalls(peer, n, state, now, calls) {
  const sink = new CountSink();
  if (peer.reset) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const k = state.k++ % calls;
      peer.reset(k);
      const t0 = now();
      const p = call(peer, sink, k);
      if (p) await p;
      total += now() - t0;
    }
    return total;
  }
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const p = call(peer, sink, state.k++ % calls);
    if (p) await p;
  }
  return now() - t0;
}

/** The median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Times every peer; returns, per peer, the median milliseconds per call and the spread
 * (the relative half-width of the middle half of the samples).
 */
export async function samplePeers(peers, { calls = 1, now, warmups, samples, minSampleMs, done = [] } = {}) {
  warmups ??= DEFAULTS.warmups;
  samples ??= DEFAULTS.samples;
  minSampleMs ??= DEFAULTS.minSampleMs;
  // done[i]: durations of the calls peer i already made (the check): they count as warm-ups.
  const states = peers.map((_, i) => ({ k: 0, n: 1, last: [...(done[i] ?? [])] }));
  for (let w = 0; w < warmups; w++) {
    for (let i = 0; i < peers.length; i++) {
      if (states[i].last.length >= warmups) continue;
      states[i].last.push(await timeCalls(peers[i], 1, states[i], now, calls));
    }
  }
  for (const s of states) {
    const one = Math.max(median(s.last.slice(-3)), 1e-3);
    s.n = Math.max(1, Math.ceil((minSampleMs * 1.1) / one));
    s.perCall = [];
  }
  for (let r = 0; r < samples; r++) {
    for (let j = 0; j < peers.length; j++) {
      const i = (r + j) % peers.length;
      const s = states[i];
      let t = await timeCalls(peers[i], s.n, s, now, calls);
      while (t < minSampleMs) {
        s.n *= 2;
        t = await timeCalls(peers[i], s.n, s, now, calls);
      }
      s.perCall.push(t / s.n);
    }
  }
  return states.map((s, i) => {
    const sorted = [...s.perCall].sort((a, b) => a - b);
    const med = median(sorted);
    const q1 = sorted[Math.floor(sorted.length / 4)];
    const q3 = sorted[Math.floor((sorted.length * 3) / 4)];
    return { name: peers[i].name, ms: med, spread: (q3 - q1) / 2 / med, callsPerSample: s.n, samples: sorted.length, warmups: s.last.length };
  });
}
