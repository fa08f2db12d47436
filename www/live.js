// The Live panel: the browser's own WebSocket, driven by hand, with a timeline of its events.
// Two modes. Through the wsinspect server ("wire", the default when this page's server has a
// tap): the subject socket goes to /echo?session=ID and the tap hands over every byte of it,
// shown by the wire view, with each browser event linked to the frames that carried it.
// Direct to any URL: the WebSocket API gives messages, not frames, so each message is shown
// as the frame a browser would build for it, labelled "reconstructed".
import * as ws from "/js/index.js";
import { byTestId, el, fill, showError } from "./dom.js";
import { hex, size, utf8 } from "./format.js";
import { Tap, echoUrl, probeTap, serverUrl } from "./wire.js";
import { WireSession } from "./wiresession.js";
import { WireView, linkLabel } from "./wireview.js";
import { downloadPcapng } from "./download.js";
import { probeProxy } from "./connections.js";

const FRAME_SHOWN = 48;
const ACTIONS = ["wire-ping", "wire-fragmented", "wire-close", "wire-violate"];

export class LivePanel {
  constructor(root) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    this.socket = null;
    this.started = 0;
    this.run = 0;
    this.mode = "direct";
    this.modeChosen = false;
    this.tap = null;
    this.wire = null;
    this.linked = [];
    this.view = new WireView(this.q("wire-view"), (kind, text, t, id) => this.serverEvent(kind, text, t, id));
    this.q("live-connect").addEventListener("click", () => (this.socket ? this.disconnect() : this.connect()));
    this.q("live-send-text").addEventListener("click", () => this.sendText());
    this.q("live-send-binary").addEventListener("click", () => this.sendBinary());
    this.q("live-close").addEventListener("click", () => this.close());
    this.q("live-text").addEventListener("keydown", (e) => { if (e.key === "Enter") this.sendText(); });
    this.q("live-mode").addEventListener("change", () => {
      this.modeChosen = true;
      this.setMode(this.q("live-mode").value);
    });
    this.q("live-url").addEventListener("input", () => {
      this.modeChosen = true;
      if (this.mode === "wire" && this.q("live-url").value.trim() !== serverUrl("/echo")) this.setMode("direct");
    });
    this.wireActions();
    this.q("wire-download").addEventListener("click", () => this.download());
    this.setMode("direct");
    this.probe();
  }

  /** The tapped connection, as the tap has shown it so far, saved as a pcapng Wireshark opens. */
  async download() {
    if (!this.wire) return;
    const url = serverUrl("/echo");
    let server = null;
    try {
      const u = new URL(url);
      const port = Number(u.port || (u.protocol === "wss:" ? 443 : 80));
      server = { address: u.hostname.replace(/^\[|\]$/g, ""), port };
    } catch {
      server = null;
    }
    const c = this.wire.conversation(server);
    try {
      await downloadPcapng(c, `wsinspect-live${c.client ? `-${c.client.port}` : ""}.pcapng`);
    } catch (e) {
      showError(this.q("live-error"), `the pcapng could not be written: ${e.message}`);
    }
  }

  /** Wire mode by default when /tap answers, unless the user has already chosen. */
  async probe() {
    const status = this.q("live-tap-status");
    const wireOption = this.q("live-mode").querySelector("option[value=wire]");
    // Under wsinspect proxy, a socket to /tap would be relayed upstream: do not open one.
    const proxied = await probeProxy();
    const found = !proxied && await probeTap();
    status.dataset.tap = found ? "yes" : "no";
    wireOption.disabled = !found;
    status.textContent = found
      ? `this page's server is wsinspect serve: its tap at ${serverUrl("/tap")} shows the real bytes`
      : proxied ? "this page's server is wsinspect proxy: direct mode here; its Connections panel shows the real bytes of every connection through it"
        : "no wsinspect tap on this page's server: direct mode only (run wsinspect serve for the wire view)";
    if (found && !this.modeChosen && !this.socket) this.setMode("wire");
  }

  setMode(mode) {
    this.mode = mode;
    this.q("live-mode").value = mode;
    const wire = mode === "wire";
    this.q("wire-view").hidden = !wire;
    this.q("wire-actions").hidden = !wire;
    this.q("live-deflate").closest("label").hidden = !wire;
    this.q("live-note-wire").hidden = !wire;
    this.q("live-note-direct").hidden = wire;
    if (wire) this.q("live-url").value = serverUrl("/echo") ?? "";
    this.setState();
  }

  connect() {
    showError(this.q("live-error"), "");
    const protocols = this.q("live-protocols").value.split(",").map((p) => p.trim()).filter(Boolean);
    if (this.mode === "wire") return this.connectWire(protocols);
    const url = this.q("live-url").value.trim();
    this.open(url, protocols);
  }

  /** Opens the tap, and the subject socket once the tap has named its session. */
  connectWire(protocols) {
    this.endTap();
    this.view.reset();
    this.wire?.free();
    this.wire = new WireSession(this.view);
    this.linked = [];
    const deflate = this.q("live-deflate").checked;
    this.started = performance.now();
    this.run++;
    this.q("live-deflate").disabled = true;
    const tap = new Tap(serverUrl("/tap"), {
      onSession: (session) => {
        if (this.tap !== tap) return;
        // The tap's record times count from its session's start, which is just before this.
        this.started = performance.now();
        this.open(echoUrl(serverUrl("/echo"), { session, deflate, protocols }), protocols, true);
      },
      onRecord: (record) => {
        if (this.tap !== tap) return;
        this.wire.record(record);
        this.relink();
        if (record.type === "closed") this.endTap();
      },
      onEnd: (why) => {
        if (this.tap !== tap) return;
        if (!this.socket) this.q("live-deflate").disabled = false;
        if (why) this.event("tap", why);
        this.tap = null;
        this.setState();
      },
    });
    this.tap = tap;
    this.event("tap", `opening ${serverUrl("/tap")}${deflate ? "" : " (permessage-deflate refused)"}`);
    this.setState();
  }

  endTap() {
    const tap = this.tap;
    this.tap = null;
    tap?.end("");
    if (!this.socket) this.q("live-deflate").disabled = false;
    this.setState();
  }

  /** The subject socket; `wire` when the tap watches it. */
  open(url, protocols, wire = false) {
    let socket;
    try {
      socket = new WebSocket(url, protocols);
    } catch (e) {
      showError(this.q("live-error"), `cannot connect: ${e.message}`);
      if (wire) this.endTap();
      return;
    }
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.socketWire = wire;
    this.sent = 0;
    this.received = 0;
    if (!wire) {
      this.started = performance.now();
      this.run++;
    }
    this.event("connecting", `to ${url}${protocols.length ? ` offering ${protocols.join(", ")}` : ""}`);
    this.setState();
    socket.addEventListener("open", () => {
      const item = this.event("open", `protocol: ${socket.protocol || "(none)"} · extensions: ${socket.extensions || "(none)"}`);
      if (wire) this.link(item, "open");
      this.setState();
    });
    socket.addEventListener("message", (e) => this.receivedMessage(e.data, wire));
    socket.addEventListener("error", () => {
      const item = this.event("error", "the browser reports an error (it gives no details, by design)");
      if (wire) this.link(item, "error");
    });
    socket.addEventListener("close", (e) => {
      const name = ws.closeCodeName(e.code) ?? "unnamed";
      const item = this.event("close", `code ${e.code} (${name}) · reason: ${e.reason ? JSON.stringify(e.reason) : "(none)"} · wasClean: ${e.wasClean}`);
      item.dataset.code = String(e.code);
      if (wire) this.link(item, "close");
      if (this.socket === socket) this.socket = null;
      if (!this.tap) this.q("live-deflate").disabled = false;
      this.setState();
    });
  }

  disconnect() {
    this.socket?.close();
  }

  setState() {
    const s = this.socket;
    const names = ["connecting", "open", "closing", "closed"];
    const state = s ? names[s.readyState] : "not connected";
    const open = s?.readyState === WebSocket.OPEN;
    this.q("live-state").textContent = s && open
      ? `open · ${s.url} · protocol: ${s.protocol || "(none)"} · extensions: ${s.extensions || "(none)"}`
      : state;
    this.q("live-state").dataset.state = s ? names[s.readyState] : "none";
    this.q("live-connect").textContent = s ? "Disconnect" : "Connect";
    for (const id of ["live-send-text", "live-send-binary", "live-close"]) this.q(id).disabled = !open;
    const acting = open && this.socketWire && this.tap !== null;
    for (const id of ACTIONS) this.q(id).disabled = !acting;
    this.q("live-mode").disabled = Boolean(s);
  }

  sendText() {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    const text = this.q("live-text").value;
    this.socket.send(text);
    this.sentEvent(`text · ${size(utf8(text).length)}`, text, 1, utf8(text));
  }

  sendBinary() {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    let bytes;
    try {
      bytes = ws.parseBytes(this.q("live-binary").value, "hex").bytes;
    } catch (e) {
      showError(this.q("live-error"), `cannot send: ${e.message}`);
      return;
    }
    showError(this.q("live-error"), "");
    this.socket.send(bytes);
    this.sentEvent(`binary · ${size(bytes.length)}`, preview(bytes), 2, bytes);
  }

  sentEvent(detail, body, opcode, payload) {
    if (this.socketWire) {
      this.link(this.event("sent", detail, body), "sent", this.sent++);
    } else {
      this.event("sent", detail, body, this.reconstruct(opcode, payload, true));
    }
  }

  close() {
    const code = Number(this.q("live-close-code").value);
    const reason = this.q("live-close-reason").value;
    try {
      this.socket?.close(code, reason);
      showError(this.q("live-error"), "");
    } catch (e) {
      showError(this.q("live-error"), `the browser refuses this close: ${e.message}`);
    }
  }

  receivedMessage(data, wire) {
    const text = typeof data === "string";
    const bytes = text ? utf8(data) : new Uint8Array(data);
    const detail = `${text ? "text" : "binary"} · ${size(bytes.length)}`;
    const body = text ? data : preview(bytes);
    if (wire) {
      this.link(this.event("message", detail, body), "message", this.received++);
    } else {
      this.event("message", detail, body, this.reconstruct(text ? 1 : 2, bytes, false));
    }
  }

  /** The buttons that ask the server to act on the subject connection. */
  wireActions() {
    const select = this.q("wire-violation");
    for (const v of ws.reference().violations) {
      if (v.id.startsWith("hixie-")) continue;
      select.append(el("option", { value: v.id, title: v.rule }, `${v.id}${v.closeCode ? ` (${v.closeCode})` : ""}`));
    }
    select.value = "reserved-opcode";
    const act = (action, what) => {
      const id = this.tap?.act(action);
      if (id === null || id === undefined) return showError(this.q("live-error"), "the tap is not open");
      showError(this.q("live-error"), "");
      this.event("asked", `the server, to ${what}`).dataset.action = String(id);
    };
    this.q("wire-ping").addEventListener("click", () => {
      const payload = this.q("wire-ping-payload").value;
      act({ action: "ping", payload }, `send a ping${payload ? ` with ${JSON.stringify(payload)}` : ""}`);
    });
    this.q("wire-fragmented").addEventListener("click", () => {
      const frames = Number(this.q("wire-frag-count").value);
      act({ action: "fragmented", text: this.q("wire-frag-text").value, frames }, `send a message in ${frames} frames`);
    });
    this.q("wire-close").addEventListener("click", () => {
      const code = this.q("wire-close-code").value.trim();
      const action = { action: "close", reason: this.q("wire-close-reason").value };
      if (code) action.code = Number(code);
      act(action, `send a close${code ? ` with code ${code}` : ""}`);
    });
    this.q("wire-violate").addEventListener("click", () => {
      act({ action: "violation", violation: select.value }, `send a frame that breaks ${select.value}`);
    });
  }

  /** A tap record about the server's side (a note, an action done, the connection's end). */
  serverEvent(kind, text, t) {
    const item = this.event("server", `${kind}: ${text}`, null, null, typeof t === "number" ? t : null);
    item.dataset.server = kind;
  }

  /** Records which frames carried a browser event; filled in as the tap reports them. */
  link(item, kind, k = 0) {
    const links = el("div", { class: "ev-links", "data-testid": "live-links" });
    item.append(links);
    this.linked.push({ item, kind, k, links, done: false, wire: this.wire });
    this.relink();
  }

  relink() {
    for (const entry of this.linked) {
      if (entry.done || entry.wire !== this.wire) continue;
      const { targets, done } = this.targets(entry);
      const buttons = targets.map((t) => {
        const b = el("button", { type: "button", class: "link", "data-testid": "wire-link",
          "data-target": typeof t === "string" ? `head-${t}` : t.id }, linkLabel(t));
        b.addEventListener("click", () => this.view.flash([t]));
        return b;
      });
      const waiting = done ? "no frame carried it: the connection ended without one" : "waiting for the tap…";
      fill(entry.links, el("span", { class: "hint" }, "carried by: "), buttons.length ? buttons : el("span", { class: "hint" }, waiting));
      entry.item.dataset.linked = String(buttons.length);
      if (done) {
        entry.done = true;
        for (const t of targets) {
          if (typeof t !== "string") this.view.markEvent(t, `${entry.kind} event`, () => focus(entry.item));
        }
      }
    }
  }

  /** The frames (or heads) behind one event, and whether that can still change. */
  targets({ kind, k }) {
    const w = this.wire;
    switch (kind) {
      case "open": {
        const heads = ["in", "out"].filter((d) => w.streams[d].head);
        return { targets: heads, done: heads.length === 2 || w.closed !== null };
      }
      case "message":
      case "sent": {
        const m = kind === "message" ? w.outMessage(k) : w.inMessage(k);
        return { targets: m ? m.frames : [], done: Boolean(m) || w.closed !== null };
      }
      case "close":
        return { targets: w.closeFrames(), done: w.closed !== null };
      case "error":
        return { targets: w.brokenOutFrames(), done: w.closed !== null };
      default:
        return { targets: [], done: true };
    }
  }

  /** The frame a browser (masked, client) or a server (unmasked) would send for one message. */
  reconstruct(opcode, payload, fromBrowser) {
    const maskingKey = fromBrowser ? crypto.getRandomValues(new Uint8Array(4)) : null;
    try {
      const frame = ws.encodeFrame({ fin: true, rsv1: false, rsv2: false, rsv3: false, opcode, maskingKey, payload, compress: false });
      const more = frame.length > FRAME_SHOWN ? ` … (${size(frame.length)})` : "";
      return `${hex(frame.subarray(0, FRAME_SHOWN))}${more}`;
    } catch (e) {
      return `could not reconstruct: ${e.message}`;
    }
  }

  /**
   * Adds one timeline entry; `body` (a peer's text) is inserted as text. Entries are in time
   * order: `at` (ms, the tap's clock) places a server record among the browser's events.
   */
  event(kind, detail, body = null, frame = null, at = null) {
    const t = at ?? performance.now() - this.started;
    const item = el("li", { class: `ev ev-${kind}`, "data-testid": "live-event", "data-kind": kind, "data-t": t, tabindex: "-1" },
      el("span", { class: "ev-time" }, `+${Math.round(t)} ms`), " ", el("strong", {}, kind), ` · ${detail}`);
    if (body !== null) item.append(el("pre", { class: "ev-body", "data-testid": "live-body" }, body));
    if (frame !== null) {
      item.append(el("div", { class: "ev-frame", "data-testid": "live-frame" },
        el("span", { class: "badge" }, "reconstructed"), " ", el("code", {}, frame)));
    }
    const timeline = this.q("live-timeline");
    let next = null;
    if (at !== null) {
      for (let n = timeline.lastElementChild; n && Number(n.dataset.t) > at && n.dataset.run === String(this.run); n = n.previousElementSibling) next = n;
    }
    item.dataset.run = String(this.run);
    timeline.insertBefore(item, next);
    return item;
  }
}

function preview(bytes) {
  return hex(bytes.subarray(0, 64)) + (bytes.length > 64 ? " …" : "");
}

function focus(node) {
  node.scrollIntoView({ block: "nearest", behavior: "smooth" });
  node.classList.remove("flash");
  void node.offsetWidth;
  node.classList.add("flash");
}
