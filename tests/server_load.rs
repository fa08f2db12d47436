//! Load: 1,000 concurrent echo connections on loopback, each exchanging 100 messages of mixed
//! sizes and kinds: none lost or altered, and the server's peak memory bounded. How long it
//! takes is printed, not asserted (a loaded machine is slower, not wrong); the only time
//! guard catches a stall: no message echoed anywhere for a whole minute.
#![cfg(not(target_arch = "wasm32"))]

mod server_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use server_support::ws::{self, Client, BINARY, TEXT};
use server_support::Server;

const CONNECTIONS: usize = 1000;
const MESSAGES: usize = 100;
/// The run fails as stalled when no connection gets a message back for this long (a hang or a
/// lost message, whose client would wait forever); a slow run that keeps moving passes.
const STALL: Duration = Duration::from_secs(60);

/// Sizes: mostly small, many across the 16-bit length, a few across the 64-bit one.
fn size(seed: &mut u64) -> usize {
    match ws::xorshift(seed) % 100 {
        0..=59 => (ws::xorshift(seed) % 126) as usize,
        60..=97 => 126 + (ws::xorshift(seed) % 4000) as usize,
        _ => 65_536 + (ws::xorshift(seed) % 4096) as usize,
    }
}

const POOL: usize = 1 << 18;

/// Random bytes and lowercase text to take messages from (made once, so the time goes to
/// the server rather than to making test data).
fn pools() -> &'static (Vec<u8>, Vec<u8>) {
    static POOLS: std::sync::OnceLock<(Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    POOLS.get_or_init(|| {
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        let random = (0..POOL).map(|_| ws::xorshift(&mut seed) as u8).collect();
        let text = (0..POOL)
            .map(|_| b'a' + (ws::xorshift(&mut seed) % 26) as u8)
            .collect();
        (random, text)
    })
}

async fn exchange(
    server: std::net::SocketAddr,
    index: usize,
    all_open: Arc<tokio::sync::Barrier>,
    echoed: Arc<AtomicUsize>,
) -> usize {
    let mut client = Client::connect(server, "/echo", &[])
        .await
        .unwrap_or_else(|e| panic!("connection {index}: {e}"));
    // Every connection is open at once before any message moves.
    all_open.wait().await;
    let mut seed = 0x2545_F491_4F6C_DD1D ^ (index as u64 + 1);
    for m in 0..MESSAGES {
        let len = size(&mut seed);
        let text = m % 3 == 0;
        let pool = if text { &pools().1 } else { &pools().0 };
        let from = (ws::xorshift(&mut seed) as usize) % (POOL - len);
        let data = &pool[from..from + len];
        let opcode = if text { TEXT } else { BINARY };
        client.send(opcode, data).await;
        let (got_opcode, _, got, _) = client
            .recv_message()
            .await
            .unwrap_or_else(|| panic!("connection {index} closed"));
        assert_eq!(got_opcode, opcode, "connection {index} message {m}");
        assert!(
            got == data,
            "connection {index} message {m}: {} bytes came back as {}",
            data.len(),
            got.len()
        );
        echoed.fetch_add(1, Ordering::Relaxed);
        bytes_echoed().fetch_add(data.len(), Ordering::Relaxed);
    }
    client.send(ws::CLOSE, &1000u16.to_be_bytes()).await;
    // The close is answered: the connection ends cleanly, nothing left in flight.
    let close = client
        .recv()
        .await
        .unwrap_or_else(|| panic!("connection {index}: no close answer"));
    assert_eq!(close.close().map(|c| c.0), Some(1000), "connection {index}");
    MESSAGES
}

/// Bytes echoed by every connection together.
fn bytes_echoed() -> &'static AtomicUsize {
    static BYTES: AtomicUsize = AtomicUsize::new(0);
    &BYTES
}

/// Waits for `all`, failing if `echoed` stops growing for [`STALL`].
async fn without_stalling<T>(all: impl std::future::Future<Output = T>, echoed: &AtomicUsize) -> T {
    tokio::pin!(all);
    let mut last = (echoed.load(Ordering::Relaxed), Instant::now());
    loop {
        tokio::select! {
            done = &mut all => return done,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {
                let now = echoed.load(Ordering::Relaxed);
                if now != last.0 {
                    last = (now, Instant::now());
                }
                assert!(
                    last.1.elapsed() < STALL,
                    "stalled: no message echoed for {STALL:?} ({now} of {} so far)",
                    CONNECTIONS * MESSAGES
                );
            }
        }
    }
}

#[test]
fn a_thousand_connections_exchange_a_hundred_messages_each_unaltered() {
    let server = Server::start(&[]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let start = Instant::now();
    let progress = Arc::new(AtomicUsize::new(0));
    let echoed = runtime.block_on(async {
        let all_open = Arc::new(tokio::sync::Barrier::new(CONNECTIONS));
        let tasks: Vec<_> = (0..CONNECTIONS)
            .map(|i| tokio::spawn(exchange(server.addr, i, all_open.clone(), progress.clone())))
            .collect();
        let all = async {
            let mut total = 0;
            for t in tasks {
                total += t.await.expect("a connection task panicked");
            }
            total
        };
        without_stalling(all, &progress).await
    });
    let elapsed = start.elapsed();
    // Nothing lost: every message of every connection came back, unaltered (checked above).
    assert_eq!(echoed, CONNECTIONS * MESSAGES);
    assert_eq!(progress.load(Ordering::Relaxed), CONNECTIONS * MESSAGES);
    let peak = server.peak_rss_kib().expect("the server's VmHWM");
    println!(
        "load: {CONNECTIONS} connections x {MESSAGES} messages ({} MiB) echoed in {:.1} s; server CPU {:.1} s; server peak RSS {} MiB",
        bytes_echoed().load(Ordering::Relaxed) >> 20,
        elapsed.as_secs_f64(),
        server.cpu_time().unwrap_or_default().as_secs_f64(),
        peak / 1024
    );
    // Bounded memory: each connection holds one message at a time, so the server's peak stays
    // well under what buffering every message would take (about 200 MiB here): under half.
    let total_kib = bytes_echoed().load(Ordering::Relaxed) as u64 / 1024;
    assert!(
        total_kib > 100 * 1024,
        "the run echoed only {total_kib} KiB"
    );
    assert!(
        peak < total_kib / 2,
        "server peak RSS {peak} KiB for {total_kib} KiB echoed"
    );
}
