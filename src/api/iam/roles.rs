//! CreateRole, GetRole, ListRoles, UpdateRole, UpdateAssumeRolePolicy, DeleteRole (shapes from
//! botocore, behaviour as AWS documents it). The trust policy is stored exactly as received and
//! answered URL-encoded.

use super::{Paging, encoded_document, no_boundary_policy, parse_tags, write_tags};
use crate::api::action::Action;
use crate::api::errors::internal;
use crate::api::trust::check_document;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::{Role, RoleId, Tag, role_arn};
use crate::store::{Entity, IamError, NewRole, RoleUpdate};
use crate::wire::shapes::{
    ARN, PATH, PATH_PREFIX, POLICY_DOCUMENT, ROLE_DESCRIPTION, ROLE_MAX_SESSION_DURATION, ROLE_NAME,
};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, Params};
use async_trait::async_trait;

/// AWS's default for `MaxSessionDuration`.
const DEFAULT_MAX_SESSION_DURATION: i64 = 3600;

/// The ARN a named role is evaluated as; its path is unknown before the lookup.
pub fn named_role_arn(caller: &Caller, name: &str) -> String {
    role_arn(caller.principal.account_id(), "/", name)
}

/// Which members of the `Role` structure an operation answers [AWS].
#[derive(Clone, Copy, PartialEq, Eq)]
enum RoleView {
    /// GetRole: everything, `RoleLastUsed` included (empty until first use).
    Full,
    /// CreateRole: no `RoleLastUsed` yet.
    Created,
    /// ListRoles: no `Tags`, no `RoleLastUsed`.
    Listed,
}

fn write_role(xml: &mut Xml, role: &Role, view: RoleView) {
    xml.leaf("Path", &role.path)
        .leaf("RoleName", &role.name)
        .leaf("RoleId", role.id.as_str())
        .leaf("Arn", &role.arn())
        .leaf("CreateDate", &timestamp(role.created_at))
        .leaf("AssumeRolePolicyDocument", &encoded_document(&role.trust_policy))
        .leaf_opt("Description", role.description.as_deref())
        .leaf("MaxSessionDuration", &role.max_session_duration.to_string());
    if view != RoleView::Listed && !role.tags.is_empty() {
        write_tags(xml, &role.tags);
    }
    if view == RoleView::Full {
        xml.node("RoleLastUsed", |xml| {
            if let Some(used) = &role.last_used {
                xml.leaf("LastUsedDate", &timestamp(used.at))
                    .leaf("Region", &used.region);
            }
        });
    }
}

/// `RoleName`, required by every role operation.
pub fn parse_role_name(v: &mut Validator, params: &Params) -> String {
    v.required(params, "RoleName", &ROLE_NAME).unwrap_or_default()
}

pub async fn require_role(ctx: &Ctx<'_>, name: &str) -> Result<Role, ApiError> {
    let role = ctx
        .state
        .store
        .role_by_name(ctx.caller.principal.account_id(), name)
        .await?;
    role.ok_or_else(|| IamError::NotFound(Entity::Role(name.to_owned())).into())
}

pub struct CreateRole {
    name: String,
    path: String,
    trust_policy: String,
    description: Option<String>,
    max_session_duration: i64,
    tags: Vec<Tag>,
}

