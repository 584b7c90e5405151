//! End-to-end tests of [`super::parse`] on the fixtures in `testdata/`: the RFC 6030 examples
//! and the Tessera TOTP variant (`otp.md` §8.4), files written by python-pskc, CSV, and the
//! refusals of §8.5 and §9.

use super::accept::SecretField;
use super::*;
use crate::mfa::totp::HashAlgorithm;
use data_encoding::HEXLOWER;

mod csv_files;
mod surface;

/// 2025-11-14T22:13:20Z; after the RFC's 2006 dates, before python-pskc's 2099 expiry.
const NOW: i64 = 1_763_158_400;
const RFC_PSK: &str = "12345678901234567890123456789012";
const RFC_SEED: &[u8] = b"12345678901234567890";

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/mfa/import/testdata")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

fn options() -> ImportOptions {
    ImportOptions {
        now_unix: NOW,
        ..ImportOptions::default()
    }
}

fn with_psk(hex: &str) -> ImportOptions {
    ImportOptions {
        pre_shared_key_hex: Some(hex.to_owned()),
        ..options()
    }
}

fn with_passphrase(passphrase: &str) -> ImportOptions {
    ImportOptions {
        passphrase: Some(passphrase.to_owned()),
        ..options()
    }
}

fn pskc(bytes: &[u8], options: &ImportOptions) -> Result<ImportReport, ImportError> {
    parse(bytes, ImportFormat::Pskc, options)
}

fn rejected(result: Result<ImportReport, ImportError>) -> Vec<PackageFailure> {
    match result {
        Err(ImportError::Rejected(failures)) => failures,
        Err(other) => panic!("expected Rejected, got {other}"),
        Ok(report) => panic!("expected Rejected, got {} tokens", report.tokens.len()),
    }
}

fn hex(text: &str) -> Vec<u8> {
    HEXLOWER.decode(text.as_bytes()).unwrap()
}

fn seed_of(secret: &SecretField) -> &[u8] {
    match secret {
        SecretField::Present(seed) => seed.expose(),
        other => panic!("no seed: {other:?}"),
    }
}

/// RFC 6238 TOTP with HMAC-SHA-1, 6 digits, for checking imported seeds independently of the
/// engine (RFC 4226 §5.3 dynamic truncation).
fn totp_sha1(seed: &[u8], unix: u64, period: u64) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(seed).unwrap();
    mac.update(&(unix / period).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let code = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    format!("{:06}", code % 1_000_000)
}

// ---- RFC 6030 examples: decrypt to the stated values, then refused as HOTP (otp.md §8.4) ----

#[test]
fn figure2_basic_container_reads_1234_and_is_refused_as_hotp() {
    let bytes = fixture("rfc6030-figure2-basic.pskcxml");
    let decoded = pskc::decode(&bytes, &options()).unwrap();
    assert!(decoded.keys.is_none());
    let [c] = decoded.candidates.as_slice() else {
        panic!("one KeyPackage")
    };
    assert_eq!(seed_of(&c.secret), b"1234");
    assert_eq!(c.issuer.as_deref(), Some("Issuer-A"));
    assert_eq!(c.key_id.as_deref(), Some("12345678"));
    assert!(decoded.warnings.iter().any(|w| w.contains("plain text")));

    let failures = rejected(pskc(&bytes, &options()));
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].index, 1);
    assert_eq!(failures[0].serial.as_deref(), Some("12345678"));
    assert!(
        failures[0].reason.starts_with("HOTP tokens are not supported"),
        "{}",
        failures[0].reason
    );
    assert!(failures[0].reason.contains("the secret is 4 bytes"));
}

