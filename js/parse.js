// parseBytes(text): the string goes into wasm as UTF-8 encoded by the engine's TextEncoder,
// which is many times faster than wasm-bindgen's character-by-character copy of a string.
// Once the conversation module is loaded (initConversations), its parser is used: it reads
// the conversation forms (Follow TCP Stream text, packet dumps) too, as the CLI does.
import { parseBytesUtf8 as parseOneDirection } from "../pkg/wsinspect.js";
import { conversationsLoaded, parseBytesUtf8Full } from "./conversation.js";

const encoder = new TextEncoder();
/** Reused room for encodeInto: no allocation per paste up to 16 MiB of text. */
let scratch = new Uint8Array(0);
const KEEP = 16 << 20;

/**
 * The string as UTF-8 bytes. encodeInto a kept buffer costs a fraction of encode()'s fresh
 * array (a pasted capture is megabytes of ASCII); text with many non-ASCII characters, which
 * may not fit, takes encode().
 */
function utf8Of(text) {
  const room = text.length + (text.length >> 3) + 16;
  const into = room <= scratch.length ? scratch : new Uint8Array(room);
  if (into !== scratch && room <= KEEP) scratch = into;
  const { read, written } = encoder.encodeInto(text, into);
  return read === text.length ? into.subarray(0, written) : encoder.encode(text);
}

/** parseBytes of text given as its UTF-8 bytes. */
export function parseBytesUtf8(utf8, format) {
  return conversationsLoaded() ? parseBytesUtf8Full(utf8, format) : parseOneDirection(utf8, format);
}

/** Bytes from pasted text: hex (many shapes), base64 or escaped text. */
export function parseBytes(text, format) {
  if (typeof text !== "string") throw new TypeError("parseBytes needs a string; for UTF-8 bytes use parseBytesUtf8");
  return parseBytesUtf8(utf8Of(text), format);
}
