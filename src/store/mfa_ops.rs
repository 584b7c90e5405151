//! MFA devices: virtual devices, the hardware-token inventory, enable/deactivate/resync with
//! the 8-per-principal limit, and code verification as one compare-and-set.
//!
//! Every change that depends on a check (name free, under the limit, code valid, step newer
//! than the last) reads and writes inside one write transaction: SQLite's single writer and
//! PostgreSQL's account-row lock make each check-and-change atomic (`iam-mfa.md` §1.4, §2.6).
//! Seeds stay sealed here; code checks run in a closure the caller passes in.

use super::account_ops::lock_account;
use super::principal_throttle::{principal_throttle, store_principal_throttle};
use super::sql::{Row, SqlTx, Value};
use super::tag_ops::{TagSet, read_tags, write_tags};
use super::user_ops::{USER_COLUMNS, owner_column, read_user, resolve_target};
use super::{DeleteBlocker, Entity, IamError, Page, PageRequest, Quota, SqlStore, StoreError, Target};
use crate::domain::mfa_device::{DEVICES_PER_PRINCIPAL, DeviceKind, MfaDevice, VIRTUAL_DEVICES_PER_ACCOUNT};
use crate::domain::tags::{self, TagError};
use crate::domain::*;
use crate::mfa::otp_check::{OtpState, Outcome, Throttle, Verdict};
use crate::mfa::totp::{HashAlgorithm, TotpParams};
use async_trait::async_trait;
use time::OffsetDateTime;

pub struct NewVirtualDevice {
    pub serial: String,
    pub name: String,
    pub path: String,
    pub sealed_seed: Vec<u8>,
    pub tags: Vec<Tag>,
    pub now: OffsetDateTime,
}

/// What a code check sees of a TOTP device, inside the transaction.
pub struct DeviceSecret {
    pub serial: String,
    pub sealed_seed: Vec<u8>,
    pub params: TotpParams,
    pub state: OtpState,
    /// Validity of a hardware token (unix seconds), from its seed file.
    pub not_before: Option<i64>,
    pub not_after: Option<i64>,
}

/// Checks a code against a device; the verdict's state is stored whatever the outcome.
pub type CodeCheck = Box<dyn FnMut(&DeviceSecret) -> Verdict + Send>;

/// How one code fared against a principal's device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeVerdict {
    Accepted,
    /// Wrong, replayed or throttled; the device's counters were updated.
    Refused,
    /// Not a TOTP device assigned to that principal (unknown, unassigned, another's, FIDO).
    NoSuchDevice,
}

/// Which virtual devices to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignmentFilter {
    Assigned,
    Unassigned,
    Any,
}

/// A virtual device as `ListVirtualMFADevices` shows it: the holder, when assigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    Nobody,
    Root,
    User(User),
}

#[async_trait]
pub trait MfaDeviceStore: Send + Sync {
    /// Creates an unassigned virtual device unless its name is taken in the account.
    async fn create_virtual_mfa_device(
        &self,
        account: &AccountId,
        device: NewVirtualDevice,
    ) -> Result<MfaDevice, IamError>;
    async fn delete_virtual_mfa_device(&self, account: &AccountId, serial: &str) -> Result<(), IamError>;
    /// Assigns an unassigned TOTP device to the target if it holds fewer than eight and the
    /// check accepts the codes. `Ok(false)`: wrong (or throttled) codes, state recorded.
    async fn enable_mfa_device(
        &self,
        account: &AccountId,
        target: &Target,
        serial: &str,
        now: OffsetDateTime,
        check: CodeCheck,
    ) -> Result<bool, IamError>;
    /// Re-aligns an assigned TOTP device's drift. `Ok(false)`: codes not accepted.
    async fn resync_mfa_device(
        &self,
        account: &AccountId,
        target: &Target,
        serial: &str,
        check: CodeCheck,
    ) -> Result<bool, IamError>;
    async fn deactivate_mfa_device(&self, account: &AccountId, target: &Target, serial: &str) -> Result<(), IamError>;
    /// Checks one code against a TOTP device assigned to `owner` (STS, console sign-in) as one
    /// compare-and-set: of concurrent requests with the same code exactly one is accepted.
    /// Serials the owner does not hold count against the owner's own guess throttle; while it
    /// is locked every check is `Refused` unverified, like a wrong code (`iam-mfa.md` §2.5).
    async fn verify_mfa_code(
        &self,
        account: &AccountId,
        owner: &Owner,
        serial: &str,
        now: OffsetDateTime,
        check: CodeCheck,
    ) -> Result<CodeVerdict, StoreError>;
    /// The target's assigned devices by enable date, with its stored name (`None`: root).
    async fn list_mfa_devices(
        &self,
        account: &AccountId,
        target: &Target,
        page: PageRequest,
    ) -> Result<(Option<String>, Page<MfaDevice>), IamError>;
    /// The account's virtual devices by serial.
    async fn list_virtual_mfa_devices(
        &self,
        account: &AccountId,
        filter: AssignmentFilter,
        page: PageRequest,
    ) -> Result<Page<(MfaDevice, Holder)>, StoreError>;
    /// Any device of the account, with its holder.
    async fn mfa_device(&self, account: &AccountId, serial: &str) -> Result<Option<(MfaDevice, Holder)>, StoreError>;
    /// A virtual device of the account, with its tags.
    async fn virtual_mfa_device(&self, account: &AccountId, serial: &str) -> Result<MfaDevice, IamError>;
    async fn tag_virtual_mfa_device(&self, account: &AccountId, serial: &str, tags: Vec<Tag>) -> Result<(), IamError>;
    async fn untag_virtual_mfa_device(
        &self,
        account: &AccountId,
        serial: &str,
        keys: Vec<String>,
    ) -> Result<(), IamError>;
}

