// What the tap told about one subject connection: both directions split into head and frames
// (WireStream), frames and messages kept in order with the time their last byte crossed,
// and the handshake checked as a pair once both heads are whole. A view is told of each
// change (see WireView); the Live panel asks it which frames carried a browser event.
import * as ws from "/js/index.js";
import { WireStream, headerValue } from "./wirestream.js";
import { fromBase64 } from "./wire.js";

export class WireSession {
  constructor(view) {
    this.view = view;
    this.conn = null;
    this.streams = { in: new WireStream("in"), out: new WireStream("out") };
    this.frames = { in: [], out: [] };
    this.messages = { in: [], out: [] };
    this.pairChecked = false;
    this.extensions = null;
    this.closed = null;
    // The tap's times count in ms from its start; a saved capture wants epoch seconds.
    this.epoch = Date.now();
    this.peer = null;
  }

  /**
   * Applies one tap record (other connections of the session are left out). Returns true when
   * frames changed. Records come from a server, which may be hostile: one of the wrong shape is
   * shown as a notice and skipped, and the records after it still apply.
   */
  record(r) {
    const bad = recordProblem(r);
    if (bad) {
      this.view.notice?.(`a tap record was skipped: ${bad}`);
      return false;
    }
    if (r.conn !== null && r.conn !== undefined) {
      if (this.conn === null && r.type === "open") this.conn = r.conn;
      if (r.conn !== this.conn) return false;
    }
    switch (r.type) {
      case "open":
        this.peer = endpointOf(r.peer);
        this.view.server("open", `the server accepted a TCP connection from ${r.peer} for ${r.target}`, r.t);
        return false;
      case "bytes":
        return this.bytes(r);
      case "note":
        this.view.server("note", String(r.text ?? ""), r.t);
        return false;
      case "done":
        this.view.server(r.ok ? "done" : "refused", r.ok ? String(r.text ?? "") : `refused: ${r.error ?? ""}`, r.t, r.id);
        return false;
      case "closed":
        this.closed = String(r.reason ?? "");
        for (const dir of ["in", "out"]) this.apply(dir, this.streams[dir].end(), r.t);
        this.view.server("closed", `connection ended: ${this.closed}`, r.t);
        return true;
      default:
        return false;
    }
  }

  bytes(r) {
    const dir = r.dir === "in" ? "in" : r.dir === "out" ? "out" : null;
    if (!dir || typeof r.base64 !== "string") return false;
    let data;
    try {
      data = fromBase64(r.base64);
    } catch {
      this.view.gap(dir, `a ${dir} record is not base64`);
      return false;
    }
    const stream = this.streams[dir];
    const { head, result, gap } = stream.push(data, Number(r.offset));
    this.view.bytes(dir, stream.received);
    if (gap) this.view.gap(dir, gap);
    if (head) {
      this.view.head(dir, head, stream.headBytes, r.t);
      if (dir === "out") this.responseDone(head, r.t);
      this.checkPair();
    }
    this.apply(dir, result, r.t);
    return true;
  }

  /** The 101 settles the extensions; both directions' frames decode from here. */
  responseDone(head, t) {
    if (head.error || head.status !== 101) {
      for (const dir of ["in", "out"]) this.streams[dir].free();
      return;
    }
    this.extensions = headerValue(head, "sec-websocket-extensions");
    for (const dir of ["out", "in"]) this.apply(dir, this.streams[dir].startFrames(this.extensions), t);
  }

  checkPair() {
    const req = this.streams.in, res = this.streams.out;
    if (this.pairChecked || !req.head || !res.head || req.headError || res.headError) return;
    this.pairChecked = true;
    const key = headerValue(req.head, "sec-websocket-key");
    const accept = headerValue(res.head, "sec-websocket-accept");
    let checks = [], error = null;
    try {
      checks = ws.checkHandshakePair(req.headBytes, res.headBytes);
    } catch (e) {
      error = e.message;
    }
    // The core's accept check (RFC 6455 §4.2.2) says what the key calls for and whether the
    // response sent it.
    const check = checks.find((c) => c.id === "accept-mismatch");
    this.view.pair({ key, accept, expected: check?.expected ?? null, match: check?.passed ?? false, checks, error });
  }

