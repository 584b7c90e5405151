//! Long-term access keys: at most two per principal (`iam-mfa.md` §5.6).

use super::account_ops::lock_account;
use super::sql::{Row, SqlTx};
use super::user_ops::{owner_column, resolve_target};
use super::{Entity, IamError, Page, PageRequest, Quota, SqlStore, StoreError, Target};
use crate::domain::*;
use async_trait::async_trait;
use time::OffsetDateTime;

pub const ACCESS_KEYS_PER_PRINCIPAL: i64 = 2;

#[async_trait]
pub trait AccessKeyStore: Send + Sync {
    /// Adds an `Active` key unless the principal already holds two; returns it with the
    /// owner's stored name (`None` for root).
    async fn create_access_key(
        &self,
        account: &AccountId,
        target: &Target,
        id: AccessKeyId,
        sealed_secret: Vec<u8>,
        now: OffsetDateTime,
    ) -> Result<(Option<String>, AccessKey), IamError>;
    /// Keys in creation order, with the owner's stored name (`None` for root); `page.after`
    /// is the [`key_sort_key`] of the last key already returned.
    async fn list_access_keys(
        &self,
        account: &AccountId,
        target: &Target,
        page: PageRequest,
    ) -> Result<(Option<String>, Page<AccessKey>), IamError>;
    async fn set_access_key_status(
        &self,
        account: &AccountId,
        target: &Target,
        id: &str,
        status: AccessKeyStatus,
    ) -> Result<(), IamError>;
    async fn delete_access_key(&self, account: &AccountId, target: &Target, id: &str) -> Result<(), IamError>;
    /// Any key of the account, with its owner's name (`None` for root).
    async fn access_key_in_account(
        &self,
        account: &AccountId,
        id: &str,
    ) -> Result<Option<(AccessKey, Option<String>)>, StoreError>;
}

const KEY_COLUMNS: &str =
    "access_key_id, account_id, user_id, status, created_at, last_used_at, last_used_region, last_used_service";

pub(super) fn read_key(row: &Row) -> Result<AccessKey, StoreError> {
    let status = row.text(3)?;
    let last_used = match (row.opt_time(5)?, row.opt_text(6)?, row.opt_text(7)?) {
        (Some(at), Some(region), Some(service)) => Some(KeyUse { at, region, service }),
        _ => None,
    };
    Ok(AccessKey {
        id: AccessKeyId::from_stored(row.text(0)?),
        owner: match row.opt_text(2)? {
            None => Owner::Root,
            Some(user) => Owner::User(UserId::from_stored(user)),
        },
        status: AccessKeyStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("bad key status {status}")))?,
        created_at: row.time(4)?,
        last_used,
    })
}

/// A key's place in listings: creation time (zero-padded seconds), then ID. Ordered as text.
pub fn key_sort_key(key: &AccessKey) -> String {
    format!("{:020}/{}", key.created_at.unix_timestamp(), key.id.as_str())
}

/// Keys of one owner in creation order (ties by ID, so the order is total).
fn owner_keys(tx: &mut dyn SqlTx, account: &AccountId, owner: &Owner) -> Result<Vec<AccessKey>, StoreError> {
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM access_keys WHERE account_id = $1 AND user_id IS NOT DISTINCT FROM $2 ORDER BY created_at, access_key_id"
    );
    tx.query(&sql, &[account.as_str().into(), owner_column(owner)])?
        .iter()
        .map(read_key)
        .collect()
}

fn owned_key(tx: &mut dyn SqlTx, account: &AccountId, owner: &Owner, id: &str) -> Result<AccessKey, IamError> {
    owner_keys(tx, account, owner)?
        .into_iter()
        .find(|key| key.id.as_str() == id)
        .ok_or_else(|| IamError::NotFound(Entity::AccessKey(id.to_owned())))
}

#[async_trait]
impl AccessKeyStore for SqlStore {
    async fn create_access_key(
        &self,
        account: &AccountId,
        target: &Target,
        id: AccessKeyId,
        sealed_secret: Vec<u8>,
        now: OffsetDateTime,
    ) -> Result<(Option<String>, AccessKey), IamError> {
        let (account, target) = (account.clone(), target.clone());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let (owner, owner_name) = resolve_target(tx, &account, &target)?;
            if i64::try_from(owner_keys(tx, &account, &owner)?.len()).unwrap_or(i64::MAX) >= ACCESS_KEYS_PER_PRINCIPAL {
                return Err(IamError::LimitExceeded(Quota::AccessKeysPerUser));
            }
            tx.execute(
                "INSERT INTO access_keys (access_key_id, account_id, user_id, sealed_secret, status, created_at) VALUES ($1, $2, $3, $4, 'Active', $5)",
                &[id.as_str().into(), account.as_str().into(), owner_column(&owner), sealed_secret.clone().into(), now.into()],
            )?;
            Ok((owner_name, AccessKey { id: id.clone(), owner, status: AccessKeyStatus::Active, created_at: now, last_used: None }))
        })
        .await
    }

    async fn list_access_keys(
        &self,
        account: &AccountId,
        target: &Target,
        page: PageRequest,
    ) -> Result<(Option<String>, Page<AccessKey>), IamError> {
        let (account, target) = (account.clone(), target.clone());
        self.read(move |tx| {
            let (owner, owner_name) = resolve_target(tx, &account, &target)?;
            // By sort key, not position, so a key deleted between pages skips nothing.
            let rest: Vec<AccessKey> = owner_keys(tx, &account, &owner)?
                .into_iter()
                .filter(|key| page.after.as_ref().is_none_or(|after| key_sort_key(key) > *after))
                .collect();
            let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
            let more = rest.len() > limit;
            Ok((
                owner_name,
                Page {
                    items: rest.into_iter().take(limit).collect(),
                    more,
                },
            ))
        })
        .await
    }

    async fn set_access_key_status(
        &self,
        account: &AccountId,
        target: &Target,
        id: &str,
        status: AccessKeyStatus,
    ) -> Result<(), IamError> {
        let (account, target, id) = (account.clone(), target.clone(), id.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let (owner, _) = resolve_target(tx, &account, &target)?;
            let key = owned_key(tx, &account, &owner, &id)?;
            tx.execute(
                "UPDATE access_keys SET status = $1 WHERE access_key_id = $2",
                &[status.as_str().into(), key.id.as_str().into()],
            )?;
            Ok(())
        })
        .await
    }

    async fn delete_access_key(&self, account: &AccountId, target: &Target, id: &str) -> Result<(), IamError> {
        let (account, target, id) = (account.clone(), target.clone(), id.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let (owner, _) = resolve_target(tx, &account, &target)?;
            let key = owned_key(tx, &account, &owner, &id)?;
            tx.execute(
                "DELETE FROM access_keys WHERE access_key_id = $1",
                &[key.id.as_str().into()],
            )?;
            Ok(())
        })
        .await
    }

    async fn access_key_in_account(
        &self,
        account: &AccountId,
        id: &str,
    ) -> Result<Option<(AccessKey, Option<String>)>, StoreError> {
        let (account, id) = (account.clone(), id.to_owned());
        self.read(move |tx| {
            let sql = format!(
                "SELECT {KEY_COLUMNS}, (SELECT user_name FROM users u WHERE u.user_id = k.user_id) FROM access_keys k WHERE account_id = $1 AND access_key_id = $2"
            );
            let Some(row) = tx.query_opt(&sql, &[account.as_str().into(), id.as_str().into()])? else { return Ok(None) };
            Ok(Some((read_key(&row)?, row.opt_text(8)?)))
        })
        .await
    }
}
