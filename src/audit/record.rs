//! The audit record (`cloudtrail.md` §2.1). Members are declared in the order CloudTrail
//! writes them, so serialised records read like AWS's.

use super::identity::UserIdentity;
use super::redact::Member;
use super::time_text::serialize_record_time;
use crate::domain::AccountId;
use serde::{Serialize, Serializer};
use time::OffsetDateTime;
use uuid::Uuid;

/// CloudTrail's current record format (§9 item 1).
const EVENT_VERSION: &str = "1.11";
/// `userAgent` is cut to this many bytes (§2.1).
const USER_AGENT_LIMIT: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventSource {
    Iam,
    Sts,
    SignIn,
    CloudTrail,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Iam => "iam.amazonaws.com",
            Self::Sts => "sts.amazonaws.com",
            Self::SignIn => "signin.amazonaws.com",
            Self::CloudTrail => "cloudtrail.amazonaws.com",
        }
    }
}

impl Serialize for EventSource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum EventType {
    AwsApiCall,
    AwsConsoleSignIn,
    AwsServiceEvent,
}

/// `tlsDetails`, for API calls over TLS that Tessera terminated itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TlsDetails {
    pub tls_version: String,
    pub cipher_suite: String,
    pub client_provided_host_header: String,
}

/// Facts about the request every kind of record needs, taken by the caller from the request
/// and the clock, so that records are reproducible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestContext {
    /// When the request completed.
    pub event_time: OffsetDateTime,
    /// A fresh random UUID per record.
    pub event_id: Uuid,
    /// Configuration `audit.region`.
    pub region: String,
    pub source_ip: String,
    /// The `User-Agent` header as received, empty when absent.
    pub user_agent: String,
    pub tls: Option<TlsDetails>,
}

/// One audit record. Build it with the builders of this module; serialise it with serde.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub event_version: &'static str,
    pub user_identity: UserIdentity,
    #[serde(serialize_with = "serialize_record_time")]
    pub event_time: OffsetDateTime,
    pub event_source: EventSource,
    pub event_name: String,
    pub aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    pub user_agent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// `null` when nothing is recorded.
    pub request_parameters: Option<Member>,
    /// `null` when nothing is recorded.
    pub response_elements: Option<Member>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_event_data: Option<Member>,
    #[serde(rename = "requestID", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(rename = "eventID", serialize_with = "serialize_uuid")]
    pub event_id: Uuid,
    pub read_only: bool,
    pub event_type: EventType,
    pub management_event: bool,
    #[serde(serialize_with = "serialize_account")]
    pub recipient_account_id: AccountId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_event_details: Option<Member>,
    pub event_category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_details: Option<TlsDetails>,
    /// Written as the string `"true"`, and left out when false.
    #[serde(skip_serializing_if = "std::ops::Not::not", serialize_with = "serialize_true_text")]
    pub session_credential_from_console: bool,
}

impl AuditRecord {
    /// A record with what every event has; the builders fill in the rest.
    pub(super) fn new(
        context: &RequestContext,
        user_identity: UserIdentity,
        event_source: EventSource,
        event_name: &str,
        event_type: EventType,
        recipient: &AccountId,
    ) -> Self {
        Self {
            event_version: EVENT_VERSION,
            user_identity,
            event_time: context.event_time,
            event_source,
            event_name: event_name.to_owned(),
            aws_region: context.region.clone(),
            source_ip_address: context.source_ip.clone(),
            user_agent: truncated(&context.user_agent, USER_AGENT_LIMIT).to_owned(),
            error_code: None,
            error_message: None,
            request_parameters: None,
            response_elements: None,
            additional_event_data: None,
            request_id: None,
            event_id: context.event_id,
            read_only: false,
            event_type,
            management_event: true,
            recipient_account_id: recipient.clone(),
            service_event_details: None,
            event_category: "Management",
            tls_details: None,
            session_credential_from_console: false,
        }
    }
}

/// The longest prefix of `text` within `limit` bytes that ends on a character boundary.
fn truncated(text: &str, limit: usize) -> &str {
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

fn serialize_uuid<S: Serializer>(id: &Uuid, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&id.hyphenated())
}

fn serialize_account<S: Serializer>(account: &AccountId, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(account.as_str())
}

fn serialize_true_text<S: Serializer>(_: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str("true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_are_cut_on_a_character_boundary() {
        assert_eq!(truncated("abc", 1024), "abc");
        let long = "é".repeat(600);
        let cut = truncated(&long, 1024);
        assert_eq!(cut.len(), 1024);
        assert_eq!(truncated("aé", 2), "a");
    }
}
