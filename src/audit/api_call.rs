//! Records of IAM, STS and CloudTrail calls, made through the API or by the console on the
//! caller's behalf (`cloudtrail.md` §2–§3, §5): `eventType` `AwsApiCall`.

use super::identity::UserIdentity;
use super::record::{AuditRecord, EventSource, EventType, RequestContext};
use super::redact::{Member, recorded};
use crate::domain::AccountId;

/// `requestParameters.userName` of a console action that targets the root user (§2.3) [AWS].
pub const ROOT_USER_NAME: &str = "AWS ROOT USER";

/// How a call ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The output members the API returned (secrets included: they are removed here).
    Success(Vec<(String, Member)>),
    /// The AWS error code and message returned.
    Failure { code: String, message: String },
}

/// One authenticated call.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiCall<'a> {
    pub source: EventSource,
    /// The action name, e.g. `EnableMFADevice`.
    pub action: &'a str,
    pub caller: UserIdentity,
    /// The account the record belongs to: the caller's.
    pub account: &'a AccountId,
    /// The request's `RequestId`.
    pub request_id: &'a str,
    /// The request members that were present, named as in the AWS model.
    pub parameters: Vec<(String, Member)>,
    pub outcome: Outcome,
    /// Made by the console for a signed-in user (`sessionCredentialFromConsole`).
    pub from_console: bool,
}

/// Read-only actions (§3): `Get*`, `List*` and `LookupEvents`.
fn is_read_only(action: &str) -> bool {
    ["Get", "List", "Lookup"]
        .iter()
        .any(|prefix| action.starts_with(prefix))
}

/// Whether a successful call's output is recorded: mutating actions only (§2.4), except
/// `GetSessionToken`, whose credentials are recorded although it is read-only (§3.2).
pub fn records_output(action: &str) -> bool {
    !is_read_only(action) || action == "GetSessionToken"
}

pub fn api_call(context: &RequestContext, call: ApiCall<'_>) -> AuditRecord {
    let mut record = AuditRecord::new(
        context,
        call.caller,
        call.source,
        call.action,
        EventType::AwsApiCall,
        call.account,
    );
    record.request_parameters = recorded(call.parameters);
    match call.outcome {
        Outcome::Success(output) if records_output(call.action) => record.response_elements = recorded(output),
        Outcome::Success(_) => {}
        Outcome::Failure { code, message } => {
            record.error_code = Some(code);
            record.error_message = Some(message);
        }
    }
    record.request_id = Some(call.request_id.to_owned());
    record.read_only = is_read_only(call.action);
    record.tls_details = context.tls.clone();
    record.session_credential_from_console = call.from_console;
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_marks_reads() {
        for action in [
            "GetUser",
            "ListMFADevices",
            "GetSessionToken",
            "GetCallerIdentity",
            "LookupEvents",
        ] {
            assert!(is_read_only(action), "{action}");
        }
        for action in [
            "CreateUser",
            "EnableMFADevice",
            "GenerateCredentialReport",
            "ChangePassword",
        ] {
            assert!(!is_read_only(action), "{action}");
        }
        assert!(records_output("GetSessionToken"));
        assert!(!records_output("GetUser"));
        assert!(records_output("CreateAccessKey"));
    }
}
