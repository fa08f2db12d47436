// The Reference panel: opcodes, close codes, violation ids and handshake rules from the
// package's ws.reference(), each pointing at the RFC section that defines it.
import * as ws from "/js/index.js";
import { byTestId, el, fill } from "./dom.js";
import { closeCodeText, rfcLink } from "./render.js";

export function renderReference(root) {
  const ref = ws.reference();
  const q = (id) => byTestId(id, root).querySelector("tbody");
  fill(q("ref-opcodes"), ref.opcodes.map((o) => el("tr", { "data-testid": "ref-opcode", class: o.reserved ? "invalid" : "" },
    el("td", {}, el("code", {}, `0x${o.opcode.toString(16)}`)), el("td", {}, o.name), el("td", {}, o.meaning),
    el("td", {}, o.reserved ? "reserved" : o.control ? "control" : "data"))));
  fill(q("ref-close-codes"), ref.closeCodes.map((c) => el("tr", { "data-testid": "ref-close-code", class: c.validOnWire ? "" : "invalid" },
    el("td", {}, el("code", {}, String(c.code))), el("td", {}, c.name),
    el("td", {}, c.validOnWire ? "yes" : "no: never sent in a close frame"))));
  fill(q("ref-violations"), ref.violations.map((v) => el("tr", { "data-testid": "ref-violation", id: `violation-${v.id}` },
    el("td", {}, el("code", {}, v.id)), el("td", {}, closeCodeText(v.closeCode)),
    el("td", {}, `${v.rule} `, el("span", { class: "hint" }, "(", rfcLink(v.rfc), ")")))));
  fill(q("ref-handshake-rules"), ref.handshakeRules.map((r) => el("tr", { "data-testid": "ref-handshake-rule", id: `handshake-rule-${r.id}` },
    el("td", {}, el("code", {}, r.id)),
    el("td", {}, `${r.rule} `, el("span", { class: "hint" }, "(", rfcLink(r.rfc), ")")))));
}
