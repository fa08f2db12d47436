// One case's report in the Conformance panel: the case, both verdicts and why, expected and
// received events, how the connection closed, and the whole conversation decoded by
// wsinspect (the Decode panel's conversation view, from the case's wire as Follow TCP Stream
// text), with "open in the inspector" and "download as pcapng". Everything the browser sent
// goes in as text (el() builds text nodes), never as HTML.
import * as ws from "/js/index.js";
import { el, fill } from "./dom.js";
import { ConversationView } from "./conversation.js";
import { downloadPcapng } from "./download.js";

/** The class of a verdict, as the HTML report colours it. */
export function verdictClass(behavior) {
  return {
    OK: "case-ok", "NON-STRICT": "case-nonstrict", INFORMATIONAL: "case-info", UNIMPLEMENTED: "case-unimplemented",
  }[behavior] ?? "case-failed";
}

export class CaseReport {
  constructor(root) {
    this.root = root;
    this.facts = el("div", { "data-testid": "conf-report-facts" });
    this.links = el("p", { class: "row conf-links" });
    this.view = el("div", { class: "conversation", "data-testid": "conf-conversation", hidden: true });
    // Made on the first report shown: until then the page holds one conversation view (the
    // Decode panel's), whose parts are found by their test ids.
    this.made = null;
    this.error = el("p", { class: "error", "data-testid": "conf-report-error", hidden: true });
    fill(root, this.facts, this.links, this.error, this.view);
    root.hidden = true;
  }

  /** The conversation view, made on first use. */
  get conversation() {
    if (!this.made) {
      this.made = new ConversationView(this.view);
      this.made.show(null);
      // The heads go last here (the style sheet orders them): the frames matter more to a verdict.
      this.view.prepend(el("h2", { class: "conf-heads-title" }, "Opening handshake"));
    }
    return this.made;
  }

  /** Says why case `id`'s report cannot be shown. */
  fail(id, why) {
    this.root.hidden = false;
    this.root.dataset.case = id;
    fill(this.facts, el("h2", {}, `Case ${id}`));
    fill(this.links);
    this.made?.show(null);
    this.error.textContent = `no report: ${why}`;
    this.error.hidden = false;
  }

  /** Shows a result (the server's per-case JSON with its wire). */
  async show(r) {
    this.root.hidden = false;
    this.root.dataset.case = r.id;
    const verdict = (b, why, testid) => [el("span", { class: `verdict-badge ${verdictClass(b)}`, "data-testid": testid }, b), ` ${why}`];
    const events = (list) => (list.length ? list.map((e) => el("div", {}, JSON.stringify(e))) : el("span", { class: "hint" }, "(none)"));
    const expected = Object.entries(r.expected).map(([b, list]) =>
      el("tr", {}, el("td", {}, `expected for ${b}`), el("td", { class: "conf-events" }, events(list))));
    const close = r.expectedClose;
    const code = (c) => (c === null || c === undefined ? "none" : String(c));
    fill(this.facts,
      el("h2", {}, `Case ${r.id} · ${r.agent}`),
      el("dl", { class: "conf-facts" },
        el("dt", {}, "Description"), el("dd", {}, prose(r.description)),
        el("dt", {}, "Expectation"), el("dd", {}, prose(r.expectation)),
        el("dt", {}, "Verdict"), el("dd", {}, verdict(r.behavior, r.result, "conf-report-behavior")),
        el("dt", {}, "Close verdict"), el("dd", {}, verdict(r.behaviorClose, r.resultClose, "conf-report-behavior-close")),
        el("dt", {}, "Timing"), el("dd", {}, `started ${r.started}, ${r.duration} ms`)),
      el("table", { class: "conf-events-table", "data-testid": "conf-report-events" },
        el("tr", {}, el("th", {}, "outcome"), el("th", {}, "events")),
        expected,
        el("tr", {}, el("td", {}, "received"), el("td", { class: "conf-events", "data-testid": "conf-report-received" }, events(r.received)))),
      el("dl", { class: "conf-facts", "data-testid": "conf-report-close" },
        el("dt", {}, "Closing expected"), el("dd", {}, `by ${close.closedByMe ? "the tester (the server)" : "the browser"} with ${close.closeCode.join(", ")} or no code${close.requireClean ? ", cleanly" : ""}`),
        el("dt", {}, "Closed by"), el("dd", {}, `${r.closedByMe ? "the tester" : "the browser"}${r.failedByMe ? ", failing the connection" : ""}${r.droppedByMe ? "; the tester dropped TCP" : ""}`),
        el("dt", {}, "Clean"), el("dd", {}, r.wasClean ? "yes" : `no: ${r.wasNotCleanReason ?? ""}`),
        el("dt", {}, "Browser's close"), el("dd", {}, `code ${code(r.remoteCloseCode)}, reason `,
          el("span", { "data-testid": "conf-report-remote-reason" }, r.remoteCloseReason ?? "none")),
        el("dt", {}, "Tester's close"), el("dd", {}, `code ${code(r.localCloseCode)}, reason ${r.localCloseReason ?? "none"}`)));

    const name = `${r.agent.toLowerCase().replace(/[^a-z0-9]+/g, "_")}_case_${r.id.replaceAll(".", "_")}`;
    const open = r.inspector
      ? el("a", { href: `/#${r.inspector}`, target: "_blank", rel: "noopener", "data-testid": "conf-open-inspector" }, "Open in the inspector")
      : el("span", { class: "hint", "data-testid": "conf-too-large" }, "this case's wire is too large for a link: download the pcapng and open it in the Decode panel");
    const download = el("button", { type: "button", "data-testid": "conf-download" }, "Download as pcapng");
    fill(this.links, open, download);

    fill(this.error);
    this.error.hidden = true;
    try {
      await ws.initConversations();
      const conv = ws.decodeConversation(r.wire);
      this.conversation.show(conv);
      download.onclick = () => downloadPcapng(conv, `${name}.pcapng`);
    } catch (error) {
      this.made?.show(null);
      download.disabled = true;
      this.error.textContent = `the wire could not be decoded here: ${error?.message ?? error}`;
      this.error.hidden = false;
    }
  }
}

/** A description as text, its `<br>` (Autobahn's line breaks) as line breaks, nothing else as markup. */
function prose(text) {
  const parts = text.split(/<br\s*\/?>/i);
  return parts.flatMap((p, i) => (i ? [el("br"), p] : [p]));
}
