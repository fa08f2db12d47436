// The key log of the Decode panel's captures: an NSS key log (SSLKEYLOGFILE, as Chrome,
// Firefox, curl, Node's --tls-keylog and Python's keylog_filename write it) chosen with its
// picker, dropped on its own target, or dropped on the panel's drop zone when it reads as one
// (isKeyLog). Its text goes with the capture to the worker (capture-read.js), which decrypts
// the wss:// connections there: neither file leaves this page. Its name is set as text.
import { byTestId } from "./dom.js";

/**
 * A key log line: a label, the client random (64 hex digits), the secret. The labels are the
 * NSS ones the browsers and TLS libraries write (TLS 1.2's CLIENT_RANDOM, TLS 1.3's
 * *_TRAFFIC_SECRET_N and *_SECRET); the core reads the ones that decrypt and skips the others.
 */
const LINE = /^(CLIENT_RANDOM|[A-Z][A-Z0-9_]*_SECRET(_\d+)?)[ \t]+[0-9a-fA-F]{64}[ \t]+[0-9a-fA-F]+\s*$/;

/** The most of a file looked at to tell a key log from anything else. */
const HEAD = 64 * 1024;

/**
 * Whether a dropped file is a key log: text whose first line that is neither empty nor a
 * `#` comment is a key log line. A line further down that is not one does not change that
 * (the capture reader names it by its line number).
 */
export async function isKeyLog(file) {
  const bytes = new Uint8Array(await file.slice(0, HEAD).arrayBuffer());
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return false; // cut inside a character at HEAD, or not text
  }
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    return LINE.test(line);
  }
  return false;
}

/** Lines as a text editor counts them (a last line without its newline counts too). */
function lineCount(text) {
  if (!text) return 0;
  const breaks = text.split("\n").length - 1;
  return text.endsWith("\n") ? breaks : breaks + 1;
}

export class KeyLogInput {
  /**
   * `root` holds the key log's picker, state line and clear button (index.html);
   * `onChange()` is called when a key log is set or cleared; `take(file)` gets a file chosen
   * or dropped here (the panel opens a capture put here by mistake as a capture, and sets
   * anything else as the key log).
   */
  constructor(root, onChange, take = (file) => this.set(file)) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    this.onChange = onChange;
    /** { name, text, lines } of the key log in use, or null. */
    this.current = null;
    this.pending = 0;
    this.q("keylog-file").addEventListener("change", (e) => {
      if (e.target.files[0]) take(e.target.files[0]);
      e.target.value = "";
    });
    this.q("keylog-clear").addEventListener("click", () => {
      this.clear();
      this.q("keylog-file").focus();
    });
    root.addEventListener("dragover", (e) => { e.preventDefault(); root.classList.add("over"); });
    root.addEventListener("dragleave", () => root.classList.remove("over"));
    root.addEventListener("drop", (e) => {
      e.preventDefault();
      root.classList.remove("over");
      if (e.dataTransfer.files[0]) take(e.dataTransfer.files[0]);
    });
    this.render();
  }

  /** The key log's text for CaptureDecoder's keyLog, or undefined. */
  get text() {
    return this.current?.text;
  }

  /** Reads `file` as the key log (whatever it holds: the capture reader says which lines it could not read). */
  async set(file) {
    const mine = ++this.pending;
    const text = await file.text();
    if (mine !== this.pending) return; // a later choice won
    this.current = { name: file.name || "key log", text, lines: lineCount(text) };
    this.render();
    this.onChange();
  }

  clear() {
    this.pending++;
    if (!this.current) return;
    this.current = null;
    this.render();
    this.onChange();
  }

  render() {
    const c = this.current;
    const state = this.q("keylog-state");
    state.textContent = c ? `${c.name} · ${c.lines} line${c.lines === 1 ? "" : "s"}` : "none: wss:// connections are listed, not decrypted";
    state.dataset.set = String(Boolean(c));
    this.q("keylog-clear").hidden = !c;
  }
}
