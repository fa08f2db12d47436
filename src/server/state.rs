//! What every connection of one `serve` shares.

use std::path::PathBuf;
use std::sync::Arc;

use super::limits::Limits;
use super::sessions::Sessions;

/// State shared by every connection.
pub struct State {
    pub root: Arc<PathBuf>,
    pub limits: Limits,
    pub sessions: Sessions,
}
