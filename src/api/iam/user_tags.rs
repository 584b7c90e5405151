//! TagUser, UntagUser, ListUserTags: shapes from botocore, behaviour as AWS documents it
//! (keys case-insensitive, 50 per user, a tag with an existing key replaces it).

use super::{Paging, parse_tag_keys, parse_tags, tag_page, target_arn};
use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::Tag;
use crate::store::Target;
use crate::wire::shapes::EXISTING_USER_NAME;
use crate::wire::validate::Validator;
use crate::wire::xml::Xml;
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

fn user_resource(caller: &Caller, name: &str) -> String {
    target_arn(caller, &Target::UserNamed(name.to_owned()))
}

pub struct TagUser {
    name: String,
    tags: Vec<Tag>,
}

#[async_trait]
impl Operation for TagUser {
    const ACTION: Action = Action::TagUser;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "UserName", &EXISTING_USER_NAME);
        let tags = parse_tags(&mut v, params, true)?;
        v.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            tags,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        user_resource(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .tag_user(ctx.caller.principal.account_id(), &self.name, self.tags)
            .await?;
        Ok(None)
    }
}

pub struct UntagUser {
    name: String,
    keys: Vec<String>,
}

#[async_trait]
impl Operation for UntagUser {
    const ACTION: Action = Action::UntagUser;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "UserName", &EXISTING_USER_NAME);
        let keys = parse_tag_keys(&mut v, params)?;
        v.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            keys,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        user_resource(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .untag_user(ctx.caller.principal.account_id(), &self.name, self.keys)
            .await?;
        Ok(None)
    }
}

pub struct ListUserTags {
    name: String,
    paging: Paging,
}

#[async_trait]
impl Operation for ListUserTags {
    const ACTION: Action = Action::ListUserTags;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "UserName", &EXISTING_USER_NAME);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            paging,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        user_resource(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListUserTags")?;
        let user = ctx
            .state
            .store
            .user_by_name(ctx.caller.principal.account_id(), &self.name)
            .await?;
        let user = user.ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoSuchEntity,
                format!("The user with name {} cannot be found.", self.name),
            )
        })?;
        tag_page(ctx, "ListUserTags", request, user.tags).map(Some)
    }
}
