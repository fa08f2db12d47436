// Peers that consume a byte stream in 64 KiB chunks, as a socket delivers it: the wasm
// Decoder, ws's Receiver and the copy limit. Shared by Node and the browser.

export const CHUNK = 64 * 1024;

/** Each slice of the stream (one call's input) cut into CHUNK-sized views. */
export function chunked(stream, slices, view = (u8) => u8) {
  return slices.map(([a, b]) => {
    const chunks = [];
    for (let p = a; p < b; p += CHUNK) chunks.push(view(stream.subarray(p, Math.min(b, p + CHUNK))));
    return chunks;
  });
}

function emit(result, sink) {
  if (result.violations.length) {
    const v = result.violations[0];
    throw new Error(`wsinspect reported ${v.id} at byte ${v.offset}: ${v.message}`);
  }
  // With no violation, a text message is valid UTF-8 (the decoder checked it, as ws's
  // Receiver checks before it emits): its JS string is made only when asked (m.text), and
  // no peer makes one (ws emits a Buffer, zlib returns bytes), so the bench does not ask.
  const messages = result.messages;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    sink.message(m.data, m.kind === "text");
  }
}

/** The name of the peer that is wsinspect built without simd128 (Node only). */
export const SCALAR = "the same wsinspect built without simd128";

/** wsinspect: one Decoder per call, push() per chunk, then end(). */
export function wsinspectPeer(wsi, chunks, options, name = "wsinspect Decoder.push (wasm)") {
  return {
    name,
    subject: name === "wsinspect Decoder.push (wasm)",
    run(sink, k) {
      const d = new wsi.Decoder(options);
      try {
        const list = chunks[k];
        for (let i = 0; i < list.length; i++) emit(d.push(list[i]), sink);
        emit(d.end(), sink);
      } finally {
        d.free();
      }
    },
  };
}

/**
 * ws's Receiver, fed the same chunks through its _write (the path a socket's data takes,
 * without the stream machinery in between). ws unmasks in place, so it gets its own copy
 * of the stream (`work`), restored from `stream` before each call, untimed.
 */
export function wsPeer(name, Receiver, { stream, slices, work, workChunks, isServer, extensions }) {
  const masked = isServer;
  return {
    name,
    reset: masked
      ? (k) => {
          const [a, b] = slices[k];
          work.set(stream.subarray(a, b), a);
        }
      : undefined,
    run(sink, k) {
      const r = new Receiver({ isServer, maxPayload: 0, allowSynchronousEvents: true, extensions });
      let error = null;
      r.on("message", (data, isBinary) => sink.message(data, !isBinary));
      const cb = (e) => {
        if (e) error = e;
      };
      const list = workChunks[k];
      for (let i = 0; i < list.length && !error; i++) r._write(list[i], undefined, cb);
      if (error) throw error;
    },
  };
}

/**
 * The copy limit: TypedArray.prototype.set of each chunk into one reused buffer (what
 * getting the bytes into wasm memory costs at best). It decodes nothing, so it is left
 * out of the output check (`limit`).
 */
export function copyPeer(chunks) {
  const dest = new Uint8Array(CHUNK);
  return {
    name: "TypedArray.prototype.set (copy limit)",
    limit: true,
    run(sink, k) {
      const list = chunks[k];
      for (let i = 0; i < list.length; i++) dest.set(list[i]);
      sink.value(dest[0]);
    },
  };
}

/** The peers of the frame workloads: wsinspect (and its build without simd128), ws with and without bufferutil (Node only), and the copy limit. */
export function framePeers(input, env) {
  const chunks = chunked(input.stream, input.slices, env.view);
  const peers = [wsinspectPeer(env.wsi, chunks, { role: input.role })];
  if (env.wsiScalar) peers.push(wsinspectPeer(env.wsiScalar, chunks, { role: input.role }, SCALAR));
  if (env.node) {
    const work = input.stream.slice();
    const workChunks = chunked(work, input.slices, env.view);
    const common = { stream: input.stream, slices: input.slices, work, workChunks, isServer: true };
    peers.push(wsPeer("ws Receiver + bufferutil", env.node.ws.Receiver, common));
    peers.push(wsPeer("ws Receiver, no bufferutil", env.node.wsPlain.Receiver, common));
  }
  peers.push(copyPeer(chunks));
  return peers;
}