/// A listing position: enable time (zero-padded seconds), then serial. Ordered as text.
pub fn device_sort_key(device: &MfaDevice) -> String {
    format!(
        "{:020}/{}",
        device.enabled_at.map_or(0, OffsetDateTime::unix_timestamp),
        device.serial
    )
}

const DEVICE_COLUMNS: &str = "serial, kind, assigned, user_id, enabled_at";
const SECRET_COLUMNS: &str = "serial, kind, assigned, user_id, enabled_at, sealed_seed, algorithm, digits, period, last_used_step, drift, failures, locked_until, not_before, not_after";

fn read_device(row: &Row) -> Result<MfaDevice, StoreError> {
    let kind = row.text(1)?;
    let owner = match (row.bool(2)?, row.opt_text(3)?) {
        (false, _) => None,
        (true, None) => Some(Owner::Root),
        (true, Some(user)) => Some(Owner::User(UserId::from_stored(user))),
    };
    Ok(MfaDevice {
        serial: row.text(0)?,
        kind: DeviceKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("bad device kind {kind}")))?,
        owner,
        enabled_at: row.opt_time(4)?,
        tags: Vec::new(),
    })
}

pub(super) fn to_u32(value: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("bad {what} {value}")))
}

fn read_secret(row: &Row) -> Result<(MfaDevice, Option<DeviceSecret>), StoreError> {
    let device = read_device(row)?;
    if device.kind == DeviceKind::Fido {
        return Ok((device, None));
    }
    let algorithm = row.text(6)?;
    let secret = DeviceSecret {
        serial: device.serial.clone(),
        sealed_seed: row.bytes(5)?,
        params: TotpParams {
            algorithm: HashAlgorithm::parse(&algorithm)
                .ok_or_else(|| StoreError::Corrupt(format!("bad algorithm {algorithm}")))?,
            digits: to_u32(row.int(7)?, "digits")?,
            period: to_u32(row.int(8)?, "period")?,
        },
        state: OtpState {
            last_used_step: row.opt_int(9)?,
            drift: row.int(10)?,
            throttle: Throttle {
                failures: to_u32(row.int(11)?, "failures")?,
                locked_until: row.opt_int(12)?,
            },
        },
        not_before: row.opt_int(13)?,
        not_after: row.opt_int(14)?,
    };
    Ok((device, Some(secret)))
}

fn find_device(
    tx: &mut dyn SqlTx,
    account: &AccountId,
    serial: &str,
) -> Result<Option<(MfaDevice, Option<DeviceSecret>)>, StoreError> {
    let sql = format!("SELECT {SECRET_COLUMNS} FROM mfa_devices WHERE account_id = $1 AND serial = $2");
    tx.query_opt(&sql, &[account.as_str().into(), serial.into()])?
        .map(|row| read_secret(&row))
        .transpose()
}

fn store_state(tx: &mut dyn SqlTx, serial: &str, state: &OtpState) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE mfa_devices SET last_used_step = $1, drift = $2, failures = $3, locked_until = $4 WHERE serial = $5",
        &[
            Value::Int(state.last_used_step),
            state.drift.into(),
            i64::from(state.throttle.failures).into(),
            Value::Int(state.throttle.locked_until),
            serial.into(),
        ],
    )
    .map(|_| ())
}