#[test]
fn figure6_pre_shared_key_decrypts_to_the_rfc_values() {
    let bytes = fixture("rfc6030-figure6-pre-shared-key.pskcxml");
    let decoded = pskc::decode(&bytes, &with_psk(RFC_PSK)).unwrap();
    let keys = decoded.keys.as_ref().unwrap();
    assert_eq!(keys.container.as_slice(), hex(RFC_PSK));
    assert_eq!(keys.mac_key.as_slice(), hex("1122334455667788990011223344556677889900"));
    assert_eq!(keys.protection, SeedProtection::PreSharedKey);
    let [c] = decoded.candidates.as_slice() else {
        panic!("one KeyPackage")
    };
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(seed_of(&c.secret), RFC_SEED);
    assert_eq!(c.serial.as_deref(), Some("987654321"));
    assert_eq!(c.manufacturer.as_deref(), Some("Manufacturer"));
    assert_eq!(c.issuer.as_deref(), Some("Issuer"));

    let failures = rejected(pskc(&bytes, &with_psk(RFC_PSK)));
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].reason,
        "HOTP tokens are not supported; \
         ResponseFormat Length \"8\": only 6-digit codes are supported"
    );
    assert_eq!(
        failures[0].describe(ImportFormat::Pskc),
        "KeyPackage 1 (serial \"987654321\"): HOTP tokens are not supported; \
         ResponseFormat Length \"8\": only 6-digit codes are supported"
    );
}

#[test]
fn figure7_pbkdf2_decrypts_to_the_rfc_values() {
    let bytes = fixture("rfc6030-figure7-pbkdf2.pskcxml");
    let decoded = pskc::decode(&bytes, &with_passphrase("qwerty")).unwrap();
    let keys = decoded.keys.as_ref().unwrap();
    assert_eq!(keys.container.as_slice(), hex("651e63cd57008476af1ff6422cd02e41"));
    assert_eq!(keys.mac_key.as_slice(), hex("bdaab8d648e850d25a3289364f7d7eaaf53ce581"));
    assert_eq!(keys.protection, SeedProtection::Pbkdf2);
    let [c] = decoded.candidates.as_slice() else {
        panic!("one KeyPackage")
    };
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(seed_of(&c.secret), RFC_SEED);
    assert_eq!(c.manufacturer.as_deref(), Some("TokenVendorAcme"));
    assert_eq!(c.key_id.as_deref(), Some("123456"));
    assert_eq!(c.issuer.as_deref(), Some("Example-Issuer"));

    let failures = rejected(pskc(&bytes, &with_passphrase("qwerty")));
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].serial.as_deref(), Some("987654321"));
    assert!(failures[0].reason.starts_with("HOTP tokens are not supported"));
}

#[test]
fn figure10_bulk_reports_all_four_failures() {
    let bytes = fixture("rfc6030-figure10-bulk.pskcxml");
    let failures = rejected(pskc(&bytes, &options()));
    let found: Vec<(usize, Option<&str>)> = failures.iter().map(|f| (f.index, f.serial.as_deref())).collect();
    assert_eq!(
        found,
        [
            (1, Some("654321")),
            (2, Some("123456")),
            (3, Some("9999999")),
            (4, Some("9999999")),
        ]
    );
    for f in &failures {
        assert!(f.reason.contains("HOTP tokens are not supported"), "{}", f.reason);
        assert!(f.reason.contains("ResponseFormat Length \"8\""), "{}", f.reason);
        assert!(
            f.reason.contains("characters; serials must have 9 to 256"),
            "{}",
            f.reason
        );
        assert!(f.reason.contains("expired on 2006-0"), "{}", f.reason);
    }
    assert!(
        failures[2]
            .reason
            .contains("duplicate serial: also used by KeyPackage 4")
    );
    assert!(
        failures[3]
            .reason
            .contains("duplicate serial: also used by KeyPackage 3")
    );
    assert!(failures[3].reason.contains("expired on 2006-04-30T00:00:00Z"));
    assert!(!failures[0].reason.contains("duplicate"));

    // A prefix cures the short serials, nothing else.
    let prefixed = ImportOptions {
        serial_prefix: Some("ACME-0".to_owned()),
        ..options()
    };
    for f in rejected(pskc(&bytes, &prefixed)) {
        assert!(!f.reason.contains("characters"), "{}", f.reason);
        assert!(f.reason.contains("HOTP"));
    }
}

