//! Groups 12 and 13, permessage-deflate (RFC 7692): messages of 16 bytes to 128 KiB of
//! five kinds of data, compressed, some split into frames of the compressed payload, each
//! sent once the last came back; every echo must have the same type, length and SHA-1.
//! Group 12 varies the data (JSON, a picture, a book, HTML, a document); group 13 the
//! negotiation (context takeover and window bits both ways), always with JSON. Without
//! `full` each case sends 100 messages instead of 1000.

use crate::conformance::case::{Case, Compression, DataSet, ExpectedClose, Special, Step};

/// (length, fragment, give-up seconds) of the 18 cases of each sub-group.
const ROWS: [(usize, usize, u64); 18] = [
    (16, 0, 60),
    (64, 0, 60),
    (256, 0, 120),
    (1024, 0, 240),
    (4096, 0, 480),
    (8192, 0, 480),
    (16384, 0, 480),
    (32768, 0, 480),
    (65536, 0, 480),
    (131072, 0, 480),
    (8192, 256, 480),
    (16384, 256, 480),
    (32768, 256, 480),
    (65536, 256, 480),
    (131072, 256, 480),
    (131072, 1024, 480),
    (131072, 4096, 480),
    (131072, 32768, 480),
];

fn data_name(set: DataSet) -> &'static str {
    match set {
        DataSet::Json => "JSON records (text)",
        DataSet::Picture => "a grey-scale picture (binary)",
        DataSet::Book => "a book's text (sent as binary)",
        DataSet::Html => "an HTML page with non-ASCII text (text)",
        DataSet::Document => "a document's compressed streams (binary)",
    }
}

fn negotiation_name(n: u8) -> &'static str {
    match n {
        0 | 1 => "the tester offers no context takeover and any window for itself; as a server it accepts the first offer as it is",
        2 => "the tester also asks the server not to keep its context; as a server it answers client_no_context_takeover",
        3 => "the tester asks for a server window of 2^9; as a server it answers client_max_window_bits=9",
        4 => "the tester asks for a server window of 2^15; as a server it answers client_max_window_bits=15",
        5 => "no server context takeover and a window of 2^9 asked; as a server: client_no_context_takeover, client_max_window_bits=9",
        6 => "no server context takeover and a window of 2^15 asked; as a server: client_no_context_takeover, client_max_window_bits=15",
        _ => "three offers in order (13.5's, 13.2's, 13.1's); as a server it tries 13.5's rule, then 13.2's, then 13.1's",
    }
}

fn case(
    id: String,
    set: DataSet,
    (length, fragment, give_up): (usize, usize, u64),
    negotiation: u8,
    count: usize,
) -> Case {
    let unit = if set.binary() { "bytes" } else { "characters" };
    let split = if fragment > 0 {
        format!(", each split into frames of {fragment} bytes of its compressed payload")
    } else {
        String::new()
    };
    let mut c = Case::new(
        &id,
        &format!(
            "Negotiate permessage-deflate ({}), then send {count} compressed messages of {length} {unit} of {}{split}, each once the last was echoed.",
            negotiation_name(negotiation),
            data_name(set)
        ),
        "The peer echoes every message (same type, length and SHA-1); the time is the figure. Without permessage-deflate agreed: UNIMPLEMENTED. A clean close with 1000.",
        vec![Step::CloseAfter(give_up * 1000)],
        vec![],
        ExpectedClose::tester_normal(),
    );
    c.expected.clear();
    c.special = Special::Compression(Compression {
        data: set,
        length,
        count,
        fragment,
        negotiation,
    });
    c
}

/// Group 12.
pub fn group12(full: bool) -> Vec<Case> {
    let count = if full { 1000 } else { 100 };
    let sets = [
        DataSet::Json,
        DataSet::Picture,
        DataSet::Book,
        DataSet::Html,
        DataSet::Document,
    ];
    let mut cases = Vec::new();
    for (s, set) in sets.into_iter().enumerate() {
        for (r, row) in ROWS.into_iter().enumerate() {
            cases.push(case(format!("12.{}.{}", s + 1, r + 1), set, row, 0, count));
        }
    }
    cases
}

/// Group 13.
pub fn group13(full: bool) -> Vec<Case> {
    let count = if full { 1000 } else { 100 };
    let mut cases = Vec::new();
    for negotiation in 1..=7u8 {
        for (r, row) in ROWS.into_iter().enumerate() {
            cases.push(case(
                format!("13.{negotiation}.{}", r + 1),
                DataSet::Json,
                row,
                negotiation,
                count,
            ));
        }
    }
    cases
}
