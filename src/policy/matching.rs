//! Globs, action patterns and ARN patterns (`mfa-policy.md` §3.1–§3.2).
//!
//! A glob's `*` matches any run of characters (including none) and `?` exactly one; it is
//! not word-aware. Actions compare ignoring ASCII case; ARNs compare case-sensitively, one
//! segment at a time, so a `*` never swallows one of the first five colons.

use super::context::Context;
use super::variables::Template;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Token {
    Char(char),
    /// `*`: any run of characters.
    Any,
    /// `?`: exactly one character.
    One,
}

/// A compiled glob.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    /// A glob from policy text: `*` and `?` are wildcards.
    pub(super) fn pattern(text: &str) -> Self {
        let mut glob = Self::default();
        glob.push_pattern(text);
        glob
    }

    pub(super) fn push_pattern(&mut self, text: &str) {
        self.tokens.extend(text.chars().map(|c| match c {
            '*' => Token::Any,
            '?' => Token::One,
            other => Token::Char(other),
        }));
    }

    /// Text that matches only itself (substituted variables, escapes).
    pub(super) fn push_literal(&mut self, text: &str) {
        self.tokens.extend(text.chars().map(Token::Char));
    }

    /// Whether the glob matches the whole of `subject`. Greedy with one backtrack point (the
    /// last `*`), so the cost is at most pattern length × subject length.
    pub(super) fn matches(&self, subject: &str, ignore_ascii_case: bool) -> bool {
        let subject: Vec<char> = subject.chars().collect();
        let same = |a: char, b: char| a == b || (ignore_ascii_case && a.eq_ignore_ascii_case(&b));
        let (mut p, mut s) = (0, 0);
        let mut backtrack: Option<(usize, usize)> = None;
        while let Some(&current) = subject.get(s) {
            match self.tokens.get(p) {
                Some(Token::Any) => {
                    backtrack = Some((p, s));
                    p += 1;
                    continue;
                }
                Some(Token::One) => {
                    p += 1;
                    s += 1;
                    continue;
                }
                Some(Token::Char(c)) if same(*c, current) => {
                    p += 1;
                    s += 1;
                    continue;
                }
                _ => {}
            }
            match backtrack {
                Some((star, consumed)) => {
                    p = star + 1;
                    s = consumed + 1;
                    backtrack = Some((star, consumed + 1));
                }
                None => return false,
            }
        }
        self.tokens.get(p..).unwrap_or(&[]).iter().all(|t| *t == Token::Any)
    }
}

/// One entry of `Action`/`NotAction`: `*` or `service:pattern`, matched ignoring ASCII case.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ActionPattern(Glob);

impl ActionPattern {
    /// `None` unless the text is `*` or `service:pattern`, with a service of ASCII letters,
    /// digits and hyphens and a pattern of letters, digits, `*`, `?`, `-`, `_`.
    pub(super) fn parse(text: &str) -> Option<Self> {
        if text == "*" {
            return Some(Self(Glob::pattern("*")));
        }
        let (service, name) = text.split_once(':')?;
        let service_ok = !service.is_empty() && service.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '?' | '-' | '_'));
        (service_ok && name_ok).then(|| Self(Glob::pattern(text)))
    }

    pub(super) fn matches(&self, action: &str) -> bool {
        self.0.matches(action, true)
    }
}

/// An ARN pattern of `Resource`/`NotResource` or of an `Arn*` condition value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum ArnPattern {
    /// `*`: every resource, including the `*` of actions without resource-level permissions.
    Everything,
    /// `arn:partition:service:region:account:` globs, then the resource segment, which may
    /// hold policy variables and may itself contain `:` and `/`.
    Segments { head: [Glob; 5], resource: Template },
    /// Fewer than six segments: matches nothing (`mfa-policy.md` §3.2).
    Nothing,
}

impl ArnPattern {
    pub(super) fn parse(text: &str, variables: bool) -> Self {
        if text == "*" {
            return Self::Everything;
        }
        let mut parts = text.splitn(6, ':');
        let mut head: [Glob; 5] = Default::default();
        for slot in &mut head {
            match parts.next() {
                Some(part) => *slot = Glob::pattern(part),
                None => return Self::Nothing,
            }
        }
        match parts.next() {
            Some(resource) if variables => Self::Segments {
                head,
                resource: Template::with_variables(resource),
            },
            Some(resource) => Self::Segments {
                head,
                resource: Template::literal(resource),
            },
            None => Self::Nothing,
        }
    }

