// The examples menu: each entry sets one panel's inputs (by their data-state keys) and shows
// that panel. Bytes are the specifications' own worked examples, copied byte for byte.

import { FOLLOW_RAW, TSHARK_X } from "./examples-conversations.js";

const bytesHex = (prefix, n) => prefix + Array.from({ length: n }, (_, i) => (i & 0xff).toString(16).padStart(2, "0")).join("");

const RFC6455_REQUEST = `GET /chat HTTP/1.1
Host: server.example.com
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
Origin: http://example.com
Sec-WebSocket-Protocol: chat, superchat
Sec-WebSocket-Version: 13

`;
const RFC6455_RESPONSE = `HTTP/1.1 101 Switching Protocols
Upgrade: websocket
Connection: Upgrade
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
Sec-WebSocket-Protocol: chat

`;
const HIXIE76_REQUEST = `GET /demo HTTP/1.1
Host: example.com
Connection: Upgrade
Sec-WebSocket-Key2: 12998 5 Y3 1  .P00
Sec-WebSocket-Protocol: sample
Upgrade: WebSocket
Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5
Origin: http://example.com

^n:ds[4U`;
const HIXIE76_RESPONSE = `HTTP/1.1 101 WebSocket Protocol Handshake
Upgrade: WebSocket
Connection: Upgrade
Sec-WebSocket-Origin: http://example.com
Sec-WebSocket-Location: ws://example.com/demo
Sec-WebSocket-Protocol: sample

8jKS'y:G*Co,Wxa-`;

const decode = (hexText, role, extensions = "", protocol = "auto") =>
  ({ "d.in": hexText, "d.fmt": "hex", "d.role": role, "d.ext": extensions, "d.proto": protocol });
const DEFLATE = "permessage-deflate";

/** [group, name, panel, values]; values missing from a panel's keys go back to their defaults. */
export const EXAMPLES = [
  ["RFC 6455 §5.7", "single-frame unmasked text", "decode", decode("81 05 48 65 6c 6c 6f", "server")],
  ["RFC 6455 §5.7", "single-frame masked text", "decode", decode("81 85 37 fa 21 3d 7f 9f 4d 51 58", "client")],
  ["RFC 6455 §5.7", "fragmented unmasked text", "decode", decode("01 03 48 65 6c 80 02 6c 6f", "server")],
  ["RFC 6455 §5.7", "unmasked ping", "decode", decode("89 05 48 65 6c 6c 6f", "server")],
  ["RFC 6455 §5.7", "masked pong", "decode", decode("8a 85 37 fa 21 3d 7f 9f 4d 51 58", "client")],
  ["RFC 6455 §5.7", "256 bytes binary, 16-bit length", "decode", decode(bytesHex("827e0100", 256), "server")],
  ["RFC 6455 §5.7", "64 KiB binary, 64-bit length", "decode", decode(bytesHex("827f0000000000010000", 65536), "server")],
  ["RFC 6455 §1.3", "opening handshake", "handshake", { "h.req": RFC6455_REQUEST, "h.res": RFC6455_RESPONSE, "h.key": "dGhlIHNhbXBsZSBub25jZQ==" }],
  ["RFC 7692 §7.2.3", "compressed Hello", "decode", decode("c1 07 f2 48 cd c9 c9 07 00", "server", DEFLATE)],
  ["RFC 7692 §7.2.3", "compressed Hello, fragmented", "decode", decode("41 03 f2 48 cd 80 04 c9 c9 07 00", "server", DEFLATE)],
  ["RFC 7692 §7.2.3", "two messages sharing the sliding window", "decode", decode("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00", "server", DEFLATE)],
  ["RFC 7692 §7.2.3", "DEFLATE block with no compression", "decode", decode("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00", "server", DEFLATE)],
  ["RFC 7692 §7.2.3", "DEFLATE block with BFINAL set", "decode", decode("c1 08 f3 48 cd c9 c9 07 00 00", "server", DEFLATE)],
  ["RFC 7692 §7.2.3", "two DEFLATE blocks in one message", "decode", decode("c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00", "server", DEFLATE)],
  ["more", "a compressed conversation (four messages, one window)", "decode", decode(
    "c107f248cdc9c90700 c105f200110000 c127aa562aa92c4855b2524a2f4a4d2dc9cc4b57d2512a49ad28018a80e57514caf38b7252946a0100 c10c22a45021313d31330fae1c00",
    "server", DEFLATE)],
  ["hixie-76", "opening handshake (draft-76 §1.3)", "handshake", {
    "h.req": HIXIE76_REQUEST, "h.res": HIXIE76_RESPONSE,
    "h.k1": "4 @1  46546xW%0l 1 5", "h.k2": "12998 5 Y3 1  .P00", "h.k3": "^n:ds[4U",
  }],
  ["hixie-76", "text frames and the closing frame", "decode", decode("00 48 65 6c 6c 6f ff 00 77 6f 72 6c 64 ff ff 00", "auto", "", "hixie-76")],
  ["conversations", "a recorded compressed chat (tshark Follow TCP Stream)", "decode", { "d.in": FOLLOW_RAW }],
  ["conversations", "the same chat as tshark -x packet dumps", "decode", { "d.in": TSHARK_X }],
  ["more", "a client stream with several violations", "decode", decode(
    "c18537fa213d7f9f4d5158 838037fa213d 810548656c6c6f 098037fa213d 888237fa213d3417 818037fa213d", "client")],
];
