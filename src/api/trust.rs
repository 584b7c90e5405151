//! Role trust policies: checking a document when it is written (CreateRole,
//! UpdateAssumeRolePolicy) and deciding `sts:AssumeRole` with it and the caller's own
//! identity policies.

use super::Ctx;
use super::authorize;
use crate::domain::Role;
use crate::policy::{self, Context, Decision, PolicyKind, Request, TrustDecision, TrustPrincipal};
use crate::wire::{ApiError, ErrorCode};

/// AWS counts a trust policy's size without whitespace (`AssumeRolePolicySizeQuota`).
const TRUST_POLICY_MAX_CHARS: usize = 2048;

/// A trust policy as written to a role: size within the quota, and a valid trust policy.
pub fn check_document(text: &str) -> Result<(), ApiError> {
    if policy::size_without_whitespace(text) > TRUST_POLICY_MAX_CHARS {
        return Err(ApiError::new(
            ErrorCode::LimitExceeded,
            "Cannot exceed quota for ACLSizePerRole: 2048",
        ));
    }
    policy::parse(text, PolicyKind::Trust)
        .map(|_| ())
        .map_err(|error| ApiError::new(ErrorCode::MalformedPolicyDocument, error.message()))
}

/// Whether the caller may assume `role`, given the request context of this AssumeRole call.
///
/// The trust policy must allow the caller. When it names the caller (or `*`), that is enough
/// within the account; when it only trusts the account, the caller's identity policies must
/// allow `sts:AssumeRole` on the role as well. An explicit deny in either always wins [AWS].
pub async fn may_assume(ctx: &Ctx<'_>, role: &Role, context: &Context) -> Result<bool, ApiError> {
    let role_arn = role.arn();
    let request = Request {
        action: "sts:AssumeRole",
        resource: &role_arn,
        context,
    };
    let trust = match policy::parse(&role.trust_policy, PolicyKind::Trust) {
        Ok(trust) => trust,
        // Validated when written; a document that no longer parses admits nobody.
        Err(error) => {
            tracing::error!(%error, "a stored trust policy no longer parses; refusing AssumeRole");
            return Ok(false);
        }
    };
    let principal_arn = ctx.caller.principal.arn();
    let principal = TrustPrincipal {
        account_id: ctx.caller.principal.account_id().as_str(),
        arn: &principal_arn,
    };
    let identity = authorize::decide(ctx, "sts:AssumeRole", &role_arn, context).await?;
    let same_account = ctx.caller.principal.account_id() == &role.account_id;
    Ok(match (policy::decide_trust(&trust, &principal, &request), identity) {
        (_, Decision::ExplicitDeny) => false,
        (TrustDecision::Allow { names_principal: true }, _) if same_account => true,
        (TrustDecision::Allow { .. }, Decision::Allow) => true,
        _ => false,
    })
}