// ---- The Tessera TOTP variant imports (otp.md §8.4) ----

#[test]
fn tessera_totp_variant_imports_with_the_rfc_seed() {
    let bytes = fixture("tessera-totp-pre-shared-key.pskcxml");
    let report = pskc(&bytes, &with_psk(RFC_PSK)).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let [token] = report.tokens.as_slice() else {
        panic!("one token")
    };
    assert_eq!(token.serial, "TSR000000001");
    assert_eq!(token.seed.expose(), RFC_SEED);
    assert_eq!(token.algorithm, HashAlgorithm::Sha1);
    assert_eq!((token.digits, token.period, token.drift), (6, 30, 0));
    assert_eq!(token.manufacturer.as_deref(), Some("Manufacturer"));
    assert_eq!(token.model, None);
    assert_eq!(token.issuer.as_deref(), Some("Issuer"));
    assert_eq!(token.key_id.as_deref(), Some("TSR000000001"));
    assert_eq!((token.not_before, token.not_after), (None, None));
    // RFC 6238 Appendix B, SHA-1, last six digits (otp.md §2.1).
    for (time, code) in [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
    ] {
        assert_eq!(totp_sha1(token.seed.expose(), time, 30), code);
    }
    assert!(!format!("{report:?}").contains("1234567890"));
}

#[test]
fn upper_case_pre_shared_key_is_accepted() {
    let bytes = fixture("tessera-totp-pre-shared-key.pskcxml");
    let psk = " 12345678901234567890123456789012\n".to_uppercase();
    assert_eq!(pskc(&bytes, &with_psk(&psk)).unwrap().tokens.len(), 1);
}

// ---- Wrong keys never yield a seed (otp.md §8.4) ----

#[test]
fn wrong_pre_shared_key_fails_as_wrong_key() {
    let bytes = fixture("tessera-totp-pre-shared-key.pskcxml");
    for wrong in [
        "12345678901234567890123456789013",
        "00000000000000000000000000000000",
        "ffffffffffffffffffffffffffffffff",
    ] {
        let err = pskc(&bytes, &with_psk(wrong)).unwrap_err();
        assert!(err.to_string().contains("wrong key"), "{err}");
    }
    assert!(matches!(
        pskc(&bytes, &with_psk("00000000000000000000000000000000")),
        Err(ImportError::WrongKey)
    ));
    // A key of the wrong size for aes128-cbc, and one that is not hex.
    let err = pskc(&bytes, &with_psk(&"00".repeat(32))).unwrap_err();
    assert!(err.to_string().contains("needs a 16-byte key"), "{err}");
    assert!(matches!(
        pskc(&bytes, &with_psk("123")),
        Err(ImportError::BadPreSharedKey)
    ));
    assert!(matches!(
        pskc(&bytes, &with_psk(&"zz".repeat(16))),
        Err(ImportError::BadPreSharedKey)
    ));
}

#[test]
fn wrong_passphrase_fails_as_wrong_key() {
    let bytes = fixture("rfc6030-figure7-pbkdf2.pskcxml");
    for wrong in ["qwertz", "", "QWERTY"] {
        let err = pskc(&bytes, &with_passphrase(wrong)).unwrap_err();
        assert!(err.to_string().contains("wrong key"), "{wrong:?}: {err}");
    }
}

#[test]
fn missing_key_or_passphrase_is_asked_for() {
    let psk_file = fixture("tessera-totp-pre-shared-key.pskcxml");
    let err = pskc(&psk_file, &options()).unwrap_err();
    assert!(matches!(err, ImportError::PreSharedKeyRequired { .. }));
    assert!(err.to_string().contains("\"Pre-shared-key\""), "{err}");
    // A passphrase does not stand in for a pre-shared key.
    assert!(matches!(
        pskc(&psk_file, &with_passphrase("qwerty")),
        Err(ImportError::PreSharedKeyRequired { .. })
    ));
    let pbkdf2_file = fixture("rfc6030-figure7-pbkdf2.pskcxml");
    assert!(matches!(
        pskc(&pbkdf2_file, &with_psk(RFC_PSK)),
        Err(ImportError::PassphraseRequired)
    ));
}

