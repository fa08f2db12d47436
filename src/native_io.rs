//! The native binary's [`Io`]: the process's standard streams and its file system.

use std::io::{Read, StdoutLock, Write};
use std::path::Path;

use wsinspect::cli::{Io, ReadError};

/// Standard input and files through `std`; standard output locked once for the run.
pub struct NativeIo {
    stdout: StdoutLock<'static>,
    stderr: std::io::Stderr,
}

impl NativeIo {
    pub fn new() -> Self {
        NativeIo {
            stdout: std::io::stdout().lock(),
            stderr: std::io::stderr(),
        }
    }
}

fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

impl Io for NativeIo {
    fn read_stdin(&mut self, limit: u64) -> Result<Vec<u8>, ReadError> {
        read_limited(std::io::stdin().lock(), limit)
    }

    fn read_file(&mut self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        read_limited(std::fs::File::open(path)?, limit)
    }

    fn read_file_slices(
        &mut self,
        path: &Path,
        limit: u64,
        each: &mut dyn FnMut(&[u8]),
    ) -> Result<u64, ReadError> {
        use std::io::Read;
        let mut file = std::fs::File::open(path)?;
        let mut slice = vec![0u8; 1 << 20];
        let mut total = 0u64;
        while total < limit {
            let n = match file.read(&mut slice) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            each(&slice[..n]);
            total += n as u64;
        }
        Ok(total)
    }

    fn stdout(&mut self) -> &mut dyn Write {
        &mut self.stdout
    }

    fn stderr(&mut self) -> &mut dyn Write {
        &mut self.stderr
    }
}
