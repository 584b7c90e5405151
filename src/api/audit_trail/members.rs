//! Request and response members as audit records hold them (`cloudtrail.md` §2.3, §2.4):
//! Query parameters and XML results turned into typed member trees. Types come from botocore's
//! models: the few integer, boolean and timestamp members of the actions Tessera answers.

use crate::audit::Member;
use crate::wire::Params;
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Integer members of IAM and STS inputs and outputs (botocore `integer` shapes).
const INTEGER_MEMBERS: &[&str] = &[
    "DurationSeconds",
    "MaxItems",
    "MaxSessionDuration",
    "AttachmentCount",
    "PermissionsBoundaryUsageCount",
    "PackedPolicySize",
];
/// Boolean members (botocore `boolean` shapes).
const BOOLEAN_MEMBERS: &[&str] = &[
    "PasswordResetRequired",
    "SetAsDefault",
    "IsDefaultVersion",
    "IsAttachable",
    "IsTruncated",
    "OnlyAttached",
];
/// Timestamp members (botocore `timestamp` shapes).
const TIMESTAMP_MEMBERS: &[&str] = &[
    "CreateDate",
    "EnableDate",
    "Expiration",
    "UpdateDate",
    "UploadDate",
    "LastUsedDate",
    "PasswordLastUsed",
    "StartTime",
    "EndTime",
];
/// Parameters of the protocol, not of the action.
const PROTOCOL_PARAMETERS: &[&str] = &["Action", "Version"];

/// A scalar as its model type, or text when it does not parse as one (a value that failed
/// validation is recorded as sent).
fn typed(name: &str, text: &str) -> Member {
    if INTEGER_MEMBERS.contains(&name)
        && let Ok(number) = text.parse::<i64>()
    {
        return Member::Integer(number);
    }
    if BOOLEAN_MEMBERS.contains(&name) {
        match text {
            "true" => return Member::Boolean(true),
            "false" => return Member::Boolean(false),
            _ => {}
        }
    }
    if TIMESTAMP_MEMBERS.contains(&name)
        && let Ok(time) = OffsetDateTime::parse(text, &Rfc3339)
    {
        return Member::Time(time);
    }
    Member::text(text)
}

/// The request's flattened parameters as a tree: `Tags.member.1.Key` is member `Key` of the
/// first element of list `Tags` (`wire-protocol.md` §2.4).
#[derive(Default)]
struct Tree {
    value: Option<String>,
    children: BTreeMap<String, Tree>,
    items: BTreeMap<u32, Tree>,
}

impl Tree {
    fn insert<'a>(&mut self, mut path: impl Iterator<Item = &'a str>, value: &str) {
        match path.next() {
            None => self.value = Some(value.to_owned()),
            Some("member") => {
                let index = path.next().and_then(|i| i.parse::<u32>().ok()).unwrap_or(0);
                self.items.entry(index).or_default().insert(path, value);
            }
            Some(name) => self.children.entry(name.to_owned()).or_default().insert(path, value),
        }
    }

    fn into_member(self, name: &str) -> Member {
        if !self.items.is_empty() {
            return Member::List(self.items.into_values().map(|item| item.into_member(name)).collect());
        }
        if !self.children.is_empty() {
            return Member::Structure(
                self.children
                    .into_iter()
                    .map(|(child, tree)| {
                        let member = tree.into_member(&child);
                        (child, member)
                    })
                    .collect(),
            );
        }
        typed(name, self.value.as_deref().unwrap_or_default())
    }
}

/// The action's parameters as sent, named as in the AWS model.
pub fn request_members(params: &Params) -> Vec<(String, Member)> {
    let mut root = Tree::default();
    for (name, value) in params.iter() {
        if PROTOCOL_PARAMETERS.contains(&name) {
            continue;
        }
        root.insert(name.split('.'), value);
    }
    root.children
        .into_iter()
        .map(|(name, tree)| {
            let member = tree.into_member(&name);
            (name, member)
        })
        .collect()
}

/// The members of a JSON-protocol request body (`cloudtrail.md` §8.1), named as sent.
/// Timestamps arrive as epoch seconds (or ISO 8601 text).
pub fn json_members(body: &serde_json::Map<String, serde_json::Value>) -> Vec<(String, Member)> {
    body.iter()
        .map(|(name, value)| (name.clone(), json_member(name, value)))
        .collect()
}

fn json_member(name: &str, value: &serde_json::Value) -> Member {
    use serde_json::Value;
    match value {
        Value::Null => Member::Null,
        Value::Bool(flag) => Member::Boolean(*flag),
        Value::Number(number) if TIMESTAMP_MEMBERS.contains(&name) => number
            .as_f64()
            .and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds.floor() as i64).ok())
            .map_or_else(|| Member::text(number.to_string()), Member::Time),
        Value::Number(number) => number
            .as_i64()
            .map_or_else(|| Member::text(number.to_string()), Member::Integer),
        Value::String(text) => typed(name, text),
        Value::Array(items) => Member::List(items.iter().map(|item| json_member(name, item)).collect()),
        Value::Object(members) => Member::Structure(
            members
                .iter()
                .map(|(inner, value)| (inner.clone(), json_member(inner, value)))
                .collect(),
        ),
    }
}

