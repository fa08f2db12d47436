//! `wsinspect conformance client URL` and `wsinspect conformance server`: parsed here, run
//! by the native binary (src/server/conformance/).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `wsinspect conformance ...`.
#[derive(Debug, Clone, Args)]
pub struct ConformanceArgs {
    #[command(subcommand)]
    pub mode: ConformanceMode,
}

/// Which side wsinspect plays.
#[derive(Debug, Clone, Subcommand)]
pub enum ConformanceMode {
    /// Test a WebSocket server: connect to URL once per case (Autobahn's fuzzingclient).
    #[command(
        after_help = "Exit status: 0 when no case FAILED, 1 otherwise, 2 when the run \
        could not start.\n\nExamples:\n  wsinspect conformance client ws://127.0.0.1:9001/ \
        --cases '1.*,2.*' --agent my-server\n  wsinspect conformance client ws://127.0.0.1:9001/ \
        --exclude '9.*,12.*,13.*' --report reports --json\n  wsinspect conformance client \
        wss://localhost:9443/ --ca my-ca.pem --cases '1.*,2.*'"
    )]
    Client(ClientArgs),
    /// Test WebSocket clients: serve Autobahn's URLs (/getCaseCount, /runCase?case=N&agent=A,
    /// /getCaseInfo, /getCaseStatus, /updateReports) for their harnesses (fuzzingserver).
    #[command(
        after_help = "Examples:\n  wsinspect conformance server --listen 127.0.0.1:9001 \
        --report reports\n\nA harness connects to /getCaseCount, runs each case N at \
        /runCase?case=N&agent=NAME echoing every message, then opens /updateReports?agent=NAME: \
        the reports are then in the report folder."
    )]
    Server(ServerArgs),
}

/// What both modes take.
#[derive(Debug, Clone, Args)]
pub struct Selection {
    /// The cases to run: comma-separated ids or patterns (`*` any characters, matched at
    /// the start of the id: `6.4.*`, `1.*`).
    #[arg(long, value_delimiter = ',', default_value = "*")]
    pub cases: Vec<String>,
    /// Cases to leave out, in the same syntax.
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Where the reports go: index.json, one JSON per case and index.html.
    #[arg(long, default_value = "reports")]
    pub report: PathBuf,
    /// Print a JSON summary (cases by verdict, the failed ones) instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Group 9 (limits and performance) at Autobahn's sizes (up to 16 MiB messages and 1000
    /// round trips); without it, a sixteenth of each size and 100 round trips.
    #[arg(long)]
    pub full: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// The server under test: ws://HOST:PORT/PATH or wss://HOST:PORT/PATH (each case opens a
    /// new connection to it).
    pub url: String,
    /// PEM file of certificates to trust for a wss:// server, besides the built-in roots
    /// (webpki-roots, Mozilla's list). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub ca: Vec<std::path::PathBuf>,
    /// Skip verifying a wss:// server's certificate (anyone on the path can read and change
    /// the traffic). Prints a warning.
    #[arg(long)]
    pub insecure: bool,
    #[command(flatten)]
    pub selection: Selection,
    /// The name the reports file the results under (default: the server's Server header).
    #[arg(long)]
    pub agent: Option<String>,
    /// Cases run at once (1: one after the other, as Autobahn's suite).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
}

#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Where to listen (loopback by default: what connects here is tested, and told so).
    #[arg(long, default_value = "127.0.0.1:9001")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub selection: Selection,
}
