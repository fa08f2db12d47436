//! `wsinspect decode`: every frame, message and violation in a byte stream, as a table or JSON.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::json;

use super::capture;
use super::conversation::{self, Outcome};
use super::input::{self, InputFormat};
use super::io::{error_line, to_stdout, Io};
use super::json;
use super::stream::{self, Stream};
use crate::capture::{
    decode_capture, CaptureDecoder, CaptureEvent, CaptureFormat, CaptureOptions, CaptureResult,
};
use crate::{
    decode_conversation, decode_transcript, parse_handshake, parse_transcript, ConversationOptions,
    ConversationResult, DecodeOptions, Frame, FrameKind, Generation, Handshake, HandshakeKind,
};

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The bytes: a file, or `-` (or nothing) for standard input. Both directions of a
    /// connection (tshark or Wireshark Follow TCP Stream text, `tshark -x` or `tcpdump -xx`
    /// packet dumps), or one direction that opens with its handshake head, are decoded as a
    /// conversation: the heads, what they agreed, then one table of both directions.
    pub file: Option<PathBuf>,
    /// How the input spells its bytes.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub format: InputFormat,
    /// Who sent the frames: a client (masked) or a server; auto decides from the first frame.
    #[arg(long, value_enum, default_value_t = RoleArg::Auto)]
    pub role: RoleArg,
    /// The framing: RFC 6455 or hixie-76 (0x00 ... 0xFF); auto decides from the first byte.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Auto)]
    pub protocol: ProtocolArg,
    /// The negotiated Sec-WebSocket-Extensions value, e.g. "permessage-deflate".
    #[arg(long)]
    pub extensions: Option<String>,
    /// Largest message in bytes; larger is a message-too-big violation.
    #[arg(long)]
    pub max_message: Option<u64>,
    /// Print JSON instead of a table (written as the frames are decoded).
    #[arg(long, conflicts_with = "jsonl")]
    pub json: bool,
    /// Print JSON lines: one object a line (`"type"`: input, frame, message, violation,
    /// notice, then end), in stream order.
    #[arg(long)]
    pub jsonl: bool,
    /// Of a capture (.pcap, .pcapng) or a HAR: decode only the conversation with this
    /// number (the first column of the conversations table).
    #[arg(long, value_name = "N")]
    pub conversation: Option<usize>,
    /// Of a capture: also decode connections that began before the capture, when both
    /// directions look like WebSocket frames (the side that masks is the client).
    #[arg(long)]
    pub mid_stream: bool,
    /// Of a capture: an NSS key log (SSLKEYLOGFILE, Node's --tls-keylog, Python's
    /// keylog_filename) whose secrets decrypt its wss:// (TLS) connections.
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
}

/// The largest key log read (each connection's secrets are a few hundred bytes).
const MAX_KEYLOG: u64 = 64 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Auto,
    Client,
    Server,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtocolArg {
    Auto,
    Rfc6455,
    #[value(name = "hixie-76")]
    Hixie76,
}

