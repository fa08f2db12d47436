//! The bytes of each packet in a packet hex dump, with its number and time:
//!
//! - `tshark -x` (`0000  00 00 ...  ascii`, packets separated by blank lines; when a
//!   packet has more than one data source, each is headed `Name (N bytes):`, the
//!   packet's own being `Frame (N bytes):`, and the others, such as "Reassembled TCP",
//!   "Unmasked data" or "Decompressed payload", are skipped);
//! - Wireshark's "Copy as Hex Dump" (`0000   00 00 ...   ascii`, three spaces);
//! - `tcpdump -x`, `-xx`, `-X`, `-XX`: a header line (`07:17:05.166014 IP a.1 > b.2:
//!   ...`) then `\t0x0000:  4500 003c ...` lines, with the text gutter for `-X`.
//!
//! Offsets are checked line by line, so a line that lost or gained a byte is an error
//! where it is.

use super::lines::{byte_at, hex_value, leading_hex_digits, lines, Line};
use crate::bytes::Located;

/// Which tool wrote the dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// tshark -x (two spaces after the offset) or Wireshark's "Copy as Hex Dump" (three).
    Columns { wireshark: bool },
    /// tcpdump -x/-xx/-X/-XX.
    Tcpdump,
}

/// One packet's bytes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Packet {
    /// 1-based position in the dump.
    pub(crate) number: u64,
    /// Byte index of the packet's first line, for errors.
    pub(crate) at: usize,
    /// The bytes, from the link layer on.
    pub(crate) bytes: Vec<u8>,
    /// tcpdump's time: seconds of day, or seconds since the epoch with `-tt`.
    pub(crate) time: Option<f64>,
    /// Did a line show the bytes as text too (tcpdump -X/-XX)?
    pub(crate) gutter: bool,
}

/// The packets read, and the error that stopped the reading, if one did.
#[derive(Debug)]
pub(crate) struct Split {
    pub(crate) kind: Kind,
    pub(crate) packets: Vec<Packet>,
    pub(crate) error: Option<Located>,
}

/// The dump kind the text starts with, if any; `first` is its first non-blank line.
pub(crate) fn recognise(text: &str, first: &Line<'_>) -> Option<Kind> {
    if first.text.starts_with("Frame (") && section_heading(first.text).is_some() {
        return Some(Kind::Columns { wireshark: false });
    }
    if let Some((0, gap, _)) = columns_offset(first.text) {
        if leading_hex_digits(first.text) == 4 && (gap == 2 || gap == 3) {
            return Some(Kind::Columns {
                wireshark: gap == 3,
            });
        }
    }
    let indented = first.text.starts_with([' ', '\t']);
    if tcpdump_offset(first.text).is_some_and(|(offset, _)| offset == 0) && indented {
        return Some(Kind::Tcpdump);
    }
    if !indented {
        let mut following = lines(text).skip(first.number).filter(|l| !l.is_blank());
        let hex_follows = following.by_ref().take(8).any(|line| {
            line.text.starts_with([' ', '\t'])
                && tcpdump_offset(line.text).is_some_and(|(offset, _)| offset == 0)
        });
        if hex_follows {
            return Some(Kind::Tcpdump);
        }
    }
    None
}

/// Reads every packet, up to the first error.
pub(crate) fn split(text: &str, kind: Kind) -> Split {
    let mut reader = Reader {
        packets: Vec::new(),
        current: None,
    };
    let read = match kind {
        Kind::Columns { .. } => reader.columns(text),
        Kind::Tcpdump => reader.tcpdump(text),
    };
    let error = read.and_then(|()| reader.end()).err();
    Split {
        kind,
        packets: reader.packets,
        error,
    }
}

/// A packet being read.
struct Current {
    packet: Packet,
    /// `Frame (N bytes):`'s N.
    declared: Option<(u64, usize)>,
    /// Inside a section that is not the frame's own: its lines are skipped.
    skipping: bool,
}

struct Reader {
    packets: Vec<Packet>,
    current: Option<Current>,
}

impl Reader {
    fn start(&mut self, at: usize, time: Option<f64>) -> Result<(), Located> {
        self.end()?;
        self.current = Some(Current {
            packet: Packet {
                number: self.packets.len() as u64 + 1,
                at,
                bytes: Vec::new(),
                time,
                gutter: false,
            },
            declared: None,
            skipping: false,
        });
        Ok(())
    }

