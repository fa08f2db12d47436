//! The NSS key log format (`SSLKEYLOGFILE`), as Chrome, Firefox, curl, Node
//! (`--tls-keylog`), Python (`SSLContext.keylog_filename`) and Go write it, and as a pcapng
//! Decryption Secrets Block of type TLS key log carries it: one secret a line,
//! `<label> <client random, 64 hex digits> <secret in hex>`; `#` starts a comment.
//!
//! The labels read: `CLIENT_RANDOM` (TLS 1.2's 48-byte master secret) and TLS 1.3's
//! `CLIENT_HANDSHAKE_TRAFFIC_SECRET`, `SERVER_HANDSHAKE_TRAFFIC_SECRET`,
//! `CLIENT_TRAFFIC_SECRET_0` and `SERVER_TRAFFIC_SECRET_0`. Other labels (exporter and early
//! secrets, `RSA` pre-master secrets) are skipped; a line that is not a key log line is a
//! problem naming its line number, and the lines around it still count.

use std::collections::HashMap;

/// A client random: the 32 bytes that name a TLS connection in a key log.
pub(crate) type ClientRandom = [u8; 32];

/// What a key log holds for one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Secrets {
    /// TLS 1.2: the master secret (`CLIENT_RANDOM`).
    pub(crate) master: Option<Vec<u8>>,
    /// TLS 1.3: client and server handshake traffic secrets.
    pub(crate) handshake: [Option<Vec<u8>>; 2],
    /// TLS 1.3: client and server first application traffic secrets.
    pub(crate) application: [Option<Vec<u8>>; 2],
}

/// A line of a key log that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyLogProblem {
    /// 1-based line number.
    pub(crate) line: usize,
    /// What is wrong, lowercase.
    pub(crate) message: String,
}

/// Every secret of the key logs read so far, by client random.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyLog {
    secrets: HashMap<ClientRandom, Secrets>,
}

/// A secret longer than this is not one (SHA-384's 48 bytes is the longest in use).
const MAX_SECRET: usize = 64;

impl KeyLog {
    /// The secrets for a client random.
    pub(crate) fn get(&self, random: &ClientRandom) -> Option<&Secrets> {
        self.secrets.get(random)
    }

    /// Reads a key log's text (adding to what was read before); returns the lines that
    /// could not be read.
    pub(crate) fn read(&mut self, text: &[u8]) -> Vec<KeyLogProblem> {
        let mut problems = Vec::new();
        for (index, line) in text.split(|&b| b == b'\n').enumerate() {
            if let Err(message) = self.read_line(line) {
                problems.push(KeyLogProblem {
                    line: index + 1,
                    message,
                });
            }
        }
        problems
    }

    fn read_line(&mut self, line: &[u8]) -> Result<(), String> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            return Ok(());
        }
        let text = std::str::from_utf8(line).map_err(|_| "not text".to_string())?;
        let fields: Vec<&str> = text.split_ascii_whitespace().collect();
        // Messages quote a line's label and client random, never its secret: notices are
        // shown and may be shared.
        let [label, random, secret] = fields[..] else {
            return Err(format!(
                "not a key log line (label, client random, secret): it has {} field(s), the first {}",
                fields.len(),
                preview(fields[0])
            ));
        };
        if !label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(format!("{} is not a key log label", preview(label)));
        }
        let slot = match label {
            "CLIENT_RANDOM" => Slot::Master,
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET" => Slot::Handshake(0),
            "SERVER_HANDSHAKE_TRAFFIC_SECRET" => Slot::Handshake(1),
            "CLIENT_TRAFFIC_SECRET_0" => Slot::Application(0),
            "SERVER_TRAFFIC_SECRET_0" => Slot::Application(1),
            // Exporter and early secrets, RSA pre-master secrets: not needed to read records.
            _ => return Ok(()),
        };
        let random: ClientRandom = hex(random)
            .filter(|r| r.len() == 32)
            .and_then(|r| r.try_into().ok())
            .ok_or_else(|| {
                format!(
                    "{label}: the client random is not 64 hex digits: {}",
                    preview(random)
                )
            })?;
        let secret = hex(secret)
            .filter(|s| !s.is_empty() && s.len() <= MAX_SECRET)
            .ok_or_else(|| {
                format!(
                    "{label}: the secret is not hex digits (an even number of them, at most {})",
                    2 * MAX_SECRET
                )
            })?;
        if matches!(slot, Slot::Master) && secret.len() != 48 {
            return Err(format!(
                "CLIENT_RANDOM: a master secret is 48 bytes, this one {}",
                secret.len()
            ));
        }
        if !matches!(slot, Slot::Master) && secret.len() != 32 && secret.len() != 48 {
            return Err(format!(
                "{label}: a traffic secret is 32 or 48 bytes, this one {}",
                secret.len()
            ));
        }
        let entry = self.secrets.entry(random).or_default();
        let place = match slot {
            Slot::Master => &mut entry.master,
            Slot::Handshake(i) => &mut entry.handshake[i],
            Slot::Application(i) => &mut entry.application[i],
        };
        *place = Some(secret);
        Ok(())
    }
}

