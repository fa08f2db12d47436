// Wires the page: loads the wasm package, builds each panel, switches tabs, keeps the
// Decode/Handshake/Build inputs in the URL fragment, and loads examples.
import init, { acceptKey } from "/js/index.js";
import { byTestId, el } from "./dom.js";
import { DecodePanel } from "./decode.js";
import { HandshakePanel } from "./handshake.js";
import { BuildPanel } from "./build.js";
import { LivePanel } from "./live.js";
import { ConnectionsPanel, probeProxy } from "./connections.js";
import { ConformancePanel } from "./conformance.js";
import { renderReference } from "./reference.js";
import { EXAMPLES } from "./examples.js";
import * as state from "./state.js";

const PANELS = ["decode", "handshake", "build", "live", "connections", "conformance", "reference"];
let current = "decode";
let panels;
let lastHash = null;
let saveTimer = 0;

const status = byTestId("wasm-check");
try {
  await init();
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  status.textContent = `wasm ready: accept key for the RFC 6455 example ${key} is ${acceptKey(key)}`;
  start();
} catch (error) {
  status.textContent = `the wasm module failed to load: ${error.message}`;
  throw error;
}

function start() {
  panels = {
    decode: guard("decode", () => new DecodePanel(byTestId("panel-decode"))),
    handshake: guard("handshake", () => new HandshakePanel(byTestId("panel-handshake"))),
    build: guard("build", () => new BuildPanel(byTestId("panel-build"), decodeThis)),
    live: guard("live", () => new LivePanel(byTestId("panel-live"))),
    conformance: guard("conformance", () => new ConformancePanel(byTestId("panel-conformance"))),
  };
  guard("reference", () => renderReference(byTestId("panel-reference")));
  wireTabs();
  wireExamples();
  wireState();
  const asked = new URLSearchParams(location.hash.slice(1)).get("p");
  restore(location.hash);
  document.body.dataset.ready = "true";
  wireConnections(asked);
}

/** The Connections tab, only when this page's server is a wsinspect proxy (its listing answers). */
async function wireConnections(asked) {
  const found = await probeProxy();
  document.body.dataset.proxy = String(found);
  if (!found) return;
  panels.connections = guard("connections", () => new ConnectionsPanel(byTestId("panel-connections")));
  byTestId("tab-connections").hidden = false;
  if (asked === "connections") { show("connections"); saveState(); }
}

/** The panels whose tab is shown. */
function available() {
  return PANELS.filter((p) => !byTestId(`tab-${p}`).hidden);
}

/** Runs `fn`; if it throws, says so at the top of that panel instead of stopping the page. */
function guard(panel, fn) {
  try {
    return fn();
  } catch (error) {
    const root = byTestId(`panel-${panel}`);
    if (!root.querySelector(".panel-error")) {
      root.prepend(el("p", { class: "error panel-error", "data-testid": "panel-error" },
        `this panel failed: ${error.message} (is the wasm package older than the page? run npm run build)`));
    }
    console.warn(error);
    return null;
  }
}

function show(panel, focus = false) {
  if (!available().includes(panel)) panel = "decode";
  current = panel;
  for (const p of PANELS) {
    const tab = byTestId(`tab-${p}`);
    const on = p === panel;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    byTestId(`panel-${p}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  // A panel hidden while it filled has a zero-height scroller; let virtual lists measure again.
  if (panel === "decode" && panels.decode) panels.decode.table.list.schedule(), panels.decode.hex.list.schedule();
  panels[panel]?.shown?.();
}

function wireTabs() {
  const tabs = byTestId("tab-decode").parentElement;
  tabs.addEventListener("click", (e) => {
    const tab = e.target.closest("[data-panel]");
    if (tab) { show(tab.dataset.panel); saveState(); }
  });
  tabs.addEventListener("keydown", (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    const shown = available();
    const next = shown[(shown.indexOf(current) + step + shown.length) % shown.length];
    show(next, true);
    saveState();
  });
}

/** Build's "decode this": the bytes go to the Decode panel as hex, with a matching role. */
function decodeThis(hexText, { role, extensions }) {
  const values = { "d.in": hexText, "d.fmt": "hex", "d.role": role, "d.ext": extensions };
  loadValues("decode", values);
}

function wireExamples() {
  const list = byTestId("examples-list");
  let group = null;
  for (const [g, name, panel, values] of EXAMPLES) {
    if (g !== group) list.append(el("li", { class: "menu-group" }, g));
    group = g;
    const button = el("button", { type: "button", "data-testid": "example", "data-name": name }, name);
    button.addEventListener("click", () => {
      loadValues(panel, values);
      byTestId("examples").open = false;
    });
    list.append(el("li", {}, button));
  }
}

/** Sets a panel's inputs (the rest of that panel's back to defaults), shows it and runs it. */
function loadValues(panel, values) {
  const prefix = { decode: "d.", handshake: "h.", build: "b." }[panel];
  const params = new URLSearchParams(location.hash.slice(1));
  for (const key of [...params.keys()]) if (key.startsWith(prefix)) params.delete(key);
  for (const [k, v] of Object.entries(values)) if (v !== "") params.set(k, v);
  params.set("p", panel);
  restore(params.toString());
}

function restore(hash) {
  if (new URLSearchParams(hash.replace(/^#/, "")).has("d.in")) panels.decode?.clearLarge();
  const panel = state.apply(hash);
  show(panel ?? "decode");
  for (const name of ["decode", "handshake", "build"]) guard(name, () => panels[name]?.run());
  saveState();
}

function wireState() {
  const later = () => { clearTimeout(saveTimer); saveTimer = setTimeout(saveState, 250); };
  document.addEventListener("input", (e) => { if (e.target.closest?.("[data-state]")) later(); });
  document.addEventListener("change", (e) => { if (e.target.closest?.("[data-state]")) later(); });
  window.addEventListener("hashchange", () => { if (location.href !== lastHash) restore(location.hash); });
  byTestId("copy-link").addEventListener("click", async () => {
    const { href, left } = saveState();
    const button = byTestId("copy-link");
    try {
      await navigator.clipboard.writeText(href);
      button.textContent = panels.decode?.capture?.active ? "Link copied, without the capture (a link cannot hold a file)"
        : left.length ? "Link copied, without the paste (too large for a link)" : "Link copied";
    } catch {
      byTestId("share-link").select();
      button.textContent = "Copy the link from the box";
    }
    setTimeout(() => { button.textContent = "Copy link"; }, 2500);
  });
}

function saveState() {
  clearTimeout(saveTimer);
  const { href, left } = state.save(current);
  lastHash = href;
  const box = byTestId("share-link");
  box.value = href;
  if (panels.decode?.large) left.push("d.in");
  // A capture file is read on this machine only; the link cannot carry it (and says so).
  const file = Boolean(panels.decode?.capture?.active);
  if (file) left.push("the capture file (a link cannot hold a file)");
  byTestId("share-file-note").hidden = !file;
  box.title = left.length ? `left out of the link (too long): ${left.join(", ")}` : "";
  return { href, left };
}
