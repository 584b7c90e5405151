//! The one dispatch path for the Query API (`wire-protocol.md` §3):
//! decode → SigV4 → principal → action → validate → authorize → operation → XML.
//! JSON-protocol calls (CloudTrail) take the same steps in `json.rs`.
//! May use: `wire`, `sigv4`, `domain`, `auth`, the store traits. Never: axum.

pub mod action;
mod audit_trail;
mod authorize;
mod caller;
mod cloudtrail;
mod errors;
mod iam;
mod json;
mod mfa_check;
mod sts;
mod trust;

use crate::audit::EventSource;
use crate::clock::Clock;
use crate::secret::{DataKey, SecretError};
use crate::sigv4::{self, HttpRequest};
use crate::store::{self, Store};
use crate::wire::marker::MarkerKey;
use crate::wire::xml::{self, Xml};
use crate::wire::{ApiError, ErrorCode, Params, Service};
use action::Action;
use async_trait::async_trait;
use audit_trail::AuditedCall;
pub use audit_trail::audit_entry;
pub use caller::{Caller, Credential};
pub use json::handle_json;
use std::net::IpAddr;
use std::sync::Arc;
use time::OffsetDateTime;

/// Everything a request needs, shared by all requests.
pub struct ApiState {
    pub store: Arc<dyn Store>,
    pub clock: Clock,
    pub data_key: DataKey,
    pub markers: MarkerKey,
    pub allowed_regions: Option<Vec<String>>,
    /// The issuer authenticator apps show for virtual devices (`otp.md` §4.3).
    pub otp_issuer: String,
    /// `awsRegion` of audit records (configuration `audit.region`, `cloudtrail.md` §2.1).
    pub audit_region: String,
    /// Peers whose `X-Forwarded-For` names the client (configuration `audit.trusted_proxies`).
    pub trusted_proxies: Vec<IpAddr>,
}

/// The issuer shown by authenticator apps unless configured otherwise.
pub const DEFAULT_OTP_ISSUER: &str = "Tessera";
/// Where IAM, sign-in and global STS events are logged [AWS].
pub const DEFAULT_AUDIT_REGION: &str = "us-east-1";

impl ApiState {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Clock,
        data_key: DataKey,
        allowed_regions: Option<Vec<String>>,
    ) -> Result<Self, SecretError> {
        let markers = MarkerKey::new(data_key.derive("tessera pagination markers")?);
        Ok(Self {
            store,
            clock,
            data_key,
            markers,
            allowed_regions,
            otp_issuer: DEFAULT_OTP_ISSUER.to_owned(),
            audit_region: DEFAULT_AUDIT_REGION.to_owned(),
            trusted_proxies: Vec::new(),
        })
    }

    pub fn with_otp_issuer(mut self, issuer: String) -> Self {
        self.otp_issuer = issuer;
        self
    }
}

/// The answer to one API request (Query or JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub request_id: String,
}

/// One request being served: who asked, when, and the shared state.
pub struct Ctx<'a> {
    pub state: &'a ApiState,
    pub caller: Caller,
    pub now: OffsetDateTime,
    pub request_id: &'a str,
    /// The `User-Agent` header, for the `aws:UserAgent` condition key.
    pub user_agent: Option<&'a str>,
}

/// An action's three steps, which [`execute`] always runs in this order, so no operation can
/// skip authorization.
#[async_trait]
pub trait Operation: Sized + Send {
    const ACTION: Action;
    /// Builds the typed request; bad input → `ValidationError` (or the spec's error).
    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError>;
    /// The resource the policy decision is about (`iam-mfa.md` §3.5).
    fn resource(&self, caller: &Caller) -> String;
    /// Does the work; `None` for actions without an output shape.
    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError>;
}

async fn execute<O: Operation>(ctx: &Ctx<'_>, params: &Params) -> Result<Option<Xml>, ApiError> {
    let operation = O::parse(params, &ctx.caller)?;
    let resource = operation.resource(&ctx.caller);
    authorize::authorize(ctx, O::ACTION, &resource).await?;
    operation.run(ctx).await
}

/// Serves one Query-protocol request. Never panics on input; every failure is an AWS error.
/// `client_ip` is the peer's address, for `sourceIPAddress` in audit records.
pub async fn handle(state: &ApiState, request: HttpRequest<'_>, client_ip: Option<IpAddr>) -> Answer {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (service, outcome) = serve(state, &request, &request_id, client_ip).await;
    match outcome {
        Ok((action, result)) => Answer {
            status: 200,
            body: xml::success(service, action.name(), &request_id, result),
            request_id,
        },
        Err(error) => {
            let error = as_answered(service, error);
            Answer {
                status: error.code.status(),
                body: xml::error(service, &error, &request_id),
                request_id,
            }
        }
    }
}

