//! Shared by the transcript tests: the recorded fixtures and what tshark itself says
//! about them (the `.payloads` files: frame number, epoch time, source port, raw
//! sequence number and TCP payload of every packet, from `tshark -T fields`).

#![allow(dead_code)]

use wsinspect::Direction;

pub const DIR: &str = "tests/fixtures/transcripts";

/// A fixture's text.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One packet with a payload, as tshark reports it.
#[derive(Debug, Clone)]
pub struct Payload {
    pub packet: u64,
    pub epoch: f64,
    pub direction: Direction,
    pub bytes: Vec<u8>,
}

/// The capture's client port (the SYN's source: tshark's first packet) and every
/// packet with a payload, in capture order.
pub fn payloads(capture: &str) -> (u16, Vec<Payload>) {
    let text = fixture(&format!("{capture}.payloads"));
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let client_port: u16 = rows[0][2].parse().unwrap();
    let payloads = rows
        .iter()
        .filter(|row| !row[4].is_empty())
        .map(|row| Payload {
            packet: row[0].parse().unwrap(),
            epoch: row[1].parse().unwrap(),
            direction: if row[2].parse::<u16>().unwrap() == client_port {
                Direction::Client
            } else {
                Direction::Server
            },
            bytes: (0..row[4].len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&row[4][i..i + 2], 16).unwrap())
                .collect(),
        })
        .collect();
    (client_port, payloads)
}

/// Every fixture text file.
pub fn all_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    names
}
