//! A TCP relay between the proxy and a real upstream that keeps every byte each way: the
//! upstream's own view of what it received (and sent), to compare with the proxy's.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// Bytes each connection carried: (toward the upstream, from the upstream).
pub type Legs = Arc<Mutex<Vec<(Arc<Mutex<Vec<u8>>>, Arc<Mutex<Vec<u8>>>)>>>;

pub struct Tap {
    pub addr: SocketAddr,
    pub legs: Legs,
}

fn copy(mut from: TcpStream, mut to: TcpStream, keep: Arc<Mutex<Vec<u8>>>) {
    let mut buf = [0u8; 16384];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                keep.lock().unwrap().extend_from_slice(&buf[..n]);
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl Tap {
    /// Listens on 127.0.0.1 and relays every connection to `upstream`, in threads that end
    /// with their connections (the listener's thread ends with the test process).
    pub fn start(upstream: SocketAddr) -> Tap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let legs: Legs = Arc::default();
        let kept = legs.clone();
        thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let up = Arc::new(Mutex::new(Vec::new()));
                let down = Arc::new(Mutex::new(Vec::new()));
                kept.lock().unwrap().push((up.clone(), down.clone()));
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                thread::spawn(move || copy(client, server, up));
                thread::spawn(move || copy(s2, c2, down));
            }
        });
        Tap { addr, legs }
    }
}
