//! `wsinspect conformance`: the conformance cases (the library's `conformance` module) run
//! over TCP, and their reports written.
//!
//! ```text
//! mod.rs (run) -> client, server, report files
//! client       -> drive
//! server       -> drive
//! ```

mod client;
mod drive;
mod html;
pub mod page;
pub mod server;

use std::path::Path;
use std::process::ExitCode;

use wsinspect::cli::{ConformanceArgs, ConformanceMode, Selection};
use wsinspect::conformance::cases::select_sized;
use wsinspect::conformance::report::{
    any_failed, case_json, decoded, failed, file_stem, index_json, CaseRun,
};
use wsinspect::conformance::Behavior;

/// Runs the command; its exit status (0: no case FAILED, 1: some did, 2: it could not run).
pub fn run(args: &ConformanceArgs) -> ExitCode {
    let runtime = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match &args.mode {
        ConformanceMode::Client(c) => {
            let url = match wsinspect::cli::parse_upstream(&c.url) {
                Ok(u) => u,
                Err(e) => {
                    eprintln!("{}", e.replace("--upstream", "the URL"));
                    return ExitCode::from(2);
                }
            };
            let tls = match super::upstream::tls::client_config(&c.ca, c.insecure) {
                Ok(tls) => tls,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            };
            if c.insecure && url.secure {
                eprintln!(
                    "wsinspect: WARNING: --insecure: the server's certificate is NOT verified; \
                     anyone on the path can read and change the traffic"
                );
            }
            let cases = select_sized(&c.selection.cases, &c.selection.exclude, c.selection.full);
            if cases.is_empty() {
                eprintln!("wsinspect conformance: no case matches --cases and --exclude");
                return ExitCode::from(2);
            }
            let runs = runtime.block_on(client::run(
                &url,
                &tls,
                cases,
                c.agent.clone(),
                usize::from(c.parallel),
            ));
            finish(&runs, &c.selection)
        }
        ConformanceMode::Server(s) => {
            let cases = select_sized(&s.selection.cases, &s.selection.exclude, s.selection.full);
            if cases.is_empty() {
                eprintln!("wsinspect conformance: no case matches --cases and --exclude");
                return ExitCode::from(2);
            }
            let state =
                std::sync::Arc::new(server::ServerState::new(cases, s.selection.report.clone()));
            match runtime.block_on(server::run(s.listen, std::sync::Arc::clone(&state))) {
                Ok(()) => {
                    let runs = state.runs();
                    finish(&runs, &s.selection)
                }
                Err(e) => {
                    eprintln!(
                        "wsinspect conformance server: cannot listen on {}: {e}",
                        s.listen
                    );
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// Writes the reports and the summary; the exit status.
fn finish(runs: &[CaseRun], selection: &Selection) -> ExitCode {
    if let Err(e) = write_reports(&selection.report, runs) {
        eprintln!(
            "wsinspect conformance: cannot write the reports in {}: {e}",
            selection.report.display()
        );
        return ExitCode::from(2);
    }
    if selection.json {
        println!("{}", summary_json(runs, &selection.report));
    } else {
        print!("{}", summary_table(runs));
        println!("reports: {}", selection.report.join("index.json").display());
    }
    if any_failed(runs) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn write_reports(dir: &Path, runs: &[CaseRun]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for run in runs {
        let (json, table) = decoded(run);
        html::write_case(dir, run, &json, &table)?;
        let text = serde_json::to_string_pretty(&case_json(run, json)).unwrap_or_default();
        std::fs::write(
            dir.join(format!("{}.json", file_stem(&run.agent, &run.case.id))),
            text,
        )?;
    }
    let index = serde_json::to_string_pretty(&index_json(runs)).unwrap_or_default();
    html::write_index(dir, runs)?;
    std::fs::write(dir.join("index.json"), index)
}

/// One line a case: id, verdict, close verdict, remote code, why (for the cases not OK).
fn summary_table(runs: &[CaseRun]) -> String {
    let mut out = String::new();
    for r in runs {
        let code = r
            .observed
            .remote_close_code
            .map_or("-".to_string(), |c| c.to_string());
        let why = if r.verdict.behavior == Behavior::Ok && r.verdict.behavior_close == Behavior::Ok
        {
            String::new()
        } else {
            format!("  {} / {}", r.verdict.result, r.verdict.result_close)
        };
        out.push_str(&format!(
            "{:<8} {:<14} {:<17} {:>5}  {} ms{why}\n",
            r.case.id,
            r.verdict.behavior.as_str(),
            r.verdict.behavior_close.as_str(),
            code,
            r.duration_ms
        ));
    }
    let count = |b: Behavior| runs.iter().filter(|r| r.verdict.behavior == b).count();
    out.push_str(&format!(
        "{} cases: {} OK, {} NON-STRICT, {} INFORMATIONAL, {} UNIMPLEMENTED, {} FAILED ({} failed by their events or their close)\n",
        runs.len(),
        count(Behavior::Ok),
        count(Behavior::NonStrict),
        count(Behavior::Informational),
        count(Behavior::Unimplemented),
        count(Behavior::Failed),
        runs.iter().filter(|r| failed(r)).count()
    ));
    out
}

fn summary_json(runs: &[CaseRun], dir: &Path) -> serde_json::Value {
    let count = |b: Behavior| runs.iter().filter(|r| r.verdict.behavior == b).count();
    serde_json::json!({
        "cases": runs.len(),
        "ok": count(Behavior::Ok),
        "nonStrict": count(Behavior::NonStrict),
        "informational": count(Behavior::Informational),
        "unimplemented": count(Behavior::Unimplemented),
        // Cases whose events verdict is FAILED; `failed` lists every case failed by its
        // events or its close (what the exit status counts).
        "failedEvents": count(Behavior::Failed),
        "failed": runs.iter().filter(|r| failed(r)).map(|r| serde_json::json!({
            "id": r.case.id, "result": r.verdict.result, "resultClose": r.verdict.result_close,
        })).collect::<Vec<_>>(),
        "report": dir.join("index.json"),
    })
}

/// Now, as Autobahn's reports write it: `2026-12-07T02:42:51.174Z`.
pub fn utc_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let text = wsinspect::cli::utc(now);
    format!("{}Z", text.replacen(' ', "T", 1))
}

/// A Sec-WebSocket-Key: 16 random bytes in base64.
pub fn random_key() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    let _ = getrandom::getrandom(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A seed for the masking keys.
pub fn seed() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::getrandom(&mut bytes);
    u64::from_le_bytes(bytes)
}
