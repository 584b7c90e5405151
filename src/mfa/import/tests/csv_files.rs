//! CSV seed files: good files, each bad line named, size limits.

use super::*;

#[test]
fn csv_good_file_imports_hex_and_base32_seeds() {
    let bytes = fixture("csv-good.csv");
    assert_eq!(ImportFormat::detect(&bytes), ImportFormat::Csv);
    let report = parse(&bytes, ImportFormat::Csv, &options()).unwrap();
    assert_eq!(report.protection, SeedProtection::None);
    let got: Vec<(&str, u32)> = report.tokens.iter().map(|t| (t.serial.as_str(), t.period)).collect();
    assert_eq!(
        got,
        [("CSV-000000001", 30), ("CSV-000000002", 60), ("CSV-000000003", 30)]
    );
    for token in &report.tokens {
        assert_eq!(token.seed.expose(), RFC_SEED);
        assert_eq!(
            (token.algorithm, token.digits, token.drift),
            (HashAlgorithm::Sha1, 6, 0)
        );
        assert_eq!(token.manufacturer, None);
    }
    assert_eq!(totp_sha1(report.tokens[0].seed.expose(), 59, 30), "287082");
    assert!(report.warnings[0].contains("plain text"));
}

#[test]
fn csv_bad_lines_are_each_named() {
    let bytes = fixture("csv-bad.csv");
    let failures = rejected(parse(&bytes, ImportFormat::Csv, &options()));
    let got: Vec<(usize, &str)> = failures.iter().map(|f| (f.index, f.reason.as_str())).collect();
    assert_eq!(
        got,
        [
            (2, "duplicate serial: also used by line 9"),
            (
                4,
                "serial \"SHORT1\" is 6 characters; serials must have 9 to 256 \
                 (a serial prefix can lengthen it)"
            ),
            (5, "the seed is neither hex nor Base32"),
            (6, "digits \"8\": only 6-digit codes are supported"),
            (7, "period \"45\": only 30 or 60 seconds are supported"),
            (8, "expected 4 fields (serial,seed,digits,period), found 2"),
            (9, "duplicate serial: also used by line 2"),
            (10, "the secret is 8 bytes; 10 to 64 bytes are required"),
        ]
    );
    assert_eq!(
        failures[1].describe(ImportFormat::Csv),
        format!("line 4 (serial \"SHORT1\"): {}", failures[1].reason)
    );
    let message = ImportError::Rejected(failures).to_string();
    assert!(message.starts_with("8 of the file's entries failed, so nothing was imported"));
    assert!(!message.contains("3132333435"));
    assert!(!message.contains("GEZDGNBV"));
}

#[test]
fn csv_too_many_records_are_refused() {
    let line = "CSV-000000001,3132333435363738393031323334353637383930,6,30\n";
    let text = line.repeat(MAX_ENTRIES + 1);
    assert!(matches!(
        parse(text.as_bytes(), ImportFormat::Csv, &options()),
        Err(ImportError::TooManyEntries { .. })
    ));
}
