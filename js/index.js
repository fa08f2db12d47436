// The package entry for browsers and bundlers: init() fetches the decoding module's .wasm
// next to its glue, initConversations() the conversation module's (bundlers such as Vite
// rewrite those URLs and copy the files).
import wasmInit from "../pkg/wsinspect.js";
import { loadConversations } from "./conversation.js";

// The decoding module's own calls (its internal helpers, such as parseBytes' text intake, stay
// internal; decode, Decoder and parseBytesUtf8 come wrapped, below).
export {
  acceptKey, checkHandshakePair, closeCodeName, encodeClosePayload, encodeFrame, generateKey, hixie76Answer,
  hixie76GenerateKeys, hixie76KeySteps, parseHandshake, reference, initSync,
} from "../pkg/wsinspect.js";
export { parseBytes, parseBytesUtf8 } from "./parse.js";
export { decode, Decoder, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_TOTAL_SIZE } from "./decode.js";
export {
  decodeConversation, decodeConversationUtf8, ConversationDecoder, decodeCapture, CaptureDecoder, conversationPcapng,
} from "./conversation.js";

let ready;
/** The one set-up call of the decoding module; safe to call more than once. */
export default function init() {
  ready ??= wasmInit();
  return ready.then(() => undefined);
}

let conversationsReady;
/** Loads the conversation module (decodeConversation, ConversationDecoder); safe to call more than once. */
export function initConversations() {
  conversationsReady ??= loadConversations(undefined);
  return conversationsReady.then(() => undefined);
}
