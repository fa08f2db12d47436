//! `wsinspect proxy`: a reverse proxy for WebSocket connections that relays every byte
//! unchanged and records it.
//!
//! A client connects to the proxy; [`connection`] reads its head, picks the upstream by the
//! route prefixes given on the command line (never by anything the client sends), opens it
//! ([`super::upstream`], with its TLS configuration), forwards the head with Host (and Origin) rewritten
//! ([`rewrite`]) and then relays both ways as read ([`relay`]). Each connection's chunks and
//! counts are kept in [`record`] (frames counted by [`frames`]), listed and served by
//! [`admin`], and saved as pcapng by [`save`]. The page can inject frames into a live
//! connection ([`inject`]); the relay writes them between frames. Other plain HTTP
//! requests get the inspector page ([`page`]), whose Connections view reads those endpoints.
//!
//! ```text
//! mod.rs (run)  -> connection, record, ../listen, ../upstream
//! connection    -> admin, page, record, relay, rewrite, save, ../upstream, ../head, ../reply, ../request
//! page          -> admin, ../reply, ../static_files
//! admin         -> inject, record, save, ../reply
//! inject        -> record, ../actions, ../broken, ../reply
//! relay         -> frames, inject, record
//! save          -> record
//! record        -> frames, inject
//! frames, rewrite: none
//! ```

mod admin;
mod connection;
mod frames;
mod inject;
mod page;
mod record;
mod relay;
mod rewrite;
mod save;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::ClientConfig;
use wsinspect::cli::{Limits, ProxyArgs, Route};

use record::Registry;

/// What every connection reads.
pub struct State {
    pub routes: Vec<Route>,
    pub limits: Limits,
    pub keep_host: bool,
    pub origin: Option<String>,
    pub tls: Arc<ClientConfig>,
    pub record_dir: Option<PathBuf>,
    pub registry: Registry,
    /// The directory holding www/, js/ and pkg/ for the page, if one was found.
    pub root: Option<PathBuf>,
}

/// The state the flags ask for, or the message saying what is wrong with them.
pub fn state(args: &ProxyArgs, root: Option<PathBuf>) -> Result<State, String> {
    let settings = args.settings()?;
    let tls = super::upstream::tls::client_config(&args.ca, args.insecure)?;
    if let Some(dir) = &args.record {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("wsinspect: --record {}: {e}", dir.display()))?;
    }
    Ok(State {
        routes: settings.routes,
        limits: settings.limits,
        keep_host: args.keep_host,
        origin: args.origin.clone(),
        tls,
        record_dir: args.record.clone(),
        registry: Registry::new(args.max_recording, args.keep_closed, args.max_kept),
        root,
    })
}

/// Binds, prints `wsinspect: proxying on ws://ADDR/`, each route and where the page is, and
/// relays until Ctrl-C.
pub async fn run(listen: SocketAddr, state: State) -> std::io::Result<()> {
    let listener = super::listen::bind(
        listen,
        "anyone who can reach it can use the upstreams through it and read every recorded byte at /proxy/connections",
    )?;
    let addr = listener.local_addr()?;
    println!("wsinspect: proxying on ws://{addr}/");
    for route in &state.routes {
        println!(
            "wsinspect: route {} -> {}",
            route.prefix,
            route.upstream.url()
        );
    }
    if state.root.is_some() {
        println!("wsinspect: inspector page on http://{addr}/ (Connections lists what is relayed)");
    }
    let state = Arc::new(state);
    let max = state.limits.max_connections;
    super::listen::accept_loop(listener, max, "proxied connection", move |stream, peer| {
        connection::handle(stream, peer, state.clone())
    })
    .await
}
