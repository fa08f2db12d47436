//! A TLS session (records framed, hellos read, keys derived, records decrypted) on both
//! directions cut from arbitrary bytes, with the key logs of the recorded wss fixtures:
//! seeded with those recordings (fuzz/seed_tls.sh), the fuzzer reaches decryption and
//! changes records, hellos and lengths from there. Never a panic; plaintext only from a
//! decrypted connection (`capture::fuzz_tls`).
#![no_main]

use libfuzzer_sys::fuzz_target;

const KEYS: &[&[u8]] = &[
    include_bytes!("../../tests/fixtures/captures/wss-tls13.keys"),
    include_bytes!("../../tests/fixtures/captures/wss-tls13-chacha.keys"),
    include_bytes!("../../tests/fixtures/captures/wss-tls12-gcm.keys"),
    include_bytes!("../../tests/fixtures/captures/wss-tls12-gcm384.keys"),
    include_bytes!("../../tests/fixtures/captures/wss-tls12-chacha.keys"),
];

fuzz_target!(|data: &[u8]| {
    let key_log: Vec<u8> = KEYS.concat();
    wsinspect::capture::fuzz_tls(&key_log, data);
});
