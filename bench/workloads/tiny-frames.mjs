// 2. Tiny frames: 1 million masked 8-125 byte text and binary frames, in 64 KiB chunks.
// Frames per second. One call decodes one of 16 streams of 62,500 frames (in turn).
import { chunked, copyPeer, wsinspectPeer, wsPeer } from "../lib/stream-peers.mjs";

export function rows(input, env) {
  const chunks = chunked(input.stream, input.slices, env.view);
  const peers = [wsinspectPeer(env.wsi, chunks, { role: input.role })];
  // The same decoder given each whole stream in one push: what the per-chunk calls cost.
  const whole = input.slices.map(([a, b]) => [env.view(input.stream.subarray(a, b))]);
  peers.push({ ...wsinspectPeer(env.wsi, whole, { role: input.role }), name: "wsinspect, one push per stream", subject: false, info: true });
  if (env.node) {
    const work = input.stream.slice();
    const workChunks = chunked(work, input.slices, env.view);
    const common = { stream: input.stream, slices: input.slices, work, workChunks, isServer: true };
    peers.push(wsPeer("ws Receiver + bufferutil", env.node.ws.Receiver, common));
    peers.push(wsPeer("ws Receiver, no bufferutil", env.node.wsPlain.Receiver, common));
  }
  peers.push(copyPeer(chunks));
  return [
    {
      id: "tiny-frames",
      title: `Tiny frames: ${input.frames.toLocaleString("en")} masked 8-125 byte text and binary frames (${input.slices.length} streams) in 64 KiB chunks`,
      unit: "frames/s",
      perCall: input.frames / input.slices.length,
      calls: input.slices.length,
      peers,
      native: { files: { "tiny.bin": input.stream }, args: ["stream", "tiny.bin", input.slices.flat().join(","), input.role, "", "messages"] },
      phases: [
        { name: "memcpy of the same chunks", args: ["copy", "tiny.bin"], perCall: input.frames },
        { name: "Decoder::push of each whole stream (no 64 KiB chunking)", args: ["stream", "tiny.bin", input.slices.flat().join(","), input.role, "", "messages", "0"], perCall: input.frames / input.slices.length },
      ],
      targets: [
        { vs: "ws Receiver + bufferutil", min: 2 },
        { vs: "ws Receiver, no bufferutil", min: 2 },
        { vs: "native", min: 1 / 2 },
      ],
    },
  ];
}
