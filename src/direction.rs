//! The two directions of a connection, and bytes tagged with the one that sent them.

use std::fmt;

/// Who sent the bytes: the client (the side that sent the opening handshake request, or
/// without a handshake the side that masks its frames) or the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Client to server.
    Client,
    /// Server to client.
    Server,
}

impl Direction {
    /// Both directions, client first.
    pub const BOTH: [Direction; 2] = [Direction::Client, Direction::Server];

    /// `"client"` or `"server"`: who sent it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Client => "client",
            Direction::Server => "server",
        }
    }

    /// The direction named `"client"` or `"server"`.
    pub fn from_name(name: &str) -> Option<Direction> {
        Direction::BOTH.into_iter().find(|d| d.as_str() == name)
    }

    /// The other side.
    pub fn other(self) -> Direction {
        match self {
            Direction::Client => Direction::Server,
            Direction::Server => Direction::Client,
        }
    }

    /// 0 for the client, 1 for the server: an index into per-direction pairs.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a chunk of bytes came from, when the input says: the capture time and the
/// packet that carried it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChunkMeta {
    /// Seconds (since the Unix epoch in captures; relative in some text forms).
    pub time: Option<f64>,
    /// 1-based packet number, as Wireshark shows it.
    pub packet: Option<u64>,
}

/// An IP address and TCP port, as the input names them (IPv6 in its compressed form).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// `127.0.0.1`, `::1`.
    pub address: String,
    /// The TCP port.
    pub port: u16,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.address.contains(':') {
            write!(f, "[{}]:{}", self.address, self.port)
        } else {
            write!(f, "{}:{}", self.address, self.port)
        }
    }
}

/// Bytes one side sent, in the order the input gives them.
#[cfg(feature = "conversation")]
#[derive(Debug, Clone, PartialEq)]
pub struct DirectedChunk {
    /// Who sent them.
    pub direction: Direction,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Time and packet, when the input has them.
    pub meta: ChunkMeta,
}

/// Both directions of one connection, read from a text form people copy (Follow TCP
/// Stream output, packet hex dumps): what [`crate::Conversation`] is fed.
#[cfg(feature = "conversation")]
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transcript {
    /// Which form was read, for people: `"tshark follow, raw, 2 directions"`.
    pub format: String,
    /// The client's address, when the input names it.
    pub client: Option<Endpoint>,
    /// The server's address, when the input names it.
    pub server: Option<Endpoint>,
    /// The bytes, in the input's order; each direction's chunks in stream order.
    pub chunks: Vec<DirectedChunk>,
    /// What was skipped or assumed while reading, for people, lowercase: `"packet 7:
    /// another tcp connection (127.0.0.1:40000 -> 127.0.0.1:80), skipped"`.
    pub notes: Vec<String>,
    /// Holes in a direction's bytes (a packet dump that lost segments), in the order
    /// they come in each direction.
    pub gaps: Vec<crate::transcript::Gap>,
}
