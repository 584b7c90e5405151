//! `LookupEvents` (`cloudtrail.md` §8): the caller's account's audit records, newest first,
//! matching at most one lookup attribute within a time range, in pages joined by signed
//! `NextToken`s.

use super::next_token::{self, BoundParameters, TokenScope};
use crate::api::action::Action;
use crate::api::json::JsonOperation;
use crate::api::{Caller, Ctx};
use crate::domain::AccountId;
use crate::store::{AuditCursor, AuditEntry, AuditFilter, AuditQuery};
use crate::wire::json::{Members, TimeValue};
use crate::wire::marker::MarkerKey;
use crate::wire::validate::Validator;
use crate::wire::{ApiError, ErrorCode};
use async_trait::async_trait;
use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

/// Events per page: at most, and when `MaxResults` is absent (§8.2).
const MAX_RESULTS: u32 = 50;
/// How far back a query without `StartTime` looks from its end (§8.2).
const DEFAULT_LOOKBACK: Duration = Duration::days(90);
/// `AttributeValue` length bounds (botocore `LookupAttributeValueString`).
const ATTRIBUTE_VALUE_LENGTH: std::ops::RangeInclusive<usize> = 1..=2000;
/// The only `EventCategory`: Insights events, which Tessera does not produce.
const INSIGHT: &str = "insight";

pub struct LookupEvents {
    query: AuditQuery,
    /// Asks for Insights events: the answer is always empty.
    insight: bool,
    scope: TokenScope,
}

fn invalid_attributes(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidLookupAttributes, message)
}

/// The filter one lookup attribute asks for (§8.2).
fn filter(key: &str, value: &str) -> Result<AuditFilter, ApiError> {
    // Java's String.length() counts UTF-16 code units, as every AWS length does.
    if !ATTRIBUTE_VALUE_LENGTH.contains(&value.encode_utf16().count()) {
        return Err(invalid_attributes(format!(
            "Attribute value for {key} must be between 1 and 2000 characters."
        )));
    }
    let value = value.to_owned();
    Ok(match key {
        "EventId" => AuditFilter::EventId(value),
        "EventName" => AuditFilter::EventName(value),
        "ReadOnly" => AuditFilter::ReadOnly(match value.as_str() {
            "true" => true,
            "false" => false,
            _ => {
                return Err(invalid_attributes(format!(
                    "Invalid value for ReadOnly: {value}. Valid values are true and false."
                )));
            }
        }),
        "Username" => AuditFilter::Username(value),
        "ResourceType" => AuditFilter::ResourceType(value),
        "ResourceName" => AuditFilter::ResourceName(value),
        "EventSource" => AuditFilter::EventSource(value),
        "AccessKeyId" => AuditFilter::AccessKeyId(value),
        _ => return Err(invalid_attributes(format!("Invalid attribute key: {key}"))),
    })
}

fn instant(value: Option<TimeValue<'_>>) -> Result<Option<OffsetDateTime>, ApiError> {
    value
        .map(|v| {
            v.instant()
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidTimeRange, "Invalid time value."))
        })
        .transpose()
}

/// The page size: `MaxResults` within 1–50, or 50.
fn page_size(max_results: Option<i64>) -> Result<u32, ApiError> {
    u32::try_from(max_results.unwrap_or(i64::from(MAX_RESULTS)))
        .ok()
        .filter(|size| (1..=MAX_RESULTS).contains(size))
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidMaxResults, "MaxResults must be between 1 and 50."))
}

#[async_trait]
impl JsonOperation for LookupEvents {
    const ACTION: Action = Action::LookupEvents;

    fn parse(members: &Members<'_>, ctx: &Ctx<'_>) -> Result<Self, ApiError> {
        Self::from_members(members, ctx.now, ctx.caller.principal.account_id(), &ctx.state.markers)
    }

