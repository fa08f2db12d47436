//! `runCli`: the command line in the wasm, for `npx wsinspect` (js/cli.js). The parsing and
//! every line printed are the library's `cli` module, the native binary's own; this file
//! only carries bytes between it and the JS object that reads files and writes streams.

use std::io::{self, Write};
use std::path::Path;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::cli::{self, Io, Outcome, ReadError};

#[wasm_bindgen]
extern "C" {
    /// What `runCli` reads and writes through: `readStdin(limit)` and
    /// `readFile(path, limit)` return a `Uint8Array` (at most `limit` bytes) or throw a
    /// Node system error (`errno`, `code`, `message`); `writeStdout(bytes)` and
    /// `writeStderr(bytes)` write all of `bytes` or throw (`code` "EPIPE": the reader went
    /// away).
    pub type CliIo;
    #[wasm_bindgen(method, catch, js_name = readStdin)]
    fn read_stdin(this: &CliIo, limit: f64) -> Result<Vec<u8>, JsValue>;
    #[wasm_bindgen(method, catch, js_name = readFile)]
    fn read_file(this: &CliIo, path: &str, limit: f64) -> Result<Vec<u8>, JsValue>;
    #[wasm_bindgen(method, catch, js_name = writeStdout)]
    fn write_stdout(this: &CliIo, bytes: &[u8]) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = writeStderr)]
    fn write_stderr(this: &CliIo, bytes: &[u8]) -> Result<(), JsValue>;
}

/// Runs the command line on `args` (the program's name first) and returns the exit
/// status. `serve` and `proxy` need the native binary's server: they are refused with
/// status 2.
#[wasm_bindgen(js_name = runCli)]
pub fn run_cli(args: Vec<String>, io: CliIo) -> u8 {
    let mut io = JsIo {
        stdout: Stream {
            io: &io,
            err: false,
        },
        stderr: Stream { io: &io, err: true },
        js: &io,
    };
    match cli::run(args, &mut io) {
        Outcome::Exit(status) => status,
        Outcome::Serve(_) => {
            let _ = io.stderr.write_all(
                b"wsinspect serve: the server needs the native binary (built from the Rust \
                  crate); npx wsinspect runs decode, accept, hixie76 and handshake\n",
            );
            2
        }
        Outcome::Proxy(_) => {
            let _ = io.stderr.write_all(
                b"wsinspect proxy: the proxy needs the native binary (built from the Rust \
                  crate); npx wsinspect runs decode, accept, hixie76 and handshake\n",
            );
            2
        }
        Outcome::Conformance(_) => {
            let _ = io.stderr.write_all(
                b"wsinspect conformance: the conformance suite needs the native binary (built \
                  from the Rust crate); npx wsinspect runs decode, accept, hixie76 and handshake\n",
            );
            2
        }
    }
}

/// A property of a thrown JS value, if it has it.
fn property(e: &JsValue, key: &str) -> JsValue {
    Reflect::get(e, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn read_error(e: &JsValue) -> ReadError {
    // Node's errno is negative on POSIX (libuv's convention): -2 is ENOENT.
    let os_error = property(e, "errno")
        .as_f64()
        .map(|n| (n as i32).saturating_abs());
    let text = property(e, "message")
        .as_string()
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    ReadError { os_error, text }
}

struct Stream<'a> {
    io: &'a CliIo,
    err: bool,
}

impl Write for Stream<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = if self.err {
            self.io.write_stderr(buf)
        } else {
            self.io.write_stdout(buf)
        };
        match written {
            Ok(()) => Ok(buf.len()),
            Err(e) if property(&e, "code").as_string().as_deref() == Some("EPIPE") => {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            Err(e) => Err(io::Error::other(read_error(&e).to_string())),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct JsIo<'a> {
    js: &'a CliIo,
    stdout: Stream<'a>,
    stderr: Stream<'a>,
}

impl Io for JsIo<'_> {
    fn read_stdin(&mut self, limit: u64) -> Result<Vec<u8>, ReadError> {
        self.js.read_stdin(limit as f64).map_err(|e| read_error(&e))
    }

    fn read_file(&mut self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        self.js
            .read_file(&path.to_string_lossy(), limit as f64)
            .map_err(|e| read_error(&e))
    }

    fn stdout(&mut self) -> &mut dyn Write {
        &mut self.stdout
    }

    fn stderr(&mut self) -> &mut dyn Write {
        &mut self.stderr
    }
}
