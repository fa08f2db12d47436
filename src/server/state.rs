//! What every connection of one `serve` shares.

use std::path::PathBuf;
use std::sync::Arc;

use super::conformance::server::ServerState;
use super::limits::Limits;
use super::sessions::Sessions;

/// State shared by every connection.
pub struct State {
    pub root: Arc<PathBuf>,
    pub limits: Limits,
    pub sessions: Sessions,
    /// `/conformance/`: every case, results kept in memory.
    pub conformance: Arc<ServerState>,
}
