//! What a connection may cost before the server drops it: one value per `serve` flag, handed
//! down to the head reader, the decoder and each loop.

use std::time::Duration;

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
