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

/** The unmasked value of the byte `bytes[offset]` when it lies in frame `f`'s masked payload, else -1. */
export function unmaskedByte(f, bytes, offset) {
  if (!f.masked || offset < f.payloadOffset || offset >= f.payloadOffset + f.payloadLength) return -1;
  return bytes[offset] ^ f.maskingKey[(offset - f.payloadOffset) % 4];
}