#[async_trait]
impl Operation for CreateRole {
    const ACTION: Action = Action::CreateRole;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let path = v.optional(params, "Path", &PATH);
        let name = parse_role_name(&mut v, params);
        let trust_policy = v.required(params, "AssumeRolePolicyDocument", &POLICY_DOCUMENT);
        let description = v.optional(params, "Description", &ROLE_DESCRIPTION);
        let max_session_duration = v.optional_int(params, "MaxSessionDuration", &ROLE_MAX_SESSION_DURATION);
        let boundary = v.optional(params, "PermissionsBoundary", &ARN);
        let tags = parse_tags(&mut v, params, false)?;
        v.finish()?;
        if boundary.is_some() {
            return Err(no_boundary_policy());
        }
        let trust_policy = trust_policy.unwrap_or_default();
        check_document(&trust_policy)?;
        Ok(Self {
            name,
            path: path.unwrap_or_else(|| "/".into()),
            trust_policy,
            description,
            max_session_duration: max_session_duration.unwrap_or(DEFAULT_MAX_SESSION_DURATION),
            tags,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        role_arn(caller.principal.account_id(), &self.path, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let role = NewRole {
            id: RoleId::generate().map_err(internal)?,
            name: self.name,
            path: self.path,
            trust_policy: self.trust_policy,
            description: self.description,
            max_session_duration: self.max_session_duration,
            tags: self.tags,
            now: ctx.now,
        };
        let role = ctx
            .state
            .store
            .create_role(ctx.caller.principal.account_id(), role)
            .await?;
        let mut xml = Xml::new();
        xml.node("Role", |xml| write_role(xml, &role, RoleView::Created));
        Ok(Some(xml))
    }
}

pub struct GetRole {
    name: String,
}

#[async_trait]
impl Operation for GetRole {
    const ACTION: Action = Action::GetRole;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = parse_role_name(&mut v, params);
        v.finish()?;
        Ok(Self { name })
    }

    fn resource(&self, caller: &Caller) -> String {
        named_role_arn(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let role = require_role(ctx, &self.name).await?;
        let mut xml = Xml::new();
        xml.node("Role", |xml| write_role(xml, &role, RoleView::Full));
        Ok(Some(xml))
    }
}

pub struct ListRoles {
    path_prefix: String,
    paging: Paging,
}

#[async_trait]
impl Operation for ListRoles {
    const ACTION: Action = Action::ListRoles;

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
        role_arn(caller.principal.account_id(), &self.path_prefix, "")
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListRoles")?;
        let page = ctx
            .state
            .store
            .list_roles(ctx.caller.principal.account_id(), &self.path_prefix, request)
            .await?;
        let mut xml = Xml::new();
        xml.list("Roles", &page.items, |xml, role| {
            write_role(xml, role, RoleView::Listed)
        });
        let last = page.items.last().map(|r| r.name.to_lowercase());
        Paging::write(ctx, "ListRoles", &mut xml, page.more, last.as_deref());
        Ok(Some(xml))
    }
}

pub struct UpdateRole {
    name: String,
    update: RoleUpdate,
}

#[async_trait]
impl Operation for UpdateRole {
    const ACTION: Action = Action::UpdateRole;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = parse_role_name(&mut v, params);
        let description = v.optional(params, "Description", &ROLE_DESCRIPTION);
        let max_session_duration = v.optional_int(params, "MaxSessionDuration", &ROLE_MAX_SESSION_DURATION);
        v.finish()?;
        Ok(Self {
            name,
            update: RoleUpdate {
                description,
                max_session_duration,
            },
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        named_role_arn(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .update_role(ctx.caller.principal.account_id(), &self.name, self.update)
            .await?;
        // UpdateRole has an output shape with no members [botocore].
        Ok(Some(Xml::new()))
    }
}

pub struct UpdateAssumeRolePolicy {
    name: String,
    document: String,
}

#[async_trait]
impl Operation for UpdateAssumeRolePolicy {
    const ACTION: Action = Action::UpdateAssumeRolePolicy;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = parse_role_name(&mut v, params);
        let document = v.required(params, "PolicyDocument", &POLICY_DOCUMENT);
        v.finish()?;
        let document = document.unwrap_or_default();
        check_document(&document)?;
        Ok(Self { name, document })
    }

    fn resource(&self, caller: &Caller) -> String {
        named_role_arn(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .update_trust_policy(ctx.caller.principal.account_id(), &self.name, self.document)
            .await?;
        Ok(None)
    }
}

pub struct DeleteRole {
    name: String,
}

#[async_trait]
impl Operation for DeleteRole {
    const ACTION: Action = Action::DeleteRole;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = parse_role_name(&mut v, params);
        v.finish()?;
        Ok(Self { name })
    }

    fn resource(&self, caller: &Caller) -> String {
        named_role_arn(caller, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .delete_role(ctx.caller.principal.account_id(), &self.name)
            .await?;
        Ok(None)
    }
}
