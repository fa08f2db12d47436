//! draft-hixie-thewebsocketprotocol-76 keys: the 16-byte MD5 answer a server sends
//! after its handshake head, each step of computing it, and seeded key generation.
//!
//! Draft-76 §5.2 (the server's side): for each of Sec-WebSocket-Key1 and Key2, the
//! digits form a number, the spaces are counted, and the number divided by the spaces
//! is written as a big-endian 32-bit integer; the two integers followed by the 8 bytes
//! after the request head (key3) are hashed with MD5.

use md5::{Digest as _, Md5};

use crate::handshake::nonce::SplitMix64;

const DRAFT: &str = "draft-hixie-thewebsocketprotocol-76 §5.2";

/// What is wrong with one Sec-WebSocket-Key1 or Key2 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The key has no digit 0-9 at all, so it carries no number.
    NoDigits,
    /// Draft-76 §5.2: "If either /spaces_1/ or /spaces_2/ is zero, then abort the
    /// WebSocket connection. This is a symptom of a cross-protocol attack."
    NoSpaces,
    /// Draft-76 §5.2: "If either /key-number_1/ or /key-number_2/ is greater than
    /// 4,294,967,295, then abort the WebSocket connection." `offset` is the byte in
    /// the key of the digit that takes the number past 4294967295.
    NumberTooLarge {
        /// Byte offset, inside the key, of the first digit that overflows.
        offset: usize,
    },
    /// Draft-76 §5.2: "If /key-number_1/ is not an integral multiple of /spaces_1/,
    /// then abort the WebSocket connection."
    NotDivisible {
        /// The key's digits as a number.
        number: u32,
        /// The key's count of U+0020 SPACE characters.
        spaces: u32,
    },
}

impl KeyError {
    /// A stable machine id for this error.
    pub fn id(&self) -> &'static str {
        match self {
            KeyError::NoDigits => "no-digits",
            KeyError::NoSpaces => "no-spaces",
            KeyError::NumberTooLarge { .. } => "number-too-large",
            KeyError::NotDivisible { .. } => "not-divisible",
        }
    }

    /// The byte offset inside the key, where one applies.
    pub fn offset(&self) -> Option<usize> {
        match self {
            KeyError::NumberTooLarge { offset } => Some(*offset),
            _ => None,
        }
    }

    fn describe(&self, name: &str) -> String {
        match self {
            KeyError::NoDigits => format!("{name} has no digits ({DRAFT})"),
            KeyError::NoSpaces => {
                format!("{name} has no spaces, a symptom of a cross-protocol attack ({DRAFT})")
            }
            KeyError::NumberTooLarge { offset } => {
                format!("{name}'s digits exceed 4294967295 at byte {offset} of the key ({DRAFT})")
            }
            KeyError::NotDivisible { number, spaces } => format!(
                "{name}'s number {number} is not a multiple of its {spaces} spaces ({DRAFT})"
            ),
        }
    }
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe("key"))
    }
}

impl std::error::Error for KeyError {}

/// Why a hixie-76 answer cannot be computed: which input is wrong and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hixie76Error {
    /// Sec-WebSocket-Key1 is not a valid key.
    Key1(KeyError),
    /// Sec-WebSocket-Key2 is not a valid key.
    Key2(KeyError),
    /// key3, the bytes after the request head, is not exactly 8 bytes long.
    Key3Length {
        /// How many bytes were given.
        length: usize,
    },
}

impl Hixie76Error {
    /// A stable machine id: the key error's id, or `bad-key3-length`.
    pub fn id(&self) -> &'static str {
        match self {
            Hixie76Error::Key1(e) | Hixie76Error::Key2(e) => e.id(),
            Hixie76Error::Key3Length { .. } => "bad-key3-length",
        }
    }

    /// Which input the error is about: `"key1"`, `"key2"` or `"key3"`.
    pub fn key(&self) -> &'static str {
        match self {
            Hixie76Error::Key1(_) => "key1",
            Hixie76Error::Key2(_) => "key2",
            Hixie76Error::Key3Length { .. } => "key3",
        }
    }

    /// The byte offset inside that key, where one applies.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Hixie76Error::Key1(e) | Hixie76Error::Key2(e) => e.offset(),
            Hixie76Error::Key3Length { .. } => None,
        }
    }
}

impl std::fmt::Display for Hixie76Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hixie76Error::Key1(e) => f.write_str(&e.describe("sec-websocket-key1")),
            Hixie76Error::Key2(e) => f.write_str(&e.describe("sec-websocket-key2")),
            Hixie76Error::Key3Length { length } => {
                write!(f, "key3 is {length} bytes, it must be 8 ({DRAFT})")
            }
        }
    }
}

impl std::error::Error for Hixie76Error {}

/// The worked steps for one key, as the draft computes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySteps {
    /// The key's digits, in order, everything else removed.
    pub digits: String,
    /// The digits read as a base-ten number.
    pub number: u32,
    /// The count of U+0020 SPACE characters in the key.
    pub spaces: u32,
    /// `number / spaces`, exact.
    pub quotient: u32,
}

impl KeySteps {
    /// The quotient as the draft writes it into the challenge: a big-endian 32-bit integer.
    pub fn part(&self) -> [u8; 4] {
        self.quotient.to_be_bytes()
    }
}

/// Every step of a hixie-76 answer, for a calculator that shows its working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hixie76Steps {
    /// Steps for Sec-WebSocket-Key1.
    pub key1: KeySteps,
    /// Steps for Sec-WebSocket-Key2.
    pub key2: KeySteps,
    /// The 16 bytes hashed: part 1, part 2 (big-endian u32 each), then key3.
    pub challenge: [u8; 16],
    /// MD5 of the challenge: the bytes the server sends after its handshake head.
    pub answer: [u8; 16],
}