    /// LookupEvents has no resource-level permissions (§8.4).
    fn resource(&self, _caller: &Caller) -> String {
        "*".to_owned()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
        if self.insight {
            return Ok(json!({ "Events": [] }));
        }
        let page = ctx.state.store.lookup_audit(self.query).await?;
        let mut output = Map::new();
        output.insert("Events".into(), page.items.iter().map(event).collect());
        if page.more
            && let Some(last) = page.items.last()
        {
            let cursor = AuditCursor {
                event_time: last.event_time,
                event_id: last.event_id.clone(),
            };
            let token = next_token::encode(&ctx.state.markers, &self.scope, &cursor);
            output.insert("NextToken".into(), token.into());
        }
        Ok(Value::Object(output))
    }
}

impl LookupEvents {
    /// The request of `account`'s caller at `now`, its token checked with `markers`.
    fn from_members(
        members: &Members<'_>,
        now: OffsetDateTime,
        account: &AccountId,
        markers: &MarkerKey,
    ) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        // Present exactly when every item has both members (else `finish` reports the gap).
        let attributes: Vec<(&str, &str)> = members
            .structures(&mut v, "LookupAttributes")
            .unwrap_or_default()
            .iter()
            .filter_map(|item| {
                let key = item.required_string(&mut v, "AttributeKey");
                let value = item.required_string(&mut v, "AttributeValue");
                key.zip(value)
            })
            .collect();
        let start = members.timestamp(&mut v, "StartTime");
        let end = members.timestamp(&mut v, "EndTime");
        let category = members.string(&mut v, "EventCategory");
        let max_results = members.integer(&mut v, "MaxResults");
        let token = members.string(&mut v, "NextToken");
        v.finish()?;

        let attribute = match attributes.as_slice() {
            [] => None,
            [attribute] => Some(*attribute),
            _ => return Err(invalid_attributes("Only one lookup attribute is allowed.")),
        };
        let filter = attribute.map(|(key, value)| filter(key, value)).transpose()?;

        let (given_start, given_end) = (instant(start)?, instant(end)?);
        let end = given_end.unwrap_or(now);
        // Near the earliest representable time there is nothing older to include anyway.
        let start = given_start.unwrap_or_else(|| end.checked_sub(DEFAULT_LOOKBACK).unwrap_or(end));
        if start > end {
            return Err(ApiError::new(
                ErrorCode::InvalidTimeRange,
                "Start time must be before end time.",
            ));
        }

        let insight = match category {
            None => false,
            Some(INSIGHT) => true,
            Some(other) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidEventCategory,
                    format!("Invalid event category: {other}. Valid value: {INSIGHT}"),
                ));
            }
        };
        let limit = page_size(max_results)?;

        let scope = TokenScope::new(
            account,
            &BoundParameters {
                attribute,
                start: given_start,
                end: given_end,
                category,
            },
        );
        let after = token
            .map(|token| next_token::decode(markers, &scope, token))
            .transpose()?;
        Ok(Self {
            query: AuditQuery {
                account_id: account.clone(),
                filter,
                start,
                end,
                after,
                limit,
            },
            insight,
            scope,
        })
    }
}