enum Slot {
    Master,
    Handshake(usize),
    Application(usize),
}

/// Hex digits as bytes; `None` for anything else.
fn hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

/// The start of a piece of a line, for a message.
fn preview(text: &str) -> String {
    let mut cut: String = text.chars().take(40).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// A client random as the hex people find in their key log (its first 8 digits and `…`
/// when `short`).
pub(crate) fn random_hex(random: &ClientRandom, short: bool) -> String {
    let bytes = if short { &random[..4] } else { &random[..] };
    let mut text = crate::bytes::hex::to_hex(bytes);
    if short {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANDOM: &str = "52362c10a2665e323a2adb4b9da0c10d4a8823719272f8b4c97af24f92784812";

    #[test]
    fn reads_each_label_and_skips_comments_and_unknown_labels() {
        let text = format!(
            "# a comment\n\nCLIENT_RANDOM {RANDOM} {m}\r\nCLIENT_HANDSHAKE_TRAFFIC_SECRET {RANDOM} {a}\nSERVER_HANDSHAKE_TRAFFIC_SECRET {RANDOM} {b}\nCLIENT_TRAFFIC_SECRET_0 {RANDOM} {c}\nSERVER_TRAFFIC_SECRET_0 {RANDOM} {d}\nEXPORTER_SECRET {RANDOM} {a}\n",
            m = "ab".repeat(48),
            a = "01".repeat(32),
            b = "02".repeat(48),
            c = "03".repeat(32),
            d = "04".repeat(32),
        );
        let mut log = KeyLog::default();
        assert_eq!(log.read(text.as_bytes()), vec![]);
        let random: ClientRandom = hex(RANDOM).unwrap().try_into().unwrap();
        let s = log.get(&random).unwrap();
        assert_eq!(s.master.as_deref(), Some(&[0xab; 48][..]));
        assert_eq!(s.handshake[0].as_deref(), Some(&[1; 32][..]));
        assert_eq!(s.handshake[1].as_deref(), Some(&[2; 48][..]));
        assert_eq!(s.application[0].as_deref(), Some(&[3; 32][..]));
        assert_eq!(s.application[1].as_deref(), Some(&[4; 32][..]));
    }

    #[test]
    fn bad_lines_are_problems_with_their_line_numbers_and_the_rest_is_read() {
        let text = format!(
            "garbage here\nCLIENT_RANDOM {RANDOM}\nCLIENT_RANDOM zz{r} {m}\nCLIENT_RANDOM {RANDOM} {short}\nlower_case {RANDOM} {m}\nCLIENT_RANDOM {RANDOM} {m}\n",
            r = &RANDOM[2..],
            m = "cd".repeat(48),
            short = "cd".repeat(10),
        );
        let mut log = KeyLog::default();
        let problems = log.read(text.as_bytes());
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4, 5], "{problems:?}");
        assert!(
            problems[2].message.contains("64 hex digits"),
            "{problems:?}"
        );
        assert!(problems[3].message.contains("48 bytes"), "{problems:?}");
        let random: ClientRandom = hex(RANDOM).unwrap().try_into().unwrap();
        assert_eq!(
            log.get(&random).unwrap().master.as_deref(),
            Some(&[0xcd; 48][..])
        );
    }

    #[test]
    fn messages_never_quote_a_secret() {
        let secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeX";
        let text = format!(
            "CLIENT_TRAFFIC_SECRET_0 {RANDOM} {secret}\nCLIENT_RANDOM {RANDOM} {secret} extra\n"
        );
        let problems = KeyLog::default().read(text.as_bytes());
        assert_eq!(problems.len(), 2);
        for p in problems {
            assert!(!p.message.contains("0123456789abcdef"), "{}", p.message);
        }
    }
}
