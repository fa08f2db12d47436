//! Opening a connection to a WebSocket server wsinspect talks to (the proxy's upstream, the
//! server `wsinspect conformance client` tests): TCP to its host and port, then TLS for
//! wss:// (SNI set to the host, the configuration from [`tls`]), within a timeout.
//! Failures are sentences (the proxy's 502 body, a case's reason).

pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use wsinspect::cli::Upstream;

/// A byte stream to the upstream, plain or TLS.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Connects to `upstream` (TLS with `tls` for wss://); the stream and the peer's address,
/// or why not.
pub async fn connect(
    upstream: &Upstream,
    tls: &Arc<ClientConfig>,
    within: Duration,
) -> Result<(Box<dyn Stream>, SocketAddr), String> {
    let name = format!("{}:{}", upstream.host, upstream.port);
    let tcp = tokio::time::timeout(
        within,
        TcpStream::connect((upstream.host.as_str(), upstream.port)),
    )
    .await
    .map_err(|_| format!("connecting to {name} timed out after {within:?}"))?
    .map_err(|e| format!("cannot connect to {name}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let addr = tcp
        .peer_addr()
        .map_err(|e| format!("cannot connect to {name}: {e}"))?;
    if !upstream.secure {
        return Ok((Box::new(tcp), addr));
    }
    // RFC 6066 §3: the client sends the server's name (SNI) so the server can pick its
    // certificate; an IP address is sent as no name, and verified against the address.
    let server_name = ServerName::try_from(upstream.host.clone())
        .map_err(|e| format!("{}: not a TLS server name: {e}", upstream.host))?;
    let tls = tokio::time::timeout(
        within,
        TlsConnector::from(tls.clone()).connect(server_name, tcp),
    )
    .await
    .map_err(|_| format!("TLS handshake with {name} timed out after {within:?}"))?
    .map_err(|e| format!("TLS handshake with {name} failed: {e}"))?;
    Ok((Box::new(tls), addr))
}
