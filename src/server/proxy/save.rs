//! A recorded connection as the conversation model's input (a [`Transcript`]) and as a
//! pcapng file (`--record DIR`, `GET /proxy/connections/ID.pcapng`).

use std::path::Path;

use wsinspect::{ChunkMeta, DirectedChunk, Endpoint, Transcript};

use super::record::Record;

fn endpoint(addr: std::net::SocketAddr) -> Endpoint {
    Endpoint {
        address: addr.ip().to_string(),
        port: addr.port(),
    }
}

/// The recording so far: the client's address, the upstream's, each chunk with its time.
pub fn transcript(record: &Record) -> Transcript {
    let inner = record.lock();
    let mut notes = Vec::new();
    if inner.truncated {
        notes.push(format!(
            "recording truncated after {} bytes: the proxy relayed more than it kept",
            inner.recorded
        ));
    }
    Transcript {
        format: format!("wsinspect proxy, connection {}", record.id),
        client: Some(endpoint(record.client)),
        server: inner.upstream_addr.map(endpoint),
        chunks: inner
            .chunks
            .iter()
            .map(|c| DirectedChunk {
                direction: c.direction,
                bytes: c.bytes.clone(),
                meta: ChunkMeta {
                    time: Some(c.time),
                    packet: None,
                },
            })
            .collect(),
        notes,
        gaps: Vec::new(),
    }
}

/// Writes `DIR/<id>.pcapng`; a failure is printed, not fatal (the relay is over already).
pub async fn write_to(dir: &Path, record: &Record) {
    let bytes = wsinspect::capture::write_pcapng(&transcript(record));
    let path = dir.join(format!("{}.pcapng", record.id));
    if let Err(e) = tokio::fs::write(&path, bytes).await {
        eprintln!("wsinspect: --record: cannot write {}: {e}", path.display());
    }
}
