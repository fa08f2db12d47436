//! Follow TCP Stream output: tshark's `-qz follow,tcp,raw,N` and `-qz follow,tcp,hex,N`
//! (ui/cli/tap-follow.c) and Wireshark's Follow TCP Stream "Hex Dump" view
//! (ui/qt/follow_stream_dialog.cpp), as their own code writes them:
//!
//! ```text
//! ===================================================================
//! Follow: tcp,raw
//! Filter: tcp.stream eq 0
//! Node 0: 127.0.0.1:52822
//! Node 1: 127.0.0.1:8765
//! 474554202f63...            <- node 0 (the client): one line per chunk
//! \t485454502f31...          <- node 1 (the server): the same, after a tab
//! ===================================================================
//! ```
//!
//! In hex mode each line is `%08X` (the direction's offset), two spaces, up to 16
//! bytes (an extra space after the eighth) and the bytes as text; a chunk starts a
//! new line. Wireshark's dialog writes the same lines, the server's indented by four
//! spaces instead of a tab. Node 0 is the side that sent first, taken as the client.
//! tshark shows bytes lost from the capture as a chunk of text, `[13 bytes missing in
//! capture file]`: such a chunk is read as a [`Gap`], not as data.

use super::lines::{byte_at, leading_hex_digits, lines, Line};
use super::{directions_phrase, Form, Gap};
use crate::bytes::hex::all_hex_digits;
use crate::bytes::Located;
use crate::direction::{ChunkMeta, DirectedChunk, Direction, Endpoint, Transcript};

/// Which shape the text starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// tshark's banner and header lines.
    Banner,
    /// Raw lines without the header: some indented by a tab, some not.
    BareRaw,
    /// Hex dump lines without the header: some indented (tab or four spaces), some not.
    BareHex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Raw,
    Hex,
}

/// The shape of follow output the text starts with, if any; `first` is its first
/// non-blank line.
pub(crate) fn recognise(text: &str, first: &Line<'_>) -> Option<Shape> {
    // The banner, or the header lines copied without it.
    if is_banner(first.text) || first.text.starts_with("Follow: ") {
        return Some(Shape::Banner);
    }
    if is_hex_line(first.text) {
        let server = lines(text).any(|line| {
            matches!(split_indent(line.text), Some((Direction::Server, rest)) if is_hex_line(rest))
        });
        return server.then_some(Shape::BareHex);
    }
    let raw = |s: &str| !s.is_empty() && s.len() % 2 == 0 && all_hex_digits(s.as_bytes());
    if raw(first.text) {
        let server = lines(text).any(|line| {
            line.text
                .strip_prefix('\t')
                .is_some_and(|rest| leading_hex_digits(rest) >= 2)
        });
        return server.then_some(Shape::BareRaw);
    }
    None
}

/// `=====...`: tshark's opening and closing line.
fn is_banner(line: &str) -> bool {
    let line = line.trim_end();
    line.len() >= 10 && line.bytes().all(|b| b == b'=')
}

/// `0000010C  c1 a2 ...`: eight hex digits, two spaces and a byte.
fn is_hex_line(line: &str) -> bool {
    let s = line.as_bytes();
    leading_hex_digits(line) == 8
        && s.get(8..10) == Some(b"  ")
        && byte_at(s, 10).is_some()
        && matches!(s.get(12), None | Some(b' '))
}

/// Who wrote a line: the client's lines start at the margin, the server's after a
/// tab (tshark) or four spaces (Wireshark). `None` for any other indentation.
fn split_indent(line: &str) -> Option<(Direction, &str)> {
    if let Some(rest) = line.strip_prefix('\t') {
        Some((Direction::Server, rest))
    } else if let Some(rest) = line.strip_prefix("    ") {
        Some((Direction::Server, rest))
    } else if line.starts_with([' ', '\t']) {
        None
    } else {
        Some((Direction::Client, line))
    }
}

