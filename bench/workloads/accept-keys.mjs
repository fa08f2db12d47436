// 6. Sec-WebSocket-Accept values per second, for 10,000 keys.

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export function rows(input, env) {
  const { keys } = input;
  const peers = [
    {
      name: "wsinspect acceptKey (wasm)",
      subject: true,
      run(sink) {
        for (let i = 0; i < keys.length; i++) sink.text(env.wsi.acceptKey(keys[i]));
      },
    },
  ];
  if (env.node) {
    const { createHash } = env.node.crypto;
    peers.push({
      name: 'node:crypto createHash("sha1")',
      run(sink) {
        for (let i = 0; i < keys.length; i++) sink.text(createHash("sha1").update(keys[i] + GUID).digest("base64"));
      },
    });
  }
  if (env.browser) {
    const enc = new TextEncoder();
    peers.push({
      name: 'crypto.subtle.digest("SHA-1")',
      async run(sink) {
        for (let i = 0; i < keys.length; i++) {
          const d = new Uint8Array(await crypto.subtle.digest("SHA-1", enc.encode(keys[i] + GUID)));
          sink.text(btoa(String.fromCharCode(...d)));
        }
      },
    });
  }
  return [
    {
      id: "accept-keys",
      title: `Accept keys: ${keys.length.toLocaleString("en")} Sec-WebSocket-Key values`,
      unit: "keys/s",
      perCall: keys.length,
      calls: 1,
      peers,
      native: { files: { "keys.txt": new TextEncoder().encode(keys.join("\n") + "\n") }, args: ["accept", "keys.txt"] },
      targets: [],
    },
  ];
}
