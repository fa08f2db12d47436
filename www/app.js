// Wires the page to the wsinspect package.
import init, { acceptKey } from "/js/index.js";

const status = document.querySelector("[data-testid=wasm-check]");
try {
  await init();
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  status.textContent = `wasm ready: accept key for the RFC 6455 example ${key} is ${acceptKey(key)}`;
} catch (error) {
  status.textContent = `the wasm module failed to load: ${error.message}`;
}
