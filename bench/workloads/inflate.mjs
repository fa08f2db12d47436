// 5. permessage-deflate: 16 MiB of JSON and of source text, as one message and as 16 KiB
// and 1 KiB messages with context takeover, server frames in 64 KiB chunks. MB/s of
// inflated text.
import { chunked, wsinspectPeer } from "../lib/stream-peers.mjs";

const TRAILER = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** Each connection's messages: payload and 00 00 FF FF, and the inflated length. */
function byConnection(input, Buffer) {
  const conns = input.slices.map(() => []);
  input.payloads.forEach(([c, off, len], i) => {
    const p = new Uint8Array(len + 4);
    p.set(input.stream.subarray(off, off + len));
    p.set(TRAILER, len);
    conns[c].push({ payload: Buffer ? Buffer.from(p.buffer) : p, inflated: input.inflatedLengths[i] });
  });
  return conns;
}

/**
 * Node's zlib in this thread: zlib.inflateRawSync for one message; for many messages with
 * context takeover, one raw inflate stream per connection kept across its messages
 * (SyncZlib: inflateRawSync's own loop without closing the engine).
 */
function zlibPeer(zlib, Buffer, SyncZlib, input, oneMessage) {
  const conns = byConnection(input, Buffer);
  const flush = zlib.constants.Z_SYNC_FLUSH;
  if (oneMessage) {
    const opts = { finishFlush: flush };
    return {
      name: "zlib.inflateRawSync",
      run: (sink, k) => sink.message(zlib.inflateRawSync(conns[k][0].payload, opts), true),
    };
  }
  return {
    name: "zlib.inflateRawSync (one kept stream)",
    run(sink, k) {
      const inflate = new SyncZlib(zlib.createInflateRaw());
      for (const m of conns[k]) sink.message(inflate.process(m.payload, flush), true);
      inflate.close();
    },
  };
}

/**
 * The browser's DecompressionStream("deflate-raw"): one stream per connection; each
 * message's payload and 00 00 FF FF are written, then output is read until that message's
 * inflated length has arrived (the stream itself does not mark message ends).
 */
function decompressionStreamPeer(input) {
  const conns = byConnection(input, null);
  return {
    name: 'DecompressionStream("deflate-raw")',
    async run(sink, k) {
      const ds = new DecompressionStream("deflate-raw");
      const writer = ds.writable.getWriter();
      const reader = ds.readable.getReader();
      let pending = null;
      for (const { payload, inflated: want } of conns[k]) {
        writer.write(payload);
        const parts = [];
        let have = 0;
        if (pending) {
          parts.push(pending);
          have = pending.length;
          pending = null;
        }
        while (have < want) {
          const { value, done } = await reader.read();
          if (done) throw new Error("DecompressionStream ended early");
          parts.push(value);
          have += value.length;
        }
        let data;
        if (parts.length === 1) data = parts[0];
        else {
          data = new Uint8Array(have);
          let p = 0;
          for (const part of parts) {
            data.set(part, p);
            p += part.length;
          }
        }
        if (have > want) {
          pending = data.subarray(want);
          data = data.subarray(0, want);
        }
        sink.message(data, true);
      }
      writer.abort().catch(() => {});
      reader.cancel().catch(() => {});
    },
  };
}

export function rows(inputs, env) {
  const out = [];
  for (const [name, input] of Object.entries(inputs)) {
    const chunks = chunked(input.stream, input.slices, env.view);
    const peers = [wsinspectPeer(env.wsi, chunks, { role: input.role, extensions: input.extensions })];
    const targets = [];
    if (env.node) {
      const p = zlibPeer(env.node.zlib, env.node.Buffer, env.node.SyncZlib, input, name.endsWith("one message"));
      peers.push(p);
      targets.push({ vs: p.name, min: 1 });
    }
    if (env.browser) {
      const p = decompressionStreamPeer(input);
      peers.push(p);
      targets.push({ vs: p.name, min: 1 });
    }
    const file = `inflate-${name.replace(/[^a-z0-9]+/gi, "-")}`;
    out.push({
      id: file,
      title: `permessage-deflate, ${name}: ${(input.inflatedBytes / 2 ** 20).toFixed(0)} MiB inflated from ${(input.stream.length / 2 ** 20).toFixed(1)} MiB, ${input.messages.toLocaleString("en")} messages on ${input.slices.length} connections (one call: one connection)`,
      unit: "MB/s",
      perCall: input.inflatedBytes / input.slices.length / 1e6,
      calls: input.slices.length,
      peers,
      native: {
        files: { [`${file}.bin`]: input.stream },
        args: ["stream", `${file}.bin`, "{slices}", input.role, input.extensions, "messages"],
        slices: input.slices,
      },
      phases: [
        {
          name: "Inflater only (the payloads, no framing)",
          args: ["inflate", `${file}.bin`, `${file}.payloads`],
          perCall: input.inflatedBytes / input.slices.length / 1e6,
          files: { [`${file}.payloads`]: new TextEncoder().encode(input.payloads.map((p) => p.join(" ")).join("\n") + "\n") },
        },
      ],
      targets,
    });
  }
  return out;
}
