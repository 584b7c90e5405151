//! STS sessions: issued by GetSessionToken and AssumeRole, looked up on every request signed
//! with an `ASIA` key. They end at their expiry or with their principal, user or role (foreign
//! key cascade).

use super::account_ops::read_account;
use super::role_ops::find_role_by_id;
use super::sql::{Row, Value};
use super::user_ops::{USER_COLUMNS, owner_column, read_user};
use super::{Entity, IamError, SqlStore, StoreError};
use crate::domain::session::{MfaContext, Session};
use crate::domain::*;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Whose session it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionHolder {
    /// Root or an IAM user (`GetSessionToken`).
    Owner(Owner),
    /// A role session (`AssumeRole`); opening one records the role's last use in `region`.
    Role {
        id: RoleId,
        session_name: String,
        region: String,
    },
}

pub struct NewSession {
    pub access_key_id: AccessKeyId,
    pub holder: SessionHolder,
    /// SHA-256 of the session token; the token itself is never stored.
    pub token_hash: Vec<u8>,
    pub sealed_secret: Vec<u8>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub source_key_id: AccessKeyId,
    pub mfa: Option<MfaContext>,
}

/// What request authentication needs about a session key.
#[derive(Clone, Debug)]
pub struct SessionCredential {
    pub session: Session,
    pub token_hash: Vec<u8>,
    pub sealed_secret: Vec<u8>,
    pub principal: PrincipalIdentity,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Opens a session; a role session fails with `NotFound` if the role was deleted meanwhile.
    async fn create_session(&self, account: &AccountId, session: NewSession) -> Result<(), IamError>;
    /// The session and its principal; `None` when unknown or its principal is gone.
    async fn session_credential(&self, key: &AccessKeyId) -> Result<Option<SessionCredential>, StoreError>;
}

fn read_session(row: &Row) -> Result<Session, StoreError> {
    let mfa = match (row.opt_text(3)?, row.opt_time(4)?) {
        (Some(serial), Some(authenticated_at)) => Some(MfaContext {
            serial,
            authenticated_at,
        }),
        _ => None,
    };
    Ok(Session {
        created_at: row.time(1)?,
        expires_at: row.time(2)?,
        mfa,
    })
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, account: &AccountId, session: NewSession) -> Result<(), IamError> {
        let account = account.clone();
        self.write(move |tx| {
            let (serial, at) = match &session.mfa {
                Some(mfa) => (Some(mfa.serial.clone()), Some(mfa.authenticated_at)),
                None => (None, None),
            };
            let (user, role, session_name) = match &session.holder {
                SessionHolder::Owner(owner) => (owner_column(owner), Value::Text(None), None),
                SessionHolder::Role { id, session_name, region } => {
                    let used = tx.execute(
                        "UPDATE roles SET last_used_at = $1, last_used_region = $2 WHERE role_id = $3",
                        &[session.created_at.into(), region.as_str().into(), id.as_str().into()],
                    )?;
                    if used == 0 {
                        return Err(IamError::NotFound(Entity::Role(id.as_str().to_owned())));
                    }
                    (Value::Text(None), id.as_str().into(), Some(session_name.clone()))
                }
            };
            tx.execute(
                "INSERT INTO sessions (access_key_id, account_id, user_id, role_id, role_session_name, token_hash, sealed_secret, created_at, expires_at, source_key_id, mfa_serial, mfa_authenticated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                &[
                    session.access_key_id.as_str().into(),
                    account.as_str().into(),
                    user,
                    role,
                    session_name.into(),
                    session.token_hash.clone().into(),
                    session.sealed_secret.clone().into(),
                    session.created_at.into(),
                    session.expires_at.into(),
                    session.source_key_id.as_str().into(),
                    serial.into(),
                    at.into(),
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn session_credential(&self, key: &AccessKeyId) -> Result<Option<SessionCredential>, StoreError> {
        let key = key.clone();
        self.read(move |tx| {
            let row = tx.query_opt(
                "SELECT account_id, created_at, expires_at, mfa_serial, mfa_authenticated_at, user_id, token_hash, sealed_secret, role_id, role_session_name FROM sessions WHERE access_key_id = $1",
                &[key.as_str().into()],
            )?;
            let Some(row) = row else { return Ok(None) };
            let session = read_session(&row)?;
            let principal = match (row.opt_text(5)?, row.opt_text(8)?) {
                (None, Some(role_id)) => {
                    let Some(role) = find_role_by_id(tx, &role_id)? else { return Ok(None) };
                    let session_name = row.opt_text(9)?.ok_or_else(|| StoreError::Corrupt(format!("role session of {role_id} without a name")))?;
                    PrincipalIdentity::AssumedRole { role, session_name }
                }
                (None, None) => {
                    let sql = "SELECT account_id, root_email, alias, created_at FROM accounts WHERE account_id = $1";
                    let Some(account) = tx.query_opt(sql, &[Value::from(row.text(0)?)])? else { return Ok(None) };
                    PrincipalIdentity::Root { account: read_account(&account)? }
                }
                (Some(user_id), _) => {
                    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE user_id = $1");
                    let Some(user) = tx.query_opt(&sql, &[user_id.into()])? else { return Ok(None) };
                    PrincipalIdentity::User { user: read_user(&user)? }
                }
            };
            Ok(Some(SessionCredential { session, token_hash: row.bytes(6)?, sealed_secret: row.bytes(7)?, principal }))
        })
        .await
    }
}
