//! The JSON layer of policy documents: a value tree that refuses duplicate member names, and the
//! size AWS counts against its policy quotas.
//!
//! Duplicate names are refused because AWS refuses them (e.g. "Duplicate condition element:
//! StringEquals"), and because two readers that keep different duplicates would see two
//! different policies in one stored document.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A parsed JSON value. Objects keep their members in document order.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Json {
    Null,
    Bool(bool),
    /// The number as JSON text (`3600`, `1.5`), as condition values need it (`mfa-policy.md` §2).
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses a whole document; `None` for anything that is not exactly one JSON value, or
    /// that repeats a member name within one object.
    pub(super) fn parse(text: &str) -> Option<Json> {
        serde_json::from_str(text).ok()
    }

    /// The members of an object, `None` for any other value.
    pub(super) fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Json, E> {
        Ok(Json::Number(value.to_string()))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members: Vec<(String, Json)> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.iter().any(|(seen, _)| *seen == name) {
                return Err(de::Error::custom(format_args!("duplicate member {name}")));
            }
            let value = map.next_value()?;
            members.push((name, value));
        }
        Ok(Json::Object(members))
    }
}

/// The size AWS compares with its policy quotas: "IAM does not count white space". Counted in
/// characters (Unicode scalar values), skipping JSON's insignificant whitespace (space, tab,
/// line feed, carriage return) between tokens; whitespace inside string values is content and
/// counts. Works on any text, JSON or not, so the caller may check sizes before parsing.
pub fn size_without_whitespace(text: &str) -> usize {
    let mut in_string = false;
    let mut escaped = false;
    let mut size = 0;
    for character in text.chars() {
        if in_string {
            size += 1;
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == '"' {
                in_string = false;
            }
        } else if !matches!(character, ' ' | '\t' | '\n' | '\r') {
            size += 1;
            in_string = character == '"';
        }
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values_and_keeps_member_order() {
        let value = Json::parse(r#"{"b": [1, 2.5, true, null], "a": "x"}"#).unwrap();
        assert_eq!(
            value,
            Json::Object(vec![
                (
                    "b".into(),
                    Json::Array(vec![
                        Json::Number("1".into()),
                        Json::Number("2.5".into()),
                        Json::Bool(true),
                        Json::Null
                    ])
                ),
                ("a".into(), Json::String("x".into())),
            ])
        );
    }

    #[test]
    fn refuses_duplicates_and_garbage() {
        for text in [
            r#"{"a": 1, "a": 2}"#,
            r#"{"x": {"a": 1, "a": 1}}"#,
            r#"{"a\u0062": 1, "ab": 2}"#,
            r#"{"a": 1} trailing"#,
            "",
            "{",
        ] {
            assert_eq!(Json::parse(text), None, "{text}");
        }
        // Same name at different levels, or differing in case, is not a duplicate.
        assert!(Json::parse(r#"{"a": {"a": 1}, "A": 2}"#).is_some());
    }

    #[test]
    fn size_skips_whitespace_between_tokens_only() {
        let table = [
            ("{}", 2),
            ("{ \"a\" : 1 }\n", 7),
            ("{\"a b\":\"c d\"}", 13),
            (r#"{"a\" ":1}"#, 10),
            ("\t\r\n ", 0),
            ("{\"é\":1}", 7),
        ];
        for (text, size) in table {
            assert_eq!(size_without_whitespace(text), size, "{text:?}");
        }
    }
}
