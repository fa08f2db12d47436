// The Decode panel's conversation view: both directions of a connection (Follow TCP Stream
// text, a packet dump, or one direction that opens with its head), as the package's
// decodeConversation returns them. The heads and their pair checks on top, then one
// timeline, client → server on the left and server → client on the right, with filters.
// Everything a peer sent goes in as text (el() builds text nodes), never as HTML.
import { el, fill } from "./dom.js";
import { hex, size } from "./format.js";
import { checkList, messageItem } from "./render.js";
import { handshakeView } from "./handshake.js";

const ARROW = { client: "client → server", server: "server → client" };

export class ConversationView {
  constructor(root) {
    this.root = root;
    this.conv = null;
    this.filters = el("div", { class: "row conv-filters" },
      el("label", {}, "Direction", this.dir = el("select", { "data-testid": "conv-filter-direction" },
        el("option", { value: "" }, "both"), el("option", { value: "client" }, ARROW.client), el("option", { value: "server" }, ARROW.server))),
      el("label", {}, "Opcode", this.op = el("select", { "data-testid": "conv-filter-opcode" },
        ["", "text", "binary", "continuation", "close", "ping", "pong", "reserved"].map((k) => el("option", { value: k }, k || "all")))),
      el("label", {}, this.bad = el("input", { type: "checkbox", "data-testid": "conv-filter-violations" }), " only violations"));
    for (const c of [this.dir, this.op, this.bad]) c.addEventListener("change", () => this.renderTimeline());
    this.heads = el("div", { class: "two conv-heads", "data-testid": "conv-heads" });
    this.pair = el("div", { "data-testid": "conv-pair" });
    this.summary = el("p", { class: "status", "data-testid": "conv-summary" });
    this.notices = el("ul", { class: "notices", "data-testid": "conv-notices" });
    this.close = el("p", { class: "notice", "data-testid": "conv-close" });
    this.timeline = el("ol", { class: "conv-timeline", "data-testid": "conv-timeline" });
    this.messages = el("ol", { class: "messages", "data-testid": "conv-messages" });
    this.hex = el("pre", { class: "conv-hex", "data-testid": "conv-hex" }, "select a frame to see its bytes");
    this.timeline.addEventListener("click", (e) => {
      const row = e.target.closest("[data-testid=conv-frame][data-index]");
      if (row) this.select(row.dataset.direction, Number(row.dataset.index));
    });
    fill(root, this.summary, this.heads, this.pair, this.notices, this.close, el("h2", {}, "Timeline"), this.filters,
      this.timeline, el("h2", {}, "Bytes"), this.hex, el("h2", {}, "Messages"), this.messages);
  }

  /** Shows a conversation (null hides the view). */
  show(conv) {
    this.conv = conv;
    this.root.hidden = !conv;
    if (!conv) return;
    const who = (e) => (e ? `${e.address}:${e.port}` : "?");
    this.summary.textContent = `client ${who(conv.client)} · server ${who(conv.server)}`
      + (conv.extensions ? ` · extensions: ${conv.extensions}` : "") + (conv.protocol ? ` · subprotocol: ${conv.protocol}` : "");
    fill(this.heads, [["request", conv.request], ["response", conv.response]].map(([kind, h]) =>
      el("div", { "data-testid": `conv-${kind}` }, el("h3", {}, kind), h ? headView(h, conv.streams[kind === "request" ? "client" : "server"]) : el("p", { class: "hint" }, `no ${kind} head`))));
    fill(this.pair, conv.pairChecks.length ? [el("h3", {}, "The pair"), checkList(conv.pairChecks, "conv-pair-check")] : null);
    fill(this.notices, [...conv.notices.map((n) => el("li", { "data-testid": "conv-notice", "data-id": n.id, "data-direction": n.direction },
      `${n.direction}: ${n.message}`)), ...conv.notes.map((n) => el("li", {}, n))]);
    this.close.textContent = closeText(conv.close);
    this.close.hidden = !conv.close.first;
    this.hex.textContent = "select a frame to see its bytes";
    this.renderTimeline();
    fill(this.messages, conv.messages.map((m) => {
      const item = messageItem({ ...m, frameCount: m.frames.length, dataLength: m.data.length, truncated: false });
      item.dataset.direction = m.direction;
      item.querySelector(".mhead").prepend(el("span", { class: `conv-dir conv-${m.direction}` }, ARROW[m.direction]), " · ");
      return item;
    }));
  }

  /** Shows one frame's bytes in its own direction's stream, offsets counted in that stream. */
  select(direction, index) {
    const f = this.conv?.frames.find((x) => x.direction === direction && x.index === index);
    if (!f) return;
    for (const row of this.timeline.querySelectorAll(".selected")) row.classList.remove("selected");
    this.timeline.querySelector(`[data-direction=${direction}][data-index="${index}"]`)?.classList.add("selected");
    this.hex.textContent = hexDump(this.conv.streams[direction], f.offset, f.length,
      `${ARROW[direction]} frame #${index}: bytes ${f.offset}-${f.offset + f.length - 1} of the ${direction}'s stream`);
  }

