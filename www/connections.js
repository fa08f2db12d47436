// The Connections panel, shown when this page is served by `wsinspect proxy`: every proxied
// connection (client address, upstream, path, start, frames and bytes each way, state),
// listed live by polling /proxy/connections every half second while the panel is visible,
// sortable by any column like the capture table. A row opens its connection in the
// conversation view: its recorded chunks (GET /proxy/connections/ID?from=N) go to the
// package's ConversationDecoder in the worker, and while the connection is open the view
// follows it, asking only for the chunks it has not seen (frames in chunks the proxy
// injected, `injected: true`, are marked). A closed connection stays
// browsable, and saves as pcapng (/proxy/connections/ID.pcapng). While it is open, a form
// injects into it (POST /proxy/connections/ID/inject): a ping, a close, a text or binary
// message or a broken frame, toward the client or the upstream; the answer (bytes sent, or
// the proxy's refusal) shows as text. Everything from the wire goes in as text (el()), never
// as HTML.
import * as ws from "/js/index.js";
import { byTestId, el, fill, showError } from "./dom.js";
import { size } from "./format.js";
import { ConversationView } from "./conversation.js";

const POLL_MS = 500;
const LIST = "/proxy/connections";
let probed = null;

const count = (n) => (n === undefined || n === null ? "" : String(n));
const when = (t) => (t === null || t === undefined ? "—" : new Date(t * 1000).toISOString().replace("T", " ").replace("Z", ""));
const stateText = (c) => (c.state === "open" ? "open" : `closed${c.reason ? `: ${c.reason}` : ""}`);

/** For each action: the data field's label (null: no data field), and whether it takes code and reason or a violation. */
const ACTIONS = {
  ping: { data: "Ping payload" },
  close: { data: null, close: true },
  text: { data: "Text" },
  binary: { data: "Bytes (base64)" },
  broken: { data: null, violation: true },
};

/** key, header, title, the value sorted by, the cell's text. */
const COLUMNS = [
  ["id", "#", "the order the proxy accepted the connections in", (c) => c.id, (c) => String(c.id)],
  ["client", "client", "the client's address:port", (c) => c.client, (c) => c.client],
  ["upstream", "upstream", "the upstream the route sent it to", (c) => c.upstream, (c) => c.upstream],
  ["path", "path", "the request target the client asked for", (c) => c.path, (c) => c.path],
  ["start", "start (UTC)", "when the client's request arrived", (c) => c.start, (c) => when(c.start)],
  ["framesClient", "frames c→s", "frames the client sent", (c) => c.frames?.client, (c) => count(c.frames?.client)],
  ["framesServer", "frames s→c", "frames the upstream sent", (c) => c.frames?.server, (c) => count(c.frames?.server)],
  ["bytesClient", "bytes c→s", "bytes relayed from the client", (c) => c.bytes?.client, (c) => size(c.bytes?.client ?? 0)],
  ["bytesServer", "bytes s→c", "bytes relayed from the upstream", (c) => c.bytes?.server, (c) => size(c.bytes?.server ?? 0)],
  ["state", "state", "open, or closed and why", (c) => c.state, stateText],
];


/** Whether this page's server is a wsinspect proxy; asked once. */
export function probeProxy() {
  probed ??= probe();
  return probed;
}

/**
 * A HEAD of this page's own URL (which every server that served it answers, so no 404 is
 * logged): the proxy marks its responses `X-Wsinspect: proxy`.
 */
async function probe() {
  if (location.protocol !== "http:" && location.protocol !== "https:") return false;
  try {
    const res = await fetch(location.href.split("#")[0], { method: "HEAD", cache: "no-store" });
    return res.headers.get("x-wsinspect") === "proxy";
  } catch {
    return false;
  }
}

