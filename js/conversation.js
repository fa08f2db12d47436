// decodeConversation(input): a string goes into wasm as UTF-8 encoded by the engine's
// TextEncoder (as parseBytes does); bytes go in as they are.
import { decodeConversation as decodeInWasm, decodeConversationUtf8 } from "../pkg/wsinspect.js";

const encoder = new TextEncoder();

/** Both directions of a conversation from Follow TCP Stream text or a packet dump, or one direction's bytes. */
export function decodeConversation(input, options) {
  if (typeof input === "string") return decodeConversationUtf8(encoder.encode(input), options);
  return decodeInWasm(input, options);
}
