// The wsinspect JavaScript API. Byte offsets are absolute in the stream (or the input).

/** The one set-up call, the same in Node and browsers; in Node it reads the .wasm from the package. Safe to call twice. */
export default function init(): Promise<void>;

/**
 * Loads the conversation module (a second .wasm, next to the first): decodeConversation,
 * decodeConversationUtf8 and ConversationDecoder throw until it has loaded, and parseBytes
 * reads the conversation forms (Follow TCP Stream text, packet dumps) once it has. In Node,
 * init() loads it too. Safe to call twice.
 */
export function initConversations(): Promise<void>;

export type Format = "auto" | "hex" | "base64" | "escaped";
export type Role = "client" | "server" | "auto";
export type Protocol = "rfc6455" | "hixie-76" | "auto";

/** Thrown by parseBytes: where the text stops making sense (1-based line and column, character offset). */
export interface ParseBytesError extends Error { line: number; column: number; offset: number }

/** Bytes from pasted text: hex (spaced, 0x, \x, C/JS arrays, xxd, hexdump -C, Wireshark), base64 (standard or URL-safe), or escaped text. */
export function parseBytes(text: string, format?: Format): { bytes: Uint8Array; format: "hex" | "base64" | "escaped"; detail: string };

/** parseBytes on text already in UTF-8 bytes (a dropped file, say): no string step at all. */
export function parseBytesUtf8(utf8: Uint8Array, format?: Format): { bytes: Uint8Array; format: "hex" | "base64" | "escaped"; detail: string };

export interface DecodeOptions {
  role?: Role;
  protocol?: Protocol;
  /** A Sec-WebSocket-Extensions response value, e.g. "permessage-deflate; server_no_context_takeover". */
  extensions?: string;
  /**
   * The largest message (inflated size) kept, in bytes: past it the decoder reports
   * `message-too-big` once, keeps no more of that message and inflates no more of it.
   * Default {@link DEFAULT_MAX_MESSAGE_SIZE} (64 MiB); `Infinity` lifts it.
   */
  maxMessageSize?: number;
  /**
   * The most payload and message bytes one decode (one `decode` call, or one `Decoder` over
   * all its pushes) returns. Past it the decoder stops, adds a notice naming the limit and the
   * byte it stopped at, and returns nothing more. Default {@link DEFAULT_MAX_TOTAL_SIZE}
   * (256 MiB); `Infinity` lifts it.
   */
  maxTotalSize?: number;
}

/** 64 MiB: the maximum message size when the options name none. */
export const DEFAULT_MAX_MESSAGE_SIZE: number;
/** 256 MiB: the budget of one decode when the options name none. */
export const DEFAULT_MAX_TOTAL_SIZE: number;

export interface Field { name: string; offset: number; length: number }

export interface Frame {
  index: number; offset: number; headerLength: number; length: number;
  fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean;
  opcode: number; kind: "continuation" | "text" | "binary" | "close" | "ping" | "pong" | "reserved";
  /**
   * The frame carries part of a message sent compressed under permessage-deflate (RFC 7692
   * §6): the message's first frame has RSV1 and the extension was agreed. True for its
   * continuation frames too, which carry no RSV1 of their own; false for control frames,
   * uncompressed messages and hixie-76 frames. `payload` is then DEFLATE data (the message
   * has it inflated).
   */
  compressed: boolean;
  masked: boolean; maskingKey: Uint8Array | null;
  payloadLength: number;
  /** Which encoding carried the length; hixie-76 frames: "sentinel" (0x00 ... 0xFF) or "hixie-length". */
  lengthEncoding: "7" | "16" | "64" | "sentinel" | "hixie-length";
  payloadOffset: number;
  /** The unmasked payload bytes present in the input (a copy, yours to keep; made on first access). */
  payload: Uint8Array;
  closeCode?: number; closeCodeName?: string; closeReason?: string;
  fields: Field[];
}