    /// Ends the current packet, checking `Frame (N bytes):` against its bytes.
    fn end(&mut self) -> Result<(), Located> {
        let Some(current) = self.current.take() else {
            return Ok(());
        };
        if let Some((declared, at)) = current.declared {
            let got = current.packet.bytes.len() as u64;
            if got != declared {
                return Err(Located::new(
                    at,
                    format_args!(
                        "packet {}: the frame holds {got} bytes but its heading says {declared}",
                        current.packet.number
                    ),
                ));
            }
        }
        if !current.packet.bytes.is_empty() {
            self.packets.push(current.packet);
        }
        Ok(())
    }

    /// `tshark -x` and Wireshark's "Copy as Hex Dump".
    fn columns(&mut self, text: &str) -> Result<(), Located> {
        for line in lines(text) {
            if line.is_blank() {
                self.end()?;
                continue;
            }
            if let Some((name, count)) = section_heading(line.text) {
                if name == "Frame" {
                    self.start(line.start, None)?;
                    if let Some(current) = &mut self.current {
                        current.declared = Some((count, line.start));
                    }
                } else if let Some(current) = &mut self.current {
                    current.skipping = true;
                } else {
                    // A section without its frame: skipped, as a packet of no bytes.
                    self.start(line.start, None)?;
                    if let Some(current) = &mut self.current {
                        current.skipping = true;
                    }
                }
                continue;
            }
            let Some((offset, _, data)) = columns_offset(line.text) else {
                match &self.current {
                    Some(c) if !c.packet.bytes.is_empty() || c.skipping => {
                        return Err(not_a_dump_line(&line, c.packet.number))
                    }
                    // A summary line before a packet (tshark -P -x): not bytes.
                    _ => continue,
                }
            };
            let new_packet = match &self.current {
                None => true,
                // Packets copied one after another without a blank line.
                Some(c) => offset == 0 && !c.skipping && !c.packet.bytes.is_empty(),
            };
            if new_packet {
                self.start(line.start, None)?;
            }
            let Some(current) = &mut self.current else {
                continue;
            };
            if current.skipping {
                continue;
            }
            check_offset(&line, offset, &current.packet)?;
            read_column_bytes(&line, data, &mut current.packet)?;
        }
        Ok(())
    }

    /// `tcpdump -x`, `-xx`, `-X`, `-XX`.
    fn tcpdump(&mut self, text: &str) -> Result<(), Located> {
        for line in lines(text) {
            if line.is_blank() {
                continue;
            }
            let indented = line.text.starts_with([' ', '\t']);
            if !indented {
                self.start(line.start, header_time(line.text))?;
                continue;
            }
            let Some((offset, data)) = tcpdump_offset(line.text) else {
                match &self.current {
                    Some(c) if !c.packet.bytes.is_empty() => {
                        return Err(not_a_dump_line(&line, c.packet.number))
                    }
                    // A header's continuation line (tcpdump -v): not bytes.
                    _ => continue,
                }
            };
            let new_packet = match &self.current {
                None => true,
                Some(c) => offset == 0 && !c.packet.bytes.is_empty(),
            };
            if new_packet {
                self.start(line.start, None)?;
            }
            if let Some(current) = &mut self.current {
                check_offset(&line, offset, &current.packet)?;
                read_tcpdump_bytes(&line, data, &mut current.packet)?;
            }
        }
        Ok(())
    }
}

fn not_a_dump_line(line: &Line<'_>, packet: u64) -> Located {
    Located::new(
        line.start,
        format_args!(
            "packet {packet}: line {} is not a hex dump line",
            line.number
        ),
    )
}

fn check_offset(line: &Line<'_>, offset: u64, packet: &Packet) -> Result<(), Located> {
    let had = packet.bytes.len() as u64;
    if offset == had {
        return Ok(());
    }
    Err(Located::new(
        line.start + (line.text.len() - line.text.trim_start().len()),
        format_args!(
            "packet {}: line {} is at offset 0x{offset:x}, but the packet had 0x{had:x} bytes \
             before it",
            packet.number, line.number
        ),
    ))
}

/// `Frame (74 bytes):`, `Reassembled TCP (1200 bytes):`, `Unmasked data (1 byte):`: the
/// name and the count.
fn section_heading(line: &str) -> Option<(&str, u64)> {
    let line = line.trim_end();
    let inner = line
        .strip_suffix(" bytes):")
        .or_else(|| line.strip_suffix(" byte):"))?;
    let (name, count) = inner.rsplit_once(" (")?;
    let count = count.parse().ok()?;
    (!name.is_empty() && !name.starts_with([' ', '\t'])).then_some((name, count))
}

