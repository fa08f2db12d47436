//! Placeholder until the text-form parsers land: no text is a transcript yet.

use crate::bytes::ParseError;
use crate::direction::Transcript;

/// Both directions of a connection from the text people copy out of Wireshark, tshark
/// or tcpdump; `Ok(None)` when the text is none of those forms.
pub fn parse_transcript(_text: &str) -> Result<Option<Transcript>, ParseError> {
    Ok(None)
}
