//! A case's wire for the inspector page: as Follow TCP Stream text (tshark's raw form, which
//! the page reads back as the same conversation) and in a share link's fragment, when it fits.

use std::fmt::Write as _;

use crate::conformance::report::{file_stem, transcript, CaseRun};
use crate::Direction;

/// The longest Follow text put in an inspector link (the page's share links keep values up
/// to this many characters); a case with more wire is offered as a pcapng only.
pub const MAX_LINK_TEXT: usize = 64 * 1024;

/// Where a case page points for its wire: the pcapng beside it, and the inspector page
/// (`None`: too large for a link).
pub struct WireLinks {
    pub pcapng: String,
    pub inspector: Option<String>,
}

/// The links of a case: `<stem>.pcapng`, and `inspector` (the page's address, as
/// `http://127.0.0.1:8080/`) with the case's wire as Follow text in the fragment when it
/// fits [`MAX_LINK_TEXT`].
pub fn wire_links(run: &CaseRun, inspector: &str) -> WireLinks {
    WireLinks {
        pcapng: format!("{}.pcapng", file_stem(&run.agent, &run.case.id)),
        inspector: inspector_fragment(run).map(|f| format!("{inspector}#{f}")),
    }
}

/// The page's share-link fragment that opens the case's wire in the Decode panel
/// (`p=decode&d.in=<Follow text>`), or `None` when the text is over [`MAX_LINK_TEXT`].
pub fn inspector_fragment(run: &CaseRun) -> Option<String> {
    let text = follow_text(&transcript(run));
    (text.len() <= MAX_LINK_TEXT).then(|| format!("p=decode&d.in={}", percent_encode(&text)))
}

/// Everything but the URL's unreserved characters (RFC 3986 §2.3) as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A transcript as tshark's `-qz follow,tcp,raw` prints it (the client's chunks at the
/// margin, the server's after a tab, one line a chunk), which the inspector reads back as
/// the same conversation.
pub fn follow_text(t: &crate::Transcript) -> String {
    let banner = "=".repeat(67);
    let mut out = format!("{banner}\nFollow: tcp,raw\nFilter: tcp.stream eq 0\n");
    for chunk in t.chunks.iter().filter(|c| !c.bytes.is_empty()) {
        if chunk.direction == Direction::Server {
            out.push('\t');
        }
        for b in &chunk.bytes {
            let _ = write!(out, "{b:02x}");
        }
        out.push('\n');
    }
    out.push_str(&banner);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_text_is_tsharks_raw_form() {
        use crate::{ChunkMeta, DirectedChunk};
        let chunk = |direction, bytes: &[u8]| DirectedChunk {
            direction,
            bytes: bytes.to_vec(),
            meta: ChunkMeta::default(),
        };
        let t = crate::Transcript {
            chunks: vec![
                chunk(Direction::Client, b"GET"),
                chunk(Direction::Server, &[0x81, 0x00]),
                chunk(Direction::Server, &[]),
            ],
            ..crate::Transcript::default()
        };
        let banner = "=".repeat(67);
        assert_eq!(
            follow_text(&t),
            format!(
                "{banner}\nFollow: tcp,raw\nFilter: tcp.stream eq 0\n474554\n\t8100\n{banner}\n"
            )
        );
        assert_eq!(percent_encode("a b\n\t=&%"), "a%20b%0A%09%3D%26%25");
    }
}
