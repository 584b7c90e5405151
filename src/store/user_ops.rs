//! IAM users and their tags.

use super::account_ops::lock_account;
use super::group_ops::{group_count_of_user, policy_blocker};
use super::sql::{Row, SqlTx, Value};
use super::tag_ops::{TagSet, read_tags, write_tags};
use super::{DeleteBlocker, Entity, IamError, Page, PageRequest, Quota, SqlStore, StoreError, Target};
use crate::domain::tags::{self, TagError};
use crate::domain::*;
use async_trait::async_trait;
use time::OffsetDateTime;

/// AWS's default quota (`spec/README.md`).
pub const USERS_PER_ACCOUNT: i64 = 5000;

#[derive(Clone, Debug)]
pub struct NewUser {
    pub id: UserId,
    pub name: String,
    pub path: String,
    pub tags: Vec<Tag>,
    pub now: OffsetDateTime,
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates a user unless its name is taken (case-insensitively) or the quota is reached.
    async fn create_user(&self, account: &AccountId, user: NewUser) -> Result<User, IamError>;
    async fn user_by_name(&self, account: &AccountId, name: &str) -> Result<Option<User>, StoreError>;
    /// Users whose path starts with `path_prefix`, ordered by lower-cased name.
    async fn list_users(
        &self,
        account: &AccountId,
        path_prefix: &str,
        page: PageRequest,
    ) -> Result<Page<User>, StoreError>;
    async fn update_user(
        &self,
        account: &AccountId,
        name: &str,
        new_name: Option<String>,
        new_path: Option<String>,
    ) -> Result<(), IamError>;
    /// Deletes a user that holds nothing AWS makes you delete first.
    async fn delete_user(&self, account: &AccountId, name: &str) -> Result<(), IamError>;
    async fn tag_user(&self, account: &AccountId, name: &str, tags: Vec<Tag>) -> Result<(), IamError>;
    async fn untag_user(&self, account: &AccountId, name: &str, keys: Vec<String>) -> Result<(), IamError>;
}

pub(super) const USER_COLUMNS: &str = "account_id, user_id, user_name, path, created_at, password_last_used";

/// The case-insensitive key names are unique under (`iam-mfa.md` §0.5).
pub(super) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// Where a renamable entity (user or group) keeps its name, sort key and path.
pub(super) struct NamedRow {
    pub table: &'static str,
    pub name_column: &'static str,
    pub id_column: &'static str,
}

/// Renames and/or moves an entity, keeping what is not given; the caller has checked that the
/// new name is free.
pub(super) fn rename(
    tx: &mut dyn SqlTx,
    row: NamedRow,
    id: &str,
    (name, path): (&str, &str),
    (new_name, new_path): (Option<&str>, Option<&str>),
) -> Result<(), StoreError> {
    let name = new_name.unwrap_or(name);
    let NamedRow {
        table,
        name_column,
        id_column,
    } = row;
    tx.execute(
        &format!("UPDATE {table} SET {name_column} = $1, name_key = $2, path = $3 WHERE {id_column} = $4"),
        &[
            name.into(),
            name_key(name).into(),
            new_path.unwrap_or(path).into(),
            id.into(),
        ],
    )
    .map(|_| ())
}

pub(super) fn read_user(row: &Row) -> Result<User, StoreError> {
    let account = row.text(0)?;
    Ok(User {
        account_id: AccountId::parse(&account)
            .ok_or_else(|| StoreError::Corrupt(format!("bad account id {account}")))?,
        id: UserId::from_stored(row.text(1)?),
        name: row.text(2)?,
        path: row.text(3)?,
        created_at: row.time(4)?,
        password_last_used: row.opt_time(5)?,
        tags: Vec::new(),
    })
}

/// Finds a user by name (case-insensitive), with its tags.
pub(super) fn find_user(tx: &mut dyn SqlTx, account: &AccountId, name: &str) -> Result<Option<User>, StoreError> {
    let row = tx.query_opt(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE account_id = $1 AND name_key = $2"),
        &[account.as_str().into(), name_key(name).into()],
    )?;
    let Some(row) = row else { return Ok(None) };
    let mut user = read_user(&row)?;
    user.tags = read_tags(tx, TagSet::User, user.id.as_str())?;
    Ok(Some(user))
}

pub(super) fn require_user(tx: &mut dyn SqlTx, account: &AccountId, name: &str) -> Result<User, IamError> {
    find_user(tx, account, name)?.ok_or_else(|| IamError::NotFound(Entity::User(name.to_owned())))
}

/// Resolves a [`Target`] inside the caller's transaction: the owner, and the user's name as
/// stored (`None` for root).
pub(super) fn resolve_target(
    tx: &mut dyn SqlTx,
    account: &AccountId,
    target: &Target,
) -> Result<(Owner, Option<String>), IamError> {
    match target {
        Target::Root => Ok((Owner::Root, None)),
        Target::UserNamed(name) => {
            let user = require_user(tx, account, name)?;
            Ok((Owner::User(user.id), Some(user.name)))
        }
    }
}

/// The `user_id` column value for an owner: NULL stands for root.
pub(super) fn owner_column(owner: &Owner) -> Value {
    match owner {
        Owner::Root => Value::Text(None),
        Owner::User(id) => id.as_str().into(),
    }
}

fn tag_error(error: TagError) -> IamError {
    match error {
        TagError::TooMany => IamError::LimitExceeded(Quota::TagsPerUser),
        TagError::DuplicateKeys | TagError::ReservedPrefix => IamError::Invalid(error.to_string()),
    }
}

