// parseBytes(text): the string goes into wasm as UTF-8 encoded by the engine's TextEncoder,
// which is many times faster than wasm-bindgen's character-by-character copy of a string.
// Once the conversation module is loaded (initConversations), its parser is used: it reads
// the conversation forms (Follow TCP Stream text, packet dumps) too, as the CLI does.
import * as decoding from "../pkg/wsinspect.js";
import { conversationsLoaded, conversationParser } from "./conversation.js";

const encoder = new TextEncoder();

/** The parser in use: the conversation module's once loaded, else the decoding module's. */
const parser = () => (conversationsLoaded() ? conversationParser() : decoding);

/**
 * parseBytes of a string: encoded as UTF-8 by the engine's TextEncoder.encodeInto straight
 * into wasm memory (a pasted capture is megabytes of ASCII; no copy on the way in). Text
 * with many non-ASCII characters, which may not fit the room asked for, takes encode().
 */
function parseText(text, format) {
  const p = parser();
  const view = p.textIntake(text.length + (text.length >> 3) + 16);
  const { read, written } = encoder.encodeInto(text, view);
  return read === text.length ? p.parseTextIntake(written, format) : p.parseBytesUtf8(encoder.encode(text), format);
}

/** parseBytes of text given as its UTF-8 bytes. */
export function parseBytesUtf8(utf8, format) {
  return parser().parseBytesUtf8(utf8, format);
}

/** Bytes from pasted text: hex (many shapes), base64 or escaped text. */
export function parseBytes(text, format) {
  if (typeof text !== "string") throw new TypeError("parseBytes needs a string; for UTF-8 bytes use parseBytesUtf8");
  return parseText(text, format);
}
