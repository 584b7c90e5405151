//! Managed policies: the account's own (customer managed, with up to five versions whose
//! numbers are never reused) and AWS's catalogue, read-only (`domain::aws_managed_policies`).

use super::account_ops::lock_account;
use super::sql::{Row, SqlTx, Value};
use super::tag_ops::{TagSet, read_tags, write_tags};
use super::user_ops::name_key;
use super::{DeleteBlocker, Entity, IamError, Page, PageRequest, Quota, SqlStore, StoreError};
use crate::domain::aws_managed_policies::{self, CATALOGUE};
use crate::domain::tags::{self, TagError};
use crate::domain::*;
use async_trait::async_trait;
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct NewPolicy {
    pub id: PolicyId,
    pub name: String,
    pub path: String,
    pub description: Option<String>,
    pub document: String,
    pub tags: Vec<Tag>,
    pub now: OffsetDateTime,
}

/// Whose policies `ListPolicies` lists (`policyScopeType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyScope {
    All,
    Aws,
    Local,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFilter {
    pub scope: PolicyScope,
    pub only_attached: bool,
    pub path_prefix: String,
}

#[async_trait]
pub trait ManagedPolicyStore: Send + Sync {
    /// Creates a customer managed policy with version 1 as its default.
    async fn create_policy(&self, account: &AccountId, policy: NewPolicy) -> Result<ManagedPolicy, IamError>;
    /// A customer managed policy of the account or one of AWS's.
    async fn policy(&self, account: &AccountId, arn: &PolicyArn) -> Result<ManagedPolicy, IamError>;
    /// Policies in the filter, ordered by lower-cased name then ARN; listing members carry no tags.
    async fn list_policies(
        &self,
        account: &AccountId,
        filter: PolicyFilter,
        page: PageRequest,
    ) -> Result<Page<ManagedPolicy>, StoreError>;
    /// Deletes a customer managed policy that is attached nowhere and holds only its default version.
    async fn delete_policy(&self, account: &AccountId, arn: &PolicyArn) -> Result<(), IamError>;
    /// Adds a version numbered after every earlier one, unless five exist.
    async fn create_policy_version(
        &self,
        account: &AccountId,
        arn: &PolicyArn,
        document: &str,
        set_as_default: bool,
        now: OffsetDateTime,
    ) -> Result<PolicyVersion, IamError>;
    async fn policy_version(
        &self,
        account: &AccountId,
        arn: &PolicyArn,
        version: i64,
    ) -> Result<PolicyVersion, IamError>;
    /// All versions, newest first.
    async fn list_policy_versions(&self, account: &AccountId, arn: &PolicyArn) -> Result<Vec<PolicyVersion>, IamError>;
    /// Deletes a version other than the default.
    async fn delete_policy_version(&self, account: &AccountId, arn: &PolicyArn, version: i64) -> Result<(), IamError>;
    async fn set_default_policy_version(
        &self,
        account: &AccountId,
        arn: &PolicyArn,
        version: i64,
    ) -> Result<(), IamError>;
}

const POLICY_COLUMNS: &str =
    "policy_id, account_id, policy_name, path, description, default_version, created_at, updated_at";

