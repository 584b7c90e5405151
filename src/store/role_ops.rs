//! IAM roles and their tags. Role sessions live in [`super::session_ops`]; a role's inline and
//! attached policies only matter here as blockers of its deletion.

use super::account_ops::lock_account;
use super::group_ops::policy_blocker;
use super::sql::{Row, SqlTx, Value};
use super::tag_ops::{TagSet, read_tags, write_tags};
use super::user_ops::name_key;
use super::{Entity, IamError, Page, PageRequest, Quota, SqlStore, StoreError};
use crate::domain::tags::{self, TagError};
use crate::domain::*;
use async_trait::async_trait;
use time::OffsetDateTime;

/// AWS's default quota (`RolesQuota` in `GetAccountSummary`).
pub const ROLES_PER_ACCOUNT: i64 = 1000;

#[derive(Clone, Debug)]
pub struct NewRole {
    pub id: RoleId,
    pub name: String,
    pub path: String,
    pub trust_policy: String,
    pub description: Option<String>,
    pub max_session_duration: i64,
    pub tags: Vec<Tag>,
    pub now: OffsetDateTime,
}

/// What `UpdateRole` changes; absent members stay as they are.
#[derive(Clone, Debug, Default)]
pub struct RoleUpdate {
    pub description: Option<String>,
    pub max_session_duration: Option<i64>,
}

#[async_trait]
pub trait RoleStore: Send + Sync {
    /// Creates a role unless its name is taken (case-insensitively) or the quota is reached.
    async fn create_role(&self, account: &AccountId, role: NewRole) -> Result<Role, IamError>;
    /// The role with its tags and last use.
    async fn role_by_name(&self, account: &AccountId, name: &str) -> Result<Option<Role>, StoreError>;
    /// Roles whose path starts with `path_prefix`, ordered by lower-cased name, without tags.
    async fn list_roles(
        &self,
        account: &AccountId,
        path_prefix: &str,
        page: PageRequest,
    ) -> Result<Page<Role>, StoreError>;
    async fn update_role(&self, account: &AccountId, name: &str, update: RoleUpdate) -> Result<(), IamError>;
    /// Replaces the trust policy (stored exactly as received).
    async fn update_trust_policy(&self, account: &AccountId, name: &str, document: String) -> Result<(), IamError>;
    /// Deletes a role that holds no inline or attached policies; its sessions end with it.
    async fn delete_role(&self, account: &AccountId, name: &str) -> Result<(), IamError>;
    async fn tag_role(&self, account: &AccountId, name: &str, tags: Vec<Tag>) -> Result<(), IamError>;
    async fn untag_role(&self, account: &AccountId, name: &str, keys: Vec<String>) -> Result<(), IamError>;
}

const ROLE_COLUMNS: &str = "account_id, role_id, role_name, path, trust_policy, description, max_session_duration, created_at, last_used_at, last_used_region";

pub(super) fn read_role(row: &Row) -> Result<Role, StoreError> {
    let account = row.text(0)?;
    let last_used = match (row.opt_time(8)?, row.opt_text(9)?) {
        (Some(at), Some(region)) => Some(RoleUse { at, region }),
        _ => None,
    };
    Ok(Role {
        account_id: AccountId::parse(&account)
            .ok_or_else(|| StoreError::Corrupt(format!("bad account id {account}")))?,
        id: RoleId::from_stored(row.text(1)?),
        name: row.text(2)?,
        path: row.text(3)?,
        trust_policy: row.text(4)?,
        description: row.opt_text(5)?,
        max_session_duration: row.int(6)?,
        created_at: row.time(7)?,
        last_used,
        tags: Vec::new(),
    })
}

/// A role by ID, with its tags; `None` once deleted.
pub(super) fn find_role_by_id(tx: &mut dyn SqlTx, id: &str) -> Result<Option<Role>, StoreError> {
    let row = tx.query_opt(
        &format!("SELECT {ROLE_COLUMNS} FROM roles WHERE role_id = $1"),
        &[id.into()],
    )?;
    with_tags(tx, row)
}

fn find_role(tx: &mut dyn SqlTx, account: &AccountId, name: &str) -> Result<Option<Role>, StoreError> {
    let row = tx.query_opt(
        &format!("SELECT {ROLE_COLUMNS} FROM roles WHERE account_id = $1 AND name_key = $2"),
        &[account.as_str().into(), name_key(name).into()],
    )?;
    with_tags(tx, row)
}

fn with_tags(tx: &mut dyn SqlTx, row: Option<Row>) -> Result<Option<Role>, StoreError> {
    let Some(row) = row else { return Ok(None) };
    let mut role = read_role(&row)?;
    role.tags = read_tags(tx, TagSet::Role, role.id.as_str())?;
    Ok(Some(role))
}

fn require_role(tx: &mut dyn SqlTx, account: &AccountId, name: &str) -> Result<Role, IamError> {
    find_role(tx, account, name)?.ok_or_else(|| IamError::NotFound(Entity::Role(name.to_owned())))
}

fn tag_error(error: TagError) -> IamError {
    match error {
        TagError::TooMany => IamError::LimitExceeded(Quota::TagsPerRole),
        TagError::DuplicateKeys | TagError::ReservedPrefix => IamError::Invalid(error.to_string()),
    }
}