    /// Whether `arn` (a request resource or context value) matches, with variables resolved
    /// from `context`. A value that is not an ARN is matched only by `*`.
    pub(super) fn matches(&self, arn: &str, context: &Context) -> bool {
        let (head, resource) = match self {
            Self::Everything => return true,
            Self::Nothing => return false,
            Self::Segments { head, resource } => (head, resource),
        };
        let mut parts = arn.splitn(6, ':');
        for glob in head {
            match parts.next() {
                Some(part) if glob.matches(part, false) => {}
                _ => return false,
            }
        }
        match (parts.next(), resource.resolve_glob(context)) {
            (Some(part), Some(glob)) => glob.matches(part, false),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let table = [
            ("*", "", true),
            ("*", "anything", true),
            ("a*", "a", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*a*b*", "xxaxxbxx", true),
            ("*a*b*", "xxbxxaxx", false),
            ("", "", true),
            ("", "x", false),
            ("abc", "ABC", false),
            ("**", "x", true),
        ];
        for (pattern, subject, expected) in table {
            assert_eq!(
                Glob::pattern(pattern).matches(subject, false),
                expected,
                "{pattern} {subject}"
            );
        }
        assert!(Glob::pattern("abc").matches("ABC", true));
    }

    #[test]
    fn actions_ignore_case_and_globs_are_not_word_aware() {
        let table = [
            ("iam:ListMFADevices", "IAM:listmfadevices", true),
            ("IAM:listmfadevices", "iam:ListMFADevices", true),
            ("iam:*MFA*", "iam:ListMFADevices", true),
            ("iam:*MFA*", "iam:CreateVirtualMFADevice", true),
            ("iam:*MFA*", "iam:CreateUser", false),
            ("iam:*", "sts:GetSessionToken", false),
            ("*", "sts:GetSessionToken", true),
            ("iam:Get?ser", "iam:GetUser", true),
        ];
        for (pattern, action, expected) in table {
            assert_eq!(
                ActionPattern::parse(pattern).unwrap().matches(action),
                expected,
                "{pattern} {action}"
            );
        }
    }

    #[test]
    fn action_grammar() {
        for good in ["*", "iam:*", "execute-api:Invoke", "s3:Get*", "iam:Get?ser"] {
            assert!(ActionPattern::parse(good).is_some(), "{good}");
        }
        for bad in [
            "", "iam", "iam:", ":x", "iam:a:b", "i am:x", "iam:a b", "*:*", "iam:${x}",
        ] {
            assert!(ActionPattern::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn arns_match_per_segment_and_case_sensitively() {
        let context = Context::new();
        let table = [
            ("*", "*", true),
            ("*", "arn:aws:iam::111122223333:user/alice", true),
            ("arn:aws:iam::*:user/*", "*", false),
            (
                "arn:aws:iam::*:user/alice",
                "arn:aws:iam::111122223333:user/alice",
                true,
            ),
            (
                "arn:aws:iam::*:user/Alice",
                "arn:aws:iam::111122223333:user/alice",
                false,
            ),
            (
                "arn:aws:iam::*:user/*",
                "arn:aws:iam::111122223333:user/path/alice",
                true,
            ),
            ("arn:aws:iam::*:mfa/*", "arn:aws:iam::111122223333:user/alice", false),
            // `*` in the account segment cannot reach the resource segment.
            ("arn:aws:iam::*", "arn:aws:iam::111122223333:user/alice", false),
            ("arn:aws:*:user/alice", "arn:aws:iam::111122223333:user/alice", false),
            (
                "arn:*:iam::111122223333:*",
                "arn:aws:iam::111122223333:user/alice",
                true,
            ),
            (
                "arn:aws:iam::1111222233?3:*",
                "arn:aws:iam::111122223333:user/alice",
                true,
            ),
            // The resource segment may contain colons.
            (
                "arn:aws:logs:*:*:log-group:*",
                "arn:aws:logs:eu:111122223333:log-group:x:*",
                true,
            ),
            ("arn:aws:iam::*:*", "arn:aws:iam::111122223333", false),
        ];
        for (pattern, arn, expected) in table {
            assert_eq!(
                ArnPattern::parse(pattern, true).matches(arn, &context),
                expected,
                "{pattern} {arn}"
            );
        }
    }

    #[test]
    fn variables_only_in_the_resource_segment() {
        let mut context = Context::new();
        context.insert("aws:PrincipalAccount", "111122223333");
        context.insert("aws:username", "alice");
        let arn = "arn:aws:iam::111122223333:user/alice";
        assert!(ArnPattern::parse("arn:aws:iam::*:user/${aws:username}", true).matches(arn, &context));
        assert!(!ArnPattern::parse("arn:aws:iam::*:user/${aws:username}", false).matches(arn, &context));
        // `${aws:PrincipalAccount}` in the account segment is literal text (and its colon splits).
        assert!(!ArnPattern::parse("arn:aws:iam::${aws:PrincipalAccount}:user/alice", true).matches(arn, &context));
    }
}
