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
      const wire = crlf(text);
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
    const key = header(request, "sec-websocket-key");
    if (key !== null) {
      const expected = ws.acceptKey(key.trim());
      const got = header(response, "sec-websocket-accept");
      const ok = got !== null && got.trim() === expected;
      nodes.push(el("p", { class: ok ? "pass" : "fail", "data-testid": "hs-expected-accept", "data-match": String(ok) },
        "expected Sec-WebSocket-Accept: ", el("code", {}, expected), got === null
          ? " · the response has no Sec-WebSocket-Accept"
          : [" · the response sends ", el("code", {}, got.trim()), ok ? ": they match" : ": they differ"]));
    }
    try {
      nodes.push(checkList(ws.checkHandshakePair(wires.request, wires.response), "hs-check"));
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

function header(h, name) {
  const found = h.headers.find((x) => x.name.toLowerCase() === name);
  return found ? found.value : null;
}

/**
 * The head, a line each, with the lines a failed check points at highlighted; then the
 * checks. `wire` is the head's text, one character a byte (the conversation view decodes it
 * as latin1), so offsets count bytes. `id` prefixes the test ids ("hs", or "conv" for the
 * Decode panel's conversation view).
 */
export function handshakeView(h, wire, id = "hs") {
  const failed = h.checks.filter((c) => !c.passed);
  const badOffsets = failed.map((c) => c.offset).filter((o) => o !== null && o !== undefined);
  if (h.error) badOffsets.push(h.error.offset);
  const badNames = failed.map((c) => c.header?.toLowerCase()).filter(Boolean);
  const head = h.headLength === null || h.headLength === undefined ? wire : wire.slice(0, h.headLength);
  const pre = el("pre", { class: "hs-head", "data-testid": `${id}-head` });
  let at = 0;
  for (const line of head.split("\r\n")) {
    const start = at;
    at += line.length + 2;
    if (!line && start >= head.length - 2) continue;
    const name = line.includes(":") ? line.slice(0, line.indexOf(":")).trim().toLowerCase() : null;
    const bad = badOffsets.some((o) => o >= start && o < at) || (name && badNames.includes(name));
    pre.append(el("span", { class: bad ? "hs-line bad" : "hs-line", "data-testid": `${id}-line`, "data-bad": bad }, line), "\n");
  }
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
