//! IAM groups and their members.

use super::account_ops::lock_account;
use super::sql::{Row, SqlTx, Value};
use super::user_ops::{NamedRow, USER_COLUMNS, name_key, read_user, rename, require_user};
use super::{DeleteBlocker, Entity, IamError, Page, PageRequest, Quota, SqlStore, StoreError};
use crate::domain::*;
use async_trait::async_trait;
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct NewGroup {
    pub id: GroupId,
    pub name: String,
    pub path: String,
    pub now: OffsetDateTime,
}

#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Creates a group unless its name is taken (case-insensitively) or the quota is reached.
    async fn create_group(&self, account: &AccountId, group: NewGroup) -> Result<Group, IamError>;
    /// The group and one page of its members, ordered by lower-cased user name.
    async fn group_with_members(
        &self,
        account: &AccountId,
        name: &str,
        page: PageRequest,
    ) -> Result<(Group, Page<User>), IamError>;
    /// Groups whose path starts with `path_prefix`, ordered by lower-cased name.
    async fn list_groups(
        &self,
        account: &AccountId,
        path_prefix: &str,
        page: PageRequest,
    ) -> Result<Page<Group>, StoreError>;
    async fn update_group(
        &self,
        account: &AccountId,
        name: &str,
        new_name: Option<String>,
        new_path: Option<String>,
    ) -> Result<(), IamError>;
    /// Deletes a group without members or policies.
    async fn delete_group(&self, account: &AccountId, name: &str) -> Result<(), IamError>;
    /// Adds the user to the group; already a member is success [AWS].
    async fn add_user_to_group(
        &self,
        account: &AccountId,
        group: &str,
        user: &str,
        now: OffsetDateTime,
    ) -> Result<(), IamError>;
    async fn remove_user_from_group(&self, account: &AccountId, group: &str, user: &str) -> Result<(), IamError>;
    /// The user's groups, ordered by lower-cased name.
    async fn groups_for_user(
        &self,
        account: &AccountId,
        user: &str,
        page: PageRequest,
    ) -> Result<Page<Group>, IamError>;
}

const GROUP_COLUMNS: &str = "g.account_id, g.group_id, g.group_name, g.path, g.created_at";

fn read_group(row: &Row) -> Result<Group, StoreError> {
    let account = row.text(0)?;
    Ok(Group {
        account_id: AccountId::parse(&account)
            .ok_or_else(|| StoreError::Corrupt(format!("bad account id {account}")))?,
        id: GroupId::from_stored(row.text(1)?),
        name: row.text(2)?,
        path: row.text(3)?,
        created_at: row.time(4)?,
    })
}

fn find_group(tx: &mut dyn SqlTx, account: &AccountId, name: &str) -> Result<Option<Group>, StoreError> {
    tx.query_opt(
        &format!("SELECT {GROUP_COLUMNS} FROM iam_groups g WHERE g.account_id = $1 AND g.name_key = $2"),
        &[account.as_str().into(), name_key(name).into()],
    )?
    .map(|row| read_group(&row))
    .transpose()
}

fn require_group(tx: &mut dyn SqlTx, account: &AccountId, name: &str) -> Result<Group, IamError> {
    find_group(tx, account, name)?.ok_or_else(|| IamError::NotFound(Entity::Group(name.to_owned())))
}

