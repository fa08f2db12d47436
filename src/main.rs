//! The `wsinspect` binary: a server that shows a browser the real wire bytes of its WebSocket
//! (`wsinspect serve`) and a command line over the same core (`decode`, `accept`, `hixie76`,
//! `handshake`). tokio, hyper and clap live here only: the library (and so the wasm build)
//! never sees them.

#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod server;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The binary has nothing to do on wasm32; the library is what runs there.
#[cfg(target_arch = "wasm32")]
fn main() {}
