// One stream per violation id, built with the package's own encoder, and where the
// violation must be reported: the offset of the first byte of the field that breaks the
// rule, and the length of the span that breaks it (RFC 6455 §5.2's layout: byte 0 holds
// FIN, RSV1-3 and the opcode, byte 1 MASK and the 7-bit length, then 2 or 8 bytes of
// extended length; a close body starts with its 2-byte code; the whole frame for a close
// too short, a payload that does not inflate, data after close; the header for a message
// over the maximum).
export function violationCases(ws) {
  const f = (spec) => ws.encodeFrame(spec);
  const key = Uint8Array.of(1, 2, 3, 4);
  const cat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const text = f({ opcode: 1, payload: "hi" });
  const deflate = { role: "server", extensions: "permessage-deflate" };
  return [
    { id: "reserved-bits", bytes: f({ opcode: 1, rsv2: true, payload: "a" }), offset: 0, length: 1 },
    { id: "reserved-opcode", bytes: cat(text, f({ opcode: 3, payload: "a" })), offset: 4, length: 1 },
    { id: "unmasked-client-frame", bytes: text, options: { role: "client" }, offset: 1, length: 1 },
    { id: "masked-server-frame", bytes: f({ opcode: 1, payload: "a", maskingKey: key }), options: { role: "server" }, offset: 1, length: 1 },
    { id: "control-frame-too-long", bytes: f({ opcode: 9, payload: new Uint8Array(126) }), offset: 1, length: 3 },
    { id: "fragmented-control-frame", bytes: f({ opcode: 9, fin: false }), offset: 0, length: 1 },
    { id: "non-minimal-length", bytes: f({ opcode: 1, payload: "abc", lengthEncoding: "16" }), offset: 2, length: 2 },
    { id: "length-too-large", bytes: Uint8Array.of(0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0), offset: 2, length: 8 },
    { id: "unexpected-continuation", bytes: cat(text, f({ opcode: 0, payload: "a" })), offset: 4, length: 1 },
    { id: "expected-continuation", bytes: cat(f({ opcode: 1, fin: false, payload: "a" }), text), offset: 3, length: 1 },
    { id: "close-payload-too-short", bytes: f({ opcode: 8, payload: Uint8Array.of(3) }), offset: 0, length: 3 },
    { id: "invalid-close-code", bytes: f({ opcode: 8, payload: ws.encodeClosePayload(1005, "") }), offset: 2, length: 2 },
    { id: "invalid-utf8", bytes: f({ opcode: 1, payload: Uint8Array.of(0x48, 0x69, 0xff) }), offset: 4, length: 1 },
    { id: "invalid-rsv1", bytes: f({ opcode: 9, rsv1: true }), options: deflate, offset: 0, length: 1 },
    { id: "inflate-failed", bytes: cat(text, f({ opcode: 1, rsv1: true, payload: Uint8Array.of(0xff, 0xff, 0xff) })), options: deflate, offset: 4, length: 5 },
    { id: "data-after-close", bytes: cat(f({ opcode: 8, payload: ws.encodeClosePayload(1000, "") }), text), offset: 4, length: 4 },
    { id: "message-too-big", bytes: cat(text, f({ opcode: 2, payload: new Uint8Array(10) })), options: { maxMessageSize: 5 }, offset: 4, length: 2 },
  ];
}
