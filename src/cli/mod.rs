//! The command line: `wsinspect serve | decode | accept | hixie76 | handshake`.

mod accept;
mod conversation;
mod decode;
mod handshake;
mod hixie76;
mod input;
mod json;
mod stream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::server;

/// WebSocket protocol inspector: every RFC 6455 / RFC 7692 / hixie-76 frame field and rule
/// violation, with byte offsets.
#[derive(Debug, Parser)]
#[command(name = "wsinspect", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the inspector page, the /echo endpoint and the /tap wire tap.
    #[command(after_help = "Example:\n  wsinspect serve --listen 127.0.0.1:8080\n\n\
        Then open http://127.0.0.1:8080/ ; a WebSocket client can talk to ws://127.0.0.1:8080/echo")]
    Serve(ServeArgs),
    /// Decode WebSocket bytes: every frame, message and rule broken, with byte offsets.
    #[command(
        after_help = "Exit status: 0 no rule broken, 1 a rule broken, 2 unreadable input.\n\n\
        Examples:\n  echo '81 85 37 fa 21 3d 7f 9f 4d 51 58' | wsinspect decode\n  \
        wsinspect decode capture.hex --role server --extensions permessage-deflate --json\n  \
        wsinspect decode --format raw frames.bin"
    )]
    Decode(decode::DecodeArgs),
    /// Compute the Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 §4.2.2).
    #[command(
        after_help = "Example:\n  wsinspect accept dGhlIHNhbXBsZSBub25jZQ==\n  s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    )]
    Accept(accept::AcceptArgs),
    /// Compute a hixie-76 handshake's 16-byte answer from its two keys and 8 key bytes.
    #[command(after_help = "Example (draft-hixie-thewebsocketprotocol-76 §1.3):\n  \
        wsinspect hixie76 '4 @1  46546xW%0l 1 5' '12998 5 Y3 1  .P00' '^n:ds[4U'\n  \
        ... answer as text: 8jKS'y:G*Co,Wxa-")]
    Hixie76(hixie76::Hixie76Args),
    /// Parse and check an opening handshake (a request, a response, or both in a row).
    #[command(
        after_help = "Exit status: 0 every check passed, 1 a rule broken, 2 unreadable input.\n\n\
        Example:\n  printf 'GET /chat HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n' | wsinspect handshake"
    )]
    Handshake(handshake::HandshakeArgs),
}

/// `wsinspect serve` flags.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; anything beyond loopback prints a warning.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory holding www/, js/ and pkg/ [default: the nearest parent of the current
    /// directory (or of the executable) that has www/index.html]
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Largest request head in bytes; longer gets 431.
    #[arg(long, default_value_t = server::Limits::default().max_head, help = max_head_help())]
    pub max_head: usize,
    /// Largest message in bytes (after reassembly and inflation); larger gets close 1009.
    #[arg(long, default_value_t = server::Limits::default().max_message)]
    pub max_message: usize,
    /// Seconds a WebSocket peer may stay silent before close 1001.
    #[arg(long, default_value_t = server::Limits::default().idle.as_secs_f64())]
    pub idle_timeout: f64,
    /// Seconds a client has to send its complete handshake before it is dropped.
    #[arg(long, default_value_t = server::Limits::default().handshake.as_secs_f64())]
    pub handshake_timeout: f64,
    /// Seconds to wait for the peer's close frame after sending ours.
    #[arg(long, default_value_t = server::Limits::default().close_wait.as_secs_f64())]
    pub close_timeout: f64,
    /// Most tap sessions open at once.
    #[arg(long, default_value_t = server::Limits::default().max_sessions)]
    pub max_sessions: usize,
    /// Most connections served at once (more wait in the listen queue).
    #[arg(long, default_value_t = server::Limits::default().max_connections)]
    pub max_connections: usize,
}

/// The smallest `--max-head`: a smaller value is raised to it (a head needs a request line).
const MIN_MAX_HEAD: usize = 64;

/// `--max-head`'s help, with its range from the one definition of each bound.
fn max_head_help() -> String {
    format!(
        "Largest request head in bytes ({MIN_MAX_HEAD} to {}); longer gets 431",
        wsinspect::handshake::MAX_HEAD_CEILING
    )
}

/// Parses the arguments and runs the subcommand; the exit status is the subcommand's.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Decode(args) => decode::run(&args),
        Command::Accept(args) => accept::run(&args),
        Command::Hixie76(args) => hixie76::run(&args),
        Command::Handshake(args) => handshake::run(&args),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    let Some(root) = args.root.clone().or_else(find_root) else {
        eprintln!(
            "wsinspect: no www/index.html in the current directory or its parents: pass --root DIR"
        );
        return ExitCode::from(2);
    };
    let seconds = |name: &str, s: f64| {
        if s.is_finite() && s > 0.0 && s < 1e9 {
            Ok(Duration::from_secs_f64(s))
        } else {
            Err(format!(
                "wsinspect: --{name} must be a positive number of seconds, not {s}"
            ))
        }
    };
    let limits = (|| {
        let ceiling = wsinspect::handshake::MAX_HEAD_CEILING;
        if args.max_head > ceiling {
            return Err(format!(
                "wsinspect: --max-head must be at most {ceiling} bytes, not {}",
                args.max_head
            ));
        }
        Ok::<_, String>(server::Limits {
            max_head: args.max_head.max(MIN_MAX_HEAD),
            max_message: args.max_message,
            idle: seconds("idle-timeout", args.idle_timeout)?,
            handshake: seconds("handshake-timeout", args.handshake_timeout)?,
            close_wait: seconds("close-timeout", args.close_timeout)?,
            max_sessions: args.max_sessions,
            max_connections: args.max_connections.max(1),
        })
    })();
    let limits = match limits {
        Ok(limits) => limits,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wsinspect: cannot start the runtime: {e}");
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

/// The nearest directory holding `www/index.html`, from the current directory up, then from
/// the executable's directory up (`target/debug/wsinspect` finds the repository).
fn find_root() -> Option<PathBuf> {
    let starts = [std::env::current_dir().ok(), std::env::current_exe().ok()];
    starts.into_iter().flatten().find_map(|start| {
        start
            .ancestors()
            .find(|dir| dir.join("www/index.html").is_file())
            .map(PathBuf::from)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_defaults_are_the_servers_limits() {
        let Command::Serve(args) = Cli::parse_from(["wsinspect", "serve"]).command else {
            panic!("not serve");
        };
        let limits = server::Limits::default();
        assert_eq!(args.max_head, limits.max_head);
        assert_eq!(args.max_head, wsinspect::handshake::MAX_HEAD_LENGTH);
        assert_eq!(args.max_message, limits.max_message);
        assert_eq!(args.idle_timeout, limits.idle.as_secs_f64());
        assert_eq!(args.handshake_timeout, limits.handshake.as_secs_f64());
        assert_eq!(args.close_timeout, limits.close_wait.as_secs_f64());
        assert_eq!(args.max_sessions, limits.max_sessions);
        assert_eq!(args.max_connections, limits.max_connections);
    }
}