/// Exit status: 0 clean, 1 a rule broken, 2 unreadable input.
pub fn run(args: &DecodeArgs, io: &mut dyn Io) -> u8 {
    // A capture file is read in slices: memory follows the WebSocket data it holds.
    if let Some(path) = args.file.as_deref().filter(|p| *p != Path::new("-")) {
        let start = io.read_file(path, 16).unwrap_or_default();
        if let Some(format @ (CaptureFormat::Pcap | CaptureFormat::Pcapng)) =
            capture_format(&start, args.format)
        {
            return capture_file_out(args, io, path, format);
        }
    }
    let raw = match input::read(io, args.file.as_deref()) {
        Ok(raw) => raw,
        Err(e) => {
            error_line(io, format_args!("wsinspect decode: {e}"));
            return 2;
        }
    };
    if let Some(format) = capture_format(&raw, args.format) {
        return capture_out(args, io, &raw, format);
    }
    if args.conversation.is_some() || args.mid_stream || args.keylog.is_some() {
        error_line(
            io,
            format_args!(
                "wsinspect decode: --conversation, --mid-stream and --keylog are for captures (.pcap, .pcapng) and HAR files"
            ),
        );
        return 2;
    }
    let options = ConversationOptions {
        max_message_size: args.max_message,
        ..ConversationOptions::default()
    };
    // Both directions (Follow TCP Stream text, a packet dump): a conversation.
    if matches!(args.format, InputFormat::Auto | InputFormat::Hex) {
        if let Ok(text) = std::str::from_utf8(&raw) {
            match parse_transcript(text.trim_start_matches('\u{feff}')) {
                Ok(Some(t)) => {
                    let r = decode_transcript(&t, &options);
                    return conversation_out(args, io, raw.len(), &r);
                }
                Ok(None) => {}
                Err(e) => {
                    error_line(
                        io,
                        format_args!("wsinspect decode: cannot read the input: {e}"),
                    );
                    return 2;
                }
            }
        }
    }
    let read = input::to_bytes(raw, args.format);
    let (bytes, read_as) = match read {
        Ok(pair) => pair,
        Err(e) => {
            error_line(io, format_args!("wsinspect decode: {e}"));
            return 2;
        }
    };
    // One direction that opens with its head: a conversation too, unless told otherwise.
    let told = args.role != RoleArg::Auto
        || args.protocol != ProtocolArg::Auto
        || args.extensions.is_some();
    if starts_with_head(&bytes) && !told {
        let mut r = decode_conversation(&bytes, &options);
        r.format = format!("{read_as}, 1 direction");
        return conversation_out(args, io, bytes.len(), &r);
    }
    let head = starts_with_head(&bytes).then(|| parse_handshake(&bytes));
    let (start, mut options) = match &head {
        Some(h) => after_head(h),
        None => (0, DecodeOptions::default()),
    };
    if let Some(role) = role(args.role) {
        options.role = role;
    }
    if let Some(protocol) = protocol(args.protocol) {
        options.protocol = protocol;
    }
    if args.extensions.is_some() {
        options.extensions = args.extensions.clone();
    }
    options.max_message_size = args.max_message;
    let stream = bytes.get(start..).unwrap_or_default();
    if let Err(e) = crate::Decoder::new(options.clone()) {
        error_line(
            io,
            format_args!(
                "wsinspect decode: bad --extensions value: {} at byte {}",
                e.message, e.offset
            ),
        );
        return 2;
    }
    let stream = Stream {
        bytes: stream,
        options,
        shift: start as u64,
    };
    let head_failed = head
        .as_ref()
        .is_some_and(|h| h.error.is_some() || h.failures().next().is_some());
    // Written as decoded, through a buffer; memory does not grow with the frames.
    let written = to_stdout(io, "decode", |w| {
        if args.jsonl {
            let first = json!({
                "input": { "length": bytes.len(), "readAs": read_as },
                "handshake": head.as_ref().map(json::handshake),
                "framesStart": start,
            });
            stream::write_jsonl(w, &stream, first)
        } else if args.json {
            let mut after = serde_json::Map::new();
            after.insert("framesStart".into(), start.into());
            after.insert(
                "handshake".into(),
                json!(head.as_ref().map(json::handshake)),
            );
            after.insert(
                "input".into(),
                json!({ "length": bytes.len(), "readAs": read_as }),
            );
            stream::write_json(w, &stream, &after)
        } else {
            table_head(w, &read_as, bytes.len(), head.as_ref(), start)
                .and_then(|()| stream::write_table(w, &stream))
        }
    });
    match written {
        Err(status) => status,
        Ok(summary) if summary.violations == 0 && !head_failed => 0,
        Ok(_) => 1,
    }
}

/// A capture file (by its magic number) or a HAR (a JSON object with `log.entries`),
/// unless the input format says to read the bytes otherwise.
fn capture_format(raw: &[u8], format: InputFormat) -> Option<CaptureFormat> {
    if !matches!(format, InputFormat::Auto | InputFormat::Raw) {
        return None;
    }
    match crate::capture::file::sniff(raw) {
        Some(crate::capture::file::FileFormat::Pcap) => Some(CaptureFormat::Pcap),
        Some(crate::capture::file::FileFormat::Pcapng) => Some(CaptureFormat::Pcapng),
        None if format == InputFormat::Auto && crate::capture::har::looks_like_har(raw) => {
            Some(CaptureFormat::Har)
        }
        _ => None,
    }
}

