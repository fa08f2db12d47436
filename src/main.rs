//! The `wsinspect` binary: a server that shows a browser the real wire bytes of its WebSocket
//! (`wsinspect serve`), a recording WebSocket proxy (`wsinspect proxy`) and a command line over the same core (`decode`, `accept`, `hixie76`,
//! `handshake`). The command line is parsed and printed by the library's `cli` module (the
//! same code `npx wsinspect` runs as wasm); tokio and hyper live here only: the library (and
//! so the wasm build) never sees them.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod malloc_tuning;
#[cfg(not(target_arch = "wasm32"))]
mod native_io;
#[cfg(not(target_arch = "wasm32"))]
mod server;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use std::process::ExitCode;
    use wsinspect::cli::{self, Outcome};

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    malloc_tuning::tune();
    let mut io = native_io::NativeIo::new();
    match cli::run(std::env::args_os(), &mut io) {
        Outcome::Exit(status) => ExitCode::from(status),
        Outcome::Serve(args) => serve(&args),
        Outcome::Proxy(args) => proxy(&args),
        Outcome::Conformance(args) => server::conformance::run(&args),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn serve(args: &wsinspect::cli::ServeArgs) -> std::process::ExitCode {
    use std::process::ExitCode;

    let Some(root) = args.root.clone().or_else(find_root) else {
        eprintln!(
            "wsinspect: no www/index.html in the current directory or its parents: pass --root DIR"
        );
        return ExitCode::from(2);
    };
    let limits = match args.limits() {
        Ok(limits) => limits,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match server::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let config = server::Config {
        listen: args.listen,
        root,
        limits,
    };
    match runtime.block_on(server::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wsinspect: cannot serve on {}: {e}", args.listen);
            ExitCode::FAILURE
        }
    }
}

/// `wsinspect proxy`: checks the flags, warns about `--insecure`, and relays until Ctrl-C.
#[cfg(not(target_arch = "wasm32"))]
fn proxy(args: &wsinspect::cli::ProxyArgs) -> std::process::ExitCode {
    use std::process::ExitCode;

    let root = args.root.clone().or_else(find_root);
    let state = match server::proxy::state(args, root) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if args.insecure {
        eprintln!(
            "wsinspect: WARNING: --insecure: wss:// upstream certificates are NOT verified; \
             anyone between this machine and the upstream can read and change the traffic"
        );
    }
    let runtime = match server::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(server::proxy::run(args.listen, state)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wsinspect: cannot listen on {}: {e}", args.listen);
            ExitCode::FAILURE
        }
    }
}

/// The nearest directory holding `www/index.html`, from the current directory up, then from
/// the executable's directory up (`target/debug/wsinspect` finds the repository).
#[cfg(not(target_arch = "wasm32"))]
fn find_root() -> Option<std::path::PathBuf> {
    let starts = [std::env::current_dir().ok(), std::env::current_exe().ok()];
    starts.into_iter().flatten().find_map(|start| {
        start
            .ancestors()
            .find(|dir| dir.join("www/index.html").is_file())
            .map(std::path::PathBuf::from)
    })
}

/// The binary has nothing to do on wasm32; the library is what runs there.
#[cfg(target_arch = "wasm32")]
fn main() {}
