// The Decode panel: reads the form, runs the decode in a Web Worker (worker.js), and feeds
// the frames table, hex view, violations and messages as batches arrive.
import { byTestId, el, fill, showError } from "./dom.js";
import { FrameStore } from "./framestore.js";
import { FrameTable } from "./frametable.js";
import { HexView } from "./hexview.js";
import { hex, hexByte, offset, printable, size } from "./format.js";
import { incompleteText, messageItem, parseErrorText, summaryText, violationItem } from "./render.js";
import { PagedList } from "./pagedlist.js";
import { fieldLabel, fieldsAt, unmaskedByte } from "./fields.js";
import { ConversationView } from "./conversation.js";
import { CaptureView, isCapture } from "./capture-view.js";
import { KeyLogInput, isKeyLog } from "./capture-keylog.js";

/** The most bytes of one violation's span marked in the hex view. */
const MARKED_SPAN = 4096;

/** Pastes and files longer than this stay out of the text box (rendering it would stall the page). */
export const LARGE = 200_000;

export class DecodePanel {
  constructor(root) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    this.input = this.q("decode-input");
    this.status = this.q("decode-status");
    this.store = new FrameStore();
    this.bytes = new Uint8Array(0);
    this.job = 0;
    this.large = null;
    this.busy = false;
    this.worker = null;
    this.marks = new Map();
    this.violations = new PagedList(this.q("violations"), (v) => violationItem(v, (x) => this.jump(x)), 100, "violations");
    this.messages = new PagedList(this.q("messages"), messageItem, 20, "messages");
    this.painting = false;
    this.table = new FrameTable(this.q("frames-table"), this.store, (i) => this.select(i));
    this.hex = new HexView(this.q("hexview"), this.q("hex-hover"), (o) => this.describe(o));
    this.conversation = new ConversationView(this.q("conversation"));
    this.conversation.show(null);
    this.capture = new CaptureView(this.q("capture"), this.conversation, (phase, text) => this.setStatus(phase, text));
    this.keyLog = new KeyLogInput(this.q("keylog-zone"), () => this.keyLogChanged(),
      async (file) => ((await isCapture(file)) ? this.openCapture(file) : this.keyLog.set(file)));
    this.wire();
  }

  wire() {
    let timer = 0;
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.run(), this.input.value.length > 100_000 ? 500 : 150);
    };
    this.input.addEventListener("input", later);
    this.input.addEventListener("input", () => this.offerCapture());
    this.input.addEventListener("paste", (e) => {
      const text = e.clipboardData?.getData("text/plain") ?? "";
      if (text.length <= LARGE) return;
      e.preventDefault();
      this.setLarge(text, "pasted text");
    });
    this.q("decode-large-clear").addEventListener("click", () => {
      this.clearLarge();
      this.run();
      this.input.focus();
    });
    for (const id of ["decode-format", "decode-role", "decode-protocol"]) this.q(id).addEventListener("change", () => this.run());
    for (const id of ["decode-extensions", "decode-max"]) this.q(id).addEventListener("input", later);
    this.q("decode-form").addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    this.q("decode-file").addEventListener("change", (e) => { if (e.target.files[0]) this.load(e.target.files[0]); });
    // The mid-stream choice reads the open capture again with it.
    this.q("capture-mid-stream").addEventListener("change", () => {
      if (this.captureFile && !this.q("capture").hidden) this.openCapture(this.captureFile);
    });
    this.q("capture-file").addEventListener("change", (e) => {
      if (e.target.files[0]) this.openCapture(e.target.files[0]);
      e.target.value = "";
    });
    const drop = this.q("drop-zone");
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      if (e.dataTransfer.files[0]) this.load(e.dataTransfer.files[0]);
    });
  }

  /**
   * A dropped or opened file: captures (pcap, pcapng, HAR) are read as such, a key log becomes
   * the captures' key log, text files go in as they are, other binary ones as hex.
   */
  async load(file) {
    if (await isCapture(file)) return this.openCapture(file);
    if (await isKeyLog(file)) return this.keyLog.set(file);
    const bytes = new Uint8Array(await file.arrayBuffer());
    let text;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      if (/[\x00-\x08\x0e-\x1f]/.test(text)) text = null;
    } catch {
      text = null;
    }
    if (text === null) {
      text = hex(bytes, "");
      this.q("decode-format").value = "hex";
    }
    if (text.length > LARGE) {
      this.setLarge(text, file.name);
      return;
    }
    this.clearLarge();
    this.input.value = text;
    this.input.dispatchEvent(new Event("change", { bubbles: true })); // the link keeps it
    this.run();
  }

  /** Reads a capture file into the conversations table, in place of any paste. */
  openCapture(file) {
    this.job++;
    if (this.busy) this.dropWorker();
    this.busy = false;
    this.clearLarge();
    this.reset();
    this.q("decode-results").hidden = true;
    this.captureFile = file;
    const options = { midStream: this.q("capture-mid-stream").checked };
    if (this.options().maxMessageSize !== undefined) options.maxMessageSize = this.options().maxMessageSize;
    if (this.keyLog.text !== undefined) options.keyLog = this.keyLog.text;
    this.capture.read(file, options);
    this.input.value = "";
    this.offerCapture();
    this.input.dispatchEvent(new Event("change", { bubbles: true })); // the link drops the paste and says why
  }

  /** The capture shown is read again with the key log now set (or without it, cleared). */
  keyLogChanged() {
    this.offerCapture();
    if (this.captureFile && this.capture.active) this.openCapture(this.captureFile);
  }

  /** "Open a capture" and its key log are offered while nothing is pasted (a key log set stays shown). */
  offerCapture() {
    const pasted = Boolean(this.large || this.input.value.trim());
    this.q("capture-file-label").hidden = pasted;
    this.q("keylog-zone").hidden = pasted && this.keyLog?.text === undefined;
  }

  /** Holds a large paste or file in memory instead of the text box, and decodes it. */
  setLarge(text, source) {
    this.large = { text, source };
    this.input.value = "";
    this.input.hidden = true;
    this.offerCapture();
    this.q("decode-large").hidden = false;
    this.q("decode-large-summary").textContent = `${source}: ${size(text.length)}`;
    this.q("decode-large-preview").textContent = text.slice(0, 600) + (text.length > 600 ? " …" : "");
    this.input.dispatchEvent(new Event("change", { bubbles: true })); // the link drops the paste
    this.run();
  }

  clearLarge() {
    if (!this.large) return;
    this.large = null;
    this.input.hidden = false;
    this.q("decode-large").hidden = true;
    this.q("decode-large-preview").textContent = "";
    this.offerCapture();
  }

  options() {
    const o = { role: this.q("decode-role").value, protocol: this.q("decode-protocol").value };
    const ext = this.q("decode-extensions").value.trim();
    if (ext) o.extensions = ext;
    const max = this.q("decode-max").value.trim();
    if (max !== "" && Number(max) >= 0) o.maxMessageSize = Number(max);
    return o;
  }

  /** Starts decoding the current input; a decode still running is stopped first. */
  run() {
    const text = this.large ? this.large.text : this.input.value;
    // A capture stays until something is pasted in its place.
    if (this.capture.active && !text.trim()) return;
    this.capture.stop();
    const job = ++this.job;
    if (this.busy && this.worker) {
      this.worker.terminate();
      this.worker = null;
    }
    this.reset();
    if (!text.trim()) {
      this.setStatus("idle", "paste bytes above, or pick one of the examples");
      this.busy = false;
      return;
    }
    this.setStatus("decoding", `reading ${size(text.length)} of text…`);
    this.busy = true;
    if (!this.worker) {
      this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
      this.worker.onmessage = ({ data }) => { if (data.job === this.job) this.onWorker(data); };
      this.worker.onerror = (e) => {
        this.busy = false;
        this.setStatus("error", "the decoder stopped");
        showError(this.q("decode-error"), `the decoder failed: ${e.message ?? "unknown error"}`);
      };
    }
    this.worker.postMessage({ job, text, format: this.q("decode-format").value, options: this.options() });
  }

  /** A worker whose decoder failed is not reused: the next decode gets a new one. */
  dropWorker() {
    this.worker?.terminate();
    this.worker = null;
  }

  reset() {
    this.store = new FrameStore();
    this.bytes = new Uint8Array(0);
    this.marks = new Map();
    this.format = null;
    this.table.reset(this.store, this.bytes);
    this.hex.setBytes(this.bytes);
    showError(this.q("decode-error"), "");
    this.q("incomplete").hidden = true;
    fill(this.q("decode-notices"));
    this.violations.reset();
    this.messages.reset();
    this.conversation.show(null);
    this.q("decode-results").hidden = false;
    this.offerCapture();
  }

  setStatus(phase, text) {
    this.status.dataset.phase = phase;
    this.status.textContent = text;
  }

  onWorker(data) {
    if (data.type === "error") {
      this.busy = false;
      if (data.fatal) this.dropWorker();
      this.setStatus("error", "nothing decoded");
      const field = data.input === "extensions" ? this.q("decode-extensions") : this.large ? null : this.input;
      showError(this.q("decode-error"), data.input === "extensions" ? `the negotiated extensions: ${data.message}` : data.fatal ? data.message : parseErrorText(data));
      if (field && data.offset !== null && data.offset !== undefined) {
        const show = el("button", { type: "button", class: "copy", "data-testid": "decode-error-show" }, "show me");
        show.addEventListener("click", () => {
          field.focus();
          field.setSelectionRange(data.offset, data.offset + 1);
        });
        this.q("decode-error").append(" ", show);
      }
    } else if (data.type === "parsed") {
      this.bytes = data.bytes;
      this.format = data.detail ?? data.format;
      this.table.reset(this.store, this.bytes);
      this.hex.setBytes(this.bytes);
    } else if (data.type === "conversation") {
      this.busy = false;
      this.q("decode-results").hidden = true;
      this.conversation.show(data.conv);
      const c = data.conv;
      this.setStatus("done", `read as ${c.format} · ${size(data.length)} decoded · ${c.frames.length} frames · ${c.messages.length} messages · ${c.violations.length} violations`);
    } else if (data.type === "progress") {
      this.onProgress(data);
    } else if (data.type === "done") {
      this.busy = false;
      this.onDone(data);
    }
  }

  /** A batch from the worker: stored now, shown at the next animation frame (batches can come fast). */
  onProgress({ done, total, batch, messages, violations }) {
    this.store.append(batch);
    // Every byte of a violation's span (offset, length) is underlined and names it on
    // hover; a span longer than MARKED_SPAN (a whole large frame) is marked that far.
    for (const v of violations) {
      const end = v.offset + Math.min(Math.max(1, v.length), MARKED_SPAN);
      for (let o = v.offset; o < end; o++) this.marks.set(o, [...(this.marks.get(o) ?? []), v.id]);
    }
    this.violations.add(violations);
    this.messages.add(messages);
    this.progress = { done, total };
    if (!this.painting) {
      this.painting = true;
      requestAnimationFrame(() => this.paint());
    }
  }

  paint() {
    this.painting = false;
    const first = this.table.list.count === 0 && this.store.count > 0;
    this.table.update();
    this.hex.setMarks(this.marks);
    if (first) this.select(0, false);
    if (this.status.dataset.phase !== "decoding") return;
    const { done, total } = this.progress;
    const pct = total ? Math.floor((done / total) * 100) : 100;
    this.setStatus("decoding", `decoding… ${pct}% (${size(done)} of ${size(total)}), ${this.store.count} frames so far`);
  }

  onDone(done) {
    this.paint();
    this.setStatus("done", summaryText({ ...done, format: this.format }, this.store));
    if (done.incomplete) {
      this.q("incomplete").textContent = incompleteText(done.incomplete);
      this.q("incomplete").hidden = false;
    }
    this.violations.finish(done.violations, "no violations: every rule checked holds");
    this.messages.finish(done.messages, "no messages");
    fill(this.q("decode-notices"), (done.notices ?? []).map((n) => {
      const li = document.createElement("li");
      li.textContent = n;
      return li;
    }));
    this.table.list.render();
  }

  /** Selects frame `i`: highlights its row and colours its fields in the hex view. */
  select(i, reveal = true) {
    if (i < 0 || i >= this.store.count) return;
    const f = this.store.frame(i);
    this.table.select(i);
    this.hex.setSelection(f);
    if (reveal) this.hex.reveal(f.offset, false);
  }

  jump(v) {
    if (v.frame !== null && v.frame !== undefined && v.frame < this.store.count) this.select(v.frame, false);
    this.hex.reveal(v.offset, true, v.length);
    for (const li of this.q("violations").querySelectorAll(".violation.current")) li.classList.remove("current");
    this.q("violations").querySelector(`.violation[data-offset="${v.offset}"][data-id="${v.id}"]`)?.classList.add("current");
  }

  /** Names the field of the byte at `o`, for the hover line. */
  describe(o) {
    const b = this.bytes[o];
    let text = `byte ${offset(o)} = 0x${hexByte(b)} '${printable(b)}'`;
    const i = this.store.indexAt(o);
    if (i < 0) {
      text += ": not part of a decoded frame";
    } else {
      const f = this.store.frame(i);
      const names = fieldsAt(f, o).map((x) => fieldLabel(x.name));
      text += `: ${names.length ? names.join(", ") : "no named field"} of frame ${i} (${f.kind})`;
      const u = unmaskedByte(f, this.bytes, o);
      if (u >= 0) text += `, unmasked 0x${hexByte(u)} '${printable(u)}'`;
    }
    const ids = this.marks.get(o);
    if (ids) text += ` · violation: ${ids.join(", ")}`;
    return text;
  }
}