/// The capture options of the arguments; an error line and status 2 when the key log
/// cannot be read.
fn capture_options(
    args: &DecodeArgs,
    io: &mut dyn Io,
    format: CaptureFormat,
) -> Result<CaptureOptions, u8> {
    let key_log = match &args.keylog {
        None => None,
        Some(path) => match io.read_file(path, MAX_KEYLOG) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                error_line(
                    io,
                    format_args!(
                        "wsinspect decode: cannot read the key log {}: {e}",
                        path.display()
                    ),
                );
                return Err(2);
            }
        },
    };
    Ok(CaptureOptions {
        format,
        max_message_size: args.max_message,
        mid_stream: args.mid_stream,
        // The CLI prints no stream bytes: it need not keep a copy of them.
        without_streams: true,
        key_log,
    })
}

/// A capture file, read in slices; each conversation is rendered as its connection
/// closes and let go, so memory holds text, not decoded frames.
fn capture_file_out(args: &DecodeArgs, io: &mut dyn Io, path: &Path, format: CaptureFormat) -> u8 {
    let options = match capture_options(args, io, format) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let mut decoder = CaptureDecoder::new(options);
    let mut collector = capture::Collector::new(args.conversation, args.json, args.jsonl);
    // Natively the conversations are decoded and rendered on a thread of their own, beside
    // the reading of the file (and TCP and TLS); elsewhere they come back as events.
    #[cfg(not(target_arch = "wasm32"))]
    decoder.offload(collector.sink());
    let mut notices = Vec::new();
    let mut take = |events: Vec<CaptureEvent>, collector: &mut capture::Collector| {
        for event in events {
            match event {
                // Rendering into memory cannot fail.
                CaptureEvent::Conversation(c) => drop(collector.take(*c)),
                CaptureEvent::Notice(n) => notices.push(n),
                CaptureEvent::Tls(t) => collector.tls(*t),
                CaptureEvent::Found { .. } => {}
            }
        }
    };
    let read = io.read_file_slices(path, u64::MAX, &mut |slice| {
        take(decoder.push(slice), &mut collector);
    });
    if let Err(e) = read {
        error_line(
            io,
            format_args!("wsinspect decode: cannot read {}: {e}", path.display()),
        );
        return 2;
    }
    take(decoder.end(), &mut collector);
    let format = decoder.format().unwrap_or("pcap");
    let (stats, error) = (decoder.stats(), decoder.error().cloned());
    capture_written(
        args,
        io,
        collector,
        |w, c| c.write(w, format, &stats, &notices, error.as_ref()),
        error.is_some(),
    )
}

/// Writes a capture's conversations. Exit status: 2 when the file could not be read to
/// its end (what was read is shown), else as for a conversation.
fn capture_out(args: &DecodeArgs, io: &mut dyn Io, raw: &[u8], format: CaptureFormat) -> u8 {
    let options = match capture_options(args, io, format) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let r = decode_capture(raw, &options);
    let mut collector = capture::Collector::new(args.conversation, args.json, args.jsonl);
    let CaptureResult {
        format,
        conversations,
        tls,
        notices,
        stats,
        error,
    } = r;
    for c in conversations {
        // Rendering into memory cannot fail.
        drop(collector.take(c));
    }
    for t in tls {
        collector.tls(t);
    }
    capture_written(
        args,
        io,
        collector,
        |w, c| c.write(w, &format, &stats, &notices, error.as_ref()),
        error.is_some(),
    )
}

/// Checks `--conversation N`, then writes; the exit status.
fn capture_written(
    args: &DecodeArgs,
    io: &mut dyn Io,
    mut collector: capture::Collector,
    write: impl FnOnce(&mut dyn std::io::Write, capture::Collector) -> std::io::Result<Outcome>,
    unreadable: bool,
) -> u8 {
    if let Some(n) = args.conversation {
        if !collector.has(n) {
            error_line(
                io,
                format_args!(
                    "wsinspect decode: no conversation {n}: the input has {} (numbered from 0)",
                    collector.count()
                ),
            );
            return 2;
        }
    }
    let mut collector = Some(collector);
    let written = to_stdout(io, "decode", |w| match collector.take() {
        Some(c) => write(w, c),
        None => Ok(Outcome {
            violations: 0,
            head_failed: false,
        }),
    });
    match written {
        Err(status) => status,
        Ok(_) if unreadable => 2,
        Ok(o) if o.violations == 0 && !o.head_failed => 0,
        Ok(_) => 1,
    }
}

