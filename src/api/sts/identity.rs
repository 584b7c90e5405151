//! GetCallerIdentity (`sts.md` §5) and GetAccessKeyInfo (botocore shape; AWS documents it as
//! returning the account that owns a key, with no permission needed for one's own keys).

use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::AccessKeyId;
use crate::wire::shapes::STS_ACCESS_KEY_ID;
use crate::wire::validate::Validator;
use crate::wire::xml::Xml;
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

pub struct GetCallerIdentity;

#[async_trait]
impl Operation for GetCallerIdentity {
    const ACTION: Action = Action::GetCallerIdentity;

    fn parse(_params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Ok(Self)
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let principal = &ctx.caller.principal;
        let mut xml = Xml::new();
        xml.leaf("UserId", &principal.user_id())
            .leaf("Account", principal.account_id().as_str())
            .leaf("Arn", &principal.arn());
        Ok(Some(xml))
    }
}

pub struct GetAccessKeyInfo {
    id: String,
}

#[async_trait]
impl Operation for GetAccessKeyInfo {
    const ACTION: Action = Action::GetAccessKeyInfo;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let id = v.required(params, "AccessKeyId", &STS_ACCESS_KEY_ID);
        v.finish()?;
        Ok(Self {
            id: id.unwrap_or_default(),
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        // AWS decodes the account from the key ID itself; Tessera's IDs carry no account, so
        // the key must be one this deployment issued.
        let unknown = || {
            ApiError::new(
                ErrorCode::InvalidParameterValue,
                format!("The access key ID {} was not issued by this deployment.", self.id),
            )
        };
        let (key, _) = AccessKeyId::parse(&self.id).ok_or_else(unknown)?;
        let credential = ctx.state.store.key_credential(&key).await?.ok_or_else(unknown)?;
        let mut xml = Xml::new();
        xml.leaf("Account", credential.principal.account_id().as_str());
        Ok(Some(xml))
    }
}
