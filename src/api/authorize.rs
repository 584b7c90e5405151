//! The authorization step every action passes through (`mfa-policy.md` §1, §5), between
//! validation and the operation itself. Root is never subject to identity policies; an IAM
//! user (or a role session) may do only what its identity policies allow: explicit deny, then
//! allow, else implicit deny.

use super::Ctx;
use super::action::Action;
use super::caller::{Caller, Credential};
use crate::domain::PrincipalIdentity;
use crate::policy::{self, Context, Decision, PolicyKind, Request};
use crate::store::PolicyPrincipal;
use crate::wire::{ApiError, ErrorCode};

/// Authorizes `action` on `resource` for the caller, or answers `AccessDenied`.
pub async fn authorize(ctx: &Ctx<'_>, action: Action, resource: &str) -> Result<(), ApiError> {
    if !action.needs_permission() {
        return Ok(());
    }
    let named = action.denial_names_resource().then_some(resource);
    let action = action.policy_name();
    let decision = decide(ctx, &action, resource, &request_context(ctx)).await?;
    ensure_allowed(&ctx.caller, &action, named, decision)
}

/// The identity-policy decision for the caller, without turning it into an answer (operations
/// that combine it with another policy, such as a role's trust policy, use this).
pub async fn decide(ctx: &Ctx<'_>, action: &str, resource: &str, context: &Context) -> Result<Decision, ApiError> {
    let principal = match &ctx.caller.principal {
        PrincipalIdentity::Root { .. } => return Ok(Decision::Allow),
        PrincipalIdentity::User { user } => PolicyPrincipal::User(user.id.clone()),
        // A role session acts with the role's policies.
        PrincipalIdentity::AssumedRole { role, .. } => PolicyPrincipal::Role(role.id.clone()),
    };
    let documents = ctx
        .state
        .store
        .identity_policies(ctx.caller.principal.account_id(), principal)
        .await?;
    let mut policies = Vec::with_capacity(documents.len());
    for document in &documents {
        match policy::parse(document, PolicyKind::Identity) {
            Ok(parsed) => policies.push(parsed),
            // Documents are validated when written, so this means stored data no longer parses
            // (e.g. after a downgrade). Fail closed: a policy that cannot be read may be a deny.
            Err(error) => {
                tracing::error!(%error, "a stored identity policy no longer parses; denying");
                return Ok(Decision::ExplicitDeny);
            }
        }
    }
    Ok(policy::decide(
        &policies,
        &Request {
            action,
            resource,
            context,
        },
    ))
}

/// `Ok` for an allow, else `AccessDenied` with AWS's wording (`iam-mfa.md` §3.7), naming
/// `resource` when there is one to name (`cloudtrail.md` §8.4).
pub fn ensure_allowed(
    caller: &Caller,
    action: &str,
    resource: Option<&str>,
    decision: Decision,
) -> Result<(), ApiError> {
    let reason = match decision {
        Decision::Allow => return Ok(()),
        Decision::ExplicitDeny => "with an explicit deny in an identity-based policy".to_owned(),
        Decision::ImplicitDeny => format!("because no identity-based policy allows the {action} action"),
    };
    let on = resource.map(|r| format!(" on resource: {r}")).unwrap_or_default();
    Err(ApiError::new(
        ErrorCode::AccessDenied,
        format!(
            "User: {} is not authorized to perform: {action}{on} {reason}",
            caller.principal.arn()
        ),
    ))
}

/// The request context keys of `mfa-policy.md` §4.3.
pub fn request_context(ctx: &Ctx<'_>) -> Context {
    let caller = &ctx.caller;
    let account = caller.principal.account_id().as_str();
    let mut context = Context::new();
    context.insert("aws:PrincipalAccount", account);
    context.insert("aws:userid", caller.principal.user_id());
    match &caller.principal {
        PrincipalIdentity::Root { .. } => {
            context.insert("aws:PrincipalType", "Account");
            context.insert("aws:PrincipalArn", caller.principal.arn());
        }
        PrincipalIdentity::User { user } => {
            context.insert("aws:PrincipalType", "User");
            context.insert("aws:PrincipalArn", caller.principal.arn());
            context.insert("aws:username", user.name.as_str());
        }
        // A role session's principal ARN is the role's, not the session's [AWS].
        PrincipalIdentity::AssumedRole { role, .. } => {
            context.insert("aws:PrincipalType", "AssumedRole");
            context.insert("aws:PrincipalArn", role.arn());
        }
    }
    // Absent for long-term keys, not false: "deny unless MFA" policies rely on the difference.
    // Role sessions carry no MFA context (`sts.md` §6).
    match &caller.credential {
        Credential::LongTerm => {}
        Credential::Session { mfa: Some(mfa) } => {
            context.insert("aws:MultiFactorAuthPresent", "true");
            let age = (ctx.now - mfa.authenticated_at).whole_seconds().max(0);
            context.insert("aws:MultiFactorAuthAge", age.to_string());
        }
        Credential::Session { mfa: None } | Credential::RoleSession => {
            context.insert("aws:MultiFactorAuthPresent", "false");
        }
    }
    context.insert("aws:CurrentTime", crate::wire::xml::timestamp(ctx.now));
    context.insert("aws:EpochTime", ctx.now.unix_timestamp().to_string());
    // Tessera serves plain HTTP; TLS, when used, ends at a proxy Tessera cannot vouch for.
    context.insert("aws:SecureTransport", "false");
    context.insert("aws:RequestedRegion", caller.region.as_str());
    if let Some(agent) = ctx.user_agent {
        context.insert("aws:UserAgent", agent);
    }
    context
}