/// Runs the check and stores its state; never lowers the last accepted step (§2.4).
fn run_check(tx: &mut dyn SqlTx, secret: &DeviceSecret, check: &mut CodeCheck) -> Result<bool, StoreError> {
    let mut verdict = check(secret);
    let accepted = verdict.outcome == Outcome::Accepted && verdict.state.last_used_step > secret.state.last_used_step;
    if verdict.state.last_used_step < secret.state.last_used_step {
        verdict.state.last_used_step = secret.state.last_used_step;
    }
    store_state(tx, &secret.serial, &verdict.state)?;
    Ok(accepted)
}

fn assigned_to(device: &MfaDevice, owner: &Owner) -> bool {
    device.owner.as_ref() == Some(owner)
}

fn not_assigned(serial: &str, target: &Target, account: &AccountId) -> IamError {
    let holder = match target {
        Target::Root => account.as_str().to_owned(),
        Target::UserNamed(name) => name.clone(),
    };
    IamError::NotFound(Entity::MfaDeviceAssignment {
        serial: serial.to_owned(),
        user: holder,
    })
}

fn holder_of(tx: &mut dyn SqlTx, device: &MfaDevice) -> Result<Holder, StoreError> {
    Ok(match &device.owner {
        None => Holder::Nobody,
        Some(Owner::Root) => Holder::Root,
        Some(Owner::User(id)) => {
            let user = tx.query_one(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE user_id = $1"),
                &[id.as_str().into()],
            )?;
            Holder::User(read_user(&user)?)
        }
    })
}

fn tag_error(error: TagError) -> IamError {
    match error {
        TagError::TooMany => IamError::LimitExceeded(Quota::TagsPerMfaDevice),
        TagError::DuplicateKeys | TagError::ReservedPrefix => IamError::Invalid(error.to_string()),
    }
}

fn require_virtual(tx: &mut dyn SqlTx, account: &AccountId, serial: &str) -> Result<MfaDevice, IamError> {
    match find_device(tx, account, serial)? {
        Some((mut device, _)) if device.kind == DeviceKind::Virtual => {
            device.tags = read_tags(tx, TagSet::MfaDevice, serial)?;
            Ok(device)
        }
        _ => Err(IamError::NotFound(Entity::VirtualMfaDevice(serial.to_owned()))),
    }
}

