//! The request context: condition keys and their values (`mfa-policy.md` §4.3).
//!
//! The caller decides which keys exist for a request (root has no `aws:username`; long-term
//! access keys have no `aws:MultiFactorAuthPresent`); the engine only reads them. Key names
//! ignore case, as AWS's do.

use std::collections::BTreeMap;

/// Condition keys (case-insensitive) and their values. A key given no values counts as absent,
/// but is still *supplied*: the caller knows it, so conditions on it are evaluated with AWS's
/// missing-key rules instead of failing closed (see [`super::KNOWN_KEYS`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    values: BTreeMap<String, Vec<String>>,
}

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to the single value `value`, replacing what it had.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        self.values.insert(key.to_ascii_lowercase(), vec![value.into()]);
    }

    /// Sets a multi-valued key (for `ForAnyValue:`/`ForAllValues:`), replacing what it had.
    pub fn insert_many<I>(&mut self, key: &str, values: I)
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let values = values.into_iter().map(Into::into).collect();
        self.values.insert(key.to_ascii_lowercase(), values);
    }

    /// The key's values; `None` when it is absent or has no values.
    pub fn values(&self, key: &str) -> Option<&[String]> {
        self.entry(key).map(Vec::as_slice).filter(|values| !values.is_empty())
    }

    /// Whether the caller set the key, even to no values.
    pub fn supplies(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    fn entry(&self, key: &str) -> Option<&Vec<String>> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.values.get(&key.to_ascii_lowercase())
        } else {
            self.values.get(key)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_empty_means_absent() {
        let mut context = Context::new();
        context.insert("aws:MultiFactorAuthPresent", "true");
        context.insert_many("aws:TagKeys", Vec::<String>::new());
        assert_eq!(
            context.values("AWS:multifactorauthpresent"),
            Some(&["true".to_owned()][..])
        );
        assert_eq!(context.values("aws:TagKeys"), None);
        assert!(context.supplies("AWS:TAGKEYS"));
        assert!(!context.supplies("aws:username"));
        assert_eq!(context.values("aws:username"), None);
        context.insert("AWS:MULTIFACTORAUTHPRESENT", "false");
        assert_eq!(
            context.values("aws:multifactorauthpresent"),
            Some(&["false".to_owned()][..])
        );
    }
}