export class ConnectionsPanel {
  constructor(root) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    this.rows = new Map();
    this.sort = { key: "id", dir: 1 };
    this.listing = false;
    this.open = null;
    this.job = 0;
    this.worker = null;
    const table = this.q("proxy-table");
    this.body = table.querySelector("tbody");
    this.heads = COLUMNS.map(([key, label, title]) => {
      const button = el("button", { type: "button", class: "sort", "data-testid": "proxy-sort", "data-key": key, title: `${title}; sort by it` }, label);
      button.addEventListener("click", () => {
        this.sort = { key, dir: this.sort.key === key ? -this.sort.dir : 1 };
        this.render();
      });
      return el("th", { scope: "col", "data-key": key, "aria-sort": "none" }, button);
    });
    fill(table.querySelector("thead tr"), this.heads);
    this.body.addEventListener("click", (e) => {
      const row = e.target.closest("tr[data-id]");
      if (row) this.openConnection(Number(row.dataset.id));
    });
    this.view = new ConversationView(this.q("proxy-conversation"));
    this.view.show(null);
    this.wireInject();
    this.timer = setInterval(() => this.tick(), POLL_MS);
  }

  get visible() {
    return !this.root.hidden && document.visibilityState === "visible";
  }

  tick() {
    if (!this.visible) return;
    this.refresh();
    this.follow();
  }

  /** Fetches the listing (one request at a time) and redraws the table. */
  async refresh() {
    if (this.listing) return;
    this.listing = true;
    try {
      const res = await fetch(LIST, { cache: "no-store" });
      if (!res.ok) throw new Error(`${LIST}: ${res.status} ${res.statusText}`);
      const body = await res.json();
      this.rows = new Map(body.connections.map((c) => [c.id, c]));
      this.q("proxy-status").textContent = `${body.connections.length} connection${body.connections.length === 1 ? "" : "s"} kept, ${body.open} open · refreshed ${new Date().toLocaleTimeString()}`;
      showError(this.q("proxy-error"), "");
      this.render();
    } catch (e) {
      showError(this.q("proxy-error"), `the proxy's listing failed: ${e.message}`);
    } finally {
      this.listing = false;
    }
  }

  sorted() {
    const value = COLUMNS.find((c) => c[0] === this.sort.key)[3];
    const dir = this.sort.dir;
    return [...this.rows.values()].sort((a, b) => {
      const x = value(a), y = value(b);
      const c = x < y ? -1 : x > y ? 1 : 0;
      return c * dir || a.id - b.id;
    });
  }

  render() {
    for (const th of this.heads) {
      th.setAttribute("aria-sort", th.dataset.key === this.sort.key ? (this.sort.dir > 0 ? "ascending" : "descending") : "none");
    }
    const rows = this.sorted();
    fill(this.body, rows.length ? rows.map((c) => this.rowView(c))
      : el("tr", {}, el("td", { colspan: COLUMNS.length, class: "hint" }, "no connections yet: point a WebSocket client at this proxy")));
  }

  rowView(c) {
    const [first, ...rest] = COLUMNS;
    const selected = this.open?.id === c.id;
    return el("tr", { "data-testid": "proxy-row", "data-id": c.id, "data-state": c.state, class: selected ? "selected" : null, "aria-selected": String(selected) },
      el("td", {}, el("button", { type: "button", class: "link", "data-testid": "proxy-open", title: "open this connection in the conversation view" }, first[4](c))),
      rest.map(([key, , , , text]) => el("td", { "data-testid": `proxy-${key}` }, text(c))));
  }

  workerFor() {
    if (!this.worker) {
      this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
      this.worker.onmessage = ({ data }) => this.onWorker(data);
    }
    return this.worker;
  }

  /** Opens connection `id`: a new decoder in the worker, then every chunk recorded so far. */
  openConnection(id) {
    if (this.open) this.workerFor().postMessage({ job: this.open.job, kind: "proxy-drop" });
    const summary = this.rows.get(id);
    const job = ++this.job;
    this.open = { id, job, next: 0, ended: false, fetching: false, conv: emptyConversation(summary), injected: [] };
    this.workerFor().postMessage({ job, kind: "proxy-open" });
    const link = this.q("proxy-download");
    link.href = `/proxy/connections/${id}.pcapng`;
    link.download = `wsinspect-proxy-${id}.pcapng`;
    this.q("proxy-detail").hidden = false;
    this.q("proxy-inject-status").textContent = "";
    this.describe(summary);
    this.view.show(null);
    this.render();
    this.follow(true);
  }

  describe(c) {
    if (!c) return;
    this.q("proxy-detail-title").textContent = `Connection #${c.id}: ${c.client} → ${c.upstream} (path ${c.path}) · ${stateText(c)}`;
    this.q("proxy-inject").hidden = c.state !== "open";
  }

  /** The injection form: the fields each action takes, its violation ids, and Send. */
  wireInject() {
    const select = this.q("proxy-inject-violation");
    for (const v of ws.reference().violations) {
      if (v.id.startsWith("hixie-")) continue;
      select.append(el("option", { value: v.id, title: v.rule }, `${v.id}${v.closeCode ? ` (${v.closeCode})` : ""}`));
    }
    select.value = "reserved-opcode";
    const action = this.q("proxy-inject-action");
    const fields = () => {
      const a = ACTIONS[action.value];
      this.q("proxy-inject-data-label").hidden = a.data === null;
      if (a.data !== null) this.q("proxy-inject-data-name").textContent = a.data;
      this.q("proxy-inject-code-label").hidden = !a.close;
      this.q("proxy-inject-reason-label").hidden = !a.close;
      this.q("proxy-inject-violation-label").hidden = !a.violation;
    };
    action.addEventListener("change", fields);
    fields();
    this.q("proxy-inject-send").addEventListener("click", () => this.inject());
  }

  /** What the form asks for, as the endpoint's JSON. */
  injection() {
    const action = this.q("proxy-inject-action").value;
    const body = { toward: this.q("proxy-inject-toward").value, action };
    const a = ACTIONS[action];
    if (a.data !== null) body.data = this.q("proxy-inject-data").value;
    if (a.close) {
      const code = this.q("proxy-inject-code").value.trim();
      if (code) body.code = Number(code);
      body.reason = this.q("proxy-inject-reason").value;
    }
    if (a.violation) body.violation = this.q("proxy-inject-violation").value;
    return body;
  }

  /** POSTs the form's injection into the opened connection; the status line says what came of it. */
  async inject() {
    const open = this.open;
    const status = this.q("proxy-inject-status");
    if (!open) return;
    const body = this.injection();
    status.textContent = `sending a ${body.action} toward the ${body.toward}…`;
    delete status.dataset.outcome;
    try {
      const res = await fetch(`${LIST}/${open.id}/inject`, {
        method: "POST", cache: "no-store", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`${res.status} ${res.statusText}: ${text.trim()}`);
      const answer = JSON.parse(text);
      status.textContent = `sent: ${body.action} toward the ${answer.toward}, ${answer.bytes} byte${answer.bytes === 1 ? "" : "s"} injected into connection #${answer.id}`;
      status.dataset.outcome = "sent";
      this.follow(true);
    } catch (e) {
      status.textContent = `not sent: ${e.message}`;
      status.dataset.outcome = "refused";
    }
  }

  /** Asks for the chunks of the open connection not seen yet; after it closed, once more, then ends the decoder. */
  async follow(force = false) {
    const open = this.open;
    if (!open || open.ended || open.fetching || (!force && !this.visible)) return;
    open.fetching = true;
    try {
      const res = await fetch(`${LIST}/${open.id}?from=${open.next}`, { cache: "no-store" });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}: ${(await res.text()).trim()}`);
      const body = await res.json();
      if (this.open !== open) return;
      const chunks = body.chunks.map((c) => ({ direction: c.direction, time: c.time, bytes: fromBase64(c.base64), injected: c.injected === true }));
      open.next = body.next;
      for (const c of chunks) {
        const at = open.conv.streams[c.direction].length;
        if (c.injected) open.injected.push({ direction: c.direction, from: at, to: at + c.bytes.length });
        append(open.conv, c.direction, c.bytes);
      }
      const ended = body.state !== "open";
      if (ended) open.ended = true;
      this.describe(body);
      if (chunks.length || ended) {
        this.workerFor().postMessage({ job: open.job, kind: ended ? "proxy-end" : "proxy-push", chunks }, chunks.map((c) => c.bytes.buffer));
      }
      showError(this.q("proxy-error"), "");
    } catch (e) {
      showError(this.q("proxy-error"), `connection #${open.id} could not be read: ${e.message}`);
    } finally {
      open.fetching = false;
    }
  }

  onWorker(data) {
    const open = this.open;
    if (data.type === "error") {
      showError(this.q("proxy-error"), `the decoder failed: ${data.message}`);
      return;
    }
    if (!open || data.job !== open.job || data.type !== "proxy-parts") return;
    for (const part of data.parts) {
      // Frames that start in a chunk the proxy injected (not sent by that side) are marked.
      for (const f of part.frames) {
        f.injected = open.injected.some((r) => r.direction === f.direction && f.offset >= r.from && f.offset < r.to);
      }
      merge(open.conv, part);
    }
    if (data.parts.length) this.view.show(open.conv);
  }
}

