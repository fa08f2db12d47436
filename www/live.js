// The Live panel: the browser's own WebSocket, driven by hand, with a timeline of its events.
// The WebSocket API gives messages, not frames, so each message is also shown as the frame
// a browser would build for it, labelled "reconstructed" (the wire view comes from the
// wsinspect server later).
import * as ws from "/js/index.js";
import { byTestId, el, showError } from "./dom.js";
import { hex, size, utf8 } from "./format.js";

const FRAME_SHOWN = 48;

export class LivePanel {
  constructor(root) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    this.socket = null;
    this.started = 0;
    this.q("live-connect").addEventListener("click", () => (this.socket ? this.disconnect() : this.connect()));
    this.q("live-send-text").addEventListener("click", () => this.sendText());
    this.q("live-send-binary").addEventListener("click", () => this.sendBinary());
    this.q("live-close").addEventListener("click", () => this.close());
    this.q("live-text").addEventListener("keydown", (e) => { if (e.key === "Enter") this.sendText(); });
  }

  connect() {
    showError(this.q("live-error"), "");
    const url = this.q("live-url").value.trim();
    const protocols = this.q("live-protocols").value.split(",").map((p) => p.trim()).filter(Boolean);
    let socket;
    try {
      socket = new WebSocket(url, protocols);
    } catch (e) {
      showError(this.q("live-error"), `cannot connect: ${e.message}`);
      return;
    }
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.started = performance.now();
    this.event("connecting", `to ${url}${protocols.length ? ` offering ${protocols.join(", ")}` : ""}`);
    this.setState();
    socket.addEventListener("open", () => {
      this.event("open", `protocol: ${socket.protocol || "(none)"} · extensions: ${socket.extensions || "(none)"}`);
      this.setState();
    });
    socket.addEventListener("message", (e) => this.received(e.data));
    socket.addEventListener("error", () => this.event("error", "the browser reports an error (it gives no details, by design)"));
    socket.addEventListener("close", (e) => {
      const name = ws.closeCodeName(e.code) ?? "unnamed";
      this.event("close", `code ${e.code} (${name}) · reason: ${e.reason ? JSON.stringify(e.reason) : "(none)"} · wasClean: ${e.wasClean}`);
      if (this.socket === socket) this.socket = null;
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
  }

  sendText() {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    const text = this.q("live-text").value;
    this.socket.send(text);
    this.event("sent", `text · ${size(utf8(text).length)}`, text, this.reconstruct(1, utf8(text), true));
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
    this.event("sent", `binary · ${size(bytes.length)}`, hex(bytes.subarray(0, 64)) + (bytes.length > 64 ? " …" : ""), this.reconstruct(2, bytes, true));
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

  received(data) {
    if (typeof data === "string") {
      this.event("message", `text · ${size(utf8(data).length)}`, data, this.reconstruct(1, utf8(data), false));
    } else {
      const bytes = new Uint8Array(data);
      this.event("message", `binary · ${size(bytes.length)}`, hex(bytes.subarray(0, 64)) + (bytes.length > 64 ? " …" : ""), this.reconstruct(2, bytes, false));
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

  /** Appends one timeline entry; `body` (a peer's text) is inserted as text. */
  event(kind, detail, body = null, frame = null) {
    const ms = Math.round(performance.now() - this.started);
    const item = el("li", { class: `ev ev-${kind}`, "data-testid": "live-event", "data-kind": kind },
      el("span", { class: "ev-time" }, `+${ms} ms`), " ", el("strong", {}, kind), ` · ${detail}`);
    if (body !== null) item.append(el("pre", { class: "ev-body", "data-testid": "live-body" }, body));
    if (frame !== null) {
      item.append(el("div", { class: "ev-frame", "data-testid": "live-frame" },
        el("span", { class: "badge" }, "reconstructed"), " ", el("code", {}, frame)));
    }
    this.q("live-timeline").append(item);
  }
}
