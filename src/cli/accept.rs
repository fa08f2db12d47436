//! `wsinspect accept KEY`: the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The Sec-WebSocket-Key value, exactly as sent (it is not trimmed or decoded).
    pub key: String,
}

pub fn run(args: &AcceptArgs) -> ExitCode {
    println!("{}", wsinspect::accept_key(&args.key));
    ExitCode::SUCCESS
}
