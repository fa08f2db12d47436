//! Property test: random bytes written in every shape people paste read back
//! as the same bytes, with the format given and with Format::Auto.
//!
//! The writers copy the tools' layouts (xxd, util-linux hexdump -C, Wireshark's
//! DataPrinter::hexTextDump, xxd -i) so gutters full of hex-looking text,
//! bars and spaces are exercised.

use wsinspect::{parse_bytes, Format};

/// A small seeded xorshift64 generator: the same cases on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self) -> Vec<u8> {
        // Mostly short, sometimes several lines of a dump, sometimes printable text.
        let len = match self.below(10) {
            0 => 0,
            1..=6 => 1 + self.below(40),
            _ => 1 + self.below(300),
        };
        let printable = self.below(4) == 0;
        (0..len)
            .map(|_| {
                if printable {
                    0x20 + self.below(95) as u8
                } else {
                    self.next() as u8
                }
            })
            .collect()
    }
}

fn hex_digits(bytes: &[u8], upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect()
}

fn gutter(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}

/// Bytes two digits each, with one separator; returns the detail auto gives it.
fn spaced(bytes: &[u8], rng: &mut XorShift) -> (String, &'static str) {
    let separators = [" ", ",", ":", ", ", "\n", "\t", "  "];
    let separator = separators[rng.below(separators.len())];
    let text = bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(separator);
    let detail = if separator == "\n" || bytes.len() < 2 {
        "hex stream"
    } else {
        "spaced hex"
    };
    (text, detail)
}

/// `xxd -c columns -g group`.
fn xxd(bytes: &[u8], columns: usize, group: usize) -> String {
    let width = 2 * columns + columns.div_ceil(group) - 1;
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(columns).enumerate() {
        let area = chunk
            .chunks(group)
            .map(|g| hex_digits(g, false))
            .collect::<Vec<_>>()
            .join(" ");
        out += &format!(
            "{:08x}: {area:<width$}  {}\n",
            line * columns,
            gutter(chunk)
        );
    }
    out
}

/// `hexdump -C`.
fn hexdump_c(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        let mut area = String::new();
        for (i, b) in chunk.iter().enumerate() {
            area += &format!("{b:02x} ");
            if i == 7 {
                area += " ";
            }
        }
        out += &format!("{:08x}  {area:<49} |{}|\n", line * 16, gutter(chunk));
    }
    if !bytes.is_empty() {
        out += &format!("{:08x}\n", bytes.len());
    }
    out
}

/// Wireshark's "Copy as Hex Dump" (`text`) or "…as Hex Dump" (no text).
fn wireshark(bytes: &[u8], text: bool) -> String {
    let mut out = String::new();
    let lines = bytes.len().div_ceil(16);
    for (line, chunk) in bytes.chunks(16).enumerate() {
        out += &format!("{:04x}  ", line * 16);
        for b in chunk {
            out += &format!(" {b:02x}");
        }
        if text {
            out += "   ";
            if line == lines - 1 {
                out += &" ".repeat(3 * (16 - chunk.len()));
            }
            out += &gutter(chunk);
        }
        out += "\n";
    }
    out
}

/// `xxd -i`.
fn c_array(bytes: &[u8]) -> String {
    let items = bytes.chunks(12).map(|line| {
        "  ".to_string()
            + &line
                .iter()
                .map(|b| format!("0x{b:02x}"))
                .collect::<Vec<_>>()
                .join(", ")
    });
    format!(
        "unsigned char frame_bin[] = {{\n{}\n}};\nunsigned int frame_bin_len = {};\n",
        items.collect::<Vec<_>>().join(",\n"),
        bytes.len()
    )
}

fn decimal_array(bytes: &[u8]) -> String {
    format!(
        "[{}]",
        bytes
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn node_buffer(bytes: &[u8]) -> String {
    let items: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("<Buffer {}>", items.join(" "))
}

fn base64(bytes: &[u8], url: bool, padded: bool) -> String {
    let alphabet: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        if padded {
            out += &"=".repeat(3 - chunk.len());
        }
    }
    out
}

/// Printable ASCII as itself, everything else as one of the escapes.
fn escaped(bytes: &[u8], rng: &mut XorShift) -> String {
    let mut out = String::new();
    for &b in bytes {
        match (b, rng.below(3)) {
            (b'\\', _) => out += "\\\\",
            (b'\n', 0) => out += "\\n",
            (b'\r', 0) => out += "\\r",
            (b'\t', 0) => out += "\\t",
            (0x20..=0x7e, _) => out.push(b as char),
            (_, 1) => out += &format!("\\{b:03o}"),
            _ => out += &format!("\\x{b:02X}"),
        }
    }
    out
}

#[test]
fn every_shape_reads_back_as_the_same_bytes() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for case in 0..3000 {
        let bytes = rng.bytes();
        let columns = [8, 16, 32][rng.below(3)];
        let group = [1, 2, 4, 8][rng.below(4)];
        let (spaced, spaced_detail) = spaced(&bytes, &mut rng);
        let shapes = [
            (hex_digits(&bytes, case % 2 == 0), Format::Hex, "hex stream"),
            (spaced, Format::Hex, spaced_detail),
            (xxd(&bytes, columns, group), Format::Hex, "xxd"),
            (hexdump_c(&bytes), Format::Hex, "hexdump -C"),
            (wireshark(&bytes, true), Format::Hex, "wireshark hex dump"),
            (wireshark(&bytes, false), Format::Hex, "wireshark hex dump"),
            (c_array(&bytes), Format::Hex, "c array"),
            (decimal_array(&bytes), Format::Hex, "decimal array"),
            (node_buffer(&bytes), Format::Hex, "node buffer"),
            (base64(&bytes, false, true), Format::Base64, "base64"),
            (base64(&bytes, true, false), Format::Base64, "base64url"),
            (escaped(&bytes, &mut rng), Format::Escaped, "escapes"),
        ];
        for (text, format, detail) in shapes {
            let parsed = parse_bytes(&text, format)
                .unwrap_or_else(|e| panic!("case {case} {format}: {e}\n{text}"));
            assert_eq!(parsed.bytes, bytes, "case {case} {format}:\n{text}");
            assert_eq!(parsed.format, format);
            if bytes.is_empty() {
                continue;
            }
            // Auto picks by shape; where a text fits several formats the
            // documented order decides, and only there may it differ.
            let ambiguous = match format {
                Format::Base64 => text.bytes().all(|b| b.is_ascii_hexdigit()),
                Format::Escaped => !text.contains('\\'),
                _ => false,
            };
            let by_auto = parse_bytes(&text, Format::Auto);
            if ambiguous {
                continue;
            }
            let by_auto = by_auto.unwrap_or_else(|e| panic!("case {case} auto: {e}\n{text}"));
            assert_eq!(by_auto.bytes, bytes, "case {case} auto:\n{text}");
            let expected = match (format, detail) {
                (Format::Base64, _) if !text.contains(['-', '_']) => (Format::Base64, "base64"),
                // Escapes that are all \xNN read as hex, to the same bytes.
                (Format::Escaped, _) if by_auto.format == Format::Hex => (Format::Hex, "\\x hex"),
                _ => (format, detail),
            };
            assert_eq!(
                (by_auto.format, by_auto.detail),
                expected,
                "case {case}:\n{text}"
            );
        }
    }
}
