// Frame fields as the package names them (the RFC's words: fin, rsv1, opcode, mask,
// payload_len, extended_payload_len, masking_key, payload, close_code, close_reason; for
// hixie-76 frames frame_type, length, payload, terminator): their labels, the colour group
// each belongs to in the hex view, and which fields cover a byte.

const LABELS = {
  fin: "FIN", rsv1: "RSV1", rsv2: "RSV2", rsv3: "RSV3", opcode: "opcode", mask: "MASK",
  payload_len: "payload length", extended_payload_len: "extended payload length",
  masking_key: "masking key", payload: "payload", close_code: "close code", close_reason: "close reason",
  frame_type: "frame type", length: "length", terminator: "terminator",
};

/** Colour groups, in the legend's order. */
export const GROUPS = {
  fin: "head", rsv1: "head", rsv2: "head", rsv3: "head", opcode: "head", frame_type: "head", terminator: "head",
  mask: "len", payload_len: "len", length: "len",
  extended_payload_len: "ext",
  masking_key: "key",
  payload: "payload", close_reason: "payload",
  close_code: "code",
};

export function fieldLabel(name) {
  return LABELS[name] ?? name.replace(/[-_]/g, " ");
}

/** The colour group of a field name ("other" for names this page does not know). */
export function fieldGroup(name) {
  return GROUPS[name] ?? "other";
}

/** Every field of `frame` that covers the byte at `offset`. */
export function fieldsAt(frame, offset) {
  return frame.fields.filter((x) => offset >= x.offset && offset < x.offset + x.length);
}

/** The narrowest field covering `offset` (a close code rather than the payload around it). */
export function fieldAt(frame, offset) {
  let best = null;
  for (const x of fieldsAt(frame, offset)) if (!best || x.length < best.length) best = x;
  return best;
}

// Masking, RFC 6455 §5.3: "Octet i of the transformed data ("transformed-octet-i") is the
// XOR of octet i of the original data ("original-octet-i") with octet at index i modulo 4 of
// the masking key"; masking and unmasking are the same step. The core returns each frame's
// payload unmasked (`payload`), and a frame object that has it is read from it. The page
// repeats the step only here, for what the core's payload cannot give: the Decode panel's
// frames come from the FrameStore, which keeps no payloads (a capture of many frames would
// otherwise cross from the worker and sit in the page twice, beside the input it already
// holds), so their bytes are unmasked from the input; and the wire view, which has the
// core's payload but not the bytes as sent, masks it again to show them.

function xorKey(data, key, at) {
  for (let j = 0; j < data.length; j++) data[j] ^= key[(at + j) % 4];
  return data;
}

/** The unmasked value of the byte at stream offset `offset` when it lies in frame `f`'s masked payload, else -1. */
export function unmaskedByte(f, bytes, offset) {
  if (!f.masked || offset < f.payloadOffset || offset >= f.payloadOffset + f.payloadLength) return -1;
  const at = offset - f.payloadOffset;
  if (f.payload && at < f.payload.length) return f.payload[at];
  if (offset >= bytes.length) return -1;
  return xorKey(Uint8Array.of(bytes[offset]), f.maskingKey, at)[0];
}

/** The first `n` payload bytes of frame `f` present, unmasked: the core's payload, or (a FrameStore frame) the input's bytes. */
export function payloadHead(f, bytes, n) {
  if (f.payload) return f.payload.subarray(0, n);
  const start = f.payloadOffset;
  const end = Math.min(start + Math.min(f.payloadLength, n), bytes.length);
  if (end <= start) return new Uint8Array(0);
  // A copy (Uint8Array.from): a Buffer's slice would share, and unmask, the input itself.
  const data = Uint8Array.from(bytes.subarray(start, end));
  return f.masked ? xorKey(data, f.maskingKey, 0) : data;
}

/** The first `n` bytes of a masked frame's payload as they crossed the wire: the core's unmasked payload masked again. */
export function maskedHead(f, n) {
  return xorKey(Uint8Array.from(f.payload.subarray(0, n)), f.maskingKey, 0);
}