/// A customer managed policy row, without tags or attachment count.
pub(super) struct StoredPolicy {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub path: String,
    pub description: Option<String>,
    pub default_version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// How policy listings sort and page: lower-cased name, then ARN, since a name may repeat
/// between AWS's catalogue and the account.
pub fn policy_sort_key(name: &str, arn: &str) -> String {
    format!("{}\n{arn}", name.to_lowercase())
}

fn read_policy(row: &Row) -> Result<StoredPolicy, StoreError> {
    let (name, path) = (row.text(2)?, row.text(3)?);
    Ok(StoredPolicy {
        id: row.text(0)?,
        arn: policy_arn(&row.text(1)?, &path, &name),
        name,
        path,
        description: row.opt_text(4)?,
        default_version: row.int(5)?,
        created_at: row.time(6)?,
        updated_at: row.time(7)?,
    })
}

/// The account's policy the ARN names exactly (path and name as stored); AWS's and other
/// accounts' ARNs name none.
pub(super) fn find_policy(
    tx: &mut dyn SqlTx,
    account: &AccountId,
    arn: &PolicyArn,
) -> Result<Option<StoredPolicy>, StoreError> {
    if arn.account != account.as_str() {
        return Ok(None);
    }
    let row = tx.query_opt(
        &format!("SELECT {POLICY_COLUMNS} FROM managed_policies WHERE account_id = $1 AND name_key = $2"),
        &[account.as_str().into(), name_key(&arn.name).into()],
    )?;
    Ok(row
        .map(|row| read_policy(&row))
        .transpose()?
        .filter(|p| p.name == arn.name && p.path == arn.path))
}

fn require_policy(tx: &mut dyn SqlTx, account: &AccountId, arn: &PolicyArn) -> Result<StoredPolicy, IamError> {
    find_policy(tx, account, arn)?.ok_or_else(|| IamError::NotFound(Entity::Policy(arn.render())))
}

pub(super) fn attachment_count(tx: &mut dyn SqlTx, account: &AccountId, arn: &str) -> Result<i64, StoreError> {
    tx.count(
        "SELECT COUNT(*) FROM policy_attachments WHERE account_id = $1 AND policy_arn = $2",
        &[account.as_str().into(), arn.into()],
    )
}

fn describe(
    tx: &mut dyn SqlTx,
    account: &AccountId,
    stored: StoredPolicy,
    with_tags: bool,
) -> Result<ManagedPolicy, StoreError> {
    let attachment_count = attachment_count(tx, account, &stored.arn)?;
    let tags = if with_tags {
        read_tags(tx, TagSet::Policy, &stored.id)?
    } else {
        Vec::new()
    };
    Ok(ManagedPolicy {
        arn: stored.arn,
        id: stored.id,
        name: stored.name,
        path: stored.path,
        description: stored.description,
        default_version: stored.default_version,
        attachment_count,
        created_at: stored.created_at,
        updated_at: stored.updated_at,
        tags,
    })
}

fn read_version(row: &Row, default_version: i64) -> Result<PolicyVersion, StoreError> {
    let version = row.int(0)?;
    Ok(PolicyVersion {
        version,
        document: row.text(1)?,
        is_default: version == default_version,
        created_at: row.time(2)?,
    })
}

fn versions(tx: &mut dyn SqlTx, policy: &StoredPolicy) -> Result<Vec<PolicyVersion>, StoreError> {
    tx.query(
        "SELECT version, document, created_at FROM policy_versions WHERE policy_id = $1 ORDER BY version DESC",
        &[policy.id.as_str().into()],
    )?
    .iter()
    .map(|row| read_version(row, policy.default_version))
    .collect()
}

/// The document of a policy's default version, for AWS's catalogue and the account's own.
pub(super) fn default_document(
    tx: &mut dyn SqlTx,
    account: &AccountId,
    arn: &str,
) -> Result<Option<String>, StoreError> {
    let Some(arn) = PolicyArn::parse(arn) else {
        return Ok(None);
    };
    if arn.is_aws_managed() {
        return Ok(aws_policy(&arn).map(|p| p.document.to_owned()));
    }
    let Some(policy) = find_policy(tx, account, &arn)? else {
        return Ok(None);
    };
    tx.query_opt(
        "SELECT document FROM policy_versions WHERE policy_id = $1 AND version = $2",
        &[policy.id.as_str().into(), policy.default_version.into()],
    )?
    .map(|row| row.text(0))
    .transpose()
}

fn tag_error(error: TagError) -> IamError {
    match error {
        TagError::TooMany => IamError::LimitExceeded(Quota::TagsPerPolicy),
        TagError::DuplicateKeys | TagError::ReservedPrefix => IamError::Invalid(error.to_string()),
    }
}

/// The catalogue entry an `arn:aws:iam::aws:policy/NAME` ARN names.
pub(super) fn aws_policy(arn: &PolicyArn) -> Option<&'static aws_managed_policies::AwsManagedPolicy> {
    (arn.is_aws_managed() && arn.path == "/")
        .then(|| aws_managed_policies::find(&arn.name))
        .flatten()
}

fn missing_version(arn: &PolicyArn, version: i64) -> IamError {
    IamError::NotFound(Entity::PolicyVersion {
        arn: arn.render(),
        version,
    })
}

