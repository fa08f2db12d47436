// Decodes a paste off the page's thread: parseBytes, then the package's incremental Decoder
// fed in chunks, posting each chunk's frames (packed, see framestore.js), messages and
// violations as it goes so the page can show progress and stay responsive. Capture files
// (pcap, pcapng, HAR) are read by capture-read.js, in the worker the Decode panel's capture
// view starts; a proxied connection's chunks by connections-read.js, for the Connections panel.
import init, * as ws from "/js/index.js";
import { FramePacker } from "./framestore.js";
import { onCapture } from "./capture-read.js";
import { onProxy } from "./connections-read.js";

const CHUNK = 256 * 1024;
/** The page lists this many messages and violations in full; the rest are counted. */
const MAX_MESSAGES = 500, MAX_VIOLATIONS = 2000, MAX_MESSAGE_BYTES = 256 * 1024;

// The conversation module too: parseBytes then reads the forms that hold both directions.
const ready = Promise.all([init(), ws.initConversations()]);

self.onmessage = async ({ data }) => {
  try {
    await ready;
    if (data.kind?.startsWith("capture")) await onCapture(ws, data);
    else if (data.kind?.startsWith("proxy")) onProxy(ws, data);
    else run(data);
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
  try {
    if (conversation(job, text, parsed, options)) return;
  } catch (e) {
    self.postMessage({ job, type: "error", fatal: true, message: `the decoder failed: ${e?.message ?? e}` });
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
  } catch (e) {
    // The decoder's own error is the one shown (a trap leaves wasm memory in no known state:
    // `fatal` asks the page for a new worker). free() never throws over it.
    decoder.free();
    self.postMessage({ job, type: "error", fatal: true, message: `the decoder failed: ${e?.message ?? e}` });
    return;
  }
  decoder.free();
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
    if (totals.violations++ < MAX_VIOLATIONS) violations.push({ id: v.id, offset: v.offset, length: v.length, frame: v.frame ?? null, rfc: v.rfc, closeCode: v.closeCode, message: v.message });
  }
  for (const n of result.notices ?? []) if (!summary.notices.includes(n.message)) summary.notices.push(n.message);
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

/** The forms parseBytes names when the text holds both directions of a connection. */
const TWO_SIDED = new Set(["tshark follow raw", "tshark follow hex", "wireshark follow hex dump", "wireshark follow c arrays", "packet dump"]);

/**
 * Decodes the input as a conversation when it is one (both directions, or one direction
 * that opens with its head; as `wsinspect decode` does, unless role, protocol or
 * extensions were given): posts the core's result and returns true.
 */
function conversation(job, text, parsed, options) {
  const told = (options.role ?? "auto") !== "auto" || (options.protocol ?? "auto") !== "auto" || options.extensions;
  if (told) return false;
  const twoSided = TWO_SIDED.has(parsed.detail);
  const b = parsed.bytes;
  const head = b.length > 4 && ((b[0] === 0x47 && b[1] === 0x45 && b[2] === 0x54 && b[3] === 0x20) || (b[0] === 0x48 && b[1] === 0x54 && b[2] === 0x54 && b[3] === 0x50));
  if (!twoSided && !head) return false;
  const o = options.maxMessageSize === undefined ? {} : { maxMessageSize: options.maxMessageSize };
  const conv = twoSided ? ws.decodeConversation(text, o) : ws.decodeConversation(b, o);
  if (!twoSided) conv.format = `${parsed.detail}, 1 direction`;
  const sides = new Set(conv.frames.map((f) => f.direction));
  if (!conv.request && !conv.response && sides.size < 2) return false;
  self.postMessage({ job, type: "conversation", conv, length: b.length });
  return true;
}
