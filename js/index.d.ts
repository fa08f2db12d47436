// The wsinspect JavaScript API. Byte offsets are absolute in the stream (or the input).

/** The one set-up call, the same in Node and browsers; in Node it reads the .wasm from the package. Safe to call twice. */
export default function init(): Promise<void>;

export type Format = "auto" | "hex" | "base64" | "escaped";
export type Role = "client" | "server" | "auto";
export type Protocol = "rfc6455" | "hixie-76" | "auto";

/** Thrown by parseBytes: where the text stops making sense (1-based line and column, character offset). */
export interface ParseBytesError extends Error { line: number; column: number; offset: number }

/** Bytes from pasted text: hex (spaced, 0x, \x, C/JS arrays, xxd, hexdump -C, Wireshark), base64 (standard or URL-safe), or escaped text. */
export function parseBytes(text: string, format?: Format): { bytes: Uint8Array; format: "hex" | "base64" | "escaped"; detail: string };

export interface DecodeOptions {
  role?: Role;
  protocol?: Protocol;
  /** A Sec-WebSocket-Extensions response value, e.g. "permessage-deflate; server_no_context_takeover". */
  extensions?: string;
  maxMessageSize?: number;
}

export interface Field { name: string; offset: number; length: number }

export interface Frame {
  index: number; offset: number; headerLength: number; length: number;
  fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean;
  opcode: number; kind: "continuation" | "text" | "binary" | "close" | "ping" | "pong" | "reserved";
  masked: boolean; maskingKey: Uint8Array | null;
  payloadLength: number; lengthEncoding: "7" | "16" | "64"; payloadOffset: number;
  /** The unmasked payload bytes present in the input (a copy, yours to keep). */
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
  data: Uint8Array; text: string | null;
}

export interface Violation {
  /** A stable id such as "reserved-opcode". */
  id: string; offset: number; frame: number | null; rfc: string;
  /** The close code a strict endpoint sends for it. */
  closeCode: number;
  message: string;
}

export interface DecodeResult {
  frames: Frame[]; messages: Message[]; violations: Violation[];
  incomplete: { offset: number; needed: number | null } | null;
  /** Informational lines, e.g. a Flash policy request at the start. */
  notices: string[];
  role: "client" | "server" | "unknown";
  protocol: "rfc6455" | "hixie-76" | "unknown";
}

/** Decodes a whole capture; the same result as pushing it in any split and calling end(). */
export function decode(bytes: Uint8Array, options?: DecodeOptions): DecodeResult;

/** Incremental decoding: push() returns what that chunk completed; end() reports the incomplete tail. */
export class Decoder {
  constructor(options?: DecodeOptions);
  push(chunk: Uint8Array): DecodeResult;
  end(): DecodeResult;
  free(): void;
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string;
