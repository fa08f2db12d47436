// Runs one row (a workload variant and its peers): check every peer's output equal to the
// subject's, then sample them interleaved. The same in Node and in the browser.
import { checkPeers, samplePeers } from "./sampler.mjs";

export async function runRow(row, now, settings = {}) {
  const checked = row.peers.filter((p) => !p.limit);
  if (!checked[0]?.subject) throw new Error(`${row.id}: the first peer must be the subject`);
  const { digest, used, times } = await checkPeers(checked, row.calls, { now, ...settings });
  const done = row.peers.map((p) => times[checked.indexOf(p)] ?? []);
  const timed = await samplePeers(row.peers, { calls: used, now, done, ...settings });
  return {
    id: row.id,
    title: row.title,
    unit: row.unit,
    perCall: row.perCall,
    digest,
    calls: row.calls,
    used,
    perCallNote: row.perCallNote ?? "",
    targets: row.targets,
    peers: timed.map((t, i) => ({
      ...t,
      subject: !!row.peers[i].subject,
      limit: !!row.peers[i].limit,
      info: !!row.peers[i].info,
      rate: (row.perCall * 1000) / t.ms,
    })),
  };
}
