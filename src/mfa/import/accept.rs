//! The acceptance rules of `otp.md` §8.5, applied to one candidate token read from a PSKC
//! `KeyPackage` or a CSV line. Every rule is checked, so a refused entry lists all its problems.

use super::HardwareToken;
use super::xml::shown;
use crate::mfa::totp::HashAlgorithm;
use crate::secret::TotpSeed;

/// TOTP profile URIs (`otp.md` §8.1 table): vendor files and draft-hoyer-keyprov-pskc-algorithm-profiles.
pub(crate) const TOTP_URI: &str = "urn:ietf:params:xml:ns:keyprov:pskc:totp";
const TOTP_URI_DRAFT: &str = "urn:ietf:params:xml:ns:keyprov:pskc#totp";
const HOTP_URI: &str = "urn:ietf:params:xml:ns:keyprov:pskc:hotp";
const PIN_URI: &str = "urn:ietf:params:xml:ns:keyprov:pskc:pin";

/// Seed length bounds after decoding (`otp.md` §8.5 rule 2).
const SEED_BYTES: std::ops::RangeInclusive<usize> = 10..=64;
/// Serial length bounds of the API's `serialNumberType` (`iam-mfa.md` §0.1).
const SERIAL_CHARS: std::ops::RangeInclusive<usize> = 9..=256;
/// Largest initial drift, in steps (`otp.md` §6.5, §8.5 rule 7).
const MAX_DRIFT: i64 = 120;

/// What a reader found for the secret.
#[derive(Debug, Default)]
pub(crate) enum SecretField {
    #[default]
    Absent,
    /// Present but unusable; the reader has already recorded why.
    Unreadable,
    Present(TotpSeed),
}

/// `AlgorithmParameters/ResponseFormat` attributes as written in the file.
#[derive(Debug, Default)]
pub(crate) struct ResponseFormat {
    pub(crate) length: Option<String>,
    pub(crate) encoding: Option<String>,
}

/// One token as read from the file, before the acceptance rules.
#[derive(Debug, Default)]
pub(crate) struct Candidate {
    /// 1-based `KeyPackage` index or CSV line number.
    pub(crate) index: usize,
    /// `DeviceInfo/SerialNo`, else `Key @Id` (rule 8), before the operator's prefix.
    pub(crate) serial: Option<String>,
    pub(crate) algorithm: Option<String>,
    pub(crate) secret: SecretField,
    pub(crate) response: Option<ResponseFormat>,
    pub(crate) suite: Option<String>,
    pub(crate) time_interval: Option<i64>,
    pub(crate) time: Option<i64>,
    pub(crate) drift: Option<i64>,
    pub(crate) key_usage: Vec<String>,
    pub(crate) manufacturer: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) key_id: Option<String>,
    pub(crate) not_before: Option<i64>,
    pub(crate) not_after: Option<i64>,
    /// Problems the reader already found (bad base64, failed MAC, …).
    pub(crate) problems: Vec<String>,
}

/// Apply §8.5 rules 1–8 and 10 (rule 9, duplicates, needs the whole file and is checked by
/// the caller). `prefix` is the operator's serial prefix; `now` is unix seconds.
pub(crate) fn accept(candidate: Candidate, prefix: &str, now: i64) -> Result<HardwareToken, Vec<String>> {
    let Candidate {
        serial,
        algorithm,
        secret,
        response,
        suite,
        time_interval,
        time,
        drift,
        key_usage,
        manufacturer,
        model,
        issuer,
        key_id,
        not_before,
        not_after,
        mut problems,
        index: _,
    } = candidate;

    check_algorithm(algorithm.as_deref(), &mut problems);
    let seed = match secret {
        SecretField::Present(seed) if SEED_BYTES.contains(&seed.expose().len()) => Some(seed),
        SecretField::Present(seed) => {
            problems.push(format!(
                "the secret is {} bytes; 10 to 64 bytes are required",
                seed.expose().len()
            ));
            None
        }
        SecretField::Absent => {
            problems.push("no Secret".to_owned());
            None
        }
        SecretField::Unreadable => None,
    };
    if let Some(format) = &response {
        check_response_format(format, &mut problems);
    }
    let hash = hash_from_suite(suite.as_deref(), &mut problems);
    let period = match time_interval {
        None => 30,
        Some(30) => 30,
        Some(60) => 60,
        Some(other) => {
            problems.push(format!("TimeInterval {other}: only 30 or 60 seconds are supported"));
            30
        }
    };
    if let Some(t0) = time.filter(|&t| t != 0) {
        problems.push(format!("Time {t0}: a non-zero T0 is not supported"));
    }
    let drift = drift.unwrap_or(0);
    if drift.unsigned_abs() > MAX_DRIFT.unsigned_abs() {
        problems.push(format!("TimeDrift {drift} is beyond ±{MAX_DRIFT} steps"));
    }
    if !key_usage.is_empty() && !key_usage.iter().any(|u| u.trim() == "OTP") {
        problems.push("Policy/KeyUsage does not allow OTP".to_owned());
    }
    let full_serial = match &serial {
        Some(s) => {
            let full = format!("{prefix}{s}");
            if let Err(why) = check_serial(&full) {
                problems.push(why);
            }
            Some(full)
        }
        None => {
            problems.push("no serial (DeviceInfo/SerialNo, or Key Id)".to_owned());
            None
        }
    };
    check_dates(not_before, not_after, now, &mut problems);

    match (problems.is_empty(), seed, full_serial) {
        (true, Some(seed), Some(serial)) => Ok(HardwareToken {
            serial,
            seed,
            algorithm: hash,
            digits: 6,
            period,
            drift,
            manufacturer,
            model,
            issuer,
            key_id,
            not_before,
            not_after,
        }),
        _ => Err(problems),
    }
}