#[async_trait]
impl RoleStore for SqlStore {
    async fn create_role(&self, account: &AccountId, role: NewRole) -> Result<Role, IamError> {
        let account = account.clone();
        self.write(move |tx| {
            lock_account(tx, &account)?;
            if find_role(tx, &account, &role.name)?.is_some() {
                return Err(IamError::AlreadyExists(Entity::Role(role.name.clone())));
            }
            if tx.count("SELECT COUNT(*) FROM roles WHERE account_id = $1", &[account.as_str().into()])? >= ROLES_PER_ACCOUNT {
                return Err(IamError::LimitExceeded(Quota::RolesPerAccount));
            }
            tags::check_request(&role.tags).map_err(tag_error)?;
            let tags = tags::merge(&[], &role.tags).map_err(tag_error)?;
            let inserted = tx.execute(
                "INSERT INTO roles (role_id, account_id, role_name, name_key, path, trust_policy, description, max_session_duration, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    role.id.as_str().into(),
                    account.as_str().into(),
                    role.name.as_str().into(),
                    name_key(&role.name).into(),
                    role.path.as_str().into(),
                    role.trust_policy.as_str().into(),
                    role.description.clone().into(),
                    role.max_session_duration.into(),
                    role.now.into(),
                ],
            );
            match inserted {
                Err(StoreError::UniqueViolation) => return Err(IamError::AlreadyExists(Entity::Role(role.name.clone()))),
                other => other?,
            };
            write_tags(tx, TagSet::Role, role.id.as_str(), &tags)?;
            Ok(Role {
                account_id: account.clone(),
                id: role.id.clone(),
                name: role.name.clone(),
                path: role.path.clone(),
                trust_policy: role.trust_policy.clone(),
                description: role.description.clone(),
                max_session_duration: role.max_session_duration,
                created_at: role.now,
                last_used: None,
                tags,
            })
        })
        .await
    }

    async fn role_by_name(&self, account: &AccountId, name: &str) -> Result<Option<Role>, StoreError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.read(move |tx| find_role(tx, &account, &name)).await
    }

    async fn list_roles(
        &self,
        account: &AccountId,
        path_prefix: &str,
        page: PageRequest,
    ) -> Result<Page<Role>, StoreError> {
        let (account, prefix) = (account.clone(), path_prefix.to_owned());
        self.read(move |tx| {
            let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
            // Prefix match by comparison, not LIKE, so '%' and '_' in paths stay literal.
            let rows = tx.query(
                &format!(
                    "SELECT {ROLE_COLUMNS} FROM roles WHERE account_id = $1 AND substr(path, 1, length($2)) = $2 AND name_key > $3 ORDER BY name_key LIMIT $4"
                ),
                &[
                    account.as_str().into(),
                    prefix.as_str().into(),
                    page.after.clone().unwrap_or_default().into(),
                    (i64::from(page.limit) + 1).into(),
                ],
            )?;
            let more = rows.len() > limit;
            let items = rows.iter().take(limit).map(read_role).collect::<Result<_, _>>()?;
            Ok(Page { items, more })
        })
        .await
    }

    async fn update_role(&self, account: &AccountId, name: &str, update: RoleUpdate) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let role = require_role(tx, &account, &name)?;
            tx.execute(
                "UPDATE roles SET description = $1, max_session_duration = $2 WHERE role_id = $3",
                &[
                    update.description.clone().or_else(|| role.description.clone()).into(),
                    update.max_session_duration.unwrap_or(role.max_session_duration).into(),
                    role.id.as_str().into(),
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn update_trust_policy(&self, account: &AccountId, name: &str, document: String) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let role = require_role(tx, &account, &name)?;
            tx.execute(
                "UPDATE roles SET trust_policy = $1 WHERE role_id = $2",
                &[document.as_str().into(), role.id.as_str().into()],
            )?;
            Ok(())
        })
        .await
    }

    async fn delete_role(&self, account: &AccountId, name: &str) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let role = require_role(tx, &account, &name)?;
            if let Some(blocker) = policy_blocker(tx, role.id.as_str())? {
                return Err(IamError::DeleteConflict(blocker));
            }
            let id: Value = role.id.as_str().into();
            // Tags and sessions go with the role (ON DELETE CASCADE).
            tx.execute("DELETE FROM roles WHERE role_id = $1", std::slice::from_ref(&id))?;
            Ok(())
        })
        .await
    }

    async fn tag_role(&self, account: &AccountId, name: &str, new_tags: Vec<Tag>) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let role = require_role(tx, &account, &name)?;
            tags::check_request(&new_tags).map_err(tag_error)?;
            let merged = tags::merge(&role.tags, &new_tags).map_err(tag_error)?;
            write_tags(tx, TagSet::Role, role.id.as_str(), &merged)?;
            Ok(())
        })
        .await
    }

    async fn untag_role(&self, account: &AccountId, name: &str, keys: Vec<String>) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let role = require_role(tx, &account, &name)?;
            let kept = tags::without_keys(&role.tags, &keys);
            write_tags(tx, TagSet::Role, role.id.as_str(), &kept)?;
            Ok(())
        })
        .await
    }
}