export interface Message {
  index: number; kind: "text" | "binary"; frames: number[]; compressed: boolean;
  /** Payload bytes on the wire (compressed size when compressed). */
  wireLength: number;
  /** Size after inflating (equal to wireLength when not compressed). */
  inflatedLength: number;
  /** Stream offset of its first frame. */
  offset: number;
  /** False when the stream ended (or another message began) before its final frame. */
  complete: boolean;
  /** The message's bytes (inflated); for one uncompressed frame, that frame's `payload` object itself. */
  data: Uint8Array; text: string | null;
}

export interface Violation {
  /** A stable id such as "reserved-opcode". */
  id: string;
  /** Stream offset of the first byte that breaks the rule (for invalid-utf8: the first byte of the maximal ill-formed subsequence). */
  offset: number;
  /** How many bytes from `offset` break the rule: the span the page underlines (e.g. 2 for a close code, the extended length field for non-minimal-length). */
  length: number;
  frame: number | null; rfc: string;
  /** The close code a strict endpoint sends for it (null for hixie-76 rules: that protocol has no close codes). */
  closeCode: number | null;
  message: string;
}

/** Something worth knowing that is not a violation; `id` is stable ("role-detected", "default-message-limit", "budget-reached", ...). */
export interface Notice { id: string; offset: number; message: string }

export interface DecodeResult {
  frames: Frame[]; messages: Message[]; violations: Violation[];
  incomplete: {
    offset: number;
    /**
     * The bytes still missing; null while the header itself is incomplete (then `minNeeded`
     * says how many at least). A count above 2^53 cannot be a JS number without rounding: it
     * is the string "more than 2^53" (`message` gives the exact count).
     */
    needed: number | "more than 2^53" | null;
    minNeeded: number; have: number;
    /** The index the truncated frame would have had, once its header was complete. */
    frame: number | null;
    /** The truncated frame as far as it came, once its header is complete: `length` and `payload` count the bytes present, `payloadLength` is the declared length. */
    partial: Frame | null;
    message: string;
  } | null;
  /** What the decoder noticed that breaks no rule: a Flash policy request at the start, the role or protocol it detected, the default limit applied. */
  notices: Notice[];
  role: "client" | "server" | "unknown";
  protocol: "rfc6455" | "hixie-76" | "unknown";
}

/**
 * Decodes a whole capture; the same result as pushing it in any split and calling end().
 * Throws a TypeError when `bytes` is not a Uint8Array.
 */
export function decode(bytes: Uint8Array, options?: DecodeOptions): DecodeResult;

/**
 * Incremental decoding: push() returns what that chunk completed; end() reports the incomplete tail.
 * push() throws a TypeError when `chunk` is not a Uint8Array (the decoder stays usable). If a
 * call fails inside wasm, that error is thrown and the decoder is done: later calls throw, and
 * free() is still safe.
 */
