//! The per-principal guess throttle of `iam-mfa.md` §2.5: MFA checks naming a serial the
//! principal does not hold count against the principal itself, with the same schedule as a
//! device's own throttle.

use super::StoreError;
use super::mfa_ops::to_u32;
use super::sql::{SqlTx, Value};
use crate::domain::{AccountId, Owner};
use crate::mfa::otp_check::Throttle;

/// Where a principal's guess throttle lives: root's on the account row, a user's on its own.
fn throttle_row(owner: &Owner) -> (&'static str, &'static str) {
    match owner {
        Owner::Root => ("accounts", "account_id"),
        Owner::User(_) => ("users", "user_id"),
    }
}

fn throttle_key(account: &AccountId, owner: &Owner) -> Value {
    match owner {
        Owner::Root => account.as_str().into(),
        Owner::User(id) => id.as_str().into(),
    }
}

pub(super) fn principal_throttle(
    tx: &mut dyn SqlTx,
    account: &AccountId,
    owner: &Owner,
) -> Result<Throttle, StoreError> {
    let (table, key) = throttle_row(owner);
    let sql = format!("SELECT mfa_serial_failures, mfa_serial_locked_until FROM {table} WHERE {key} = $1");
    match tx.query_opt(&sql, &[throttle_key(account, owner)])? {
        Some(row) => Ok(Throttle {
            failures: to_u32(row.int(0)?, "mfa_serial_failures")?,
            locked_until: row.opt_int(1)?,
        }),
        None => Ok(Throttle::default()),
    }
}

pub(super) fn store_principal_throttle(
    tx: &mut dyn SqlTx,
    account: &AccountId,
    owner: &Owner,
    throttle: Throttle,
) -> Result<(), StoreError> {
    let (table, key) = throttle_row(owner);
    let sql = format!("UPDATE {table} SET mfa_serial_failures = $1, mfa_serial_locked_until = $2 WHERE {key} = $3");
    tx.execute(
        &sql,
        &[
            i64::from(throttle.failures).into(),
            Value::Int(throttle.locked_until),
            throttle_key(account, owner),
        ],
    )
    .map(|_| ())
}
