//! `wsinspect conformance`: the Autobahn TestSuite's cases rebuilt on wsinspect's encoder
//! and decoder, with the suite's case ids and verdicts, so reports compare line by line,
//! and every verdict with the wire bytes behind it, decoded.
//!
//! One file per job: `case` (what a case is), `cases` (the cases, by group), `tester` (the
//! tester's side of one case, without I/O), `verdict` (the verdicts from what the tester
//! observed), `report` (index.json, one JSON per case) and `report_html` (the HTML
//! report). The binary runs them over TCP (src/server/conformance/): as a client against
//! a server under test, or as a server Autobahn's URL protocol drives.

pub mod case;
pub mod cases;
pub mod negotiate;
pub mod report;
pub mod report_html;
pub mod tester;
pub mod verdict;

pub use case::{Behavior, Case, Event, ExpectedClose, Special, Step, Write};
pub use tester::{Action, Observed, Side, Tester, Timer};
pub use verdict::{judge, Verdict};