/// Writes a conversation; the exit status as for a stream.
fn conversation_out(
    args: &DecodeArgs,
    io: &mut dyn Io,
    length: usize,
    r: &ConversationResult,
) -> u8 {
    let written = to_stdout(io, "decode", |w| {
        conversation::write(w, length, r, args.json, args.jsonl)
    });
    match written {
        Err(status) => status,
        Ok(o) if o.violations == 0 && !o.head_failed => 0,
        Ok(_) => 1,
    }
}

/// The table's first lines: the input and the handshake head, if any.
fn table_head(
    w: &mut dyn Write,
    read_as: &str,
    length: usize,
    head: Option<&Handshake>,
    start: usize,
) -> std::io::Result<()> {
    writeln!(w, "input: {length} bytes, read as {read_as}")?;
    if let Some(h) = head {
        write!(
            w,
            "handshake {} ({}), {} bytes",
            h.kind.as_str(),
            h.generation.name(),
            h.head_length.unwrap_or(0)
        )?;
        let failures: Vec<_> = h.failures().collect();
        if let Some(e) = &h.error {
            writeln!(w, ": {}: {e}", e.id)?;
        } else if failures.is_empty() {
            writeln!(w, ": every check passed")?;
        } else {
            writeln!(w, ": {} check(s) failed", failures.len())?;
            for c in failures {
                writeln!(w, "  {}: {}", c.id, c.message)?;
            }
        }
        writeln!(w, "frames start at byte {start}")?;
    }
    Ok(())
}

fn role(r: RoleArg) -> Option<crate::Role> {
    match r {
        RoleArg::Auto => None,
        RoleArg::Client => Some(crate::Role::Client),
        RoleArg::Server => Some(crate::Role::Server),
    }
}

fn protocol(p: ProtocolArg) -> Option<crate::Protocol> {
    match p {
        ProtocolArg::Auto => None,
        ProtocolArg::Rfc6455 => Some(crate::Protocol::Rfc6455),
        ProtocolArg::Hixie76 => Some(crate::Protocol::Hixie76),
    }
}

/// Whether the bytes open with an HTTP request or status line.
fn starts_with_head(bytes: &[u8]) -> bool {
    const STARTS: [&[u8]; 2] = [b"GET ", b"HTTP/1."];
    STARTS.iter().any(|s| bytes.starts_with(s))
}

/// Where frames start after a handshake head, and what the head says about them: a request's
/// frames come from the client; a response's from the server, with its negotiated extensions.
fn after_head(h: &Handshake) -> (usize, DecodeOptions) {
    let Some(head) = h.head_length else {
        return (usize::MAX, DecodeOptions::default());
    };
    let hixie = h.generation == Generation::Hixie76;
    let mut options = DecodeOptions::default();
    let mut start = head as usize;
    // A hixie-76 request's 8 key bytes, a response's 16-byte answer.
    start += if hixie {
        h.kind.hixie76_trailing_len()
    } else {
        0
    };
    match h.kind {
        HandshakeKind::Request => {
            options.role = crate::Role::Client;
        }
        HandshakeKind::Response => {
            options.role = crate::Role::Server;
            options.extensions = h
                .header("sec-websocket-extensions")
                .map(|x| x.value.clone());
        }
    }
    if hixie || h.generation == Generation::Hixie75 {
        options.protocol = crate::Protocol::Hixie76;
    }
    (start, options)
}

pub(super) fn payload(f: &Frame) -> String {
    let mut out = String::new();
    write_payload(&mut out, f);
    out
}

