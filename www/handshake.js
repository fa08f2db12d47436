// The Handshake panel: a pasted request and/or response checked rule by rule, the two checked
// as a pair, the Sec-WebSocket-Accept calculator and the hixie-76 answer calculator.
import * as ws from "/js/index.js";
import { byTestId, el, fill, showError } from "./dom.js";
import { escaped, hex } from "./format.js";
import { checkList } from "./render.js";

/** Textareas give "\n" line ends; the wire has CRLF. */
export function crlf(text) {
  return text.replace(/\r?\n/g, "\r\n");
}

const utf8Encoder = new TextEncoder();
const utf8 = new TextDecoder();

function seed() {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

export class HandshakePanel {
  constructor(root) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    for (const id of ["hs-request", "hs-response"]) this.q(id).addEventListener("input", () => this.checkHandshakes());
    this.q("accept-key-input").addEventListener("input", () => this.accept());
    this.q("accept-generate").addEventListener("click", () => {
      this.q("accept-key-input").value = ws.generateKey(seed());
      this.q("accept-key-input").dispatchEvent(new Event("input", { bubbles: true }));
    });
    for (const id of ["hixie-key1", "hixie-key2", "hixie-key3"]) this.q(id).addEventListener("input", () => this.hixie());
    this.q("hixie-key3-format").addEventListener("change", () => this.hixie());
    this.q("hixie-generate").addEventListener("click", () => this.generateHixie());
  }

  run() {
    this.checkHandshakes();
    this.accept();
    this.hixie();
  }

  checkHandshakes() {
    const parsed = {}, wires = {};
    for (const side of ["request", "response"]) {
      const text = this.q(`hs-${side}`).value;
      const out = this.q(`hs-${side}-result`);
      if (!text.trim()) {
        fill(out);
        continue;
      }
      // The core's offsets count bytes: it parses these very bytes, and the view cuts them.
      const wire = utf8Encoder.encode(crlf(text));
      wires[side] = wire;
      try {
        parsed[side] = ws.parseHandshake(wire);
        fill(out, handshakeView(parsed[side], wire));
      } catch (e) {
        fill(out, el("p", { class: "error", "data-testid": "hs-error" }, errorText(e)));
      }
    }
    this.pair(parsed.request, parsed.response, wires);
  }

  pair(request, response, wires) {
    const out = this.q("hs-pair-result");
    if (!request || !response) {
      fill(out, request || response ? el("p", { class: "hint" }, "paste both sides to check them as a pair") : null);
      return;
    }
    const nodes = [el("h3", {}, "The pair")];
    try {
      const checks = ws.checkHandshakePair(wires.request, wires.response);
      nodes.push(acceptLine(checks, response, "hs-expected-accept"));
      nodes.push(checkList(checks, "hs-check"));
    } catch (e) {
      nodes.push(el("p", { class: "error" }, errorText(e)));
    }
    fill(out, nodes);
  }

  accept() {
    const key = this.q("accept-key-input").value.trim();
    const out = this.q("accept-key-output");
    try {
      out.textContent = key ? ws.acceptKey(key) : "";
    } catch (e) {
      out.textContent = errorText(e);
    }
  }

  key3() {
    const text = this.q("hixie-key3").value;
    return this.q("hixie-key3-format").value === "hex" ? ws.parseBytes(text, "hex").bytes : text;
  }

  hixie() {
    const k1 = this.q("hixie-key1").value, k2 = this.q("hixie-key2").value;
    const body = this.q("hixie-steps").querySelector("tbody");
    const errors = [];
    const rows = [];
    for (const [label, key] of [["key1", k1], ["key2", k2]]) {
      if (!key) continue;
      try {
        const s = ws.hixie76KeySteps(key);
        rows.push(el("tr", { "data-testid": "hixie-step", "data-key": label },
          el("th", { scope: "row" }, label), el("td", {}, s.digits), el("td", {}, String(s.number)),
          el("td", {}, String(s.spaces)), el("td", {}, String(s.quotient))));
      } catch (e) {
        errors.push(`${label}: ${errorText(e)}`);
      }
    }
    fill(body, rows);
    let answer = null;
    if (k1 && k2 && this.q("hixie-key3").value && !errors.length) {
      try {
        answer = ws.hixie76Answer(k1, k2, this.key3());
      } catch (e) {
        errors.push(errorText(e));
      }
    }
    showError(this.q("hixie-error"), errors.join("; "));
    this.q("hixie-answer-hex").textContent = answer ? hex(answer) : "";
    this.q("hixie-answer-text").textContent = answer ? escaped(answer) : "";
  }

  generateHixie() {
    const { key1, key2, key3 } = ws.hixie76GenerateKeys(seed());
    this.q("hixie-key1").value = key1;
    this.q("hixie-key2").value = key2;
    const text = Array.from(key3).every((b) => b >= 0x20 && b < 0x7f);
    this.q("hixie-key3-format").value = text ? "text" : "hex";
    this.q("hixie-key3").value = text ? String.fromCharCode(...key3) : hex(key3);
    this.q("hixie-key1").dispatchEvent(new Event("input", { bubbles: true }));
  }
}

function errorText(e) {
  const where = e.offset !== undefined && e.offset !== null && !/\b(at|offset)\b/.test(e.message) ? ` (at offset ${e.offset})` : "";
  return `${e.message}${where}`;
}

