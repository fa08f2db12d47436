//! permessage-deflate in groups 12 and 13 (RFC 7692): what the tester offers as a client,
//! and what it accepts as a server, for each negotiation (0: group 12; 1 to 7: 13.1 to
//! 13.7), as Autobahn's cases do.

use crate::{parse_extensions, Negotiation, PerMessageDeflateParams, PERMESSAGE_DEFLATE};

/// One offer: (server_no_context_takeover asked, server_max_window_bits asked, 0: not).
type Offer = (bool, u8);

fn offers_of(negotiation: u8) -> Vec<Offer> {
    match negotiation {
        2 => vec![(true, 0)],
        3 => vec![(false, 9)],
        4 => vec![(false, 15)],
        5 => vec![(true, 9)],
        6 => vec![(true, 15)],
        7 => vec![(true, 9), (true, 0), (false, 0)],
        _ => vec![(false, 0)],
    }
}

/// The Sec-WebSocket-Extensions value the tester offers as a client: each offer lets the
/// server choose the client's window and context takeover (RFC 7692 §7.1.1.2, §7.1.2.2).
pub fn client_offer(negotiation: u8) -> String {
    offers_of(negotiation)
        .iter()
        .map(|&(no_context, bits)| {
            let mut o =
                format!("{PERMESSAGE_DEFLATE}; client_no_context_takeover; client_max_window_bits");
            if no_context {
                o.push_str("; server_no_context_takeover");
            }
            if bits > 0 {
                o.push_str(&format!("; server_max_window_bits={bits}"));
            }
            o
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// As a server: the response value for the client's offers (`None`: declined, no
/// extension), or why the offers are refused (the handshake then fails with 400).
///
/// Rules (Autobahn's accept1 to accept7): group 12 and 13.1 accept the first offer as
/// offered; 13.2 adds `client_no_context_takeover`; 13.3/13.4 take the first offer with
/// `client_max_window_bits` and set it to 9/15; 13.5/13.6 add `client_no_context_takeover`
/// to those; 13.7 tries 13.5's rule, then 13.2's, then 13.1's. The offer's
/// `server_no_context_takeover` and `server_max_window_bits` are always honoured.
pub fn server_accept(negotiation: u8, offers: &str) -> Result<Option<String>, String> {
    let mut parsed = Vec::new();
    for ext in parse_extensions(offers).map_err(|e| e.message)? {
        if ext.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE) {
            let p = PerMessageDeflateParams::from_extension(&ext, Negotiation::Offer)
                .map_err(|e| e.message)?;
            parsed.push(p);
        }
    }
    let rule = |rule: u8| -> Option<String> {
        let offer = match rule {
            3..=6 => parsed.iter().find(|p| p.client_max_window_bits.is_some())?,
            _ => parsed.first()?,
        };
        let mut r = PERMESSAGE_DEFLATE.to_string();
        if offer.server_no_context_takeover {
            r.push_str("; server_no_context_takeover");
        }
        if let Some(bits) = offer.server_max_window_bits {
            r.push_str(&format!("; server_max_window_bits={bits}"));
        }
        match rule {
            2 => r.push_str("; client_no_context_takeover"),
            3 => r.push_str("; client_max_window_bits=9"),
            4 => r.push_str("; client_max_window_bits=15"),
            5 => r.push_str("; client_no_context_takeover; client_max_window_bits=9"),
            6 => r.push_str("; client_no_context_takeover; client_max_window_bits=15"),
            _ => {}
        }
        Some(r)
    };
    Ok(match negotiation {
        7 => rule(5).or_else(|| rule(2)).or_else(|| rule(1)),
        n => rule(n.max(1)),
    })
}

/// From a negotiated value, as `side` (true: the tester is the client): whether the
/// tester's own messages must start from an empty window, and its window bits.
pub fn own_limits(response: &str, tester_is_client: bool) -> Option<(bool, u8)> {
    let (params, _) = crate::negotiated_permessage_deflate(response).ok()?;
    let p = params?;
    Some(if tester_is_client {
        let bits = match p.client_max_window_bits {
            Some(crate::ClientMaxWindowBits::Bits(b)) => b,
            _ => 15,
        };
        (p.client_no_context_takeover, bits)
    } else {
        (
            p.server_no_context_takeover,
            p.server_max_window_bits.unwrap_or(15),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_and_accepts_are_autobahns() {
        assert_eq!(
            client_offer(5),
            "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9"
        );
        assert_eq!(client_offer(7).matches("permessage-deflate").count(), 3);
        let chrome = "permessage-deflate; client_max_window_bits";
        assert_eq!(
            server_accept(0, chrome).unwrap().as_deref(),
            Some("permessage-deflate")
        );
        assert_eq!(
            server_accept(3, chrome).unwrap().as_deref(),
            Some("permessage-deflate; client_max_window_bits=9")
        );
        // Without client_max_window_bits in the offer, 13.3 to 13.6 decline.
        assert_eq!(server_accept(3, "permessage-deflate").unwrap(), None);
        assert_eq!(
            server_accept(7, "permessage-deflate").unwrap().as_deref(),
            Some("permessage-deflate; client_no_context_takeover")
        );
        assert!(server_accept(1, "permessage-deflate; server_max_window_bits=99").is_err());
        assert_eq!(
            own_limits("permessage-deflate; client_max_window_bits=9", true),
            Some((false, 9))
        );
        assert_eq!(
            own_limits("permessage-deflate; server_no_context_takeover", false),
            Some((true, 15))
        );
    }
}
