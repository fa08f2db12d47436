//! `wsinspect serve`: the page, `/echo`, `/tap` and `/conformance/` on one port.
//!
//! Every connection starts the same way: the server reads the request head itself (bounded,
//! [`head`]), then either hands the connection to hyper for the static files
//! ([`static_files`]) or, for `/echo` and `/tap` ([`websocket`]), answers the WebSocket
//! handshake with the wsinspect core ([`negotiate`]) and runs the echo ([`echo`], [`hixie`])
//! or the wire tap ([`tap`]). Reading the head before hyper does is what lets the tap show the
//! page the raw request exactly as it crossed the socket.
//!
//! Which module uses which (each arrow points one way; nothing here uses this file):
//!
//! ```text
//! mod.rs (run)  -> connection, limits, listen, sessions, state
//! connection    -> conformance, head, prefixed, reply, request, state, static_files,
//!                  websocket
//! websocket     -> actions, echo, head, hixie, negotiate, reply, request, sessions, socket,
//!                  state, tap
//! tap           -> actions, records, sessions, socket, state
//! echo          -> actions, broken, limits, socket
//! hixie         -> actions, limits, sessions, socket
//! negotiate     -> reply, request
//! state         -> conformance, limits, sessions
//! records       -> sessions
//! socket        -> sessions
//! sessions      -> actions
//! static_files  -> conformance
//! actions, broken, head, limits, prefixed, reply, request: none
//! (proxy and conformance open their servers through upstream: TCP, and TLS for wss://)
//! ```

mod actions;
mod broken;
pub mod conformance;
mod connection;
mod echo;
mod head;
mod hixie;
mod limits;
mod listen;
mod negotiate;
mod prefixed;
pub mod proxy;
mod records;
mod reply;
mod request;
mod sessions;
mod socket;
mod state;
mod static_files;
mod tap;
mod upstream;
mod websocket;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use limits::Limits;
use sessions::Sessions;
use state::State;

/// The tokio runtime the native commands run on; `Err` says why it could not start (the
/// caller exits with failure).
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("wsinspect: cannot start the runtime: {e}"))
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// The directory holding `www/`, `js/` and `pkg/`.
    pub root: PathBuf,
    pub limits: Limits,
}

/// Binds, prints `wsinspect: serving on http://ADDR/`, and serves until Ctrl-C.
pub async fn run(config: Config) -> std::io::Result<()> {
    let listener = listen::bind(
        config.listen,
        "anyone who can reach it can use /echo and /tap",
    )?;
    println!("wsinspect: serving on http://{}/", listener.local_addr()?);
    let state = Arc::new(State {
        root: Arc::new(config.root),
        sessions: Sessions::new(config.limits.max_sessions),
        limits: config.limits,
        conformance: Arc::new(conformance::server::ServerState::in_memory(
            wsinspect::conformance::cases::all(),
        )),
    });
    let max = state.limits.max_connections;
    listen::accept_loop(listener, max, "connection", move |stream, peer| {
        connection::handle(stream, peer, state.clone())
    })
    .await
}
