//! Role trust policies (`sts.md` §6): who may assume a role, decided with the same action and
//! condition machinery as identity policies.
//!
//! AWS principals are written as `*`, an account ID (meaning `arn:aws:iam::ID:root`), or the
//! ARN of an account root, user, role, assumed-role session or federated user. A role ARN also
//! names every session of that role (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`).
//! Naming an account delegates to the account: AWS then also requires the caller's own identity
//! policies to allow the action, which is why [`TrustDecision::Allow`] says how the caller was
//! matched.

use super::eval::{Request, applies};
use super::json::Json;
use super::parse::{Effect, strings};
use super::{Policy, PolicyError};

/// The principal asking to assume the role.
#[derive(Clone, Copy, Debug)]
pub struct TrustPrincipal<'a> {
    pub account_id: &'a str,
    /// The caller's ARN: `…:root`, `…:user/…`, `…:role/…` or `…:assumed-role/ROLE/SESSION`.
    pub arn: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustDecision {
    /// `names_principal`: an allowing statement names the caller (its ARN, its role, or `*`).
    /// `false` when only its account was named: the caller's identity policies must then also
    /// allow the action (AWS's same-account delegation rule, applied by the caller).
    Allow {
        names_principal: bool,
    },
    ExplicitDeny,
    ImplicitDeny,
}

/// A statement's `Principal`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Principals {
    aws: Vec<AwsPrincipal>,
    /// `Service` and `Federated` values: validated and kept, but IAM callers never match them.
    others: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum AwsPrincipal {
    Everyone,
    Account(String),
    Arn(String),
}

/// How a principal entry matched the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Match {
    Named,
    ThroughAccount,
}

impl Principals {
    pub(super) fn parse(json: &Json) -> Result<Self, PolicyError> {
        let members = match json {
            Json::String(star) if star == "*" => {
                return Ok(Self {
                    aws: vec![AwsPrincipal::Everyone],
                    others: vec![],
                });
            }
            Json::String(other) => return Err(invalid_principal(None, other)),
            Json::Object(members) if !members.is_empty() => members,
            _ => return Err(PolicyError::syntax()),
        };
        let mut principals = Self::default();
        for (kind, values) in members {
            let values = strings(values).ok_or_else(PolicyError::syntax)?;
            for value in values {
                match kind.as_str() {
                    "AWS" => principals
                        .aws
                        .push(aws_principal(value).ok_or_else(|| invalid_principal(Some(kind), value))?),
                    "Service" | "Federated" if !value.is_empty() && !value.contains(char::is_whitespace) => {
                        principals.others.push(value.to_owned());
                    }
                    _ => return Err(invalid_principal(Some(kind), value)),
                }
            }
        }
        Ok(principals)
    }

    /// The strongest way any entry matches the caller.
    fn best_match(&self, caller: &TrustPrincipal<'_>) -> Option<Match> {
        let mut best = None;
        for principal in &self.aws {
            match principal.matches(caller) {
                Some(Match::Named) => return Some(Match::Named),
                Some(Match::ThroughAccount) => best = Some(Match::ThroughAccount),
                None => {}
            }
        }
        best
    }
}

/// AWS's message quotes the offending entry: `Invalid principal in policy: "AWS":"x"`.
fn invalid_principal(kind: Option<&str>, value: &str) -> PolicyError {
    match kind {
        Some(kind) => PolicyError::new(format!("Invalid principal in policy: \"{kind}\":\"{value}\"")),
        None => PolicyError::new(format!("Invalid principal in policy: \"{value}\"")),
    }
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// An `AWS` principal value. Wildcards are allowed only as the whole value `*` (AWS).
fn aws_principal(value: &str) -> Option<AwsPrincipal> {
    if value == "*" {
        return Some(AwsPrincipal::Everyone);
    }
    if is_account_id(value) {
        return Some(AwsPrincipal::Account(value.to_owned()));
    }
    if value.contains(['*', '?']) {
        return None;
    }
    let mut parts = value.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if partition.is_empty() || !is_account_id(account) {
        return None;
    }
    let named = |prefix: &str| {
        resource
            .strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && !rest.ends_with('/'))
    };
    match service {
        "iam" if resource == "root" => Some(AwsPrincipal::Account(account.to_owned())),
        "iam" if named("user/") || named("role/") => Some(AwsPrincipal::Arn(value.to_owned())),
        "sts" if named("federated-user/") => Some(AwsPrincipal::Arn(value.to_owned())),
        "sts"
            if resource.strip_prefix("assumed-role/").is_some_and(|rest| {
                rest.split_once('/')
                    .is_some_and(|(role, session)| !role.is_empty() && !session.is_empty())
            }) =>
        {
            Some(AwsPrincipal::Arn(value.to_owned()))
        }
        _ => None,
    }
}

impl AwsPrincipal {
    fn matches(&self, caller: &TrustPrincipal<'_>) -> Option<Match> {
        match self {
            Self::Everyone => Some(Match::Named),
            Self::Account(account) if account == caller.account_id => {
                // The account root itself is named by its own ARN.
                let is_root = caller
                    .arn
                    .strip_suffix(":root")
                    .is_some_and(|p| p.ends_with(account.as_str()));
                Some(if is_root { Match::Named } else { Match::ThroughAccount })
            }
            Self::Account(_) => None,
            Self::Arn(arn) if arn == caller.arn || role_of_session(caller.arn, arn) => Some(Match::Named),
            Self::Arn(_) => None,
        }
    }
}

/// Whether `session` (`arn:P:sts::ACCT:assumed-role/ROLE/SESSION`) is a session of `role`
/// (`arn:P:iam::ACCT:role/PATH/ROLE`): sessions carry the role's name but not its path.
fn role_of_session(session: &str, role: &str) -> bool {
    let split = |arn: &str, service: &str| {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(s), Some(""), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        (s == service).then(|| (partition.to_owned(), account.to_owned(), resource.to_owned()))
    };
    let (Some((p1, a1, session_resource)), Some((p2, a2, role_resource))) = (split(session, "sts"), split(role, "iam"))
    else {
        return false;
    };
    let session_role = session_resource
        .strip_prefix("assumed-role/")
        .and_then(|rest| rest.split_once('/'))
        .map(|(role, _)| role);
    let role_name = role_resource
        .strip_prefix("role/")
        .and_then(|path| path.rsplit('/').next());
    p1 == p2 && a1 == a2 && session_role.is_some() && session_role == role_name
}

/// Evaluates a role's trust policy for `principal`; `request.action` is the STS action
/// (`sts:AssumeRole`), `request.context` carries the MFA keys of `sts.md` §6. The request's
/// resource is not used: trust policies have no `Resource`.
pub fn decide_trust(policy: &Policy, principal: &TrustPrincipal<'_>, request: &Request<'_>) -> TrustDecision {
    let mut allowed: Option<Match> = None;
    for statement in &policy.statements {
        let Some(matched) = statement.principals.as_ref().and_then(|p| p.best_match(principal)) else {
            continue;
        };
        if !applies(statement, request) {
            continue;
        }
        match statement.effect {
            Effect::Deny => return TrustDecision::ExplicitDeny,
            Effect::Allow if allowed != Some(Match::Named) => allowed = Some(matched),
            Effect::Allow => {}
        }
    }
    match allowed {
        Some(matched) => TrustDecision::Allow {
            names_principal: matched == Match::Named,
        },
        None => TrustDecision::ImplicitDeny,
    }
}

#[cfg(test)]
mod tests;