// ---- Integrity (otp.md §8.3) ----

#[test]
fn tampered_value_mac_is_refused() {
    let text = fixture_text("tessera-totp-pre-shared-key.pskcxml");
    let tampered = text.replace("Su+NvtQfmvfJzF6bmQiJqoLRExc=", "Su+NvtQfmvfJzF6bmQiJqoLSExc=");
    assert_ne!(tampered, text);
    let failures = rejected(pskc(tampered.as_bytes(), &with_psk(RFC_PSK)));
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].reason,
        "Secret ValueMAC does not match: wrong key, or the value was altered"
    );
}

#[test]
fn tampered_ciphertext_is_refused_by_the_mac() {
    let text = fixture_text("tessera-totp-pre-shared-key.pskcxml");
    let tampered = text.replace("AAECAwQFBgcICQoLDA0OD+cI", "AAECAwQFBgcICQoLDA0OD+cJ");
    assert_ne!(tampered, text);
    let failures = rejected(pskc(tampered.as_bytes(), &with_psk(RFC_PSK)));
    assert!(failures[0].reason.contains("ValueMAC does not match"));
}

#[test]
fn missing_value_mac_is_refused() {
    let text = fixture_text("tessera-totp-pre-shared-key.pskcxml");
    let stripped = text.replace(
        "<ValueMAC>Su+NvtQfmvfJzF6bmQiJqoLRExc=\n                    </ValueMAC>",
        "",
    );
    assert_ne!(stripped, text);
    let failures = rejected(pskc(stripped.as_bytes(), &with_psk(RFC_PSK)));
    assert_eq!(failures[0].reason, "Secret is encrypted but has no ValueMAC");
}

#[test]
fn missing_mac_method_is_refused() {
    let text = fixture_text("tessera-totp-pre-shared-key.pskcxml");
    let start = text.find("<MACMethod").unwrap();
    let end = text.find("</MACMethod>").unwrap() + "</MACMethod>".len();
    let stripped = format!("{}{}", &text[..start], &text[end..]);
    assert!(matches!(
        pskc(stripped.as_bytes(), &with_psk(RFC_PSK)),
        Err(ImportError::MissingMac)
    ));
}

#[test]
fn unsupported_algorithms_are_named() {
    let text = fixture_text("tessera-totp-pre-shared-key.pskcxml");
    // The secret's cipher only (the MACKey's comes first in the file).
    let at = text.rfind("xmlenc#aes128-cbc").unwrap();
    let kw = format!(
        "{}xmlenc#kw-aes128{}",
        &text[..at],
        &text[at + "xmlenc#aes128-cbc".len()..]
    );
    let failures = rejected(pskc(kw.as_bytes(), &with_psk(RFC_PSK)));
    assert_eq!(
        failures[0].reason,
        "Secret uses unsupported encryption algorithm URI \
         \"http://www.w3.org/2001/04/xmlenc#kw-aes128\""
    );
    let md5 = text.replace("xmldsig#hmac-sha1", "xmldsig#hmac-md5");
    assert!(matches!(
        pskc(md5.as_bytes(), &with_psk(RFC_PSK)),
        Err(ImportError::MacKey(_))
    ));
    let x509 = text.replace(
        "<ds:KeyName>Pre-shared-key</ds:KeyName>",
        "<ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate></ds:X509Data>",
    );
    assert!(matches!(
        pskc(x509.as_bytes(), &with_psk(RFC_PSK)),
        Err(ImportError::UnsupportedProtection(_))
    ));
}

