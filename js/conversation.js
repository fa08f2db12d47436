// The conversation module: decodeConversation, decodeConversationUtf8 and
// ConversationDecoder live in a second wasm module (pkg/conversation/), built with the
// core's `conversation` feature, so the decoding module stays small for pages that never
// see a conversation. `initConversations()` loads it (once); the calls below need it.
import * as conversations from "../pkg/conversation/wsinspect_conversation.js";

const encoder = new TextEncoder();
let loaded = false;

/** Whether initConversations() has finished: parseBytes then reads the conversation forms too. */
export function conversationsLoaded() {
  return loaded;
}

function need(name) {
  if (!loaded) {
    throw new Error(`${name} needs the conversation module: call \`await initConversations()\` first (it is a second module, loaded on first use)`);
  }
  return conversations;
}

/** Both directions of a conversation from Follow TCP Stream text or a packet dump, or one direction's bytes. */
export function decodeConversation(input, options) {
  const m = need("decodeConversation");
  // A string goes into wasm as UTF-8 encoded by the engine's TextEncoder (as parseBytes does).
  if (typeof input === "string") return m.decodeConversationUtf8(encoder.encode(input), options);
  return m.decodeConversation(input, options);
}

/** decodeConversation of text given as its UTF-8 bytes. */
export function decodeConversationUtf8(utf8, options) {
  return need("decodeConversationUtf8").decodeConversationUtf8(utf8, options);
}

/** A conversation pushed in chunks: push(direction, chunk, meta), then end(). */
export class ConversationDecoder extends conversations.ConversationDecoder {
  constructor(options) {
    need("ConversationDecoder");
    super(options);
  }
}

/** parseBytesUtf8 of the conversation module (it reads the conversation forms too). */
export function parseBytesUtf8Full(utf8, format) {
  return conversations.parseBytesUtf8(utf8, format);
}

/** Loads the conversation module from its wasm (bytes, or undefined for the URL next to its glue). */
export async function loadConversations(source) {
  await conversations.default({ module_or_path: await source });
  loaded = true;
}
