// 4. Text validation: 1 MiB text payloads, ASCII and mixed scripts. wsinspect decodes the
// server text frame (in 64 KiB chunks) and says whether the message is valid text (no
// violation); the peers validate the same payload (ws's own validation function,
// buffer.isUtf8, TextDecoder fatal) or receive the same frame (ws's Receiver). MB/s of text.
// The message's text as a JS string is made only when asked (m.text), which a validator
// never is.
import { chunked, SCALAR } from "../lib/stream-peers.mjs";

export function rows(input, env) {
  const out = [];
  for (const [kind, { payload, frame }] of [["ASCII", input.ascii], ["mixed scripts", input.mixed]]) {
    const chunks = chunked(frame, [[0, frame.length]], env.view);
    const view = env.view(payload);
    const textPeer = (wsi, name) => ({
      name,
      subject: !name.startsWith(SCALAR),
      run(sink) {
        const d = new wsi.Decoder({ role: "server" });
        try {
          const results = chunks[0].map((c) => d.push(c));
          results.push(d.end());
          for (const r of results) for (const m of r.messages) sink.value(m.kind === "text" && !r.violations.length && m.inflatedLength > 0 ? 1 : 0);
        } finally {
          d.free();
        }
      },
    });
    const peers = [textPeer(env.wsi, "wsinspect Decoder.push, message validated (wasm)")];
    if (env.wsiScalar) peers.push(textPeer(env.wsiScalar, SCALAR));
    const targets = [];
    if (env.node) {
      const { ws, wsJs, isUtf8 } = env.node;
      peers.push({ name: "ws isValidUTF8 (on Node 20: buffer.isUtf8)", run: (sink) => sink.value(ws.validation.isValidUTF8(view) ? 1 : 0) });
      peers.push({ name: "ws isValidUTF8, JS fallback (no isUtf8)", run: (sink) => sink.value(wsJs.validation.isValidUTF8(view) ? 1 : 0) });
      peers.push({
        name: "ws Receiver, the text frame",
        run(sink) {
          const r = new ws.Receiver({ isServer: false, maxPayload: 0 });
          let error = null;
          r.on("message", (data, isBinary) => sink.value(!isBinary && data.length > 0 ? 1 : 0));
          for (const c of chunks[0]) r._write(c, undefined, (e) => e && (error = e));
          if (error) sink.value(0);
        },
      });
      peers.push({ name: "buffer.isUtf8", run: (sink) => sink.value(isUtf8(view) ? 1 : 0) });
      if (kind === "mixed scripts") {
        // ws's own JS validator (what ws runs where buffer.isUtf8 is missing).
        targets.push({ vs: "ws isValidUTF8, JS fallback (no isUtf8)", min: 5 });
      }
    }
    const fatal = new TextDecoder("utf-8", { fatal: true });
    peers.push({
      name: "TextDecoder({fatal: true}).decode",
      run(sink) {
        try {
          sink.value(fatal.decode(payload).length > 0 ? 1 : 0);
        } catch {
          sink.value(0);
        }
      },
    });
    const name = kind === "ASCII" ? "ascii" : "mixed";
    out.push({
      id: `utf8-${name}`,
      title: `Text validation, ${kind}: ${(payload.length / 2 ** 20).toFixed(0)} MiB text payload`,
      unit: "MB/s",
      perCall: payload.length / 1e6,
      calls: 1,
      peers,
      native: { files: { [`utf8-${name}.frame`]: frame }, args: ["stream", `utf8-${name}.frame`, `0,${frame.length}`, "server", "", "validity"] },
      phases: [{ name: "wsinspect::validate_utf8 only", args: ["validate", `utf8-${name}.bin`], perCall: payload.length / 1e6, files: { [`utf8-${name}.bin`]: payload } }],
      targets,
    });
  }
  return out;
}
