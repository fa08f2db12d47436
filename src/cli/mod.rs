//! The command line: `wsinspect serve | proxy | decode | accept | hixie76 | handshake`, parsed and
//! rendered here for both the native binary and `npx wsinspect` (the wasm), through [`Io`].
//! This is an adapter over the core, like the wasm binding: the protocol modules never
//! see it. `serve` and `proxy` are parsed here and run by the native binary, which has the
//! server.

mod accept;
mod capture;
mod cells;
mod conformance;
pub(crate) mod conversation;
mod decode;
mod handshake;
mod hixie76;
mod input;
mod io;
mod json;
mod proxy;
mod serve;
mod stream;

use std::ffi::OsString;

use clap::{Parser, Subcommand};

pub use capture::utc;
pub use conformance::{ClientArgs, ConformanceArgs, ConformanceMode, Selection, ServerArgs};
pub use io::{Io, ReadError, OS_ERRORS};
pub use proxy::{
    parse_route, parse_upstream, pick_route, ProxyArgs, ProxySettings, Route, Upstream,
    DEFAULT_MAX_RECORDING,
};
pub use serve::{Limits, ServeArgs};

/// WebSocket protocol inspector: every RFC 6455 / RFC 7692 / hixie-76 frame field and rule
/// violation, with byte offsets.
#[derive(Debug, Parser)]
#[command(name = "wsinspect", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the inspector page, the /echo endpoint and the /tap wire tap.
    #[command(after_help = "Example:\n  wsinspect serve --listen 127.0.0.1:8080\n\n\
        Then open http://127.0.0.1:8080/ ; a WebSocket client can talk to ws://127.0.0.1:8080/echo")]
    Serve(ServeArgs),
    /// Relay WebSocket connections to an upstream byte for byte, recording every chunk.
    #[command(
        after_help = "Example:\n  wsinspect proxy --upstream wss://example.com/feed\n\n\
        Then point the client at ws://127.0.0.1:8081/ instead of wss://example.com/feed.\n\
        Its bytes reach the upstream unchanged but for the request line's path (mapped by\n\
        the route) and Host (unless --keep-host); the upstream's come back unchanged.\n\n\
        The inspector page, on the same port: open http://127.0.0.1:8081/ ; its Connections\n\
        panel lists every connection live, opens any in the conversation view (following it\n\
        as bytes flow) and saves it as pcapng. The page's files come from --root DIR.\n\n\
        Recorded connections, on the same port:\n  \
        GET /proxy/connections            every connection: state, bytes and frames each way\n  \
        GET /proxy/connections/ID         its chunks in order (direction, time, base64), decoded\n  \
        GET /proxy/connections/ID?from=N  its chunks from index N on (to follow it live)\n  \
        GET /proxy/connections/ID.pcapng  the connection as a capture Wireshark opens\n  \
        POST /proxy/connections/ID/inject with JSON {\"toward\": \"client\"|\"upstream\",\n    \
        \"action\": \"ping\"|\"close\"|\"text\"|\"binary\"|\"broken\", ...}: a frame into it\n\n\
        Only requests without an Upgrade header, with Host an IP address or localhost, reach\n\
        /proxy/ and the page; every WebSocket request is relayed. Listen beyond loopback only on a\n\
        network you trust: the recordings hold every byte."
    )]
    Proxy(ProxyArgs),
    /// Test a WebSocket server or client against the Autobahn TestSuite's cases, rebuilt.
    Conformance(ConformanceArgs),
    /// Decode WebSocket bytes: every frame, message and rule broken, with byte offsets.
    #[command(
        after_help = "Exit status: 0 no rule broken, 1 a rule broken, 2 unreadable input.\n\n\
        Examples:\n  echo '81 85 37 fa 21 3d 7f 9f 4d 51 58' | wsinspect decode\n  \
        wsinspect decode capture.hex --role server --extensions permessage-deflate --json\n  \
        wsinspect decode --format raw frames.bin"
    )]
    Decode(decode::DecodeArgs),
    /// Compute the Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 §4.2.2).
    #[command(
        after_help = "Example:\n  wsinspect accept dGhlIHNhbXBsZSBub25jZQ==\n  s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    )]
    Accept(accept::AcceptArgs),
    /// Compute a hixie-76 handshake's 16-byte answer from its two keys and 8 key bytes.
    #[command(after_help = "Example (draft-hixie-thewebsocketprotocol-76 §1.3):\n  \
        wsinspect hixie76 '4 @1  46546xW%0l 1 5' '12998 5 Y3 1  .P00' '^n:ds[4U'\n  \
        ... answer as text: 8jKS'y:G*Co,Wxa-")]
    Hixie76(hixie76::Hixie76Args),
    /// Parse and check an opening handshake (a request, a response, or both in a row).
    #[command(
        after_help = "Exit status: 0 every check passed, 1 a rule broken, 2 unreadable input.\n\n\
        Example:\n  printf 'GET /chat HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n' | wsinspect handshake"
    )]
    Handshake(handshake::HandshakeArgs),
}

/// What a run of the command line leaves to its caller.
#[derive(Debug)]
pub enum Outcome {
    /// The command ran: exit with this status.
    Exit(u8),
    /// `serve` was asked for, with these flags: the native binary runs the server.
    Serve(ServeArgs),
    /// `proxy` was asked for, with these flags: the native binary runs the relay.
    Proxy(ProxyArgs),
    /// `conformance` was asked for: the native binary runs the cases.
    Conformance(ConformanceArgs),
}

/// Parses `args` (the program's name first, as in `std::env::args_os`) and runs the
/// subcommand; its exit status, or the `serve` flags. Help, the version and usage errors
/// are clap's text without colour, on stdout with status 0 or on stderr with status 2.
pub fn run<I, T>(args: I, io: &mut dyn Io) -> Outcome
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let stream = if e.use_stderr() {
                io.stderr()
            } else {
                io.stdout()
            };
            let written = stream
                .write_all(text.as_bytes())
                .and_then(|()| stream.flush());
            return Outcome::Exit(match written {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 141,
                _ => u8::try_from(e.exit_code()).unwrap_or(2),
            });
        }
    };
    Outcome::Exit(match cli.command {
        Command::Serve(args) => return Outcome::Serve(args),
        Command::Proxy(args) => return Outcome::Proxy(args),
        Command::Conformance(args) => return Outcome::Conformance(args),
        Command::Decode(args) => decode::run(&args, io),
        Command::Accept(args) => accept::run(&args, io),
        Command::Hixie76(args) => hixie76::run(&args, io),
        Command::Handshake(args) => handshake::run(&args, io),
    })
}