/// The members of an action's result element, from the XML written for the response.
pub fn response_members(result_xml: &str) -> Vec<(String, Member)> {
    let wrapped = format!("<Result>{result_xml}</Result>");
    let Ok(document) = roxmltree::Document::parse(&wrapped) else {
        return Vec::new();
    };
    element_members(document.root_element())
}

fn element_members(element: roxmltree::Node<'_, '_>) -> Vec<(String, Member)> {
    element
        .children()
        .filter(roxmltree::Node::is_element)
        .map(|child| {
            let name = child.tag_name().name().to_owned();
            let member = element_member(child, &name);
            (name, member)
        })
        .collect()
}

/// `name` types the leaves of a list of scalars, whose elements are all called `member`.
fn element_member(element: roxmltree::Node<'_, '_>, name: &str) -> Member {
    let mut children = element.children().filter(roxmltree::Node::is_element).peekable();
    match children.peek() {
        None => typed(name, element.text().unwrap_or_default()),
        Some(first) if first.tag_name().name() == "member" => {
            Member::List(children.map(|item| element_member(item, name)).collect())
        }
        Some(_) => Member::Structure(element_members(element)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> Params {
        Params::parse(query, None, |_| false).unwrap()
    }

    #[test]
    fn parameters_become_typed_trees() {
        let members = request_members(&params(
            "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2F&Tags.member.1.Key=team&Tags.member.1.Value=ops&Tags.member.2.Key=cost&Tags.member.2.Value=7",
        ));
        assert_eq!(
            members,
            vec![
                ("Path".to_owned(), Member::text("/")),
                (
                    "Tags".to_owned(),
                    Member::List(vec![
                        Member::structure([("Key", Member::text("team")), ("Value", Member::text("ops"))]),
                        Member::structure([("Key", Member::text("cost")), ("Value", Member::text("7"))]),
                    ])
                ),
                ("UserName".to_owned(), Member::text("alice")),
            ]
        );
        let members = request_members(&params(
            "DurationSeconds=900&PasswordResetRequired=true&MaxItems=ten&TagKeys.member.1=a&TagKeys.member.2=b",
        ));
        assert_eq!(
            members,
            vec![
                ("DurationSeconds".to_owned(), Member::Integer(900)),
                ("MaxItems".to_owned(), Member::text("ten")),
                ("PasswordResetRequired".to_owned(), Member::Boolean(true)),
                (
                    "TagKeys".to_owned(),
                    Member::List(vec![Member::text("a"), Member::text("b")])
                ),
            ]
        );
    }

    #[test]
    fn json_bodies_become_typed_trees() {
        let body = serde_json::json!({
            "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}],
            "StartTime": 1_795_342_542,
            "MaxResults": 50,
            "NextToken": "abc"
        });
        let start = OffsetDateTime::from_unix_timestamp(1_795_342_542).unwrap();
        let serde_json::Value::Object(body) = body else {
            unreachable!("an object literal")
        };
        assert_eq!(
            json_members(&body),
            vec![
                (
                    "LookupAttributes".to_owned(),
                    Member::List(vec![Member::structure([
                        ("AttributeKey", Member::text("EventName")),
                        ("AttributeValue", Member::text("ConsoleLogin")),
                    ])])
                ),
                ("MaxResults".to_owned(), Member::Integer(50)),
                ("NextToken".to_owned(), Member::text("abc")),
                ("StartTime".to_owned(), Member::Time(start)),
            ]
        );
    }

    #[test]
    fn results_become_typed_trees() {
        let members = response_members(
            "<User><Path>/</Path><UserName>a&amp;b</UserName><CreateDate>2026-11-22T08:01:05Z</CreateDate><Tags><member><Key>k</Key><Value>v</Value></member></Tags></User>",
        );
        let created = OffsetDateTime::parse("2026-11-22T08:01:05Z", &Rfc3339).unwrap();
        assert_eq!(
            members,
            vec![(
                "User".to_owned(),
                Member::structure([
                    ("Path", Member::text("/")),
                    ("UserName", Member::text("a&b")),
                    ("CreateDate", Member::Time(created)),
                    (
                        "Tags",
                        Member::List(vec![Member::structure([
                            ("Key", Member::text("k")),
                            ("Value", Member::text("v"))
                        ])])
                    ),
                ])
            )]
        );
        assert_eq!(
            response_members("<LoginProfile><PasswordResetRequired>false</PasswordResetRequired></LoginProfile>"),
            vec![(
                "LoginProfile".to_owned(),
                Member::structure([("PasswordResetRequired", Member::Boolean(false))])
            )]
        );
    }
}
