//! CreateVirtualMFADevice, DeleteVirtualMFADevice, ListVirtualMFADevices and the virtual-device
//! tag actions (`iam-mfa.md` §4.1, §4.4, §4.7, §4.9–4.11).

use super::{Paging, parse_tag_keys, parse_tags, tag_page, write_root_user, write_tags, write_user};
use crate::api::action::Action;
use crate::api::errors::internal;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::Tag;
use crate::domain::mfa_device::{seed_context, virtual_serial};
use crate::mfa::totp::generate_virtual_seed;
use crate::mfa::{base32, key_uri, qr};
use crate::store::{AssignmentFilter, Holder, NewVirtualDevice};
use crate::wire::shapes::{ASSIGNMENT_STATUS, PATH, SERIAL_NUMBER, VIRTUAL_MFA_DEVICE_NAME};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, Params};
use async_trait::async_trait;

/// Serials are at most 256 characters (`serialNumberType`).
const MAX_SERIAL: usize = 256;

/// The virtual device ARN as named in the request is the resource (`iam-mfa.md` §3.5).
fn device_resource(serial: &str) -> String {
    serial.to_owned()
}

pub struct CreateVirtualMfaDevice {
    name: String,
    path: String,
    tags: Vec<Tag>,
    serial: String,
}

#[async_trait]
impl Operation for CreateVirtualMfaDevice {
    const ACTION: Action = Action::CreateVirtualMFADevice;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "VirtualMFADeviceName", &VIRTUAL_MFA_DEVICE_NAME);
        let path = v.optional(params, "Path", &PATH).unwrap_or_else(|| "/".into());
        let tags = parse_tags(&mut v, params, false)?;
        let name = name.unwrap_or_default();
        let serial = virtual_serial(caller.principal.account_id(), &path, &name);
        if serial.len() > MAX_SERIAL {
            v.custom(
                "virtualMFADeviceName",
                &name,
                "Member must make a serial number (ARN) of at most 256 characters",
            );
        }
        v.finish()?;
        Ok(Self {
            name,
            path,
            tags,
            serial,
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        device_resource(&self.serial)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let account_id = ctx.caller.principal.account_id();
        let account = ctx.state.store.account(account_id).await?;
        // The authenticator shows "name@account", the account being its alias when set [AWS].
        let label = account
            .and_then(|a| a.alias)
            .unwrap_or_else(|| account_id.as_str().to_owned());
        let seed = generate_virtual_seed().map_err(internal)?;
        let uri = key_uri::virtual_device_uri(&ctx.state.otp_issuer, &self.name, &label, &seed);
        let png = qr::png(&uri).map_err(internal)?;
        let sealed_seed = ctx
            .state
            .data_key
            .seal(seed.expose(), &seed_context(account_id, &self.serial))
            .map_err(internal)?;
        let device = NewVirtualDevice {
            serial: self.serial,
            name: self.name,
            path: self.path,
            sealed_seed,
            tags: self.tags,
            now: ctx.now,
        };
        let device = ctx.state.store.create_virtual_mfa_device(account_id, device).await?;
        // The seed leaves Tessera here, once (`otp.md` §3): base64 of its Base32 text.
        let base32_text = base32::encode(seed.expose());
        let mut xml = Xml::new();
        xml.node("VirtualMFADevice", |xml| {
            xml.leaf("SerialNumber", &device.serial)
                .leaf(
                    "Base32StringSeed",
                    &data_encoding::BASE64.encode(base32_text.as_bytes()),
                )
                .leaf("QRCodePNG", &data_encoding::BASE64.encode(&png));
            if !device.tags.is_empty() {
                write_tags(xml, &device.tags);
            }
        });
        Ok(Some(xml))
    }
}

/// `SerialNumber` alone, as several virtual-device actions take it.
fn parse_serial(v: &mut Validator, params: &Params) -> String {
    v.required(params, "SerialNumber", &SERIAL_NUMBER).unwrap_or_default()
}

pub struct DeleteVirtualMfaDevice {
    serial: String,
}