#[test]
fn signature_is_ignored_with_a_warning() {
    let text = fixture_text("tessera-totp-pre-shared-key.pskcxml");
    let signed = text.replace(
        "</KeyContainer>",
        "<ds:Signature><ds:SignedInfo/></ds:Signature></KeyContainer>",
    );
    let report = pskc(signed.as_bytes(), &with_psk(RFC_PSK)).unwrap();
    assert_eq!(report.tokens.len(), 1);
    assert_eq!(report.warnings, ["the file's ds:Signature was not verified"]);
}

// ---- Serials (otp.md §8.5 rule 8) ----

#[test]
fn short_serial_is_refused_unless_prefixed() {
    let text = fixture_text("tessera-totp-pre-shared-key.pskcxml")
        .replace("<SerialNo>TSR000000001</SerialNo>", "<SerialNo>12345678</SerialNo>");
    let failures = rejected(pskc(text.as_bytes(), &with_psk(RFC_PSK)));
    assert_eq!(failures[0].serial.as_deref(), Some("12345678"));
    assert!(
        failures[0].reason.starts_with("serial \"12345678\" is 8 characters"),
        "{}",
        failures[0].reason
    );

    let prefixed = ImportOptions {
        serial_prefix: Some("ACME-".to_owned()),
        ..with_psk(RFC_PSK)
    };
    let report = pskc(text.as_bytes(), &prefixed).unwrap();
    assert_eq!(report.tokens[0].serial, "ACME-12345678");
    assert_eq!(report.tokens[0].key_id.as_deref(), Some("TSR000000001"));
}

// ---- python-pskc as an independent producer ----

#[test]
fn python_pskc_pbkdf2_file_imports() {
    let bytes = fixture("python-pskc-totp-pbkdf2.pskcxml");
    let report = pskc(&bytes, &with_passphrase("correct horse battery staple")).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.protection, SeedProtection::Pbkdf2);
    let [first, second] = report.tokens.as_slice() else {
        panic!("two tokens")
    };
    assert_eq!(first.serial, "PYPSKC-000001");
    assert_eq!(first.seed.expose(), (1..=32).collect::<Vec<u8>>());
    assert_eq!(first.algorithm, HashAlgorithm::Sha256);
    assert_eq!((first.digits, first.period, first.drift), (6, 60, -2));
    assert_eq!(first.manufacturer.as_deref(), Some("python-pskc"));
    assert_eq!(first.model.as_deref(), Some("fixture-60"));
    assert_eq!(first.issuer.as_deref(), Some("Tessera tests"));
    assert_eq!(first.not_before, Some(1_704_067_200));
    assert_eq!(first.not_after, Some(4_070_908_800));

    assert_eq!(second.serial, "PYPSKC-000002");
    assert_eq!(second.seed.expose(), RFC_SEED);
    assert_eq!(second.algorithm, HashAlgorithm::Sha1);
    assert_eq!((second.period, second.drift), (30, 0));

    let err = pskc(&bytes, &with_passphrase("correct horse battery stapler")).unwrap_err();
    assert!(err.to_string().contains("wrong key"), "{err}");
}

#[test]
fn python_pskc_pre_shared_key_file_imports() {
    let bytes = fixture("python-pskc-totp-pre-shared-key.pskcxml");
    let report = pskc(&bytes, &with_psk("000102030405060708090a0b0c0d0e0f")).unwrap();
    assert_eq!(report.protection, SeedProtection::PreSharedKey);
    let serials: Vec<&str> = report.tokens.iter().map(|t| t.serial.as_str()).collect();
    assert_eq!(serials, ["PYPSKC-000001", "PYPSKC-000002"]);
    assert_eq!(report.tokens[1].seed.expose(), RFC_SEED);
    assert_eq!(report.tokens[0].period, 60);
}

// ---- Hostile or malformed files (otp.md §8.1) ----

