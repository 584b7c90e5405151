//! Query-protocol parameters (`wire-protocol.md` §2): the query string and a form body,
//! merged, each name at most once.

use super::error::{ApiError, ErrorCode};
use std::collections::BTreeMap;

/// One list element: `(index, field, value)`.
type Indexed = (u32, String, String);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, String>,
}

/// Percent-decodes one component; `plus_is_space` for form bodies only (§2.2).
fn decode(raw: &str, plus_is_space: bool) -> Result<String, ApiError> {
    let spaced;
    let raw = if plus_is_space {
        spaced = raw.replace('+', " ");
        spaced.as_str()
    } else {
        raw
    };
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(raw).collect();
    String::from_utf8(bytes).map_err(|_| {
        ApiError::new(
            ErrorCode::MalformedQueryString,
            "Parameters are not valid UTF-8 after percent-decoding.",
        )
    })
}

impl Params {
    /// Merges the raw query string and (for form posts) the body. `skip` names parameters that
    /// are not action parameters (SigV4 query authentication).
    pub fn parse(raw_query: &str, form_body: Option<&[u8]>, skip: impl Fn(&str) -> bool) -> Result<Self, ApiError> {
        let mut params = Self::default();
        params.add_pairs(raw_query, false, &skip)?;
        if let Some(body) = form_body {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::new(ErrorCode::MalformedQueryString, "The request body is not valid UTF-8."))?;
            params.add_pairs(text, true, &skip)?;
        }
        Ok(params)
    }

    fn add_pairs(&mut self, raw: &str, plus_is_space: bool, skip: &impl Fn(&str) -> bool) -> Result<(), ApiError> {
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name, plus_is_space)?;
            if skip(&name) {
                continue;
            }
            let value = decode(value, plus_is_space)?;
            if self.values.contains_key(&name) {
                return Err(ApiError::new(
                    ErrorCode::ValidationError,
                    format!("Duplicate parameter: {name}"),
                ));
            }
            self.values.insert(name, value);
        }
        Ok(())
    }

    /// Every `(name, value)`, ordered by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(name, value)| (name.as_str(), value.as_str()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether the request carries `name` in any form: a scalar, a list, or a structure.
    pub fn mentions(&self, name: &str) -> bool {
        let nested = format!("{name}.");
        self.values.contains_key(name)
            || self
                .values
                .range(nested.clone()..)
                .next()
                .is_some_and(|(key, _)| key.starts_with(&nested))
    }

    /// A list of scalars, `Name.member.N` (§2.4); `Name=` alone is the empty list.
    /// Returns `None` when the list is absent.
    pub fn list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        Ok(self.indexed(name)?.map(|items| {
            items
                .into_iter()
                .map(|(_, field, value)| (field, value))
                .filter(|(f, _)| f.is_empty())
                .map(|(_, v)| v)
                .collect()
        }))
    }

    /// A list of structures, `Name.member.N.Field`, each with exactly the `fields` given
    /// (all required). Returns `None` when the list is absent.
    pub fn struct_list(&self, name: &str, fields: &[&str]) -> Result<Option<Vec<Vec<String>>>, ApiError> {
        let Some(items) = self.indexed(name)? else {
            return Ok(None);
        };
        let mut grouped: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        for (index, field, value) in items {
            grouped.entry(index).or_default().insert(field, value);
        }
        grouped
            .into_values()
            .map(|entry| {
                fields
                    .iter()
                    .map(|field| {
                        entry.get(*field).cloned().ok_or_else(|| {
                            ApiError::new(ErrorCode::ValidationError, format!("1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null", lower_first(&format!("{name}.member.{field}"))))
                        })
                    })
                    .collect()
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// `(index, field, value)` of every `Name.member.N[.Field]`, ordered by index.
    fn indexed(&self, name: &str) -> Result<Option<Vec<Indexed>>, ApiError> {
        let prefix = format!("{name}.member.");
        let mut items = Vec::new();
        for (key, value) in self.values.range(prefix.clone()..) {
            let Some(rest) = key.strip_prefix(&prefix) else {
                break;
            };
            let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
            let bad = || {
                ApiError::new(
                    ErrorCode::ValidationError,
                    format!("Invalid list index in parameter {key}"),
                )
            };
            if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let index: u32 = index.parse().map_err(|_| bad())?;
            if index == 0 {
                return Err(bad());
            }
            items.push((index, field.to_owned(), value.clone()));
        }
        if items.is_empty() {
            // `Name=` with an empty value is how botocore sends an empty list.
            return Ok(self.values.get(name).map(|_| Vec::new()));
        }
        items.sort_by_key(|(index, _, _)| *index);
        Ok(Some(items))
    }
}

/// `UserName` → `userName`: how AWS names members in validation messages.
pub fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str, body: &str) -> Result<Params, ApiError> {
        Params::parse(query, Some(body.as_bytes()), |n| n.starts_with("X-Amz-"))
    }

    #[test]
    fn mentions_sees_scalars_lists_and_structures() {
        let p = parse("", "Policy=x&Tags.member.1.Key=k&TransitiveTagKeys=&PolicyArnsX=1").unwrap();
        assert!(p.mentions("Policy") && p.mentions("Tags") && p.mentions("TransitiveTagKeys"));
        assert!(!p.mentions("PolicyArns") && !p.mentions("Tag"));
    }

    #[test]
    fn body_plus_is_space_query_plus_is_plus() {
        let p = parse("A=a+b", "B=c+d%2B").unwrap();
        assert_eq!(p.get("A"), Some("a+b"));
        assert_eq!(p.get("B"), Some("c d+"));
    }

    #[test]
    fn duplicates_and_bad_utf8_are_refused() {
        assert_eq!(parse("A=1", "A=2").unwrap_err().code, ErrorCode::ValidationError);
        assert_eq!(parse("", "A=1&A=1").unwrap_err().code, ErrorCode::ValidationError);
        assert_eq!(parse("", "A=%FF").unwrap_err().code, ErrorCode::MalformedQueryString);
    }

    #[test]
    fn auth_parameters_are_skipped_and_empty_values_kept() {
        let p = parse("X-Amz-Signature=abc", "Tags=&Flag").unwrap();
        assert_eq!(p.get("X-Amz-Signature"), None);
        assert_eq!(p.get("Flag"), Some(""));
        assert_eq!(p.list("Tags").unwrap(), Some(vec![]));
        assert_eq!(p.list("Other").unwrap(), None);
    }

    #[test]
    fn lists_are_ordered_by_index_value() {
        let p = parse("", "K.member.10=ten&K.member.2=two&K.member.1=one").unwrap();
        assert_eq!(
            p.list("K").unwrap(),
            Some(vec!["one".into(), "two".into(), "ten".into()])
        );
        let p = parse(
            "",
            "T.member.2.Key=b&T.member.2.Value=2&T.member.1.Key=a&T.member.1.Value=",
        )
        .unwrap();
        assert_eq!(
            p.struct_list("T", &["Key", "Value"]).unwrap(),
            Some(vec![vec!["a".into(), "".into()], vec!["b".into(), "2".into()]])
        );
    }

    #[test]
    fn bad_indices_and_missing_fields_are_refused() {
        assert!(parse("", "K.member.0=x").unwrap().list("K").is_err());
        assert!(parse("", "K.member.x=x").unwrap().list("K").is_err());
        assert!(
            parse("", "T.member.1.Key=a")
                .unwrap()
                .struct_list("T", &["Key", "Value"])
                .is_err()
        );
    }
}