/// Rule 1: only TOTP profiles; HOTP gets its own message (`otp.md` §8.1 table).
fn check_algorithm(algorithm: Option<&str>, problems: &mut Vec<String>) {
    match algorithm.map(str::trim) {
        Some(TOTP_URI | TOTP_URI_DRAFT) => {}
        Some(HOTP_URI) => problems.push("HOTP tokens are not supported".to_owned()),
        Some(PIN_URI) => problems.push("static PIN keys are not supported".to_owned()),
        Some(other) => problems.push(format!("unsupported key algorithm {}", shown(other))),
        None => problems.push("Key has no Algorithm".to_owned()),
    }
}

/// Rule 3: the API only carries 6-digit decimal codes.
fn check_response_format(format: &ResponseFormat, problems: &mut Vec<String>) {
    match format.length.as_deref().map(str::trim) {
        Some("6") => {}
        Some(other) => problems.push(format!(
            "ResponseFormat Length {}: only 6-digit codes are supported",
            shown(other)
        )),
        None => problems.push("ResponseFormat has no Length".to_owned()),
    }
    match format.encoding.as_deref().map(str::trim) {
        Some(e) if e.eq_ignore_ascii_case("DECIMAL") => {}
        Some(other) => problems.push(format!(
            "ResponseFormat Encoding {}: only DECIMAL is supported",
            shown(other)
        )),
        None => problems.push("ResponseFormat has no Encoding".to_owned()),
    }
}

/// Rule 4: `Suite` absent or `HMAC-SHA1` → SHA-1; SHA-256 and SHA-512 accepted.
fn hash_from_suite(suite: Option<&str>, problems: &mut Vec<String>) -> HashAlgorithm {
    let suite = suite.map(str::trim).unwrap_or("");
    if suite.is_empty() || suite.eq_ignore_ascii_case("HMAC-SHA1") {
        HashAlgorithm::Sha1
    } else if suite.eq_ignore_ascii_case("HMAC-SHA256") {
        HashAlgorithm::Sha256
    } else if suite.eq_ignore_ascii_case("HMAC-SHA512") {
        HashAlgorithm::Sha512
    } else {
        problems.push(format!("unsupported Suite {}", shown(suite)));
        HashAlgorithm::Sha1
    }
}

