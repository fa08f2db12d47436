// The script every recorded conversation follows (tests/node/conversation.test.js): the test
// writes it to a JSON file that each client peer (Node, Python, the browser page) reads, so
// they all say the same things. Payloads are hex, so every peer sends exactly these bytes.

/** The client's part: its data messages in order (the server echoes each, a "frag:" text in
 * 3 frames), then a ping, then a close. */
export function script() {
  return { messages: clientMessages(), ping: PING, close: CLOSE };
}

function clientMessages() {
  return [
    { type: "text", text: "Hello, server" },
    { type: "text", text: "héllo wörld ✓ — 日本語 🎉" },
    { type: "text", text: JSON.stringify({ type: "chat", user: "ada", text: "compress me ".repeat(100), n: [1, 2, 3] }) },
    { type: "binary", hex: Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("hex") },
    // Sent in 3 frames; the second boundary cuts "é" (c3 a9) in two, which RFC 6455 §5.6 allows.
    { type: "text", text: "frag:one two thrée ✓", fragments: ["frag:one ", "two thr\xc3", "\xa9e \xe2\x9c\x93"].map((s) => Buffer.from(s, "latin1").toString("hex")) },
    // Several TCP segments even on loopback (its MTU is 65536), and incompressible.
    { type: "binary", hex: bigPayload(300_000).toString("hex") },
  ];
}

export const PING = "are you there";
export const CLOSE = { code: 4000, reason: "bye" };

/** Incompressible bytes from a fixed seed (xorshift32), the same in every peer. */
export function bigPayload(n) {
  const out = Buffer.alloc(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** How the server fragments a "frag:" echo: three parts, the cuts at thirds of the UTF-8 bytes. */
export function serverFragments(bytes) {
  const a = Math.floor(bytes.length / 3), b = Math.floor((2 * bytes.length) / 3);
  return [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
}
