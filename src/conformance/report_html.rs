//! The HTML report, browsable offline (no script, no request): `index.html`, a summary
//! table by group (cases × agents, cells coloured as in the Autobahn TestSuite's reports),
//! and one page per case with its description, expectation, verdicts and reasons, expected
//! and received events, timings and the whole conversation decoded by wsinspect (both
//! directions, every frame's fields, violations at their byte, the closing handshake).
//!
//! Everything the peer sent (close reasons, messages, heads, even the agent's name, which
//! comes from a URL) is hostile input: every text goes through [`escape`].
//!
//! The wire of a case is also offered as Follow TCP Stream text ([`follow_text`]), the form
//! the inspector page's share links carry, for "open in the inspector".

mod conversation;
mod wire;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use super::case::Behavior;
use super::report::{event_json, file_stem, CaseRun};
pub use wire::{follow_text, inspector_fragment, wire_links, WireLinks, MAX_LINK_TEXT};

/// `<`, `>`, `&`, `"` and `'` as character references: text and attribute values alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Our own descriptions may hold `<br>` as Autobahn's do: escaped, then those line breaks
/// only made tags again.
fn escape_prose(text: &str) -> String {
    escape(text).replace("&lt;br&gt;", "<br>")
}

/// The class and label of a verdict cell, as Autobahn's index names them.
fn verdict_cell(b: Behavior) -> (&'static str, &'static str) {
    match b {
        Behavior::Ok => ("case-ok", "Pass"),
        Behavior::NonStrict => ("case-nonstrict", "Non-Strict"),
        Behavior::Informational => ("case-info", "Info"),
        Behavior::Unimplemented => ("case-unimplemented", "Unimplemented"),
        _ => ("case-failed", "Fail"),
    }
}

/// The Autobahn TestSuite's group titles.
fn group_title(group: &str) -> &'static str {
    match group {
        "1" => "Framing",
        "2" => "Pings/Pongs",
        "3" => "Reserved Bits",
        "4" => "Opcodes",
        "5" => "Fragmentation",
        "6" => "UTF-8 Handling",
        "7" => "Close Handling",
        "9" => "Limits/Performance",
        "10" => "Miscellaneous",
        "12" => "WebSocket Compression (different payloads)",
        "13" => "WebSocket Compression (different parameters)",
        _ => "",
    }
}