/// Rule 8: the serial must fit the API's `serialNumberType`, 9–256 characters of
/// `[\w+=/:,.@-]` with ASCII `\w` (`iam-mfa.md` §0.1), or no API call could name it.
pub(crate) fn check_serial(serial: &str) -> Result<(), String> {
    let length = serial.chars().count();
    if !SERIAL_CHARS.contains(&length) {
        return Err(format!(
            "serial {} is {length} characters; serials must have 9 to 256 (a serial prefix can lengthen it)",
            shown(serial)
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=/:,.@-".contains(c);
    if !serial.chars().all(allowed) {
        return Err(format!(
            "serial {} has characters outside [A-Za-z0-9_+=/:,.@-]",
            shown(serial)
        ));
    }
    Ok(())
}

/// Rule 10: an expired key is refused; future dates are kept for the verifier to enforce.
fn check_dates(not_before: Option<i64>, not_after: Option<i64>, now: i64, problems: &mut Vec<String>) {
    if let Some(end) = not_after
        && end <= now
    {
        problems.push(format!("expired on {}", show_date(end)));
    }
    if let (Some(start), Some(end)) = (not_before, not_after)
        && start > end
    {
        problems.push(format!(
            "StartDate {} is after ExpiryDate {}",
            show_date(start),
            show_date(end)
        ));
    }
}

fn show_date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| format!("unix time {unix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Candidate {
        Candidate {
            index: 1,
            serial: Some("TSR000000001".to_owned()),
            algorithm: Some(TOTP_URI.to_owned()),
            secret: SecretField::Present(TotpSeed::new(b"12345678901234567890".to_vec())),
            ..Candidate::default()
        }
    }

    fn problems(candidate: Candidate) -> Vec<String> {
        accept(candidate, "", 1_700_000_000).unwrap_err()
    }

    #[test]
    fn defaults_give_sha1_six_digits_thirty_seconds() {
        let token = accept(good(), "", 0).unwrap();
        assert_eq!(token.serial, "TSR000000001");
        assert_eq!(token.algorithm, HashAlgorithm::Sha1);
        assert_eq!((token.digits, token.period, token.drift), (6, 30, 0));
        assert_eq!(token.seed.expose(), b"12345678901234567890");
    }

    #[test]
    fn hotp_and_other_algorithms_are_refused() {
        let mut c = good();
        c.algorithm = Some(HOTP_URI.to_owned());
        assert_eq!(problems(c), ["HOTP tokens are not supported"]);
        let mut c = good();
        c.algorithm = Some("urn:ietf:params:xml:ns:keyprov:pskc#OCRA-1".to_owned());
        assert!(problems(c)[0].starts_with("unsupported key algorithm"));
        let mut c = good();
        c.algorithm = Some(TOTP_URI_DRAFT.to_owned());
        assert!(accept(c, "", 0).is_ok());
    }

    #[test]
    fn every_problem_is_listed() {
        let mut c = good();
        c.response = Some(ResponseFormat {
            length: Some("8".to_owned()),
            encoding: Some("HEXADECIMAL".to_owned()),
        });
        c.suite = Some("HMAC-MD5".to_owned());
        c.time_interval = Some(45);
        c.time = Some(5);
        c.drift = Some(-121);
        c.secret = SecretField::Present(TotpSeed::new(vec![1; 9]));
        c.serial = Some("short".to_owned());
        c.not_after = Some(1_000);
        c.key_usage = vec!["CR".to_owned()];
        let all = problems(c);
        assert_eq!(all.len(), 10, "{all:?}");
    }

    #[test]
    fn hashes_and_periods() {
        for (suite, hash) in [
            ("hmac-sha256", HashAlgorithm::Sha256),
            ("HMAC-SHA512", HashAlgorithm::Sha512),
            ("HMAC-SHA1", HashAlgorithm::Sha1),
        ] {
            let mut c = good();
            c.suite = Some(suite.to_owned());
            c.time_interval = Some(60);
            c.drift = Some(-120);
            let token = accept(c, "", 0).unwrap();
            assert_eq!((token.algorithm, token.period, token.drift), (hash, 60, -120));
        }
    }

    #[test]
    fn serial_rules() {
        assert!(check_serial("GAHT12345678").is_ok());
        assert!(check_serial("ACME-0654321").is_ok());
        assert!(check_serial("a_+=/:,.@-").is_ok());
        assert!(check_serial("12345678").is_err());
        assert!(check_serial(&"9".repeat(257)).is_err());
        assert!(check_serial(&"9".repeat(256)).is_ok());
        assert!(check_serial("ÄBCDEFGHIJ").is_err());
        assert!(check_serial("ABCD EFGHIJ").is_err());
        let mut c = good();
        c.serial = Some("654321".to_owned());
        assert!(problems(c)[0].contains("is 6 characters"));
        let mut c = good();
        c.serial = Some("654321".to_owned());
        assert_eq!(accept(c, "ACME-0", 0).unwrap().serial, "ACME-0654321");
    }

    #[test]
    fn dates() {
        let mut c = good();
        c.not_before = Some(1_600_000_000);
        c.not_after = Some(1_800_000_000);
        let token = accept(c, "", 1_700_000_000).unwrap();
        assert_eq!(
            (token.not_before, token.not_after),
            (Some(1_600_000_000), Some(1_800_000_000))
        );
        let mut c = good();
        c.not_after = Some(1_149_033_600);
        assert_eq!(problems(c), ["expired on 2006-05-31T00:00:00Z"]);
    }
}
