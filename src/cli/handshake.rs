//! `wsinspect handshake`: an opening handshake's headers, generation and every rule checked;
//! a request followed by its response is checked as a pair too.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::input::{self, InputFormat};
use super::io::{error_line, to_stdout, Io};
use super::json;
use crate::handshake::Check;
use crate::{check_pair, parse_handshake, Generation, Handshake, HandshakeKind};

#[derive(Debug, Args)]
pub struct HandshakeArgs {
    /// The head: a file, or `-` (or nothing) for standard input. A request may be followed by
    /// its response.
    pub file: Option<PathBuf>,
    /// How the input spells its bytes (raw: a head as captured).
    #[arg(long, value_enum, default_value_t = InputFormat::Raw)]
    pub format: InputFormat,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Exit status: 0 every check passed, 1 a rule broken (or not a head), 2 unreadable input.
pub fn run(args: &HandshakeArgs, io: &mut dyn Io) -> u8 {
    let read =
        input::read(io, args.file.as_deref()).and_then(|raw| input::to_bytes(raw, args.format));
    let bytes = match read {
        Ok((bytes, _)) => bytes,
        Err(e) => {
            error_line(io, format_args!("wsinspect handshake: {e}"));
            return 2;
        }
    };
    let first = parse_handshake(&bytes);
    // A response right after the request (after a hixie-76 request's 8 key bytes).
    let second = second_head(&first).map(|(at, rest)| (at, parse_handshake(rest)));
    let pair = match &second {
        Some((_, response)) => check_pair(&first, response),
        None => Vec::new(),
    };
    let ok = |h: &Handshake| h.is_valid();
    let passed =
        ok(&first) && second.as_ref().is_none_or(|(_, h)| ok(h)) && pair.iter().all(|c| c.passed);
    let written = to_stdout(io, "handshake", |w| {
        if args.json {
            let value = json!({
                "handshake": json::handshake(&first),
                "response": second.as_ref().map(|(at, h)| json!({"offset": at, "handshake": json::handshake(h)})),
                "pairChecks": pair.iter().map(json::check).collect::<Vec<_>>(),
                "passed": passed,
            });
            serde_json::to_writer_pretty(&mut *w, &value)?;
            writeln!(w)
        } else {
            let mut s = report(&first, 0);
            if let Some((at, response)) = &second {
                s.push('\n');
                s.push_str(&report(response, *at));
                s.push_str("\nthe response answers the request (offsets in the response)\n");
                s.push_str(&checks(&pair));
            }
            s.push_str(if passed {
                "\nevery check passed\n"
            } else {
                "\nsome checks failed\n"
            });
            w.write_all(s.as_bytes())
        }
    });
    match written {
        Err(status) => status,
        Ok(()) if passed => 0,
        Ok(()) => 1,
    }
}

/// Where a response head starts after a complete request, and its bytes.
fn second_head(first: &Handshake) -> Option<(usize, &[u8])> {
    if first.kind != HandshakeKind::Request {
        return None;
    }
    let head = first.head_length? as usize;
    let skip = if first.generation == Generation::Hixie76 {
        first.kind.hixie76_trailing_len()
    } else {
        0
    };
    let rest = first.trailing.get(skip..)?;
    rest.starts_with(b"HTTP/").then_some((head + skip, rest))
}

fn report(h: &Handshake, at: usize) -> String {
    let from = if at > 0 {
        " (offsets below count from there)"
    } else {
        ""
    };
    let mut s = format!(
        "{} at byte {at}{from}: {}\n",
        h.kind.as_str(),
        h.generation.description()
    );
    match h.kind {
        HandshakeKind::Request => s.push_str(&format!(
            "  {} {} {}\n",
            h.method.as_deref().unwrap_or("?"),
            h.path.as_deref().unwrap_or("?"),
            h.version.as_deref().unwrap_or("?")
        )),
        HandshakeKind::Response => s.push_str(&format!(
            "  {} {} {}\n",
            h.version.as_deref().unwrap_or("?"),
            h.status
                .map(|c| c.to_string())
                .unwrap_or_else(|| "?".into()),
            h.reason.as_deref().unwrap_or("")
        )),
    }
    for x in &h.headers {
        s.push_str(&format!("  {:>6}  {}: {}\n", x.offset, x.name, x.value));
    }
    if let Some(e) = &h.error {
        s.push_str(&format!("error {}: {e}\n", e.id));
    }
    if let Some(i) = &h.incomplete {
        let needed = i
            .needed
            .map(|n| format!("{n} more bytes"))
            .unwrap_or_else(|| "more bytes".into());
        s.push_str(&format!(
            "incomplete: {needed} needed at byte {}\n",
            i.offset
        ));
    }
    s.push_str(&checks(&h.checks));
    s
}

fn checks(list: &[Check]) -> String {
    list.iter()
        .map(|c| {
            format!(
                "  {} {:<24} {}\n",
                if c.passed { "ok  " } else { "FAIL" },
                c.id,
                c.message
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_after_a_request_is_found() {
        let both = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n\r\n";
        let first = parse_handshake(both);
        let (at, rest) = second_head(&first).unwrap();
        assert_eq!(at, 27);
        assert!(rest.starts_with(b"HTTP/1.1 101"));
        assert!(second_head(&parse_handshake(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")).is_none());
    }
}
