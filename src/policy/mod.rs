//! The IAM policy language (`spec/mfa-policy.md`, `iam-mfa.md` §3.3–§3.7, `sts.md` §6):
//! documents parsed once at write time, then evaluated against requests.
//!
//! - [`parse`] validates a document ([`PolicyKind::Identity`] for user, group, role and managed
//!   policies; [`PolicyKind::Trust`] for a role's assume-role policy) and refuses what AWS
//!   refuses with its `MalformedPolicyDocument` message ([`PolicyError`]).
//! - [`decide`] evaluates identity policies: explicit deny > allow > implicit deny.
//! - [`decide_trust`] evaluates a trust policy for a principal asking to assume the role.
//! - [`size_without_whitespace`] measures a document as AWS's size quotas do.
//!
//! Evaluation never fails: what cannot be evaluated (unsupported operators, unknown keys the
//! request does not carry) is fail-closed — it keeps an `Allow` from applying and makes a
//! `Deny` apply. A stored document parses again to the same policy.
//!
//! Pure: no store, no HTTP, no clock; the caller puts the request time in the [`Context`]
//! (`aws:CurrentTime`, `aws:EpochTime`).

mod condition;
mod context;
mod eval;
mod json;
mod matching;
mod parse;
mod trust;
mod variables;

#[cfg(test)]
mod tests;

pub use condition::KNOWN_KEYS;
pub use context::Context;
pub use eval::{Decision, Request, decide};
pub use json::size_without_whitespace;
pub use trust::{TrustDecision, TrustPrincipal, decide_trust};

/// Which grammar a document follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// Identity-based: no `Principal`, `Resource` required.
    Identity,
    /// A role's assume-role policy: `Principal` required, no `Resource`.
    Trust,
}

/// A parsed, validated policy document. Cheap to clone and to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    kind: PolicyKind,
    statements: Vec<parse::Statement>,
}

impl Policy {
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }
}

/// Parses and validates a policy document.
pub fn parse(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
    let statements = parse::statements(text, kind)?;
    Ok(Policy { kind, statements })
}

/// A refused document; `Display` is the message of AWS's `MalformedPolicyDocument` error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(String);

impl PolicyError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// AWS's catch-all for documents that break the grammar.
    fn syntax() -> Self {
        Self::new("Syntax errors in policy.")
    }

    pub fn message(&self) -> &str {
        &self.0
    }
}
