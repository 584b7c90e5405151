//! The dispatch path for JSON 1.1 calls (`cloudtrail.md` §8.1), the twin of the Query path in
//! `mod.rs` for requests carrying `X-Amz-Target`: target → SigV4 → principal → restrictions →
//! members → validate → authorize → operation → JSON.

use super::action::Action;
use super::audit_trail::{self, AuditedCall};
use super::{Answer, ApiState, Caller, Ctx, authorize, caller, cloudtrail};
use crate::audit::EventSource;
use crate::sigv4::{self, HttpRequest};
use crate::store;
use crate::wire::json::{self, Members};
use crate::wire::{ApiError, ErrorCode, Service};
use async_trait::async_trait;
use serde_json::Value;
use std::net::IpAddr;

/// A JSON-protocol action's steps, which [`execute`] always runs in this order, so no
/// operation can skip authorization.
#[async_trait]
pub trait JsonOperation: Sized + Send {
    const ACTION: Action;
    /// Builds the typed request; bad input → the operation's errors or `ValidationException`.
    /// Takes the request context: defaults may depend on the server clock.
    fn parse(members: &Members<'_>, ctx: &Ctx<'_>) -> Result<Self, ApiError>;
    /// The resource the policy decision is about.
    fn resource(&self, caller: &Caller) -> String;
    /// Does the work and returns the output members.
    async fn run(self, ctx: &Ctx<'_>) -> Result<Value, ApiError>;
}

async fn execute<O: JsonOperation>(ctx: &Ctx<'_>, members: &Members<'_>) -> Result<Value, ApiError> {
    let operation = O::parse(members, ctx)?;
    let resource = operation.resource(&ctx.caller);
    authorize::authorize(ctx, O::ACTION, &resource).await?;
    operation.run(ctx).await
}

/// Serves one JSON-protocol request. Never panics on input; every failure is an AWS error.
/// `client_ip` is the peer's address, for `sourceIPAddress` in audit records.
pub async fn handle_json(state: &ApiState, request: HttpRequest<'_>, client_ip: Option<IpAddr>) -> Answer {
    let request_id = uuid::Uuid::new_v4().to_string();
    match serve(state, &request, &request_id, client_ip).await {
        Ok(output) => Answer {
            status: 200,
            body: output.to_string(),
            request_id,
        },
        Err(error) => Answer {
            status: json::error_status(error.code),
            body: json::error_body(&error),
            request_id,
        },
    }
}

/// The action `X-Amz-Target` names, checked before authentication: the target also picks the
/// service whose name the signature must be scoped to.
fn resolve_action(request: &HttpRequest<'_>) -> Result<(Service, Action), ApiError> {
    let target = request.header(json::TARGET_HEADER).unwrap_or_default();
    let (service, operation) = json::target(target)?;
    let action = Action::find(service, operation).ok_or_else(|| json::unknown_operation(target))?;
    json::check_content_type(request.header("content-type"))?;
    Ok((service, action))
}

async fn serve(
    state: &ApiState,
    request: &HttpRequest<'_>,
    request_id: &str,
    client_ip: Option<IpAddr>,
) -> Result<Value, ApiError> {
    if request.method != "POST" {
        return Err(ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!("The HTTP method {} is not allowed.", request.method),
        ));
    }
    let (service, action) = resolve_action(request)?;
    let claim = sigv4::parse(request).map_err(caller::signature_error)?;
    let caller = caller::authenticate(state, request, &claim, service).await?;
    let ctx = Ctx {
        state,
        caller,
        now: state.clock.now(),
        request_id,
        user_agent: request.header("user-agent"),
    };
    let members = json::object(request.body);
    // From here on the call is recorded, whatever its outcome (`cloudtrail.md` §1, §3.4).
    let call = AuditedCall::begin(
        &ctx,
        EventSource::CloudTrail,
        action.name(),
        members.as_ref().map(audit_trail::json_members).unwrap_or_default(),
        client_ip,
    );
    let work = async {
        match &members {
            Ok(members) => run(action, &ctx, members).await,
            Err(error) => Err(error.clone()),
        }
    };
    let (outcome, landed) = store::with_pending_record(call.pending(&ctx), work).await;
    // JSON outputs are not recorded: the JSON actions are read-only (§2.4).
    call.finish(&ctx, outcome.as_ref().map(|_| None), landed, json::error_type)
        .await;
    outcome
}

async fn run(action: Action, ctx: &Ctx<'_>, members: &serde_json::Map<String, Value>) -> Result<Value, ApiError> {
    caller::check_restrictions(&ctx.caller, action)?;
    let members = Members::new(members);
    match action {
        Action::LookupEvents => execute::<cloudtrail::lookup_events::LookupEvents>(ctx, &members).await,
        other => Err(ApiError::new(
            ErrorCode::InvalidAction,
            format!("{} is not a JSON-protocol operation", other.name()),
        )),
    }
}
