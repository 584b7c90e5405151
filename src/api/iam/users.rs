//! CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser (`iam-mfa.md` §5.1–5.4).

use super::{Paging, must_name_user, no_boundary_policy, parse_tags, target, target_arn, write_root_user, write_user};
use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::{PrincipalIdentity, Tag, UserId};
use crate::store::{NewUser, Target};
use crate::wire::shapes::{ARN, EXISTING_USER_NAME, PATH, PATH_PREFIX, USER_NAME};
use crate::wire::validate::Validator;
use crate::wire::xml::Xml;
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

pub struct CreateUser {
    name: String,
    path: String,
    tags: Vec<Tag>,
}

#[async_trait]
impl Operation for CreateUser {
    const ACTION: Action = Action::CreateUser;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "UserName", &USER_NAME);
        let path = v.optional(params, "Path", &PATH);
        let boundary = v.optional(params, "PermissionsBoundary", &ARN);
        let tags = parse_tags(&mut v, params, false)?;
        v.finish()?;
        if boundary.is_some() {
            return Err(no_boundary_policy());
        }
        Ok(Self {
            name: name.unwrap_or_default(),
            path: path.unwrap_or_else(|| "/".into()),
            tags,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        format!(
            "arn:aws:iam::{}:user{}{}",
            caller.principal.account_id().as_str(),
            self.path,
            self.name
        )
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let id = UserId::generate().map_err(crate::api::errors::internal)?;
        let user = NewUser {
            id,
            name: self.name,
            path: self.path,
            tags: self.tags,
            now: ctx.now,
        };
        let user = ctx
            .state
            .store
            .create_user(ctx.caller.principal.account_id(), user)
            .await?;
        let mut xml = Xml::new();
        xml.node("User", |xml| write_user(xml, &user, true));
        Ok(Some(xml))
    }
}

pub struct GetUser {
    target: Target,
}

#[async_trait]
impl Operation for GetUser {
    const ACTION: Action = Action::GetUser;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.optional(params, "UserName", &EXISTING_USER_NAME);
        v.finish()?;
        Ok(Self {
            target: target(caller, name.as_deref())?,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &self.target)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let name = match (self.target, &ctx.caller.principal) {
            (Target::Root, PrincipalIdentity::Root { account }) => {
                let mut xml = Xml::new();
                xml.node("User", |xml| write_root_user(xml, account));
                return Ok(Some(xml));
            }
            (Target::UserNamed(name), _) => name,
            // `target` designates root only for a root caller.
            (Target::Root, _) => return Err(must_name_user()),
        };
        let user = ctx
            .state
            .store
            .user_by_name(ctx.caller.principal.account_id(), &name)
            .await?;
        let user = user.ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoSuchEntity,
                format!("The user with name {name} cannot be found."),
            )
        })?;
        let mut xml = Xml::new();
        xml.node("User", |xml| write_user(xml, &user, true));
        Ok(Some(xml))
    }
}

pub struct ListUsers {
    path_prefix: String,
    paging: Paging,
}

#[async_trait]
impl Operation for ListUsers {
    const ACTION: Action = Action::ListUsers;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let path_prefix = v.optional(params, "PathPrefix", &PATH_PREFIX);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self {
            path_prefix: path_prefix.unwrap_or_else(|| "/".into()),
            paging,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        format!(
            "arn:aws:iam::{}:user{}",
            caller.principal.account_id().as_str(),
            self.path_prefix
        )
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListUsers")?;
        let page = ctx
            .state
            .store
            .list_users(ctx.caller.principal.account_id(), &self.path_prefix, request)
            .await?;
        let mut xml = Xml::new();
        // ListUsers omits Tags and PermissionsBoundary [AWS].
        xml.list("Users", &page.items, |xml, user| write_user(xml, user, false));
        let last = page.items.last().map(|u| u.name.to_lowercase());
        Paging::write(ctx, "ListUsers", &mut xml, page.more, last.as_deref());
        Ok(Some(xml))
    }
}

pub struct UpdateUser {
    name: String,
    new_name: Option<String>,
    new_path: Option<String>,
}

#[async_trait]
impl Operation for UpdateUser {
    const ACTION: Action = Action::UpdateUser;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "UserName", &EXISTING_USER_NAME);
        let new_path = v.optional(params, "NewPath", &PATH);
        let new_name = v.optional(params, "NewUserName", &USER_NAME);
        v.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            new_name,
            new_path,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &Target::UserNamed(self.name.clone()))
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .update_user(
                ctx.caller.principal.account_id(),
                &self.name,
                self.new_name,
                self.new_path,
            )
            .await?;
        Ok(None)
    }
}

pub struct DeleteUser {
    name: String,
}

#[async_trait]
impl Operation for DeleteUser {
    const ACTION: Action = Action::DeleteUser;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "UserName", &EXISTING_USER_NAME);
        v.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &Target::UserNamed(self.name.clone()))
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .delete_user(ctx.caller.principal.account_id(), &self.name)
            .await?;
        Ok(None)
    }
}
