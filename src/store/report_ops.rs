//! Credential reports (`iam-mfa.md` §5.10): the facts they are built from, and the newest report.

use super::access_key_ops::read_key;
use super::sql::{SqlTx, Value};
use super::user_ops::{USER_COLUMNS, read_user};
use super::{SqlStore, StoreError};
use crate::domain::*;
use async_trait::async_trait;

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// One row per principal: root first, then IAM users by name. One consistent snapshot.
    async fn credential_report_rows(&self, account: &AccountId) -> Result<Vec<CredentialReportRow>, StoreError>;
    async fn save_credential_report(&self, account: &AccountId, report: CredentialReport) -> Result<(), StoreError>;
    async fn latest_credential_report(&self, account: &AccountId) -> Result<Option<CredentialReport>, StoreError>;
}

fn keys_of(tx: &mut dyn SqlTx, account: &AccountId, owner: Value) -> Result<Vec<AccessKey>, StoreError> {
    tx.query(
        "SELECT access_key_id, account_id, user_id, status, created_at, last_used_at, last_used_region, last_used_service FROM access_keys WHERE account_id = $1 AND user_id IS NOT DISTINCT FROM $2 ORDER BY created_at, access_key_id",
        &[account.as_str().into(), owner],
    )?
    .iter()
    .map(read_key)
    .collect()
}

/// `mfa_active`: at least one assigned device of any kind.
fn has_device(tx: &mut dyn SqlTx, account: &AccountId, owner: Value) -> Result<bool, StoreError> {
    Ok(tx.count(
        "SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1 AND assigned = 1 AND user_id IS NOT DISTINCT FROM $2",
        &[account.as_str().into(), owner],
    )? > 0)
}

#[async_trait]
impl ReportStore for SqlStore {
    async fn credential_report_rows(&self, account: &AccountId) -> Result<Vec<CredentialReportRow>, StoreError> {
        let account = account.clone();
        self.read(move |tx| {
            let id: Value = account.as_str().into();
            let root = tx.query_one(
                "SELECT created_at, root_password_hash IS NOT NULL, root_password_changed_at, root_password_last_used FROM accounts WHERE account_id = $1",
                std::slice::from_ref(&id),
            )?;
            let root_password = match (root.bool(1)?, root.opt_time(2)?) {
                (true, Some(changed)) => Some(PasswordFacts { last_used: root.opt_time(3)?, last_changed: changed }),
                _ => None,
            };
            let mut rows = vec![CredentialReportRow {
                user: None,
                created_at: root.time(0)?,
                password: root_password,
                mfa_active: has_device(tx, &account, Value::Text(None))?,
                keys: keys_of(tx, &account, Value::Text(None))?,
            }];
            let users = tx.query(
                &format!(
                    "SELECT {USER_COLUMNS}, (SELECT p.changed_at FROM login_profiles p WHERE p.user_id = users.user_id) FROM users WHERE account_id = $1 ORDER BY name_key"
                ),
                std::slice::from_ref(&id),
            )?;
            for row in users {
                let user = read_user(&row)?;
                let password = row.opt_time(6)?.map(|changed| PasswordFacts { last_used: user.password_last_used, last_changed: changed });
                let keys = keys_of(tx, &account, user.id.as_str().into())?;
                let mfa_active = has_device(tx, &account, user.id.as_str().into())?;
                rows.push(CredentialReportRow { created_at: user.created_at, password, mfa_active, keys, user: Some(user) });
            }
            Ok(rows)
        })
        .await
    }

    async fn save_credential_report(&self, account: &AccountId, report: CredentialReport) -> Result<(), StoreError> {
        let account = account.clone();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO credential_reports (account_id, generated_at, content) VALUES ($1, $2, $3) ON CONFLICT (account_id) DO UPDATE SET generated_at = excluded.generated_at, content = excluded.content",
                &[account.as_str().into(), report.generated_at.into(), report.csv.clone().into()],
            )
            .map(|_| ())
        })
        .await
    }

    async fn latest_credential_report(&self, account: &AccountId) -> Result<Option<CredentialReport>, StoreError> {
        let account = account.clone();
        self.read(move |tx| {
            let row = tx.query_opt(
                "SELECT generated_at, content FROM credential_reports WHERE account_id = $1",
                &[account.as_str().into()],
            )?;
            row.map(|row| {
                Ok(CredentialReport {
                    generated_at: row.time(0)?,
                    csv: row.bytes(1)?,
                })
            })
            .transpose()
        })
        .await
    }
}