  renderTimeline() {
    const conv = this.conv;
    if (!conv) return;
    const bad = new Map();
    for (const v of conv.violations) {
      const key = `${v.direction}:${v.frame}`;
      bad.set(key, [...(bad.get(key) ?? []), v]);
    }
    const rows = [];
    for (const f of conv.frames) {
      const vs = bad.get(`${f.direction}:${f.index}`) ?? [];
      if (this.dir.value && f.direction !== this.dir.value) continue;
      if (this.op.value && f.kind !== this.op.value) continue;
      if (this.bad.checked && !vs.length) continue;
      rows.push(frameRow(f, vs));
    }
    for (const v of conv.violations.filter((v) => v.frame === null)) {
      if (!this.dir.value || v.direction === this.dir.value) rows.push(violationRow(v));
    }
    fill(this.timeline, rows.length ? rows : el("li", { class: "more" }, "no frames match"));
  }
}

function frameRow(f, violations) {
  const when = [f.time === null ? null : `t=${f.time.toFixed(6)}`, f.packet === null ? null : `packet ${f.packet}`].filter(Boolean).join(" · ");
  const rsv = `${+f.rsv1}${+f.rsv2}${+f.rsv3}`;
  return el("li", { class: `conv-frame conv-${f.direction}${violations.length ? " bad" : ""}`, "data-testid": "conv-frame",
    "data-direction": f.direction, "data-index": f.index, "data-offset": f.offset, "data-kind": f.kind, "data-rsv1": String(f.rsv1), "data-injected": f.injected ? "true" : null },
  el("div", { class: "conv-fhead" }, el("strong", {}, `${ARROW[f.direction]} #${f.index}`),
    f.injected ? el("span", { class: "conv-injected", "data-testid": "conv-frame-injected", title: "sent by the proxy, not by this side" }, " injected") : "",
    ` ${f.kind} 0x${f.opcode.toString(16)}`,
    ` · FIN ${+f.fin} · RSV ${rsv} · MASK ${+f.masked}`, f.maskingKey ? el("span", { "data-testid": "conv-frame-key" }, ` key ${hex(f.maskingKey)}`) : "",
    ` · ${size(f.payloadLength)} · byte ${f.offset}`, when ? ` · ${when}` : ""),
  el("div", { class: "conv-preview", "data-testid": "conv-frame-preview" }, preview(f)),
  violations.map((v) => el("div", { class: "vid", "data-testid": "conv-violation", "data-id": v.id, "data-offset": v.offset, "data-length": v.length,
    "data-direction": v.direction }, `${v.id} at byte ${v.offset}: ${v.message}`)));
}

function violationRow(v) {
  return el("li", { class: `conv-frame conv-${v.direction} bad`, "data-testid": "conv-frame", "data-direction": v.direction },
    el("div", { class: "vid", "data-testid": "conv-violation", "data-id": v.id, "data-offset": v.offset, "data-length": v.length, "data-direction": v.direction },
      `${v.id} at byte ${v.offset}: ${v.message}`));
}

function preview(f) {
  if (f.closeCode !== undefined) return `close ${f.closeCode ?? ""} ${f.closeCodeName ?? ""} ${f.closeReason ?? ""}`.trim();
  if (f.compressed) return `${f.payload.length} compressed bytes (see the messages)`;
  const text = new TextDecoder().decode(f.payload.subarray(0, 80));
  return text + (f.payload.length > 80 ? "…" : "");
}

/** A head as the Handshake panel shows it, its lines cut from the direction's own bytes at the core's offsets. */
function headView(h, stream) {
  return handshakeView(h, stream.subarray(0, h.headLength ?? stream.length), "conv");
}

function closeText(c) {
  if (!c.first) return "";
  const one = (e) => `${e.direction} sent close ${e.code ?? "(no code)"}${e.reason ? ` "${e.reason}"` : ""} at byte ${e.offset}`;
  return `closing handshake: ${one(c.first)}; ${c.reply ? `answered: ${one(c.reply)}` : "not answered"}`
    + (c.dataAfterClose.length ? `; ${c.dataAfterClose.length} data frames after it` : "");
}

/** Lines of 16 bytes with their offsets in the stream; at most 4 KiB of a long frame. */
function hexDump(stream, offset, length, title) {
  const SHOWN = 4096;
  const end = Math.min(offset + length, offset + SHOWN, stream.length);
  const lines = [title];
  for (let at = offset; at < end; at += 16) {
    lines.push(`${at.toString().padStart(8)}  ${hex(stream.subarray(at, Math.min(at + 16, end)))}`);
  }
  if (offset + length > end) lines.push(`… ${offset + length - end} more bytes`);
  return lines.join("\n");
}