/// One `Event` of the answer (§8.3).
fn event(entry: &AuditEntry) -> Value {
    let mut event = Map::new();
    event.insert("EventId".into(), entry.event_id.as_str().into());
    event.insert("EventName".into(), entry.event_name.as_str().into());
    event.insert("ReadOnly".into(), entry.read_only.to_string().into());
    if let Some(key) = entry.access_key_id.as_deref().filter(|key| !key.is_empty()) {
        event.insert("AccessKeyId".into(), key.into());
    }
    // Epoch seconds as a JSON number, the JSON protocol's timestamp form (§8.1).
    event.insert("EventTime".into(), json!(entry.event_time.unix_timestamp() as f64));
    event.insert("EventSource".into(), entry.event_source.as_str().into());
    if let Some(name) = &entry.username {
        event.insert("Username".into(), name.as_str().into());
    }
    let resources = entry
        .resources
        .iter()
        .map(|(kind, name)| json!({ "ResourceType": kind, "ResourceName": name }))
        .collect();
    event.insert("Resources".into(), Value::Array(resources));
    event.insert("CloudTrailEvent".into(), entry.record.as_str().into());
    Value::Object(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-22 12:00:00 UTC);

    fn account() -> AccountId {
        AccountId::parse("123456789012").unwrap()
    }

    fn key() -> MarkerKey {
        MarkerKey::new([9; 32])
    }

    fn lookup(body: Value) -> Result<LookupEvents, ApiError> {
        LookupEvents::from_members(&Members::new(body.as_object().unwrap()), NOW, &account(), &key())
    }

    fn refused(body: Value) -> (&'static str, String) {
        match lookup(body.clone()) {
            Ok(_) => panic!("accepted {body}"),
            Err(error) => (crate::wire::json::error_type(error.code), error.message),
        }
    }

    fn attribute(key: &str, value: &str) -> Value {
        json!({ "LookupAttributes": [{ "AttributeKey": key, "AttributeValue": value }] })
    }

    #[test]
    fn an_empty_request_looks_back_90_days_from_now() {
        let request = lookup(json!({})).unwrap();
        assert_eq!(
            request.query,
            AuditQuery {
                account_id: account(),
                filter: None,
                start: datetime!(2026-08-24 12:00:00 UTC),
                end: NOW,
                after: None,
                limit: 50,
            }
        );
        assert!(!request.insight);
        // Nulls are absent members; an empty attribute list is no filter.
        let nulls = lookup(json!({"StartTime": null, "MaxResults": null, "LookupAttributes": []})).unwrap();
        assert_eq!(nulls.query, request.query);
    }

    #[test]
    fn each_attribute_key_filters_on_its_column() {
        let cases = [
            ("EventId", AuditFilter::EventId("e-1".into())),
            ("EventName", AuditFilter::EventName("e-1".into())),
            ("Username", AuditFilter::Username("e-1".into())),
            ("ResourceType", AuditFilter::ResourceType("e-1".into())),
            ("ResourceName", AuditFilter::ResourceName("e-1".into())),
            ("EventSource", AuditFilter::EventSource("e-1".into())),
            ("AccessKeyId", AuditFilter::AccessKeyId("e-1".into())),
        ];
        for (name, expected) in cases {
            assert_eq!(lookup(attribute(name, "e-1")).unwrap().query.filter, Some(expected));
        }
        assert_eq!(
            lookup(attribute("ReadOnly", "true")).unwrap().query.filter,
            Some(AuditFilter::ReadOnly(true))
        );
        assert_eq!(
            lookup(attribute("ReadOnly", "false")).unwrap().query.filter,
            Some(AuditFilter::ReadOnly(false))
        );
        assert_eq!(
            lookup(attribute("EventName", &"x".repeat(2000))).unwrap().query.filter,
            Some(AuditFilter::EventName("x".repeat(2000)))
        );
    }

    #[test]
    fn bad_attributes_are_refused() {
        let invalid = "InvalidLookupAttributesException";
        assert_eq!(refused(attribute("ReadOnly", "maybe")).0, invalid);
        assert_eq!(refused(attribute("ReadOnly", "True")).0, invalid);
        assert_eq!(
            refused(attribute("UserName", "bob")),
            (invalid, "Invalid attribute key: UserName".to_owned())
        );
        assert_eq!(refused(attribute("EventName", "")).0, invalid);
        assert_eq!(refused(attribute("EventName", &"x".repeat(2001))).0, invalid);
        let two = json!({ "LookupAttributes": [
            { "AttributeKey": "EventName", "AttributeValue": "CreateUser" },
            { "AttributeKey": "Username", "AttributeValue": "bob" },
        ]});
        assert_eq!(
            refused(two),
            (invalid, "Only one lookup attribute is allowed.".to_owned())
        );
        // Missing or mistyped members are validation errors, named like AWS names them.
        assert_eq!(
            refused(json!({ "LookupAttributes": [{ "AttributeKey": "EventName" }] })),
            (
                "ValidationException",
                "1 validation error detected: Value null at 'lookupAttributes.1.member.attributeValue' failed to satisfy constraint: Member must not be null".to_owned()
            )
        );
        assert_eq!(
            refused(json!({ "LookupAttributes": [{ "AttributeKey": 1, "AttributeValue": "x" }] })).0,
            "ValidationException"
        );
        assert_eq!(refused(json!({ "LookupAttributes": {} })).0, "ValidationException");
        assert_eq!(
            refused(json!({ "LookupAttributes": ["EventName"] })).0,
            "ValidationException"
        );
    }

    #[test]
    fn times_are_bounded_and_ordered() {
        let range = |body: Value| {
            let query = lookup(body).unwrap().query;
            (query.start, query.end)
        };
        let t = datetime!(2024-01-01 00:00:00 UTC);
        assert_eq!(
            range(json!({"StartTime": 1704067200, "EndTime": "2024-01-02T00:00:00Z"})),
            (t, datetime!(2024-01-02 00:00:00 UTC))
        );
        assert_eq!(range(json!({"StartTime": 1704067200, "EndTime": 1704067200})), (t, t));
        assert_eq!(
            range(json!({"StartTime": 1704067200.5})),
            (t + Duration::milliseconds(500), NOW)
        );
        assert_eq!(range(json!({"EndTime": 1704067200})), (t - Duration::days(90), t));

        let invalid = "InvalidTimeRangeException";
        assert_eq!(
            refused(json!({"StartTime": 1704067201, "EndTime": 1704067200})),
            (invalid, "Start time must be before end time.".to_owned())
        );
        assert_eq!(refused(json!({"StartTime": "2027-01-01T00:00:00Z"})).0, invalid);
        assert_eq!(refused(json!({"StartTime": "last tuesday"})).0, invalid);
        assert_eq!(refused(json!({"EndTime": 1e300})).0, invalid);
        assert_eq!(refused(json!({"StartTime": true})).0, "ValidationException");
        assert_eq!(refused(json!({"EndTime": [1]})).0, "ValidationException");
        // The earliest representable end has no 90 days before it, and needs none.
        let earliest =
            json!({"EndTime": OffsetDateTime::from_unix_timestamp(-377_705_116_800).unwrap().unix_timestamp()});
        assert_eq!(range(earliest).0.year(), -9999);
    }

    #[test]
    fn page_sizes_are_1_to_50() {
        assert_eq!(lookup(json!({"MaxResults": 1})).unwrap().query.limit, 1);
        assert_eq!(lookup(json!({"MaxResults": 50})).unwrap().query.limit, 50);
        for bad in [json!(0), json!(51), json!(-1), json!(i64::MAX), json!(u64::MAX)] {
            let body = json!({ "MaxResults": bad });
            let expected = if bad.is_i64() {
                "InvalidMaxResultsException"
            } else {
                "ValidationException"
            };
            assert_eq!(refused(body).0, expected, "{bad}");
        }
        assert_eq!(refused(json!({"MaxResults": "5"})).0, "ValidationException");
        assert_eq!(refused(json!({"MaxResults": 5.5})).0, "ValidationException");
    }

    #[test]
    fn the_only_category_is_insight() {
        assert!(lookup(json!({"EventCategory": "insight"})).unwrap().insight);
        assert_eq!(
            refused(json!({"EventCategory": "Insight"})).0,
            "InvalidEventCategoryException"
        );
        assert_eq!(
            refused(json!({"EventCategory": "management"})).0,
            "InvalidEventCategoryException"
        );
        assert_eq!(refused(json!({"EventCategory": 1})).0, "ValidationException");
    }

    #[test]
    fn tokens_resume_only_the_query_that_made_them() {
        let first = lookup(attribute("EventName", "CreateUser")).unwrap();
        let cursor = AuditCursor {
            event_time: datetime!(2026-11-22 10:00:00 UTC),
            event_id: "b".into(),
        };
        let token = next_token::encode(&key(), &first.scope, &cursor);
        let with_token = |mut body: Value| {
            body["NextToken"] = token.as_str().into();
            body
        };
        let next = lookup(with_token(attribute("EventName", "CreateUser"))).unwrap();
        assert_eq!(next.query.after, Some(cursor));
        // The page size may change between pages.
        let mut resized = with_token(attribute("EventName", "CreateUser"));
        resized["MaxResults"] = 2.into();
        assert!(lookup(resized).is_ok());

        let invalid = "InvalidNextTokenException";
        assert_eq!(refused(with_token(attribute("EventName", "DeleteUser"))).0, invalid);
        assert_eq!(refused(with_token(json!({}))).0, invalid);
        let mut other_range = with_token(attribute("EventName", "CreateUser"));
        other_range["StartTime"] = 1.into();
        assert_eq!(refused(other_range).0, invalid);
        let mut tampered = attribute("EventName", "CreateUser");
        let first = if token.starts_with('A') { 'B' } else { 'A' };
        tampered["NextToken"] = format!("{first}{}", token.get(1..).unwrap()).into();
        assert_eq!(refused(tampered).0, invalid);
        assert_eq!(refused(json!({"NextToken": ""})).0, invalid);
        assert_eq!(refused(json!({"NextToken": 7})).0, "ValidationException");
    }

    fn entry() -> AuditEntry {
        AuditEntry {
            event_id: "6f1c2a0e-8d4b-4c36-9a51-2b7e0d9f3c11".into(),
            account_id: account(),
            event_time: datetime!(2026-11-22 10:15:42 UTC),
            event_name: "CreateAccessKey".into(),
            event_source: "iam.amazonaws.com".into(),
            region: "us-east-1".into(),
            read_only: false,
            username: Some("admin".into()),
            access_key_id: Some("AKIAQ3EXAMPLEADMIN6P".into()),
            resources: vec![
                ("AWS::IAM::AccessKey".into(), "AKIAQ3EXAMPLEBOBKEY5".into()),
                ("AWS::IAM::User".into(), "bob".into()),
            ],
            record: r#"{"eventVersion":"1.11"}"#.into(),
        }
    }

    #[test]
    fn events_carry_the_members_of_section_8_3() {
        assert_eq!(
            event(&entry()),
            json!({
                "EventId": "6f1c2a0e-8d4b-4c36-9a51-2b7e0d9f3c11",
                "EventName": "CreateAccessKey",
                "ReadOnly": "false",
                "AccessKeyId": "AKIAQ3EXAMPLEADMIN6P",
                "EventTime": 1795342542.0,
                "EventSource": "iam.amazonaws.com",
                "Username": "admin",
                "Resources": [
                    {"ResourceType": "AWS::IAM::AccessKey", "ResourceName": "AKIAQ3EXAMPLEBOBKEY5"},
                    {"ResourceType": "AWS::IAM::User", "ResourceName": "bob"},
                ],
                "CloudTrailEvent": r#"{"eventVersion":"1.11"}"#,
            })
        );
        assert!(event(&entry()).to_string().contains(r#""EventTime":1795342542.0"#));
    }

    #[test]
    fn absent_key_and_user_name_are_omitted() {
        let operator = AuditEntry {
            read_only: true,
            username: None,
            access_key_id: Some(String::new()),
            resources: Vec::new(),
            ..entry()
        };
        let shown = event(&operator);
        let members = shown.as_object().unwrap();
        assert!(!members.contains_key("AccessKeyId"));
        assert!(!members.contains_key("Username"));
        assert_eq!(shown["ReadOnly"], "true");
        assert_eq!(shown["Resources"], json!([]));
        let keyless = AuditEntry {
            access_key_id: None,
            ..entry()
        };
        assert!(!event(&keyless).as_object().unwrap().contains_key("AccessKeyId"));
    }
}
