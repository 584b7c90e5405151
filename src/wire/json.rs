//! The AWS JSON 1.1 protocol (`cloudtrail.md` §8.1): `X-Amz-Target` names the operation, the
//! body is one JSON object of members, errors are `{"__type": CODE, "message": TEXT}` with
//! status 400 (authentication and authorization errors included, as JSON services answer).
//! Knows headers, bytes and JSON only.

use super::Service;
use super::error::{ApiError, ErrorCode};
use super::params::lower_first;
use super::validate::Validator;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::{Iso8601, Rfc3339};

/// The content type of JSON 1.1 requests and answers.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The header that makes a request a JSON-protocol call (`wire-protocol.md` §1).
pub const TARGET_HEADER: &str = "x-amz-target";

/// Each JSON service's target prefix, botocore's `targetPrefix`.
const TARGET_PREFIXES: [(Service, &str); 1] = [(
    Service::CloudTrail,
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
)];

/// The answer for a target naming no operation of a known service.
pub fn unknown_operation(target: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidAction, format!("Unknown operation: {target}"))
}

/// The service and operation name an `X-Amz-Target` value names, e.g.
/// `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`.
pub fn target(value: &str) -> Result<(Service, &str), ApiError> {
    let (prefix, operation) = value.rsplit_once('.').ok_or_else(|| unknown_operation(value))?;
    TARGET_PREFIXES
        .iter()
        .find(|(_, known)| *known == prefix)
        .map(|(service, _)| (*service, operation))
        .ok_or_else(|| unknown_operation(value))
}

/// Only `application/x-amz-json-1.1` bodies are JSON calls; AWS's JSON services answer any
/// other content type as an unknown operation [Uncertain].
pub fn check_content_type(value: Option<&str>) -> Result<(), ApiError> {
    let mime = value.and_then(|v| v.split(';').next()).map(str::trim);
    if mime.is_some_and(|m| m.eq_ignore_ascii_case(CONTENT_TYPE)) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidAction,
            format!("Content-Type must be {CONTENT_TYPE}"),
        ))
    }
}

/// The request body as a JSON object; an empty body is an empty object (no members).
pub fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(_) => Err(ApiError::new(
            ErrorCode::ValidationError,
            "The request body must be a JSON object.",
        )),
        Err(_) => Err(ApiError::new(
            ErrorCode::ValidationError,
            "The request body is not valid JSON.",
        )),
    }
}

/// How a JSON service names an error: JSON services have their own names for the common
/// authentication errors [AWS]; the rest keep their code.
pub fn error_type(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::MissingAuthenticationToken => "MissingAuthenticationTokenException",
        ErrorCode::IncompleteSignature => "IncompleteSignatureException",
        ErrorCode::InvalidClientTokenId => "UnrecognizedClientException",
        // A presigned request past its expiry fails its signature, as clock skew does.
        ErrorCode::SignatureDoesNotMatch | ErrorCode::RequestExpired => "InvalidSignatureException",
        ErrorCode::ExpiredToken => "ExpiredTokenException",
        ErrorCode::AccessDenied => "AccessDeniedException",
        ErrorCode::InvalidAction | ErrorCode::MethodNotAllowed => "UnknownOperationException",
        ErrorCode::ValidationError | ErrorCode::InvalidParameterValue => "ValidationException",
        ErrorCode::ServiceFailure | ErrorCode::InternalFailure => "InternalFailure",
        ErrorCode::MissingAction
        | ErrorCode::MissingParameter
        | ErrorCode::MalformedQueryString
        | ErrorCode::RequestEntityTooLarge
        | ErrorCode::NoSuchEntity
        | ErrorCode::EntityAlreadyExists
        | ErrorCode::DeleteConflict
        | ErrorCode::LimitExceeded
        | ErrorCode::InvalidInput
        | ErrorCode::InvalidAuthenticationCode
        | ErrorCode::PasswordPolicyViolation
        | ErrorCode::MalformedPolicyDocument
        | ErrorCode::UnmodifiableEntity
        | ErrorCode::ReportNotPresent
        | ErrorCode::ReportExpired
        | ErrorCode::ReportInProgress
        | ErrorCode::ServiceUnavailable
        | ErrorCode::InvalidLookupAttributes
        | ErrorCode::InvalidTimeRange
        | ErrorCode::InvalidMaxResults
        | ErrorCode::InvalidNextToken
        | ErrorCode::InvalidEventCategory => code.code(),
    }
}

/// Client faults are all 400; server faults keep their status.
pub fn error_status(code: ErrorCode) -> u16 {
    match code.status() {
        server @ 500.. => server,
        _ => 400,
    }
}

/// The error body: `{"__type": …, "message": …}` (botocore reads the code from `__type`).
pub fn error_body(error: &ApiError) -> String {
    serde_json::json!({ "__type": error_type(error.code), "message": error.message }).to_string()
}