const STYLE: &str = "\
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.2em .45em;text-align:left;vertical-align:top}
th{background:#f2f2f2}
td.case-ok{background:#0a0}td.case-nonstrict{background:#9a0}td.case-info{background:#4095bf}
td.case-unimplemented{background:#800080}td.case-failed{background:#900}td.case-missing{background:#a05a2c}
td.verdict,td.verdict a{color:#fff}td.verdict a{font-weight:600}
.close{font-size:.85em;display:block}.close-bad{background:#fff3;outline:1px solid #fff;padding:0 .2em}
.legend td{color:#fff;min-width:7em}
pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:24em;white-space:pre-wrap;word-break:break-all}
.frames td{font-family:ui-monospace,monospace;font-size:.9em;white-space:nowrap}
.frames td.payload,tr.violation td{white-space:normal;overflow-wrap:anywhere}
tr.client td:first-child{border-left:4px solid #36c}tr.server td:first-child{border-left:4px solid #c63}
tr.violation td{background:#fde8e8;color:#800}
.failed{color:#900;font-weight:600}.ok{color:#070;font-weight:600}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// `index.html`: per agent, its counts of each verdict; then by group, a row a case and a
/// cell an agent (verdict, duration, close verdict and remote close code), linked to the
/// case's page; "Missing" where an agent has no result for a case.
pub fn index_html(runs: &[CaseRun]) -> String {
    let agents: BTreeSet<&str> = runs.iter().map(|r| r.agent.as_str()).collect();
    let mut cases: BTreeMap<Vec<u32>, &str> = BTreeMap::new();
    let mut by: BTreeMap<(&str, &str), &CaseRun> = BTreeMap::new();
    for r in runs {
        cases.insert(r.case.key(), &r.case.id);
        by.insert((&r.agent, &r.case.id), r);
    }
    let mut b = String::new();
    b.push_str("<h1>wsinspect conformance report</h1>\n");
    b.push_str(
        "<table class=\"legend\"><tr><td class=\"verdict case-ok\">Pass</td>\
         <td class=\"verdict case-nonstrict\">Non-Strict</td><td class=\"verdict case-info\">Info</td>\
         <td class=\"verdict case-unimplemented\">Unimplemented</td><td class=\"verdict case-failed\">Fail</td>\
         <td class=\"verdict case-missing\">Missing</td></tr></table>\n",
    );
    b.push_str("<table data-testid=\"report-agents\"><tr><th>agent</th><th>cases</th><th>OK</th><th>NON-STRICT</th><th>INFORMATIONAL</th><th>UNIMPLEMENTED</th><th>FAILED</th></tr>\n");
    for agent in &agents {
        let mine: Vec<&CaseRun> = runs.iter().filter(|r| r.agent == *agent).collect();
        let count = |b: Behavior| mine.iter().filter(|r| r.verdict.behavior == b).count();
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(agent),
            mine.len(),
            count(Behavior::Ok),
            count(Behavior::NonStrict),
            count(Behavior::Informational),
            count(Behavior::Unimplemented),
            count(Behavior::Failed)
        );
    }
    b.push_str("</table>\n");
    b.push_str("<table class=\"summary\" data-testid=\"report-summary\">\n");
    let mut group = String::new();
    for id in cases.values() {
        let g = id.split('.').next().unwrap_or("");
        if g != group {
            group = g.to_string();
            let _ = write!(b, "<tr><th>{} {}</th>", escape(g), escape(group_title(g)));
            for agent in &agents {
                let _ = write!(b, "<th>{}</th>", escape(agent));
            }
            b.push_str("</tr>\n");
        }
        let _ = write!(b, "<tr><td>Case {}</td>", escape(id));
        for agent in &agents {
            match by.get(&(*agent, *id)) {
                None => b.push_str("<td class=\"verdict case-missing\">Missing</td>"),
                Some(r) => {
                    let (class, label) = verdict_cell(r.verdict.behavior);
                    let close_ok = r.verdict.behavior_close == Behavior::Ok;
                    let code = r
                        .observed
                        .remote_close_code
                        .map_or("no code".to_string(), |c| c.to_string());
                    let _ = write!(
                        b,
                        "<td class=\"verdict {class}\" data-testid=\"report-cell\" data-case=\"{}\" data-behavior=\"{}\">\
                         <a href=\"{}.html\" title=\"{}\">{label}</a> {} ms\
                         <span class=\"close{}\">close {} · {}</span></td>",
                        escape(id),
                        r.verdict.behavior.as_str(),
                        file_stem(agent, id),
                        escape(&r.verdict.result),
                        r.duration_ms,
                        if close_ok { "" } else { " close-bad" },
                        r.verdict.behavior_close.as_str(),
                        code
                    );
                }
            }
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</table>\n");
    page("wsinspect conformance report", &b)
}

/// One case's page. `decoded` is [`super::report::decoded`]'s conversation object and
/// `table` its text table.
pub fn case_html(run: &CaseRun, decoded: &Value, table: &str, links: &WireLinks) -> String {
    let v = &run.verdict;
    let o = &run.observed;
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<p><a href=\"index.html\">← all cases</a></p>\n<h1>Case {} · {}</h1>",
        escape(&run.case.id),
        escape(&run.agent)
    );
    let verdict = |x: Behavior| {
        let class = if x == Behavior::Ok { "ok" } else { "failed" };
        format!("<span class=\"{class}\">{}</span>", x.as_str())
    };
    let _ = writeln!(
        b,
        "<dl data-testid=\"case-facts\">\
         <dt>Description</dt><dd>{}</dd>\
         <dt>Expectation</dt><dd>{}</dd>\
         <dt>Verdict</dt><dd data-testid=\"case-behavior\">{} · {}</dd>\
         <dt>Close verdict</dt><dd data-testid=\"case-behavior-close\">{} · {}</dd>\
         <dt>Tester</dt><dd>{} (case {} of the run)</dd>\
         <dt>Started</dt><dd>{}</dd><dt>Duration</dt><dd>{} ms</dd></dl>",
        escape_prose(&run.case.description),
        escape_prose(&run.case.expectation),
        verdict(v.behavior),
        escape(&v.result),
        verdict(v.behavior_close),
        escape(&v.result_close),
        match run.side {
            super::Side::Client => "client (testing a server)",
            super::Side::Server => "server (testing a client)",
        },
        run.number,
        escape(&run.started),
        run.duration_ms
    );
    if let Some(why) = &o.peer_violation {
        let _ = writeln!(
            b,
            "<p class=\"failed\">The peer broke a rule, the tester failed the connection: {}</p>",
            escape(why)
        );
    }

    b.push_str("<h2>Events</h2>\n<table data-testid=\"case-events\"><tr><th>outcome</th><th>events</th></tr>\n");
    let events = |list: &[super::Event]| -> String {
        if list.is_empty() {
            return "(none)".into();
        }
        list.iter()
            .map(|e| escape(&event_json(e).to_string()))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    for (behavior, list) in &run.case.expected {
        let _ = writeln!(
            b,
            "<tr><td>expected for {}</td><td>{}</td></tr>",
            behavior.as_str(),
            events(list)
        );
    }
    let _ = writeln!(
        b,
        "<tr><td>received</td><td data-testid=\"case-received\">{}</td></tr></table>",
        events(&o.received)
    );

    let close = &run.case.expected_close;
    let code = |c: Option<u16>| c.map_or("none".to_string(), |c| c.to_string());
    let text = |t: &Option<String>| t.as_deref().map_or("none".to_string(), escape);
    let codes: Vec<String> = close.codes.iter().map(u16::to_string).collect();
    let _ = writeln!(
        b,
        "<h2>Closing</h2>\n<dl data-testid=\"case-close\">\
         <dt>Expected</dt><dd>closed by {} with {} (or no code){}</dd>\
         <dt>Closed by</dt><dd>{}{}{}</dd>\
         <dt>Clean</dt><dd>{}{}</dd>\
         <dt>Tester's close</dt><dd>code {}, reason {}</dd>\
         <dt>Peer's close</dt><dd>code {}, reason <span data-testid=\"case-remote-reason\">{}</span></dd>\
         <dt>Timeouts</dt><dd>closing handshake: {}, server dropping TCP: {}</dd></dl>",
        if close.closed_by_me { "the tester" } else { "the peer" },
        codes.join(", "),
        if close.require_clean { ", cleanly" } else { "" },
        if o.closed_by_me { "the tester" } else { "the peer" },
        if o.failed_by_me { ", failing the connection" } else { "" },
        if o.dropped_by_me { "; the tester dropped TCP" } else { "" },
        if o.was_clean { "yes" } else { "no" },
        o.was_not_clean_reason.as_deref().map_or(String::new(), |r| format!(": {}", escape(r))),
        code(o.local_close_code),
        text(&o.local_close_reason),
        code(o.remote_close_code),
        text(&o.remote_close_reason),
        if o.close_handshake_timeout { "yes" } else { "no" },
        if o.server_drop_timeout { "yes" } else { "no" },
    );

    b.push_str("<h2>The wire</h2>\n<p>");
    let _ = write!(
        b,
        "<a href=\"{}\" download data-testid=\"case-pcapng\">download as pcapng</a> (Wireshark opens it) · ",
        escape(&links.pcapng)
    );
    match &links.inspector {
        Some(href) => {
            let _ = write!(
                b,
                "<a href=\"{}\" data-testid=\"case-inspector\">open in the inspector</a> \
                 (the page <code>wsinspect serve</code> serves; the address is the one before the <code>#</code>)",
                escape(href)
            );
        }
        None => {
            let _ = write!(
                b,
                "<span data-testid=\"case-inspector-too-large\">this case's wire is too large for a link \
                 (over {} KiB as text): open the pcapng in the inspector instead</span>",
                MAX_LINK_TEXT / 1024
            );
        }
    }
    b.push_str("</p>\n");
    b.push_str(&conversation::conversation_html(run, decoded));
    let _ = writeln!(
        b,
        "<details><summary>The same, as <code>wsinspect decode</code> prints it</summary><pre data-testid=\"case-table\">{}</pre></details>",
        escape(table)
    );
    page(&format!("Case {} · {}", run.case.id, run.agent), &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text_and_attributes() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)>\"'&"),
            "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"
        );
        assert_eq!(escape_prose("a<br>b<script>"), "a<br>b&lt;script&gt;");
    }
}
