//! The listener both `serve` and `proxy` run: bound with SO_REUSEADDR, and an accept loop
//! that serves each connection in its own task, at most `max_connections` at once, until
//! Ctrl-C.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Binds `listen`; a listener beyond loopback gets `warning` on stderr (it names what
/// anyone who can reach it could do).
pub fn bind(listen: SocketAddr, warning: &str) -> std::io::Result<TcpListener> {
    let socket = if listen.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(listen)?;
    let listener = socket.listen(4096)?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        eprintln!("wsinspect: warning: listening on {addr}, beyond loopback: {warning}");
    }
    Ok(listener)
}

/// Accepts until Ctrl-C, each connection handled in a task of its own. A panic stays in
/// its connection's task (the binary unwinds): the socket it held is dropped, said on
/// stderr with `what` ("connection", "proxied connection"), and the listener goes on.
pub async fn accept_loop<F, Fut>(
    listener: TcpListener,
    max_connections: usize,
    what: &'static str,
    handle: F,
) -> std::io::Result<()>
where
    F: Fn(TcpStream, SocketAddr) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(max_connections));
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
        let task = handle(stream, peer);
        tokio::spawn(async move {
            if let Err(e) = tokio::spawn(task).await {
                if e.is_panic() {
                    let payload = e.into_panic();
                    let why = payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    eprintln!("wsinspect: the {what} from {peer} panicked ({why}): closed");
                }
            }
            drop(permit);
        });
    }
}
