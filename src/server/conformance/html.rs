//! The HTML report (the library's `conformance::report_html`) and each case's pcapng,
//! written beside the JSON reports.

use std::io;
use std::path::Path;

use serde_json::Value;
use wsinspect::conformance::report::{transcript, CaseRun};
use wsinspect::conformance::report_html::{case_html, index_html, wire_links};

/// Where "open in the inspector" points: the page `wsinspect serve` serves by default.
pub const INSPECTOR: &str = "http://127.0.0.1:8080/";

/// `<agent>_case_<id>.html` and `<agent>_case_<id>.pcapng`; `decoded` and `table` are the
/// case's wire decoded (`report::decoded`).
pub fn write_case(dir: &Path, run: &CaseRun, decoded: &Value, table: &str) -> io::Result<()> {
    let links = wire_links(run, INSPECTOR);
    let stem = links.pcapng.trim_end_matches(".pcapng");
    std::fs::write(
        dir.join(format!("{stem}.html")),
        case_html(run, decoded, table, &links),
    )?;
    std::fs::write(
        dir.join(&links.pcapng),
        wsinspect::capture::write_pcapng(&transcript(run)),
    )
}

/// `index.html`: the summary table of every case and agent.
pub fn write_index(dir: &Path, runs: &[CaseRun]) -> io::Result<()> {
    std::fs::write(dir.join("index.html"), index_html(runs))
}
