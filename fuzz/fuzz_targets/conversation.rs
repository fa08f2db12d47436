//! A conversation on arbitrary bytes, cut into a client and a server direction by the
//! first byte: it must never panic; feeding the two directions in any interleaving and
//! any chunking (empty pushes included) must give each direction the same frames,
//! messages, violations, notices and incomplete tail as feeding each whole; every
//! offset must lie inside its own direction's bytes; no message may pass the maximum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsinspect::{ChunkMeta, Conversation, ConversationOptions, ConversationOutput, Direction};

fuzz_target!(|data: &[u8]| {
    let [cut, max, seed, bytes @ ..] = data else {
        return;
    };
    let at = bytes.len() * usize::from(*cut) / 255;
    let (client, server) = bytes.split_at(at);
    let options = ConversationOptions {
        max_message_size: (max & 0x80 != 0).then(|| u64::from(max & 0x7F) * 5),
        mid_stream: max & 0x40 != 0 && max & 0x80 == 0,
    };
    let meta = ChunkMeta::default();

    let mut whole = Conversation::new(options.clone());
    let mut expected = whole.push(Direction::Client, client, meta);
    expected.append(whole.push(Direction::Server, server, meta));
    expected.append(whole.end());
    check_offsets(&expected, client.len() as u64, server.len() as u64, options.max_message_size);

    // Interleaving and chunk sizes from a xorshift seeded by the third byte.
    let mut state = u64::from(*seed) << 32 | 0x9E37_79B9;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut conversation = Conversation::new(options);
    let mut got = ConversationOutput::default();
    let mut rest = [client, server];
    while rest.iter().any(|r| !r.is_empty()) {
        let r = next();
        let direction = Direction::BOTH[(r & 1) as usize];
        let side = &mut rest[direction.index()];
        let (chunk, after) = side.split_at(((r >> 1) % 48) as usize % (side.len() + 1));
        got.append(conversation.push(direction, chunk, meta));
        *side = after;
    }
    got.append(conversation.end());
    for d in Direction::BOTH {
        assert_eq!(side(&got, d), side(&expected, d), "{d:?} differs when interleaved");
    }
    assert_eq!(got.request, expected.request);
    assert_eq!(got.response, expected.response);
    assert_eq!(got.pair_checks, expected.pair_checks);
    // Which close came first is the order of arrival, which the interleaving changes;
    // the close frames themselves are per-direction facts.
    let closes = |c: &Conversation| {
        let summary = c.close();
        let mut events: Vec<String> =
            [&summary.first, &summary.reply].iter().filter_map(|e| e.as_ref()).map(|e| format!("{e:?}")).collect();
        events.sort();
        events
    };
    assert_eq!(closes(&conversation), closes(&whole));
});

/// One direction's items, as text: the order between directions may differ by
/// interleaving, the order within one may not.
fn side(out: &ConversationOutput, d: Direction) -> Vec<String> {
    let mut facts = Vec::new();
    facts.extend(out.frames.iter().filter(|f| f.direction == d).map(|f| format!("{:?}", f.item)));
    facts.extend(out.messages.iter().filter(|m| m.direction == d).map(|m| format!("{:?}", m.item)));
    facts.extend(out.violations.iter().filter(|v| v.direction == d).map(|v| format!("{:?}", v.item)));
    facts.extend(out.notices.iter().filter(|n| n.direction == d).map(|n| format!("{:?}", n.item)));
    facts.extend(out.incomplete.iter().filter(|i| i.direction == d).map(|i| format!("{:?}", i.item)));
    facts
}

fn check_offsets(out: &ConversationOutput, client: u64, server: u64, max: Option<u64>) {
    let len = |d: Direction| if d == Direction::Client { client } else { server };
    for f in &out.frames {
        assert!(f.item.offset + f.item.length <= len(f.direction), "frame past its direction");
    }
    for v in &out.violations {
        assert!(v.item.offset <= len(v.direction), "violation {} past its direction", v.item.id);
    }
    for n in &out.notices {
        assert!(n.item.offset <= len(n.direction), "notice {:?} past its direction", n.item.id);
    }
    for m in &out.messages {
        assert!(m.item.offset < len(m.direction), "message past its direction");
        if let Some(max) = max {
            assert!(m.item.data.len() as u64 <= max, "message over the maximum");
        }
    }
    for i in &out.incomplete {
        assert_eq!(i.item.offset + i.item.have, len(i.direction), "the tail is not the rest");
    }
}
