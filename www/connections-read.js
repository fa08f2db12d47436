// The worker's side of the Connections panel: one ConversationDecoder per followed proxied
// connection, fed the recorded chunks in order (direction and time each), posting what each
// batch completed. The page merges the parts into the conversation it shows.
const decoders = new Map();

/** `proxy-open` starts a decoder for `job`, `proxy-push` feeds it `chunks`, `proxy-end` ends it, `proxy-drop` frees it. */
export function onProxy(ws, { job, kind, chunks = [] }) {
  if (kind === "proxy-open") {
    decoders.get(job)?.free();
    decoders.set(job, new ws.ConversationDecoder());
  }
  const decoder = decoders.get(job);
  if (!decoder) return;
  if (kind === "proxy-drop") {
    decoder.free();
    decoders.delete(job);
    return;
  }
  const parts = chunks.map((c) => decoder.push(c.direction, c.bytes, { time: c.time }));
  if (kind === "proxy-end") {
    parts.push(decoder.end());
    decoder.free();
    decoders.delete(job);
  }
  self.postMessage({ job, type: "proxy-parts", parts });
}
