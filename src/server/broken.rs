//! Deliberately broken server frames, one per violation id a server can commit, so the page
//! can see what the browser does with each (the close code it answers, the error it fires).

use wsinspect::encode::{encode_frame, FrameSpec, LengthField};
use wsinspect::ViolationId;

/// The violations a server can commit, in the order of the core's table: every id
/// [`frames`] builds bytes for when permessage-deflate is in force (two rules need it; the
/// other ids it refuses, saying why).
pub fn violations() -> impl Iterator<Item = ViolationId> {
    ViolationId::ALL
        .into_iter()
        .filter(|id| frames(id.as_str(), true).is_ok())
}

/// The bytes to send for a violation, what they are, and whether they include a close frame.
#[derive(Debug)]
pub struct Broken {
    pub bytes: Vec<u8>,
    pub what: String,
    pub closes: bool,
}

/// The frames that break the rule named `name` (a violation id, as the tap's `violation`
/// action gives it); `deflate` tells whether permessage-deflate is in force (two rules
/// exist only under it).
pub fn frames(name: &str, deflate: bool) -> Result<Broken, String> {
    let Some(id) = ViolationId::from_name(name) else {
        let names: Vec<&str> = violations().map(ViolationId::as_str).collect();
        return Err(format!(
            "unknown violation {name:?}; one of {}",
            names.join(", ")
        ));
    };
    let frame = |spec: FrameSpec| encode_frame(&spec);
    let text = |s: &str| FrameSpec::text(s);
    let (bytes, what, closes) = match id {
        ViolationId::ReservedBits => {
            let mut spec = text("rsv2 set");
            spec.rsv2 = true;
            (frame(spec), "a text frame with rsv2 set", false)
        }
        ViolationId::ReservedOpcode => (
            frame(FrameSpec::new(0x3, b"opcode 3".to_vec())),
            "a frame with reserved opcode 0x3",
            false,
        ),
        ViolationId::MaskedServerFrame => (
            frame(text("masked").masked([0x37, 0xfa, 0x21, 0x3d])),
            "a masked text frame from the server",
            false,
        ),
        ViolationId::ControlFrameTooLong => (
            frame(FrameSpec::new(0x9, vec![b'p'; 126])),
            "a ping with a 126-byte payload",
            false,
        ),
        ViolationId::FragmentedControlFrame => {
            let mut spec = FrameSpec::new(0x9, b"half".to_vec());
            spec.fin = false;
            (frame(spec), "a ping with fin clear", false)
        }
        ViolationId::NonMinimalLength => {
            let mut spec = text("Hello");
            spec.length_field = Some(LengthField::Bits16);
            (
                frame(spec),
                "a text frame whose length 5 is written in 16 bits",
                false,
            )
        }
        ViolationId::LengthTooLarge => {
            let mut spec = text("Hello");
            spec.length_field = Some(LengthField::Bits64);
            spec.declared_length = Some((1 << 63) | 5);
            (
                frame(spec),
                "a text frame whose 64-bit length has its top bit set",
                false,
            )
        }
        ViolationId::UnexpectedContinuation => (
            frame(FrameSpec::new(0x0, b"no message".to_vec())),
            "a continuation frame with no message open",
            false,
        ),
        ViolationId::ExpectedContinuation => {
            let mut first = text("first half");
            first.fin = false;
            let mut bytes = frame(first);
            bytes.extend_from_slice(&frame(text("not a continuation")));
            (
                bytes,
                "a text frame while a fragmented message is open",
                false,
            )
        }
        ViolationId::ClosePayloadTooShort => (
            frame(FrameSpec::new(0x8, vec![0x03])),
            "a close frame with a 1-byte payload",
            true,
        ),
        ViolationId::InvalidCloseCode => (
            frame(FrameSpec::close(1005, "")),
            "a close frame with code 1005",
            true,
        ),
        ViolationId::InvalidUtf8 => (
            frame(FrameSpec::new(0x1, vec![b'o', b'k', 0xC3, 0x28])),
            "a text frame with invalid utf-8",
            false,
        ),
        ViolationId::InvalidRsv1 if deflate => {
            let mut spec = FrameSpec::new(0x9, b"rsv1".to_vec());
            spec.rsv1 = true;
            (
                frame(spec),
                "a ping with rsv1 set under permessage-deflate",
                false,
            )
        }
        ViolationId::InflateFailed if deflate => {
            let mut spec = FrameSpec::new(0x1, vec![0xFF, 0xFF, 0xFF, 0xFF]);
            spec.rsv1 = true;
            (
                frame(spec),
                "a compressed text frame that does not inflate",
                false,
            )
        }
        ViolationId::InvalidRsv1 | ViolationId::InflateFailed => {
            return Err(format!(
                "{id} needs permessage-deflate on this connection (connect without ?deflate=0)"
            ))
        }
        ViolationId::DataAfterClose => {
            let mut bytes = frame(FrameSpec::close(1000, ""));
            bytes.extend_from_slice(&frame(text("after close")));
            (bytes, "a close frame and then a text frame", true)
        }
        ViolationId::UnmaskedClientFrame => {
            return Err("unmasked-client-frame is a client's rule: a server cannot break it".into())
        }
        ViolationId::MessageTooBig => {
            return Err(
                "message-too-big depends on the receiver's limit, and browsers set none".into(),
            )
        }
        // hixie-76 framing has no masks, opcodes or close codes to break: the hixie
        // endpoint refuses these itself, and an RFC 6455 connection cannot carry them.
        ViolationId::HixieInvalidFrameType
        | ViolationId::HixieInvalidUtf8
        | ViolationId::HixieLengthOverflow
        | ViolationId::HixieDataAfterClose => {
            return Err(format!(
                "{id} is a hixie-76 framing rule, not one of RFC 6455"
            ))
        }
    };
    Ok(Broken {
        bytes,
        what: what.into(),
        closes,
    })
}

#[cfg(test)]
mod tests {
    use wsinspect::{decode, DecodeOptions, Protocol, Role};

    use super::*;

    /// The core's decoder, reading as a browser would, reports exactly the rule asked for.
    #[test]
    fn each_broken_frame_breaks_its_rule_according_to_the_core() {
        assert_eq!(violations().count(), 15);
        for id in violations() {
            let deflate = matches!(id, ViolationId::InvalidRsv1 | ViolationId::InflateFailed);
            let broken = frames(id.as_str(), deflate).unwrap();
            let options = DecodeOptions {
                role: Role::Server,
                protocol: Protocol::Rfc6455,
                extensions: deflate.then(|| "permessage-deflate".to_owned()),
                max_message_size: None,
                ..DecodeOptions::default()
            };
            let out = decode(&broken.bytes, options).unwrap();
            let ids: Vec<ViolationId> = out.violations.iter().map(|v| v.id).collect();
            assert!(ids.contains(&id), "{id}: {ids:?}");
            let has_close = out.frames.iter().any(|f| f.opcode == 0x8);
            assert_eq!(has_close, broken.closes, "{id}");
        }
    }

    #[test]
    fn rules_a_server_cannot_break_say_why() {
        assert!(frames("unmasked-client-frame", false)
            .unwrap_err()
            .contains("client"));
        assert!(frames("message-too-big", false)
            .unwrap_err()
            .contains("limit"));
        assert!(frames("invalid-rsv1", false)
            .unwrap_err()
            .contains("permessage-deflate"));
        assert!(frames("nonsense", false)
            .unwrap_err()
            .contains("unknown violation"));
        assert!(frames("hixie-invalid-utf8", false)
            .unwrap_err()
            .contains("hixie-76"));
    }
}
