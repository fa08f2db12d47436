// A capture file on the Decode panel: read in a worker of its own (capture-read.js), with a
// progress bar, the capture's notices and reading error, and the conversations table
// (capture.js), and below it the TLS connections that were not decrypted, each with why
// ("TLS, no key for client random 9451e67b…"), so the user knows which key log is missing.
// Opening a row shows that conversation in the panel's conversation view, with its TLS facts,
// a way back and "Download as pcapng". The file and its key log stay on this machine: they
// are read by the worker, never sent anywhere. Everything from the file is set as text.
import { byTestId, el, fill, showError } from "./dom.js";
import { size } from "./format.js";
import { CaptureTable } from "./capture.js";
import { downloadPcapng } from "./download.js";
import { PagedList } from "./pagedlist.js";

const endpoint = (e) => (e ? `${e.address.includes(":") ? `[${e.address}]` : e.address}:${e.port}` : "?");
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A TLS connection not decrypted: client → server, SNI, and the core's reason. */
function tlsItem(t) {
  const parts = [`${endpoint(t.client)} → ${endpoint(t.server)}`, t.sni ? `SNI ${t.sni}` : "no SNI", t.message];
  return el("li", { "data-testid": "capture-tls-item", "data-status": t.status, title: t.clientRandom ? `client random ${t.clientRandom}` : null }, parts.join(" · "));
}

