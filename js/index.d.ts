/** The one set-up call, the same in Node and browsers; in Node it reads the .wasm from the package. */
export default function init(): Promise<void>;

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string;
