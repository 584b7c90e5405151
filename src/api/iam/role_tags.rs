//! TagRole, UntagRole, ListRoleTags: the same tag rules as users (keys case-insensitive, 50 per
//! role, a tag with an existing key replaces it).

use super::roles::{named_role_arn, parse_role_name, require_role};
use super::{Paging, parse_tag_keys, parse_tags, tag_page};
use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::Tag;
use crate::wire::validate::Validator;
use crate::wire::xml::Xml;
use crate::wire::{ApiError, Params};
use async_trait::async_trait;

pub struct TagRole {
    name: String,
    tags: Vec<Tag>,
}

#[async_trait]
impl Operation for TagRole {
    const ACTION: Action = Action::TagRole;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = parse_role_name(&mut v, params);
        let tags = parse_tags(&mut v, params, true)?;
        v.finish()?;
        Ok(Self { name, tags })
    }

    fn resource(&self, caller: &Caller) -> String {
        named_role_arn(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .tag_role(ctx.caller.principal.account_id(), &self.name, self.tags)
            .await?;
        Ok(None)
    }
}

pub struct UntagRole {
    name: String,
    keys: Vec<String>,
}

#[async_trait]
impl Operation for UntagRole {
    const ACTION: Action = Action::UntagRole;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = parse_role_name(&mut v, params);
        let keys = parse_tag_keys(&mut v, params)?;
        v.finish()?;
        Ok(Self { name, keys })
    }

    fn resource(&self, caller: &Caller) -> String {
        named_role_arn(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .untag_role(ctx.caller.principal.account_id(), &self.name, self.keys)
            .await?;
        Ok(None)
    }
}

pub struct ListRoleTags {
    name: String,
    paging: Paging,
}

#[async_trait]
impl Operation for ListRoleTags {
    const ACTION: Action = Action::ListRoleTags;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = parse_role_name(&mut v, params);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self { name, paging })
    }

    fn resource(&self, caller: &Caller) -> String {
        named_role_arn(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListRoleTags")?;
        let role = require_role(ctx, &self.name).await?;
        tag_page(ctx, "ListRoleTags", request, role.tags).map(Some)
    }
}
