//! AssumeRole (`sts.md` §6; shapes and errors from botocore, behaviour as AWS documents it):
//! role-session credentials for a role whose trust policy admits the caller, with the MFA
//! proof checked exactly as GetSessionToken checks it.
//!
//! Session policies (`Policy`, `PolicyArns`), session tags (`Tags`, `TransitiveTagKeys`),
//! `SourceIdentity` and `ProvidedContexts` are refused with `ValidationError`, so
//! `PackedPolicySize` and `SourceIdentity` never appear in the answer.

use super::credentials;
use super::mfa_proof::{MfaParams, MfaProof};
use crate::api::action::Action;
use crate::api::authorize;
use crate::api::trust::may_assume;
use crate::api::{Caller, Credential, Ctx, Operation};
use crate::domain::session::assume_role_duration;
use crate::domain::{AccountId, PrincipalIdentity, Role};
use crate::store::SessionHolder;
use crate::wire::shapes::{EXTERNAL_ID, ROLE_DURATION, ROLE_SESSION_NAME, STS_ARN};
use crate::wire::validate::Validator;
use crate::wire::xml::Xml;
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

/// Parameters Tessera does not implement; refused rather than silently ignored.
const UNSUPPORTED: [&str; 6] = [
    "Policy",
    "PolicyArns",
    "Tags",
    "TransitiveTagKeys",
    "SourceIdentity",
    "ProvidedContexts",
];

pub struct AssumeRole {
    role_arn: String,
    session_name: String,
    duration: Option<i64>,
    external_id: Option<String>,
    mfa: Option<MfaProof>,
}

#[async_trait]
impl Operation for AssumeRole {
    const ACTION: Action = Action::AssumeRole;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let role_arn = v.required(params, "RoleArn", &STS_ARN);
        let session_name = v.required(params, "RoleSessionName", &ROLE_SESSION_NAME);
        let duration = v.optional_int(params, "DurationSeconds", &ROLE_DURATION);
        let external_id = v.optional(params, "ExternalId", &EXTERNAL_ID);
        let mfa = MfaParams::parse(&mut v, params);
        v.finish()?;
        if let Some(name) = UNSUPPORTED.into_iter().find(|name| params.mentions(name)) {
            return Err(ApiError::new(
                ErrorCode::ValidationError,
                format!("The {name} parameter of AssumeRole is not supported by this service."),
            ));
        }
        Ok(Self {
            role_arn: role_arn.unwrap_or_default(),
            session_name: session_name.unwrap_or_default(),
            duration,
            external_id,
            mfa: mfa.proof()?,
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        self.role_arn.clone()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let caller = &ctx.caller;
        if matches!(caller.principal, PrincipalIdentity::Root { .. }) {
            return Err(ApiError::new(
                ErrorCode::AccessDenied,
                "Roles may not be assumed by root accounts.",
            ));
        }
        // An unknown role answers like a refusal, so callers cannot probe which roles exist.
        let denied = || {
            ApiError::new(
                ErrorCode::AccessDenied,
                format!(
                    "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
                    caller.principal.arn(),
                    self.role_arn
                ),
            )
        };
        let role = find_role(ctx, &self.role_arn).await?.ok_or_else(denied)?;
        let proven = match self.mfa {
            Some(proof) => Some(proof.verify(ctx).await?),
            None => None,
        };
        let mut context = authorize::request_context(ctx);
        // A code checked with this request is fresh MFA for the trust decision [AWS].
        if proven.is_some() {
            context.insert("aws:MultiFactorAuthPresent", "true");
            context.insert("aws:MultiFactorAuthAge", "0");
        }
        context.insert("sts:RoleSessionName", self.session_name.as_str());
        if let Some(external_id) = &self.external_id {
            context.insert("sts:ExternalId", external_id.as_str());
        }
        if !may_assume(ctx, &role, &context).await? {
            return Err(denied());
        }
        let chained = caller.credential == Credential::RoleSession;
        let duration = assume_role_duration(self.duration, role.max_session_duration, chained)
            .map_err(|e| ApiError::new(ErrorCode::ValidationError, e.to_string()))?;
        let holder = SessionHolder::Role {
            id: role.id.clone(),
            session_name: self.session_name.clone(),
            region: caller.region.clone(),
        };
        let expires_at = ctx.now + time::Duration::seconds(duration);
        // The session stores the MFA check for its audit records (`mfaAuthenticated`,
        // `cloudtrail.md` §2.2) only: role sessions bring no MFA context to authorization
        // (`Credential::RoleSession`, `sts.md` §6).
        let issued = credentials::issue(ctx, holder, expires_at, proven)
            .await
            .map_err(|error| match error.code {
                // Deleted while being assumed: as unknown as any other missing role.
                ErrorCode::NoSuchEntity => denied(),
                _ => error,
            })?;
        let session = PrincipalIdentity::AssumedRole {
            role,
            session_name: self.session_name,
        };
        let mut xml = Xml::new();
        issued.write(&mut xml);
        xml.node("AssumedRoleUser", |xml| {
            xml.leaf("AssumedRoleId", &session.user_id())
                .leaf("Arn", &session.arn());
        });
        Ok(Some(xml))
    }
}

/// The role an ARN names (`arn:aws:iam::ACCOUNT:role/PATH/NAME`), if it exists with that path.
async fn find_role(ctx: &Ctx<'_>, arn: &str) -> Result<Option<Role>, ApiError> {
    let Some((account, rest)) = arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split_once(":role/"))
    else {
        return Ok(None);
    };
    let Some(account) = AccountId::parse(account) else {
        return Ok(None);
    };
    let (path, name) = match rest.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_owned(), rest),
    };
    let role = ctx.state.store.role_by_name(&account, name).await?;
    Ok(role.filter(|role| role.path == path))
}