#[async_trait]
impl MfaDeviceStore for SqlStore {
    async fn create_virtual_mfa_device(
        &self,
        account: &AccountId,
        device: NewVirtualDevice,
    ) -> Result<MfaDevice, IamError> {
        let account = account.clone();
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let name_key = device.name.to_lowercase();
            let taken = tx.count(
                "SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1 AND name_key = $2",
                &[account.as_str().into(), name_key.as_str().into()],
            )? > 0;
            if taken || tx.count("SELECT COUNT(*) FROM mfa_devices WHERE serial = $1", &[device.serial.as_str().into()])? > 0 {
                return Err(IamError::AlreadyExists(Entity::MfaDeviceName));
            }
            let existing = tx.count(
                "SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1 AND kind = 'virtual'",
                &[account.as_str().into()],
            )?;
            if existing >= VIRTUAL_DEVICES_PER_ACCOUNT {
                return Err(IamError::LimitExceeded(Quota::VirtualDevicesPerAccount));
            }
            tags::check_request(&device.tags).map_err(tag_error)?;
            let tags = tags::merge(&[], &device.tags).map_err(tag_error)?;
            let params = TotpParams::VIRTUAL;
            tx.execute(
                "INSERT INTO mfa_devices (serial, account_id, kind, name, name_key, path, created_at, sealed_seed, algorithm, digits, period) VALUES ($1, $2, 'virtual', $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    device.serial.as_str().into(),
                    account.as_str().into(),
                    device.name.as_str().into(),
                    name_key.into(),
                    device.path.as_str().into(),
                    device.now.into(),
                    device.sealed_seed.clone().into(),
                    params.algorithm.as_str().into(),
                    i64::from(params.digits).into(),
                    i64::from(params.period).into(),
                ],
            )?;
            write_tags(tx, TagSet::MfaDevice, &device.serial, &tags)?;
            Ok(MfaDevice { serial: device.serial.clone(), kind: DeviceKind::Virtual, owner: None, enabled_at: None, tags })
        })
        .await
    }

    async fn delete_virtual_mfa_device(&self, account: &AccountId, serial: &str) -> Result<(), IamError> {
        let (account, serial) = (account.clone(), serial.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let device = require_virtual(tx, &account, &serial)?;
            if device.owner.is_some() {
                return Err(IamError::DeleteConflict(DeleteBlocker::DeviceAssigned));
            }
            tx.execute(
                "DELETE FROM mfa_device_tags WHERE serial = $1",
                &[serial.as_str().into()],
            )?;
            tx.execute("DELETE FROM mfa_devices WHERE serial = $1", &[serial.as_str().into()])?;
            Ok(())
        })
        .await
    }

    async fn enable_mfa_device(
        &self,
        account: &AccountId,
        target: &Target,
        serial: &str,
        now: OffsetDateTime,
        mut check: CodeCheck,
    ) -> Result<bool, IamError> {
        let (account, target, serial) = (account.clone(), target.clone(), serial.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let (owner, _) = resolve_target(tx, &account, &target)?;
            // FIDO keys are registered in the console only (SR-25): to the API they do not exist.
            let Some((device, Some(secret))) = find_device(tx, &account, &serial)? else {
                return Err(IamError::NotFound(Entity::MfaDevice(serial.clone())));
            };
            if device.owner.is_some() {
                return Err(IamError::AlreadyExists(Entity::MfaDeviceInUse));
            }
            let held = tx.count(
                "SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1 AND assigned = 1 AND user_id IS NOT DISTINCT FROM $2",
                &[account.as_str().into(), owner_column(&owner)],
            )?;
            if held >= DEVICES_PER_PRINCIPAL {
                return Err(IamError::LimitExceeded(Quota::DevicesPerPrincipal));
            }
            if !run_check(tx, &secret, &mut check)? {
                return Ok(false);
            }
            tx.execute(
                "UPDATE mfa_devices SET assigned = 1, user_id = $1, enabled_at = $2 WHERE serial = $3",
                &[owner_column(&owner), now.into(), serial.as_str().into()],
            )?;
            Ok(true)
        })
        .await
    }

    async fn resync_mfa_device(
        &self,
        account: &AccountId,
        target: &Target,
        serial: &str,
        mut check: CodeCheck,
    ) -> Result<bool, IamError> {
        let (account, target, serial) = (account.clone(), target.clone(), serial.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let (owner, _) = resolve_target(tx, &account, &target)?;
            match find_device(tx, &account, &serial)? {
                Some((device, Some(secret))) if assigned_to(&device, &owner) => Ok(run_check(tx, &secret, &mut check)?),
                Some((device, None)) if assigned_to(&device, &owner) => Err(IamError::CannotResyncFido),
                _ => Err(not_assigned(&serial, &target, &account)),
            }
        })
        .await
    }

    async fn deactivate_mfa_device(&self, account: &AccountId, target: &Target, serial: &str) -> Result<(), IamError> {
        let (account, target, serial) = (account.clone(), target.clone(), serial.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let (owner, _) = resolve_target(tx, &account, &target)?;
            let device = match find_device(tx, &account, &serial)? {
                Some((device, _)) if assigned_to(&device, &owner) => device,
                _ => return Err(not_assigned(&serial, &target, &account)),
            };
            match device.kind {
                // A FIDO registration exists only while assigned (`iam-mfa.md` §1.2).
                DeviceKind::Fido => {
                    tx.execute("DELETE FROM mfa_devices WHERE serial = $1", &[serial.as_str().into()])?;
                }
                // The seed, tags and last accepted step stay: a re-enabled device never
                // accepts an old code again (§2.4).
                DeviceKind::Virtual | DeviceKind::Hardware => {
                    tx.execute(
                        "UPDATE mfa_devices SET assigned = 0, user_id = NULL, enabled_at = NULL, drift = 0 WHERE serial = $1",
                        &[serial.as_str().into()],
                    )?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn verify_mfa_code(
        &self,
        account: &AccountId,
        owner: &Owner,
        serial: &str,
        now: OffsetDateTime,
        mut check: CodeCheck,
    ) -> Result<CodeVerdict, StoreError> {
        let (account, owner, serial) = (account.clone(), owner.clone(), serial.to_owned());
        let now = now.unix_timestamp();
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let throttle = principal_throttle(tx, &account, &owner)?;
            if throttle.is_locked(now) {
                return Ok(CodeVerdict::Refused);
            }
            Ok(match find_device(tx, &account, &serial)? {
                Some((device, Some(secret))) if assigned_to(&device, &owner) => {
                    match run_check(tx, &secret, &mut check)? {
                        true => {
                            if throttle != Throttle::default() {
                                store_principal_throttle(tx, &account, &owner, throttle.after_success())?;
                            }
                            CodeVerdict::Accepted
                        }
                        false => CodeVerdict::Refused,
                    }
                }
                _ => {
                    store_principal_throttle(tx, &account, &owner, throttle.after_failure(now))?;
                    CodeVerdict::NoSuchDevice
                }
            })
        })
        .await
    }

    async fn list_mfa_devices(
        &self,
        account: &AccountId,
        target: &Target,
        page: PageRequest,
    ) -> Result<(Option<String>, Page<MfaDevice>), IamError> {
        let (account, target) = (account.clone(), target.clone());
        self.read(move |tx| {
            let (owner, owner_name) = resolve_target(tx, &account, &target)?;
            let sql = format!(
                "SELECT {DEVICE_COLUMNS} FROM mfa_devices WHERE account_id = $1 AND assigned = 1 AND user_id IS NOT DISTINCT FROM $2 ORDER BY enabled_at, serial"
            );
            let rest: Vec<MfaDevice> = tx
                .query(&sql, &[account.as_str().into(), owner_column(&owner)])?
                .iter()
                .map(read_device)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|device| page.after.as_ref().is_none_or(|after| device_sort_key(device) > *after))
                .collect();
            let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
            let more = rest.len() > limit;
            Ok((owner_name, Page { items: rest.into_iter().take(limit).collect(), more }))
        })
        .await
    }

    async fn list_virtual_mfa_devices(
        &self,
        account: &AccountId,
        filter: AssignmentFilter,
        page: PageRequest,
    ) -> Result<Page<(MfaDevice, Holder)>, StoreError> {
        let account = account.clone();
        self.read(move |tx| {
            let assigned = match filter {
                AssignmentFilter::Assigned => " AND assigned = 1",
                AssignmentFilter::Unassigned => " AND assigned = 0",
                AssignmentFilter::Any => "",
            };
            let sql = format!(
                "SELECT {DEVICE_COLUMNS} FROM mfa_devices WHERE account_id = $1 AND kind = 'virtual'{assigned} AND serial > $2 ORDER BY serial LIMIT $3"
            );
            let rows = tx.query(
                &sql,
                &[account.as_str().into(), page.after.clone().unwrap_or_default().into(), (i64::from(page.limit) + 1).into()],
            )?;
            let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
            let more = rows.len() > limit;
            let mut items = Vec::with_capacity(rows.len().min(limit));
            for row in rows.iter().take(limit) {
                let device = read_device(row)?;
                let holder = holder_of(tx, &device)?;
                items.push((device, holder));
            }
            Ok(Page { items, more })
        })
        .await
    }

    async fn mfa_device(&self, account: &AccountId, serial: &str) -> Result<Option<(MfaDevice, Holder)>, StoreError> {
        let (account, serial) = (account.clone(), serial.to_owned());
        self.read(move |tx| {
            let Some((device, _)) = find_device(tx, &account, &serial)? else {
                return Ok(None);
            };
            let holder = holder_of(tx, &device)?;
            Ok(Some((device, holder)))
        })
        .await
    }

    async fn virtual_mfa_device(&self, account: &AccountId, serial: &str) -> Result<MfaDevice, IamError> {
        let (account, serial) = (account.clone(), serial.to_owned());
        self.read(move |tx| require_virtual(tx, &account, &serial)).await
    }

    async fn tag_virtual_mfa_device(
        &self,
        account: &AccountId,
        serial: &str,
        new_tags: Vec<Tag>,
    ) -> Result<(), IamError> {
        let (account, serial) = (account.clone(), serial.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let device = require_virtual(tx, &account, &serial)?;
            tags::check_request(&new_tags).map_err(tag_error)?;
            let merged = tags::merge(&device.tags, &new_tags).map_err(tag_error)?;
            write_tags(tx, TagSet::MfaDevice, &serial, &merged)?;
            Ok(())
        })
        .await
    }

    async fn untag_virtual_mfa_device(
        &self,
        account: &AccountId,
        serial: &str,
        keys: Vec<String>,
    ) -> Result<(), IamError> {
        let (account, serial) = (account.clone(), serial.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let device = require_virtual(tx, &account, &serial)?;
            let kept = tags::without_keys(&device.tags, &keys);
            write_tags(tx, TagSet::MfaDevice, &serial, &kept)?;
            Ok(())
        })
        .await
    }
}