#[test]
fn dtd_and_external_entities_are_refused() {
    let bytes = fixture("xxe-external-entity.pskcxml");
    assert!(matches!(pskc(&bytes, &options()), Err(ImportError::Dtd)));
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">&lol2;</KeyContainer>"#;
    assert!(matches!(pskc(laughs.as_bytes(), &options()), Err(ImportError::Dtd)));
    let bare = "<!DOCTYPE KeyContainer><KeyContainer/>";
    assert!(matches!(pskc(bare.as_bytes(), &options()), Err(ImportError::Dtd)));
}

#[test]
fn oversize_files_are_refused_before_parsing() {
    let mut big = b"<KeyContainer>".to_vec();
    big.resize(MAX_FILE_BYTES + 1, b' ');
    assert!(matches!(
        pskc(&big, &options()),
        Err(ImportError::TooLarge { size }) if size == MAX_FILE_BYTES + 1
    ));
    assert!(matches!(
        parse(&big, ImportFormat::Csv, &options()),
        Err(ImportError::TooLarge { .. })
    ));
}

#[test]
fn too_many_key_packages_are_refused() {
    let mut xml = String::from(r#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">"#);
    for _ in 0..=MAX_ENTRIES {
        xml.push_str("<KeyPackage/>");
    }
    xml.push_str("</KeyContainer>");
    assert!(matches!(
        pskc(xml.as_bytes(), &options()),
        Err(ImportError::TooManyEntries { count }) if count == MAX_ENTRIES + 1
    ));
}

#[test]
fn non_pskc_documents_are_refused() {
    type Check = fn(&ImportError) -> bool;
    let cases: [(&str, Check); 6] = [
        ("<KeyContainer Version=\"1.0\"/>", |e| {
            matches!(e, ImportError::NotPskc(_))
        }),
        (
            r#"<KeyContainer Version="2.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"><KeyPackage/></KeyContainer>"#,
            |e| matches!(e, ImportError::NotPskc(_)),
        ),
        (
            r#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"/>"#,
            |e| matches!(e, ImportError::Empty),
        ),
        ("<KeyContainer", |e| matches!(e, ImportError::Xml(_))),
        ("serial,seed", |e| matches!(e, ImportError::Xml(_))),
        ("<a/>", |e| matches!(e, ImportError::NotPskc(_))),
    ];
    for (text, expected) in cases {
        let err = pskc(text.as_bytes(), &options()).unwrap_err();
        assert!(expected(&err), "{text}: {err}");
    }
    assert!(matches!(pskc(b"\xff\xfe<\x00", &options()), Err(ImportError::NotUtf8)));
}

#[test]
fn plain_totp_file_imports_with_a_warning() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage>
    <DeviceInfo><Manufacturer>Feitian</Manufacturer><SerialNo>2600215704919</SerialNo>
      <Model>c200</Model></DeviceInfo>
    <Key Id="2600215704919" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc#totp">
      <AlgorithmParameters><Suite>HMAC-SHA512</Suite>
        <ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTAx
          MjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNA==</PlainValue></Secret>
        <Time><PlainValue>0</PlainValue></Time>
        <TimeInterval><PlainValue>60</PlainValue></TimeInterval>
        <TimeDrift><PlainValue>4</PlainValue></TimeDrift>
      </Data>
      <Policy><KeyUsage>OTP</KeyUsage><ExpiryDate>2099-09-01T00:00:00Z</ExpiryDate></Policy>
    </Key>
  </KeyPackage>
</KeyContainer>"#;
    let report = pskc(xml.as_bytes(), &options()).unwrap();
    assert_eq!(report.protection, SeedProtection::None);
    assert_eq!(report.warnings.len(), 1);
    assert!(report.warnings[0].contains("plain text"));
    let token = &report.tokens[0];
    assert_eq!(token.serial, "2600215704919");
    assert_eq!(token.seed.expose().len(), 64);
    assert_eq!(token.algorithm, HashAlgorithm::Sha512);
    assert_eq!((token.period, token.drift), (60, 4));
    assert_eq!(token.model.as_deref(), Some("c200"));
}