/// A timestamp member as sent: epoch seconds (botocore sends integers; fractions are accepted)
/// or an ISO 8601 text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeValue<'a> {
    Seconds(&'a serde_json::Number),
    Text(&'a str),
}

impl TimeValue<'_> {
    /// The instant, or `None` when the value names no representable time.
    pub fn instant(self) -> Option<OffsetDateTime> {
        match self {
            Self::Seconds(number) => match number.as_i64() {
                Some(whole) => OffsetDateTime::from_unix_timestamp(whole).ok(),
                // Out-of-range floats saturate, and then fail the range check.
                None => number.as_f64().and_then(|seconds| {
                    OffsetDateTime::from_unix_timestamp_nanos((seconds * 1e9).round() as i128).ok()
                }),
            },
            Self::Text(text) => OffsetDateTime::parse(text, &Rfc3339)
                .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
                .ok(),
        }
    }
}

/// One JSON structure's members, read by their model type. A member that is `null` counts as
/// absent; a member of the wrong type is a violation recorded in the [`Validator`], named as
/// AWS names members in messages (`lookupAttributes.1.member.attributeKey`).
#[derive(Clone, Debug)]
pub struct Members<'a> {
    map: &'a Map<String, Value>,
    /// Where this structure sits, e.g. `lookupAttributes.1.member`; empty at the top.
    path: String,
}

