//! The verdicts of one case, from what the tester observed: `behavior` from the events
//! (the first outcome whose list equals what came), `behaviorClose` from how the
//! connection closed, by the Autobahn TestSuite's rules in their order, so reports compare
//! line by line.

use super::case::{op, Behavior, Case, Special};
use super::tester::{Observed, Side};

/// The two verdicts and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub behavior: Behavior,
    pub behavior_close: Behavior,
    /// Why `behavior`, for people.
    pub result: String,
    /// Why `behavior_close`, for people.
    pub result_close: String,
}

/// Judges a case that reached the open state.
pub fn judge(case: &Case, side: Side, seen: &Observed) -> Verdict {
    let matched = case
        .expected
        .iter()
        .find(|(_, events)| *events == seen.received);
    let (mut behavior, mut result) = match matched {
        Some((b, _)) => (*b, "Actual events match at least one expected.".to_string()),
        None => (
            Behavior::Failed,
            "Actual events differ from any expected.".to_string(),
        ),
    };
    let close = &case.expected_close;
    let (mut behavior_close, result_close) = if close.closed_by_me != seen.closed_by_me {
        (
            Behavior::Failed,
            "The connection was failed by the wrong endpoint".to_string(),
        )
    } else if close.require_clean && !seen.was_clean {
        (
            Behavior::Unclean,
            "The spec requires the connection to be failed cleanly here".to_string(),
        )
    } else if seen
        .remote_close_code
        .is_some_and(|code| !close.codes.contains(&code))
    {
        let codes: Vec<String> = close.codes.iter().map(u16::to_string).collect();
        (
            Behavior::WrongCode,
            format!(
                "The close code should have been {} or empty",
                codes.join(",")
            ),
        )
    } else if side == Side::Client && seen.dropped_by_me {
        (
            Behavior::FailedByClient,
            "It is preferred that the server close the TCP connection".to_string(),
        )
    } else {
        (Behavior::Ok, "Connection was properly closed".to_string())
    };
    // The peer did not notice the invalid text itself: the tester had to close.
    if close.wrong_endpoint_fatal && close.closed_by_me != seen.closed_by_me {
        behavior = Behavior::Failed;
    }
    match case.special {
        Special::None => {}
        Special::WrongCodeFails => {
            if behavior_close == Behavior::WrongCode {
                behavior = Behavior::Failed;
                result = result_close.clone();
            }
        }
        Special::Compression(_) if seen.unimplemented => {
            behavior = Behavior::Unimplemented;
            result = "permessage-deflate was not agreed in the opening handshake.".to_string();
        }
        // Groups 9, 12 and 13: what the tester found of the answers decides.
        Special::Performance(_) | Special::Compression(_) => {
            let missing = match case.special {
                Special::Performance(_) => "Did not receive the answer",
                _ => "The case did not finish",
            };
            (behavior, result) = match &seen.performance {
                Some((true, text)) => (Behavior::Ok, text.clone()),
                Some((false, text)) => (Behavior::Failed, text.clone()),
                None => (
                    Behavior::Failed,
                    match give_up(case) {
                        Some(ms) => format!("{missing} within {} seconds.", ms / 1000),
                        None => format!("{missing}."),
                    },
                ),
            };
        }
        Special::Informational => {
            behavior = Behavior::Informational;
            behavior_close = Behavior::Informational;
            // The spec leaves these open: what the peer did is reported, not judged
            // (7.1.6: whether its echo of the text came before its close).
            let code = match seen.remote_close_code {
                Some(code) => format!("the peer closed with code {code}"),
                None => "the peer closed without a close code".to_string(),
            };
            let echoed = seen
                .received
                .iter()
                .any(|e| matches!(e, super::case::Event::Message { .. }));
            result = if case.id == "7.1.6" {
                if echoed {
                    format!("The text message was processed before the close; {code}.")
                } else {
                    format!(
                        "The close was processed before the text message could be echoed; {code}."
                    )
                }
            } else {
                format!("The events are left open by the spec; {code}.")
            };
        }
        Special::SentFrames { text, continuation } => {
            let count = |opcode: u8| seen.tx_frames.get(&opcode).copied().unwrap_or(0);
            let got = (count(op::CONT), count(op::TEXT));
            if got != (continuation, text) {
                behavior = Behavior::Failed;
                // Autobahn's words, its counts keyed by opcode.
                result = format!(
                    "Frames transmitted {{0: {}, 1: {}}} does not match what we expected {{0: {continuation}, 1: {text}}}.",
                    got.0, got.1
                );
            }
        }
    }
    Verdict {
        behavior,
        behavior_close,
        result,
        result_close,
    }
}

/// A case's give-up time (its close-after step), in milliseconds.
fn give_up(case: &Case) -> Option<u64> {
    case.steps.iter().find_map(|s| match s {
        super::case::Step::CloseAfter(ms) => Some(*ms),
        _ => None,
    })
}

/// The verdicts of a case whose opening handshake never completed.
pub fn never_opened(why: &str) -> Verdict {
    Verdict {
        behavior: Behavior::Failed,
        behavior_close: Behavior::Failed,
        result: format!("The WebSocket opening handshake was never completed: {why}"),
        result_close: "The WebSocket opening handshake was never completed!".to_string(),
    }
}
