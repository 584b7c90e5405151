//! EnableMFADevice, DeactivateMFADevice, ResyncMFADevice, ListMFADevices, GetMFADevice
//! (`iam-mfa.md` §4.2, §4.3, §4.5, §4.6, §4.8).

use super::{Paging, owner_user_name, target, target_arn};
use crate::api::action::Action;
use crate::api::mfa_check::pair_check;
use crate::api::{Caller, Credential, Ctx, Operation};
use crate::domain::PrincipalIdentity;
use crate::domain::mfa_device::{DeviceKind, is_fido_serial};
use crate::mfa::otp_check::PairWindow;
use crate::store::{CodeCheck, Entity, Holder, IamError, PageRequest, Target, device_sort_key};
use crate::wire::shapes::{AUTHENTICATION_CODE, EXISTING_USER_NAME, SERIAL_NUMBER, USER_NAME};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

/// `UserName` in MFA actions: a root caller names itself with its account ID (§0.4); for every
/// other caller it is an ordinary user name.
fn mfa_target(caller: &Caller, name: Option<&str>) -> Result<Target, ApiError> {
    match (name, &caller.principal) {
        (Some(name), PrincipalIdentity::Root { account }) if name == account.id.as_str() => Ok(Target::Root),
        _ => target(caller, name),
    }
}

/// The self-service rule (SR-23/SR-24, `iam-mfa.md` §3.6): a principal changing its own MFA
/// devices while it holds one must prove it with one, i.e. call with MFA session credentials.
/// The first device needs no MFA; devices 2–8 need no extra permission.
async fn require_mfa_for_own_change(ctx: &Ctx<'_>, target: &Target, action: Action) -> Result<(), ApiError> {
    let caller = &ctx.caller;
    let resource = match (target, &caller.principal) {
        (Target::Root, PrincipalIdentity::Root { .. }) => "root".to_owned(),
        (Target::UserNamed(name), PrincipalIdentity::User { user }) if user.name.eq_ignore_ascii_case(name) => {
            format!("user {}", user.name)
        }
        // Someone else's devices, or a role session's (roles hold no devices).
        _ => return Ok(()),
    };
    if matches!(caller.credential, Credential::Session { mfa: Some(_) }) {
        return Ok(());
    }
    let first = PageRequest { after: None, limit: 1 };
    let (_, held) = ctx
        .state
        .store
        .list_mfa_devices(caller.principal.account_id(), target, first)
        .await?;
    if held.items.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::AccessDenied,
        format!(
            "User: {} is not authorized to perform: {} on resource: {resource} because the request was not authenticated with an existing MFA device",
            caller.principal.arn(),
            action.policy_name()
        ),
    ))
}

/// Accepted codes answer with no result; refused ones (wrong, replayed, throttled) all alike.
fn answer(accepted: bool) -> Result<Option<Xml>, ApiError> {
    match accepted {
        true => Ok(None),
        false => Err(ApiError::new(
            ErrorCode::InvalidAuthenticationCode,
            "Authentication code for device is not valid.",
        )),
    }
}

/// `UserName`, `SerialNumber` and the two codes of Enable and Resync.
struct CodePair {
    target: Target,
    serial: String,
    code1: String,
    code2: String,
}

impl CodePair {
    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "UserName", &EXISTING_USER_NAME);
        let serial = v.required(params, "SerialNumber", &SERIAL_NUMBER);
        let code1 = v.required(params, "AuthenticationCode1", &AUTHENTICATION_CODE);
        let code2 = v.required(params, "AuthenticationCode2", &AUTHENTICATION_CODE);
        v.finish()?;
        Ok(Self {
            target: mfa_target(caller, name.as_deref())?,
            serial: serial.unwrap_or_default(),
            code1: code1.unwrap_or_default(),
            code2: code2.unwrap_or_default(),
        })
    }

    /// The check of these two consecutive codes within `window`, at the request's time.
    fn check(&self, ctx: &Ctx<'_>, window: PairWindow) -> CodeCheck {
        let account = ctx.caller.principal.account_id();
        pair_check(
            ctx.state,
            account,
            self.code1.clone(),
            self.code2.clone(),
            window,
            ctx.now.unix_timestamp(),
        )
    }
}

pub struct EnableMfaDevice(CodePair);

