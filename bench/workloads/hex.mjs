// 3. Hex text to bytes: 2 MiB of bytes as clean hex (4 MiB of text), spaced hex and xxd
// output, including getting the bytes out of the JS string. MB/s of text.

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;
  HEX_VALUE["0123456789ABCDEF".charCodeAt(i)] = i;
}

/** A plain JS decoder (charCodeAt and a table), skipping whitespace: what a page would write. */
function jsHex(text) {
  const out = new Uint8Array(text.length >> 1);
  let n = 0;
  let hi = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    const v = c < 128 ? HEX_VALUE[c] : -1;
    if (v < 0) throw new Error(`bad hex digit at ${i}`);
    if (hi < 0) hi = v;
    else {
      out[n++] = (hi << 4) | v;
      hi = -1;
    }
  }
  return out.subarray(0, n);
}

/** xxd's hex columns (characters 10 to 49 of each line), spaces removed. */
function xxdHex(text) {
  const lines = text.split("\n");
  let hex = "";
  for (let i = 0; i < lines.length; i++) if (lines[i]) hex += lines[i].slice(10, 49).replaceAll(" ", "");
  return hex;
}

export function rows(input, env) {
  const out = [];
  for (const [form, texts] of [["clean", input.clean], ["spaced", input.spaced], ["xxd", input.xxd]]) {
    const length = texts.reduce((n, t) => n + t.length, 0);
    const peers = [
      {
        name: 'wsinspect parseBytes(text, "hex") (wasm)',
        subject: true,
        run(sink, k) {
          sink.message(env.wsi.parseBytes(texts[k], "hex").bytes, false);
        },
      },
    ];
    const targets = [];
    if (env.node) {
      const { Buffer } = env.node;
      if (form === "clean") {
        peers.push({ name: 'Buffer.from(hex, "hex")', run: (sink, k) => sink.message(Buffer.from(texts[k], "hex"), false) });
        targets.push({ vs: 'Buffer.from(hex, "hex")', min: 2 });
      } else if (form === "spaced") {
        peers.push({
          name: 'Buffer.from(text.replace(/\\s+/g, ""), "hex")',
          run: (sink, k) => sink.message(Buffer.from(texts[k].replace(/\s+/g, ""), "hex"), false),
        });
      } else {
        peers.push({ name: 'xxd columns sliced, then Buffer.from(hex, "hex")', run: (sink, k) => sink.message(Buffer.from(xxdHex(texts[k]), "hex"), false) });
        targets.push({ vs: 'xxd columns sliced, then Buffer.from(hex, "hex")', min: 1 });
      }
    }
    if (env.browser && typeof Uint8Array.fromHex === "function") {
      if (form === "clean") {
        peers.push({ name: "Uint8Array.fromHex(hex)", run: (sink, k) => sink.message(Uint8Array.fromHex(texts[k]), false) });
        targets.push({ vs: "Uint8Array.fromHex(hex)", min: 2 });
      } else if (form === "spaced") {
        peers.push({ name: 'Uint8Array.fromHex(text.replace(/\\s+/g, ""))', run: (sink, k) => sink.message(Uint8Array.fromHex(texts[k].replace(/\s+/g, "")), false) });
      } else {
        peers.push({ name: "xxd columns sliced, then Uint8Array.fromHex", run: (sink, k) => sink.message(Uint8Array.fromHex(xxdHex(texts[k])), false) });
        targets.push({ vs: "xxd columns sliced, then Uint8Array.fromHex", min: 1 });
      }
    }
    if (form !== "xxd") peers.push({ name: "JS loop (charCodeAt and a table)", run: (sink, k) => sink.message(jsHex(texts[k]), false) });
    out.push({
      id: `hex-${form}`,
      title: `Hex to bytes, ${form}: ${(length / 2 ** 20).toFixed(1)} MiB of text (${(input.bytes.length / 2 ** 20).toFixed(0)} MiB of bytes) in ${texts.length} pieces (one call: one piece)`,
      unit: "MB/s",
      perCall: length / texts.length / 1e6,
      calls: texts.length,
      peers,
      native: {
        files: Object.fromEntries(texts.map((t, i) => [`hex-${form}-${i}.txt`, new TextEncoder().encode(t)])),
        args: ["hex", "{pieces}"],
        pieces: texts.map((t, i) => `hex-${form}-${i}.txt`),
      },
      targets,
    });
  }
  return out;
}
