//! `requestParameters` and `responseElements` (`cloudtrail.md` §2.3, §2.4, §3): API members
//! renamed to CloudTrail's camel case, with every secret removed, key and value, at any depth.

use super::time_text::element_time;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use time::OffsetDateTime;

/// A request or response member as the API has it, named as in the AWS model (`UserName`,
/// `Tags`, `Key`). `Time` is written in CloudTrail's text form.
#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    Text(String),
    Integer(i64),
    Boolean(bool),
    Time(OffsetDateTime),
    /// Present with no value (e.g. `serialPrefix` of a token import without a prefix).
    Null,
    List(Vec<Member>),
    Structure(Vec<(String, Member)>),
}

impl Member {
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    /// A structure from `(member name, value)` pairs, kept in the order given.
    pub fn structure<N: Into<String>>(members: impl IntoIterator<Item = (N, Member)>) -> Self {
        Self::Structure(members.into_iter().map(|(name, value)| (name.into(), value)).collect())
    }
}

/// Recorded names of members that never appear in a record: passwords, one-time codes, seeds,
/// QR images, secret keys and session tokens (§2.3, §3.1, §3.2, `iam-mfa.md` §7), and
/// `LookupEvents`' paging token (§3.4).
const NEVER_RECORDED: &[&str] = &[
    "password",
    "newPassword",
    "oldPassword",
    "authenticationCode1",
    "authenticationCode2",
    "tokenCode",
    "base32StringSeed",
    "qRCodePNG",
    "secretAccessKey",
    "sessionToken",
    "nextToken",
];

/// The members as recorded; `None` (JSON `null`) when nothing is left to record.
pub(super) fn recorded(members: Vec<(String, Member)>) -> Option<Member> {
    let kept = recorded_members(members);
    (!kept.is_empty()).then_some(Member::Structure(kept))
}

fn recorded_members(members: Vec<(String, Member)>) -> Vec<(String, Member)> {
    members
        .into_iter()
        .map(|(name, value)| (camel_case(&name), value))
        .filter(|(name, _)| !NEVER_RECORDED.contains(&name.as_str()))
        .map(|(name, value)| (name, recorded_value(value)))
        .collect()
}

fn recorded_value(value: Member) -> Member {
    match value {
        Member::List(items) => Member::List(items.into_iter().map(recorded_value).collect()),
        Member::Structure(members) => Member::Structure(recorded_members(members)),
        other => other,
    }
}

/// `UserName` → `userName`, `QRCodePNG` → `qRCodePNG`: only the first letter changes [AWS].
fn camel_case(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Serialize for Member {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Member::Text(text) => serializer.serialize_str(text),
            Member::Integer(number) => serializer.serialize_i64(*number),
            Member::Boolean(flag) => serializer.serialize_bool(*flag),
            Member::Time(time) => serializer.serialize_str(&element_time(*time)),
            Member::Null => serializer.serialize_unit(),
            Member::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            // Written in the order held, so records read like AWS's (`serde_json`'s own map
            // would sort the names).
            Member::Structure(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, value: Member) -> (String, Member) {
        (name.to_owned(), value)
    }

    #[test]
    fn names_lose_only_their_first_capital() {
        assert_eq!(camel_case("VirtualMFADeviceName"), "virtualMFADeviceName");
        assert_eq!(camel_case("QRCodePNG"), "qRCodePNG");
        assert_eq!(camel_case(""), "");
    }

    #[test]
    fn secrets_are_removed_at_any_depth() {
        let credentials = Member::structure([
            ("AccessKeyId", Member::text("ASIAQ3EXAMPLESESS4MF")),
            ("SecretAccessKey", Member::text("secret")),
            ("SessionToken", Member::text("token")),
        ]);
        let kept = recorded(vec![named("Credentials", credentials)]);
        let expected = Member::structure([(
            "credentials",
            Member::structure([("accessKeyId", Member::text("ASIAQ3EXAMPLESESS4MF"))]),
        )]);
        assert_eq!(kept, Some(expected));
    }

    #[test]
    fn nothing_left_is_null() {
        let only_secrets = vec![
            named("OldPassword", Member::text("a")),
            named("NewPassword", Member::text("b")),
        ];
        assert_eq!(recorded(only_secrets), None);
        assert_eq!(recorded(Vec::new()), None);
    }
}
