//! `wsinspect hixie76 KEY1 KEY2 KEY3`: the 16-byte answer of a hixie-76 handshake, step by step.

use clap::Args;

use super::input::{self, InputFormat};
use super::io::{error_line, to_stdout, Io};
use super::json;
use crate::hixie76_steps;

#[derive(Debug, Args)]
pub struct Hixie76Args {
    /// Sec-WebSocket-Key1, exactly as sent (quote it: it holds spaces).
    pub key1: String,
    /// Sec-WebSocket-Key2, exactly as sent.
    pub key2: String,
    /// The 8 bytes after the request head, as text (see --key3-format).
    pub key3: String,
    /// How KEY3 spells its bytes: raw takes its characters' UTF-8 bytes as they are.
    #[arg(long, value_enum, default_value_t = InputFormat::Raw)]
    pub key3_format: InputFormat,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Exit status: 0 with the answer, 1 when a key breaks the draft's rules, 2 when KEY3 cannot
/// be read in its format.
pub fn run(args: &Hixie76Args, io: &mut dyn Io) -> u8 {
    let key3 = match input::to_bytes(args.key3.clone().into_bytes(), args.key3_format) {
        Ok((bytes, _)) => bytes,
        Err(e) => {
            error_line(io, format_args!("wsinspect hixie76: KEY3: {e}"));
            return 2;
        }
    };
    let steps = match hixie76_steps(&args.key1, &args.key2, &key3) {
        Ok(steps) => steps,
        Err(e) => {
            error_line(io, format_args!("wsinspect hixie76: {}: {e}", e.id()));
            return 1;
        }
    };
    let written = to_stdout(io, "hixie76", |w| {
        if args.json {
            let key = |k: &crate::KeySteps| serde_json::json!({"digits": k.digits, "number": k.number, "spaces": k.spaces, "quotient": k.quotient});
            let value = serde_json::json!({
                "key1": key(&steps.key1),
                "key2": key(&steps.key2),
                "challenge": json::hex(&steps.challenge),
                "answer": json::hex(&steps.answer),
                "answerEscaped": escape(&steps.answer),
            });
            serde_json::to_writer_pretty(&mut *w, &value)?;
            writeln!(w)
        } else {
            for (name, k) in [("key1", &steps.key1), ("key2", &steps.key2)] {
                writeln!(
                    w,
                    "{name}: digits {} = {}, {} spaces, {} / {} = {}",
                    k.digits, k.number, k.spaces, k.number, k.spaces, k.quotient
                )?;
            }
            writeln!(w, "challenge: {}", json::hex(&steps.challenge))?;
            writeln!(w, "answer: {}", json::hex(&steps.answer))?;
            writeln!(w, "answer as text: {}", escape(&steps.answer))
        }
    });
    written.err().unwrap_or(0)
}

/// Printable ASCII as itself, everything else as \xNN.
fn escape(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'\\' => "\\\\".to_owned(),
            0x20..=0x7e => (b as char).to_string(),
            _ => format!("\\x{b:02x}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_printable_ascii() {
        assert_eq!(escape(b"8jKS'y:G*Co,Wxa-"), "8jKS'y:G*Co,Wxa-");
        assert_eq!(escape(b"a\\\x00\xff"), "a\\\\\\x00\\xff");
    }
}
