// The wire tap of `wsinspect serve`: a second WebSocket, to /tap, that receives every byte the
// server read from and wrote to the page's subject connection (/echo?session=ID) as JSON
// records, and carries the page's requests for server actions (ping, fragmented message,
// close, broken frame). The record and action formats are documented with the server
// (src/server/records.rs and src/server/actions.rs).

/** The record format this page reads (the `version` of the tap's first record). */
export const TAP_VERSION = 1;

/** ws: or wss: URL of `path` on the server that served this page, or null off http(s). */
export function serverUrl(path, loc = location) {
  if (loc.protocol !== "http:" && loc.protocol !== "https:") return null;
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${path}`;
}

/** The subject URL for a session: deflate=0 refuses permessage-deflate, protocol= lists subprotocols the server may pick. */
export function echoUrl(base, { session, deflate = true, protocols = [] }) {
  let url = `${base}?session=${encodeURIComponent(session)}`;
  if (!deflate) url += "&deflate=0";
  if (protocols.length) url += `&protocol=${protocols.map(encodeURIComponent).join(",")}`;
  return url;
}

/** Whether the page's server has a tap: opens /tap, waits for its session record, closes it. */
export function probeTap(timeoutMs = 3000) {
  const url = serverUrl("/tap");
  if (!url) return Promise.resolve(false);
  return new Promise((resolve) => {
    let socket;
    const done = (ok) => {
      clearTimeout(timer);
      resolve(ok);
      try { socket?.close(1000); } catch { /* already closing */ }
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    try {
      socket = new WebSocket(url);
    } catch {
      done(false);
      return;
    }
    socket.addEventListener("message", (e) => done(sessionOf(e.data) !== null), { once: true });
    socket.addEventListener("close", () => done(false));
  });
}

/** The session id from a tap's first record, or null if it is not one. */
function sessionOf(data) {
  if (typeof data !== "string") return null;
  try {
    const r = JSON.parse(data);
    return r?.type === "session" && typeof r.session === "string" && /^[0-9a-f]{32}$/.test(r.session) ? r : null;
  } catch {
    return null;
  }
}

/**
 * One tap connection. Callbacks: onSession(id, version) once, onRecord(record) for each later
 * record, onEnd(why) when the tap closes. `act(action)` sends one server action and returns
 * its id (the `done` record carries it back).
 */
export class Tap {
  constructor(url, { onSession, onRecord, onEnd }) {
    this.session = null;
    this.nextId = 1;
    this.ended = false;
    this.socket = new WebSocket(url);
    this.socket.addEventListener("message", (e) => {
      if (this.session === null) {
        const first = sessionOf(e.data);
        if (!first) return this.end("the tap's first record is not a session record");
        this.session = first.session;
        onSession(first.session, first.version);
        return;
      }
      let record;
      try {
        record = JSON.parse(e.data);
      } catch {
        return;
      }
      if (record && typeof record === "object") onRecord(record);
    });
    this.socket.addEventListener("close", (e) => {
      if (!this.ended) onEnd(e.code === 1000 || e.code === 1005 ? "the tap closed" : `the tap closed with code ${e.code}`);
      this.ended = true;
    });
    this.onEnd = onEnd;
  }

  /** Sends `{id, action, ...}`; returns the id, or null when the tap is not open. */
  act(action) {
    if (this.socket.readyState !== WebSocket.OPEN) return null;
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, ...action }));
    return id;
  }

  end(why) {
    if (!this.ended) this.onEnd(why);
    this.ended = true;
    try { this.socket.close(1000); } catch { /* already closing */ }
  }
}

/** base64 → bytes. */
export function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
