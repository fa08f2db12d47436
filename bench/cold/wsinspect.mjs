// Cold start: import the package, init() (reads and compiles the .wasm), decode one frame.
const t0 = performance.now();
const { default: init, decode } = await import("wsinspect");
await init();
const r = decode(new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]), { role: "client" });
if (r.frames.length !== 1 || r.messages[0].text !== "Hello") throw new Error("cold start: wrong decode");
process.stdout.write(JSON.stringify({ ms: performance.now(), own: performance.now() - t0 }));
