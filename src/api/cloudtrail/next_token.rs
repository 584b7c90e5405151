//! `LookupEvents`' `NextToken` (`cloudtrail.md` §8.3): the last returned record's
//! `(eventTime, eventID)`, signed with the pagination-marker key over the account and the
//! request's other parameters, so a token cannot be forged and works only with the parameters
//! of the call that produced it [AWS].

use crate::domain::AccountId;
use crate::store::AuditCursor;
use crate::wire::marker::MarkerKey;
use crate::wire::{ApiError, ErrorCode};
use time::OffsetDateTime;

/// What a token is bound to: the account and the parameters as sent. `MaxResults` is not
/// among them (page sizes may change between pages), and omitted times stay omitted, so
/// later pages of a query with default times keep working while the clock moves.
pub struct TokenScope(String);

/// The request parameters a token is bound to.
pub struct BoundParameters<'a> {
    /// `(AttributeKey, AttributeValue)` as sent.
    pub attribute: Option<(&'a str, &'a str)>,
    pub start: Option<OffsetDateTime>,
    pub end: Option<OffsetDateTime>,
    pub category: Option<&'a str>,
}

impl TokenScope {
    pub fn new(account: &AccountId, parameters: &BoundParameters<'_>) -> Self {
        let nanos = |time: Option<OffsetDateTime>| time.map(|t| t.unix_timestamp_nanos().to_string());
        // JSON escaping keeps the parts apart whatever the attribute value holds.
        let bound = serde_json::json!([
            parameters.attribute.map(|(key, _)| key),
            parameters.attribute.map(|(_, value)| value),
            nanos(parameters.start),
            nanos(parameters.end),
            parameters.category,
        ]);
        Self(format!("{}/LookupEvents/{bound}", account.as_str()))
    }
}

pub fn invalid_token() -> ApiError {
    ApiError::new(ErrorCode::InvalidNextToken, "Invalid NextToken.")
}

/// The token that resumes after `cursor`.
pub fn encode(key: &MarkerKey, scope: &TokenScope, cursor: &AuditCursor) -> String {
    key.encode(
        &scope.0,
        &format!("{}/{}", cursor.event_time.unix_timestamp(), cursor.event_id),
    )
}

/// Where `token` resumes, if this key made it for this scope.
pub fn decode(key: &MarkerKey, scope: &TokenScope, token: &str) -> Result<AuditCursor, ApiError> {
    let sort_key = key.decode(&scope.0, token).map_err(|_| invalid_token())?;
    let (seconds, event_id) = sort_key.split_once('/').ok_or_else(invalid_token)?;
    let event_time = seconds
        .parse::<i64>()
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(invalid_token)?;
    if event_id.is_empty() {
        return Err(invalid_token());
    }
    Ok(AuditCursor {
        event_time,
        event_id: event_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn account(id: &str) -> AccountId {
        AccountId::parse(id).unwrap()
    }

    fn scope(attribute: Option<(&str, &str)>, start: Option<OffsetDateTime>, category: Option<&str>) -> TokenScope {
        TokenScope::new(
            &account("123456789012"),
            &BoundParameters {
                attribute,
                start,
                end: None,
                category,
            },
        )
    }

    fn cursor() -> AuditCursor {
        AuditCursor {
            event_time: datetime!(2026-11-22 10:15:42 UTC),
            event_id: "6f1c2a0e-8d4b-4c36-9a51-2b7e0d9f3c11".into(),
        }
    }

    #[test]
    fn tokens_round_trip_with_their_parameters() {
        let key = MarkerKey::new([3; 32]);
        let bound = scope(Some(("EventName", "CreateUser")), None, None);
        let token = encode(&key, &bound, &cursor());
        assert!(
            token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{token}"
        );
        assert_eq!(decode(&key, &bound, &token).unwrap(), cursor());
    }

    #[test]
    fn tokens_are_refused_with_other_parameters_or_keys() {
        let key = MarkerKey::new([3; 32]);
        let bound = scope(Some(("EventName", "CreateUser")), None, None);
        let token = encode(&key, &bound, &cursor());
        let refused = [
            scope(None, None, None),
            scope(Some(("EventName", "DeleteUser")), None, None),
            scope(Some(("Username", "CreateUser")), None, None),
            scope(
                Some(("EventName", "CreateUser")),
                Some(datetime!(2026-11-01 00:00 UTC)),
                None,
            ),
            scope(Some(("EventName", "CreateUser")), None, Some("insight")),
            TokenScope::new(
                &account("210987654321"),
                &BoundParameters {
                    attribute: Some(("EventName", "CreateUser")),
                    start: None,
                    end: None,
                    category: None,
                },
            ),
        ];
        for other in &refused {
            assert_eq!(decode(&key, other, &token).unwrap_err(), invalid_token());
        }
        assert_eq!(
            decode(&MarkerKey::new([4; 32]), &bound, &token).unwrap_err(),
            invalid_token()
        );
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let key = MarkerKey::new([3; 32]);
        let bound = scope(None, None, None);
        let token = encode(&key, &bound, &cursor());
        let mut flipped = token.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        for bad in [
            "",
            "x",
            "!!!",
            &token[..token.len() - 2],
            &flipped,
            &format!("{token}AA"),
        ] {
            assert_eq!(decode(&key, &bound, bad).unwrap_err(), invalid_token(), "{bad}");
        }
        // Correctly signed, but not a cursor: refused, not a panic.
        for sort_key in ["", "nope", "12/", "x/y", "99999999999999999/id"] {
            let forged = key.encode(&bound.0, sort_key);
            assert_eq!(
                decode(&key, &bound, &forged).unwrap_err(),
                invalid_token(),
                "{sort_key}"
            );
        }
    }
}