impl<'a> Members<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            path: String::new(),
        }
    }

    /// The member's name in messages.
    pub fn path_of(&self, name: &str) -> String {
        if self.path.is_empty() {
            lower_first(name)
        } else {
            format!("{}.{}", self.path, lower_first(name))
        }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|value| !value.is_null())
    }

    fn wrong_type(&self, v: &mut Validator, name: &str, value: &Value, expected: &str) {
        v.custom(
            &self.path_of(name),
            &value.to_string(),
            &format!("Member must be {expected}"),
        );
    }

    pub fn string(&self, v: &mut Validator, name: &str) -> Option<&'a str> {
        match self.get(name)? {
            Value::String(text) => Some(text),
            other => {
                self.wrong_type(v, name, other, "a string");
                None
            }
        }
    }

    /// A required string: records "must not be null" when absent.
    pub fn required_string(&self, v: &mut Validator, name: &str) -> Option<&'a str> {
        if self.get(name).is_none() {
            v.missing(&self.path_of(name));
        }
        self.string(v, name)
    }

    pub fn integer(&self, v: &mut Validator, name: &str) -> Option<i64> {
        let value = self.get(name)?;
        let whole = value.as_i64();
        if whole.is_none() {
            self.wrong_type(v, name, value, "an integer");
        }
        whole
    }

    pub fn timestamp(&self, v: &mut Validator, name: &str) -> Option<TimeValue<'a>> {
        match self.get(name)? {
            Value::Number(number) => Some(TimeValue::Seconds(number)),
            Value::String(text) => Some(TimeValue::Text(text)),
            other => {
                self.wrong_type(v, name, other, "a timestamp");
                None
            }
        }
    }

    /// A list of structures; `None` when absent or not a list of objects.
    pub fn structures(&self, v: &mut Validator, name: &str) -> Option<Vec<Members<'a>>> {
        let value = self.get(name)?;
        let Value::Array(items) = value else {
            self.wrong_type(v, name, value, "a list");
            return None;
        };
        let list_path = self.path_of(name);
        let mut structures = Vec::with_capacity(items.len());
        let mut valid = true;
        for (index, item) in items.iter().enumerate() {
            let path = format!("{list_path}.{}.member", index + 1);
            match item {
                Value::Object(map) => structures.push(Members { map, path }),
                other => {
                    v.custom(&path, &other.to_string(), "Member must be a structure");
                    valid = false;
                }
            }
        }
        valid.then_some(structures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn targets_name_a_service_and_operation() {
        assert_eq!(
            target("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents").unwrap(),
            (Service::CloudTrail, "LookupEvents")
        );
        for bad in [
            "",
            "LookupEvents",
            "DynamoDB_20120810.ListTables",
            "com.amazonaws.cloudtrail.v20131101.LookupEvents",
        ] {
            let error = target(bad).unwrap_err();
            assert_eq!(error_type(error.code), "UnknownOperationException", "{bad}");
        }
    }

    #[test]
    fn only_json_1_1_bodies_are_accepted() {
        assert!(check_content_type(Some("application/x-amz-json-1.1")).is_ok());
        assert!(check_content_type(Some("Application/X-Amz-Json-1.1; charset=utf-8")).is_ok());
        for bad in [
            None,
            Some("application/json"),
            Some("application/x-amz-json-1.0"),
            Some(""),
        ] {
            assert_eq!(
                check_content_type(bad).unwrap_err().code,
                ErrorCode::InvalidAction,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn bodies_must_be_objects() {
        assert_eq!(object(b"{}").unwrap(), Map::new());
        assert_eq!(object(b"").unwrap(), Map::new());
        assert_eq!(object(br#"{"A": 1}"#).unwrap().get("A"), Some(&json!(1)));
        for bad in [&b"[]"[..], b"1", b"\"x\"", b"null", b"{", b"\xff", b"{} {}"] {
            let error = object(bad).unwrap_err();
            assert_eq!(error_type(error.code), "ValidationException");
        }
    }

    #[test]
    fn errors_are_json_with_aws_json_names() {
        let body = error_body(&ApiError::new(ErrorCode::InvalidClientTokenId, "bad \"key\""));
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            parsed,
            json!({"__type": "UnrecognizedClientException", "message": "bad \"key\""})
        );
        assert_eq!(
            error_type(ErrorCode::SignatureDoesNotMatch),
            "InvalidSignatureException"
        );
        assert_eq!(error_type(ErrorCode::ExpiredToken), "ExpiredTokenException");
        assert_eq!(error_type(ErrorCode::AccessDenied), "AccessDeniedException");
        assert_eq!(error_type(ErrorCode::InvalidNextToken), "InvalidNextTokenException");
        assert_eq!(error_status(ErrorCode::AccessDenied), 400);
        assert_eq!(error_status(ErrorCode::InvalidClientTokenId), 400);
        assert_eq!(error_status(ErrorCode::InvalidNextToken), 400);
        assert_eq!(error_status(ErrorCode::ServiceFailure), 500);
        assert_eq!(error_status(ErrorCode::ServiceUnavailable), 503);
    }

    #[test]
    fn timestamps_are_epoch_seconds_or_iso_8601() {
        let at = |value: Value| match &value {
            Value::Number(n) => TimeValue::Seconds(n).instant(),
            Value::String(s) => TimeValue::Text(s).instant(),
            _ => unreachable!(),
        };
        let t = time::macros::datetime!(2024-01-01 00:00:00 UTC);
        assert_eq!(at(json!(1704067200)), Some(t));
        assert_eq!(at(json!(1704067200.5)), Some(t + time::Duration::milliseconds(500)));
        assert_eq!(at(json!(-1)), Some(t - time::Duration::seconds(1704067201)));
        assert_eq!(at(json!("2024-01-01T00:00:00Z")), Some(t));
        assert_eq!(at(json!("2024-01-01T01:00:00+01:00")), Some(t));
        assert_eq!(
            at(json!("2024-01-01T00:00:00.250Z")),
            Some(t + time::Duration::milliseconds(250))
        );
        for bad in [
            json!("yesterday"),
            json!(""),
            json!(1e300),
            json!(-1e300),
            json!(99999999999999u64 * 1000),
        ] {
            assert_eq!(at(bad.clone()), None, "{bad}");
        }
    }

    #[test]
    fn members_are_read_by_type_and_named_like_aws() {
        let body = json!({
            "Name": "x", "Count": 3, "Null": null, "Fraction": 2.5, "When": 5,
            "Items": [{"Key": "k"}, {"Key": 7}], "Mixed": [{"Key": "k"}, 3], "NotList": {},
        });
        let map = body.as_object().unwrap();
        let members = Members::new(map);
        let mut v = Validator::new();
        assert_eq!(members.string(&mut v, "Name"), Some("x"));
        assert_eq!(members.string(&mut v, "Null"), None);
        assert_eq!(members.string(&mut v, "Absent"), None);
        assert_eq!(members.integer(&mut v, "Count"), Some(3));
        assert!(members.timestamp(&mut v, "When").is_some());
        assert!(v.finish().is_ok(), "no violations so far");

        let mut v = Validator::new();
        let items = members.structures(&mut v, "Items").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].required_string(&mut v, "Key"), Some("k"));
        assert_eq!(items[1].required_string(&mut v, "Key"), None);
        assert_eq!(items[0].required_string(&mut v, "Value"), None);
        assert_eq!(
            v.finish().unwrap_err().message,
            "2 validation errors detected: Value '7' at 'items.2.member.key' failed to satisfy constraint: Member must be a string; Value null at 'items.1.member.value' failed to satisfy constraint: Member must not be null"
        );

        let mut v = Validator::new();
        assert_eq!(members.integer(&mut v, "Fraction"), None);
        assert_eq!(members.integer(&mut v, "Name"), None);
        assert!(members.structures(&mut v, "Mixed").is_none());
        assert!(members.structures(&mut v, "NotList").is_none());
        assert!(members.timestamp(&mut v, "Items").is_none());
        let error = v.finish().unwrap_err();
        assert_eq!(error_type(error.code), "ValidationException");
        assert!(
            error
                .message
                .starts_with("5 validation errors detected: Value '2.5' at 'fraction'"),
            "{}",
            error.message
        );
        assert!(
            error
                .message
                .contains("Value '3' at 'mixed.2.member' failed to satisfy constraint: Member must be a structure")
        );
    }
}
