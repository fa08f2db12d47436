// The Conformance panel's runs, without DOM: the cases `wsinspect serve` offers under
// /conformance/, which of them a selection picks (Autobahn's patterns), one case run on the
// browser's own WebSocket (every message echoed as received, same type), and its result.

/** Where the conformance server lives on the page's own server. */
export const BASE = "/conformance";

/** The most a case may take here before the page closes its socket (the server gives up at 60 s). */
const CASE_LIMIT_MS = 70_000;

/** How long the page waits for the server to keep a case's result after the socket closed. */
const RESULT_WAIT_S = 10;

/**
 * The cases the server offers, `[{id, number, description, expectation}]`; null when this page
 * is not served by `wsinspect serve` (a static host has no /conformance/cases).
 */
export async function fetchCases() {
  try {
    const res = await fetch(`${BASE}/cases`, { cache: "no-store" });
    if (!res.ok || !(res.headers.get("content-type") ?? "").includes("json")) return null;
    const cases = await res.json();
    return Array.isArray(cases) ? cases : null;
  } catch {
    return null;
  }
}

/** The number of the last result the server kept (results after it are a new run's). */
export async function fetchLatest() {
  const res = await fetch(`${BASE}/status`, { cache: "no-store" });
  return res.ok ? (await res.json()).latest : 0;
}

/** The group of a case id: "6.4.1" → "6". */
export function groupOf(id) {
  return id.split(".")[0];
}

/**
 * Whether `id` matches one of the comma-separated `patterns` (Autobahn's syntax: `*` is any
 * characters, a pattern matches from the start of the id; one without `*` names one id).
 */
export function matches(patterns, id) {
  return patterns.split(",").map((p) => p.trim()).filter(Boolean).some((p) => {
    if (!p.includes("*")) return p === id;
    const re = new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}`);
    return re.test(id);
  });
}

/** A short name for this browser, as an agent: "Chrome/120.0.6099.71", "Firefox/121.0". */
export function browserName(ua = navigator.userAgent) {
  for (const name of ["Edg", "OPR", "Firefox", "HeadlessChrome", "Chromium", "Chrome"]) {
    const m = ua.match(new RegExp(`${name}/([\\d.]+)`));
    if (m) return `${name === "HeadlessChrome" ? "Chrome" : name}/${m[1]}`;
  }
  const safari = ua.match(/Version\/([\d.]+).*Safari/);
  return safari ? `Safari/${safari[1]}` : "Browser";
}

/** ws:// (or wss:// on an https page) to this page's own server. */
export function socketBase(loc = location) {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${BASE}`;
}

/**
 * Runs case `number` on a new WebSocket, echoing every message as it came (text as text,
 * binary as binary), until the socket closes. Resolves to what the browser saw:
 * `{code, reason, wasClean, messages, error}`. `stop()` of the returned handle closes it.
 */
export function runCase(number, agent) {
  let socket;
  const done = new Promise((resolve) => {
    const seen = { code: null, reason: "", wasClean: false, messages: 0, error: false };
    socket = new WebSocket(`${socketBase()}/runCase?case=${number}&agent=${encodeURIComponent(agent)}`);
    socket.binaryType = "arraybuffer";
    const timer = setTimeout(() => socket.close(), CASE_LIMIT_MS);
    socket.onmessage = (e) => {
      seen.messages++;
      try {
        socket.send(e.data);
      } catch {
        // Closing already: nothing to echo into.
      }
    };
    socket.onerror = () => { seen.error = true; };
    socket.onclose = (e) => {
      clearTimeout(timer);
      Object.assign(seen, { code: e.code, reason: e.reason, wasClean: e.wasClean });
      resolve(seen);
    };
  });
  return { done, stop: () => socket?.close() };
}

/**
 * The result of case `id` for `agent` kept after result number `after`, waiting up to `wait`
 * seconds for the server to keep it; `brief`: without its wire and the wire's decoding (what a
 * verdict row needs). `{ok: true, result}` or `{ok: false, latest, error}` (404: none yet).
 */
export async function fetchResult(agent, id, { after = 0, wait = RESULT_WAIT_S, brief = false } = {}) {
  const query = new URLSearchParams({ agent, case: id, after: String(after), wait: String(wait) });
  if (brief) query.set("brief", "1");
  const res = await fetch(`${BASE}/result?${query}`, { cache: "no-store" });
  const body = await res.json();
  return res.ok ? { ok: true, result: body } : { ok: false, latest: body.latest ?? 0, error: body.error };
}
