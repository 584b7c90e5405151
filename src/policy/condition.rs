//! Condition blocks (`mfa-policy.md` §4): operators, missing keys, `…IfExists`, the
//! `ForAnyValue:`/`ForAllValues:` qualifiers, and fail-closed evaluation of what is not
//! supported.
//!
//! A block is true when every clause (operator × key) is; a clause is true when any of its
//! values matches. A clause Tessera cannot evaluate (an unsupported operator, a key it does not
//! know that the request does not carry, a malformed number or date) makes the whole block
//! [`Outcome::Unknown`]: the statement then applies if it denies and not if it allows
//! (`mfa-policy.md` §4.2, `iam-mfa.md` §3.3).

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::context::Context;
use super::json::Json;
use super::matching::{ArnPattern, Glob};
use super::variables::Template;

/// Keys Tessera knows (lower-case): for these, absence from the request has AWS's meaning.
/// Any other key is evaluated only when the caller supplies it in the context (possibly with
/// no values, meaning "known, absent here"); otherwise its clause is fail-closed.
pub const KNOWN_KEYS: &[&str] = &[
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:username",
    "aws:userid",
    "aws:principaltype",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:currenttime",
    "aws:epochtime",
    "aws:securetransport",
    "aws:useragent",
    "sts:externalid",
];

/// The result of a condition block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    True,
    False,
    /// Cannot be evaluated: fail closed.
    Unknown,
}

/// A parsed `Condition` element.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Condition {
    clauses: Vec<Clause>,
}

