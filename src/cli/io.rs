//! What the command line needs from the world it runs in: its input (standard input or a
//! file by path) and its two output streams. The native binary implements it over `std`;
//! the npm package's `npx wsinspect` over Node's `fs`, through the wasm. Everything the
//! commands print goes through here, so both print the same bytes.

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// The command line's surroundings.
pub trait Io {
    /// Standard input, whole; an implementation may stop after `limit` bytes.
    fn read_stdin(&mut self, limit: u64) -> Result<Vec<u8>, ReadError>;
    /// The file at `path`, whole; an implementation may stop after `limit` bytes.
    fn read_file(&mut self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError>;
    /// The file at `path` in slices, each given to `each` as it is read (a capture file
    /// of any size, without holding it); returns the bytes read. By default the file is
    /// read whole, up to `limit` bytes, and given as one slice.
    fn read_file_slices(
        &mut self,
        path: &Path,
        limit: u64,
        each: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, ReadError> {
        let bytes = self.read_file(path, limit)?;
        each(&bytes);
        Ok(bytes.len() as u64)
    }
    /// Standard output. Writes are buffered by the caller; a reader that went away is
    /// reported as [`io::ErrorKind::BrokenPipe`].
    fn stdout(&mut self) -> &mut dyn Write;
    /// Standard error.
    fn stderr(&mut self) -> &mut dyn Write;
}

/// Why an input could not be read: the operating system's error number where there is one,
/// and the platform's own words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// The POSIX error number (`errno`), when the failure came from the operating system.
    pub os_error: Option<i32>,
    /// The platform's description, used when `os_error` is not one of [`OS_ERRORS`].
    pub text: String,
}

/// The errors a read commonly meets, in the words of POSIX's `strerror` (glibc's spelling),
/// with numbers that are the same on Linux, macOS and the BSDs. Node reports only the
/// number and libuv's own wording, Rust's `std` the C library's: this table gives both
/// runtimes one message for the same failure.
pub const OS_ERRORS: [(i32, &str); 8] = [
    (1, "Operation not permitted"),
    (2, "No such file or directory"),
    (5, "Input/output error"),
    (6, "No such device or address"),
    (13, "Permission denied"),
    (20, "Not a directory"),
    (21, "Is a directory"),
    (24, "Too many open files"),
];

impl fmt::Display for ReadError {
    /// `No such file or directory (os error 2)`, as Rust's `std::io::Error` says it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known = self
            .os_error
            .and_then(|n| OS_ERRORS.iter().find(|(code, _)| *code == n));
        match known {
            Some((code, words)) => write!(f, "{words} (os error {code})"),
            None => f.write_str(&self.text),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError {
            os_error: e.raw_os_error(),
            text: e.to_string(),
        }
    }
}

/// Writes one command's standard output through a buffer and flushes it; a failed write
/// becomes the exit status: 141 when the reader went away (`wsinspect decode | head -1`,
/// the status a shell gives a program SIGPIPE ended, 128 + 13, as cat and grep do), 2 with
/// a message otherwise.
pub fn to_stdout<T>(
    io: &mut dyn Io,
    command: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> Result<T, u8> {
    let written = {
        let mut w = BufWriter::new(io.stdout());
        write(&mut w).and_then(|t| w.flush().map(|()| t))
    };
    match written {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(141),
        Err(e) => {
            let _ = writeln!(
                io.stderr(),
                "wsinspect {command}: cannot write the output: {e}"
            );
            Err(2)
        }
    }
}

/// Writes one line to standard error (a failure to is not reported: there is nowhere to).
pub fn error_line(io: &mut dyn Io, line: impl fmt::Display) {
    let _ = writeln!(io.stderr(), "{line}");
}

// The table's numbers and words are POSIX's; wasm32 has no operating system to ask.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn known_os_errors_read_as_rust_says_them() {
        // Rust's own rendering of the same error, on this platform, is the reference.
        for (code, _) in OS_ERRORS {
            let from_std = ReadError::from(io::Error::from_raw_os_error(code));
            assert_eq!(
                from_std.to_string(),
                io::Error::from_raw_os_error(code).to_string()
            );
            let from_node = ReadError {
                os_error: Some(code),
                text: "libuv's words".into(),
            };
            assert_eq!(from_node.to_string(), from_std.to_string());
        }
        let other = ReadError {
            os_error: None,
            text: "input over 3 bytes".into(),
        };
        assert_eq!(other.to_string(), "input over 3 bytes");
    }
}
