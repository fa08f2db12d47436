// The package entry for Node: init() reads the .wasm files from the package folder (Node's
// fetch cannot read file: URLs). Reading a file costs nothing like a download, so init()
// loads the conversation module too: in Node, decodeConversation works after init().
import { readFile } from "node:fs/promises";
import { initSync as wasmInitSync } from "../pkg/wsinspect.js";
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

let conversationsReady;
/** Loads the conversation module (decodeConversation, ConversationDecoder); safe to call more than once. */
export function initConversations() {
  conversationsReady ??= loadConversations(
    readFile(new URL("../pkg/conversation/wsinspect_conversation_bg.wasm", import.meta.url)),
  );
  return conversationsReady.then(() => undefined);
}

let ready;
/** The one set-up call; safe to call more than once. */
export default function init() {
  ready ??= Promise.all([
    // Compiled, then instantiated by initSync: the async init() of wasm-bindgen's glue
    // looks at the `Request` global, whose first use in Node 20 loads its fetch (40 ms).
    readFile(new URL("../pkg/wsinspect_bg.wasm", import.meta.url))
      .then((bytes) => WebAssembly.compile(bytes))
      .then((module) => wasmInitSync({ module })),
    initConversations(),
  ]);
  return ready.then(() => undefined);
}
