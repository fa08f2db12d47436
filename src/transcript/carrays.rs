//! Wireshark's Follow TCP Stream "C Arrays" view, as ui/qt/follow_stream_dialog.cpp
//! writes it: one array per chunk, peer 0 the client and peer 1 the server, eight
//! bytes a line.
//!
//! ```text
//! char peer0_0[] = { /* Packet 4 */
//! 0x47, 0x45, 0x54, 0x20, 0x2f, 0x63, 0x68, 0x61,
//! 0x0d, 0x0a };
//! char peer1_0[] = { /* Packet 6 */
//! 0x48, 0x54, 0x54, 0x50 };
//! ```
//!
//! Older versions wrote no `/* Packet N */` comment; it is read when it is there.

use super::directions_phrase;
use super::lines::{byte_at, lines, Line};
use crate::bytes::Located;
use crate::direction::{ChunkMeta, DirectedChunk, Direction, Transcript};

/// Does the text start with `char peer0_` or `char peer1_`? `first` is its first
/// non-blank line.
pub(crate) fn recognise(first: &Line<'_>) -> bool {
    first.text.trim_start().starts_with("char peer")
}

pub(crate) fn parse(text: &str) -> Result<Transcript, Located> {
    let mut transcript = Transcript::default();
    let mut counts = [0u64; 2];
    // The array being read, if its `};` has not come yet.
    let mut open: Option<usize> = None;
    for line in lines(text) {
        let trimmed = line.text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let indent = line.text.len() - line.text.trim_start().len();
        if trimmed.starts_with("char ") {
            if open.is_some() {
                return Err(Located::new(
                    line.at(indent),
                    format_args!(
                        "c arrays: line {} starts an array before the one above ends with '}};'",
                        line.number
                    ),
                ));
            }
            let (direction, index, packet, items) = read_declaration(&line, indent)?;
            let expected = counts[direction.index()];
            if index != expected {
                transcript.notes.push(format!(
                    "c arrays: line {}: peer{}_{index} where peer{}_{expected} was expected: \
                     arrays are missing from the copy",
                    line.number,
                    direction.index(),
                    direction.index()
                ));
            }
            counts[direction.index()] = index.saturating_add(1);
            let mut bytes = Vec::new();
            let closed = match items {
                Some(items_at) => read_items(&line, items_at, &mut bytes)?,
                None => false,
            };
            transcript.chunks.push(DirectedChunk {
                direction,
                bytes,
                meta: ChunkMeta { time: None, packet },
            });
            open = (!closed).then(|| transcript.chunks.len() - 1);
            continue;
        }
        let Some(i) = open else {
            return Err(Located::new(
                line.at(indent),
                format_args!(
                    "c arrays: line {} is outside any 'char peerN_M[] = {{' array",
                    line.number
                ),
            ));
        };
        if read_items(&line, indent, &mut transcript.chunks[i].bytes)? {
            open = None;
        }
    }
    if open.is_some() {
        transcript
            .notes
            .push("c arrays: the last array has no closing '};': the copy may be cut".to_string());
    }
    transcript.format = format!(
        "wireshark follow, c arrays, {}",
        directions_phrase(&transcript)
    );
    Ok(transcript)
}

/// `char peer0_3[] = { /* Packet 12 */`: the direction, the array's index, the packet
/// and where items start when they follow on the same line.
fn read_declaration(
    line: &Line<'_>,
    indent: usize,
) -> Result<(Direction, u64, Option<u64>, Option<usize>), Located> {
    let bad = |what: &str| {
        Located::new(
            line.at(indent),
            format_args!(
                "c arrays: line {} is not a 'char peerN_M[] = {{' line: {what}",
                line.number
            ),
        )
    };
    let rest = &line.text[indent..];
    let name = rest
        .strip_prefix("char peer")
        .ok_or_else(|| bad("no 'char peer'"))?;
    let (peer, name) = name.split_once('_').ok_or_else(|| bad("no '_'"))?;
    let direction = match peer {
        "0" => Direction::Client,
        "1" => Direction::Server,
        _ => return Err(bad("the peer is neither 0 nor 1")),
    };
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    let index: u64 = name[..digits].parse().map_err(|_| bad("no array index"))?;
    let after = name[digits..]
        .strip_prefix("[] = {")
        .ok_or_else(|| bad("no '[] = {'"))?;
    let mut at = line.text.len() - after.len();
    let mut packet = None;
    let after_trimmed = after.trim_start();
    if let Some(comment) = after_trimmed.strip_prefix("/* Packet ") {
        let digits = comment.bytes().take_while(u8::is_ascii_digit).count();
        packet = comment[..digits].parse().ok();
        let end = comment
            .find("*/")
            .ok_or_else(|| bad("an unclosed comment"))?;
        at = line.text.len() - comment.len() + end + 2;
    }
    let items = (!line.text[at..].trim().is_empty()).then_some(at);
    Ok((direction, index, packet, items))
}

/// Items `0x47, 0x45,` from `from` to the end of the line; true when the array ends
/// on this line (`};`).
fn read_items(line: &Line<'_>, from: usize, out: &mut Vec<u8>) -> Result<bool, Located> {
    let s = line.text.as_bytes();
    let mut at = from;
    loop {
        while s
            .get(at)
            .is_some_and(|&b| b == b' ' || b == b'\t' || b == b',')
        {
            at += 1;
        }
        match s.get(at) {
            None => return Ok(false),
            Some(b'}') => {
                let rest = line.text[at + 1..].trim();
                if rest == ";" || rest.is_empty() {
                    return Ok(true);
                }
                return Err(Located::new(
                    line.at(at + 1),
                    format_args!("c arrays: line {}: text after the array's end", line.number),
                ));
            }
            Some(_) => {}
        }
        let is_prefixed = matches!(s.get(at..at + 2), Some(b"0x" | b"0X"));
        let byte = if is_prefixed {
            byte_at(s, at + 2)
        } else {
            None
        };
        let end_ok = matches!(s.get(at + 4), None | Some(b',' | b' ' | b'\t' | b'}'));
        match byte {
            Some(b) if end_ok => out.push(b),
            _ => {
                return Err(Located::new(
                    line.at(at),
                    format_args!(
                        "c arrays: line {}: expected a byte such as 0x47, found {}",
                        line.number,
                        crate::bytes::quote_char_at(line.text, at)
                    ),
                ))
            }
        }
        at += 4;
    }
}
