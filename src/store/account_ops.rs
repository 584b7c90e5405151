//! Accounts: initialisation, the alias, summary counts, credential lookup for SigV4, and the
//! test-mode reset.

use super::sql::{Row, SqlTx, Value};
use super::user_ops::{USER_COLUMNS, read_user};
use super::{Entity, IamError, NewAccount, SqlStore, StoreError};
use crate::domain::*;
use async_trait::async_trait;

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Answers once the database answers (`GET /health`).
    async fn ping(&self) -> Result<(), StoreError>;
    /// Creates the account, its root user and root key when the database holds no account.
    /// Returns `false`, changing nothing, when it is already initialised.
    async fn initialise(&self, account: NewAccount) -> Result<bool, StoreError>;
    async fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError>;
    /// The single account `init` created (the account this node serves by default).
    async fn first_account(&self) -> Result<Option<Account>, StoreError>;
    /// Sets the alias, replacing any current one; an alias held by any account is refused.
    async fn set_account_alias(&self, account: &AccountId, alias: &str) -> Result<(), IamError>;
    async fn delete_account_alias(&self, account: &AccountId, alias: &str) -> Result<(), IamError>;
    async fn account_counts(&self, account: &AccountId) -> Result<AccountCounts, StoreError>;
    /// The long-term key and its principal, for request verification.
    async fn key_credential(&self, key: &AccessKeyId) -> Result<Option<KeyCredential>, StoreError>;
    /// Notes where a key was used (credential report, GetAccessKeyLastUsed).
    async fn record_key_use(&self, key: &AccessKeyId, used: KeyUse) -> Result<(), StoreError>;
    /// The value sealed with the data key at initialisation, if the database is initialised.
    async fn data_key_check(&self) -> Result<Option<Vec<u8>>, StoreError>;
    /// Test mode: deletes everything but what `init` created, in one transaction.
    async fn reset_to_initial(&self) -> Result<(), StoreError>;
}

const ACCOUNT_COLUMNS: &str = "account_id, root_email, alias, created_at";

pub(super) fn read_account(row: &Row) -> Result<Account, StoreError> {
    let id = row.text(0)?;
    Ok(Account {
        id: AccountId::parse(&id).ok_or_else(|| StoreError::Corrupt(format!("bad account id {id}")))?,
        root_email: row.text(1)?,
        alias: row.opt_text(2)?,
        created_at: row.time(3)?,
    })
}

