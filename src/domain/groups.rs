//! IAM groups (`iam-mfa.md` §3.1): named sets of users whose policies apply to every member.

use super::ids::{AccountId, GroupId};
use time::OffsetDateTime;

/// AWS's default quotas (`iam-mfa.md` §5.9).
pub const GROUPS_PER_ACCOUNT: i64 = 300;
pub const GROUPS_PER_USER: i64 = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub account_id: AccountId,
    pub id: GroupId,
    pub name: String,
    pub path: String,
    pub created_at: OffsetDateTime,
}

impl Group {
    pub fn arn(&self) -> String {
        group_arn(&self.account_id, &self.path, &self.name)
    }
}

pub fn group_arn(account: &AccountId, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{}:group{}{}", account.as_str(), path, name)
}
