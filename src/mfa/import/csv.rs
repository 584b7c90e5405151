//! The simple CSV seed format: one token per line, `serial,seed,digits,period`.
//!
//! - An optional header line whose first field is `serial`; blank lines and lines starting
//!   with `#` are skipped. Fields are trimmed; one pair of surrounding double quotes is removed.
//! - `seed` is hex if it is only `[0-9a-fA-F]` with an even length, else Base32 (RFC 4648 §6,
//!   case-insensitive, `=`, spaces and `-` ignored, as `otp.md` §3 reads Base32).
//! - `digits` must be 6 and `period` 30 or 60; the hash is always SHA-1 (`otp.md` §8.5).
//! - Failures name the 1-based line number and never echo the seed field.

use data_encoding::{BASE32_NOPAD, HEXLOWER_PERMISSIVE};
use zeroize::Zeroizing;

use super::accept::{Candidate, SecretField, TOTP_URI};
use super::xml::shown;
use super::{ImportError, MAX_ENTRIES};
use crate::secret::TotpSeed;

/// Read every record of the file; file-level problems are errors, per-line ones are recorded
/// on the line's candidate.
pub(crate) fn read(bytes: &[u8]) -> Result<(Vec<Candidate>, Vec<String>), ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotUtf8)?;
    let mut candidates = Vec::new();
    let mut first_record = true;
    for (number, line) in (1..).zip(text.split('\n')) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(field).collect();
        let is_header = first_record && fields.first().is_some_and(|f| f.eq_ignore_ascii_case("serial"));
        first_record = false;
        if is_header {
            continue;
        }
        candidates.push(record(number, &fields));
    }
    if candidates.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries {
            count: candidates.len(),
        });
    }
    if candidates.is_empty() {
        return Err(ImportError::Empty);
    }
    let warnings = vec!["the CSV file holds seeds in plain text: destroy it after import".to_owned()];
    Ok((candidates, warnings))
}

fn field(raw: &str) -> &str {
    let trimmed = raw.trim();
    trimmed
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .map_or(trimmed, str::trim)
}

fn record(line: usize, fields: &[&str]) -> Candidate {
    let mut c = Candidate {
        index: line,
        algorithm: Some(TOTP_URI.to_owned()),
        ..Candidate::default()
    };
    let &[serial, seed, digits, period] = fields else {
        c.serial = fields.first().filter(|s| !s.is_empty()).map(|s| (*s).to_owned());
        c.secret = SecretField::Unreadable;
        c.problems.push(format!(
            "expected 4 fields (serial,seed,digits,period), found {}",
            fields.len()
        ));
        return c;
    };
    c.serial = Some(serial.to_owned()).filter(|s| !s.is_empty());
    c.secret = match decode_seed(seed) {
        Ok(mut bytes) => SecretField::Present(TotpSeed::new(std::mem::take(&mut *bytes))),
        Err(why) => {
            c.problems.push(why.to_owned());
            SecretField::Unreadable
        }
    };
    if digits != "6" {
        c.problems
            .push(format!("digits {}: only 6-digit codes are supported", shown(digits)));
    }
    match period.parse::<i64>() {
        Ok(p @ (30 | 60)) => c.time_interval = Some(p),
        _ => c
            .problems
            .push(format!("period {}: only 30 or 60 seconds are supported", shown(period))),
    }
    c
}

/// Hex when the text is only hex digits with an even length, else Base32.
fn decode_seed(text: &str) -> Result<Zeroizing<Vec<u8>>, &'static str> {
    if text.is_empty() {
        return Err("the seed is empty");
    }
    if text.len().is_multiple_of(2) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return HEXLOWER_PERMISSIVE
            .decode(text.as_bytes())
            .map(Zeroizing::new)
            .map_err(|_| "the seed is not valid hex");
    }
    let base32: Zeroizing<String> = Zeroizing::new(
        text.chars()
            .filter(|c| !matches!(c, '=' | ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    BASE32_NOPAD
        .decode(base32.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| "the seed is neither hex nor Base32")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_hex_or_base32() {
        let ascii = b"12345678901234567890";
        assert_eq!(
            decode_seed("3132333435363738393031323334353637383930")
                .unwrap()
                .as_slice(),
            ascii
        );
        assert_eq!(
            decode_seed("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap().as_slice(),
            ascii
        );
        assert_eq!(
            decode_seed("gezd gnbv-gy3t qojq gezd gnbv gy3t qojq====")
                .unwrap()
                .as_slice(),
            ascii
        );
        assert!(decode_seed("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1").is_err());
        assert!(decode_seed("313").is_err());
        assert!(decode_seed("").is_err());
    }

    #[test]
    fn fields_are_trimmed_and_unquoted() {
        assert_eq!(field(" \"ACME-0001\" "), "ACME-0001");
        assert_eq!(field("\"x"), "\"x");
        assert_eq!(field(" 30\r"), "30");
    }

    #[test]
    fn header_comments_and_blank_lines_are_skipped() {
        let text = "\u{feff}# seeds\r\nSerial,Seed,Digits,Period\r\n\r\nTSR000000001,3132333435363738393031323334353637383930,6,30\r\n";
        let (candidates, warnings) = read(text.as_bytes()).unwrap();
        assert_eq!(candidates.len(), 1);
        assert_eq!(candidates[0].index, 4);
        assert!(candidates[0].problems.is_empty());
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn empty_and_non_utf8() {
        assert!(matches!(read(b"# nothing\n\n"), Err(ImportError::Empty)));
        assert!(matches!(read(b"serial,seed,digits,period\n"), Err(ImportError::Empty)));
        assert!(matches!(read(b"\xff\xfe"), Err(ImportError::NotUtf8)));
    }
}
