// The Live panel's wire view: the real handshake (request and response, each rule passed or
// failed, the Sec-WebSocket-Key and whether the accept matches) and a timeline of the frames
// both directions carried, as WireSession reports them. Everything a peer sent goes in as
// text (el() and textContent), never as HTML.
import { byTestId, el, fill } from "./dom.js";
import { escaped, hex, maskingKey, size } from "./format.js";
import { checkList } from "./render.js";
import { headLines } from "./handshake.js";
import { maskedHead } from "./fields.js";

/** Frame rows kept in the table; later frames are counted, not drawn. */
const MAX_ROWS = 5000;
const PREVIEW = 80;
const DIRS = { in: { arrow: "→", who: "browser → server" }, out: { arrow: "←", who: "server → browser" } };

export class WireView {
  /** `root` holds the wire view's skeleton (index.html); `onServer(kind, text, t, id)` takes the server's records. */
  constructor(root, onServer) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    this.onServer = onServer;
    this.rows = new Map();
    this.shown = 0;
    this.counts = { in: 0, out: 0 };
    this.extensions = null;
  }

  reset() {
    this.rows.clear();
    this.shown = 0;
    this.counts = { in: 0, out: 0 };
    this.extensions = null;
    for (const dir of ["in", "out"]) {
      fill(this.q(`wire-head-${dir}`), el("p", { class: "hint" }, "waiting for the first bytes…"));
    }
    fill(this.q("wire-pair"));
    fill(this.q("wire-frames").querySelector("tbody"));
    fill(this.q("wire-notices"));
    this.q("wire-more").hidden = true;
    this.q("wire-download").disabled = true;
    this.status();
  }

  status() {
    const ext = this.extensions === null ? "" : ` · extensions: ${this.extensions || "(none)"}`;
    this.q("wire-counts").textContent =
      `in (browser → server): ${size(this.counts.in)} · out (server → browser): ${size(this.counts.out)} · ${this.shown} frames${ext}`;
  }

  server(kind, text, t, id) {
    this.onServer(kind, text, t, id);
  }

  bytes(dir, total) {
    this.counts[dir] = total;
    this.q("wire-download").disabled = false;
    this.status();
  }

  gap(dir, text) {
    this.q("wire-notices").append(el("li", { class: "error", "data-testid": "wire-gap", "data-dir": dir }, text));
  }

  /** Something about the tap itself (a record skipped), not about either direction. */
  notice(text) {
    this.q("wire-notices").append(el("li", { class: "notice", "data-testid": "wire-notice" }, text));
  }

  incomplete(dir, inc) {
    const need = inc.needed === null || inc.needed === undefined ? `at least ${inc.minNeeded}` : String(inc.needed);
    this.q("wire-notices").append(el("li", { class: "notice", "data-testid": "wire-incomplete", "data-dir": dir },
      `${dir}: the connection ended inside a frame at byte ${inc.offset} after the head: ${need} more bytes were needed`));
  }

  /** One direction's head: start line and headers as sent, and each rule's check. */
  head(dir, h, bytes, t) {
    const pre = headLines(h, bytes, h.checks.filter((c) => !c.passed), { head: "wire-head-text", line: "wire-head-line" });
    const what = h.kind === "request" ? `${h.method ?? ""} ${h.path ?? ""}` : `${h.status ?? ""} ${h.reason ?? ""}`;
    if (dir === "out" && h.status === 101) {
      const found = h.headers.filter((x) => x.name.toLowerCase() === "sec-websocket-extensions").map((x) => x.value.trim());
      this.extensions = found.join(", ");
      this.status();
    }
    fill(this.q(`wire-head-${dir}`),
      el("p", { class: "hs-summary" }, `${time(t)} · ${h.kind} · `, el("strong", {}, h.generation), ` · ${what.trim()} · ${size(bytes.length)}`),
      h.error ? el("p", { class: "error", "data-testid": "wire-head-error" }, h.error.message) : null,
      pre,
      checkList(h.checks, "wire-check"));
  }

  /** The request and response checked together: the key, the accept it calls for, and the response's. */
  pair({ key, accept, expected, match, checks, error }) {
    const nodes = [];
    nodes.push(el("p", { class: "wire-key" }, "Sec-WebSocket-Key (the browser's): ",
      el("code", { "data-testid": "wire-key" }, key ?? "(none)")));
    nodes.push(el("p", { class: match ? "pass" : "fail", "data-testid": "wire-accept", "data-match": String(match) },
      "Sec-WebSocket-Accept expected: ", el("code", { "data-testid": "wire-accept-expected" }, expected ?? "(no key)"),
      " · sent by the server: ", el("code", { "data-testid": "wire-accept-sent" }, accept ?? "(none)"),
      match ? " · they match" : " · they differ"));
    if (error) nodes.push(el("p", { class: "error" }, error));
    nodes.push(checkList(checks, "wire-pair-check"));
    fill(this.q("wire-pair"), nodes);
  }

  /** A frame row; its message's sizes and the events it carried are filled in later. */
  frame(item) {
    this.shown++;
    this.status();
    if (this.rows.size >= MAX_ROWS) {
      const more = this.q("wire-more");
      more.hidden = false;
      more.textContent = `${this.shown - MAX_ROWS} more frames are decoded but not drawn (the table keeps the first ${MAX_ROWS})`;
      return;
    }
    const f = item.frame;
    const key = f.masked ? maskingKey(f.maskingKey) : "";
    const text = el("span", { class: "wf-text", "data-testid": "wire-payload-text" }, preview(f, item.compressed));
    const cells = {
      text,
      payload: el("td", { class: "wf-payload", "data-testid": "wire-payload" }, text, maskedLine(f)),
      sizes: el("td", { "data-testid": "wire-sizes" }, item.compressed ? "compressed…" : "—"),
      notes: el("td", { class: "wf-notes", "data-testid": "wire-notes" }, note(item)),
    };
    const row = el("tr", {
      class: `wf wf-${item.dir}${f.kind === "reserved" ? " wf-bad" : ""}`, id: `wire-${item.id}`, tabindex: "-1",
      "data-testid": "wire-frame", "data-dir": item.dir, "data-index": f.index, "data-kind": f.kind, "data-opcode": f.opcode,
      "data-fin": String(f.fin), "data-rsv1": String(f.rsv1), "data-masked": String(f.masked), "data-key": key,
      "data-length": String(f.payloadLength),
    },
    el("td", {}, String(f.index)),
    el("td", { class: "wf-dir", title: DIRS[item.dir].who, "data-testid": "wire-dir" }, `${DIRS[item.dir].arrow} ${item.dir}`),
    el("td", { class: "wf-time" }, time(item.t)),
    el("td", {}, String(item.at)),
    el("td", { "data-testid": "wire-opcode" }, `0x${f.opcode.toString(16)} ${f.kind}`),
    el("td", {}, bit(f.fin)),
    el("td", { "data-testid": "wire-rsv" }, `${bit(f.rsv1)}${bit(f.rsv2)}${bit(f.rsv3)}`),
    el("td", { "data-testid": "wire-mask" }, bit(f.masked)),
    el("td", { "data-testid": "wire-masking-key" }, key || "—"),
    el("td", { "data-testid": "wire-length", title: `written in the ${f.lengthEncoding}-bit length encoding` }, String(f.payloadLength)),
    cells.sizes, cells.payload, cells.notes);
    this.rows.set(item.id, { row, ...cells });
    this.q("wire-frames").querySelector("tbody").append(row);
  }

  /** A violation: on its frame's row, or as a line of its own when no frame carries it. */
  violation(dir, v, item) {
    const line = el("span", { class: "fail", "data-testid": "wire-violation", "data-id": v.id },
      el("strong", {}, v.id), `: ${v.message}${v.closeCode ? ` (a strict endpoint closes with ${v.closeCode})` : ""}`);
    const r = item && this.rows.get(item.id);
    if (r) {
      r.row.classList.add("wf-bad");
      r.notes.append(line);
    } else {
      this.q("wire-notices").append(el("li", { "data-dir": dir }, `${dir}: `, line));
    }
  }

  /** A complete message: its sizes (wire and inflated) and text on its last frame. */
  message(m) {
    const msg = m.message;
    const sizes = msg.compressed ? `${msg.wireLength} → ${size(msg.inflatedLength)}` : "—";
    for (const [i, item] of m.frames.entries()) {
      const part = this.rows.get(item.id);
      if (part && i < m.frames.length - 1) fill(part.sizes, msg.compressed ? "part of a message ↓" : "—");
    }
    const last = m.frames[m.frames.length - 1];
    const r = last && this.rows.get(last.id);
    if (!r) return;
    r.sizes.dataset.compressed = String(msg.compressed);
    r.sizes.dataset.wire = String(msg.wireLength);
    r.sizes.dataset.inflated = String(msg.inflatedLength);
    fill(r.sizes, sizes);
    const frames = m.frames.length > 1 ? ` (${m.frames.length} frames)` : "";
    const body = msg.kind === "text" && msg.text !== null ? clip(msg.text) : hex(msg.data.subarray(0, 24)) + (msg.data.length > 24 ? " …" : "");
    fill(r.text, el("span", { class: "wf-msg" }, `${msg.kind} message${frames}: `), body);
  }

  /** Adds a link to a browser event in the row of each frame that carried it. */
  markEvent(item, label, onClick) {
    const r = this.rows.get(item.id);
    if (!r) return;
    const button = el("button", { type: "button", class: "link", "data-testid": "wire-event-link" }, label);
    button.addEventListener("click", onClick);
    r.notes.append(button);
  }

  /** Scrolls to and briefly highlights the rows (or heads) behind a link. */
  flash(targets) {
    const nodes = targets.map((t) => (typeof t === "string" ? this.q(`wire-head-${t}`) : this.rows.get(t.id)?.row)).filter(Boolean);
    nodes[0]?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    for (const n of nodes) {
      n.classList.remove("flash");
      void n.offsetWidth;
      n.classList.add("flash");
    }
  }
}

