//! The payloads of cases 6.5 to 6.23, one family per sub-group, in the Autobahn
//! TestSuite's order: the sequences of Markus Kuhn's "UTF-8 decoder capability and stress
//! test", and what RFC 3629 §3 makes of them ("The octet values C0, C1, F5 to FF never
//! appear"; the surrogates U+D800 to U+DFFF and code points beyond U+10FFFF are not
//! encoded; "Implementations of the decoding algorithm above MUST protect against decoding
//! invalid sequences", overlong forms among them). Noncharacters are valid UTF-8. A payload
//! is valid when it is well-formed UTF-8 that ends on a code point boundary.

/// One sub-group: what its payloads have in common, and each payload (hex) with whether it
/// is valid UTF-8.
pub struct Family {
    pub title: &'static str,
    pub payloads: &'static [(bool, &'static str)],
}

/// 6.5 to 6.23, in order.
pub const FAMILIES: [Family; 19] = [
    // 6.5
    Family {
        title: "text with code points of one to four bytes",
        payloads: &[
            (true, "68656c6c6f24776f726c64"),
            (true, "68656c6c6fc2a2776f726c64"),
            (true, "68656c6c6fe282ac776f726c64"),
            (true, "68656c6c6ff0a4ada2776f726c64"),
            (true, "cebae1bdb9cf83cebcceb5"),
        ],
    },
    // 6.6
    Family {
        title: "a prefix of a valid string of multi-byte code points (invalid when it ends inside a code point)",
        payloads: &[
            (false, "ce"),
            (true, "ceba"),
            (false, "cebae1"),
            (false, "cebae1bd"),
            (true, "cebae1bdb9"),
            (false, "cebae1bdb9cf"),
            (true, "cebae1bdb9cf83"),
            (false, "cebae1bdb9cf83ce"),
            (true, "cebae1bdb9cf83cebc"),
            (false, "cebae1bdb9cf83cebcce"),
            (true, "cebae1bdb9cf83cebcceb5"),
        ],
    },
    // 6.7
    Family {
        title: "the first code point of each length, one to four bytes",
        payloads: &[
            (true, "00"),
            (true, "c280"),
            (true, "e0a080"),
            (true, "f0908080"),
        ],
    },
    // 6.8
    Family {
        title: "the first sequences of five and six bytes (beyond U+10FFFF)",
        payloads: &[
            (false, "f888808080"),
            (false, "fc8480808080"),
        ],
    },
    // 6.9
    Family {
        title: "the last code point of each length, one to four bytes",
        payloads: &[
            (true, "7f"),
            (true, "dfbf"),
            (true, "efbfbf"),
            (true, "f48fbfbf"),
        ],
    },
    // 6.10
    Family {
        title: "the last sequences of four, five and six bytes (beyond U+10FFFF)",
        payloads: &[
            (false, "f7bfbfbf"),
            (false, "fbbfbfbfbf"),
            (false, "fdbfbfbfbfbf"),
        ],
    },
    // 6.11
    Family {
        title: "code points at boundaries (U+D7FF, U+E000, U+FFFD, U+10FFFF; U+110000 is beyond the last)",
        payloads: &[
            (true, "ed9fbf"),
            (true, "ee8080"),
            (true, "efbfbd"),
            (true, "f48fbfbf"),
            (false, "f4908080"),
        ],
    },
    // 6.12
    Family {
        title: "continuation bytes with no lead byte",
        payloads: &[
            (false, "80"),
            (false, "bf"),
            (false, "80bf"),
            (false, "80bf80"),
            (false, "80bf80bf"),
            (false, "80bf80bf80"),
            (false, "80bf80bf80bf"),
            (false, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbe"),
        ],
    },
    // 6.13
    Family {
        title: "lead bytes each followed by a space instead of their continuations",
        payloads: &[
            (false, "c020c120c220c320c420c520c620c720c820c920ca20cb20cc20cd20ce20cf20d020d120d220d320d420d520d620d720d820d920da20db20dc20dd20de20"),
            (false, "e020e120e220e320e420e520e620e720e820e920ea20eb20ec20ed20ee20"),
            (false, "f020f120f220f320f420f520f620"),
            (false, "f820f920fa20"),
            (false, "fc20"),
        ],
    },
    // 6.14
    Family {
        title: "sequences missing their last continuation byte",
        payloads: &[
            (false, "c0"),
            (false, "e080"),
            (false, "f08080"),
            (false, "f8808080"),
            (false, "fc80808080"),
            (false, "df"),
            (false, "efbf"),
            (false, "f7bfbf"),
            (false, "fbbfbfbf"),
            (false, "fdbfbfbfbf"),
        ],
    },
    // 6.15
    Family {
        title: "sequences missing their last continuation byte, one after another",
        payloads: &[
            (false, "c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf"),
        ],
    },
    // 6.16
    Family {
        title: "bytes that never appear in UTF-8 (0xFE, 0xFF)",
        payloads: &[
            (false, "fe"),
            (false, "ff"),
            (false, "fefeffff"),
        ],
    },
    // 6.17
    Family {
        title: "overlong encodings of '/' (U+002F)",
        payloads: &[
            (false, "c0af"),
            (false, "e080af"),
            (false, "f08080af"),
            (false, "f8808080af"),
            (false, "fc80808080af"),
        ],
    },
    // 6.18
    Family {
        title: "the largest overlong sequence of each length",
        payloads: &[
            (false, "c1bf"),
            (false, "e09fbf"),
            (false, "f08fbfbf"),
            (false, "f887bfbfbf"),
            (false, "fc83bfbfbfbf"),
        ],
    },
    // 6.19
    Family {
        title: "overlong encodings of U+0000",
        payloads: &[
            (false, "c080"),
            (false, "e08080"),
            (false, "f0808080"),
            (false, "f880808080"),
            (false, "fc8080808080"),
        ],
    },
    // 6.20
    Family {
        title: "lone UTF-16 surrogates (U+D800 to U+DFFF)",
        payloads: &[
            (false, "eda080"),
            (false, "edadbf"),
            (false, "edae80"),
            (false, "edafbf"),
            (false, "edb080"),
            (false, "edbe80"),
            (false, "edbfbf"),
        ],
    },
    // 6.21
    Family {
        title: "UTF-16 surrogate pairs, each half encoded on its own",
        payloads: &[
            (false, "eda080edb080"),
            (false, "eda080edbfbf"),
            (false, "edadbfedb080"),
            (false, "edadbfedbfbf"),
            (false, "edae80edb080"),
            (false, "edae80edbfbf"),
            (false, "edafbfedb080"),
            (false, "edafbfedbfbf"),
        ],
    },
    // 6.22
    Family {
        title: "noncharacters (U+FFFE, U+FFFF and the last two code points of each plane)",
        payloads: &[
            (true, "efbfbe"),
            (true, "efbfbf"),
            (true, "f09fbfbe"),
            (true, "f09fbfbf"),
            (true, "f0afbfbe"),
            (true, "f0afbfbf"),
            (true, "f0bfbfbe"),
            (true, "f0bfbfbf"),
            (true, "f18fbfbe"),
            (true, "f18fbfbf"),
            (true, "f19fbfbe"),
            (true, "f19fbfbf"),
            (true, "f1afbfbe"),
            (true, "f1afbfbf"),
            (true, "f1bfbfbe"),
            (true, "f1bfbfbf"),
            (true, "f28fbfbe"),
            (true, "f28fbfbf"),
            (true, "f29fbfbe"),
            (true, "f29fbfbf"),
            (true, "f2afbfbe"),
            (true, "f2afbfbf"),
            (true, "f2bfbfbe"),
            (true, "f2bfbfbf"),
            (true, "f38fbfbe"),
            (true, "f38fbfbf"),
            (true, "f39fbfbe"),
            (true, "f39fbfbf"),
            (true, "f3afbfbe"),
            (true, "f3afbfbf"),
            (true, "f3bfbfbe"),
            (true, "f3bfbfbf"),
            (true, "f48fbfbe"),
            (true, "f48fbfbf"),
        ],
    },
    // 6.23
    Family {
        title: "the Specials block (U+FFF9 to U+FFFF), the replacement character among them",
        payloads: &[
            (true, "efbfb9"),
            (true, "efbfba"),
            (true, "efbfbb"),
            (true, "efbfbc"),
            (true, "efbfbd"),
            (true, "efbfbe"),
            (true, "efbfbf"),
        ],
    },
];

/// `"cebb"` → `[0xce, 0xbb]`.
pub fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_is_rust_s_own() {
        // Rust's str follows RFC 3629 exactly as the flags do.
        for family in &FAMILIES {
            for &(valid, hex) in family.payloads {
                assert_eq!(hex.len() % 2, 0, "{hex}");
                assert!(
                    hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
                    "{hex}"
                );
                assert_eq!(std::str::from_utf8(&bytes(hex)).is_ok(), valid, "{hex}");
            }
        }
    }

    #[test]
    fn family_sizes_are_the_suite_s() {
        let sizes: Vec<usize> = FAMILIES.iter().map(|f| f.payloads.len()).collect();
        assert_eq!(
            sizes,
            [5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7]
        );
        assert_eq!(
            bytes(FAMILIES[7].payloads[7].1),
            (0x80..=0xbe).collect::<Vec<u8>>()
        );
    }
}