export class Decoder {
  constructor(options?: DecodeOptions);
  push(chunk: Uint8Array): DecodeResult;
  /**
   * Zero-copy intake: a view of at most `n` bytes of wasm memory to read input into, then
   * decoded by commit(). The view is valid ONLY until the next call into the package (a call
   * may grow wasm memory, which detaches it). The results of commit() are copies, as push()'s.
   */
  writable(n: number): Uint8Array;
  /** Decodes the first `n` bytes written into the view writable() returned, as push() of them. */
  commit(n: number): DecodeResult;
  end(): DecodeResult;
  /** Releases the wasm side; safe to call twice and after a failure. */
  free(): void;
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string;

/** A Sec-WebSocket-Key (base64 of 16 bytes) made from a caller's seed (the core has no randomness). */
export function generateKey(seed: number): string;

/** Thrown by hixie76Answer / hixie76KeySteps: which key, the error id and the byte inside the key. */
export interface Hixie76Error extends Error { id: string; key?: "key1" | "key2" | "key3"; offset?: number }

/** The hixie-76 16-byte answer: MD5 of key1's and key2's quotients (big-endian u32) and key3's 8 bytes. */
export function hixie76Answer(key1: string, key2: string, key3: Uint8Array | string): Uint8Array;

/** One hixie-76 key's steps: its digits, their number, the count of spaces, and number / spaces. */
export function hixie76KeySteps(key: string): { digits: string; number: number; spaces: number; quotient: number; part: Uint8Array };

/** A valid hixie-76 key1, key2 and 8-byte key3 from a caller's seed. */
export function hixie76GenerateKeys(seed: number): { key1: string; key2: string; key3: Uint8Array };

export interface HandshakeHeader { name: string; value: string; offset: number; length: number; valueOffset: number; valueLength: number }

/** One rule of RFC 6455 §4.1/§4.2 (or hixie-76), passed or failed, with the offending header's offset. */
/** One handshake rule, passed or failed: `id` names what goes wrong when it fails, `rule` states it in the specification's words (reference().handshakeRules lists them all). */
export interface HandshakeCheck {
  id: string; rule: string; passed: boolean; message: string; rfc: string; offset: number | null; header: string | null;
  /** What the rule calls for, worked out from the other head: the Sec-WebSocket-Accept the request's key calls for ("accept-mismatch", RFC 6455 §4.2.2) or hixie-76's answer in hex ("bad-hixie76-answer"); null for other checks. */
  expected: string | null;
}

export interface Handshake {
  kind: "request" | "response";
  /** "hixie-75", "hixie-76", "hybi-NN", "rfc6455" or "unknown". */
  generation: string;
  generationDescription: string;
  /** False while the head (or hixie-76's trailing key bytes) has not all arrived. */
  complete: boolean;
  method?: string; path?: string; version?: string; status?: number; reason?: string;
  startLineOffset: number; startLineLength: number;
  headers: HandshakeHeader[];
  headLength: number | null;
  /** Bytes after the head: hixie-76's key3 (request) or answer (response), or frames. */
  trailing: Uint8Array;
  incomplete: { offset: number; needed: number | null } | null;
  /** Malformed HTTP or a head over 8 KiB: what and where. */
  error: { id: string; offset: number; message: string } | null;
  checks: HandshakeCheck[];
}

/** Parses an opening handshake, request or response (bytes or text), and checks each rule. */
export function parseHandshake(bytes: Uint8Array | string): Handshake;

/** Checks a request and response together: accept key, subprotocol and extensions offered, hixie-76 answer. */
export function checkHandshakePair(request: Uint8Array | string, response: Uint8Array | string): HandshakeCheck[];

export interface FrameSpec {
  /** Default true. */
  fin?: boolean; rsv1?: boolean; rsv2?: boolean; rsv3?: boolean;
  /** 0 to 15, reserved ones included. */
  opcode: number;
  /** 4 bytes: sets MASK and masks the payload. */
  maskingKey?: Uint8Array | null;
  /** Bytes, or a string sent as UTF-8. */
  payload?: Uint8Array | string;
  /** Compress as one permessage-deflate message (sets RSV1). */
  compress?: boolean;
  /** Force an encoding even when not minimal. */
  lengthEncoding?: "7" | "16" | "64";
  /** Write this length instead of the real one (a frame that lies on purpose). */
  declaredLength?: number;
}

/** Builds a frame's bytes; nothing is validated, so broken frames can be built on purpose. */
export function encodeFrame(spec: FrameSpec): Uint8Array;

/** A close frame's payload: the code (any, even invalid ones) big-endian, then the reason as UTF-8. */
export function encodeClosePayload(code: number, reason: string): Uint8Array;

export interface Reference {
  opcodes: { opcode: number; name: string; meaning: string; control: boolean; reserved: boolean }[];
  closeCodes: { code: number; name: string; validOnWire: boolean }[];
  violations: { id: string; rfc: string; closeCode: number | null; rule: string }[];
  /** Every handshake check id (parse errors' too: malformed-http, head-too-large) with its section and rule. */
  handshakeRules: { id: string; rfc: string; rule: string }[];
}

/** The tables behind a reference panel: opcodes, named close codes, every violation id and every handshake rule with its rule text. */
export function reference(): Reference;

/** A close code's name ("normal closure", "registered" for 3000-3999, "private" for 4000-4999), or undefined. */
export function closeCodeName(code: number): string | undefined;

/** Synchronous set-up from the .wasm bytes or a compiled module you already have (e.g. in a worker). */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): unknown;

