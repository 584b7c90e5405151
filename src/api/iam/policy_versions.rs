//! CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
//! SetDefaultPolicyVersion.

use super::Paging;
use super::managed_policies::{parse_policy_arn, refuse_aws_managed};
use super::policy_documents::{DocumentKind, encode_document, validate_policy_document};
use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::{PolicyArn, PolicyVersion, parse_version_id, version_id};
use crate::wire::shapes::{POLICY_DOCUMENT, POLICY_VERSION_ID};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

/// The `PolicyVersion` structure; only GetPolicyVersion carries the document.
fn write_version(xml: &mut Xml, version: &PolicyVersion, with_document: bool) {
    if with_document {
        xml.leaf("Document", &encode_document(&version.document));
    }
    xml.leaf("VersionId", &version_id(version.version))
        .leaf("IsDefaultVersion", if version.is_default { "true" } else { "false" })
        .leaf("CreateDate", &timestamp(version.created_at));
}

/// A policy ARN and a `VersionId`; a well-formed ID no version ever has is not found.
struct VersionRef {
    arn: PolicyArn,
    version_text: String,
}

impl VersionRef {
    fn parse(params: &Params) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let version_text = v.required(params, "VersionId", &POLICY_VERSION_ID).unwrap_or_default();
        let arn = parse_policy_arn(v, params)?;
        Ok(Self { arn, version_text })
    }

    fn version(&self) -> Result<i64, ApiError> {
        parse_version_id(&self.version_text).ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoSuchEntity,
                format!(
                    "Policy {} version {} does not exist or is not attachable.",
                    self.arn.render(),
                    self.version_text
                ),
            )
        })
    }
}

pub struct CreatePolicyVersion {
    arn: PolicyArn,
    document: String,
    set_as_default: bool,
}

#[async_trait]
impl Operation for CreatePolicyVersion {
    const ACTION: Action = Action::CreatePolicyVersion;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let document = v
            .required(params, "PolicyDocument", &POLICY_DOCUMENT)
            .unwrap_or_default();
        let set_as_default = v.optional_bool(params, "SetAsDefault").unwrap_or(false);
        let arn = parse_policy_arn(v, params)?;
        Ok(Self {
            arn,
            document,
            set_as_default,
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        self.arn.render()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        refuse_aws_managed(ctx, Self::ACTION, &self.arn)?;
        validate_policy_document(&self.document, DocumentKind::Managed)?;
        let version = ctx
            .state
            .store
            .create_policy_version(
                ctx.caller.principal.account_id(),
                &self.arn,
                &self.document,
                self.set_as_default,
                ctx.now,
            )
            .await?;
        let mut xml = Xml::new();
        xml.node("PolicyVersion", |xml| write_version(xml, &version, false));
        Ok(Some(xml))
    }
}

pub struct GetPolicyVersion(VersionRef);

#[async_trait]
impl Operation for GetPolicyVersion {
    const ACTION: Action = Action::GetPolicyVersion;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        VersionRef::parse(params).map(Self)
    }

    fn resource(&self, _caller: &Caller) -> String {
        self.0.arn.render()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let version = ctx
            .state
            .store
            .policy_version(ctx.caller.principal.account_id(), &self.0.arn, self.0.version()?)
            .await?;
        let mut xml = Xml::new();
        xml.node("PolicyVersion", |xml| write_version(xml, &version, true));
        Ok(Some(xml))
    }
}

pub struct ListPolicyVersions {
    arn: PolicyArn,
    paging: Paging,
}

#[async_trait]
impl Operation for ListPolicyVersions {
    const ACTION: Action = Action::ListPolicyVersions;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let paging = Paging::parse(&mut v, params);
        let arn = parse_policy_arn(v, params)?;
        Ok(Self { arn, paging })
    }

    fn resource(&self, _caller: &Caller) -> String {
        self.arn.render()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let request = self.paging.request(ctx, "ListPolicyVersions")?;
        let versions = ctx
            .state
            .store
            .list_policy_versions(ctx.caller.principal.account_id(), &self.arn)
            .await?;
        // Newest first; the marker is the last version number returned.
        let after: Option<i64> = request.after.as_deref().and_then(|a| a.parse().ok());
        let rest: Vec<PolicyVersion> = versions
            .into_iter()
            .filter(|v| after.is_none_or(|after| v.version < after))
            .collect();
        let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
        let more = rest.len() > limit;
        let page: Vec<PolicyVersion> = rest.into_iter().take(limit).collect();
        let mut xml = Xml::new();
        xml.list("Versions", &page, |xml, version| write_version(xml, version, false));
        let last = page.last().map(|v| v.version.to_string());
        Paging::write(ctx, "ListPolicyVersions", &mut xml, more, last.as_deref());
        Ok(Some(xml))
    }
}

pub struct DeletePolicyVersion(VersionRef);

#[async_trait]
impl Operation for DeletePolicyVersion {
    const ACTION: Action = Action::DeletePolicyVersion;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        VersionRef::parse(params).map(Self)
    }

    fn resource(&self, _caller: &Caller) -> String {
        self.0.arn.render()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        refuse_aws_managed(ctx, Self::ACTION, &self.0.arn)?;
        ctx.state
            .store
            .delete_policy_version(ctx.caller.principal.account_id(), &self.0.arn, self.0.version()?)
            .await?;
        Ok(None)
    }
}

pub struct SetDefaultPolicyVersion(VersionRef);

#[async_trait]
impl Operation for SetDefaultPolicyVersion {
    const ACTION: Action = Action::SetDefaultPolicyVersion;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        VersionRef::parse(params).map(Self)
    }

    fn resource(&self, _caller: &Caller) -> String {
        self.0.arn.render()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        refuse_aws_managed(ctx, Self::ACTION, &self.0.arn)?;
        ctx.state
            .store
            .set_default_policy_version(ctx.caller.principal.account_id(), &self.0.arn, self.0.version()?)
            .await?;
        Ok(None)
    }
}