#[async_trait]
impl Operation for DeleteVirtualMfaDevice {
    const ACTION: Action = Action::DeleteVirtualMFADevice;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let serial = parse_serial(&mut v, params);
        v.finish()?;
        Ok(Self { serial })
    }

    fn resource(&self, _caller: &Caller) -> String {
        device_resource(&self.serial)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .delete_virtual_mfa_device(ctx.caller.principal.account_id(), &self.serial)
            .await?;
        Ok(None)
    }
}

pub struct ListVirtualMfaDevices {
    filter: AssignmentFilter,
    paging: Paging,
}

#[async_trait]
impl Operation for ListVirtualMfaDevices {
    const ACTION: Action = Action::ListVirtualMFADevices;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let status = v.optional_enum(params, "AssignmentStatus", &ASSIGNMENT_STATUS);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        let filter = match status.as_deref() {
            Some("Assigned") => AssignmentFilter::Assigned,
            Some("Unassigned") => AssignmentFilter::Unassigned,
            _ => AssignmentFilter::Any,
        };
        Ok(Self { filter, paging })
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListVirtualMFADevices")?;
        let account_id = ctx.caller.principal.account_id();
        let page = ctx
            .state
            .store
            .list_virtual_mfa_devices(account_id, self.filter, request)
            .await?;
        let root = match page.items.iter().any(|(_, holder)| *holder == Holder::Root) {
            true => ctx.state.store.account(account_id).await?,
            false => None,
        };
        let mut xml = Xml::new();
        // Never the seed, the QR code or tags [AWS].
        xml.list("VirtualMFADevices", &page.items, |xml, (device, holder)| {
            xml.leaf("SerialNumber", &device.serial);
            match (holder, &root) {
                (Holder::User(user), _) => {
                    xml.node("User", |xml| write_user(xml, user, false));
                }
                (Holder::Root, Some(account)) => {
                    xml.node("User", |xml| write_root_user(xml, account));
                }
                (Holder::Root, None) | (Holder::Nobody, _) => {}
            }
            xml.leaf_opt("EnableDate", device.enabled_at.map(timestamp).as_deref());
        });
        let last = page.items.last().map(|(device, _)| device.serial.clone());
        Paging::write(ctx, "ListVirtualMFADevices", &mut xml, page.more, last.as_deref());
        Ok(Some(xml))
    }
}

pub struct TagMfaDevice {
    serial: String,
    tags: Vec<Tag>,
}

#[async_trait]
impl Operation for TagMfaDevice {
    const ACTION: Action = Action::TagMFADevice;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let serial = parse_serial(&mut v, params);
        let tags = parse_tags(&mut v, params, true)?;
        v.finish()?;
        Ok(Self { serial, tags })
    }

    fn resource(&self, _caller: &Caller) -> String {
        device_resource(&self.serial)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .tag_virtual_mfa_device(ctx.caller.principal.account_id(), &self.serial, self.tags)
            .await?;
        Ok(None)
    }
}

pub struct UntagMfaDevice {
    serial: String,
    keys: Vec<String>,
}

#[async_trait]
impl Operation for UntagMfaDevice {
    const ACTION: Action = Action::UntagMFADevice;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let serial = parse_serial(&mut v, params);
        let keys = parse_tag_keys(&mut v, params)?;
        v.finish()?;
        Ok(Self { serial, keys })
    }

    fn resource(&self, _caller: &Caller) -> String {
        device_resource(&self.serial)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .untag_virtual_mfa_device(ctx.caller.principal.account_id(), &self.serial, self.keys)
            .await?;
        Ok(None)
    }
}

pub struct ListMfaDeviceTags {
    serial: String,
    paging: Paging,
}

#[async_trait]
impl Operation for ListMfaDeviceTags {
    const ACTION: Action = Action::ListMFADeviceTags;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let serial = parse_serial(&mut v, params);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self { serial, paging })
    }

    fn resource(&self, _caller: &Caller) -> String {
        device_resource(&self.serial)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListMFADeviceTags")?;
        let device = ctx
            .state
            .store
            .virtual_mfa_device(ctx.caller.principal.account_id(), &self.serial)
            .await?;
        tag_page(ctx, "ListMFADeviceTags", request, device.tags).map(Some)
    }
}