#[async_trait]
impl ManagedPolicyStore for SqlStore {
    async fn create_policy(&self, account: &AccountId, policy: NewPolicy) -> Result<ManagedPolicy, IamError> {
        let account = account.clone();
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let taken = tx.count(
                "SELECT COUNT(*) FROM managed_policies WHERE account_id = $1 AND name_key = $2",
                &[account.as_str().into(), name_key(&policy.name).into()],
            )? > 0;
            if taken {
                return Err(IamError::AlreadyExists(Entity::PolicyName(policy.name.clone())));
            }
            if tx.count("SELECT COUNT(*) FROM managed_policies WHERE account_id = $1", &[account.as_str().into()])? >= POLICIES_PER_ACCOUNT {
                return Err(IamError::LimitExceeded(Quota::PoliciesPerAccount));
            }
            tags::check_request(&policy.tags).map_err(tag_error)?;
            let tags = tags::merge(&[], &policy.tags).map_err(tag_error)?;
            let inserted = tx.execute(
                "INSERT INTO managed_policies (policy_id, account_id, policy_name, name_key, path, description, default_version, next_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, 2, $7, $7)",
                &[policy.id.as_str().into(), account.as_str().into(), policy.name.as_str().into(), name_key(&policy.name).into(), policy.path.as_str().into(), policy.description.clone().into(), policy.now.into()],
            );
            match inserted {
                Err(StoreError::UniqueViolation) => return Err(IamError::AlreadyExists(Entity::PolicyName(policy.name.clone()))),
                other => other?,
            };
            tx.execute(
                "INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES ($1, 1, $2, $3)",
                &[policy.id.as_str().into(), policy.document.as_str().into(), policy.now.into()],
            )?;
            write_tags(tx, TagSet::Policy, policy.id.as_str(), &tags)?;
            Ok(ManagedPolicy {
                arn: policy_arn(account.as_str(), &policy.path, &policy.name),
                id: policy.id.as_str().to_owned(),
                name: policy.name.clone(),
                path: policy.path.clone(),
                description: policy.description.clone(),
                default_version: 1,
                attachment_count: 0,
                created_at: policy.now,
                updated_at: policy.now,
                tags,
            })
        })
        .await
    }

    async fn policy(&self, account: &AccountId, arn: &PolicyArn) -> Result<ManagedPolicy, IamError> {
        let (account, arn) = (account.clone(), arn.clone());
        self.read(move |tx| {
            if let Some(aws) = aws_policy(&arn) {
                return Ok(aws.describe(attachment_count(tx, &account, &aws.arn())?));
            }
            let stored = require_policy(tx, &account, &arn)?;
            Ok(describe(tx, &account, stored, true)?)
        })
        .await
    }

    async fn list_policies(
        &self,
        account: &AccountId,
        filter: PolicyFilter,
        page: PageRequest,
    ) -> Result<Page<ManagedPolicy>, StoreError> {
        let account = account.clone();
        self.read(move |tx| {
            let mut all = Vec::new();
            if filter.scope != PolicyScope::Local {
                for aws in &CATALOGUE {
                    all.push(aws.describe(attachment_count(tx, &account, &aws.arn())?));
                }
            }
            if filter.scope != PolicyScope::Aws {
                let rows = tx.query(
                    &format!("SELECT {POLICY_COLUMNS} FROM managed_policies WHERE account_id = $1"),
                    &[account.as_str().into()],
                )?;
                for row in &rows {
                    let stored = read_policy(row)?;
                    all.push(describe(tx, &account, stored, false)?);
                }
            }
            all.retain(|p| {
                p.path.starts_with(&filter.path_prefix) && (!filter.only_attached || p.attachment_count > 0)
            });
            let key = |p: &ManagedPolicy| policy_sort_key(&p.name, &p.arn);
            all.sort_by_key(key);
            let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
            let rest: Vec<ManagedPolicy> = all
                .into_iter()
                .filter(|p| page.after.as_ref().is_none_or(|after| key(p) > *after))
                .collect();
            let more = rest.len() > limit;
            Ok(Page {
                items: rest.into_iter().take(limit).collect(),
                more,
            })
        })
        .await
    }

    async fn delete_policy(&self, account: &AccountId, arn: &PolicyArn) -> Result<(), IamError> {
        let (account, arn) = (account.clone(), arn.clone());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let policy = require_policy(tx, &account, &arn)?;
            if attachment_count(tx, &account, &policy.arn)? > 0 {
                return Err(IamError::DeleteConflict(DeleteBlocker::PolicyAttached));
            }
            let id: Value = policy.id.as_str().into();
            if tx.count(
                "SELECT COUNT(*) FROM policy_versions WHERE policy_id = $1",
                std::slice::from_ref(&id),
            )? > 1
            {
                return Err(IamError::DeleteConflict(DeleteBlocker::PolicyVersions));
            }
            for sql in [
                "DELETE FROM policy_tags WHERE policy_id = $1",
                "DELETE FROM policy_versions WHERE policy_id = $1",
                "DELETE FROM managed_policies WHERE policy_id = $1",
            ] {
                tx.execute(sql, std::slice::from_ref(&id))?;
            }
            Ok(())
        })
        .await
    }

    async fn create_policy_version(
        &self,
        account: &AccountId,
        arn: &PolicyArn,
        document: &str,
        set_as_default: bool,
        now: OffsetDateTime,
    ) -> Result<PolicyVersion, IamError> {
        let (account, arn, document) = (account.clone(), arn.clone(), document.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let policy = require_policy(tx, &account, &arn)?;
            let id: Value = policy.id.as_str().into();
            if tx.count("SELECT COUNT(*) FROM policy_versions WHERE policy_id = $1", std::slice::from_ref(&id))? >= VERSIONS_PER_POLICY {
                return Err(IamError::LimitExceeded(Quota::VersionsPerPolicy));
            }
            let version = tx.query_one("SELECT next_version FROM managed_policies WHERE policy_id = $1", std::slice::from_ref(&id))?.int(0)?;
            tx.execute(
                "INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES ($1, $2, $3, $4)",
                &[id.clone(), version.into(), document.as_str().into(), now.into()],
            )?;
            let default_version = if set_as_default { version } else { policy.default_version };
            // UpdateDate is when the newest version was created [AWS].
            tx.execute(
                "UPDATE managed_policies SET next_version = $1, default_version = $2, updated_at = $3 WHERE policy_id = $4",
                &[(version + 1).into(), default_version.into(), now.into(), id],
            )?;
            Ok(PolicyVersion { version, document: document.clone(), is_default: set_as_default, created_at: now })
        })
        .await
    }

    async fn policy_version(
        &self,
        account: &AccountId,
        arn: &PolicyArn,
        version: i64,
    ) -> Result<PolicyVersion, IamError> {
        let (account, arn) = (account.clone(), arn.clone());
        self.read(move |tx| {
            if let Some(aws) = aws_policy(&arn) {
                return Some(aws.default_version())
                    .filter(|v| v.version == version)
                    .ok_or_else(|| missing_version(&arn, version));
            }
            let policy = require_policy(tx, &account, &arn)?;
            let row = tx.query_opt(
                "SELECT version, document, created_at FROM policy_versions WHERE policy_id = $1 AND version = $2",
                &[policy.id.as_str().into(), version.into()],
            )?;
            let row = row.ok_or_else(|| missing_version(&arn, version))?;
            Ok(read_version(&row, policy.default_version)?)
        })
        .await
    }

    async fn list_policy_versions(&self, account: &AccountId, arn: &PolicyArn) -> Result<Vec<PolicyVersion>, IamError> {
        let (account, arn) = (account.clone(), arn.clone());
        self.read(move |tx| {
            if let Some(aws) = aws_policy(&arn) {
                return Ok(vec![aws.default_version()]);
            }
            let policy = require_policy(tx, &account, &arn)?;
            Ok(versions(tx, &policy)?)
        })
        .await
    }

    async fn delete_policy_version(&self, account: &AccountId, arn: &PolicyArn, version: i64) -> Result<(), IamError> {
        let (account, arn) = (account.clone(), arn.clone());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let policy = require_policy(tx, &account, &arn)?;
            if version == policy.default_version {
                return Err(IamError::DeleteConflict(DeleteBlocker::DefaultPolicyVersion));
            }
            let deleted = tx.execute(
                "DELETE FROM policy_versions WHERE policy_id = $1 AND version = $2",
                &[policy.id.as_str().into(), version.into()],
            )?;
            if deleted == 0 {
                return Err(missing_version(&arn, version));
            }
            Ok(())
        })
        .await
    }

    async fn set_default_policy_version(
        &self,
        account: &AccountId,
        arn: &PolicyArn,
        version: i64,
    ) -> Result<(), IamError> {
        let (account, arn) = (account.clone(), arn.clone());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let policy = require_policy(tx, &account, &arn)?;
            let exists = tx.count(
                "SELECT COUNT(*) FROM policy_versions WHERE policy_id = $1 AND version = $2",
                &[policy.id.as_str().into(), version.into()],
            )? > 0;
            if !exists {
                return Err(missing_version(&arn, version));
            }
            tx.execute(
                "UPDATE managed_policies SET default_version = $1 WHERE policy_id = $2",
                &[version.into(), policy.id.as_str().into()],
            )?;
            Ok(())
        })
        .await
    }
}
