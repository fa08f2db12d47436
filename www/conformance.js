// The Conformance panel: runs the cases that test a WebSocket client against this browser's
// own WebSocket, through the wsinspect server's conformance server (/conformance/): pick
// cases by group or pattern, Run, and each case's verdict row appears as it ends, with its
// report (the conversation decoded by wsinspect) beside the table on a click.
import { byTestId, el, fill } from "./dom.js";
import { browserName, fetchCases, fetchLatest, fetchResult, groupOf, matches, runCase } from "./conformance-run.js";
import { CaseReport, verdictClass } from "./conformance-report.js";

/** The Autobahn TestSuite's group titles. */
const GROUPS = {
  1: "Framing", 2: "Pings/Pongs", 3: "Reserved Bits", 4: "Opcodes", 5: "Fragmentation", 6: "UTF-8 Handling",
  7: "Close Handling", 9: "Limits/Performance", 10: "Miscellaneous", 12: "Compression (payloads)", 13: "Compression (parameters)",
};

const VERDICTS = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"];

export class ConformancePanel {
  constructor(root) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    this.cases = [];
    this.results = new Map();
    this.current = null;
    this.stopped = false;
    this.report = new CaseReport(this.q("conf-report"));
    this.q("conf-run").addEventListener("click", () => this.run());
    this.q("conf-stop").addEventListener("click", () => this.stop());
    this.q("conf-pattern").addEventListener("input", () => this.count());
    this.q("conf-groups").addEventListener("change", () => this.count());
    this.q("conf-results").addEventListener("click", (e) => {
      const button = e.target.closest("[data-testid=conf-open]");
      if (button) this.open(button.dataset.case);
    });
    this.q("conf-agent").value = browserName();
    this.loaded = null;
  }

  /** The panel is shown: its cases are asked for the first time (not at page load: a page
   * served by the proxy or a static host has no /conformance/, and the 404 would be logged). */
  shown() {
    this.loaded ??= this.load();
    return this.loaded;
  }

  /** Asks the server for its cases; on a static host (no /conformance/) says what is needed. */
  async load() {
    const cases = await fetchCases();
    this.root.dataset.available = String(Boolean(cases));
    this.q("conf-unavailable").hidden = Boolean(cases);
    this.q("conf-run").disabled = !cases;
    if (!cases) {
      this.setStatus("unavailable", "no conformance server here: this page is not served by wsinspect serve");
      return;
    }
    this.cases = cases;
    const groups = [...new Set(cases.map((c) => groupOf(c.id)))];
    fill(this.q("conf-groups"), el("legend", {}, "Groups"), groups.map((g) => {
      const n = cases.filter((c) => groupOf(c.id) === g).length;
      return el("label", { title: `${n} cases` },
        el("input", { type: "checkbox", "data-testid": "conf-group", "data-group": g, checked: true }),
        ` ${g} ${GROUPS[g] ?? ""} (${n})`);
    }));
    this.count();
  }

  /** The cases picked: those the pattern matches when one is given, else those of the groups ticked. */
  selected() {
    const pattern = this.q("conf-pattern").value.trim();
    if (pattern) return this.cases.filter((c) => matches(pattern, c.id));
    const groups = new Set([...this.root.querySelectorAll("[data-testid=conf-group]:checked")].map((b) => b.dataset.group));
    return this.cases.filter((c) => groups.has(groupOf(c.id)));
  }

  count() {
    if (this.running) return;
    const n = this.selected().length;
    this.setStatus("idle", `${n} case${n === 1 ? "" : "s"} selected`);
  }

  setStatus(state, text) {
    const status = this.q("conf-status");
    status.dataset.state = state;
    status.textContent = text;
  }

  /** Runs the cases picked, one after another, a row each as it ends. */
  async run() {
    const cases = this.selected();
    if (!cases.length) return this.setStatus("idle", "no case selected: tick a group or give a pattern");
    const agent = this.q("conf-agent").value.trim() || browserName();
    this.running = true;
    this.stopped = false;
    this.q("conf-run").disabled = true;
    this.q("conf-stop").disabled = false;
    this.results.clear();
    fill(this.q("conf-rows"));
    this.q("conf-summary").hidden = true;
    this.report.root.hidden = true;
    const started = performance.now();
    // Results are numbered as the server keeps them: only those after this one are this run's.
    let after = await fetchLatest().catch(() => 0);
    for (const [i, c] of cases.entries()) {
      if (this.stopped) break;
      this.setStatus("running", `running case ${c.id} (${i + 1} of ${cases.length}) on this browser's WebSocket…`);
      const row = el("tr", { "data-testid": "conf-row", "data-case": c.id, "data-state": "running" },
        el("td", {}, el("button", { type: "button", class: "link", "data-testid": "conf-open", "data-case": c.id, disabled: true }, c.id)),
        el("td", { colspan: 5, class: "hint" }, "running…"));
      this.q("conf-rows").append(row);
      row.scrollIntoView({ block: "nearest" });
      this.current = runCase(c.number, agent);
      const seen = await this.current.done;
      this.current = null;
      let got;
      try {
        got = await fetchResult(agent, c.id, { after, brief: true });
      } catch (error) {
        got = { ok: false, error: String(error?.message ?? error) };
      }
      if (got.ok) {
        after = Math.max(after, got.result.serial);
        this.results.set(c.id, { agent, serial: got.result.serial });
      }
      this.fillRow(row, c, got.ok ? got.result : null, seen);
    }
    this.running = false;
    this.q("conf-run").disabled = false;
    this.q("conf-stop").disabled = true;
    this.summarise(cases.length, Math.round(performance.now() - started));
  }

  /** The current case's socket is closed and no case after it starts. */
  stop() {
    this.stopped = true;
    this.current?.stop();
  }

  fillRow(row, c, r, seen) {
    // The reason in full in the title: the row stays narrow (7.x's reasons are up to 123 bytes).
    const reason = seen.reason.length > 16 ? `${seen.reason.slice(0, 15)}…` : seen.reason;
    const browser = `${seen.code ?? "?"}${reason ? ` “${reason}”` : ""}${seen.wasClean ? "" : ", unclean"}`;
    row.dataset.state = "done";
    if (!r) {
      row.dataset.behavior = "MISSING";
      fill(row, el("td", {}, c.id), el("td", { colspan: 4, class: "verdict case-missing" }, "no result from the server"),
        el("td", {}, browser));
      return;
    }
    row.dataset.behavior = r.behavior;
    row.dataset.behaviorClose = r.behaviorClose;
    row.title = `${c.description}\n${r.result}\n${r.resultClose}`;
    fill(row,
      el("td", {}, el("button", { type: "button", class: "link", "data-testid": "conf-open", "data-case": c.id, title: "show the report" }, c.id)),
      el("td", { class: `verdict ${verdictClass(r.behavior)}`, "data-testid": "conf-behavior" }, r.behavior),
      el("td", { class: r.behaviorClose === "OK" ? "" : "close-bad", "data-testid": "conf-behavior-close" }, r.behaviorClose),
      el("td", { "data-testid": "conf-remote-code" }, r.remoteCloseCode ?? "none"),
      el("td", { "data-testid": "conf-duration" }, `${r.duration} ms`),
      el("td", { "data-testid": "conf-browser-saw", title: `close ${seen.code} “${seen.reason}”, ${seen.wasClean ? "clean" : "unclean"}` }, browser));
  }

  summarise(total, ms) {
    const rows = [...this.root.querySelectorAll("[data-testid=conf-row]")];
    const counts = VERDICTS.map((v) => `${rows.filter((r) => r.dataset.behavior === v).length} ${v}`);
    const missing = rows.filter((r) => r.dataset.behavior === "MISSING").length;
    const summary = this.q("conf-summary");
    summary.textContent = `${rows.length} of ${total} cases run in ${(ms / 1000).toFixed(1)} s: ${counts.join(", ")}`
      + (missing ? `, ${missing} without a result` : "");
    summary.hidden = false;
    this.setStatus("done", this.stopped ? "stopped" : "done: click a case for its report");
  }

  /** Shows a case's report beside the table: its result again, now with the wire decoded. */
  async open(id) {
    const kept = this.results.get(id);
    if (!kept) return;
    for (const row of this.root.querySelectorAll("[data-testid=conf-row].selected")) row.classList.remove("selected");
    this.root.querySelector(`[data-testid=conf-row][data-case="${CSS.escape(id)}"]`)?.classList.add("selected");
    this.opening = id;
    const got = await fetchResult(kept.agent, id, { after: kept.serial - 1, wait: 0 }).catch((e) => ({ ok: false, error: String(e) }));
    if (this.opening !== id) return;
    if (got.ok) this.report.show(got.result);
    else this.report.fail(id, got.error ?? "the result is gone (the server restarted?)");
  }
}