#[async_trait]
impl Operation for EnableMfaDevice {
    const ACTION: Action = Action::EnableMFADevice;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        CodePair::parse(params, caller).map(Self)
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.0.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let pair = self.0;
        require_mfa_for_own_change(ctx, &pair.target, Self::ACTION).await?;
        let check = pair.check(ctx, PairWindow::Enable);
        let account = ctx.caller.principal.account_id();
        answer(
            ctx.state
                .store
                .enable_mfa_device(account, &pair.target, &pair.serial, ctx.now, check)
                .await?,
        )
    }
}

pub struct ResyncMfaDevice(CodePair);

#[async_trait]
impl Operation for ResyncMfaDevice {
    const ACTION: Action = Action::ResyncMFADevice;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        CodePair::parse(params, caller).map(Self)
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.0.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let pair = self.0;
        let check = pair.check(ctx, PairWindow::Resync);
        let account = ctx.caller.principal.account_id();
        answer(
            ctx.state
                .store
                .resync_mfa_device(account, &pair.target, &pair.serial, check)
                .await?,
        )
    }
}

pub struct DeactivateMfaDevice {
    target: Target,
    serial: String,
}

#[async_trait]
impl Operation for DeactivateMfaDevice {
    const ACTION: Action = Action::DeactivateMFADevice;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.optional(params, "UserName", &EXISTING_USER_NAME);
        let serial = v.required(params, "SerialNumber", &SERIAL_NUMBER);
        v.finish()?;
        Ok(Self {
            target: mfa_target(caller, name.as_deref())?,
            serial: serial.unwrap_or_default(),
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        // Removing one's own device always needs MFA: it may be the very device being removed.
        require_mfa_for_own_change(ctx, &self.target, Self::ACTION).await?;
        ctx.state
            .store
            .deactivate_mfa_device(ctx.caller.principal.account_id(), &self.target, &self.serial)
            .await?;
        Ok(None)
    }
}

pub struct ListMfaDevices {
    target: Target,
    paging: Paging,
}

#[async_trait]
impl Operation for ListMfaDevices {
    const ACTION: Action = Action::ListMFADevices;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.optional(params, "UserName", &EXISTING_USER_NAME);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self {
            target: mfa_target(caller, name.as_deref())?,
            paging,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListMFADevices")?;
        let (owner_name, page) = ctx
            .state
            .store
            .list_mfa_devices(ctx.caller.principal.account_id(), &self.target, request)
            .await?;
        let user_name = owner_user_name(&ctx.caller, owner_name);
        let mut xml = Xml::new();
        xml.list("MFADevices", &page.items, |xml, device| {
            xml.leaf("UserName", &user_name)
                .leaf("SerialNumber", &device.serial)
                .leaf_opt("EnableDate", device.enabled_at.map(timestamp).as_deref());
        });
        let last = page.items.last().map(device_sort_key);
        Paging::write(ctx, "ListMFADevices", &mut xml, page.more, last.as_deref());
        Ok(Some(xml))
    }
}

pub struct GetMfaDevice {
    serial: String,
    user_name: Option<String>,
    target: Target,
}

#[async_trait]
impl Operation for GetMfaDevice {
    const ACTION: Action = Action::GetMFADevice;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let serial = v.required(params, "SerialNumber", &SERIAL_NUMBER);
        let user_name = v.optional(params, "UserName", &USER_NAME);
        v.finish()?;
        Ok(Self {
            serial: serial.unwrap_or_default(),
            target: target(caller, user_name.as_deref())?,
            user_name,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let not_found = || ApiError::from(IamError::NotFound(Entity::MfaDevice(self.serial.clone())));
        // GetMFADevice describes FIDO security keys only [AWS].
        if !is_fido_serial(&self.serial) {
            return Err(not_found());
        }
        let account = ctx.caller.principal.account_id();
        let (device, holder) = ctx
            .state
            .store
            .mfa_device(account, &self.serial)
            .await?
            .ok_or_else(not_found)?;
        let owner_name = match holder {
            Holder::User(user) => Some(user.name),
            Holder::Root | Holder::Nobody => None,
        };
        let named_other = self
            .user_name
            .as_ref()
            .is_some_and(|asked| Some(asked.to_lowercase()) != owner_name.as_ref().map(|n| n.to_lowercase()));
        if device.kind != DeviceKind::Fido || named_other {
            return Err(not_found());
        }
        let mut xml = Xml::new();
        xml.leaf("UserName", &owner_user_name(&ctx.caller, owner_name))
            .leaf("SerialNumber", &device.serial)
            .leaf_opt("EnableDate", device.enabled_at.map(timestamp).as_deref());
        Ok(Some(xml))
    }
}
