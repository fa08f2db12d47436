// The browser side of the bench: the same workload modules and sampler as in Node, with
// the browser's own peers. Inputs come from the Node process that serves this page.
import init, * as wsi from "../../js/index.js";
import { runRow } from "../lib/run-row.mjs";
import * as acceptKeys from "../workloads/accept-keys.mjs";
import * as hex from "../workloads/hex.mjs";
import * as inflate from "../workloads/inflate.mjs";
import * as largeFrames from "../workloads/large-frames.mjs";
import * as tinyFrames from "../workloads/tiny-frames.mjs";
import * as utf8 from "../workloads/utf8.mjs";

const modules = { "large-frames": largeFrames, "tiny-frames": tinyFrames, hex, utf8, inflate, "accept-keys": acceptKeys };

async function fetchInput(id) {
  const res = await fetch(`/inputs/${id}`);
  const text = await res.text();
  const pending = [];
  const input = JSON.parse(text, (k, v) => {
    if (v && typeof v === "object" && typeof v.$bin === "number") {
      const holder = { bytes: null };
      pending.push(fetch(`/inputs/${id}/${v.$bin}`).then((r) => r.arrayBuffer()).then((b) => (holder.bytes = new Uint8Array(b))));
      return holder;
    }
    return v;
  });
  await Promise.all(pending);
  const revive = (v) => {
    if (v && typeof v === "object") {
      if ("bytes" in v && v.bytes instanceof Uint8Array && Object.keys(v).length === 1) return v.bytes;
      for (const k of Object.keys(v)) v[k] = revive(v[k]);
    }
    return v;
  };
  return revive(input);
}

try {
  await init();
  const env = { kind: "browser", browser: true, wsi, view: (u8) => u8 };
  window.runWorkload = async (id) => {
    const input = await fetchInput(id);
    const out = [];
    for (const row of modules[id].rows(input, env)) {
      console.log(`${row.id}: checking ${row.peers.length} peers, then sampling`);
      out.push(await runRow(row, () => performance.now()));
    }
    return out;
  };
  if (!crossOriginIsolated) console.log("not cross-origin isolated: performance.now() is coarse");
  window.benchReady = true;
} catch (e) {
  window.benchError = String(e?.stack ?? e);
}
