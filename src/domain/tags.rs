//! Tag-set rules shared by every taggable resource (`spec/iam-mfa.md` §0.5).

use super::entities::Tag;

pub const MAX_TAGS: usize = 50;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TagError {
    #[error("Duplicate tag keys found. Please note that Tag keys are case insensitive.")]
    DuplicateKeys,
    #[error("Tag keys starting with 'aws:' are reserved for AWS use.")]
    ReservedPrefix,
    #[error("The number of tags has reached the maximum limit.")]
    TooMany,
}

/// Checks the tags of one request: keys unique case-insensitively, none reserved.
pub fn check_request(tags: &[Tag]) -> Result<(), TagError> {
    let mut seen = std::collections::HashSet::new();
    for tag in tags {
        let key = tag.key.to_lowercase();
        if key.starts_with("aws:") {
            return Err(TagError::ReservedPrefix);
        }
        if !seen.insert(key) {
            return Err(TagError::DuplicateKeys);
        }
    }
    Ok(())
}

/// Merges `new` into `existing` (same key case-insensitively replaces, keeping the new case)
/// and enforces the per-resource limit on the result.
pub fn merge(existing: &[Tag], new: &[Tag]) -> Result<Vec<Tag>, TagError> {
    let mut merged: Vec<Tag> = existing.to_vec();
    for tag in new {
        match merged
            .iter_mut()
            .find(|t| t.key.to_lowercase() == tag.key.to_lowercase())
        {
            Some(slot) => *slot = tag.clone(),
            None => merged.push(tag.clone()),
        }
    }
    if merged.len() > MAX_TAGS {
        return Err(TagError::TooMany);
    }
    Ok(merged)
}

/// `existing` without the tags whose keys are in `keys` (case-insensitively); unknown keys are ignored.
pub fn without_keys(existing: &[Tag], keys: &[String]) -> Vec<Tag> {
    let remove: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
    existing
        .iter()
        .filter(|t| !remove.contains(&t.key.to_lowercase()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(k: &str, v: &str) -> Tag {
        Tag {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn keys_are_case_insensitive() {
        assert_eq!(
            check_request(&[tag("Dept", "a"), tag("dept", "b")]),
            Err(TagError::DuplicateKeys)
        );
        let merged = merge(&[tag("Dept", "a")], &[tag("DEPT", "b")]).unwrap();
        assert_eq!(merged, vec![tag("DEPT", "b")]);
        assert_eq!(
            without_keys(&[tag("Dept", "a"), tag("Team", "b")], &["DEPT".into(), "none".into()]),
            vec![tag("Team", "b")]
        );
    }

    #[test]
    fn reserved_prefix_and_limit() {
        assert_eq!(check_request(&[tag("AWS:x", "")]), Err(TagError::ReservedPrefix));
        let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "")).collect();
        assert_eq!(merge(&[], &many), Err(TagError::TooMany));
        assert_eq!(merge(&[], &many[..50]).unwrap().len(), 50);
    }
}
