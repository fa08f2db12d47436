// Byte formatting for display: hex, base64, C arrays, printable previews. Presentation only;
// parsing pasted text is the package's parseBytes.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Hex of `bytes`, separated by `sep` (a space by default). */
export function hex(bytes, sep = " ") {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (i && sep ? sep : "") + HEX[bytes[i]];
  return out;
}

/** The two hex digits of one byte. */
export function hexByte(b) {
  return HEX[b];
}

/** Standard base64 with padding. */
export function base64(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(out);
}

/** A C array initialiser, 12 bytes a line. */
export function cArray(bytes, name = "frame") {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 12) {
    lines.push("  " + Array.from(bytes.subarray(i, i + 12), (b) => "0x" + HEX[b]).join(", "));
  }
  return `unsigned char ${name}[${bytes.length}] = {\n${lines.join(",\n")}\n};`;
}

/** One byte as a printable character, or "." */
export function printable(b) {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
}

/** Bytes as text where each is printable ASCII, else \xNN escapes. */
export function escaped(bytes) {
  let out = "";
  for (const b of bytes) out += b === 0x5c ? "\\\\" : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "\\x" + HEX[b];
  return out;
}

/** "1 234 567 bytes" style counts; "1.2 MB" for large ones. */
export function size(n) {
  if (n < 10_000) return `${n} ${n === 1 ? "byte" : "bytes"}`;
  if (n < 10_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** A decimal offset with its hex form: "17 (0x11)". */
export function offset(n) {
  return `${n} (0x${n.toString(16)})`;
}

/** A masking key (4 bytes) as 8 hex digits. */
export function maskingKey(key) {
  return key ? hex(key, "") : "";
}

/** UTF-8 text → bytes. */
export function utf8(text) {
  return new TextEncoder().encode(text);
}

/** Pretty-printed JSON when `text` parses as an object or array, else null. */
export function prettyJson(text) {
  if (text === null) return null;
  const t = text.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}
