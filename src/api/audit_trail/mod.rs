//! The audit record of every authenticated API call (`cloudtrail.md` §1–§3): built before the
//! operation runs and carried by each of its write transactions (so a change never commits
//! without its record), then completed with the outcome once the call has answered.

mod members;

pub use members::{json_members, request_members, response_members};

use super::Ctx;
use crate::audit::{self, ApiCall, AuditRecord, EventSource, Member, Outcome, RequestContext, UserIdentity};
use crate::domain::PrincipalIdentity;
use crate::store::AuditEntry;
use crate::wire::{ApiError, ErrorCode};
use std::net::IpAddr;

/// `ResourceType` of the records naming a member (`cloudtrail.md` §8.3).
const RESOURCE_MEMBERS: &[(&str, &str)] = &[
    ("UserName", "AWS::IAM::User"),
    ("AccessKeyId", "AWS::IAM::AccessKey"),
    ("SerialNumber", "AWS::IAM::VirtualMFADevice"),
    ("GroupName", "AWS::IAM::Group"),
    ("RoleName", "AWS::IAM::Role"),
    ("PolicyArn", "AWS::IAM::Policy"),
];

/// Failures that mean the request was not authenticated after all; never recorded (§1).
const AUTHENTICATION_FAILURES: &[ErrorCode] = &[ErrorCode::InvalidClientTokenId, ErrorCode::ExpiredToken];

/// One call being recorded.
pub struct AuditedCall {
    source: EventSource,
    action: &'static str,
    context: RequestContext,
    identity: UserIdentity,
    parameters: Vec<(String, Member)>,
    username: Option<String>,
}

impl AuditedCall {
    /// Starts the record of `action`, called by `ctx.caller` from `client_ip`.
    pub fn begin(
        ctx: &Ctx<'_>,
        source: EventSource,
        action: &'static str,
        parameters: Vec<(String, Member)>,
        client_ip: Option<IpAddr>,
    ) -> Self {
        let caller = &ctx.caller;
        let context = RequestContext {
            event_time: ctx.now,
            event_id: uuid::Uuid::new_v4(),
            region: ctx.state.audit_region.clone(),
            source_ip: client_ip.map(|ip| ip.to_string()).unwrap_or_default(),
            user_agent: ctx.user_agent.unwrap_or_default().to_owned(),
            tls: None,
        };
        let username = match &caller.principal {
            PrincipalIdentity::Root { .. } => Some("root".to_owned()),
            PrincipalIdentity::User { user } => Some(user.name.clone()),
            PrincipalIdentity::AssumedRole { session_name, .. } => Some(session_name.clone()),
        };
        Self {
            source,
            action,
            context,
            identity: UserIdentity::caller(&caller.principal, &caller.access_key_id, caller.session.as_ref()),
            parameters,
            username,
        }
    }

    /// The record the call's writes carry: the call as if it succeeded, without its output.
    pub fn pending(&self, ctx: &Ctx<'_>) -> AuditEntry {
        self.entry(ctx, Outcome::Success(Vec::new()), &[])
    }

    /// Stores the final record unless the pending one, already committed, says the same.
    /// `result_xml` is the result element written for a successful call; `code_name` names
    /// error codes as the call's protocol answered them.
    pub async fn finish(
        self,
        ctx: &Ctx<'_>,
        outcome: Result<Option<&str>, &ApiError>,
        pending_landed: bool,
        code_name: fn(ErrorCode) -> &'static str,
    ) {
        let entry = match outcome {
            Ok(result_xml) => {
                let output = match result_xml {
                    Some(xml) if audit::records_output(self.action) => response_members(xml),
                    _ => Vec::new(),
                };
                // A success without recorded output is exactly the pending record.
                if pending_landed && output.is_empty() {
                    return;
                }
                self.entry(ctx, Outcome::Success(output.clone()), &output)
            }
            Err(error) if AUTHENTICATION_FAILURES.contains(&error.code) => return,
            Err(error) => self.entry(
                ctx,
                Outcome::Failure {
                    code: code_name(error.code).to_owned(),
                    message: error.message.clone(),
                },
                &[],
            ),
        };
        // The answer does not wait on a failed audit write: the change (if any) is committed
        // with its pending record already.
        if let Err(error) = ctx.state.store.record_audit(entry).await {
            tracing::error!(error = %error, action = self.action, "could not store an audit record");
        }
    }

    fn entry(&self, ctx: &Ctx<'_>, outcome: Outcome, output: &[(String, Member)]) -> AuditEntry {
        let account = ctx.caller.principal.account_id();
        let record = audit::api_call(
            &self.context,
            ApiCall {
                source: self.source,
                action: self.action,
                caller: self.identity.clone(),
                account,
                request_id: ctx.request_id,
                parameters: self.parameters.clone(),
                outcome,
                from_console: false,
            },
        );
        audit_entry(
            &record,
            self.username.clone(),
            Some(ctx.caller.access_key_id.as_str().to_owned()),
            self.resources(output),
        )
    }

    /// What the call was about (§8.3): IAM entities it names in its parameters or output.
    fn resources(&self, output: &[(String, Member)]) -> Vec<(String, String)> {
        if self.source != EventSource::Iam {
            return Vec::new();
        }
        let mut found = Vec::new();
        for (member, kind) in RESOURCE_MEMBERS {
            for members in [self.parameters.as_slice(), output] {
                collect_texts(members, member, &mut |value| {
                    let resource = ((*kind).to_owned(), value.to_owned());
                    if !found.contains(&resource) {
                        found.push(resource);
                    }
                });
            }
        }
        found
    }
}

/// `record` as the store keeps it, with what `LookupEvents` finds it by (`cloudtrail.md` §8.3).
pub fn audit_entry(
    record: &AuditRecord,
    username: Option<String>,
    access_key_id: Option<String>,
    resources: Vec<(String, String)>,
) -> AuditEntry {
    AuditEntry {
        event_id: record.event_id.hyphenated().to_string(),
        account_id: record.recipient_account_id.clone(),
        event_time: record.event_time,
        event_name: record.event_name.clone(),
        event_source: record.event_source.as_str().to_owned(),
        region: record.aws_region.clone(),
        read_only: record.read_only,
        username,
        access_key_id,
        resources,
        // A record is plain data (string keys only); serialising it cannot fail.
        record: serde_json::to_string(record).unwrap_or_default(),
    }
}

/// Calls `found` with the text of every member called `name`, at any depth.
fn collect_texts(members: &[(String, Member)], name: &str, found: &mut dyn FnMut(&str)) {
    for (member_name, member) in members {
        match member {
            Member::Text(text) if member_name == name => found(text),
            Member::Structure(inner) => collect_texts(inner, name, found),
            _ => {}
        }
    }
}
