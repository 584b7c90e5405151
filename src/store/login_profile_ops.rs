//! Console passwords: IAM users' login profiles and root's password.

use super::account_ops::lock_account;
use super::user_ops::require_user;
use super::{Entity, IamError, SqlStore};
use crate::domain::*;
use crate::secret::PasswordHash;
use async_trait::async_trait;
use time::OffsetDateTime;

#[async_trait]
pub trait LoginProfileStore: Send + Sync {
    async fn create_login_profile(
        &self,
        account: &AccountId,
        user: &str,
        hash: PasswordHash,
        reset_required: bool,
        now: OffsetDateTime,
    ) -> Result<(String, LoginProfile), IamError>;
    /// The profile and the user's name as stored (case kept).
    async fn login_profile(&self, account: &AccountId, user: &str) -> Result<(String, LoginProfile), IamError>;
    async fn update_login_profile(
        &self,
        account: &AccountId,
        user: &str,
        hash: Option<PasswordHash>,
        reset_required: Option<bool>,
        now: OffsetDateTime,
    ) -> Result<(), IamError>;
    async fn delete_login_profile(&self, account: &AccountId, user: &str) -> Result<(), IamError>;
}

#[async_trait]
impl LoginProfileStore for SqlStore {
    async fn create_login_profile(
        &self,
        account: &AccountId,
        user: &str,
        hash: PasswordHash,
        reset_required: bool,
        now: OffsetDateTime,
    ) -> Result<(String, LoginProfile), IamError> {
        let (account, name) = (account.clone(), user.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let user = require_user(tx, &account, &name)?;
            if tx.count("SELECT COUNT(*) FROM login_profiles WHERE user_id = $1", &[user.id.as_str().into()])? > 0 {
                return Err(IamError::AlreadyExists(Entity::LoginProfile(user.name.clone())));
            }
            tx.execute(
                "INSERT INTO login_profiles (user_id, password_hash, reset_required, created_at, changed_at) VALUES ($1, $2, $3, $4, $4)",
                &[user.id.as_str().into(), hash.expose().into(), reset_required.into(), now.into()],
            )?;
            Ok((user.name, LoginProfile { created_at: now, reset_required }))
        })
        .await
    }

    async fn login_profile(&self, account: &AccountId, user: &str) -> Result<(String, LoginProfile), IamError> {
        let (account, name) = (account.clone(), user.to_owned());
        self.read(move |tx| {
            let user = require_user(tx, &account, &name)?;
            let row = tx.query_opt(
                "SELECT created_at, reset_required FROM login_profiles WHERE user_id = $1",
                &[user.id.as_str().into()],
            )?;
            let row = row.ok_or_else(|| IamError::NotFound(Entity::LoginProfile(user.name.clone())))?;
            Ok((
                user.name,
                LoginProfile {
                    created_at: row.time(0)?,
                    reset_required: row.bool(1)?,
                },
            ))
        })
        .await
    }

    async fn update_login_profile(
        &self,
        account: &AccountId,
        user: &str,
        hash: Option<PasswordHash>,
        reset_required: Option<bool>,
        now: OffsetDateTime,
    ) -> Result<(), IamError> {
        let (account, name) = (account.clone(), user.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let user = require_user(tx, &account, &name)?;
            let id = user.id.as_str();
            if tx.count("SELECT COUNT(*) FROM login_profiles WHERE user_id = $1", &[id.into()])? == 0 {
                return Err(IamError::NotFound(Entity::LoginProfile(user.name.clone())));
            }
            if let Some(hash) = &hash {
                tx.execute(
                    "UPDATE login_profiles SET password_hash = $1, changed_at = $2 WHERE user_id = $3",
                    &[hash.expose().into(), now.into(), id.into()],
                )?;
            }
            if let Some(reset) = reset_required {
                tx.execute(
                    "UPDATE login_profiles SET reset_required = $1 WHERE user_id = $2",
                    &[reset.into(), id.into()],
                )?;
            }
            Ok(())
        })
        .await
    }

    async fn delete_login_profile(&self, account: &AccountId, user: &str) -> Result<(), IamError> {
        let (account, name) = (account.clone(), user.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let user = require_user(tx, &account, &name)?;
            if tx.execute(
                "DELETE FROM login_profiles WHERE user_id = $1",
                &[user.id.as_str().into()],
            )? == 0
            {
                return Err(IamError::NotFound(Entity::LoginProfile(user.name.clone())));
            }
            Ok(())
        })
        .await
    }
}