/// Works out one key's digits, number, spaces and quotient (draft-76 §5.2).
///
/// ```
/// let steps = wsinspect::hixie76_key_steps("4 @1  46546xW%0l 1 5").unwrap();
/// assert_eq!(steps.digits, "4146546015");
/// assert_eq!((steps.spaces, steps.quotient), (5, 829309203));
/// ```
pub fn hixie76_key_steps(key: &str) -> Result<KeySteps, KeyError> {
    let mut digits = String::new();
    let mut number: u64 = 0;
    let mut spaces: u32 = 0;
    let mut overflow_at = None;
    for (offset, byte) in key.bytes().enumerate() {
        match byte {
            b'0'..=b'9' => {
                digits.push(char::from(byte));
                // `number` never exceeds u32::MAX here, so this cannot overflow a u64.
                number = number * 10 + u64::from(byte - b'0');
                if number > u64::from(u32::MAX) && overflow_at.is_none() {
                    overflow_at = Some(offset);
                }
                if overflow_at.is_some() {
                    number = u64::from(u32::MAX);
                }
            }
            b' ' => spaces = spaces.saturating_add(1),
            _ => {}
        }
    }
    if digits.is_empty() {
        return Err(KeyError::NoDigits);
    }
    if let Some(offset) = overflow_at {
        return Err(KeyError::NumberTooLarge { offset });
    }
    if spaces == 0 {
        return Err(KeyError::NoSpaces);
    }
    let number = number as u32;
    if number % spaces != 0 {
        return Err(KeyError::NotDivisible { number, spaces });
    }
    Ok(KeySteps {
        digits,
        number,
        spaces,
        quotient: number / spaces,
    })
}

/// Computes every step of the hixie-76 answer.
pub fn hixie76_steps(key1: &str, key2: &str, key3: &[u8]) -> Result<Hixie76Steps, Hixie76Error> {
    let key1 = hixie76_key_steps(key1).map_err(Hixie76Error::Key1)?;
    let key2 = hixie76_key_steps(key2).map_err(Hixie76Error::Key2)?;
    if key3.len() != 8 {
        return Err(Hixie76Error::Key3Length { length: key3.len() });
    }
    let mut challenge = [0u8; 16];
    challenge[..4].copy_from_slice(&key1.part());
    challenge[4..8].copy_from_slice(&key2.part());
    challenge[8..].copy_from_slice(key3);
    let answer: [u8; 16] = Md5::digest(challenge).into();
    Ok(Hixie76Steps {
        key1,
        key2,
        challenge,
        answer,
    })
}

/// The 16-byte answer a hixie-76 server sends after its handshake head.
///
/// ```
/// let answer = wsinspect::hixie76_answer(
///     "4 @1  46546xW%0l 1 5",
///     "12998 5 Y3 1  .P00",
///     b"^n:ds[4U",
/// ).unwrap();
/// assert_eq!(&answer, b"8jKS'y:G*Co,Wxa-");
/// ```
pub fn hixie76_answer(key1: &str, key2: &str, key3: &[u8]) -> Result<[u8; 16], Hixie76Error> {
    hixie76_steps(key1, key2, key3).map(|steps| steps.answer)
}

/// Generates a valid Sec-WebSocket-Key1, Key2 and key3 from a caller's seed, following
/// draft-76 §4.1 steps 16 to 24: spaces from 1 to 12; a number from 0 to
/// 4294967295 / spaces, multiplied by the spaces and written in base ten; 1 to 12
/// random characters from U+0021-U+002F and U+003A-U+007E inserted anywhere; the
/// spaces inserted anywhere but the start or the end; key3 is 8 random bytes.
///
/// ```
/// let (key1, key2, key3) = wsinspect::hixie76_generate_keys(7);
/// assert!(wsinspect::hixie76_answer(&key1, &key2, &key3).is_ok());
/// ```
pub fn hixie76_generate_keys(seed: u64) -> (String, String, [u8; 8]) {
    let mut rng = SplitMix64::new(seed);
    let key1 = generate_one_key(&mut rng);
    let key2 = generate_one_key(&mut rng);
    let mut key3 = [0u8; 8];
    rng.fill(&mut key3);
    (key1, key2, key3)
}

fn generate_one_key(rng: &mut SplitMix64) -> String {
    // Step 16: "a random integer from 1 to 12 inclusive".
    let spaces = rng.range_inclusive(1, 12);
    // Step 17: "the largest integer not greater than 4,294,967,295 divided by /spaces_1/".
    let max = u64::from(u32::MAX) / spaces;
    // Steps 18-20: a number from 0 to max, times the spaces, in base ten.
    let product = rng.range_inclusive(0, max) * spaces;
    let mut key: Vec<u8> = product.to_string().into_bytes();
    // Step 21: "between one and twelve random characters from the ranges U+0021 to
    // U+002F and U+003A to U+007E ... at random positions".
    const NON_DIGITS: u64 = (0x2F - 0x21 + 1) + (0x7E - 0x3A + 1);
    for _ in 0..rng.range_inclusive(1, 12) {
        let pick = rng.range_inclusive(0, NON_DIGITS - 1) as u8;
        let byte = if pick < 15 {
            0x21 + pick
        } else {
            0x3A + pick - 15
        };
        let at = rng.range_inclusive(0, key.len() as u64) as usize;
        key.insert(at, byte);
    }
    // Step 22: "/spaces_1/ U+0020 SPACE characters ... at random positions other than
    // the start or end of the string". The key has at least two characters by now.
    for _ in 0..spaces {
        let at = rng.range_inclusive(1, key.len() as u64 - 1) as usize;
        key.insert(at, b' ');
    }
    // Every byte pushed is ASCII.
    String::from_utf8(key).unwrap_or_default()
}