/// Runs a keyed page query whose last two parameters are the sort key to start after and
/// the row limit; `read` turns each row into an item.
pub(super) fn keyed_page<T>(
    tx: &mut dyn SqlTx,
    sql: &str,
    mut params: Vec<Value>,
    page: &PageRequest,
    read: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError> {
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    params.push(page.after.clone().unwrap_or_default().into());
    params.push((i64::from(page.limit) + 1).into());
    let rows = tx.query(sql, &params)?;
    let more = rows.len() > limit;
    let items = rows.iter().take(limit).map(read).collect::<Result<_, _>>()?;
    Ok(Page { items, more })
}

/// How many groups the user is in (DeleteUser's group check, the GroupsPerUser quota).
pub(super) fn group_count_of_user(tx: &mut dyn SqlTx, user_id: &str) -> Result<i64, StoreError> {
    tx.count(
        "SELECT COUNT(*) FROM group_members WHERE user_id = $1",
        &[user_id.into()],
    )
}

/// The IDs of the user's groups (whose policies apply to the user).
pub(super) fn group_ids_of_user(tx: &mut dyn SqlTx, user_id: &str) -> Result<Vec<String>, StoreError> {
    tx.query(
        "SELECT group_id FROM group_members WHERE user_id = $1",
        &[user_id.into()],
    )?
    .iter()
    .map(|row| row.text(0))
    .collect()
}

/// Inline and attached policies an owner still holds, as the delete blocker they raise.
pub(super) fn policy_blocker(tx: &mut dyn SqlTx, owner_id: &str) -> Result<Option<DeleteBlocker>, StoreError> {
    let id: Value = owner_id.into();
    if tx.count(
        "SELECT COUNT(*) FROM inline_policies WHERE owner_id = $1",
        std::slice::from_ref(&id),
    )? > 0
    {
        return Ok(Some(DeleteBlocker::InlinePolicies));
    }
    if tx.count(
        "SELECT COUNT(*) FROM policy_attachments WHERE owner_id = $1",
        std::slice::from_ref(&id),
    )? > 0
    {
        return Ok(Some(DeleteBlocker::AttachedPolicies));
    }
    Ok(None)
}

#[async_trait]
impl GroupStore for SqlStore {
    async fn create_group(&self, account: &AccountId, group: NewGroup) -> Result<Group, IamError> {
        let account = account.clone();
        self.write(move |tx| {
            lock_account(tx, &account)?;
            if find_group(tx, &account, &group.name)?.is_some() {
                return Err(IamError::AlreadyExists(Entity::Group(group.name.clone())));
            }
            if tx.count("SELECT COUNT(*) FROM iam_groups WHERE account_id = $1", &[account.as_str().into()])? >= GROUPS_PER_ACCOUNT {
                return Err(IamError::LimitExceeded(Quota::GroupsPerAccount));
            }
            let inserted = tx.execute(
                "INSERT INTO iam_groups (group_id, account_id, group_name, name_key, path, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[group.id.as_str().into(), account.as_str().into(), group.name.as_str().into(), name_key(&group.name).into(), group.path.as_str().into(), group.now.into()],
            );
            match inserted {
                Err(StoreError::UniqueViolation) => return Err(IamError::AlreadyExists(Entity::Group(group.name.clone()))),
                other => other?,
            };
            Ok(Group {
                account_id: account.clone(),
                id: group.id.clone(),
                name: group.name.clone(),
                path: group.path.clone(),
                created_at: group.now,
            })
        })
        .await
    }

    async fn group_with_members(
        &self,
        account: &AccountId,
        name: &str,
        page: PageRequest,
    ) -> Result<(Group, Page<User>), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.read(move |tx| {
            let group = require_group(tx, &account, &name)?;
            let columns = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
            let members = keyed_page(
                tx,
                &format!(
                    "SELECT {columns} FROM users u JOIN group_members m ON m.user_id = u.user_id WHERE m.group_id = $1 AND u.name_key > $2 ORDER BY u.name_key LIMIT $3"
                ),
                vec![group.id.as_str().into()],
                &page,
                read_user,
            )?;
            Ok((group, members))
        })
        .await
    }

    async fn list_groups(
        &self,
        account: &AccountId,
        path_prefix: &str,
        page: PageRequest,
    ) -> Result<Page<Group>, StoreError> {
        let (account, prefix) = (account.clone(), path_prefix.to_owned());
        self.read(move |tx| {
            // Prefix match by comparison, not LIKE, so '%' and '_' in paths stay literal.
            keyed_page(
                tx,
                &format!(
                    "SELECT {GROUP_COLUMNS} FROM iam_groups g WHERE g.account_id = $1 AND substr(g.path, 1, length($2)) = $2 AND g.name_key > $3 ORDER BY g.name_key LIMIT $4"
                ),
                vec![account.as_str().into(), prefix.as_str().into()],
                &page,
                read_group,
            )
        })
        .await
    }

    async fn update_group(
        &self,
        account: &AccountId,
        name: &str,
        new_name: Option<String>,
        new_path: Option<String>,
    ) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let group = require_group(tx, &account, &name)?;
            if let Some(new_name) = &new_name
                && find_group(tx, &account, new_name)?.is_some_and(|other| other.id != group.id)
            {
                return Err(IamError::AlreadyExists(Entity::Group(new_name.clone())));
            }
            let row = NamedRow {
                table: "iam_groups",
                name_column: "group_name",
                id_column: "group_id",
            };
            rename(
                tx,
                row,
                group.id.as_str(),
                (&group.name, &group.path),
                (new_name.as_deref(), new_path.as_deref()),
            )?;
            Ok(())
        })
        .await
    }

    async fn delete_group(&self, account: &AccountId, name: &str) -> Result<(), IamError> {
        let (account, name) = (account.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let group = require_group(tx, &account, &name)?;
            let id: Value = group.id.as_str().into();
            // AWS's order: members, then inline policies, then attached policies.
            if tx.count(
                "SELECT COUNT(*) FROM group_members WHERE group_id = $1",
                std::slice::from_ref(&id),
            )? > 0
            {
                return Err(IamError::DeleteConflict(DeleteBlocker::GroupMembers));
            }
            if let Some(blocker) = policy_blocker(tx, group.id.as_str())? {
                return Err(IamError::DeleteConflict(blocker));
            }
            tx.execute("DELETE FROM iam_groups WHERE group_id = $1", std::slice::from_ref(&id))?;
            Ok(())
        })
        .await
    }

    async fn add_user_to_group(
        &self,
        account: &AccountId,
        group: &str,
        user: &str,
        now: OffsetDateTime,
    ) -> Result<(), IamError> {
        let (account, group, user) = (account.clone(), group.to_owned(), user.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let group = require_group(tx, &account, &group)?;
            let user = require_user(tx, &account, &user)?;
            let member = tx.count(
                "SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND user_id = $2",
                &[group.id.as_str().into(), user.id.as_str().into()],
            )? > 0;
            if member {
                return Ok(());
            }
            if group_count_of_user(tx, user.id.as_str())? >= GROUPS_PER_USER {
                return Err(IamError::LimitExceeded(Quota::GroupsPerUser));
            }
            tx.execute(
                "INSERT INTO group_members (group_id, user_id, added_at) VALUES ($1, $2, $3)",
                &[group.id.as_str().into(), user.id.as_str().into(), now.into()],
            )?;
            Ok(())
        })
        .await
    }

    async fn remove_user_from_group(&self, account: &AccountId, group: &str, user: &str) -> Result<(), IamError> {
        let (account, group, user) = (account.clone(), group.to_owned(), user.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let group = require_group(tx, &account, &group)?;
            let user = require_user(tx, &account, &user)?;
            let removed = tx.execute(
                "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2",
                &[group.id.as_str().into(), user.id.as_str().into()],
            )?;
            if removed == 0 {
                return Err(IamError::NotFound(Entity::GroupMember {
                    user: user.name,
                    group: group.name,
                }));
            }
            Ok(())
        })
        .await
    }

    async fn groups_for_user(
        &self,
        account: &AccountId,
        user: &str,
        page: PageRequest,
    ) -> Result<Page<Group>, IamError> {
        let (account, user) = (account.clone(), user.to_owned());
        self.read(move |tx| {
            let user = require_user(tx, &account, &user)?;
            Ok(keyed_page(
                tx,
                &format!(
                    "SELECT {GROUP_COLUMNS} FROM iam_groups g JOIN group_members m ON m.group_id = g.group_id WHERE m.user_id = $1 AND g.name_key > $2 ORDER BY g.name_key LIMIT $3"
                ),
                vec![user.id.as_str().into()],
                &page,
                read_group,
            )?)
        })
        .await
    }
}