#[async_trait]
impl UserStore for SqlStore {
    async fn create_user(&self, account: &AccountId, user: NewUser) -> Result<User, IamError> {
        let account = account.clone();
        self.write(move |tx| {
            lock_account(tx, &account)?;
            // The account ID names root in MFA operations (`iam-mfa.md` §0.4), so no user may take it.
            if user.name == account.as_str() || find_user(tx, &account, &user.name)?.is_some() {
                return Err(IamError::AlreadyExists(Entity::User(user.name.clone())));
            }
            if tx.count("SELECT COUNT(*) FROM users WHERE account_id = $1", &[account.as_str().into()])? >= USERS_PER_ACCOUNT {
                return Err(IamError::LimitExceeded(Quota::UsersPerAccount));
            }
            tags::check_request(&user.tags).map_err(tag_error)?;
            let tags = tags::merge(&[], &user.tags).map_err(tag_error)?;
            let inserted = tx.execute(
                "INSERT INTO users (user_id, account_id, user_name, name_key, path, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[user.id.as_str().into(), account.as_str().into(), user.name.as_str().into(), name_key(&user.name).into(), user.path.as_str().into(), user.now.into()],
            );
            match inserted {
                Err(StoreError::UniqueViolation) => return Err(IamError::AlreadyExists(Entity::User(user.name.clone()))),
                other => other?,
            };
            write_tags(tx, TagSet::User, user.id.as_str(), &tags)?;
            Ok(User {
                account_id: account.clone(),
                id: user.id.clone(),
                name: user.name.clone(),
                path: user.path.clone(),
                created_at: user.now,
                password_last_used: None,
                tags,
            })
        })
        .await
    }

    async fn user_by_name(&self, account: &AccountId, name: &str) -> Result<Option<User>, StoreError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.read(move |tx| find_user(tx, &account, &name)).await
    }

    async fn list_users(
        &self,
        account: &AccountId,
        path_prefix: &str,
        page: PageRequest,
    ) -> Result<Page<User>, StoreError> {
        let (account, prefix) = (account.clone(), path_prefix.to_owned());
        self.read(move |tx| {
            // Prefix match by comparison, not LIKE, so '%' and '_' in paths stay literal.
            let rows = tx.query(
                &format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE account_id = $1 AND substr(path, 1, length($2)) = $2 AND name_key > $3 ORDER BY name_key LIMIT $4"
                ),
                &[
                    account.as_str().into(),
                    prefix.as_str().into(),
                    page.after.clone().unwrap_or_default().into(),
                    (i64::from(page.limit) + 1).into(),
                ],
            )?;
            let more = rows.len() > usize::try_from(page.limit).unwrap_or(usize::MAX);
            let items = rows.iter().take(usize::try_from(page.limit).unwrap_or(usize::MAX)).map(read_user).collect::<Result<_, _>>()?;
            Ok(Page { items, more })
        })
        .await
    }

    async fn update_user(
        &self,
        account: &AccountId,
        name: &str,
        new_name: Option<String>,
        new_path: Option<String>,
    ) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let user = require_user(tx, &account, &name)?;
            if let Some(new_name) = &new_name {
                let taken = new_name == account.as_str()
                    || find_user(tx, &account, new_name)?.is_some_and(|other| other.id != user.id);
                if taken {
                    return Err(IamError::AlreadyExists(Entity::User(new_name.clone())));
                }
            }
            let row = NamedRow {
                table: "users",
                name_column: "user_name",
                id_column: "user_id",
            };
            rename(
                tx,
                row,
                user.id.as_str(),
                (&user.name, &user.path),
                (new_name.as_deref(), new_path.as_deref()),
            )?;
            Ok(())
        })
        .await
    }

    async fn delete_user(&self, account: &AccountId, name: &str) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let user = require_user(tx, &account, &name)?;
            let id: Value = user.id.as_str().into();
            if tx.count(
                "SELECT COUNT(*) FROM login_profiles WHERE user_id = $1",
                std::slice::from_ref(&id),
            )? > 0
            {
                return Err(IamError::DeleteConflict(DeleteBlocker::LoginProfile));
            }
            if tx.count(
                "SELECT COUNT(*) FROM access_keys WHERE user_id = $1",
                std::slice::from_ref(&id),
            )? > 0
            {
                return Err(IamError::DeleteConflict(DeleteBlocker::AccessKeys));
            }
            if tx.count(
                "SELECT COUNT(*) FROM mfa_devices WHERE assigned = 1 AND user_id = $1",
                std::slice::from_ref(&id),
            )? > 0
            {
                return Err(IamError::DeleteConflict(DeleteBlocker::MfaDevices));
            }
            if let Some(blocker) = policy_blocker(tx, user.id.as_str())? {
                return Err(IamError::DeleteConflict(blocker));
            }
            if group_count_of_user(tx, user.id.as_str())? > 0 {
                return Err(IamError::DeleteConflict(DeleteBlocker::GroupMemberships));
            }
            tx.execute("DELETE FROM user_tags WHERE user_id = $1", std::slice::from_ref(&id))?;
            tx.execute("DELETE FROM users WHERE user_id = $1", std::slice::from_ref(&id))?;
            Ok(())
        })
        .await
    }

    async fn tag_user(&self, account: &AccountId, name: &str, new_tags: Vec<Tag>) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let user = require_user(tx, &account, &name)?;
            tags::check_request(&new_tags).map_err(tag_error)?;
            let merged = tags::merge(&user.tags, &new_tags).map_err(tag_error)?;
            write_tags(tx, TagSet::User, user.id.as_str(), &merged)?;
            Ok(())
        })
        .await
    }

    async fn untag_user(&self, account: &AccountId, name: &str, keys: Vec<String>) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let user = require_user(tx, &account, &name)?;
            let kept = tags::without_keys(&user.tags, &keys);
            write_tags(tx, TagSet::User, user.id.as_str(), &kept)?;
            Ok(())
        })
        .await
    }
}
