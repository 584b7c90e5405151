//! The authorization step every action passes through (`iam-mfa.md` §3), between validation
//! and the operation itself.
//!
//! Root may do everything in its own account and is never subject to identity policies. An
//! IAM user's identity policies decide for it, a role session's the role's; no policies are
//! evaluated yet, so the account boundary is the only rule applied to them for now.

use super::action::Action;
use super::caller::Caller;
use crate::domain::PrincipalIdentity;
use crate::wire::{ApiError, ErrorCode};

/// What the decision can depend on beyond the principal, action and resource.
#[derive(Debug, Default)]
pub struct RequestContext {
    /// The account that owns the resource acted upon.
    pub resource_account: Option<String>,
}

pub fn authorize(caller: &Caller, action: Action, resource: &str, context: &RequestContext) -> Result<(), ApiError> {
    let own_account = context
        .resource_account
        .as_deref()
        .is_none_or(|account| account == caller.principal.account_id().as_str());
    let allowed = match &caller.principal {
        PrincipalIdentity::Root { .. } | PrincipalIdentity::User { .. } | PrincipalIdentity::AssumedRole { .. } => {
            own_account
        }
    };
    if allowed {
        Ok(())
    } else {
        let action = action.policy_name();
        Err(ApiError::new(
            ErrorCode::AccessDenied,
            format!(
                "User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
                caller.principal.arn()
            ),
        ))
    }
}