#[derive(Clone, Debug, PartialEq)]
struct Clause {
    operator: Operator,
    /// Lower-case: key names ignore case.
    key: String,
    values: Values,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Operator {
    Supported {
        set: Option<SetQualifier>,
        test: Test,
        if_exists: bool,
    },
    Unsupported,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SetQualifier {
    /// `ForAnyValue:`: some request value matches; false when the key is absent.
    AnyValue,
    /// `ForAllValues:`: every request value matches; true when the key is absent.
    AllValues,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Test {
    String { kind: StringKind, negated: bool },
    Numeric { order: Order, negated: bool },
    Date { order: Order, negated: bool },
    Bool,
    Arn { negated: bool },
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum StringKind {
    Equals,
    EqualsIgnoreCase,
    Like,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Order {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Order {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Self::Equal => request == policy,
            Self::Less => request < policy,
            Self::LessOrEqual => request <= policy,
            Self::Greater => request > policy,
            Self::GreaterOrEqual => request >= policy,
        }
    }
}

/// The policy's values for one clause, parsed for the operator's type.
#[derive(Clone, Debug, PartialEq)]
enum Values {
    Strings(Vec<Template>),
    Arns(Vec<ArnPattern>),
    Numbers(Vec<f64>),
    /// Unix time in nanoseconds.
    Instants(Vec<i128>),
    Flags(Vec<bool>),
    /// A value the operator cannot use (`"abc"` for a numeric operator): fail closed.
    Malformed,
    /// The operator is unsupported.
    Ignored,
}

#[rustfmt::skip]
const BASE_OPERATORS: &[(&str, Test)] = &[
    ("StringEquals", Test::String { kind: StringKind::Equals, negated: false }),
    ("StringNotEquals", Test::String { kind: StringKind::Equals, negated: true }),
    ("StringEqualsIgnoreCase", Test::String { kind: StringKind::EqualsIgnoreCase, negated: false }),
    ("StringNotEqualsIgnoreCase", Test::String { kind: StringKind::EqualsIgnoreCase, negated: true }),
    ("StringLike", Test::String { kind: StringKind::Like, negated: false }),
    ("StringNotLike", Test::String { kind: StringKind::Like, negated: true }),
    ("NumericEquals", Test::Numeric { order: Order::Equal, negated: false }),
    ("NumericNotEquals", Test::Numeric { order: Order::Equal, negated: true }),
    ("NumericLessThan", Test::Numeric { order: Order::Less, negated: false }),
    ("NumericLessThanEquals", Test::Numeric { order: Order::LessOrEqual, negated: false }),
    ("NumericGreaterThan", Test::Numeric { order: Order::Greater, negated: false }),
    ("NumericGreaterThanEquals", Test::Numeric { order: Order::GreaterOrEqual, negated: false }),
    ("DateEquals", Test::Date { order: Order::Equal, negated: false }),
    ("DateNotEquals", Test::Date { order: Order::Equal, negated: true }),
    ("DateLessThan", Test::Date { order: Order::Less, negated: false }),
    ("DateLessThanEquals", Test::Date { order: Order::LessOrEqual, negated: false }),
    ("DateGreaterThan", Test::Date { order: Order::Greater, negated: false }),
    ("DateGreaterThanEquals", Test::Date { order: Order::GreaterOrEqual, negated: false }),
    ("Bool", Test::Bool),
    // AWS documents ArnEquals and ArnLike as the same test (wildcards allowed in both).
    ("ArnEquals", Test::Arn { negated: false }),
    ("ArnLike", Test::Arn { negated: false }),
    ("ArnNotEquals", Test::Arn { negated: true }),
    ("ArnNotLike", Test::Arn { negated: true }),
    ("Null", Test::Null),
];

impl Operator {
    /// Operator names are matched exactly (`mfa-policy.md` §4.1). Anything else is stored and
    /// evaluated fail-closed, as AWS stores operators it may add later.
    fn parse(name: &str) -> Self {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::AnyValue), rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::AllValues), rest)
        } else {
            (None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        match BASE_OPERATORS.iter().find(|(known, _)| *known == base) {
            // `Null` tests existence itself: no `IfExists` form, no set form.
            Some((_, Test::Null)) if if_exists || set.is_some() => Self::Unsupported,
            Some((_, test)) => Self::Supported {
                set,
                test: *test,
                if_exists,
            },
            None => Self::Unsupported,
        }
    }
}

/// Why a `Condition` element was refused at write time.
pub(super) struct Malformed;

impl Condition {
    /// Parses `{ operator: { key: value-or-array } }`; values are strings, numbers or booleans.
    /// `variables`: whether `${…}` is substituted (Version `2012-10-17`).
    pub(super) fn parse(json: &Json, variables: bool) -> Result<Self, Malformed> {
        let mut clauses = Vec::new();
        for (name, keys) in json.as_object().ok_or(Malformed)? {
            let operator = Operator::parse(name);
            for (key, value) in keys.as_object().ok_or(Malformed)? {
                let texts = scalar_texts(value).ok_or(Malformed)?;
                clauses.push(Clause {
                    operator,
                    key: key.to_ascii_lowercase(),
                    values: Values::parse(operator, &texts, variables),
                });
            }
        }
        Ok(Self { clauses })
    }

    pub(super) fn evaluate(&self, context: &Context) -> Outcome {
        let mut outcome = Outcome::True;
        for clause in &self.clauses {
            match clause.evaluate(context) {
                Some(true) => {}
                Some(false) => outcome = Outcome::False,
                None => return Outcome::Unknown,
            }
        }
        outcome
    }
}

/// A condition value or array of them as text: `true` → `"true"`, `3600` → `"3600"`.
fn scalar_texts(value: &Json) -> Option<Vec<String>> {
    let scalar = |value: &Json| match value {
        Json::String(text) | Json::Number(text) => Some(text.clone()),
        Json::Bool(flag) => Some(flag.to_string()),
        Json::Null | Json::Array(_) | Json::Object(_) => None,
    };
    match value {
        Json::Array(items) => items.iter().map(scalar).collect(),
        single => Some(vec![scalar(single)?]),
    }
}

impl Values {
    fn parse(operator: Operator, texts: &[String], variables: bool) -> Self {
        let Operator::Supported { test, .. } = operator else {
            return Self::Ignored;
        };
        match test {
            Test::String { .. } | Test::Bool => Self::Strings(
                texts
                    .iter()
                    .map(|t| {
                        if variables {
                            Template::with_variables(t)
                        } else {
                            Template::literal(t)
                        }
                    })
                    .collect(),
            ),
            Test::Arn { .. } => Self::Arns(texts.iter().map(|t| ArnPattern::parse(t, variables)).collect()),
            Test::Numeric { .. } => parse_all(texts, parse_number).map_or(Self::Malformed, Self::Numbers),
            Test::Date { .. } => parse_all(texts, parse_instant).map_or(Self::Malformed, Self::Instants),
            Test::Null => parse_all(texts, parse_flag).map_or(Self::Malformed, Self::Flags),
        }
    }
}

impl Clause {
    /// `Some(result)`, or `None` when the clause cannot be evaluated.
    fn evaluate(&self, context: &Context) -> Option<bool> {
        let Operator::Supported { set, test, if_exists } = self.operator else {
            return None;
        };
        if self.values == Values::Malformed {
            return None;
        }
        let request = context.values(&self.key);
        if request.is_none() && !KNOWN_KEYS.contains(&self.key.as_str()) && !context.supplies(&self.key) {
            return None;
        }
        if test == Test::Null {
            let Values::Flags(flags) = &self.values else {
                return None;
            };
            return Some(flags.iter().any(|&absent| absent == request.is_none()));
        }
        let negated = matches!(
            test,
            Test::String { negated: true, .. }
                | Test::Numeric { negated: true, .. }
                | Test::Date { negated: true, .. }
                | Test::Arn { negated: true }
        );
        let Some(request) = request else {
            // AWS: a missing key makes an operator false, a negated one true; `IfExists` and
            // `ForAllValues:` make it true, `ForAnyValue:` false.
            return Some(match (if_exists, set) {
                (true, _) | (false, Some(SetQualifier::AllValues)) => true,
                (false, Some(SetQualifier::AnyValue)) => false,
                (false, None) => negated,
            });
        };
        // Per request value: does it satisfy the clause (for a negated operator: match none)?
        let mut results = Vec::with_capacity(request.len());
        for value in request {
            results.push(self.matches_any(test, value, context)? != negated);
        }
        Some(match set {
            Some(SetQualifier::AllValues) => results.iter().all(|&r| r),
            Some(SetQualifier::AnyValue) => results.iter().any(|&r| r),
            // Unqualified on a multi-valued key: the positive test holds if any value matches.
            None if negated => results.iter().all(|&r| r),
            None => results.iter().any(|&r| r),
        })
    }

    /// Whether one request value matches any of the policy's values under the positive form of
    /// the test; `None` when the request value has the wrong type.
    fn matches_any(&self, test: Test, request: &str, context: &Context) -> Option<bool> {
        Some(match (&self.values, test) {
            (Values::Strings(templates), Test::String { kind, .. }) => templates.iter().any(|template| match kind {
                StringKind::Equals => template.resolve(context).is_some_and(|v| v == request),
                StringKind::EqualsIgnoreCase => template
                    .resolve(context)
                    .is_some_and(|v| v.eq_ignore_ascii_case(request)),
                StringKind::Like => template
                    .resolve_glob(context)
                    .is_some_and(|g: Glob| g.matches(request, false)),
            }),
            (Values::Strings(templates), Test::Bool) => templates.iter().any(|template| {
                template
                    .resolve(context)
                    .is_some_and(|v| v.eq_ignore_ascii_case(request))
            }),
            (Values::Arns(patterns), _) => patterns.iter().any(|pattern| pattern.matches(request, context)),
            (Values::Numbers(numbers), Test::Numeric { order, .. }) => {
                let request = parse_number(request)?;
                numbers.iter().any(|&policy| order.holds(request, policy))
            }
            (Values::Instants(instants), Test::Date { order, .. }) => {
                let request = parse_instant(request)?;
                instants.iter().any(|&policy| order.holds(request, policy))
            }
            _ => return None,
        })
    }
}

fn parse_all<T>(texts: &[String], parse: fn(&str) -> Option<T>) -> Option<Vec<T>> {
    texts.iter().map(|text| parse(text)).collect()
}

/// A decimal number: optional sign, digits, optional fraction (no exponent, no `NaN`).
fn parse_number(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || (unsigned.contains('.') && fraction.is_empty()) {
        return None;
    }
    text.parse().ok()
}

/// A date: epoch seconds (`1700000000`), or ISO 8601 (`2024-05-01T12:00:00Z`, with an offset
/// or fractional seconds, or a bare date meaning midnight UTC; no offset means UTC).
fn parse_instant(text: &str) -> Option<i128> {
    if let Some(seconds) = parse_number(text) {
        return Some((seconds * 1e9) as i128);
    }
    let instant = OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .or_else(|_| PrimitiveDateTime::parse(text, &Iso8601::DEFAULT).map(PrimitiveDateTime::assume_utc))
        .or_else(|_| Date::parse(text, &Iso8601::DEFAULT).map(|date| date.midnight().assume_utc()))
        .ok()?;
    Some(instant.unix_timestamp_nanos())
}

/// `Null`'s value: `"true"` (key absent) or `"false"` (key present), ignoring case.
fn parse_flag(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
