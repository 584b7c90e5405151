//! Where a log file goes: CloudTrail's S3 object name under the log directory instead of a
//! bucket (`cloudtrail.md` §7):
//! `AWSLogs/<acct>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<acct>_CloudTrail_<region>_<YYYYMMDD>T<HHmm>Z_<unique>.json.gz`,
//! dated by the UTC delivery time.

use crate::config::valid_region;
use crate::domain::AccountId;
use crate::secret::{SecretError, random_bytes};
use std::path::{Path, PathBuf};
use time::{OffsetDateTime, UtcOffset};

/// CloudTrail's `UniqueString`: 16 meaningless characters of `[A-Za-z0-9]`.
const UNIQUE_LEN: usize = 16;
const UNIQUE_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// The largest multiple of the alphabet's size a byte can hold; bytes from here up are
/// redrawn so every character is equally likely.
const UNBIASED_BELOW: u8 = 248;

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// A stored region that is no region name must not become a path component.
    #[error("record region '{0}' is not a region name")]
    BadRegion(String),
    #[error(transparent)]
    Randomness(#[from] SecretError),
}

/// The path of a new log file for `account` and `region` delivered at `delivered_at`.
pub fn log_file_path(
    root: &Path,
    account: &AccountId,
    region: &str,
    delivered_at: OffsetDateTime,
) -> Result<PathBuf, LayoutError> {
    if !valid_region(region) {
        return Err(LayoutError::BadRegion(region.to_owned()));
    }
    let at = delivered_at.to_offset(UtcOffset::UTC);
    Ok(root
        .join("AWSLogs")
        .join(account.as_str())
        .join("CloudTrail")
        .join(region)
        .join(format!("{:04}", at.year()))
        .join(format!("{:02}", u8::from(at.month())))
        .join(format!("{:02}", at.day()))
        .join(file_name(account, region, at, &unique_string()?)))
}

/// `<acct>_CloudTrail_<region>_<YYYYMMDD>T<HHmm>Z_<unique>.json.gz`, in UTC.
pub fn file_name(account: &AccountId, region: &str, delivered_at: OffsetDateTime, unique: &str) -> String {
    let at = delivered_at.to_offset(UtcOffset::UTC);
    format!(
        "{}_CloudTrail_{region}_{:04}{:02}{:02}T{:02}{:02}Z_{unique}.json.gz",
        account.as_str(),
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

fn unique_string() -> Result<String, SecretError> {
    let mut out = String::with_capacity(UNIQUE_LEN);
    let mut bytes = [0u8; UNIQUE_LEN * 2];
    while out.len() < UNIQUE_LEN {
        random_bytes(&mut bytes)?;
        out.extend(
            bytes
                .iter()
                .filter(|b| **b < UNBIASED_BELOW)
                .filter_map(|b| UNIQUE_ALPHABET.get(usize::from(*b) % UNIQUE_ALPHABET.len()))
                .map(|c| char::from(*c))
                .take(UNIQUE_LEN - out.len()),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn account() -> AccountId {
        AccountId::parse("111122223333").unwrap()
    }

    #[test]
    fn names_follow_cloudtrail_with_the_utc_delivery_time() {
        // AWS's example name (`cloudtrail.md` §7), delivered 10:20 UTC.
        assert_eq!(
            file_name(
                &account(),
                "us-east-1",
                datetime!(2026-11-22 10:20:59 UTC),
                "Mu0KsOhtH1ar15ZZ"
            ),
            "111122223333_CloudTrail_us-east-1_20261122T1020Z_Mu0KsOhtH1ar15ZZ.json.gz"
        );
        // Another offset is converted to UTC first: still 22 November, 00:05.
        assert_eq!(
            file_name(&account(), "eu-west-1", datetime!(2026-11-21 23:05:00 -1:00), "x"),
            "111122223333_CloudTrail_eu-west-1_20261122T0005Z_x.json.gz"
        );
    }

    #[test]
    fn paths_nest_by_account_region_and_day() {
        let path = log_file_path(
            Path::new("/logs"),
            &account(),
            "us-east-1",
            datetime!(2026-01-02 03:04:05 UTC),
        )
        .unwrap();
        let dir = path.parent().unwrap();
        assert_eq!(
            dir,
            Path::new("/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/02")
        );
        let name = path.file_name().unwrap().to_str().unwrap();
        let unique = name
            .strip_prefix("111122223333_CloudTrail_us-east-1_20260102T0304Z_")
            .and_then(|rest| rest.strip_suffix(".json.gz"))
            .unwrap();
        assert_eq!(unique.len(), 16);
        assert!(unique.bytes().all(|b| b.is_ascii_alphanumeric()), "{unique}");
    }

    #[test]
    fn unique_strings_differ_and_use_the_whole_alphabet() {
        let strings: Vec<String> = (0..200).map(|_| unique_string().unwrap()).collect();
        let distinct: std::collections::HashSet<&String> = strings.iter().collect();
        assert_eq!(distinct.len(), strings.len());
        let text = strings.concat();
        assert!(text.bytes().any(|b| b.is_ascii_uppercase()));
        assert!(text.bytes().any(|b| b.is_ascii_lowercase()));
        assert!(text.bytes().any(|b| b.is_ascii_digit()));
    }

    #[test]
    fn regions_that_could_escape_the_directory_are_refused() {
        for region in ["../x", "us/east", "", "US-EAST-1"] {
            let refused = log_file_path(
                Path::new("/logs"),
                &account(),
                region,
                datetime!(2026-01-02 03:04:05 UTC),
            );
            assert!(
                matches!(refused, Err(LayoutError::BadRegion(_))),
                "{region}: {refused:?}"
            );
        }
    }
}
