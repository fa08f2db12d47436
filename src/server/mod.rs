//! `wsinspect serve`: the page, `/echo` and `/tap` on one port.
//!
//! Every connection starts the same way: the server reads the request head itself (bounded,
//! [`head`]), then either hands the connection to hyper for the static files
//! ([`static_files`]) or, for `/echo` and `/tap`, answers the WebSocket handshake with the
//! wsinspect core ([`upgrade`]) and runs the echo ([`echo`], [`hixie`]) or the wire tap
//! ([`tap`]). Reading the head before hyper does is what lets the tap show the page the raw
//! request exactly as it crossed the socket.

mod actions;
mod broken;
mod connection;
mod echo;
mod head;
mod hixie;
mod negotiate;
mod prefixed;
mod records;
mod reply;
mod request;
mod sessions;
mod socket;
mod static_files;
mod tap;
mod websocket;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpSocket;

pub use sessions::Sessions;

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
            max_head: wsinspect::handshake::MAX_HEAD_LENGTH,
            max_message: 16 * 1024 * 1024,
            idle: Duration::from_secs(60),
            handshake: Duration::from_secs(10),
            close_wait: Duration::from_secs(5),
            max_sessions: 1024,
            max_connections: 10_000,
        }
    }
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// The directory holding `www/`, `js/` and `pkg/`.
    pub root: PathBuf,
    pub limits: Limits,
}

/// For tests only: a text message equal to the value of this environment variable makes
/// `/echo` panic, to show that a panic stays in its connection.
pub const TEST_PANIC_ENV: &str = "WSINSPECT_TEST_PANIC_ON";

/// Whether a text message is the one `TEST_PANIC_ENV` names (read once).
fn test_panic_on(data: &[u8]) -> bool {
    static ON: std::sync::OnceLock<Option<Vec<u8>>> = std::sync::OnceLock::new();
    ON.get_or_init(|| {
        std::env::var_os(TEST_PANIC_ENV)
            .filter(|v| !v.is_empty())
            .map(|v| v.into_encoded_bytes())
    })
    .as_deref()
    .is_some_and(|on| on == data)
}

/// State shared by every connection.
pub struct State {
    pub root: Arc<PathBuf>,
    pub limits: Limits,
    pub sessions: Sessions,
}

/// Binds, prints `wsinspect: serving on http://ADDR/`, and serves until Ctrl-C.
pub async fn run(config: Config) -> std::io::Result<()> {
    let socket = if config.listen.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(config.listen)?;
    let listener = socket.listen(4096)?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        eprintln!(
            "wsinspect: warning: listening on {addr}, beyond loopback: anyone who can reach it can use /echo and /tap"
        );
    }
    println!("wsinspect: serving on http://{addr}/");
    let state = Arc::new(State {
        root: Arc::new(config.root),
        sessions: Sessions::new(config.limits.max_sessions),
        limits: config.limits,
    });
    let permits = Arc::new(tokio::sync::Semaphore::new(state.limits.max_connections));
    loop {
        let permit = permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // Out of descriptors or a connection reset before accept: wait a moment, go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let state = state.clone();
        tokio::spawn(async move {
            // A panic stays in its connection's task (the binary unwinds): the socket it
            // held has sent close 1011 as it dropped, and the server goes on.
            let task = tokio::spawn(connection::handle(stream, peer, state));
            if let Err(e) = task.await {
                if e.is_panic() {
                    let payload = e.into_panic();
                    let what = payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    eprintln!("wsinspect: the connection from {peer} panicked ({what}): closed");
                }
            }
            drop(permit);
        });
    }
}