/** A conversation with nothing in it yet, its endpoints from the listing. */
function emptyConversation(c) {
  return {
    format: "wsinspect proxy recording", client: endpoint(c?.client), server: endpoint(c?.upstreamAddress), notes: [],
    request: null, response: null, pairChecks: [], frames: [], messages: [], violations: [], notices: [],
    incomplete: { client: null, server: null }, extensions: null, protocol: null,
    close: { first: null, reply: null, dataAfterClose: [] },
    streams: { client: new Uint8Array(0), server: new Uint8Array(0) },
  };
}

function merge(conv, part) {
  conv.request ??= part.request;
  conv.response ??= part.response;
  if (part.pairChecks?.length) conv.pairChecks = part.pairChecks;
  conv.frames.push(...part.frames);
  conv.messages.push(...part.messages);
  conv.violations.push(...part.violations);
  conv.notices.push(...part.notices);
  conv.extensions = part.extensions ?? conv.extensions;
  conv.protocol = part.protocol ?? conv.protocol;
  if (part.close?.first) conv.close = part.close;
  for (const d of ["client", "server"]) if (part.incomplete?.[d]) conv.incomplete[d] = part.incomplete[d];
}

/** Appends bytes to a direction's stream (what the view's offsets count in). */
function append(conv, direction, bytes) {
  const old = conv.streams[direction];
  const next = new Uint8Array(old.length + bytes.length);
  next.set(old);
  next.set(bytes, old.length);
  conv.streams[direction] = next;
}

/** "127.0.0.1:5000" or "[::1]:5000" as { address, port }. */
function endpoint(text) {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(text ?? "");
  return m ? { address: m[1], port: Number(m[2]) } : null;
}

function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
