// The conversations table of a capture file: one row per WebSocket conversation (client and
// server address:port, start, duration, frames and bytes each way, messages, violations,
// gaps), sortable by any column (a button in each header, so the keyboard reaches it; the
// header's aria-sort says the order). Rows come in as the worker finds and decodes them;
// a found row waits for its connection to close before it can be opened. A wss:// conversation
// (decrypted with a key log) has a "wss" badge and its TLS facts. Addresses and the TLS facts
// are set as text (el()), never as HTML.
import { el, fill } from "./dom.js";
import { size } from "./format.js";

/** Rows drawn at first; "show more" draws this many more each time. */
const PAGE = 500;

const endpoint = (e) => (e ? `${e.address.includes(":") ? `[${e.address}]` : e.address}:${e.port}` : "—");
const duration = (r) => (r.start !== null && r.end !== null && r.end !== undefined ? r.end - r.start : null);

/** key, header, title, the value sorted by, the cell's text (or nodes). */
const COLUMNS = [
  ["index", "#", "the order the conversations were found in", (r) => r.index, (r) => String(r.index)],
  ["client", "client", "the side that sent the upgrade request (or, without one, the side that masks)", (r) => sortable(r.client), (r) => endpoint(r.client)],
  ["server", "server", "the side that answered", (r) => sortable(r.server), (r) => endpoint(r.server)],
  ["tls", "TLS", "wss:// conversations, decrypted with the key log: the TLS version and the server name asked for (SNI); the suite in the cell's tooltip and the opened conversation's header", (r) => (r.tls ? `${r.tls.version ?? ""} ${r.tls.sni ?? ""}` : null), tlsCell],
  ["start", "start (UTC)", "the time of the connection's first packet", (r) => r.start, (r) => when(r.start)],
  ["duration", "duration", "from the first packet to the last with data", duration, (r) => (r.decoded ? seconds(duration(r)) : "open…")],
  ["framesClient", "frames c→s", "frames the client sent", (r) => r.frames?.client, (r) => count(r.frames?.client)],
  ["framesServer", "frames s→c", "frames the server sent", (r) => r.frames?.server, (r) => count(r.frames?.server)],
  ["bytesClient", "bytes c→s", "bytes captured from the client", (r) => r.bytes?.client, (r) => (r.bytes ? size(r.bytes.client) : "")],
  ["bytesServer", "bytes s→c", "bytes captured from the server", (r) => r.bytes?.server, (r) => (r.bytes ? size(r.bytes.server) : "")],
  ["messages", "messages", "messages, both directions", (r) => r.messages, (r) => count(r.messages)],
  ["violations", "violations", "broken rules, both directions", (r) => r.violations, (r) => count(r.violations)],
  ["gaps", "gaps", "holes in a direction's bytes (packets the capture lost)", (r) => r.gaps, (r) => count(r.gaps)],
];

export class CaptureTable {
  /** `root` is the table (thead and tbody from index.html); `onOpen(index)` opens a decoded row. */
  constructor(root, more, onOpen) {
    this.root = root;
    this.body = root.querySelector("tbody");
    this.more = more;
    this.onOpen = onOpen;
    this.rows = new Map();
    this.sort = { key: "index", dir: 1 };
    this.limit = PAGE;
    this.painting = false;
    this.heads = COLUMNS.map(([key, label, title]) => {
      const button = el("button", { type: "button", class: "sort", "data-testid": "capture-sort", "data-key": key, title: `${title}; sort by it` }, label);
      button.addEventListener("click", () => this.sortBy(key));
      return el("th", { scope: "col", "data-key": key, "aria-sort": "none" }, button);
    });
    fill(root.querySelector("thead tr"), this.heads);
    this.body.addEventListener("click", (e) => {
      const row = e.target.closest("tr[data-index]");
      if (row?.dataset.decoded === "true") this.onOpen(Number(row.dataset.index));
    });
    this.more.addEventListener("click", () => {
      this.limit += PAGE;
      this.render();
    });
    this.reset();
  }

  reset() {
    this.rows.clear();
    this.limit = PAGE;
    this.render();
  }

