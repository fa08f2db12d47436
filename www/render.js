// Renders decode results into DOM nodes: violations, messages, notices. Every payload,
// reason and message from the bytes goes in as text (dom.js's el() uses text nodes).
import { el, copyButton } from "./dom.js";
import { base64, hex, offset, prettyJson, size } from "./format.js";

const HEX_SHOWN = 4096;

/**
 * A link to the section a rule comes from: "RFC 6455 §5.2" → rfc-editor.org at that section,
 * "draft-hixie-76 §4.2" → the draft on datatracker.ietf.org.
 */
export function rfcLink(text) {
  const rfc = /RFC\s*(\d+)\s*(?:§|section\s*)?([\d.]+)?/i.exec(text ?? "");
  const hixie = /draft-hixie-(?:thewebsocketprotocol-)?(\d+)\s*(?:§\s*([\d.]+))?/i.exec(text ?? "");
  const section = (s) => (s ? `#section-${s.replace(/\.$/, "")}` : "");
  let href = null;
  if (rfc) href = `https://www.rfc-editor.org/rfc/rfc${rfc[1]}.html${section(rfc[2])}`;
  else if (hixie) href = `https://datatracker.ietf.org/doc/html/draft-hixie-thewebsocketprotocol-${hixie[1]}${section(hixie[2])}`;
  if (!href) return el("span", {}, text ?? "");
  return el("a", { href, rel: "noopener", target: "_blank" }, text);
}

/** A close code a strict endpoint sends, or why there is none. */
export function closeCodeText(code) {
  return code === null || code === undefined ? "none (hixie-76)" : String(code);
}

/** One violation as a list item whose button jumps to its byte. */
export function violationItem(v, onJump) {
  const button = el("button", { type: "button", class: "jump", "data-testid": "violation-jump" },
    el("code", { class: "vid", "data-testid": "violation-id" }, v.id), " at byte ",
    el("span", { "data-testid": "violation-offset" }, offset(v.offset)),
    el("span", { class: "vlen", "data-testid": "violation-length" }, v.length === 1 ? " (1 byte)" : ` (${v.length} bytes)`));
  button.addEventListener("click", () => onJump(v));
  return el("li", { class: "violation", "data-testid": "violation", "data-id": v.id, "data-offset": v.offset, "data-length": v.length },
    button,
    el("span", { class: "vmsg", "data-testid": "violation-message" }, v.message),
    el("span", { class: "vmeta" },
      v.frame === null || v.frame === undefined ? "no frame" : `frame ${v.frame}`, " · ",
      el("span", { "data-testid": "violation-rfc" }, rfcLink(v.rfc)),
      v.closeCode === null || v.closeCode === undefined ? null : [" · close code ", el("span", { "data-testid": "violation-close" }, String(v.closeCode))]));
}

/** One reassembled message: sizes, then text, JSON, hex and base64 each with a copy button. */
export function messageItem(m) {
  const frames = m.frameCount === 1 ? `frame ${m.frames[0]}`
    : `frames ${m.frames[0]}–${m.frames[m.frames.length - 1]}${m.frameCount > m.frames.length ? "…" : ""} (${m.frameCount})`;
  const sizes = m.compressed
    ? `compressed: ${size(m.wireLength)} on the wire, ${size(m.inflatedLength)} inflated`
    : size(m.wireLength);
  const cut = m.truncated ? ` (showing the first ${size(m.data.length)} of ${size(m.dataLength)})` : "";
  const item = el("li", { class: "message", "data-testid": "message", "data-kind": m.kind },
    el("div", { class: "mhead" },
      el("strong", {}, `message ${m.index}`), ` · ${m.kind} · ${frames} · `,
      el("span", { "data-testid": "message-sizes" }, sizes), cut,
      m.complete === false ? el("span", { class: "warn" }, " · incomplete: the stream ends inside it") : null));
  if (m.text !== null && m.text !== undefined) {
    item.append(repr("text", m.text, "message-text"));
    const json = prettyJson(m.text);
    if (json) item.append(repr("JSON", json, "message-json"));
  }
  // Hex and base64 fold away for text messages; binary ones show them open.
  const shown = m.data.subarray(0, HEX_SHOWN);
  const hexText = hex(shown) + (m.data.length > shown.length ? " …" : "");
  const binary = m.text === null || m.text === undefined;
  item.append(el("details", { class: "bytes", open: binary },
    el("summary", {}, "hex and base64"),
    repr("hex", hexText, "message-hex", () => hex(m.data)),
    repr("base64", base64(m.data), "message-base64")));
  return item;
}

function repr(label, text, testid, full = () => text) {
  return el("div", { class: "repr" },
    el("div", { class: "repr-head" }, el("span", { class: "repr-label" }, label), copyButton(`copy ${label}`, full, `${testid}-copy`)),
    el("pre", { "data-testid": testid }, text));
}

/** The summary line after a decode. */
export function summaryText(done, store) {
  const parts = [
    `${size(done.length)} decoded`,
    `${store.count} ${store.count === 1 ? "frame" : "frames"}`,
    `${done.messages} ${done.messages === 1 ? "message" : "messages"}`,
    `${done.violations} ${done.violations === 1 ? "violation" : "violations"}`,
  ];
  if (done.format) parts.unshift(`read as ${done.format}`);
  if (done.role) parts.push(`role ${done.role}`);
  if (done.protocol) parts.push(`protocol ${done.protocol}`);
  return parts.join(" · ");
}

/** "incomplete: N more bytes needed" for a truncated tail. */
export function incompleteText(inc) {
  const need = inc.needed === null || inc.needed === undefined
    ? "more bytes needed (how many is not known yet)"
    : `${inc.needed} more ${inc.needed === 1 ? "byte" : "bytes"} needed`;
  const p = inc.partial;
  const sofar = p
    ? ` (frame ${inc.frame}: ${p.kind}, ${p.masked ? "masked" : "unmasked"}, ${p.payload.length} of ${p.payloadLength} payload bytes present)`
    : "";
  return `incomplete: ${need} to finish the frame at byte ${offset(inc.offset)}${sofar}`;
}

/** A parse error from parseBytes, pointing at the line and column. */
export function parseErrorText(e) {
  const where = e.line ? ` (line ${e.line}, column ${e.column})` : "";
  return `could not read the paste: ${e.message}${e.message.includes("line") ? "" : where}`;
}

/** A handshake's rule checks: a passed one shows the rule it follows, a failed one the id of
 *  what went wrong; both then say what was found, the header and the RFC section. */
export function checkList(checks, testid) {
  return el("ul", { class: "checks" }, checks.map((c) => el("li", {
    class: c.passed ? "pass" : "fail", "data-testid": testid, "data-id": c.id, "data-passed": String(c.passed),
  }, el("span", { class: "mark", "aria-label": c.passed ? "passed" : "failed" }, c.passed ? "✓" : "✗"), " ",
  c.passed ? el("span", { class: "rule", "data-testid": "check-rule" }, c.rule) : el("code", { "data-testid": "check-id" }, c.id),
  " ", c.passed ? el("span", { class: "found" }, `(${c.message})`) : c.message,
  c.header ? ` · ${c.header}` : "", c.rfc ? ` · ${c.rfc}` : "")));
}
