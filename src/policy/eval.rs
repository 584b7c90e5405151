//! Identity-policy evaluation (`mfa-policy.md` §5): every statement of every policy together;
//! an applying `Deny` wins, else an applying `Allow`, else the default deny.

use super::condition::Outcome;
use super::context::Context;
use super::parse::{Effect, Statement};
use super::{Policy, PolicyKind};

/// What is being asked: `action` as `service:Operation` (`iam:CreateUser`), `resource` the ARN
/// fixed per action (`iam-mfa.md` §3.5) or `*`.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// A `Deny` statement applies: nothing else can allow the request.
    ExplicitDeny,
    /// No statement allows the request.
    ImplicitDeny,
}

/// Evaluates identity policies. Trust policies grant nothing to identities and are skipped:
/// evaluate them with [`super::decide_trust`].
pub fn decide<'a>(policies: impl IntoIterator<Item = &'a Policy>, request: &Request<'_>) -> Decision {
    let mut allowed = false;
    let statements = policies
        .into_iter()
        .filter(|policy| policy.kind == PolicyKind::Identity)
        .flat_map(|policy| &policy.statements);
    for statement in statements {
        if applies(statement, request) {
            match statement.effect {
                Effect::Deny => return Decision::ExplicitDeny,
                Effect::Allow => allowed = true,
            }
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

/// Whether the statement's action, resource (if it has one) and condition all hold.
pub(super) fn applies(statement: &Statement, request: &Request<'_>) -> bool {
    if !statement.actions.covers(|pattern| pattern.matches(request.action)) {
        return false;
    }
    if let Some(resources) = &statement.resources
        && !resources.covers(|pattern| pattern.matches(request.resource, request.context))
    {
        return false;
    }
    match statement.condition.evaluate(request.context) {
        Outcome::True => true,
        Outcome::False => false,
        // Fail closed: what cannot be evaluated never allows and always denies.
        Outcome::Unknown => statement.effect == Effect::Deny,
    }
}