export class CaptureView {
  /**
   * `root` holds the capture skeleton (index.html); `conversation` is the panel's
   * ConversationView; `setStatus(phase, text)` is the panel's status line.
   */
  constructor(root, conversation, setStatus) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    this.conversation = conversation;
    this.setStatus = setStatus;
    this.worker = null;
    this.job = 0;
    this.active = false;
    this.reading = false;
    this.file = null;
    this.opened = null;
    this.table = new CaptureTable(this.q("capture-table"), this.q("capture-more"), (i) => this.open(i));
    this.tls = new PagedList(this.q("capture-tls-list"), tlsItem, 50, "connections");
    this.q("capture-back").addEventListener("click", () => this.back());
    this.q("capture-download").addEventListener("click", () => this.download());
  }

  /** Reads `file` (a File or Blob); `options` are CaptureDecoder's. */
  read(file, options = {}) {
    this.stop();
    this.active = true;
    this.reading = true;
    this.file = file;
    const job = ++this.job;
    this.root.hidden = false;
    this.table.reset();
    this.closeConversation();
    this.notices = 0;
    this.q("capture-empty").hidden = true;
    fill(this.q("capture-notices"));
    this.resetTls();
    showError(this.q("capture-error"), "");
    this.progress(0, file.size);
    this.setStatus("decoding", `reading ${file.name ?? "the capture"} (${size(file.size)}) in a worker; nothing is uploaded`);
    if (!this.worker) {
      this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
      this.worker.onmessage = ({ data }) => { if (data.job === this.job) this.onWorker(data); };
      this.worker.onerror = (e) => this.failed(`the capture reader stopped: ${e.message ?? "unknown error"}`, true);
    }
    this.worker.postMessage({ kind: "capture", job, file, options });
  }

  /** Forgets the capture (a paste replaces it); a read still running is stopped. */
  stop() {
    if (!this.active) return;
    this.job++;
    this.active = false;
    this.reading = false;
    this.file = null;
    this.worker?.postMessage({ kind: "capture-stop", job: this.job });
    this.closeConversation();
    this.table.reset();
    this.root.hidden = true;
  }

  onWorker(data) {
    if (data.type === "capture-progress") {
      this.table.upsert([...data.found, ...data.decoded]);
      this.addNotices(data.notices);
      this.addTls(data.tls, data.tlsCounts);
      this.progress(data.done, data.total);
      if (data.error) this.showReadError(data.error);
    } else if (data.type === "capture-done") {
      this.reading = false;
      this.table.flush();
      this.progress(data.total, data.total);
      this.finish(data);
    } else if (data.type === "capture-failed") {
      this.failed(data.message, false);
    } else if (data.type === "capture-conversation") {
      this.show(data.index, data.conv);
    }
  }

  progress(done, total) {
    const bar = this.q("capture-progress");
    bar.max = total || 1;
    bar.value = total ? done : 1;
    const pct = total ? Math.floor((done / total) * 100) : 100;
    const text = `${pct}% · ${size(done)} of ${size(total)} read · ${this.table.count} conversation${this.table.count === 1 ? "" : "s"} found`;
    this.q("capture-progress-text").textContent = text;
    if (this.reading) this.setStatus("decoding", `reading the capture… ${text}`);
  }

  addNotices(notices) {
    const list = this.q("capture-notices");
    for (const n of notices) {
      const where = [n.packet === null ? null : `packet ${n.packet}`, n.offset === null ? null : `byte ${n.offset}`].filter(Boolean).join(", ");
      list.append(el("li", { "data-testid": "capture-notice", "data-id": n.id }, where ? `${where}: ${n.message}` : n.message));
    }
    this.notices += notices.length;
  }

  resetTls() {
    this.tls.reset();
    this.q("capture-tls-missed").hidden = true;
    this.q("capture-tls-other").hidden = true;
  }

  /** TLS connections that ended: the worker sends those not decrypted (listed here) and counts the rest. */
  addTls(missed, counts) {
    if (missed.length) {
      this.tls.add(missed);
      this.q("capture-tls-missed").hidden = false;
    }
    const other = this.q("capture-tls-other");
    other.hidden = !counts.alone;
    other.textContent = `${plural(counts.alone, "decrypted TLS connection")} carried no WebSocket (not listed)`;
  }

  showReadError(e) {
    const where = `byte ${e.offset} of the file${e.packet === null ? "" : `, packet ${e.packet}`}`;
    showError(this.q("capture-error"), `the capture could not be read to its end (${where}): ${e.message}. What was read before it is shown.`);
    const node = this.q("capture-error");
    node.dataset.offset = String(e.offset);
    node.dataset.packet = e.packet === null ? "" : String(e.packet);
  }

  finish({ count, format, stats, error, notices, tls }) {
    if (notices > this.notices) {
      this.q("capture-notices").append(el("li", { class: "more" }, `${notices - this.notices} more notices not listed`));
    }
    const { total, decrypted, missed } = tls;
    // The worker posts the first connections not decrypted in full and counts the rest.
    this.tls.finish(missed, "");
    const s = stats ?? { packets: 0, tcpPackets: 0, tcpConnections: 0 };
    const text = `read ${this.file?.name ? `${this.file.name} ` : ""}as ${format ?? "unknown"} · ${size(this.file?.size ?? 0)} · ${count} WebSocket conversation${count === 1 ? "" : "s"}`
      + ` · ${plural(s.packets, "packet")} (${s.tcpPackets} TCP) · ${plural(s.tcpConnections, "TCP connection")}`
      + (total ? ` · ${plural(total, "TLS connection")}, ${decrypted} decrypted` : "")
      + (s.midStreamCandidates ? ` · ${s.midStreamCandidates} begun before the capture` : "");
    if (error) this.showReadError(error);
    this.setStatus(error ? "error" : "done", error ? `${text} · stopped by an error (below)` : text);
    const empty = this.q("capture-empty");
    empty.hidden = count > 0;
    empty.textContent = missed
      ? `no WebSocket conversation read in this capture: ${plural(missed, "TLS connection was", "TLS connections were")} not decrypted (below)`
      : "no WebSocket conversation in this capture";
  }

  failed(message, dropWorker) {
    this.reading = false;
    if (dropWorker) {
      this.worker?.terminate();
      this.worker = null;
    }
    showError(this.q("capture-error"), message);
    this.setStatus("error", "the capture could not be read");
  }

  /** Asks the worker for a decoded conversation; it is shown when it comes. */
  open(index) {
    this.worker?.postMessage({ kind: "capture-open", job: this.job, index });
  }

  show(index, conv) {
    if (!conv) return;
    this.opened = conv;
    this.q("capture-list").hidden = true;
    this.q("capture-opened").hidden = false;
    this.q("capture-opened-title").textContent = `conversation ${index}: ${endpoint(conv.client)} → ${endpoint(conv.server)} · ${conv.frames.length} frames · ${conv.messages.length} messages`;
    const tls = this.q("capture-opened-tls");
    const t = conv.tls;
    tls.hidden = !t;
    fill(tls, t ? [el("span", { class: "badge wss" }, "wss"), " ", [t.version, t.cipherSuite, t.sni && `SNI ${t.sni}`, t.alpn && `ALPN ${t.alpn}`].filter(Boolean).join(" · ")] : []);
    this.conversation.show(conv);
    this.q("capture-back").focus();
  }

  closeConversation() {
    this.opened = null;
    this.conversation.show(null);
    this.q("capture-list").hidden = false;
    this.q("capture-opened").hidden = true;
  }

  back() {
    const index = this.opened?.index;
    this.closeConversation();
    this.root.querySelector(`tr[data-index="${index}"] [data-testid=capture-open]`)?.focus();
  }

  async download() {
    const c = this.opened;
    if (!c) return;
    const name = `wsinspect-conversation-${c.index}${c.client ? `-${c.client.port}` : ""}${c.server ? `-${c.server.port}` : ""}.pcapng`;
    const button = this.q("capture-download");
    try {
      await downloadPcapng(c, name);
    } catch (e) {
      showError(this.q("capture-error"), `the pcapng could not be written: ${e.message}`);
      button.focus();
    }
  }
}

/** The first four bytes of pcap (microsecond and nanosecond, either byte order) and pcapng files. */
const MAGIC = ["a1b2c3d4", "d4c3b2a1", "a1b23c4d", "4d3cb2a1", "0a0d0d0a"];

/** Whether a file is a capture: named .pcap, .pcapng, .cap or .har, or opening as one does. */
export async function isCapture(file) {
  if (/\.(pcap|pcapng|cap|har)$/i.test(file.name ?? "")) return true;
  const head = new Uint8Array(await file.slice(0, 512).arrayBuffer());
  const magic = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
  if (MAGIC.includes(magic)) return true;
  // A HAR is JSON whose top object holds "log".
  const text = new TextDecoder().decode(head);
  return /^\uFEFF?\s*\{\s*"log"\s*:/.test(text);
}
