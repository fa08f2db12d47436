// 2. Tiny frames: 1 million masked 8-125 byte text and binary frames, in 64 KiB chunks.
// Frames per second. One call decodes one of 256 streams of 3,907 frames (in turn).
import { framePeers } from "../lib/stream-peers.mjs";

export function rows(input, env) {
  const peers = framePeers(input, env);
  return [
    {
      id: "tiny-frames",
      title: `Tiny frames: ${input.frames.toLocaleString("en")} masked 8-125 byte text and binary frames in 64 KiB chunks, as ${input.slices.length} streams (one call: one stream)`,
      unit: "frames/s",
      perCall: input.frames / input.slices.length,
      calls: input.slices.length,
      peers,
      native: { files: { "tiny.bin": input.stream }, args: ["stream", "tiny.bin", "{slices}", input.role, "", "messages"], slices: input.slices },
      phases: [
        { name: "memcpy of the same chunks", args: ["copy", "tiny.bin"], perCall: input.frames },
        { name: "one Decoder::push per stream (no 64 KiB chunking)", args: ["stream", "tiny.bin", "{slices}", input.role, "", "messages", "0"], perCall: input.frames / input.slices.length },
      ],
      targets: [
        { vs: "ws Receiver + bufferutil", min: 2 },
        { nativeRate: 10e6 },
      ],
    },
  ];
}
