// parseBytes(text): the string goes into wasm as UTF-8 encoded by the engine's TextEncoder,
// which is many times faster than wasm-bindgen's character-by-character copy of a string.
import { parseBytesUtf8 } from "../pkg/wsinspect.js";

const encoder = new TextEncoder();

/** Bytes from pasted text: hex (many shapes), base64 or escaped text. */
export function parseBytes(text, format) {
  if (typeof text !== "string") throw new TypeError("parseBytes needs a string; for UTF-8 bytes use parseBytesUtf8");
  return parseBytesUtf8(encoder.encode(text), format);
}
