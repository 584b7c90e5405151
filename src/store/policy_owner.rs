//! The users, groups and roles that hold inline and attached policies, named as the API names
//! them and resolved inside the caller's transaction.

use super::sql::SqlTx;
use super::user_ops::name_key;
use super::{Entity, IamError};
use crate::domain::AccountId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerKind {
    User,
    Group,
    Role,
}

impl OwnerKind {
    /// Most characters (whitespace not counted) of all the owner's inline documents together
    /// (`iam-mfa.md` §5.9: UserPolicySizeQuota, GroupPolicySizeQuota, RolePolicySizeQuota).
    pub fn inline_size_quota(self) -> usize {
        match self {
            Self::User => 2048,
            Self::Group => 5120,
            Self::Role => 10240,
        }
    }

    /// (table, ID column, name column) of the owners of this kind.
    fn place(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::User => ("users", "user_id", "user_name"),
            Self::Group => ("iam_groups", "group_id", "group_name"),
            Self::Role => ("roles", "role_id", "role_name"),
        }
    }

    pub fn missing(self, name: &str) -> Entity {
        match self {
            Self::User => Entity::User(name.to_owned()),
            Self::Group => Entity::Group(name.to_owned()),
            Self::Role => Entity::Role(name.to_owned()),
        }
    }
}

/// A user, group or role by name, as a request names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyOwner {
    pub kind: OwnerKind,
    pub name: String,
}

impl PolicyOwner {
    pub fn user(name: &str) -> Self {
        Self {
            kind: OwnerKind::User,
            name: name.to_owned(),
        }
    }
    pub fn group(name: &str) -> Self {
        Self {
            kind: OwnerKind::Group,
            name: name.to_owned(),
        }
    }
    pub fn role(name: &str) -> Self {
        Self {
            kind: OwnerKind::Role,
            name: name.to_owned(),
        }
    }
}

/// An owner found in the database: its ID (the key policies are stored under) and its name as
/// stored.
pub(super) struct ResolvedOwner {
    pub id: String,
    pub name: String,
}

pub(super) fn resolve_owner(
    tx: &mut dyn SqlTx,
    account: &AccountId,
    owner: &PolicyOwner,
) -> Result<ResolvedOwner, IamError> {
    let (table, id_column, name_column) = owner.kind.place();
    let row = tx.query_opt(
        &format!("SELECT {id_column}, {name_column} FROM {table} WHERE account_id = $1 AND name_key = $2"),
        &[account.as_str().into(), name_key(&owner.name).into()],
    )?;
    let row = row.ok_or_else(|| IamError::NotFound(owner.kind.missing(&owner.name)))?;
    Ok(ResolvedOwner {
        id: row.text(0)?,
        name: row.text(1)?,
    })
}