  /** Adds or updates rows (a decoded row replaces its found one, never the other way). */
  upsert(rows) {
    for (const r of rows) {
      if (!r.decoded && this.rows.get(r.index)?.decoded) continue;
      this.rows.set(r.index, r);
    }
    if (!this.painting) {
      this.painting = true;
      requestAnimationFrame(() => this.render());
    }
  }

  /** Draws now what a frame would draw (the read ended: the status must not run ahead of the rows). */
  flush() {
    if (this.painting) this.render();
  }

  get count() {
    return this.rows.size;
  }

  /** Sorts by `key`: ascending first, descending when it is already sorted by it. */
  sortBy(key) {
    this.sort = { key, dir: this.sort.key === key ? -this.sort.dir : 1 };
    this.render();
    this.root.querySelector(`th[data-key=${key}] button`)?.focus();
  }

  sorted() {
    const column = COLUMNS.find((c) => c[0] === this.sort.key);
    const value = column[3], dir = this.sort.dir;
    return [...this.rows.values()].sort((a, b) => {
      const x = value(a), y = value(b);
      // Rows without the value (still open, no address) go last either way.
      const none = (x === null || x === undefined) - (y === null || y === undefined);
      if (none) return none;
      const c = x < y ? -1 : x > y ? 1 : 0;
      return c * dir || a.index - b.index;
    });
  }

  render() {
    this.painting = false;
    for (const th of this.heads) {
      th.setAttribute("aria-sort", th.dataset.key === this.sort.key ? (this.sort.dir > 0 ? "ascending" : "descending") : "none");
    }
    const rows = this.sorted();
    // The TLS column is drawn only for a capture with a wss:// conversation.
    this.root.classList.toggle("no-tls", !rows.some((r) => r.tls));
    fill(this.body, rows.slice(0, this.limit).map(rowView));
    const left = rows.length - this.limit;
    this.more.hidden = left <= 0;
    this.more.textContent = `show ${Math.min(left, PAGE)} more of ${left} not drawn`;
  }
}

function rowView(r) {
  const [first, ...rest] = COLUMNS;
  const open = el("button", { type: "button", class: "link", "data-testid": "capture-open", disabled: !r.decoded,
    title: r.decoded ? "open this conversation" : "its connection is still open in the capture read so far" }, first[4](r));
  return el("tr", { "data-testid": "capture-row", "data-index": r.index, "data-decoded": String(r.decoded), "data-wss": String(Boolean(r.tls)), class: r.violations ? "bad" : null },
    el("td", {}, open),
    rest.map(([key, , , , text]) => el("td", { "data-testid": `capture-${key}`, title: key === "tls" && r.tls ? tlsTitle(r.tls) : null }, text(r))));
}

/** A wss:// row's TLS facts: a badge and the version, the SNI below them; nothing for ws://. */
function tlsCell(r) {
  const t = r.tls;
  if (!t) return "";
  return [
    el("span", { class: "badge wss", "data-testid": "capture-wss" }, "wss"),
    t.version ? ` ${t.version}` : "",
    t.sni ? el("span", { class: "sni" }, t.sni) : null,
  ];
}

/** The tooltip of a wss:// row's TLS cell: every fact the handshake showed. */
function tlsTitle(t) {
  return ["decrypted TLS (wss://)", t.version, t.cipherSuite, t.sni && `SNI ${t.sni}`, t.alpn && `ALPN ${t.alpn}`].filter(Boolean).join(" · ");
}

/** An endpoint as a sort key: the address, then the port as a number. */
function sortable(e) {
  return e ? `${e.address}\u0000${String(e.port).padStart(5, "0")}` : null;
}

function count(n) {
  return n === undefined || n === null ? "" : String(n);
}

/** Epoch seconds as UTC date and time, to the millisecond. */
function when(t) {
  if (t === null || t === undefined) return "—";
  return new Date(t * 1000).toISOString().replace("T", " ").replace("Z", "");
}

function seconds(s) {
  if (s === null) return "—";
  return s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(3)} s`;
}
