//! `wsinspect serve`'s flags and the limits they set. The server itself (tokio, hyper) is
//! the native binary's: the library parses and checks the flags, so `--help` reads the same
//! wherever it is printed, and hands them to the binary to run.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// What a connection may cost before the server drops it. Every one is a `serve` flag.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request head, in bytes (beyond: 431).
    pub max_head: usize,
    /// Largest message, in bytes, after reassembly and inflation (beyond: close 1009).
    pub max_message: usize,
    /// Longest silence from a WebSocket peer (beyond: close 1001).
    pub idle: Duration,
    /// Longest time to receive a complete handshake (beyond: dropped).
    pub handshake: Duration,
    /// How long to wait for the peer's close frame after sending ours.
    pub close_wait: Duration,
    /// Most tap sessions open at once.
    pub max_sessions: usize,
    /// Most connections served at once; more wait in the listen queue.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head: crate::handshake::MAX_HEAD_LENGTH,
            max_message: 16 * 1024 * 1024,
            idle: Duration::from_secs(60),
            handshake: Duration::from_secs(10),
            close_wait: Duration::from_secs(5),
            max_sessions: 1024,
            max_connections: 10_000,
        }
    }
}

/// `wsinspect serve` flags.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; anything beyond loopback prints a warning.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory holding www/, js/ and pkg/ [default: the nearest parent of the current
    /// directory (or of the executable) that has www/index.html]
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Largest request head in bytes; longer gets 431.
    #[arg(long, default_value_t = Limits::default().max_head, help = max_head_help())]
    pub max_head: usize,
    /// Largest message in bytes (after reassembly and inflation); larger gets close 1009.
    #[arg(long, default_value_t = Limits::default().max_message)]
    pub max_message: usize,
    /// Seconds a WebSocket peer may stay silent before close 1001.
    #[arg(long, default_value_t = Limits::default().idle.as_secs_f64())]
    pub idle_timeout: f64,
    /// Seconds a client has to send its complete handshake before it is dropped.
    #[arg(long, default_value_t = Limits::default().handshake.as_secs_f64())]
    pub handshake_timeout: f64,
    /// Seconds to wait for the peer's close frame after sending ours.
    #[arg(long, default_value_t = Limits::default().close_wait.as_secs_f64())]
    pub close_timeout: f64,
    /// Most tap sessions open at once.
    #[arg(long, default_value_t = Limits::default().max_sessions)]
    pub max_sessions: usize,
    /// Most connections served at once (more wait in the listen queue).
    #[arg(long, default_value_t = Limits::default().max_connections)]
    pub max_connections: usize,
}

/// A seconds flag as a duration, or the message naming the flag when it is not a positive
/// number of seconds.
pub(super) fn seconds(name: &str, s: f64) -> Result<Duration, String> {
    if s.is_finite() && s > 0.0 && s < 1e9 {
        Ok(Duration::from_secs_f64(s))
    } else {
        Err(format!(
            "wsinspect: --{name} must be a positive number of seconds, not {s}"
        ))
    }
}

/// The smallest `--max-head`: a smaller value is raised to it (a head needs a request line).
const MIN_MAX_HEAD: usize = 64;

/// `--max-head`'s help, with its range from the one definition of each bound.
fn max_head_help() -> String {
    format!(
        "Largest request head in bytes ({MIN_MAX_HEAD} to {}); longer gets 431",
        crate::handshake::MAX_HEAD_CEILING
    )
}

impl ServeArgs {
    /// The limits the flags ask for, or the message saying which flag is out of range.
    pub fn limits(&self) -> Result<Limits, String> {
        let ceiling = crate::handshake::MAX_HEAD_CEILING;
        if self.max_head > ceiling {
            return Err(format!(
                "wsinspect: --max-head must be at most {ceiling} bytes, not {}",
                self.max_head
            ));
        }
        Ok(Limits {
            max_head: self.max_head.max(MIN_MAX_HEAD),
            max_message: self.max_message,
            idle: seconds("idle-timeout", self.idle_timeout)?,
            handshake: seconds("handshake-timeout", self.handshake_timeout)?,
            close_wait: seconds("close-timeout", self.close_timeout)?,
            max_sessions: self.max_sessions,
            max_connections: self.max_connections.max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cli, Command};
    use super::*;
    use clap::Parser;

    #[test]
    fn serve_defaults_are_the_servers_limits() {
        let Command::Serve(args) = Cli::parse_from(["wsinspect", "serve"]).command else {
            panic!("not serve");
        };
        let limits = Limits::default();
        assert_eq!(args.max_head, limits.max_head);
        assert_eq!(args.max_head, crate::handshake::MAX_HEAD_LENGTH);
        assert_eq!(args.max_message, limits.max_message);
        assert_eq!(args.idle_timeout, limits.idle.as_secs_f64());
        assert_eq!(args.handshake_timeout, limits.handshake.as_secs_f64());
        assert_eq!(args.close_timeout, limits.close_wait.as_secs_f64());
        assert_eq!(args.max_sessions, limits.max_sessions);
        assert_eq!(args.max_connections, limits.max_connections);
    }

    #[test]
    fn out_of_range_flags_are_refused_and_small_ones_raised() {
        let parse = |extra: &[&str]| {
            let argv = ["wsinspect", "serve"].iter().chain(extra).copied();
            let Command::Serve(args) = Cli::parse_from(argv).command else {
                panic!("not serve");
            };
            args.limits()
        };
        assert!(parse(&["--idle-timeout", "0"])
            .unwrap_err()
            .contains("--idle-timeout"));
        assert!(parse(&["--max-head", "999999999"])
            .unwrap_err()
            .contains("--max-head"));
        let limits = parse(&["--max-head", "1", "--max-connections", "0"]).unwrap();
        assert_eq!((limits.max_head, limits.max_connections), (MIN_MAX_HEAD, 1));
    }
}
