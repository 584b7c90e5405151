//! Storage behind intent-level traits: methods say what they mean ("create user unless the
//! name is taken"), not generic CRUD. Two backends, both always compiled and chosen by URL at
//! run time: SQLite (embedded default) and PostgreSQL.
//!
//! Layout: [`sql`] is the small statement surface both backends offer; [`sqlite`] and
//! [`postgres`] own connections, migrations and how transactions commit; the `*_ops` modules
//! hold the intent logic once, written against [`sql::SqlTx`].
//! May use: `domain`, `secret` (types only). Never: axum, http, `wire`, `api`.

mod access_key_ops;
mod account_ops;
mod attachment_ops;
mod audit_ops;
mod group_ops;
mod hardware_token_ops;
mod inline_policy_ops;
mod login_profile_ops;
mod managed_policy_ops;
mod mfa_ops;
mod migrate;
mod policy_owner;
mod postgres;
mod principal_throttle;
mod report_ops;
mod role_ops;
mod session_ops;
pub mod sql;
mod sqlite;
mod tag_ops;
mod user_ops;

use crate::domain::*;
use std::sync::Arc;
use time::OffsetDateTime;

pub use access_key_ops::{AccessKeyStore, key_sort_key};
pub use account_ops::AccountStore;
pub use attachment_ops::{AttachmentStore, PolicyPrincipal};
pub use audit_ops::{
    AuditCursor, AuditEntry, AuditFilter, AuditQuery, AuditStore, UndeliveredRecord, with_pending_record,
};
pub use group_ops::{GroupStore, NewGroup};
pub use hardware_token_ops::{HardwareTokenStore, NewHardwareToken};
pub use inline_policy_ops::InlinePolicyStore;
pub use login_profile_ops::LoginProfileStore;
pub use managed_policy_ops::{ManagedPolicyStore, NewPolicy, PolicyFilter, PolicyScope, policy_sort_key};
pub use mfa_ops::{
    AssignmentFilter, CodeCheck, CodeVerdict, DeviceSecret, Holder, MfaDeviceStore, NewVirtualDevice, device_sort_key,
};
pub use policy_owner::{OwnerKind, PolicyOwner};
pub use report_ops::ReportStore;
pub use role_ops::{NewRole, RoleStore, RoleUpdate};
pub use session_ops::{NewSession, SessionCredential, SessionHolder, SessionStore};
pub use user_ops::{NewUser, UserStore};

/// Failures of the storage layer itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("unique constraint violated")]
    UniqueViolation,
    #[error("database error: {0}")]
    Backend(String),
    #[error("bad database URL: {0}")]
    BadUrl(String),
}

/// The entities an intent can fail to find or collide with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entity {
    User(String),
    LoginProfile(String),
    AccessKey(String),
    AccountAlias(String),
    /// A TOTP device of the account the API may name.
    MfaDevice(String),
    VirtualMfaDevice(String),
    MfaDeviceAssignment {
        serial: String,
        user: String,
    },
    /// Another device of the account already has this name.
    MfaDeviceName,
    /// The device is assigned to a principal already.
    MfaDeviceInUse,
    HardwareToken(String),
    Group(String),
    Role(String),
    /// A user who is not a member of the group.
    GroupMember {
        user: String,
        group: String,
    },
    InlinePolicy {
        kind: OwnerKind,
        name: String,
    },
    /// A managed policy by ARN (also: not attached where a detach names it).
    Policy(String),
    /// A managed policy by ARN, where it is to be attached.
    AttachablePolicy(String),
    PolicyVersion {
        arn: String,
        version: i64,
    },
    /// A customer managed policy by name.
    PolicyName(String),
}

/// What a quota check refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quota {
    UsersPerAccount,
    AccessKeysPerUser,
    TagsPerUser,
    DevicesPerPrincipal,
    VirtualDevicesPerAccount,
    TagsPerMfaDevice,
    GroupsPerAccount,
    GroupsPerUser,
    PoliciesPerAccount,
    VersionsPerPolicy,
    /// A managed policy document longer than AWS's PolicySize quota.
    PolicySize,
    PolicyAttachments(OwnerKind),
    TagsPerPolicy,
    RolesPerAccount,
    TagsPerRole,
}