  /** Adds a Decoder result's frames, messages and violations for `dir`. */
  apply(dir, result, t) {
    if (!result) return;
    for (const frame of result.frames) {
      const item = { dir, frame, t, at: frame.offset, compressed: frame.compressed, message: null, violations: [], id: `${dir}-${frame.index}` };
      this.frames[dir].push(item);
      this.view.frame(item);
    }
    for (const v of result.violations) {
      const item = v.frame === null ? null : this.frameAt(dir, v.frame);
      if (item) item.violations.push(v);
      this.view.violation(dir, v, item);
    }
    for (const message of result.messages) {
      const items = message.frames.map((i) => this.frameAt(dir, i)).filter(Boolean);
      const m = { dir, message, t, frames: items, index: this.messages[dir].length };
      for (const item of items) item.message = m;
      this.messages[dir].push(m);
      this.view.message(m);
    }
    if (result.incomplete) this.view.incomplete(dir, result.incomplete);
  }

  frameAt(dir, index) {
    const list = this.frames[dir];
    // Frames arrive in index order; look from the end, where recent ones are.
    for (let i = list.length - 1; i >= 0; i--) if (list[i].frame.index === index) return list[i];
    return null;
  }

  /**
   * The connection as conversationPcapng takes it: each direction's bytes (the browser's are
   * the client's), its frames in the order they crossed with their stream offsets (the head
   * counted) and epoch times, and the endpoints when known (`server` is the page's server).
   */
  conversation(server = null) {
    const dirs = { in: "client", out: "server" };
    const frames = [...this.frames.in, ...this.frames.out]
      .sort((a, b) => (a.t ?? 0) - (b.t ?? 0))
      .map((item) => ({
        direction: dirs[item.dir],
        offset: (this.streams[item.dir].headLength ?? 0) + item.frame.offset,
        length: item.frame.length,
        time: typeof item.t === "number" ? (this.epoch + item.t) / 1000 : null,
      }));
    return { streams: { client: this.streams.in.bytes(), server: this.streams.out.bytes() }, frames, client: this.peer, server };
  }

  /** The k-th complete data message written by the server (what the k-th message event received). */
  outMessage(k) {
    return this.messages.out.filter((m) => m.message.complete)[k] ?? null;
  }

  /** The k-th complete data message the browser sent. */
  inMessage(k) {
    return this.messages.in.filter((m) => m.message.complete)[k] ?? null;
  }

  /** Close frames in both directions, in the order each was seen. */
  closeFrames() {
    return [...this.frames.in, ...this.frames.out].filter((f) => f.frame.kind === "close").sort((a, b) => a.t - b.t);
  }

  /** Frames written by the server that broke a rule (what a browser's error event answers). */
  brokenOutFrames() {
    return this.frames.out.filter((f) => f.violations.length);
  }

  free() {
    for (const dir of ["in", "out"]) this.streams[dir].free();
  }
}

/** "127.0.0.1:50312" or "[::1]:50312" as {address, port}, or null. */
export function endpointOf(text) {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(String(text ?? ""));
  return m ? { address: m[1], port: Number(m[2]) } : null;
}

/** What each field of a tap record (src/server/records.rs) may hold, when present. */
const FIELDS = {
  type: ["string"], conn: ["number", "string"], t: ["number"], peer: ["string"], target: ["string"],
  dir: ["string"], offset: ["number"], base64: ["string"], text: ["string"], reason: ["string"],
  error: ["string"], ok: ["boolean"], id: ["number", "string"],
};

const kindOf = (v) => (Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/** Why a tap record cannot be applied, or null when its shape is right. */
export function recordProblem(r) {
  if (r === null || typeof r !== "object" || Array.isArray(r)) return "it is not an object";
  if (typeof r.type !== "string") return "it has no type";
  for (const [name, types] of Object.entries(FIELDS)) {
    const value = r[name];
    if (value !== undefined && value !== null && !types.includes(typeof value)) {
      return `its ${name} is ${kindOf(value)}, not ${types.map((t) => `a ${t}`).join(" or ")}`;
    }
  }
  if (r.type === "bytes" && !(Number.isSafeInteger(r.offset) && r.offset >= 0)) return "its offset is not a byte offset";
  return null;
}
