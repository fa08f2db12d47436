//! draft-hixie-thewebsocketprotocol-76 keys: the draft's worked example and the other
//! examples in the shared vectors, every error, and generated keys.

use wsinspect::hixie76_keys::{hixie76_steps, KeyError};
use wsinspect::{hixie76_answer, hixie76_generate_keys, hixie76_key_steps, Hixie76Error};

/// The "hixie76" array of shared/vectors/spec-examples.json, byte for byte.
const EXAMPLES: [(&str, &str, &str, &str); 3] = [
    (
        "4 @1  46546xW%0l 1 5",
        "12998 5 Y3 1  .P00",
        "^n:ds[4U",
        "8jKS'y:G*Co,Wxa-",
    ),
    (
        "3e6b263  4 17 80",
        "17  9 G`ZD9   2 2b 7X 3 /r90",
        "WjN}|M(6",
        "n`9eBk9z$R8pOtVb",
    ),
    (
        "18x 6]8vM;54 *(5:  {   U1]8  z [  8",
        "1_ tx7X d  <  nw  334J702) 7]o}` 0",
        "Tm[K T2u",
        "fQJ,fN/4F4!~K~MH",
    ),
];

#[test]
fn spec_examples_give_their_answers_byte_for_byte() {
    for (key1, key2, key3, answer) in EXAMPLES {
        let got = hixie76_answer(key1, key2, key3.as_bytes()).unwrap();
        assert_eq!(&got, answer.as_bytes(), "{key1} / {key2}");
    }
}

#[test]
fn draft_example_steps() {
    // Draft-76 §1.3 and §5.2: 4146546015 / 5 and 1299853100 / 5.
    let steps = hixie76_steps(EXAMPLES[0].0, EXAMPLES[0].1, EXAMPLES[0].2.as_bytes()).unwrap();
    assert_eq!(steps.key1.digits, "4146546015");
    assert_eq!(steps.key1.number, 4_146_546_015);
    assert_eq!(steps.key1.spaces, 5);
    assert_eq!(steps.key1.quotient, 829_309_203);
    assert_eq!(steps.key2.digits, "1299853100");
    assert_eq!(steps.key2.spaces, 5);
    assert_eq!(steps.key2.quotient, 259_970_620);
    assert_eq!(steps.key1.part(), 829_309_203u32.to_be_bytes());
    assert_eq!(&steps.challenge[..4], &829_309_203u32.to_be_bytes());
    assert_eq!(&steps.challenge[4..8], &259_970_620u32.to_be_bytes());
    assert_eq!(&steps.challenge[8..], b"^n:ds[4U");
    assert_eq!(&steps.answer, b"8jKS'y:G*Co,Wxa-");
}

#[test]
fn key_with_no_spaces_is_rejected() {
    assert_eq!(hixie76_key_steps("12345"), Err(KeyError::NoSpaces));
    let error = hixie76_answer("12345", EXAMPLES[0].1, b"12345678").unwrap_err();
    assert_eq!(error, Hixie76Error::Key1(KeyError::NoSpaces));
    assert_eq!(error.id(), "no-spaces");
    assert_eq!(error.key(), "key1");
    assert!(
        error
            .to_string()
            .starts_with("sec-websocket-key1 has no spaces"),
        "{error}"
    );
}

#[test]
fn key_with_no_digits_is_rejected() {
    assert_eq!(hixie76_key_steps(" x y "), Err(KeyError::NoDigits));
    let error = hixie76_answer(EXAMPLES[0].0, "a b", b"12345678").unwrap_err();
    assert_eq!(error, Hixie76Error::Key2(KeyError::NoDigits));
    assert_eq!(error.key(), "key2");
    assert!(
        error
            .to_string()
            .starts_with("sec-websocket-key2 has no digits"),
        "{error}"
    );
}

#[test]
fn digits_not_divisible_by_spaces_are_rejected() {
    let error = hixie76_key_steps("1  3").unwrap_err();
    assert_eq!(
        error,
        KeyError::NotDivisible {
            number: 13,
            spaces: 2
        }
    );
    assert_eq!(error.id(), "not-divisible");
    assert!(
        error
            .to_string()
            .contains("13 is not a multiple of its 2 spaces"),
        "{error}"
    );
}

#[test]
fn number_over_u32_max_is_rejected_at_the_overflowing_digit() {
    // 4294967295 is the largest number allowed; one more is rejected.
    assert_eq!(hixie76_key_steps("429496729 5").unwrap().number, u32::MAX);
    assert_eq!(
        hixie76_key_steps("429496729 6"),
        Err(KeyError::NumberTooLarge { offset: 10 })
    );
    // Leading zeros do not count towards the size.
    assert_eq!(
        hixie76_key_steps("0004294967295 ").unwrap().number,
        u32::MAX
    );
    // Many digits: no overflow inside, the first digit past the limit is named.
    let long = format!("9{} x", "9".repeat(60));
    assert_eq!(
        hixie76_key_steps(&long),
        Err(KeyError::NumberTooLarge { offset: 9 })
    );
    let error = hixie76_answer(EXAMPLES[0].0, "x5000000000 ", b"12345678").unwrap_err();
    assert_eq!(error.id(), "number-too-large");
    assert_eq!(error.offset(), Some(10));
    assert!(error.to_string().contains("at byte 10"), "{error}");
}

#[test]
fn key3_must_be_8_bytes() {
    for length in [0usize, 7, 9, 16] {
        let key3 = vec![b'k'; length];
        let error = hixie76_answer(EXAMPLES[0].0, EXAMPLES[0].1, &key3).unwrap_err();
        assert_eq!(error, Hixie76Error::Key3Length { length });
        assert_eq!(error.id(), "bad-key3-length");
        assert!(error
            .to_string()
            .contains(&format!("key3 is {length} bytes")));
    }
}

#[test]
fn generated_keys_round_trip_for_many_seeds() {
    let mut answers = std::collections::HashSet::new();
    for seed in 0..3000u64 {
        let (key1, key2, key3) = hixie76_generate_keys(seed);
        for key in [&key1, &key2] {
            let steps =
                hixie76_key_steps(key).unwrap_or_else(|e| panic!("seed {seed}: {key:?}: {e}"));
            // Draft-76 §4.1 steps 16-22.
            assert!((1..=12).contains(&steps.spaces), "{key:?}");
            assert!(!key.starts_with(' ') && !key.ends_with(' '), "{key:?}");
            let others = key.bytes().filter(|b| !b.is_ascii_digit() && *b != b' ');
            let others: Vec<u8> = others.collect();
            assert!((1..=12).contains(&others.len()), "{key:?}");
            assert!(others
                .iter()
                .all(|b| (0x21..=0x2F).contains(b) || (0x3A..=0x7E).contains(b)));
            assert_eq!(
                steps.quotient as u64 * steps.spaces as u64,
                steps.number as u64
            );
        }
        let answer = hixie76_answer(&key1, &key2, &key3).unwrap();
        answers.insert(answer);
        assert_eq!(hixie76_generate_keys(seed), (key1, key2, key3));
    }
    assert_eq!(answers.len(), 3000, "different seeds give different keys");
}