pub(crate) fn parse(text: &str, shape: Shape) -> Result<(Transcript, Form), Located> {
    let mut transcript = Transcript::default();
    let mut all = lines(text).peekable();
    let mut protocol = String::from("tcp");
    let (mode, form) = match shape {
        Shape::BareRaw => (Mode::Raw, Form::TsharkFollowRaw),
        Shape::BareHex => {
            let tab = lines(text).any(|line| line.text.starts_with('\t'));
            let form = if tab {
                Form::TsharkFollowHex
            } else {
                Form::WiresharkFollowHex
            };
            (Mode::Hex, form)
        }
        Shape::Banner => {
            // The banner (when copied), then the header lines up to the first data line.
            while let Some(line) = all.peek().copied() {
                if !line.is_blank() && !is_banner(line.text) {
                    break;
                }
                all.next();
            }
            let mut mode = None;
            while let Some(line) = all.peek().copied() {
                if let Some(value) = line.text.strip_prefix("Follow: ") {
                    let (proto, name) = value.trim().split_once(',').unwrap_or(("tcp", value));
                    mode = Some(read_mode(&line, name.trim())?);
                    protocol = proto.to_string();
                } else if line.text.starts_with("Filter: ") || line.is_blank() {
                } else if let Some(value) = line.text.strip_prefix("Node 0: ") {
                    transcript.client = read_node(&line, value)?;
                } else if let Some(value) = line.text.strip_prefix("Node 1: ") {
                    transcript.server = read_node(&line, value)?;
                } else {
                    break;
                }
                all.next();
            }
            let mode = mode.unwrap_or_else(|| {
                let next = all.peek().map_or("", |line| line.text);
                let next = next.strip_prefix('\t').unwrap_or(next);
                if is_hex_line(next) {
                    Mode::Hex
                } else {
                    Mode::Raw
                }
            });
            let form = match mode {
                Mode::Raw => Form::TsharkFollowRaw,
                Mode::Hex => Form::TsharkFollowHex,
            };
            (mode, form)
        }
    };

    let mut offsets = [0u64; 2];
    // A hex chunk goes on while its direction's lines are full (16 bytes).
    let mut open_chunk: Option<usize> = None;
    let mut closed = false;
    for line in all.by_ref() {
        if is_banner(line.text) {
            closed = true;
            break;
        }
        if line.is_blank() {
            continue;
        }
        let Some((direction, rest)) = split_indent(line.text) else {
            return Err(neither(&line));
        };
        let indent = line.text.len() - rest.len();
        match mode {
            Mode::Raw => {
                let bytes = read_raw_line(&line, indent)?;
                offsets[direction.index()] += bytes.len() as u64;
                transcript.chunks.push(DirectedChunk {
                    direction,
                    bytes,
                    meta: ChunkMeta::default(),
                });
            }
            Mode::Hex => {
                let (offset, bytes) = read_hex_line(&line, indent)?;
                let sent = offsets[direction.index()];
                if offset != sent & 0xffff_ffff {
                    return Err(Located::new(
                        line.at(indent),
                        format_args!(
                            "follow output: line {} is at offset 0x{offset:x}, but the {direction} \
                             had sent 0x{sent:x} bytes before it",
                            line.number
                        ),
                    ));
                }
                offsets[direction.index()] += bytes.len() as u64;
                let full = bytes.len() == 16;
                match open_chunk.filter(|&i| transcript.chunks[i].direction == direction) {
                    Some(i) => transcript.chunks[i].bytes.extend_from_slice(&bytes),
                    None => transcript.chunks.push(DirectedChunk {
                        direction,
                        bytes,
                        meta: ChunkMeta::default(),
                    }),
                }
                open_chunk = full.then(|| transcript.chunks.len() - 1);
            }
        }
    }
    take_missing_markers(&mut transcript);
    if closed && all.any(|line| !line.is_blank()) {
        transcript
            .notes
            .push("text after the follow output's closing line was not read".to_string());
    }
    let tool = match (form, protocol.as_str()) {
        (Form::WiresharkFollowHex, _) => "wireshark follow".to_string(),
        (_, "tcp") => "tshark follow".to_string(),
        (_, other) => format!("tshark follow {other}"),
    };
    let mode_name = match (mode, shape) {
        (Mode::Raw, Shape::Banner) => "raw",
        (Mode::Raw, _) => "raw without header lines",
        (Mode::Hex, Shape::Banner) => "hex",
        (Mode::Hex, _) if form == Form::WiresharkFollowHex => "hex dump",
        (Mode::Hex, _) => "hex without header lines",
    };
    transcript.format = format!("{tool}, {mode_name}, {}", directions_phrase(&transcript));
    Ok((transcript, form))
}

/// tshark writes a hole in the stream as data: the text `[13 bytes missing in capture
/// file]` (with a final NUL byte in tshark 4.0). Such a chunk becomes a [`Gap`].
fn take_missing_markers(transcript: &mut Transcript) {
    let mut written = [0u64; 2];
    let mut gaps = Vec::new();
    transcript.chunks.retain(|chunk| {
        let d = chunk.direction;
        if let Some(missing) = missing_marker(&chunk.bytes) {
            gaps.push(Gap {
                direction: d,
                offset: written[d.index()],
                missing,
                packet: None,
            });
            return false;
        }
        written[d.index()] += chunk.bytes.len() as u64;
        true
    });
    transcript.gaps.extend(gaps);
}

