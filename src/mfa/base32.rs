//! RFC 4648 §6 Base32 (alphabet `A–Z2–7`) for TOTP seeds (`otp.md` §3).
//!
//! Encoding is upper case without `=` padding; decoding accepts either case and ignores `=`,
//! spaces and `-` (people copy seeds in groups), and rejects every other character.

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Upper-case Base32 without padding (RFC 4648 §6, padding omitted as the Key-Uri-Format asks).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(symbol(buffer >> bits));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(symbol(buffer << (5 - bits)));
    }
    out
}

fn symbol(value: u16) -> char {
    ALPHABET.get(usize::from(value & 0x1F)).map_or('A', |&b| char::from(b))
}

fn value(symbol: u8) -> Option<u16> {
    match symbol.to_ascii_uppercase() {
        letter @ b'A'..=b'Z' => Some(u16::from(letter - b'A')),
        digit @ b'2'..=b'7' => Some(u16::from(digit - b'2') + 26),
        _ => None,
    }
}

/// Decode Base32 text to bytes, or `None` for a character outside the alphabet or a length no
/// encoder produces (1, 3 or 6 symbols in the last group, RFC 4648 §6). Bits left over after
/// the last whole byte are dropped, as common authenticator apps do.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    let mut symbols: usize = 0;
    for &byte in text.as_bytes() {
        if matches!(byte, b'=' | b' ' | b'-') {
            continue;
        }
        buffer = (buffer << 5) | value(byte)?;
        bits += 5;
        symbols += 1;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xFF) as u8);
        }
        buffer &= (1 << bits) - 1;
    }
    match symbols % 8 {
        1 | 3 | 6 => None,
        _ => Some(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc_4648_section_10_vectors() {
        let cases = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn spec_seeds() {
        assert_eq!(encode(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            decode("JBSWY3DPEHPK3PXP").unwrap(),
            [0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x21, 0xde, 0xad, 0xbe, 0xef]
        );
        assert_eq!(encode(&[0u8; 40]).len(), 64);
    }

    #[test]
    fn decoding_is_lenient_about_case_padding_and_grouping() {
        let expected = decode("JBSWY3DPEHPK3PXP").unwrap();
        for text in [
            "jbswy3dpehpk3pxp",
            "JBSW Y3DP EHPK 3PXP",
            "JBSW-Y3DP-EHPK-3PXP",
            "JBSWY3DPEHPK3PXP====",
        ] {
            assert_eq!(decode(text).unwrap(), expected, "{text}");
        }
        assert_eq!(decode("MZXW6===").unwrap(), b"foo");
    }

    #[test]
    fn decoding_rejects_foreign_characters_and_impossible_lengths() {
        for text in [
            "JBSWY3DP1",
            "JBSWY3DP0",
            "JBSWY3DP8",
            "JBSW_Y3DP",
            "JBSW\tY3DP",
            "JBSW\nY3DP",
            "É",
            "M",
            "MZX",
            "MZXW6Y",
        ] {
            assert_eq!(decode(text), None, "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn round_trips_and_agrees_with_data_encoding(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let text = encode(&bytes);
            prop_assert_eq!(&text, &data_encoding::BASE32_NOPAD.encode(&bytes));
            prop_assert_eq!(decode(&text), Some(bytes.clone()));
            prop_assert_eq!(decode(&text.to_ascii_lowercase()), Some(bytes));
        }

        #[test]
        fn decode_never_panics_and_accepts_only_the_alphabet(text in "\\PC{0,40}") {
            let allowed = |c: char| c.is_ascii_alphabetic() || ('2'..='7').contains(&c) || "= -".contains(c);
            if decode(&text).is_some() {
                prop_assert!(text.chars().all(allowed));
            }
            if !text.chars().all(allowed) {
                prop_assert_eq!(decode(&text), None);
            }
        }
    }
}
