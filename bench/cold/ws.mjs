// Cold start peer: load ws's Receiver and receive one frame.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const t0 = performance.now();
const require = createRequire(import.meta.url);
const Receiver = require(join(dirname(require.resolve("ws")), "lib", "receiver.js"));
const r = new Receiver({ isServer: true });
r.on("message", (data) => {
  if (data.toString() !== "Hello") throw new Error("cold start: wrong message");
  process.stdout.write(JSON.stringify({ ms: performance.now(), own: performance.now() - t0 }));
});
r.write(Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]));
