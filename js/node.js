// The package entry for Node: init() reads the .wasm from the package folder
// (Node's fetch cannot read file: URLs).
import { readFile } from "node:fs/promises";
import wasmInit from "../pkg/wsinspect.js";

export * from "../pkg/wsinspect.js";
export { parseBytes } from "./parse.js";
export { decodeConversation } from "./conversation.js";

let ready;
/** The one set-up call; safe to call more than once. */
export default function init() {
  ready ??= readFile(new URL("../pkg/wsinspect_bg.wasm", import.meta.url)).then((bytes) =>
    wasmInit({ module_or_path: bytes }),
  );
  return ready.then(() => undefined);
}
