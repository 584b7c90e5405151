//! Policy documents to statements, refusing what AWS refuses (`mfa-policy.md` §2).
//!
//! Messages are AWS's `MalformedPolicyDocument` texts where AWS has a specific one (e.g.
//! "Policy statement must contain actions.", `Resource X must be in ARN format or "*".`),
//! otherwise its catch-all "Syntax errors in policy.".

use std::collections::HashSet;

use super::condition::Condition;
use super::json::Json;
use super::matching::{ActionPattern, ArnPattern};
use super::trust::Principals;
use super::{PolicyError, PolicyKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Effect {
    Allow,
    Deny,
}

/// `Action`/`Resource` (any pattern matches) or `NotAction`/`NotResource` (none matches).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Matcher<T> {
    pub(super) negated: bool,
    pub(super) patterns: Vec<T>,
}

impl<T> Matcher<T> {
    pub(super) fn covers(&self, matches: impl Fn(&T) -> bool) -> bool {
        self.patterns.iter().any(matches) != self.negated
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Statement {
    pub(super) effect: Effect,
    pub(super) actions: Matcher<ActionPattern>,
    /// `None` in trust policies, which have no `Resource` (the role is the resource).
    pub(super) resources: Option<Matcher<ArnPattern>>,
    /// `Some` in trust policies only.
    pub(super) principals: Option<Principals>,
    pub(super) condition: Condition,
}

const PRINCIPAL_FORBIDDEN: &str = "Policy document should not specify a principal.";

pub(super) fn statements(text: &str, kind: PolicyKind) -> Result<Vec<Statement>, PolicyError> {
    let document = Json::parse(text).ok_or_else(PolicyError::syntax)?;
    let members = document.as_object().ok_or_else(PolicyError::syntax)?;
    let mut variables = false;
    let mut statement = None;
    for (name, value) in members {
        match (name.as_str(), value) {
            // Variables exist only in the 2012 language; absent means 2008 (`mfa-policy.md` §2).
            ("Version", Json::String(version)) if version == "2012-10-17" => variables = true,
            ("Version", Json::String(version)) if version == "2008-10-17" => {}
            ("Id", Json::String(_)) => {}
            ("Statement", value) => statement = Some(value),
            _ => return Err(PolicyError::syntax()),
        }
    }
    let list = match statement.ok_or_else(PolicyError::syntax)? {
        Json::Array(items) if !items.is_empty() => items.as_slice(),
        single @ Json::Object(_) => std::slice::from_ref(single),
        _ => return Err(PolicyError::syntax()),
    };
    let mut sids = HashSet::new();
    list.iter()
        .map(|item| {
            let members = item.as_object().ok_or_else(PolicyError::syntax)?;
            statement_from(members, kind, variables, &mut sids)
        })
        .collect()
}

fn statement_from<'a>(
    members: &'a [(String, Json)],
    kind: PolicyKind,
    variables: bool,
    sids: &mut HashSet<&'a str>,
) -> Result<Statement, PolicyError> {
    let member = |name: &str| members.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    const KNOWN: [&str; 9] = [
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Principal",
        "NotPrincipal",
    ];
    if members.iter().any(|(name, _)| !KNOWN.contains(&name.as_str())) {
        return Err(PolicyError::syntax());
    }

    let principals = match kind {
        PolicyKind::Identity if member("Principal").is_some() || member("NotPrincipal").is_some() => {
            return Err(PolicyError::new(PRINCIPAL_FORBIDDEN));
        }
        PolicyKind::Identity => None,
        // AWS: NotPrincipal is not allowed in a role trust policy.
        PolicyKind::Trust if member("NotPrincipal").is_some() => {
            return Err(PolicyError::new("Has prohibited field NotPrincipal"));
        }
        PolicyKind::Trust => {
            let principal = member("Principal").ok_or_else(|| PolicyError::new("Missing required field Principal"))?;
            Some(Principals::parse(principal)?)
        }
    };

    if let Some(sid) = member("Sid") {
        let Json::String(sid) = sid else {
            return Err(PolicyError::syntax());
        };
        if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(PolicyError::syntax());
        }
        if !sid.is_empty() && !sids.insert(sid.as_str()) {
            return Err(PolicyError::new(
                "Statement IDs (SID) in a single policy must be unique.",
            ));
        }
    }

    let effect = match member("Effect") {
        Some(Json::String(effect)) if effect == "Allow" => Effect::Allow,
        Some(Json::String(effect)) if effect == "Deny" => Effect::Deny,
        _ => return Err(PolicyError::syntax()),
    };

    let (negated, texts) = exactly_one(
        member("Action"),
        member("NotAction"),
        "Policy statement must contain actions.",
    )?;
    let actions = Matcher {
        negated,
        patterns: texts.iter().map(|t| action(t)).collect::<Result<_, _>>()?,
    };

    let resources = match kind {
        PolicyKind::Identity => {
            let (negated, texts) = exactly_one(
                member("Resource"),
                member("NotResource"),
                "Policy statement must contain resources.",
            )?;
            let patterns = texts.iter().map(|t| resource(t, variables)).collect::<Result<_, _>>()?;
            Some(Matcher { negated, patterns })
        }
        PolicyKind::Trust => {
            for field in ["Resource", "NotResource"] {
                if member(field).is_some() {
                    return Err(PolicyError::new(format!("Has prohibited field {field}")));
                }
            }
            None
        }
    };

    let condition = match member("Condition") {
        Some(json) => Condition::parse(json, variables).map_err(|_| PolicyError::syntax())?,
        None => Condition::default(),
    };

    Ok(Statement {
        effect,
        actions,
        resources,
        principals,
        condition,
    })
}

/// Exactly one of an element and its `Not…` form, as a string or non-empty array of strings.
/// Returns whether the `Not…` form was used, and the strings.
fn exactly_one<'a>(
    plain: Option<&'a Json>,
    negated: Option<&'a Json>,
    missing: &str,
) -> Result<(bool, Vec<&'a str>), PolicyError> {
    let (negated, json) = match (plain, negated) {
        (Some(json), None) => (false, json),
        (None, Some(json)) => (true, json),
        (None, None) => return Err(PolicyError::new(missing)),
        (Some(_), Some(_)) => return Err(PolicyError::syntax()),
    };
    Ok((negated, strings(json).ok_or_else(PolicyError::syntax)?))
}

/// A string or a non-empty array of strings.
pub(super) fn strings(json: &Json) -> Option<Vec<&str>> {
    match json {
        Json::String(text) => Some(vec![text.as_str()]),
        Json::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| match item {
                Json::String(text) => Some(text.as_str()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn action(text: &str) -> Result<ActionPattern, PolicyError> {
    ActionPattern::parse(text).ok_or_else(|| {
        if text != "*" && !text.contains(':') {
            PolicyError::new("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
        } else if text.matches(':').count() > 1 {
            PolicyError::new("Actions/Condition can contain only one colon.")
        } else {
            PolicyError::syntax()
        }
    })
}

fn resource(text: &str, variables: bool) -> Result<ArnPattern, PolicyError> {
    if text == "*" || text.starts_with("arn:") {
        Ok(ArnPattern::parse(text, variables))
    } else {
        Err(PolicyError::new(format!(
            "Resource {text} must be in ARN format or \"*\"."
        )))
    }
}

#[cfg(test)]
mod tests;