/// Serialises writers of one account on PostgreSQL; on SQLite the single writer already does.
pub(super) fn lock_account(tx: &mut dyn SqlTx, account: &AccountId) -> Result<Account, StoreError> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE account_id = $1{}",
        tx.dialect().for_update()
    );
    let row = tx.query_opt(&sql, &[account.as_str().into()])?;
    read_account(&row.ok_or_else(|| StoreError::Corrupt("account vanished".into()))?)
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|tx| tx.count("SELECT COUNT(*) FROM accounts", &[]).map(|_| ()))
            .await
    }

    async fn initialise(&self, account: NewAccount) -> Result<bool, StoreError> {
        self.write(move |tx| {
            // Nodes starting together on an empty database: one initialises, the others see it.
            if let Some(lock) = tx.dialect().deployment_lock() {
                tx.query(lock, &[])?;
            }
            if tx.count("SELECT COUNT(*) FROM accounts", &[])? > 0 {
                return Ok(false);
            }
            let hash = account.root_password_hash.as_ref().map(|h| h.expose().to_owned());
            let changed = hash.as_ref().map(|_| account.now);
            tx.execute(
                "INSERT INTO accounts (account_id, root_email, created_at, root_password_hash, root_password_changed_at) VALUES ($1, $2, $3, $4, $5)",
                &[account.id.as_str().into(), account.root_email.as_str().into(), account.now.into(), hash.into(), changed.into()],
            )?;
            tx.execute(
                "INSERT INTO settings (name, value) VALUES ('data_key_check', $1)",
                &[account.data_key_check.clone().into()],
            )?;
            tx.execute(
                "INSERT INTO access_keys (access_key_id, account_id, user_id, sealed_secret, status, created_at, created_by_init) VALUES ($1, $2, $3, $4, 'Active', $5, 1)",
                &[account.root_key_id.as_str().into(), account.id.as_str().into(), Value::Text(None), account.root_sealed_secret.clone().into(), account.now.into()],
            )?;
            Ok(true)
        })
        .await
    }

    async fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError> {
        let id = id.clone();
        self.read(move |tx| {
            tx.query_opt(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE account_id = $1"),
                &[id.as_str().into()],
            )?
            .map(|row| read_account(&row))
            .transpose()
        })
        .await
    }

    async fn first_account(&self) -> Result<Option<Account>, StoreError> {
        self.read(|tx| {
            tx.query_opt(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY created_at, account_id LIMIT 1"),
                &[],
            )?
            .map(|row| read_account(&row))
            .transpose()
        })
        .await
    }

    async fn set_account_alias(&self, account: &AccountId, alias: &str) -> Result<(), IamError> {
        let (account, alias) = (account.clone(), alias.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            if tx.count(
                "SELECT COUNT(*) FROM accounts WHERE alias = $1",
                &[alias.as_str().into()],
            )? > 0
            {
                return Err(IamError::AlreadyExists(Entity::AccountAlias(alias.clone())));
            }
            match tx.execute(
                "UPDATE accounts SET alias = $1 WHERE account_id = $2",
                &[alias.as_str().into(), account.as_str().into()],
            ) {
                Err(StoreError::UniqueViolation) => Err(IamError::AlreadyExists(Entity::AccountAlias(alias.clone()))),
                other => other.map(|_| ()).map_err(IamError::from),
            }
        })
        .await
    }

    async fn delete_account_alias(&self, account: &AccountId, alias: &str) -> Result<(), IamError> {
        let (account, alias) = (account.clone(), alias.to_owned());
        self.write(move |tx| {
            let changed = tx.execute(
                "UPDATE accounts SET alias = NULL WHERE account_id = $1 AND alias = $2",
                &[account.as_str().into(), alias.as_str().into()],
            )?;
            if changed == 0 {
                return Err(IamError::NotFound(Entity::AccountAlias(alias.clone())));
            }
            Ok(())
        })
        .await
    }

    async fn account_counts(&self, account: &AccountId) -> Result<AccountCounts, StoreError> {
        let account = account.clone();
        self.read(move |tx| {
            let id: Value = account.as_str().into();
            Ok(AccountCounts {
                users: tx.count(
                    "SELECT COUNT(*) FROM users WHERE account_id = $1",
                    std::slice::from_ref(&id),
                )?,
                root_access_keys: tx.count(
                    "SELECT COUNT(*) FROM access_keys WHERE account_id = $1 AND user_id IS NULL",
                    std::slice::from_ref(&id),
                )?,
                root_password_present: tx.count(
                    "SELECT COUNT(*) FROM accounts WHERE account_id = $1 AND root_password_hash IS NOT NULL",
                    std::slice::from_ref(&id),
                )? > 0,
                // Virtual devices count whether assigned or not; other kinds once assigned (§5.9).
                mfa_devices: tx.count(
                    "SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1 AND (kind = 'virtual' OR assigned = 1)",
                    std::slice::from_ref(&id),
                )?,
                mfa_devices_in_use: tx.count(
                    "SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1 AND assigned = 1",
                    std::slice::from_ref(&id),
                )?,
                root_mfa_devices: tx.count(
                    "SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1 AND assigned = 1 AND user_id IS NULL",
                    std::slice::from_ref(&id),
                )?,
                groups: tx.count(
                    "SELECT COUNT(*) FROM iam_groups WHERE account_id = $1",
                    std::slice::from_ref(&id),
                )?,
                roles: tx.count(
                    "SELECT COUNT(*) FROM roles WHERE account_id = $1",
                    std::slice::from_ref(&id),
                )?,
                policies: tx.count(
                    "SELECT COUNT(*) FROM managed_policies WHERE account_id = $1",
                    std::slice::from_ref(&id),
                )?,
                // Every attachment of a managed policy puts its default version in use.
                policy_versions_in_use: tx.count(
                    "SELECT COUNT(*) FROM policy_attachments WHERE account_id = $1",
                    std::slice::from_ref(&id),
                )?,
            })
        })
        .await
    }

    async fn key_credential(&self, key: &AccessKeyId) -> Result<Option<KeyCredential>, StoreError> {
        let key = key.clone();
        self.read(move |tx| {
            let row = tx.query_opt(
                "SELECT access_key_id, account_id, user_id, status, created_at, last_used_at, last_used_region, last_used_service, sealed_secret FROM access_keys WHERE access_key_id = $1",
                &[key.as_str().into()],
            )?;
            let Some(row) = row else { return Ok(None) };
            let access_key = super::access_key_ops::read_key(&row)?;
            let sealed_secret = row.bytes(8)?;
            let account_id = row.text(1)?;
            let principal = match &access_key.owner {
                Owner::Root => {
                    let row = tx.query_opt(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE account_id = $1"), &[account_id.into()])?;
                    let Some(row) = row else { return Ok(None) };
                    PrincipalIdentity::Root { account: read_account(&row)? }
                }
                Owner::User(user_id) => {
                    let row = tx.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE user_id = $1"), &[user_id.as_str().into()])?;
                    let Some(row) = row else { return Ok(None) };
                    PrincipalIdentity::User { user: read_user(&row)? }
                }
            };
            Ok(Some(KeyCredential { key: access_key, sealed_secret, principal }))
        })
        .await
    }

    async fn record_key_use(&self, key: &AccessKeyId, used: KeyUse) -> Result<(), StoreError> {
        let key = key.clone();
        self.write(move |tx| {
            tx.execute(
                "UPDATE access_keys SET last_used_at = $1, last_used_region = $2, last_used_service = $3 WHERE access_key_id = $4",
                &[used.at.into(), used.region.as_str().into(), used.service.as_str().into(), key.as_str().into()],
            )
            .map(|_| ())
        })
        .await
    }

    async fn data_key_check(&self) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|tx| {
            tx.query_opt("SELECT value FROM settings WHERE name = 'data_key_check'", &[])?
                .map(|row| row.bytes(0))
                .transpose()
        })
        .await
    }

    async fn reset_to_initial(&self) -> Result<(), StoreError> {
        self.write(|tx| {
            // Children before parents, so foreign keys hold at every step.
            for sql in [
                "DELETE FROM audit_event_resources",
                "DELETE FROM audit_events",
                "DELETE FROM credential_reports",
                "DELETE FROM sessions",
                "DELETE FROM group_members",
                "DELETE FROM inline_policies",
                "DELETE FROM policy_attachments",
                "DELETE FROM policy_tags",
                "DELETE FROM policy_versions",
                "DELETE FROM managed_policies",
                "DELETE FROM role_tags",
                "DELETE FROM roles",
                "DELETE FROM iam_groups",
                "DELETE FROM access_keys WHERE created_by_init = 0",
                "UPDATE access_keys SET status = 'Active', last_used_at = NULL, last_used_region = NULL, last_used_service = NULL",
                "DELETE FROM mfa_device_tags",
                "DELETE FROM mfa_devices",
                "DELETE FROM login_profiles",
                "DELETE FROM user_tags",
                "DELETE FROM users",
                "UPDATE accounts SET alias = NULL, root_password_last_used = NULL, mfa_serial_failures = 0, mfa_serial_locked_until = NULL",
            ] {
                tx.execute(sql, &[])?;
            }
            Ok(())
        })
        .await
    }
}
