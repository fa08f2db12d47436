//! The hixie-76 key functions on arbitrary keys (Sec-WebSocket-Key1/Key2 values and the
//! key3 bytes come straight off the wire): they must never panic; a key's steps must be
//! what draft-76 §5.2 says ("the number divided by the spaces", both counted in the key);
//! an overflow's offset must point at a digit of the key; the answer must be the steps'
//! answer; and keys generated from any seed must be accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsinspect::{
    hixie76_answer, hixie76_generate_keys, hixie76_key_steps, hixie76_steps, Hixie76Error,
    KeyError,
};

fuzz_target!(|data: &[u8]| {
    let [split, key3_len, seed @ .., _] = data else {
        return;
    };
    let seed = seed.iter().take(8).fold(0u64, |s, &b| s << 8 | u64::from(b));
    let (key1, key2, key3) = hixie76_generate_keys(seed);
    let steps = hixie76_steps(&key1, &key2, &key3).expect("generated keys are valid");
    assert_eq!(hixie76_answer(&key1, &key2, &key3).unwrap(), steps.answer);
    assert!((1..=12).contains(&steps.key1.spaces) && (1..=12).contains(&steps.key2.spaces));
    assert!(!key1.starts_with(' ') && !key1.ends_with(' '));

    let rest = &data[2..];
    let at = usize::from(*split) % (rest.len() + 1);
    let (a, b) = rest.split_at(at);
    let k3 = usize::from(key3_len % 10).min(b.len());
    let (key3, b) = b.split_at(k3);
    let (Ok(a), Ok(b)) = (std::str::from_utf8(a), std::str::from_utf8(b)) else {
        return;
    };
    for key in [a, b] {
        check_key(key);
    }
    match hixie76_steps(a, b, key3) {
        Ok(steps) => {
            assert_eq!(key3.len(), 8);
            assert_eq!(steps.key1, hixie76_key_steps(a).unwrap());
            assert_eq!(steps.key2, hixie76_key_steps(b).unwrap());
            assert_eq!(&steps.challenge[..4], &steps.key1.part());
            assert_eq!(&steps.challenge[4..8], &steps.key2.part());
            assert_eq!(&steps.challenge[8..], key3);
            assert_eq!(hixie76_answer(a, b, key3), Ok(steps.answer));
        }
        Err(e) => {
            assert_eq!(hixie76_answer(a, b, key3), Err(e.clone()));
            match &e {
                Hixie76Error::Key1(k) => assert_eq!(hixie76_key_steps(a), Err(k.clone())),
                Hixie76Error::Key2(k) => {
                    assert!(hixie76_key_steps(a).is_ok());
                    assert_eq!(hixie76_key_steps(b), Err(k.clone()));
                }
                Hixie76Error::Key3Length { length } => assert_eq!(*length, key3.len()),
            }
            assert!(!e.to_string().is_empty());
        }
    }
});

fn check_key(key: &str) {
    let digits: String = key.chars().filter(char::is_ascii_digit).collect();
    let spaces = key.bytes().filter(|&b| b == b' ').count() as u64;
    match hixie76_key_steps(key) {
        Ok(steps) => {
            assert_eq!(steps.digits, digits);
            assert_eq!(u64::from(steps.spaces), spaces);
            assert_eq!(Ok(u64::from(steps.number)), digits.parse::<u64>().map_err(drop));
            assert_eq!(steps.quotient * steps.spaces, steps.number);
            assert_eq!(steps.part(), steps.quotient.to_be_bytes());
        }
        Err(KeyError::NoDigits) => assert!(digits.is_empty()),
        Err(KeyError::NumberTooLarge { offset }) => {
            assert!(key.as_bytes()[offset].is_ascii_digit());
            // The digits up to the one at `offset` are the first to pass 4294967295.
            let upto: String = key[..=offset].chars().filter(char::is_ascii_digit).collect();
            let before = &upto[..upto.len() - 1];
            assert!(fits(before) && !fits(&upto), "{key:?} overflows at {offset}");
        }
        Err(KeyError::NoSpaces) => assert_eq!(spaces, 0),
        Err(KeyError::NotDivisible { number, spaces: s }) => {
            assert_eq!(u64::from(s), spaces);
            assert_eq!(Ok(u64::from(number)), digits.parse::<u64>().map_err(drop));
            assert_ne!(number % s, 0);
        }
    }
}

/// Whether a string of digits is at most 4294967295 (draft-76 §5.2's limit).
fn fits(digits: &str) -> bool {
    let significant = digits.trim_start_matches('0');
    significant.len() < 10 || (significant.len() == 10 && significant <= "4294967295")
}
