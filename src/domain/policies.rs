//! Managed and inline identity policies as stored objects: ARNs, versions, size rules
//! (`iam-mfa.md` §5.7, §5.9). What a document means is the policy engine's business.

use super::entities::Tag;
use super::ids::AccountId;
use time::OffsetDateTime;

/// AWS's default quotas (`iam-mfa.md` §5.9).
pub const POLICIES_PER_ACCOUNT: i64 = 1500;
pub const VERSIONS_PER_POLICY: i64 = 5;
pub const ATTACHED_POLICIES_PER_OWNER: i64 = 10;
/// Largest managed policy document, whitespace not counted.
pub const MANAGED_POLICY_SIZE: usize = 6144;

/// The account part of AWS's own managed policies' ARNs.
pub const AWS_ACCOUNT: &str = "aws";

/// A managed policy's ARN, taken apart: `arn:aws:iam::ACCOUNT:policy` + path + name, where
/// ACCOUNT is 12 digits or `aws`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyArn {
    pub account: String,
    pub path: String,
    pub name: String,
}

impl PolicyArn {
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("arn:aws:iam::")?;
        let (account, resource) = rest.split_once(':')?;
        let path_and_name = resource.strip_prefix("policy")?;
        let account_ok = account == AWS_ACCOUNT || AccountId::parse(account).is_some();
        let slash = path_and_name.rfind('/')?;
        let (path, name) = (path_and_name.get(..=slash)?, path_and_name.get(slash + 1..)?);
        let name_ok = !name.is_empty()
            && name.len() <= 128
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@-_".contains(&b));
        (account_ok && name_ok && path.starts_with('/')).then(|| Self {
            account: account.to_owned(),
            path: path.to_owned(),
            name: name.to_owned(),
        })
    }

    pub fn is_aws_managed(&self) -> bool {
        self.account == AWS_ACCOUNT
    }

    pub fn render(&self) -> String {
        policy_arn(&self.account, &self.path, &self.name)
    }
}

pub fn policy_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:policy{path}{name}")
}

/// A managed policy, the account's own or AWS's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub arn: String,
    pub id: String,
    pub name: String,
    pub path: String,
    pub description: Option<String>,
    pub default_version: i64,
    /// Users, groups and roles of the account it is attached to.
    pub attachment_count: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub tags: Vec<Tag>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVersion {
    pub version: i64,
    /// Exactly as received.
    pub document: String,
    pub is_default: bool,
    pub created_at: OffsetDateTime,
}

/// `v` + the version number (`policyVersionIdType`).
pub fn version_id(version: i64) -> String {
    format!("v{version}")
}

/// The number behind a `VersionId`; `None` for forms no version is ever given.
pub fn parse_version_id(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('v')?;
    if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n >= 1)
}

/// A managed policy as attached to a user, group or role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_parse_for_accounts_and_aws() {
        let arn = PolicyArn::parse("arn:aws:iam::123456789012:policy/team/ops/ReadLogs").unwrap();
        assert_eq!(
            (arn.account.as_str(), arn.path.as_str(), arn.name.as_str()),
            ("123456789012", "/team/ops/", "ReadLogs")
        );
        assert_eq!(arn.render(), "arn:aws:iam::123456789012:policy/team/ops/ReadLogs");
        let aws = PolicyArn::parse("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
        assert!(aws.is_aws_managed());
        assert_eq!(aws.path, "/");
        for bad in [
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345:policy/x",
            "arn:aws:iam::123456789012:policy/",
            "arn:aws:iam::123456789012:policyx",
            "arn:aws:s3:::bucket/policy/x",
            "arn:aws:iam::123456789012:policy/a b",
        ] {
            assert_eq!(PolicyArn::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn version_ids_round_trip() {
        assert_eq!(parse_version_id("v1"), Some(1));
        assert_eq!(parse_version_id(&version_id(42)), Some(42));
        for bad in ["v0", "v01", "1", "v", "v1.a", "vx"] {
            assert_eq!(parse_version_id(bad), None, "{bad}");
        }
    }
}