fn missing_marker(bytes: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(bytes.strip_suffix(&[0]).unwrap_or(bytes)).ok()?;
    let count = text
        .strip_prefix('[')?
        .strip_suffix(" bytes missing in capture file]")?;
    count.parse().ok()
}

fn neither(line: &Line<'_>) -> Located {
    Located::new(
        line.start,
        format_args!(
            "follow output: line {} is neither a client nor a server line",
            line.number
        ),
    )
}

/// `raw` or `hex`; the text modes lost the bytes.
fn read_mode(line: &Line<'_>, name: &str) -> Result<Mode, Located> {
    match name {
        "raw" => Ok(Mode::Raw),
        "hex" => Ok(Mode::Hex),
        other => Err(Located::new(
            line.at("Follow: ".len()),
            format_args!(
                "follow output: mode '{other}' shows text, not the bytes; run tshark with \
                 follow,tcp,raw or follow,tcp,hex"
            ),
        )),
    }
}

/// `127.0.0.1:52822`, `[::1]:8765`; no address (a stream without data) is `None`.
fn read_node(line: &Line<'_>, value: &str) -> Result<Option<Endpoint>, Located> {
    let value = value.trim();
    let bad = || {
        Located::new(
            line.at("Node 0: ".len()),
            format_args!(
                "follow output: line {} names no address and port, found '{value}'",
                line.number
            ),
        )
    };
    let (address, port) = value.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let address = address.trim_start_matches('[').trim_end_matches(']');
    if address.is_empty() {
        return Ok(None);
    }
    Ok(Some(Endpoint {
        address: address.to_string(),
        port,
    }))
}

/// A raw line after its indentation: an even number of hex digits.
fn read_raw_line(line: &Line<'_>, indent: usize) -> Result<Vec<u8>, Located> {
    let s = &line.text.as_bytes()[indent..];
    let s = s.strip_suffix(b" ").unwrap_or(s);
    if leading_hex_digits(line.text.get(indent..).unwrap_or("")) == 0 {
        return Err(neither(line));
    }
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut at = 0;
    while at < s.len() {
        match byte_at(s, at) {
            Some(b) => out.push(b),
            None if s[at].is_ascii_hexdigit() && at + 1 == s.len() => {
                return Err(Located::new(
                    line.at(indent + at),
                    format_args!(
                        "follow output: line {} has an odd number of hex digits",
                        line.number
                    ),
                ))
            }
            None => {
                let bad = if s[at].is_ascii_hexdigit() {
                    at + 1
                } else {
                    at
                };
                return Err(Located::new(
                    line.at(indent + bad),
                    format_args!(
                        "follow output: invalid hex digit {} in line {}",
                        crate::bytes::quote_char_at(line.text, indent + bad),
                        line.number
                    ),
                ));
            }
        }
        at += 2;
    }
    Ok(out)
}

/// A hex dump line after its indentation: the offset and up to 16 bytes; the text
/// after them is the bytes shown as text, never read.
fn read_hex_line(line: &Line<'_>, indent: usize) -> Result<(u64, Vec<u8>), Located> {
    let rest = &line.text[indent..];
    if !is_hex_line(rest) {
        return Err(neither(line));
    }
    let s = rest.as_bytes();
    let offset = u64::from_str_radix(&rest[..8], 16).unwrap_or(0);
    let mut bytes = Vec::with_capacity(16);
    let mut at = 10;
    while let Some(b) = byte_at(s, at) {
        if !matches!(s.get(at + 2), None | Some(b' ')) {
            return Err(Located::new(
                line.at(indent + at + 2),
                format_args!(
                    "follow output: invalid hex digit {} in line {}",
                    crate::bytes::quote_char_at(line.text, indent + at + 2),
                    line.number
                ),
            ));
        }
        bytes.push(b);
        if bytes.len() == 16 {
            break;
        }
        let gap = if bytes.len() == 8 { 2 } else { 1 };
        let next = at + 2 + gap;
        let spaced = s
            .get(at + 2..next)
            .is_some_and(|g| g.iter().all(|&b| b == b' '));
        match s.get(next) {
            // The text column is after three spaces or more: here a byte must follow.
            Some(&b) if spaced && b != b' ' => {
                if byte_at(s, next).is_none() {
                    let bad = if b.is_ascii_hexdigit() {
                        next + 1
                    } else {
                        next
                    };
                    return Err(Located::new(
                        line.at(indent + bad),
                        format_args!(
                            "follow output: invalid hex digit {} in line {}",
                            crate::bytes::quote_char_at(line.text, indent + bad),
                            line.number
                        ),
                    ));
                }
                at = next;
            }
            _ => break,
        }
    }
    Ok((offset, bytes))
}
