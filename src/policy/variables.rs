//! Policy variables (`mfa-policy.md` §3.3): `${key}`, `${key, 'default'}` and the escapes
//! `${*}`, `${?}`, `${$}`, substituted from the request context before matching.
//!
//! Only policies of Version `2012-10-17` have variables; in older documents the same text is
//! literal. Substituted text is always literal: a user name containing `*` never becomes a
//! wildcard. A variable whose key is absent (and has no default), or `${…}` text that is not a
//! variable, makes the whole pattern or value match nothing.

use super::context::Context;
use super::matching::Glob;

/// A piece of policy text, parsed once at write time.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    /// Policy text as written: in glob positions `*` and `?` are wildcards.
    Text(String),
    /// A character produced by an escape (`${*}` → `*`): always literal.
    Escaped(char),
    /// `${key}` or `${key, 'default'}`; the key is lower-case (key names ignore case).
    Variable { key: String, default: Option<String> },
    /// `${…}` that is neither a variable nor an escape.
    Unusable,
}

/// A string from a policy, with its variables located.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// Text in which `${…}` has no meaning (Version absent or `2008-10-17`, or a place where
    /// variables are not allowed).
    pub(super) fn literal(text: &str) -> Self {
        Self {
            pieces: vec![Piece::Text(text.to_owned())],
        }
    }

    /// Text of a `2012-10-17` policy. A `${` without a closing `}` is ordinary text.
    pub(super) fn with_variables(text: &str) -> Self {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let after = rest.get(start + 2..).unwrap_or("");
            let Some(length) = after.find('}') else { break };
            push_text(&mut pieces, rest.get(..start).unwrap_or(""));
            pieces.push(parse_variable(after.get(..length).unwrap_or("")));
            rest = after.get(length + 1..).unwrap_or("");
        }
        push_text(&mut pieces, rest);
        Self { pieces }
    }

    /// The text with variables substituted, for comparisons without wildcards; `None` when a
    /// variable cannot be resolved.
    pub(super) fn resolve(&self, context: &Context) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Escaped(character) => out.push(*character),
                Piece::Variable { key, default } => out.push_str(lookup(context, key, default.as_deref())?),
                Piece::Unusable => return None,
            }
        }
        Some(out)
    }

    /// The text as a glob: wildcards only where the policy wrote them, everything substituted
    /// or escaped literal; `None` when a variable cannot be resolved.
    pub(super) fn resolve_glob(&self, context: &Context) -> Option<Glob> {
        let mut glob = Glob::default();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => glob.push_pattern(text),
                Piece::Escaped(character) => glob.push_literal(&character.to_string()),
                Piece::Variable { key, default } => glob.push_literal(lookup(context, key, default.as_deref())?),
                Piece::Unusable => return None,
            }
        }
        Some(glob)
    }
}

fn push_text(pieces: &mut Vec<Piece>, text: &str) {
    if !text.is_empty() {
        pieces.push(Piece::Text(text.to_owned()));
    }
}

/// The inside of `${…}`: an escape, `key`, or `key, 'default'` (AWS's form: comma, optional
/// spaces, a single-quoted default without quotes inside).
fn parse_variable(inner: &str) -> Piece {
    match inner {
        "*" => return Piece::Escaped('*'),
        "?" => return Piece::Escaped('?'),
        "$" => return Piece::Escaped('$'),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        None => (inner.trim(), None),
        Some((key, default)) => {
            let quoted = default.trim();
            match quoted.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')) {
                Some(value) if !value.contains('\'') => (key.trim(), Some(value.to_owned())),
                _ => return Piece::Unusable,
            }
        }
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Piece::Unusable;
    }
    Piece::Variable {
        key: key.to_ascii_lowercase(),
        default,
    }
}

/// A variable's value: the key's single value in the context, else the default. A multi-valued
/// key has no single value to substitute.
fn lookup<'a>(context: &'a Context, key: &str, default: Option<&'a str>) -> Option<&'a str> {
    match context.values(key) {
        Some([value]) => Some(value.as_str()),
        Some(_) => None,
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Context {
        let mut context = Context::new();
        context.insert("aws:username", "alice");
        context.insert("aws:PrincipalType", "User");
        context
    }

    #[test]
    fn substitutes_from_the_context_ignoring_key_case() {
        let table = [
            ("user/${aws:username}", Some("user/alice")),
            ("user/${AWS:UserName}", Some("user/alice")),
            ("${aws:principaltype}-${aws:username}", Some("User-alice")),
            ("user/${aws:userid}", None),
            ("user/${aws:userid, 'nobody'}", Some("user/nobody")),
            ("user/${aws:username, 'nobody'}", Some("user/alice")),
            ("user/${aws:userid,'x y'}", Some("user/x y")),
            ("a${*}b${?}c${$}d", Some("a*b?c$d")),
            ("user/${aws:username", Some("user/${aws:username")),
            ("user/${}", None),
            ("user/${aws:userid, nobody}", None),
            ("user/${two words}", None),
            ("no variables", Some("no variables")),
        ];
        for (text, expected) in table {
            assert_eq!(
                Template::with_variables(text).resolve(&alice()).as_deref(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn literal_templates_keep_variable_text() {
        let template = Template::literal("user/${aws:username}");
        assert_eq!(template.resolve(&alice()).as_deref(), Some("user/${aws:username}"));
    }

    #[test]
    fn multi_valued_keys_do_not_substitute() {
        let mut context = Context::new();
        context.insert_many("aws:username", ["a", "b"]);
        assert_eq!(Template::with_variables("${aws:username}").resolve(&context), None);
    }

    #[test]
    fn substituted_wildcards_are_literal() {
        let mut context = Context::new();
        context.insert("aws:username", "a*");
        let glob = Template::with_variables("user/${aws:username}")
            .resolve_glob(&context)
            .unwrap();
        assert!(glob.matches("user/a*", false));
        assert!(!glob.matches("user/abc", false));
        let escaped = Template::with_variables("x${*}").resolve_glob(&context).unwrap();
        assert!(escaped.matches("x*", false));
        assert!(!escaped.matches("xy", false));
        let written = Template::with_variables("x*").resolve_glob(&context).unwrap();
        assert!(written.matches("xy", false));
    }
}