export type Direction = "client" | "server";

/** Where an item of a conversation came from: who sent it, and the capture time (seconds) and 1-based packet number of its first byte, when the input has them. */
export interface Stamp { direction: Direction; time: number | null; packet: number | null }

/** Frames, messages and violations of a conversation: decode()'s objects, stamped. Offsets and frame indices count within their own direction, from its first byte (the head included). */
export type ConversationFrame = Frame & Stamp;
export type ConversationMessage = Message & Stamp;
export type ConversationViolation = Violation & Stamp;
/** An informational note, every assumption made among them (ids such as "handshake-missing", "compression-assumed", "roles-from-mask", "not-websocket"). */
export interface ConversationNotice extends Notice, Stamp {}
export type Incomplete = NonNullable<DecodeResult["incomplete"]>;

/** One Close frame of the closing handshake. */
export interface CloseEvent extends Stamp { frame: number; offset: number; code: number | null; reason: string | null }

export interface CloseSummary {
  /** The first Close, from either side. */
  first: CloseEvent | null;
  /** The other side's Close in answer. */
  reply: CloseEvent | null;
  /** Data frames sent after the first Close. */
  dataAfterClose: { direction: Direction; frame: number }[];
}

/** What a ConversationDecoder push (or end) completed, with what is agreed so far. */
export interface ConversationPart {
  /** The request head, in the push that completed it. */
  request: Handshake | null;
  /** The response head, in the push that completed it. */
  response: Handshake | null;
  /** The response checked against the request, once both heads are known. */
  pairChecks: HandshakeCheck[];
  frames: ConversationFrame[]; messages: ConversationMessage[]; violations: ConversationViolation[];
  notices: ConversationNotice[];
  /** Each direction's truncated tail, reported by end(). */
  incomplete: { client: (Incomplete & Stamp) | null; server: (Incomplete & Stamp) | null };
  /** The agreed Sec-WebSocket-Extensions value. */
  extensions: string | null;
  /** The agreed subprotocol. */
  protocol: string | null;
  close: CloseSummary;
}

/** A whole conversation: both directions on one timeline. */
export interface Conversation extends ConversationPart {
  /** What the input was read as: "tshark follow, raw, 2 directions", "tshark -x packet dump, 14 packets", "xxd, 1 direction", "bytes, 1 direction". */
  format: string;
  client: { address: string; port: number } | null;
  server: { address: string; port: number } | null;
  /** What reading the input skipped or assumed, for people ("link layer: ethernet", "packet 7: another tcp connection ..., skipped"). */
  notes: string[];
  /** Each direction's bytes from its first byte to its first gap: what the offsets count in (for a hex view). */
  streams: { client: Uint8Array; server: Uint8Array };
}

export interface ConversationOptions {
  /**
   * The largest message either side may send, in bytes; past it the message is
   * `message-too-big` and no more of it is kept or inflated. Default
   * {@link DEFAULT_MAX_MESSAGE_SIZE} (64 MiB, with a notice `default-message-limit` when it
   * is hit); `Infinity` lifts it.
   */
  maxMessageSize?: number;
}

/** Both directions from Follow TCP Stream text (tshark or Wireshark, raw, hex or C arrays) or a packet hex dump (tshark -x, tcpdump -xx), or one direction's bytes (a head first decides its side). A string is text (anything parseBytes reads); bytes are read as a text form when they are one. Throws an Error with line, column and offset when the text is a form but broken. */
export function decodeConversation(input: Uint8Array | string, options?: ConversationOptions): Conversation;

