//! The import's surface: format detection, and secrets never shown in output or errors,
//! whatever the input.

use super::*;

#[test]
fn detect_looks_at_the_first_non_blank_byte() {
    assert_eq!(ImportFormat::detect(b"<?xml version=\"1.0\"?>"), ImportFormat::Pskc);
    assert_eq!(
        ImportFormat::detect(b"\xEF\xBB\xBF \r\n\t<KeyContainer"),
        ImportFormat::Pskc
    );
    assert_eq!(ImportFormat::detect(b"serial,seed,digits,period"), ImportFormat::Csv);
    assert_eq!(ImportFormat::detect(b""), ImportFormat::Csv);
    assert_eq!(
        ImportFormat::detect(&fixture("rfc6030-figure7-pbkdf2.pskcxml")),
        ImportFormat::Pskc
    );
}

#[test]
fn debug_output_hides_secrets() {
    let options = ImportOptions {
        pre_shared_key_hex: Some(RFC_PSK.to_owned()),
        passphrase: Some("qwerty".to_owned()),
        serial_prefix: Some("ACME-".to_owned()),
        now_unix: 5,
    };
    let shown = format!("{options:?}");
    assert!(!shown.contains(RFC_PSK) && !shown.contains("qwerty"), "{shown}");
    assert!(shown.contains("ACME-"));
}

#[test]
fn refusals_never_print_seed_material() {
    let bulk = rejected(pskc(&fixture("rfc6030-figure10-bulk.pskcxml"), &options()));
    let message = ImportError::Rejected(bulk).to_string();
    assert!(message.starts_with("4 of the file's entries failed"));
    assert!(!message.contains("MTIzNDU2Nzg5MDEyMzQ1Njc4OTA="));
    assert!(!message.contains("12345678901234567890"));
}

/// Bounded property test (STYLE.md §6): any single-byte change to the encrypted TOTP variant
/// is refused or still yields exactly the original seed — the MAC leaves no third outcome —
/// and no input makes the parser panic.
#[test]
fn single_byte_mutations_never_yield_another_seed() {
    let original = fixture("tessera-totp-pre-shared-key.pskcxml");
    let options = with_psk(RFC_PSK);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"<>/=\"' \nAZaz09+&;#-:";
    for _ in 0..3000 {
        let mut bytes = original.clone();
        let at = (next() as usize) % bytes.len();
        bytes[at] = alphabet[(next() as usize) % alphabet.len()];
        if let Ok(report) = pskc(&bytes, &options) {
            for token in &report.tokens {
                assert_eq!(token.seed.expose(), RFC_SEED, "mutation at {at}");
            }
        }
        let _ = parse(&bytes, ImportFormat::Csv, &options);
    }
}
