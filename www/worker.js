// Decodes a paste off the page's thread: parseBytes, then the package's incremental Decoder
// fed in chunks, posting each chunk's frames (packed, see framestore.js), messages and
// violations as it goes so the page can show progress and stay responsive.
import init, * as ws from "/js/index.js";
import { FramePacker } from "./framestore.js";

const CHUNK = 256 * 1024;
/** The page lists this many messages and violations in full; the rest are counted. */
const MAX_MESSAGES = 500, MAX_VIOLATIONS = 2000, MAX_MESSAGE_BYTES = 256 * 1024;

const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    run(data);
  } catch (error) {
    self.postMessage({ job: data.job, type: "error", message: String(error?.message ?? error) });
  }
};

function run({ job, text, format, options }) {
  let parsed;
  try {
    parsed = ws.parseBytes(text, format);
  } catch (e) {
    self.postMessage({ job, type: "error", message: e.message, line: e.line ?? null, column: e.column ?? null, offset: e.offset ?? null });
    return;
  }
  let decoder;
  try {
    decoder = new ws.Decoder(options);
  } catch (e) {
    self.postMessage({ job, type: "error", input: "extensions", message: e.message, offset: e.offset ?? null });
    return;
  }
  const bytes = parsed.bytes;
  const copy = bytes.slice();
  self.postMessage({ job, type: "parsed", format: parsed.format, detail: parsed.detail ?? null, bytes: copy }, [copy.buffer]);

  const packer = new FramePacker();
  const totals = { messages: 0, violations: 0 };
  const summary = { notices: [], role: null, protocol: null, incomplete: null };
  try {
    for (let at = 0; at < bytes.length || at === 0; at += CHUNK) {
      const end = Math.min(bytes.length, at + CHUNK);
      post(job, decoder.push(bytes.subarray(at, end)), packer, totals, summary, end, bytes.length);
      if (end >= bytes.length) break;
    }
    const tail = decoder.end();
    post(job, tail, packer, totals, summary, bytes.length, bytes.length);
    summary.incomplete = tail.incomplete ?? null;
  } finally {
    decoder.free();
  }
  self.postMessage({ job, type: "done", ...summary, ...totals, length: bytes.length });
}

function post(job, result, packer, totals, summary, done, total) {
  for (const f of result.frames) packer.add(f);
  const messages = [];
  for (const m of result.messages) {
    if (totals.messages++ < MAX_MESSAGES) messages.push(slimMessage(m));
  }
  const violations = [];
  for (const v of result.violations) {
    if (totals.violations++ < MAX_VIOLATIONS) violations.push({ id: v.id, offset: v.offset, frame: v.frame ?? null, rfc: v.rfc, closeCode: v.closeCode, message: v.message });
  }
  for (const n of result.notices ?? []) if (!summary.notices.includes(n)) summary.notices.push(n);
  if (result.role) summary.role = result.role;
  if (result.protocol) summary.protocol = result.protocol;
  const [batch, transfer] = packer.take();
  self.postMessage({ job, type: "progress", done, total, batch, messages, violations }, transfer);
}

/** A message as the page shows it: its data cut at MAX_MESSAGE_BYTES, with the full length kept. */
function slimMessage(m) {
  const full = m.data.length;
  const data = m.data.slice(0, MAX_MESSAGE_BYTES);
  const truncated = full > data.length;
  let text = m.text;
  if (text !== null && truncated) text = new TextDecoder().decode(data);
  return {
    index: m.index, kind: m.kind, offset: m.offset ?? null, complete: m.complete ?? true, frames: Array.from(m.frames.slice(0, 64)), frameCount: m.frames.length,
    compressed: m.compressed, wireLength: m.wireLength, inflatedLength: m.inflatedLength ?? full,
    data, dataLength: full, truncated, text,
  };
}