/// Why a principal cannot be deleted yet, in the order AWS checks (`iam-mfa.md` §5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteBlocker {
    LoginProfile,
    AccessKeys,
    MfaDevices,
    /// A virtual device still assigned cannot be deleted.
    DeviceAssigned,
    /// A user, group or role that still has inline policies.
    InlinePolicies,
    /// A user, group or role that still has managed policies attached.
    AttachedPolicies,
    /// A user still in groups.
    GroupMemberships,
    /// A group that still has members.
    GroupMembers,
    /// A managed policy still attached to users, groups or roles.
    PolicyAttached,
    /// A managed policy that still has versions besides the default.
    PolicyVersions,
    DefaultPolicyVersion,
}

/// Outcomes of IAM intents that are not successes.
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    #[error("not found: {0:?}")]
    NotFound(Entity),
    #[error("already exists: {0:?}")]
    AlreadyExists(Entity),
    #[error("quota exceeded: {0:?}")]
    LimitExceeded(Quota),
    #[error("delete conflict: {0:?}")]
    DeleteConflict(DeleteBlocker),
    /// The owner's inline documents together would exceed its quota (`OwnerKind::inline_size_quota`).
    #[error("inline policy size quota exceeded for {name}")]
    PolicySizeExceeded { kind: OwnerKind, name: String },
    /// FIDO keys have no clock to resynchronise.
    #[error("FIDO security keys cannot be resynchronized")]
    CannotResyncFido,
    /// Input that passed shape validation but breaks a rule (e.g. duplicate tag keys).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One page of a keyed listing: items after a sort key, and whether more follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub more: bool,
}

/// A page request: the sort key of the last item already seen, and how many to return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<String>,
    pub limit: u32,
}

/// Names the principal an operation targets, resolved inside the transaction so a concurrent
/// delete cannot slip between lookup and change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Root,
    UserNamed(String),
}

/// What `init` creates on an empty database.
#[derive(Debug)]
pub struct NewAccount {
    pub id: AccountId,
    pub root_email: String,
    pub root_password_hash: Option<crate::secret::PasswordHash>,
    pub root_key_id: AccessKeyId,
    pub root_sealed_secret: Vec<u8>,
    /// A known value sealed with the data key (see [`AccountStore::data_key_check`]).
    pub data_key_check: Vec<u8>,
    pub now: OffsetDateTime,
}

/// Everything the server stores.
pub trait Store:
    AccountStore
    + UserStore
    + LoginProfileStore
    + AccessKeyStore
    + MfaDeviceStore
    + HardwareTokenStore
    + SessionStore
    + ReportStore
    + GroupStore
    + InlinePolicyStore
    + ManagedPolicyStore
    + AttachmentStore
    + RoleStore
    + AuditStore
{
}
impl<T> Store for T where
    T: AccountStore
        + UserStore
        + LoginProfileStore
        + AccessKeyStore
        + MfaDeviceStore
        + HardwareTokenStore
        + SessionStore
        + ReportStore
        + GroupStore
        + InlinePolicyStore
        + ManagedPolicyStore
        + AttachmentStore
        + RoleStore
        + AuditStore
{
}

/// The store behind [`Store`]: the intent logic over whichever backend the URL chose.
pub struct SqlStore {
    db: Database,
}

enum Database {
    Sqlite(sqlite::SqliteDb),
    Postgres(postgres::PgDb),
}

impl SqlStore {
    /// Opens the database named by `url` and applies pending migrations.
    /// `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let db = if let Some(path) = url.strip_prefix("sqlite://") {
            Database::Sqlite(sqlite::SqliteDb::open(path).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Database::Postgres(postgres::PgDb::open(url).await?)
        } else {
            return Err(StoreError::BadUrl("expected sqlite://PATH or postgres://…".into()));
        };
        Ok(Self { db })
    }

    pub fn into_shared(self) -> Arc<dyn Store> {
        Arc::new(self)
    }

    /// Runs `work` in a write transaction; the result is returned only once it is durable.
    /// Intents use [`Self::write`] (in `audit_ops`), which adds the request's audit record.
    async fn write_unaudited<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn sql::SqlTx) -> Result<T, E> + Send + 'static,
    {
        match &self.db {
            Database::Sqlite(db) => db.write(work).await,
            Database::Postgres(db) => db.write(work).await,
        }
    }

    /// Runs `work` in a read-only transaction (one consistent snapshot).
    async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn sql::SqlTx) -> Result<T, E> + Send + 'static,
    {
        match &self.db {
            Database::Sqlite(db) => db.read(work).await,
            Database::Postgres(db) => db.read(work).await,
        }
    }
}
