//! The hardware-token inventory: tokens whose seeds the operator imported from a vendor file
//! (`otp.md` §8). Only imported serials can be enabled (SR-07).

use super::account_ops::lock_account;
use super::sql::Value;
use super::{Entity, IamError, SqlStore};
use crate::domain::AccountId;
use crate::domain::mfa_device::DeviceKind;
use crate::mfa::totp::TotpParams;
use async_trait::async_trait;
use time::OffsetDateTime;

/// A hardware token from a vendor seed file, its seed already sealed.
pub struct NewHardwareToken {
    pub serial: String,
    pub sealed_seed: Vec<u8>,
    pub params: TotpParams,
    pub drift: i64,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub not_before: Option<i64>,
    pub not_after: Option<i64>,
}

#[async_trait]
pub trait HardwareTokenStore: Send + Sync {
    /// Adds tokens to the account's inventory, all or none. With `replace`, an existing
    /// unassigned token of the account with the same serial is replaced (new seed, fresh state).
    async fn import_hardware_tokens(
        &self,
        account: &AccountId,
        tokens: Vec<NewHardwareToken>,
        replace: bool,
        now: OffsetDateTime,
    ) -> Result<usize, IamError>;
}

#[async_trait]
impl HardwareTokenStore for SqlStore {
    async fn import_hardware_tokens(
        &self,
        account: &AccountId,
        tokens: Vec<NewHardwareToken>,
        replace: bool,
        now: OffsetDateTime,
    ) -> Result<usize, IamError> {
        let account = account.clone();
        self.write(move |tx| {
            lock_account(tx, &account)?;
            for token in &tokens {
                let existing = tx.query_opt(
                    "SELECT account_id, kind, assigned FROM mfa_devices WHERE serial = $1",
                    &[token.serial.as_str().into()],
                )?;
                if let Some(row) = existing {
                    let replaceable =
                        replace && row.text(0)? == account.as_str() && row.text(1)? == DeviceKind::Hardware.as_str() && !row.bool(2)?;
                    if !replaceable {
                        return Err(IamError::AlreadyExists(Entity::HardwareToken(token.serial.clone())));
                    }
                    tx.execute("DELETE FROM mfa_devices WHERE serial = $1", &[token.serial.as_str().into()])?;
                }
                tx.execute(
                    "INSERT INTO mfa_devices (serial, account_id, kind, created_at, sealed_seed, algorithm, digits, period, drift, manufacturer, model, not_before, not_after) VALUES ($1, $2, 'hardware', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    &[
                        token.serial.as_str().into(),
                        account.as_str().into(),
                        now.into(),
                        token.sealed_seed.clone().into(),
                        token.params.algorithm.as_str().into(),
                        i64::from(token.params.digits).into(),
                        i64::from(token.params.period).into(),
                        token.drift.into(),
                        token.manufacturer.clone().into(),
                        token.model.clone().into(),
                        Value::Int(token.not_before),
                        Value::Int(token.not_after),
                    ],
                )?;
            }
            Ok(tokens.len())
        })
        .await
    }
}
