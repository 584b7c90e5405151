//! Role trust policies: checking a document when it is written (CreateRole,
//! UpdateAssumeRolePolicy) and deciding `sts:AssumeRole` against it.
//!
//! The policy engine (`crate::policy`: `parse(text, PolicyKind::Trust)` and `decide_trust`)
//! plugs in here and nowhere else: [`check_document`] and [`trust_allows`] are the two calls
//! to wire to it. Until it is present, documents are checked as JSON objects and the decision
//! is the account boundary alone (any principal of the role's own account may assume it).

use super::caller::Caller;
use crate::domain::Role;
use crate::wire::{ApiError, ErrorCode};

/// AWS counts a trust policy's size without whitespace (`AssumeRolePolicySizeQuota`).
const TRUST_POLICY_MAX_CHARS: usize = 2048;

/// A trust policy as written to a role: size within the quota, and well-formed.
pub fn check_document(text: &str) -> Result<(), ApiError> {
    if text.chars().filter(|c| !c.is_whitespace()).count() > TRUST_POLICY_MAX_CHARS {
        return Err(ApiError::new(
            ErrorCode::LimitExceeded,
            "Cannot exceed quota for ACLSizePerRole: 2048",
        ));
    }
    // Policy engine: `crate::policy::parse(text, PolicyKind::Trust)`, its error → this code.
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(ApiError::new(
            ErrorCode::MalformedPolicyDocument,
            "This policy contains invalid Json",
        )),
    }
}

/// The request a trust policy decides: who asks to assume which role, with which context
/// keys (`aws:MultiFactorAuthPresent`, `aws:MultiFactorAuthAge`, `sts:ExternalId`, …).
pub struct TrustRequest<'a> {
    pub caller: &'a Caller,
    pub role: &'a Role,
    #[expect(
        dead_code,
        reason = "read by the policy engine's decide_trust, wired in trust_allows"
    )]
    pub context: Vec<(&'static str, String)>,
}

/// Whether the role's trust policy lets the caller assume it.
///
/// Policy engine: `decide_trust(&parse(&role.trust_policy, PolicyKind::Trust)?,
/// &TrustPrincipal { account_id, arn }, &Request { action: "sts:AssumeRole", resource:
/// role ARN, context })` → `Allow { .. }` is true, `ExplicitDeny` / `ImplicitDeny` false.
pub fn trust_allows(request: &TrustRequest<'_>) -> bool {
    request.caller.principal.account_id() == &request.role.account_id
}