/** decodeConversation of text given as its UTF-8 bytes (a dropped file): no string step. */
export function decodeConversationUtf8(utf8: Uint8Array, options?: ConversationOptions): Conversation;

/** A conversation pushed in chunks, the two directions in any interleaving: each push returns what it completed. */
export class ConversationDecoder {
  constructor(options?: ConversationOptions);
  push(direction: Direction, chunk: Uint8Array, meta?: { time?: number; packet?: number }): ConversationPart;
  end(): ConversationPart;
  free(): void;
}

/**
 * Conventions of every capture result: packet numbers are 1-based, as Wireshark shows them;
 * stream offsets (of frames, gaps, violations) count from the first byte after the SYN in
 * that direction (the `G` of `GET` is offset 0 of the client's stream; of a wss://
 * conversation, its decrypted stream); a frame's `packet` and `time` are those of the packet
 * that holds its first byte (of a wss:// conversation: the packet that completed the TLS
 * record holding it, as tshark names it); IPv6 addresses are in their
 * compressed form (`::1`); the client is the side that sent the upgrade request, or without
 * a handshake the side that masks (then `request`, `response` and `extensions` are null).
 */
export type CaptureFormat = "auto" | "pcap" | "pcapng" | "follow" | "packet-dump" | "har" | "stream";

export interface CaptureOptions extends ConversationOptions {
  /** What the input is; "auto" (the default) tells by its first bytes. "pcap" covers every pcap flavour. */
  format?: CaptureFormat;
  /** Also decode connections that began before the capture when both directions look like WebSocket frames (the side that masks is the client). Without it they are named in a "mid-stream" notice and counted in stats.midStreamCandidates. */
  midStream?: boolean;
  /** false: leave each conversation's `streams` empty (a reader that shows no bytes saves a copy of every byte). Default true. */
  streams?: boolean;
  /**
   * An NSS key log (SSLKEYLOGFILE; Node's --tls-keylog, Python's keylog_filename, Chrome's and Firefox's
   * SSLKEYLOGFILE, curl's), as text or bytes: its secrets decrypt the capture's TLS (wss://) connections,
   * in memory, here. A pcapng's Decryption Secrets Blocks (editcap --inject-secrets) are read without it.
   */
  keyLog?: string | Uint8Array;
}

/** What a TLS connection's handshake said (null where the capture does not show it). */
export interface TlsFacts {
  /** "TLS 1.3", "TLS 1.2": the version the server chose. */
  version: string | null;
  /** The suite the server chose, by its IANA name ("TLS_AES_128_GCM_SHA256"). */
  cipherSuite: string | null;
  /** The server name the client asked for (SNI). */
  sni: string | null;
  /** The application protocol the server chose (ALPN). */
  alpn: string | null;
  /** The client random in hex: the key log line's second field. */
  clientRandom: string | null;
}

/**
 * A TLS connection of the capture and what became of it: "decrypted", "no-key" (no secret for its client
 * random: `message` names it, "TLS, no key for client random ab12cd34…"), "unsupported-suite", "no-handshake"
 * (it began before the capture, or its hellos were lost) or "failed" (the secrets found do not decrypt it).
 * Nothing is ever made up from the encrypted bytes of a connection not decrypted.
 */
export interface TlsConnection extends TlsFacts {
  client: { address: string; port: number };
  server: { address: string; port: number };
  start: number | null;
  status: "decrypted" | "no-key" | "unsupported-suite" | "no-handshake" | "failed";
  message: string;
  /** The index of the WebSocket conversation it carried, if it carried one. */
  conversation: number | null;
}

/** Bytes a capture never held in one direction: `length` bytes from stream offset `offset`; `packet` is the one whose bytes come after the hole. Decoding resumes after it at the first frame header the next frame confirms (a notice says where). */
export interface CaptureGap { direction: Direction; offset: number; length: number; packet: number | null }