/// The error as `service` answers it: STS names its internal failure differently (`sts.md`).
fn as_answered(service: Service, mut error: ApiError) -> ApiError {
    if service == Service::Sts && error.code == ErrorCode::ServiceFailure {
        error.code = ErrorCode::InternalFailure;
    }
    error
}

fn is_form(request: &HttpRequest<'_>) -> bool {
    request.headers.iter().any(|(name, value)| {
        name == "content-type"
            && value
                .split(';')
                .next()
                .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    })
}

type Outcome = Result<(Action, Option<Xml>), ApiError>;

async fn serve(
    state: &ApiState,
    request: &HttpRequest<'_>,
    request_id: &str,
    client_ip: Option<IpAddr>,
) -> (Service, Outcome) {
    if request.method != "GET" && request.method != "POST" {
        let error = ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!("The HTTP method {} is not allowed.", request.method),
        );
        return (Service::Iam, Err(error));
    }
    let body = (request.method == "POST" && is_form(request)).then_some(request.body);
    let params = match Params::parse(request.raw_query, body, sigv4::is_auth_query_param) {
        Ok(params) => params,
        Err(error) => return (Service::Iam, Err(error)),
    };
    let claim = sigv4::parse(request);
    // The Version parameter picks the service; without it the credential scope does (§1).
    let service = params
        .get("Version")
        .and_then(Service::from_version)
        .or_else(|| {
            claim
                .as_ref()
                .ok()
                .and_then(|c| Service::from_signing_name(&c.scope.service))
        })
        .unwrap_or(Service::Iam);
    let outcome = async {
        let claim = claim.map_err(caller::signature_error)?;
        let caller = caller::authenticate(state, request, &claim, service).await?;
        let action = resolve_action(&params, service)?;
        let ctx = Ctx {
            state,
            caller,
            now: state.clock.now(),
            request_id,
            user_agent: request
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("user-agent"))
                .map(|(_, value)| value.as_str()),
        };
        // From here on the call is recorded, whatever its outcome (`cloudtrail.md` §1).
        let call = AuditedCall::begin(
            &ctx,
            audit_source(service),
            action.name(),
            audit_trail::request_members(&params),
            client_ip,
        );
        let work = async {
            caller::check_restrictions(&ctx.caller, action)?;
            dispatch(action, &ctx, &params).await
        };
        let (result, landed) = store::with_pending_record(call.pending(&ctx), work).await;
        let result = result.map_err(|error| as_answered(service, error));
        let answered = result.as_ref().map(|xml| xml.as_ref().map(Xml::as_str));
        call.finish(&ctx, answered, landed, ErrorCode::code).await;
        Ok((action, result?))
    }
    .await;
    (service, outcome)
}

fn audit_source(service: Service) -> EventSource {
    match service {
        Service::Iam => EventSource::Iam,
        Service::Sts => EventSource::Sts,
        Service::CloudTrail => EventSource::CloudTrail,
    }
}

fn resolve_action(params: &Params, service: Service) -> Result<Action, ApiError> {
    let name = params
        .get("Action")
        .ok_or_else(|| ApiError::new(ErrorCode::MissingAction, "Missing Action"))?;
    let version = params.get("Version").ok_or_else(|| {
        ApiError::new(
            ErrorCode::MissingParameter,
            "The request must contain the parameter Version",
        )
    })?;
    if version != service.version() {
        return Err(ApiError::new(
            ErrorCode::InvalidAction,
            format!("Could not find operation {name} for version {version}"),
        ));
    }
    Action::find(service, name).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidAction,
            format!("Could not find operation {name} for version {version}"),
        )
    })
}

