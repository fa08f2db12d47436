// The conversation module: decodeConversation, decodeConversationUtf8 and
// ConversationDecoder live in a second wasm module (pkg/conversation/), built with the
// core's `conversation` feature, so the decoding module stays small for pages that never
// see a conversation. `initConversations()` loads it (once); the calls below need it.
import * as conversations from "../pkg/conversation/wsinspect_conversation.js";
import { withMessageLimit, defaultLimitNotice, checkWritable, checkCommit } from "./decode.js";

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

/** A message-too-big under the default limit (not one the caller chose) gets a notice saying how to raise it. */
function noteDefaultLimit(result, defaultLimit) {
  const notice = defaultLimit && defaultLimitNotice(result.violations);
  if (notice) {
    const { over, ...plain } = notice;
    result.notices.push({ ...plain, direction: over.direction, time: over.time, packet: over.packet });
  }
  return result;
}

/**
 * Both directions of a conversation from Follow TCP Stream text or a packet dump, or one
 * direction's bytes. The maximum message size defaults to 64 MiB, as decode()'s does.
 */
export function decodeConversation(input, options) {
  const m = need("decodeConversation");
  const { wasm, defaultLimit } = withMessageLimit(options);
  // A string goes into wasm as UTF-8 encoded by the engine's TextEncoder (as parseBytes does).
  const result = typeof input === "string" ? m.decodeConversationUtf8(encoder.encode(input), wasm) : m.decodeConversation(input, wasm);
  return noteDefaultLimit(result, defaultLimit);
}

/** decodeConversation of text given as its UTF-8 bytes. */
export function decodeConversationUtf8(utf8, options) {
  const m = need("decodeConversationUtf8");
  const { wasm, defaultLimit } = withMessageLimit(options);
  return noteDefaultLimit(m.decodeConversationUtf8(utf8, wasm), defaultLimit);
}

/** A conversation pushed in chunks: push(direction, chunk, meta), then end(). Same default limit. */
export class ConversationDecoder extends conversations.ConversationDecoder {
  constructor(options) {
    need("ConversationDecoder");
    super(withMessageLimit(options).wasm);
  }
}

/**
 * Every WebSocket conversation in whatever the user has: a pcap or pcapng file, a HAR,
 * Follow TCP Stream text, a packet dump or one direction's bytes. Same default limit as
 * decodeConversation.
 */
export function decodeCapture(input, options) {
  const m = need("decodeCapture");
  const { wasm, defaultLimit } = withMessageLimit(options);
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  const result = m.decodeCapture(bytes, wasm);
  for (const c of result.conversations) noteDefaultLimit(c, defaultLimit);
  return result;
}

/** A capture read in slices: push(chunk) and end() return what each found and decoded. Same default limit. */
export class CaptureDecoder extends conversations.CaptureDecoder {
  #defaultLimit;
  constructor(options) {
    need("CaptureDecoder");
    const { wasm, defaultLimit } = withMessageLimit(options);
    super(wasm);
    this.#defaultLimit = defaultLimit;
  }
  push(chunk) {
    return this.#noted(super.push(chunk));
  }
  /**
   * Zero-copy intake: a view of min(n, 16 MiB) bytes of wasm memory to read the next slice
   * into (a file's read, say), then taken by commit(). Valid only until the next call on
   * this decoder or any other wasm call (one may grow wasm memory, which detaches it).
   */
  writable(n) {
    checkWritable(n);
    const view = super.writable(n);
    this.#writable = view.length;
    return view;
  }
  /** Takes the first `n` bytes written into the view writable() returned; as push() of them. */
  commit(n) {
    checkCommit(n, this.#writable);
    this.#writable = 0;
    return this.#noted(super.commit(n));
  }
  end() {
    this.#writable = 0;
    return this.#noted(super.end());
  }
  #writable = 0;
  #noted(part) {
    for (const c of part.conversations) noteDefaultLimit(c, this.#defaultLimit);
    return part;
  }
}

/** A conversation's bytes as a pcapng file that Wireshark and tshark open (see index.d.ts). */
export function conversationPcapng(conversation) {
  return need("conversationPcapng").conversationPcapng(conversation);
}

/** The conversation module's text parser (it reads the conversation forms too). */
export function conversationParser() {
  return conversations;
}

/**
 * Loads the conversation module from its wasm: bytes (Node), compiled here and instantiated
 * by initSync, which never looks at the `Request` and `Response` globals (in Node 20 their
 * first use loads its fetch implementation: about 40 ms); or undefined, for the URL next
 * to its glue (browsers).
 */
export async function loadConversations(source) {
  const bytes = await source;
  if (bytes === undefined) await conversations.default();
  else conversations.initSync({ module: await WebAssembly.compile(bytes) });
  loaded = true;
}