/// Appends a frame's payload column to `out`: its length and length encoding, then the
/// close code and reason, the text (when the payload is UTF-8) or the first bytes in hex.
pub(super) fn write_payload(out: &mut String, f: &Frame) {
    use super::cells::push_u64;
    // "{} bytes ({}" (src/cli/cells.rs: without fmt).
    push_u64(out, f.payload_len);
    out.push_str(" bytes (");
    out.push_str(f.length_encoding.as_str());
    if matches!(
        f.length_encoding,
        crate::LengthEncoding::Bits7
            | crate::LengthEncoding::Bits16
            | crate::LengthEncoding::Bits64
    ) {
        out.push_str("-bit");
    }
    out.push_str(") ");
    match f.kind {
        FrameKind::Close => {
            if let Some(code) = f.close_code {
                push_u64(out, u64::from(code));
                out.push(' ');
                if let Some(name) = f.close_code_name {
                    out.push_str(name);
                    out.push(' ');
                }
                write_quote(out, f.close_reason.as_deref().unwrap_or(""));
            }
        }
        FrameKind::Text | FrameKind::Continuation if !f.rsv1 => {
            match crate::utf8::as_str(&f.payload) {
                Some(t) => write_quote(out, t),
                None => write_preview_hex(out, &f.payload),
            }
        }
        _ => write_preview_hex(out, &f.payload),
    }
    // A close frame without a code leaves the column's last space.
    let end = out.trim_end().len();
    out.truncate(end);
}

pub(super) fn quote(t: &str) -> String {
    let mut out = String::new();
    write_quote(&mut out, t);
    out
}

/// Appends the first 40 characters of `t`, and `…` when there are more, quoted and escaped
/// as Rust's `{:?}` quotes a string.
pub(super) fn write_quote(out: &mut String, t: &str) {
    // Printable ASCII other than `"` and `\` is what `{:?}` writes unchanged: most texts
    // (JSON) are quoted without the formatter.
    let head = &t.as_bytes()[..t.len().min(40)];
    if head
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push('"');
        out.push_str(&t[..head.len()]);
        if head.len() < t.len() {
            out.push('…');
        }
        out.push('"');
        return;
    }
    write_quote_formatted(out, t);
}

/// [`write_quote`] by the formatter, for any text.
fn write_quote_formatted(out: &mut String, t: &str) {
    use std::fmt::Write as _;
    let cut = t.char_indices().nth(40).map_or(t.len(), |(at, _)| at);
    let _ = write!(out, "{:?}", &t[..cut]);
    if cut < t.len() {
        // Inside the closing quote: `…` is printable, so `{:?}` would not escape it either.
        out.pop();
        out.push_str("…\"");
    }
}

pub(super) fn preview_hex(b: &[u8]) -> String {
    let mut out = String::new();
    write_preview_hex(&mut out, b);
    out
}

/// Appends the first 16 bytes of `b` in hex, and `…` when there are more.
pub(super) fn write_preview_hex(out: &mut String, b: &[u8]) {
    out.push_str(&json::hex(&b[..b.len().min(16)]));
    if b.len() > 16 {
        out.push('…');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quoting fast path writes what the formatter writes, on both sides of its rules.
    #[test]
    fn a_quoted_text_is_the_same_with_or_without_the_formatter() {
        let long = "x".repeat(39);
        let mut texts = vec![
            String::new(),
            "hello".into(),
            r#"{"a":1}"#.into(),
            "back\\slash".into(),
            "tab\there".into(),
            "del\u{7f}".into(),
            "it's".into(),
            "héllo".into(),
        ];
        for tail in ["", "y", "yz", "é", "\"", "\n"] {
            texts.push(format!("{long}{tail}"));
            texts.push(format!("{long}y{tail}"));
        }
        for t in &texts {
            let (mut fast, mut formatted) = (String::new(), String::new());
            write_quote(&mut fast, t);
            write_quote_formatted(&mut formatted, t);
            assert_eq!(fast, formatted, "{t:?}");
        }
    }

    #[test]
    fn a_response_head_gives_server_role_and_its_extensions() {
        let bytes = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n\x81\x00";
        assert!(starts_with_head(bytes));
        let h = parse_handshake(bytes);
        let (start, options) = after_head(&h);
        assert_eq!(start, bytes.len() - 2);
        assert_eq!(options.role, crate::Role::Server);
        assert_eq!(options.extensions.as_deref(), Some("permessage-deflate"));
    }
}