/// `0010  00 3c ...`: the offset, the width of the gap after it and where the bytes
/// start.
fn columns_offset(line: &str) -> Option<(u64, usize, usize)> {
    let digits = leading_hex_digits(line);
    if !(4..=8).contains(&digits) {
        return None;
    }
    let gap = line[digits..].bytes().take_while(|&b| b == b' ').count();
    let data = digits + gap;
    let s = line.as_bytes();
    let byte_follows = byte_at(s, data).is_some() && matches!(s.get(data + 2), None | Some(b' '));
    ((1..=3).contains(&gap) && byte_follows)
        .then(|| (hex_value(&line[..digits]).unwrap_or(0), gap, data))
}

/// Two-digit bytes one space apart, up to 16, up to two spaces in a row (the text
/// gutter follows).
fn read_column_bytes(line: &Line<'_>, from: usize, packet: &mut Packet) -> Result<(), Located> {
    let s = line.text.as_bytes();
    let mut at = from;
    for count in 1..=16 {
        let Some(b) = byte_at(s, at) else {
            return Err(bad_digit(line, at, packet.number));
        };
        packet.bytes.push(b);
        at += 2;
        match s.get(at) {
            None => break,
            Some(b' ') if count < 16 && s.get(at + 1).is_some_and(|&b| b != b' ') => at += 1,
            Some(b' ') => break,
            Some(_) => return Err(bad_digit(line, at, packet.number)),
        }
    }
    Ok(())
}

/// `\t0x0010:  003c d516 ...`: the offset and where the groups start.
fn tcpdump_offset(line: &str) -> Option<(u64, usize)> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let rest = trimmed.strip_prefix("0x")?;
    let digits = leading_hex_digits(rest);
    if !(4..=8).contains(&digits) || rest.as_bytes().get(digits) != Some(&b':') {
        return None;
    }
    Some((hex_value(&rest[..digits])?, indent + 2 + digits + 1))
}

/// Groups of four (or, last, two) hex digits one space apart, after `0xNNNN:` and
/// two spaces, up to two spaces in a row (the gutter of -X/-XX).
fn read_tcpdump_bytes(line: &Line<'_>, from: usize, packet: &mut Packet) -> Result<(), Located> {
    let s = line.text.as_bytes();
    let mut at = from + s[from..].iter().take_while(|&&b| b == b' ').count();
    let mut count = 0;
    loop {
        let Some(b) = byte_at(s, at) else {
            return Err(bad_digit(line, at, packet.number));
        };
        packet.bytes.push(b);
        at += 2;
        count += 1;
        if let Some(b) = byte_at(s, at) {
            packet.bytes.push(b);
            at += 2;
            count += 1;
        }
        match s.get(at) {
            None => break,
            Some(b' ') if count < 16 && s.get(at + 1).is_some_and(|&b| b != b' ') => at += 1,
            Some(b' ') => {
                packet.gutter |= !line.text[at..].trim().is_empty();
                break;
            }
            Some(_) => return Err(bad_digit(line, at, packet.number)),
        }
    }
    Ok(())
}

fn bad_digit(line: &Line<'_>, at: usize, packet: u64) -> Located {
    Located::new(
        line.at(at),
        format_args!(
            "packet {packet}: invalid hex digit {} in line {}",
            crate::bytes::quote_char_at(line.text, at),
            line.number
        ),
    )
}

/// The time at the start of a tcpdump header line: `07:17:05.166014` (seconds of
/// day), `2026-12-06 07:17:05.166014` (-tttt: seconds of day too) or
/// `1796541425.166014` (-tt: seconds since the epoch).
fn header_time(line: &str) -> Option<f64> {
    let mut words = line.split_whitespace();
    let first = words.next()?;
    let clock = if first.len() == 10 && first.as_bytes().get(4) == Some(&b'-') {
        words.next()?
    } else {
        first
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let number = |s: &str| -> Option<f64> {
        let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        ok.then(|| s.parse().ok()).flatten()
    };
    match parts.as_slice() {
        [h, m, s] => Some(number(h)? * 3600.0 + number(m)? * 60.0 + number(s)?),
        [seconds] if seconds.contains('.') => number(seconds),
        _ => None,
    }
}
