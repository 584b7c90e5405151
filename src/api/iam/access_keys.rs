//! Create/List/Update/DeleteAccessKey and GetAccessKeyLastUsed (`iam-mfa.md` §5.6; the last
//! from botocore's shape and AWS's documentation: `N/A` service and region until first use).

use super::{Paging, must_name_user, owner_user_name, target, target_arn};
use crate::api::action::Action;
use crate::api::errors::internal;
use crate::api::{Caller, Credential, Ctx, Operation};
use crate::domain::{AccessKeyId, AccessKeyStatus, KeyKind, Owner, generate_secret_access_key};
use crate::store::{Target, key_sort_key};
use crate::wire::shapes::{ACCESS_KEY_ID, ACCESS_KEY_STATUS, EXISTING_USER_NAME};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

/// `UserName`, defaulting to the caller; session credentials must name it (`iam-mfa.md` §5.6).
fn parse_target(v: &mut Validator, params: &Params, caller: &Caller) -> Result<Target, ApiError> {
    let name = v.optional(params, "UserName", &EXISTING_USER_NAME);
    if name.is_none() && params.get("UserName").is_none() && caller.credential != Credential::LongTerm {
        return Err(must_name_user());
    }
    target(caller, name.as_deref())
}

pub struct CreateAccessKey {
    target: Target,
}

#[async_trait]
impl Operation for CreateAccessKey {
    const ACTION: Action = Action::CreateAccessKey;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let target = parse_target(&mut v, params, caller)?;
        v.finish()?;
        Ok(Self { target })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let id = AccessKeyId::generate(KeyKind::LongTerm).map_err(internal)?;
        let secret = generate_secret_access_key().map_err(internal)?;
        // The key ID is bound into the seal, so a sealed secret only opens for its own key.
        let sealed = ctx
            .state
            .data_key
            .seal_text(secret.expose(), id.as_str().as_bytes())
            .map_err(internal)?;
        let (owner_name, key) = ctx
            .state
            .store
            .create_access_key(ctx.caller.principal.account_id(), &self.target, id, sealed, ctx.now)
            .await?;
        let mut xml = Xml::new();
        xml.node("AccessKey", |xml| {
            xml.leaf("UserName", &owner_user_name(&ctx.caller, owner_name))
                .leaf("AccessKeyId", key.id.as_str())
                .leaf("Status", key.status.as_str())
                .leaf("SecretAccessKey", secret.expose())
                .leaf("CreateDate", &timestamp(key.created_at));
        });
        Ok(Some(xml))
    }
}

pub struct ListAccessKeys {
    target: Target,
    paging: Paging,
}

#[async_trait]
impl Operation for ListAccessKeys {
    const ACTION: Action = Action::ListAccessKeys;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let target = parse_target(&mut v, params, caller)?;
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self { target, paging })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListAccessKeys")?;
        let (owner_name, page) = ctx
            .state
            .store
            .list_access_keys(ctx.caller.principal.account_id(), &self.target, request)
            .await?;
        let user_name = owner_user_name(&ctx.caller, owner_name);
        let mut xml = Xml::new();
        xml.list("AccessKeyMetadata", &page.items, |xml, key| {
            xml.leaf("UserName", &user_name)
                .leaf("AccessKeyId", key.id.as_str())
                .leaf("Status", key.status.as_str())
                .leaf("CreateDate", &timestamp(key.created_at));
        });
        let last = page.items.last().map(key_sort_key);
        Paging::write(ctx, "ListAccessKeys", &mut xml, page.more, last.as_deref());
        Ok(Some(xml))
    }
}

pub struct UpdateAccessKey {
    target: Target,
    id: String,
    status: AccessKeyStatus,
}

#[async_trait]
impl Operation for UpdateAccessKey {
    const ACTION: Action = Action::UpdateAccessKey;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let target = parse_target(&mut v, params, caller)?;
        let id = v.required(params, "AccessKeyId", &ACCESS_KEY_ID);
        let status = v.required_enum(params, "Status", &ACCESS_KEY_STATUS);
        v.finish()?;
        // `Expired` is modelled but only AWS itself sets it.
        let status = AccessKeyStatus::parse(status.as_deref().unwrap_or_default())
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidInput, "Status must be Active or Inactive."))?;
        Ok(Self {
            target,
            id: id.unwrap_or_default(),
            status,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .set_access_key_status(ctx.caller.principal.account_id(), &self.target, &self.id, self.status)
            .await?;
        Ok(None)
    }
}

pub struct DeleteAccessKey {
    target: Target,
    id: String,
}

#[async_trait]
impl Operation for DeleteAccessKey {
    const ACTION: Action = Action::DeleteAccessKey;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let target = parse_target(&mut v, params, caller)?;
        let id = v.required(params, "AccessKeyId", &ACCESS_KEY_ID);
        v.finish()?;
        Ok(Self {
            target,
            id: id.unwrap_or_default(),
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .delete_access_key(ctx.caller.principal.account_id(), &self.target, &self.id)
            .await?;
        Ok(None)
    }
}

pub struct GetAccessKeyLastUsed {
    id: String,
}

#[async_trait]
impl Operation for GetAccessKeyLastUsed {
    const ACTION: Action = Action::GetAccessKeyLastUsed;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let id = v.required(params, "AccessKeyId", &ACCESS_KEY_ID);
        v.finish()?;
        Ok(Self {
            id: id.unwrap_or_default(),
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        // The owner is known only once the key is found.
        "*".to_owned()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let account = ctx.caller.principal.account_id();
        let found = ctx.state.store.access_key_in_account(account, &self.id).await?;
        let (key, owner_name) = found.ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoSuchEntity,
                format!("The Access Key with id {} cannot be found.", self.id),
            )
        })?;
        let user_name = match (&key.owner, owner_name) {
            (Owner::User(_), Some(name)) => name,
            _ => account.as_str().to_owned(),
        };
        let mut xml = Xml::new();
        xml.leaf("UserName", &user_name)
            .node("AccessKeyLastUsed", |xml| match &key.last_used {
                Some(used) => {
                    xml.leaf("LastUsedDate", &timestamp(used.at))
                        .leaf("ServiceName", &used.service)
                        .leaf("Region", &used.region);
                }
                None => {
                    xml.leaf("ServiceName", "N/A").leaf("Region", "N/A");
                }
            });
        Ok(Some(xml))
    }
}