/**
 * The accept check of a pair as the core reports it (RFC 6455 §4.2.2): the value the request's
 * key calls for (`expected`), the value the response sends (its parsed header), and whether
 * the check passed. Null when the pair has no accept check (hixie-76) or no key to expect from.
 */
export function acceptLine(checks, response, testid) {
  const check = checks.find((c) => c.id === "accept-mismatch");
  if (!check || check.expected === null || check.expected === undefined) return null;
  const sent = response.headers.find((x) => x.name.toLowerCase() === "sec-websocket-accept")?.value ?? null;
  return el("p", { class: check.passed ? "pass" : "fail", "data-testid": testid, "data-match": String(check.passed) },
    "expected Sec-WebSocket-Accept: ", el("code", { "data-testid": `${testid}-value` }, check.expected), sent === null
      ? " · the response has no Sec-WebSocket-Accept"
      : [" · the response sends ", el("code", {}, sent), check.passed ? ": they match" : ": they differ"]);
}

/**
 * The head's lines as the core located them: the start line and each header line are byte
 * spans of `bytes` (the head as parsed), each decoded as UTF-8 for display, so a line is
 * found by the bytes it holds, not by characters (a header value with "é" is 2 bytes, 1
 * character). Bytes the core placed in no line (a head cut short or malformed before it
 * ended) are shown split at their line endings. A line is marked when a failed check's
 * offset (or the head's error) falls in it, or it is a header a failed check names.
 */
export function headLines(h, bytes, failed, testids) {
  const end = Math.min(h.headLength ?? bytes.length, bytes.length);
  const offsets = failed.map((c) => c.offset).filter((o) => o !== null && o !== undefined);
  if (h.error) offsets.push(h.error.offset);
  const names = new Set(failed.map((c) => c.header?.toLowerCase()).filter(Boolean));
  const located = [];
  if (h.startLineLength > 0) located.push({ offset: h.startLineOffset, length: h.startLineLength, name: null });
  for (const x of h.headers) located.push({ offset: x.offset, length: x.length, name: x.name.toLowerCase() });
  located.sort((a, b) => a.offset - b.offset);
  const lines = [];
  let at = 0;
  for (const line of [...located, { offset: end, length: 0, name: null, last: true }]) {
    for (const piece of unlocated(bytes, at, Math.min(line.offset, end))) lines.push(piece);
    if (line.last || line.offset >= end) break;
    lines.push(line);
    at = line.offset + line.length;
  }
  const pre = el("pre", { class: "hs-head", "data-testid": testids.head });
  lines.forEach((line, i) => {
    // A line owns the bytes up to the next one's start: its line ending too.
    const next = i + 1 < lines.length ? lines[i + 1].offset : end;
    const bad = offsets.some((o) => o >= line.offset && o < Math.max(next, line.offset + 1)) || names.has(line.name);
    const text = utf8.decode(bytes.subarray(line.offset, line.offset + line.length));
    pre.append(el("span", { class: bad ? "hs-line bad" : "hs-line", "data-testid": testids.line, "data-bad": bad, "data-offset": line.offset }, text), "\n");
  });
  return pre;
}

/** Bytes from..to that no located line holds, as lines split at LF (a CR before it dropped); empty ones skipped. */
function unlocated(bytes, from, to) {
  const pieces = [];
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && bytes[i] !== 0x0a) continue;
    const stop = i > start && bytes[i - 1] === 0x0d && i < to ? i - 1 : i;
    if (stop > start) pieces.push({ offset: start, length: stop - start, name: null });
    start = i + 1;
  }
  return pieces;
}

/**
 * The head, a line each, with the lines a failed check points at highlighted; then the
 * checks. `bytes` are the bytes the core parsed (its offsets count them). `id` prefixes the
 * test ids ("hs", or "conv" for the Decode panel's conversation view).
 */
export function handshakeView(h, bytes, id = "hs") {
  const failed = h.checks.filter((c) => !c.passed);
  const pre = headLines(h, bytes, failed, { head: `${id}-head`, line: `${id}-line` });
  const what = h.kind === "request" ? `${h.method ?? ""} ${h.path ?? ""}` : `${h.status ?? ""} ${h.reason ?? ""}`;
  const nodes = [
    el("p", { class: "hs-summary" }, `${h.kind} · `,
      el("strong", { "data-testid": `${id}-generation`, title: h.generationDescription ?? null }, h.generation),
      h.generationDescription ? el("span", { class: "hint" }, ` (${h.generationDescription})`) : null,
      ` · ${what.trim()}${h.complete ? "" : " · incomplete"}`),
  ];
  if (h.error) nodes.push(el("p", { class: "error", "data-testid": `${id}-error` }, h.error.message));
  if (h.incomplete) {
    const need = h.incomplete.needed === null ? "more bytes" : `${h.incomplete.needed} more bytes`;
    nodes.push(el("p", { class: "notice", "data-testid": `${id}-incomplete` }, `incomplete: ${need} needed at byte ${h.incomplete.offset}`));
  }
  nodes.push(pre);
  if (h.trailing?.length) {
    nodes.push(el("p", { class: "hint", "data-testid": `${id}-trailing` },
      `${h.trailing.length} bytes after the head: `, el("code", {}, escaped(h.trailing)), ` (hex ${hex(h.trailing)})`));
  }
  nodes.push(checkList(h.checks, `${id}-check`));
  return nodes;
}
