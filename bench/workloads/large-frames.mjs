// 1. Large frames: 64 MiB of masked 64 KiB binary frames fed in 64 KiB chunks, so every
// frame straddles two chunks. Payload MB/s.
import { framePeers } from "../lib/stream-peers.mjs";

export function rows(input, env) {
  const peers = framePeers(input, env);
  return [
    {
      id: "large-frames",
      title: `Large frames: ${input.frames} masked 64 KiB binary frames (${(input.payloadBytes / 2 ** 20).toFixed(0)} MiB of payload) in 64 KiB chunks, as ${input.slices.length} streams (one call: one stream)`,
      unit: "MB/s",
      perCall: input.payloadBytes / input.slices.length / 1e6,
      calls: input.slices.length,
      peers,
      native: { files: { "large.bin": input.stream }, args: ["stream", "large.bin", "{slices}", input.role, "", "messages"], slices: input.slices },
      phases: [
        { name: "memcpy of the same 64 KiB chunks", args: ["copy", "large.bin"], perCall: input.stream.length / 1e6 },
        { name: "unmask only (wsinspect::unmask, 64 KiB pieces)", args: ["unmask", "large.bin"], perCall: input.stream.length / 1e6 },
      ],
      targets: [
        { vs: "ws Receiver + bufferutil", min: 4 },
        { vs: "TypedArray.prototype.set (copy limit)", min: 0.5 },
      ],
    },
  ];
}
