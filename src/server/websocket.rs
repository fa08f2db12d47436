//! The WebSocket endpoints: handshake checks, then `/echo` or `/tap`.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::head::Head;
use super::{reply, State};

pub async fn serve(
    mut stream: TcpStream,
    _peer: SocketAddr,
    _head: Head,
    _target: (String, String),
    _state: Arc<State>,
) {
    let _ = stream.write_all(&reply::unavailable("not yet")).await;
}
