//! The data groups 12 and 13 compress: five kinds, made here from a fixed seed so every run
//! sends the same bytes (Autobahn ships five files of these kinds; wsinspect makes its own).

use crate::conformance::case::DataSet;

/// About the size of Autobahn's files of each kind.
const SIZE: usize = 256 * 1024;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "the", "of", "and", "to", "in", "that", "was", "his", "with", "he", "it", "as", "for", "had",
    "you", "not", "be", "her", "on", "at", "by", "which", "have", "or", "from", "this", "him",
    "but", "all", "she", "they", "were", "my", "are", "me", "one", "their", "so", "an", "said",
    "them", "we", "who", "would", "been", "will", "no", "when", "there", "if", "more", "out", "up",
    "into", "do", "any", "your", "what", "has", "man", "could", "other", "than",
];

/// The data set's bytes (for text kinds: UTF-8).
pub fn bytes(set: DataSet) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ set as u64);
    let mut out = Vec::with_capacity(SIZE + 1024);
    match set {
        DataSet::Json => {
            out.push(b'[');
            let mut id = 0;
            while out.len() < SIZE {
                id += 1;
                let word = |rng: &mut Rng| WORDS[rng.below(WORDS.len())];
                let record = format!(
                    "{{\"id\":{id},\"name\":\"{} {}\",\"active\":{},\"score\":{}.{:02},\"tags\":[\"{}\",\"{}\"]}},",
                    word(&mut rng),
                    word(&mut rng),
                    rng.below(2) == 0,
                    rng.below(1000),
                    rng.below(100),
                    word(&mut rng),
                    word(&mut rng)
                );
                out.extend_from_slice(record.as_bytes());
            }
            out.push(b']');
        }
        DataSet::Picture => {
            for y in 0..512usize {
                for x in 0..512usize {
                    let smooth = (x * 3 + y * 2) / 8 + ((x ^ y) & 15);
                    let noise = rng.below(9);
                    out.push((smooth + noise) as u8);
                }
            }
        }
        DataSet::Book => {
            while out.len() < SIZE {
                let sentence = 5 + rng.below(15);
                for i in 0..sentence {
                    let word = WORDS[rng.below(WORDS.len())];
                    if i == 0 {
                        let mut w = word.to_string();
                        w[..1].make_ascii_uppercase();
                        out.extend_from_slice(w.as_bytes());
                    } else {
                        out.push(b' ');
                        out.extend_from_slice(word.as_bytes());
                    }
                }
                out.extend_from_slice(if rng.below(6) == 0 { b".\n\n" } else { b". " });
            }
        }
        DataSet::Html => {
            out.extend_from_slice(b"<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Gr\xc3\xbc\xc3\x9fe</title></head><body>\n");
            let extra = [
                "Stra\u{df}e",
                "\u{fc}ber",
                "caf\u{e9}",
                "na\u{ef}ve",
                "\u{441}\u{43b}\u{43e}\u{432}\u{43e}",
                "\u{8a9e}",
                "\u{2603}",
            ];
            while out.len() < SIZE {
                out.extend_from_slice(b"<p class=\"text\">");
                for _ in 0..(8 + rng.below(24)) {
                    let w = if rng.below(5) == 0 {
                        extra[rng.below(extra.len())]
                    } else {
                        WORDS[rng.below(WORDS.len())]
                    };
                    out.extend_from_slice(w.as_bytes());
                    out.push(b' ');
                }
                out.extend_from_slice(b"</p>\n");
            }
            out.extend_from_slice(b"</body></html>\n");
        }
        DataSet::Document => {
            // Mostly high-entropy streams between short structured headers.
            let mut n = 0;
            while out.len() < SIZE {
                n += 1;
                out.extend_from_slice(
                    format!("{n} 0 obj\n<< /Length 4096 /Filter /FlateDecode >>\nstream\n")
                        .as_bytes(),
                );
                for _ in 0..4096 {
                    out.push(rng.next() as u8);
                }
                out.extend_from_slice(b"\nendstream\nendobj\n");
            }
        }
    }
    out
}

/// A data set ready to be cut into messages: its bytes and, for text, where each code
/// point starts.
pub struct Prepared {
    bytes: Vec<u8>,
    binary: bool,
    /// Text: the byte offset of each code point.
    starts: Vec<usize>,
}

impl Prepared {
    pub fn new(set: DataSet) -> Prepared {
        let bytes = super::data::bytes(set);
        let binary = set.binary();
        let starts = if binary {
            Vec::new()
        } else {
            String::from_utf8_lossy(&bytes)
                .char_indices()
                .map(|(i, _)| i)
                .collect()
        };
        Prepared {
            bytes,
            binary,
            starts,
        }
    }

    /// The `i`th message (0-based) of `length` units: the data read on from where the
    /// last message ended, around to the start when it runs out; text counts code points.
    pub fn message(&self, length: usize, i: usize) -> Vec<u8> {
        if self.binary {
            let start = (i * length) % self.bytes.len();
            return self
                .bytes
                .iter()
                .copied()
                .cycle()
                .skip(start)
                .take(length)
                .collect();
        }
        let n = self.starts.len();
        let mut out = Vec::with_capacity(length * 2);
        let mut at = (i * length) % n;
        let mut left = length;
        while left > 0 {
            let take = left.min(n - at);
            let from = self.starts[at];
            let to = self
                .starts
                .get(at + take)
                .copied()
                .unwrap_or(self.bytes.len());
            out.extend_from_slice(&self.bytes[from..to]);
            left -= take;
            at = 0;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_kinds_are_utf8_and_messages_count_code_points() {
        for set in [DataSet::Json, DataSet::Html] {
            let data = bytes(set);
            assert!(std::str::from_utf8(&data).is_ok());
            let prepared = Prepared::new(set);
            let m = prepared.message(100, 3);
            assert_eq!(std::str::from_utf8(&m).unwrap().chars().count(), 100);
            // Around the end: still whole code points.
            let chars = String::from_utf8(data).unwrap().chars().count();
            let m = prepared.message(chars - 7, 1);
            assert_eq!(std::str::from_utf8(&m).unwrap().chars().count(), chars - 7);
        }
        let html = bytes(DataSet::Html);
        assert!(html.len() > String::from_utf8(html.clone()).unwrap().chars().count());
        let pic = bytes(DataSet::Picture);
        let prepared = Prepared::new(DataSet::Picture);
        assert_eq!(prepared.message(16, 0), pic[..16]);
        assert_eq!(prepared.message(16, 1), pic[16..32]);
    }
}
