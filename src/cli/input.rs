//! Reading a command's input: a file or standard input, then bytes from its text.

use std::path::Path;

use clap::ValueEnum;

use super::io::Io;
use crate::{parse_bytes, Format};

/// Largest input read (a capture bigger than this is better cut first).
pub const MAX_INPUT: u64 = 256 * 1024 * 1024;

/// How the input's text stands for bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// The bytes as they are when they are not text; otherwise hex, base64 or escaped text,
    /// whichever the text looks like.
    Auto,
    /// Hex in any common spelling (streams, arrays, xxd, hexdump -C, Wireshark dumps).
    Hex,
    /// Base64, standard or URL-safe.
    Base64,
    /// Text with C-style escapes such as \x81 and \r\n.
    Escaped,
    /// The file's bytes exactly as they are.
    Raw,
}

/// Reads `path` (`-` or none: standard input) whole, at most [`MAX_INPUT`] bytes.
pub fn read(io: &mut dyn Io, path: Option<&Path>) -> Result<Vec<u8>, String> {
    let (read, what) = match path {
        Some(p) if p != Path::new("-") => (io.read_file(p, MAX_INPUT + 1), p.display().to_string()),
        _ => (io.read_stdin(MAX_INPUT + 1), "standard input".to_owned()),
    };
    let bytes = read.map_err(|e| format!("cannot read {what}: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(format!("cannot read {what}: input over {MAX_INPUT} bytes"));
    }
    Ok(bytes)
}

/// The bytes the input stands for, and how they were read ("hex stream (hex)").
pub fn to_bytes(input: Vec<u8>, format: InputFormat) -> Result<(Vec<u8>, String), String> {
    let format = match format {
        InputFormat::Raw => return Ok((input, "raw bytes".into())),
        InputFormat::Auto => Format::Auto,
        InputFormat::Hex => Format::Hex,
        InputFormat::Base64 => Format::Base64,
        InputFormat::Escaped => Format::Escaped,
    };
    let text = match String::from_utf8(input) {
        Ok(text) => text,
        // Not text at all: in auto, the bytes themselves.
        Err(e) if format == Format::Auto => {
            return Ok((e.into_bytes(), "raw bytes (not text)".into()))
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return Err(format!(
                "input is not text (invalid utf-8 at byte {at}): use --format raw"
            ));
        }
    };
    let parsed = parse_bytes(&text, format)
        .map_err(|e| format!("cannot read the input as {format}: {e}"))?;
    Ok((
        parsed.bytes,
        format!("{} ({})", parsed.detail, parsed.format),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_goes_through_parse_bytes_and_binary_stays_as_is() {
        let (bytes, how) = to_bytes(b"81 05 48 65 6c 6c 6f\n".to_vec(), InputFormat::Auto).unwrap();
        assert_eq!(bytes, b"\x81\x05Hello");
        assert!(how.contains("hex"), "{how}");
        let (bytes, how) = to_bytes(vec![0x81, 0x05, b'H'], InputFormat::Auto).unwrap();
        assert_eq!(
            (bytes, how.as_str()),
            (vec![0x81, 0x05, b'H'], "raw bytes (not text)")
        );
        let (bytes, _) = to_bytes(b"81 05".to_vec(), InputFormat::Raw).unwrap();
        assert_eq!(bytes, b"81 05");
    }

    #[test]
    fn unreadable_text_says_where() {
        let err = to_bytes(b"81 0g".to_vec(), InputFormat::Hex).unwrap_err();
        assert!(err.contains("line 1, column"), "{err}");
        let err = to_bytes(vec![0xff], InputFormat::Hex).unwrap_err();
        assert!(err.contains("--format raw"), "{err}");
    }
}
