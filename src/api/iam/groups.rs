//! CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
//! RemoveUserFromGroup, ListGroupsForUser.

use super::{Paging, target_arn, write_user};
use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::{Group, GroupId};
use crate::store::{NewGroup, Target};
use crate::wire::shapes::{EXISTING_USER_NAME, GROUP_NAME, PATH, PATH_PREFIX};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, Params};
use async_trait::async_trait;

/// The ARN a group named in a request is evaluated as; its path is not known before the
/// lookup, so the root path stands in (as for users, `target_arn`).
pub fn group_resource(caller: &Caller, name: &str) -> String {
    format!("arn:aws:iam::{}:group/{name}", caller.principal.account_id().as_str())
}

/// The `Group` structure.
fn write_group(xml: &mut Xml, group: &Group) {
    xml.leaf("Path", &group.path)
        .leaf("GroupName", &group.name)
        .leaf("GroupId", group.id.as_str())
        .leaf("Arn", &group.arn())
        .leaf("CreateDate", &timestamp(group.created_at));
}

fn write_groups(ctx: &Ctx<'_>, operation: &str, groups: &[Group], more: bool) -> Xml {
    let mut xml = Xml::new();
    xml.list("Groups", groups, write_group);
    let last = groups.last().map(|g| g.name.to_lowercase());
    Paging::write(ctx, operation, &mut xml, more, last.as_deref());
    xml
}

fn required_group(v: &mut Validator, params: &Params) -> String {
    v.required(params, "GroupName", &GROUP_NAME).unwrap_or_default()
}

pub struct CreateGroup {
    name: String,
    path: String,
}

#[async_trait]
impl Operation for CreateGroup {
    const ACTION: Action = Action::CreateGroup;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = required_group(&mut v, params);
        let path = v.optional(params, "Path", &PATH);
        v.finish()?;
        Ok(Self {
            name,
            path: path.unwrap_or_else(|| "/".into()),
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        format!(
            "arn:aws:iam::{}:group{}{}",
            caller.principal.account_id().as_str(),
            self.path,
            self.name
        )
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let group = NewGroup {
            id: GroupId::generate().map_err(crate::api::errors::internal)?,
            name: self.name,
            path: self.path,
            now: ctx.now,
        };
        let group = ctx
            .state
            .store
            .create_group(ctx.caller.principal.account_id(), group)
            .await?;
        let mut xml = Xml::new();
        xml.node("Group", |xml| write_group(xml, &group));
        Ok(Some(xml))
    }
}

pub struct GetGroup {
    name: String,
    paging: Paging,
}

#[async_trait]
impl Operation for GetGroup {
    const ACTION: Action = Action::GetGroup;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = required_group(&mut v, params);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self { name, paging })
    }

    fn resource(&self, caller: &Caller) -> String {
        group_resource(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "GetGroup")?;
        let (group, members) = ctx
            .state
            .store
            .group_with_members(ctx.caller.principal.account_id(), &self.name, request)
            .await?;
        let mut xml = Xml::new();
        xml.node("Group", |xml| write_group(xml, &group));
        xml.list("Users", &members.items, |xml, user| write_user(xml, user, false));
        let last = members.items.last().map(|u| u.name.to_lowercase());
        Paging::write(ctx, "GetGroup", &mut xml, members.more, last.as_deref());
        Ok(Some(xml))
    }
}

pub struct ListGroups {
    path_prefix: String,
    paging: Paging,
}

#[async_trait]
impl Operation for ListGroups {
    const ACTION: Action = Action::ListGroups;

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

    /// AWS's service authorization reference names the group ARN pattern for ListGroups.
    fn resource(&self, caller: &Caller) -> String {
        format!("arn:aws:iam::{}:group/", caller.principal.account_id().as_str())
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListGroups")?;
        let page = ctx
            .state
            .store
            .list_groups(ctx.caller.principal.account_id(), &self.path_prefix, request)
            .await?;
        Ok(Some(write_groups(ctx, "ListGroups", &page.items, page.more)))
    }
}

pub struct UpdateGroup {
    name: String,
    new_name: Option<String>,
    new_path: Option<String>,
}

#[async_trait]
impl Operation for UpdateGroup {
    const ACTION: Action = Action::UpdateGroup;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = required_group(&mut v, params);
        let new_path = v.optional(params, "NewPath", &PATH);
        let new_name = v.optional(params, "NewGroupName", &GROUP_NAME);
        v.finish()?;
        Ok(Self {
            name,
            new_name,
            new_path,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        group_resource(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .update_group(
                ctx.caller.principal.account_id(),
                &self.name,
                self.new_name,
                self.new_path,
            )
            .await?;
        Ok(None)
    }
}

pub struct DeleteGroup {
    name: String,
}

#[async_trait]
impl Operation for DeleteGroup {
    const ACTION: Action = Action::DeleteGroup;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = required_group(&mut v, params);
        v.finish()?;
        Ok(Self { name })
    }

    fn resource(&self, caller: &Caller) -> String {
        group_resource(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .delete_group(ctx.caller.principal.account_id(), &self.name)
            .await?;
        Ok(None)
    }
}

/// A group and a user, as AddUserToGroup and RemoveUserFromGroup name them.
pub struct Membership {
    group: String,
    user: String,
}

impl Membership {
    fn parse(params: &Params) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let group = required_group(&mut v, params);
        let user = v.required(params, "UserName", &EXISTING_USER_NAME);
        v.finish()?;
        Ok(Self {
            group,
            user: user.unwrap_or_default(),
        })
    }
}

pub struct AddUserToGroup(Membership);

#[async_trait]
impl Operation for AddUserToGroup {
    const ACTION: Action = Action::AddUserToGroup;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Membership::parse(params).map(Self)
    }

    fn resource(&self, caller: &Caller) -> String {
        group_resource(caller, &self.0.group)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .add_user_to_group(ctx.caller.principal.account_id(), &self.0.group, &self.0.user, ctx.now)
            .await?;
        Ok(None)
    }
}

pub struct RemoveUserFromGroup(Membership);

#[async_trait]
impl Operation for RemoveUserFromGroup {
    const ACTION: Action = Action::RemoveUserFromGroup;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Membership::parse(params).map(Self)
    }

    fn resource(&self, caller: &Caller) -> String {
        group_resource(caller, &self.0.group)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .remove_user_from_group(ctx.caller.principal.account_id(), &self.0.group, &self.0.user)
            .await?;
        Ok(None)
    }
}

pub struct ListGroupsForUser {
    user: String,
    paging: Paging,
}

#[async_trait]
impl Operation for ListGroupsForUser {
    const ACTION: Action = Action::ListGroupsForUser;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let user = v.required(params, "UserName", &EXISTING_USER_NAME);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self {
            user: user.unwrap_or_default(),
            paging,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &Target::UserNamed(self.user.clone()))
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListGroupsForUser")?;
        let page = ctx
            .state
            .store
            .groups_for_user(ctx.caller.principal.account_id(), &self.user, request)
            .await?;
        Ok(Some(write_groups(ctx, "ListGroupsForUser", &page.items, page.more)))
    }
}
