//! `wsinspect serve`: the page, `/echo` and `/tap` on one port.
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
//! mod.rs (run)  -> connection, limits, sessions, state
//! connection    -> head, prefixed, reply, request, state, static_files, websocket
//! websocket     -> actions, echo, head, hixie, negotiate, reply, request, sessions, socket,
//!                  state, tap
//! tap           -> actions, records, sessions, socket, state
//! echo          -> actions, broken, limits, socket
//! hixie         -> actions, limits, sessions, socket
//! negotiate     -> reply, request
//! state         -> limits, sessions
//! records       -> sessions
//! socket        -> sessions
//! sessions      -> actions
//! actions, broken, head, limits, prefixed, reply, request, static_files: none
//! ```

mod actions;
mod broken;
mod connection;
mod echo;
mod head;
mod hixie;
mod limits;
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
mod websocket;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpSocket;

pub use limits::Limits;
use sessions::Sessions;
use state::State;

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
