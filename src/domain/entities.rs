//! The IAM entities Tessera stores, and their ARNs (`spec/iam-mfa.md` §0).

use super::ids::{AccessKeyId, AccountId, RoleId, UserId};
use time::OffsetDateTime;

/// An account hosted by this deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub root_email: String,
    pub alias: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Account {
    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.id.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub account_id: AccountId,
    pub id: UserId,
    pub name: String,
    pub path: String,
    pub created_at: OffsetDateTime,
    pub password_last_used: Option<OffsetDateTime>,
    pub tags: Vec<Tag>,
}

impl User {
    pub fn arn(&self) -> String {
        user_arn(&self.account_id, &self.path, &self.name)
    }
}

pub fn user_arn(account: &AccountId, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{}:user{}{}", account.as_str(), path, name)
}

/// An IAM role. The trust policy is kept exactly as received (`AssumeRolePolicyDocument`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub account_id: AccountId,
    pub id: RoleId,
    pub name: String,
    pub path: String,
    pub trust_policy: String,
    pub description: Option<String>,
    pub max_session_duration: i64,
    pub created_at: OffsetDateTime,
    pub last_used: Option<RoleUse>,
    pub tags: Vec<Tag>,
}

impl Role {
    pub fn arn(&self) -> String {
        role_arn(&self.account_id, &self.path, &self.name)
    }
}

pub fn role_arn(account: &AccountId, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{}:role{}{}", account.as_str(), path, name)
}

/// When and where a role was last assumed (`RoleLastUsed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleUse {
    pub at: OffsetDateTime,
    pub region: String,
}

/// Who holds a credential: the account's root user or one of its IAM users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    Root,
    User(UserId),
}

/// A principal as resolved from a credential: enough to authorize and describe the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalIdentity {
    Root {
        account: Account,
    },
    User {
        user: User,
    },
    /// A role session opened by `AssumeRole`.
    AssumedRole {
        role: Role,
        session_name: String,
    },
}

impl PrincipalIdentity {
    pub fn account_id(&self) -> &AccountId {
        match self {
            Self::Root { account } => &account.id,
            Self::User { user } => &user.account_id,
            Self::AssumedRole { role, .. } => &role.account_id,
        }
    }
    /// The ARN policies and `GetCallerIdentity` see; a role session's has no path [AWS].
    pub fn arn(&self) -> String {
        match self {
            Self::Root { account } => account.root_arn(),
            Self::User { user } => user.arn(),
            Self::AssumedRole { role, session_name } => format!(
                "arn:aws:sts::{}:assumed-role/{}/{session_name}",
                role.account_id.as_str(),
                role.name
            ),
        }
    }
    /// `UserId` as STS reports it: the account ID for root, `ROLEID:SESSION` for a role session.
    pub fn user_id(&self) -> String {
        match self {
            Self::Root { account } => account.id.as_str().to_owned(),
            Self::User { user } => user.id.as_str().to_owned(),
            Self::AssumedRole { role, session_name } => format!("{}:{session_name}", role.id.as_str()),
        }
    }
    /// The holder of long-term credentials and MFA devices; role sessions hold neither.
    pub fn owner(&self) -> Option<Owner> {
        match self {
            Self::Root { .. } => Some(Owner::Root),
            Self::User { user } => Some(Owner::User(user.id.clone())),
            Self::AssumedRole { .. } => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessKeyStatus {
    Active,
    Inactive,
}

impl AccessKeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "Active" => Some(Self::Active),
            "Inactive" => Some(Self::Inactive),
            _ => None,
        }
    }
}

/// Where and when a key was last used to sign a request (credential report, GetAccessKeyLastUsed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyUse {
    pub at: OffsetDateTime,
    pub region: String,
    pub service: String,
}

/// Access key metadata; the secret stays sealed in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKey {
    pub id: AccessKeyId,
    pub owner: Owner,
    pub status: AccessKeyStatus,
    pub created_at: OffsetDateTime,
    pub last_used: Option<KeyUse>,
}

/// What SigV4 verification needs about a long-term key.
#[derive(Clone, Debug)]
pub struct KeyCredential {
    pub key: AccessKey,
    pub sealed_secret: Vec<u8>,
    pub principal: PrincipalIdentity,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginProfile {
    pub created_at: OffsetDateTime,
    pub reset_required: bool,
}

/// A principal's row in the credential report (`spec/iam-mfa.md` §5.10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialReportRow {
    /// `None` for root.
    pub user: Option<User>,
    pub created_at: OffsetDateTime,
    pub password: Option<PasswordFacts>,
    pub mfa_active: bool,
    /// Keys in creation order.
    pub keys: Vec<AccessKey>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordFacts {
    pub last_used: Option<OffsetDateTime>,
    pub last_changed: OffsetDateTime,
}

/// Counts behind `GetAccountSummary` (`spec/iam-mfa.md` §5.9).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountCounts {
    pub users: i64,
    pub mfa_devices: i64,
    pub mfa_devices_in_use: i64,
    pub root_mfa_devices: i64,
    pub root_access_keys: i64,
    pub root_password_present: bool,
    pub groups: i64,
    pub roles: i64,
    pub policies: i64,
    pub policy_versions_in_use: i64,
}

/// A generated credential report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialReport {
    pub generated_at: OffsetDateTime,
    pub csv: Vec<u8>,
}