/** The label of a frame (or head) in an event's "carried by" list. */
export function linkLabel(target) {
  if (typeof target === "string") return target === "in" ? "→ request head" : "← 101 response head";
  const f = target.frame;
  const code = f.kind === "close" && f.closeCode !== undefined && f.closeCode !== null ? ` ${f.closeCode}` : "";
  return `${DIRS[target.dir].arrow} ${target.dir} #${f.index} ${f.kind}${code}`;
}

function note(item) {
  const f = item.frame;
  if (f.kind === "pong" && item.dir === "in") return el("span", { class: "hint" }, "the browser's automatic pong (no script event) ");
  if (f.kind === "ping" && item.dir === "out") return el("span", { class: "hint" }, "the server's ping; the browser answers by itself ");
  return null;
}

/** A masked frame's first payload bytes as they crossed the wire (the unmasked payload XOR the key). */
function maskedLine(f) {
  if (!f.masked || !f.maskingKey || !f.payload.length) return null;
  const n = Math.min(f.payload.length, 16);
  const wire = maskedHead(f, n);
  return el("span", { class: "wf-masked", "data-testid": "wire-masked" }, `masked: ${hex(wire)}${f.payload.length > n ? " …" : ""}`);
}

function preview(f, compressed) {
  if (f.kind === "close") {
    if (f.closeCode === undefined || f.closeCode === null) return f.payloadLength ? escaped(f.payload) : "(no code)";
    return `${f.closeCode} ${f.closeCodeName ?? ""}${f.closeReason ? ` · reason ${JSON.stringify(f.closeReason)}` : ""}`;
  }
  if (compressed) return `${size(f.payload.length)} of deflate data`;
  if (f.kind === "binary") return hex(f.payload.subarray(0, 24)) + (f.payload.length > 24 ? " …" : "");
  return clip(new TextDecoder().decode(f.payload.subarray(0, PREVIEW * 4)));
}

function clip(text) {
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text;
}

function bit(b) {
  return b ? "1" : "0";
}

function time(t) {
  return typeof t === "number" ? `+${t.toFixed(1)} ms` : "";
}
