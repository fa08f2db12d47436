// The package entry for browsers and bundlers: init() fetches the .wasm next to the glue
// (bundlers such as Vite rewrite that URL and copy the file).
import wasmInit from "../pkg/wsinspect.js";

export * from "../pkg/wsinspect.js";
export { parseBytes } from "./parse.js";
export { decodeConversation } from "./conversation.js";

let ready;
/** The one set-up call; safe to call more than once. */
export default function init() {
  ready ??= wasmInit();
  return ready.then(() => undefined);
}
