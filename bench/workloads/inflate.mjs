// 5. permessage-deflate: 16 MiB of JSON and of source text, as one message and as 16 KiB
// and 1 KiB messages with context takeover, server frames in 64 KiB chunks. MB/s of
// inflated text.
import { chunked, wsinspectPeer } from "../lib/stream-peers.mjs";

const TRAILER = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** Node's zlib, in this thread: one raw inflate stream kept across messages (context takeover). */
function zlibPeer(zlib, Buffer, input) {
  const payloads = input.payloads.map(([off, len]) => Buffer.from(input.stream.buffer, input.stream.byteOffset + off, len));
  if (payloads.length === 1) {
    const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
    return {
      name: "zlib.inflateRawSync",
      run: (sink) => sink.message(zlib.inflateRawSync(Buffer.concat([payloads[0], TRAILER]), opts), true),
    };
  }
  return {
    name: "zlib.inflateRawSync (one kept stream)",
    run(sink) {
      const inflate = zlib.createInflateRaw();
      for (const p of payloads) sink.message(inflate._processChunk(Buffer.concat([p, TRAILER]), zlib.constants.Z_SYNC_FLUSH), true);
      inflate.close();
    },
  };
}

/**
 * The browser's DecompressionStream("deflate-raw"): one stream for the connection; each
 * message's payload and 00 00 FF FF are written, then output is read until that message's
 * inflated length has arrived (the stream itself does not mark message ends).
 */
function decompressionStreamPeer(input) {
  const payloads = input.payloads.map(([off, len]) => {
    const p = new Uint8Array(len + 4);
    p.set(input.stream.subarray(off, off + len));
    p.set(TRAILER, len);
    return p;
  });
  return {
    name: 'DecompressionStream("deflate-raw")',
    async run(sink) {
      const ds = new DecompressionStream("deflate-raw");
      const writer = ds.writable.getWriter();
      const reader = ds.readable.getReader();
      let pending = null;
      for (let i = 0; i < payloads.length; i++) {
        writer.write(payloads[i]);
        const want = input.inflatedLengths[i];
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
        if (parts.length === 1 && have === want) data = parts[0];
        else {
          data = new Uint8Array(have);
          let p = 0;
          for (const part of parts) {
            data.set(part, p);
            p += part.length;
          }
          if (have > want) {
            pending = data.subarray(want);
            data = data.subarray(0, want);
          }
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
      const p = zlibPeer(env.node.zlib, env.node.Buffer, input);
      peers.push(p);
      targets.push({ vs: p.name, min: 1.5 });
    }
    if (env.browser) {
      const p = decompressionStreamPeer(input);
      peers.push(p);
      targets.push({ vs: p.name, min: 1.5 });
    }
    const file = `inflate-${name.replace(/[^a-z0-9]+/gi, "-")}`;
    out.push({
      id: file,
      title: `permessage-deflate, ${name}: ${input.messages.toLocaleString("en")} message(s), ${(input.inflatedBytes / 2 ** 20).toFixed(0)} MiB inflated from ${(input.stream.length / 2 ** 20).toFixed(1)} MiB`,
      unit: "MB/s",
      perCall: input.inflatedBytes / 1e6,
      calls: 1,
      peers,
      native: {
        files: { [`${file}.bin`]: input.stream },
        args: ["stream", `${file}.bin`, `0,${input.stream.length}`, input.role, input.extensions, "messages"],
      },
      phases: [
        {
          name: "Inflater only (the payloads, no framing)",
          args: ["inflate", `${file}.bin`, `${file}.payloads`],
          perCall: input.inflatedBytes / 1e6,
          files: { [`${file}.payloads`]: new TextEncoder().encode(input.payloads.map((p) => p.join(" ")).join("\n") + "\n") },
        },
      ],
      targets,
    });
  }
  return out;
}