/** A WebSocket conversation of a capture: the Conversation object plus where and when. */
export interface CaptureConversation extends Conversation {
  /** 0-based, in the order the conversations were found. */
  index: number;
  /** Epoch seconds of its first packet and of its last packet with data (null when the input has no times). */
  start: number | null;
  end: number | null;
  /** It began before the capture (decoded with the no-handshake rules). */
  midStream: boolean;
  gaps: CaptureGap[];
  /** Bytes captured each way (of a wss:// conversation: decrypted). */
  bytes: { client: number; server: number };
  /** A wss:// conversation's TLS facts; null for ws://. */
  tls: TlsFacts | null;
}

/** Something reading the capture skipped, assumed or found odd ("unknown-link-type", "ip-fragment", "overlap-conflict", "out-of-order-cap", "mid-stream", "snaplen", "comment", "skipped", "bad-packet"; for TLS: "keylog" a key log line not read (its line number in the message), "tls-record" a record whose authentication tag fails (its content left out), "tls-lost" TLS bytes not captured (the rest of that direction not decrypted), "tls" anything else). */
export interface CaptureNotice { id: string; message: string; packet: number | null; offset: number | null }

export interface CaptureStats { packets: number; tcpPackets: number; udpPackets: number; otherPackets: number; tcpConnections: number; midStreamCandidates: number; bytes: number }

/** The error that stopped the reading: what, the byte offset in the file and the packet. Everything read before it is in the result. */
export interface CaptureError { message: string; offset: number; packet: number | null }

export interface CaptureResult {
  /** "pcap", "pcapng", "har", "follow", "packet-dump" or "stream". */
  format: string;
  /** The WebSocket conversations only (other TCP and UDP traffic is counted in stats). A HAR's have messages and no frames (a note says so). */
  conversations: CaptureConversation[];
  /** Every TLS connection, decrypted or not, in the order they ended. */
  tls: TlsConnection[];
  notices: CaptureNotice[];
  stats: CaptureStats;
  error: CaptureError | null;
}

/**
 * Every WebSocket conversation in whatever the user has: a pcap or pcapng file (TCP
 * reassembled per connection and direction), a browser's HAR, Follow TCP Stream text, a
 * packet dump, or one direction's bytes. Needs the conversation module (initConversations()).
 */
export function decodeCapture(input: Uint8Array | string, options?: CaptureOptions): CaptureResult;

/** What a CaptureDecoder push (or end) found: conversations found (handshake seen), and conversations decoded (their connection closed, or the capture ended). */
export interface CapturePart {
  found: { index: number; client: { address: string; port: number }; server: { address: string; port: number }; start: number | null }[];
  conversations: CaptureConversation[];
  /** TLS connections that ended. */
  tls: TlsConnection[];
  notices: CaptureNotice[];
  stats: CaptureStats;
  format: string | null;
  error: CaptureError | null;
}

/** A capture file read in slices: memory follows the WebSocket data held, not the file. */
export class CaptureDecoder {
  constructor(options?: CaptureOptions);
  push(chunk: Uint8Array): CapturePart;
  /**
   * Zero-copy intake: a view of min(n, 16 MiB) bytes of wasm memory to read the next slice
   * into (`fs.readSync(fd, view)`, say); `commit(bytesRead)` then takes them as `push` would.
   * **The view is valid only until the next call on this decoder or any other wasm call**
   * (a call may grow wasm memory, which detaches it): ask for a new one before each read.
   */
  writable(n: number): Uint8Array;
  /** Takes the first `n` bytes written into the view writable() returned, as push() of them. */
  commit(n: number): CapturePart;
  end(): CapturePart;
  free(): void;
}

/** A conversation (decodeCapture's or decodeConversation's, or any object with `streams`, `frames` [{direction, offset, time}] and optional `client`/`server`) as a pcapng file with synthetic Ethernet/IP/TCP headers that Wireshark and tshark open and dissect as WebSocket. */
export function conversationPcapng(conversation: Pick<Conversation, "streams" | "frames"> & Partial<Pick<Conversation, "client" | "server">>): Uint8Array;
