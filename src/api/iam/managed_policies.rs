//! CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, and what the policy-version and
//! attachment operations share: naming a policy by ARN and refusing changes to AWS's own.

use super::policy_documents::{DocumentKind, validate_policy_document};
use super::{Paging, parse_tags, write_tags};
use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::{ManagedPolicy, PolicyArn, PolicyId, Tag, policy_arn, version_id};
use crate::store::{NewPolicy, PolicyFilter, PolicyScope, policy_sort_key};
use crate::wire::shapes::{
    ARN, POLICY_DESCRIPTION, POLICY_DOCUMENT, POLICY_NAME, POLICY_PATH, POLICY_SCOPE, POLICY_USAGE,
};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

/// The required `PolicyArn` member, checked against the ARN shape, then taken apart.
pub fn parse_policy_arn(v: Validator, params: &Params) -> Result<PolicyArn, ApiError> {
    let mut v = v;
    let text = v.required(params, "PolicyArn", &ARN);
    v.finish()?;
    let text = text.unwrap_or_default();
    PolicyArn::parse(&text).ok_or_else(|| ApiError::new(ErrorCode::InvalidInput, format!("ARN {text} is not valid.")))
}

/// AWS's managed policies belong to AWS: changing one is denied whoever asks [AWS].
pub fn refuse_aws_managed(ctx: &Ctx<'_>, action: Action, arn: &PolicyArn) -> Result<(), ApiError> {
    if !arn.is_aws_managed() {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::AccessDenied,
        format!(
            "User: {} is not authorized to perform: {} on resource: policy {}",
            ctx.caller.principal.arn(),
            action.policy_name(),
            arn.render()
        ),
    ))
}

/// The `Policy` structure; listings leave out `Description` and `Tags` [AWS].
fn write_policy(xml: &mut Xml, policy: &ManagedPolicy, full: bool) {
    xml.leaf("PolicyName", &policy.name)
        .leaf("PolicyId", &policy.id)
        .leaf("Arn", &policy.arn)
        .leaf("Path", &policy.path)
        .leaf("DefaultVersionId", &version_id(policy.default_version))
        .leaf("AttachmentCount", &policy.attachment_count.to_string())
        .leaf("PermissionsBoundaryUsageCount", "0")
        .leaf("IsAttachable", "true");
    if full {
        xml.leaf_opt("Description", policy.description.as_deref());
    }
    xml.leaf("CreateDate", &timestamp(policy.created_at))
        .leaf("UpdateDate", &timestamp(policy.updated_at));
    if full && !policy.tags.is_empty() {
        write_tags(xml, &policy.tags);
    }
}

pub struct CreatePolicy {
    name: String,
    path: String,
    document: String,
    description: Option<String>,
    tags: Vec<Tag>,
}

#[async_trait]
impl Operation for CreatePolicy {
    const ACTION: Action = Action::CreatePolicy;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "PolicyName", &POLICY_NAME);
        let path = v.optional(params, "Path", &POLICY_PATH);
        let document = v.required(params, "PolicyDocument", &POLICY_DOCUMENT);
        let description = v.optional(params, "Description", &POLICY_DESCRIPTION);
        let tags = parse_tags(&mut v, params, false)?;
        v.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            path: path.unwrap_or_else(|| "/".into()),
            document: document.unwrap_or_default(),
            description,
            tags,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        policy_arn(caller.principal.account_id().as_str(), &self.path, &self.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        validate_policy_document(&self.document, DocumentKind::Managed)?;
        let policy = NewPolicy {
            id: PolicyId::generate().map_err(crate::api::errors::internal)?,
            name: self.name,
            path: self.path,
            description: self.description,
            document: self.document,
            tags: self.tags,
            now: ctx.now,
        };
        let policy = ctx
            .state
            .store
            .create_policy(ctx.caller.principal.account_id(), policy)
            .await?;
        let mut xml = Xml::new();
        xml.node("Policy", |xml| write_policy(xml, &policy, true));
        Ok(Some(xml))
    }
}

pub struct GetPolicy {
    arn: PolicyArn,
}

#[async_trait]
impl Operation for GetPolicy {
    const ACTION: Action = Action::GetPolicy;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Ok(Self {
            arn: parse_policy_arn(Validator::new(), params)?,
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        self.arn.render()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let policy = ctx
            .state
            .store
            .policy(ctx.caller.principal.account_id(), &self.arn)
            .await?;
        let mut xml = Xml::new();
        xml.node("Policy", |xml| write_policy(xml, &policy, true));
        Ok(Some(xml))
    }
}

pub struct ListPolicies {
    filter: PolicyFilter,
    /// `PolicyUsageFilter=PermissionsBoundary`: no policy serves as a boundary here.
    boundaries_only: bool,
    paging: Paging,
}

#[async_trait]
impl Operation for ListPolicies {
    const ACTION: Action = Action::ListPolicies;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let scope = v.optional_enum(params, "Scope", &POLICY_SCOPE);
        let only_attached = v.optional_bool(params, "OnlyAttached");
        let path_prefix = v.optional(params, "PathPrefix", &POLICY_PATH);
        let usage = v.optional_enum(params, "PolicyUsageFilter", &POLICY_USAGE);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        let scope = match scope.as_deref() {
            Some("AWS") => PolicyScope::Aws,
            Some("Local") => PolicyScope::Local,
            _ => PolicyScope::All,
        };
        Ok(Self {
            filter: PolicyFilter {
                scope,
                only_attached: only_attached.unwrap_or(false),
                path_prefix: path_prefix.unwrap_or_else(|| "/".into()),
            },
            boundaries_only: usage.as_deref() == Some("PermissionsBoundary"),
            paging,
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListPolicies")?;
        let mut page = ctx
            .state
            .store
            .list_policies(ctx.caller.principal.account_id(), self.filter, request)
            .await?;
        if self.boundaries_only {
            page.items.clear();
            page.more = false;
        }
        let mut xml = Xml::new();
        xml.list("Policies", &page.items, |xml, policy| write_policy(xml, policy, false));
        let last = page.items.last().map(|p| policy_sort_key(&p.name, &p.arn));
        Paging::write(ctx, "ListPolicies", &mut xml, page.more, last.as_deref());
        Ok(Some(xml))
    }
}

pub struct DeletePolicy {
    arn: PolicyArn,
}

#[async_trait]
impl Operation for DeletePolicy {
    const ACTION: Action = Action::DeletePolicy;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Ok(Self {
            arn: parse_policy_arn(Validator::new(), params)?,
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        self.arn.render()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        refuse_aws_managed(ctx, Self::ACTION, &self.arn)?;
        ctx.state
            .store
            .delete_policy(ctx.caller.principal.account_id(), &self.arn)
            .await?;
        Ok(None)
    }
}