async fn dispatch(action: Action, ctx: &Ctx<'_>, params: &Params) -> Result<Option<Xml>, ApiError> {
    use iam::policy_owners::{GroupOwner, RoleOwner, UserOwner};
    use iam::*;
    match action {
        Action::CreateUser => execute::<users::CreateUser>(ctx, params).await,
        Action::GetUser => execute::<users::GetUser>(ctx, params).await,
        Action::ListUsers => execute::<users::ListUsers>(ctx, params).await,
        Action::UpdateUser => execute::<users::UpdateUser>(ctx, params).await,
        Action::DeleteUser => execute::<users::DeleteUser>(ctx, params).await,
        Action::TagUser => execute::<user_tags::TagUser>(ctx, params).await,
        Action::UntagUser => execute::<user_tags::UntagUser>(ctx, params).await,
        Action::ListUserTags => execute::<user_tags::ListUserTags>(ctx, params).await,
        Action::CreateLoginProfile => execute::<login_profiles::CreateLoginProfile>(ctx, params).await,
        Action::GetLoginProfile => execute::<login_profiles::GetLoginProfile>(ctx, params).await,
        Action::UpdateLoginProfile => execute::<login_profiles::UpdateLoginProfile>(ctx, params).await,
        Action::DeleteLoginProfile => execute::<login_profiles::DeleteLoginProfile>(ctx, params).await,
        Action::CreateAccessKey => execute::<access_keys::CreateAccessKey>(ctx, params).await,
        Action::ListAccessKeys => execute::<access_keys::ListAccessKeys>(ctx, params).await,
        Action::UpdateAccessKey => execute::<access_keys::UpdateAccessKey>(ctx, params).await,
        Action::DeleteAccessKey => execute::<access_keys::DeleteAccessKey>(ctx, params).await,
        Action::GetAccessKeyLastUsed => execute::<access_keys::GetAccessKeyLastUsed>(ctx, params).await,
        Action::CreateAccountAlias => execute::<account::CreateAccountAlias>(ctx, params).await,
        Action::DeleteAccountAlias => execute::<account::DeleteAccountAlias>(ctx, params).await,
        Action::ListAccountAliases => execute::<account::ListAccountAliases>(ctx, params).await,
        Action::GetAccountSummary => execute::<account::GetAccountSummary>(ctx, params).await,
        Action::GenerateCredentialReport => execute::<credential_report::GenerateCredentialReport>(ctx, params).await,
        Action::GetCredentialReport => execute::<credential_report::GetCredentialReport>(ctx, params).await,
        Action::CreateVirtualMFADevice => execute::<virtual_mfa_devices::CreateVirtualMfaDevice>(ctx, params).await,
        Action::DeleteVirtualMFADevice => execute::<virtual_mfa_devices::DeleteVirtualMfaDevice>(ctx, params).await,
        Action::ListVirtualMFADevices => execute::<virtual_mfa_devices::ListVirtualMfaDevices>(ctx, params).await,
        Action::TagMFADevice => execute::<virtual_mfa_devices::TagMfaDevice>(ctx, params).await,
        Action::UntagMFADevice => execute::<virtual_mfa_devices::UntagMfaDevice>(ctx, params).await,
        Action::ListMFADeviceTags => execute::<virtual_mfa_devices::ListMfaDeviceTags>(ctx, params).await,
        Action::EnableMFADevice => execute::<mfa_devices::EnableMfaDevice>(ctx, params).await,
        Action::DeactivateMFADevice => execute::<mfa_devices::DeactivateMfaDevice>(ctx, params).await,
        Action::ResyncMFADevice => execute::<mfa_devices::ResyncMfaDevice>(ctx, params).await,
        Action::ListMFADevices => execute::<mfa_devices::ListMfaDevices>(ctx, params).await,
        Action::GetMFADevice => execute::<mfa_devices::GetMfaDevice>(ctx, params).await,
        // Groups, inline and managed policies.
        Action::CreateGroup => execute::<groups::CreateGroup>(ctx, params).await,
        Action::GetGroup => execute::<groups::GetGroup>(ctx, params).await,
        Action::ListGroups => execute::<groups::ListGroups>(ctx, params).await,
        Action::UpdateGroup => execute::<groups::UpdateGroup>(ctx, params).await,
        Action::DeleteGroup => execute::<groups::DeleteGroup>(ctx, params).await,
        Action::AddUserToGroup => execute::<groups::AddUserToGroup>(ctx, params).await,
        Action::RemoveUserFromGroup => execute::<groups::RemoveUserFromGroup>(ctx, params).await,
        Action::ListGroupsForUser => execute::<groups::ListGroupsForUser>(ctx, params).await,
        Action::PutUserPolicy => execute::<inline_policies::PutPolicy<UserOwner>>(ctx, params).await,
        Action::GetUserPolicy => execute::<inline_policies::GetPolicy<UserOwner>>(ctx, params).await,
        Action::ListUserPolicies => execute::<inline_policies::ListPolicies<UserOwner>>(ctx, params).await,
        Action::DeleteUserPolicy => execute::<inline_policies::DeletePolicy<UserOwner>>(ctx, params).await,
        Action::PutGroupPolicy => execute::<inline_policies::PutPolicy<GroupOwner>>(ctx, params).await,
        Action::GetGroupPolicy => execute::<inline_policies::GetPolicy<GroupOwner>>(ctx, params).await,
        Action::ListGroupPolicies => execute::<inline_policies::ListPolicies<GroupOwner>>(ctx, params).await,
        Action::DeleteGroupPolicy => execute::<inline_policies::DeletePolicy<GroupOwner>>(ctx, params).await,
        Action::PutRolePolicy => execute::<inline_policies::PutPolicy<RoleOwner>>(ctx, params).await,
        Action::GetRolePolicy => execute::<inline_policies::GetPolicy<RoleOwner>>(ctx, params).await,
        Action::ListRolePolicies => execute::<inline_policies::ListPolicies<RoleOwner>>(ctx, params).await,
        Action::DeleteRolePolicy => execute::<inline_policies::DeletePolicy<RoleOwner>>(ctx, params).await,
        Action::CreatePolicy => execute::<managed_policies::CreatePolicy>(ctx, params).await,
        Action::GetPolicy => execute::<managed_policies::GetPolicy>(ctx, params).await,
        Action::ListPolicies => execute::<managed_policies::ListPolicies>(ctx, params).await,
        Action::DeletePolicy => execute::<managed_policies::DeletePolicy>(ctx, params).await,
        Action::CreatePolicyVersion => execute::<policy_versions::CreatePolicyVersion>(ctx, params).await,
        Action::GetPolicyVersion => execute::<policy_versions::GetPolicyVersion>(ctx, params).await,
        Action::ListPolicyVersions => execute::<policy_versions::ListPolicyVersions>(ctx, params).await,
        Action::DeletePolicyVersion => execute::<policy_versions::DeletePolicyVersion>(ctx, params).await,
        Action::SetDefaultPolicyVersion => execute::<policy_versions::SetDefaultPolicyVersion>(ctx, params).await,
        Action::AttachUserPolicy => execute::<attached_policies::AttachPolicy<UserOwner>>(ctx, params).await,
        Action::DetachUserPolicy => execute::<attached_policies::DetachPolicy<UserOwner>>(ctx, params).await,
        Action::ListAttachedUserPolicies => {
            execute::<attached_policies::ListAttachedPolicies<UserOwner>>(ctx, params).await
        }
        Action::AttachGroupPolicy => execute::<attached_policies::AttachPolicy<GroupOwner>>(ctx, params).await,
        Action::DetachGroupPolicy => execute::<attached_policies::DetachPolicy<GroupOwner>>(ctx, params).await,
        Action::ListAttachedGroupPolicies => {
            execute::<attached_policies::ListAttachedPolicies<GroupOwner>>(ctx, params).await
        }
        Action::AttachRolePolicy => execute::<attached_policies::AttachPolicy<RoleOwner>>(ctx, params).await,
        Action::DetachRolePolicy => execute::<attached_policies::DetachPolicy<RoleOwner>>(ctx, params).await,
        Action::ListAttachedRolePolicies => {
            execute::<attached_policies::ListAttachedPolicies<RoleOwner>>(ctx, params).await
        }
        Action::GetCallerIdentity => execute::<sts::identity::GetCallerIdentity>(ctx, params).await,
        Action::GetAccessKeyInfo => execute::<sts::identity::GetAccessKeyInfo>(ctx, params).await,
        Action::GetSessionToken => execute::<sts::session_token::GetSessionToken>(ctx, params).await,
        // Roles
        Action::CreateRole => execute::<roles::CreateRole>(ctx, params).await,
        Action::GetRole => execute::<roles::GetRole>(ctx, params).await,
        Action::ListRoles => execute::<roles::ListRoles>(ctx, params).await,
        Action::UpdateRole => execute::<roles::UpdateRole>(ctx, params).await,
        Action::UpdateAssumeRolePolicy => execute::<roles::UpdateAssumeRolePolicy>(ctx, params).await,
        Action::DeleteRole => execute::<roles::DeleteRole>(ctx, params).await,
        Action::TagRole => execute::<role_tags::TagRole>(ctx, params).await,
        Action::UntagRole => execute::<role_tags::UntagRole>(ctx, params).await,
        Action::ListRoleTags => execute::<role_tags::ListRoleTags>(ctx, params).await,
        Action::AssumeRole => execute::<sts::assume_role::AssumeRole>(ctx, params).await,
        // Answered over JSON only (`json.rs`); the Query path never resolves it.
        Action::LookupEvents => Err(ApiError::new(
            ErrorCode::InvalidAction,
            "LookupEvents is a JSON-protocol operation",
        )),
    }
}
