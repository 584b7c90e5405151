//! Who is calling: SigV4 verification and credential resolution (`wire-protocol.md` §8.6),
//! for long-term keys (`AKIA`) and STS sessions (`ASIA` + `X-Amz-Security-Token`). Every
//! failure to resolve a key gives the same answer, so callers cannot probe which keys or users
//! exist.

use super::ApiState;
use super::action::Action;
use crate::audit::CallerSession;
use crate::clock::Clock;
use crate::domain::session::MfaContext;
use crate::domain::{AccessKeyId, AccessKeyStatus, KeyKind, KeyUse, PrincipalIdentity};
use crate::sigv4::{self, Claim, HttpRequest, SigV4Error};
use crate::wire::{ApiError, ErrorCode, Service};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// The kind of credential a request was signed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    LongTerm,
    /// `GetSessionToken` credentials, with the MFA check that opened the session, if any.
    Session {
        mfa: Option<MfaContext>,
    },
    /// `AssumeRole` credentials. They carry no MFA context into later calls (`sts.md` §6),
    /// even when the role was assumed with MFA; only their audit records say so.
    RoleSession,
}

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    pub principal: PrincipalIdentity,
    pub access_key_id: AccessKeyId,
    /// The region the request was signed for.
    pub region: String,
    pub credential: Credential,
    /// When the caller signs with session credentials: when the session opened and whether
    /// with MFA, as audit records show them (`cloudtrail.md` §2.2).
    pub session: Option<CallerSession>,
}

pub fn invalid_token() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidClientTokenId,
        "The security token included in the request is invalid.",
    )
}

/// GetSessionToken needs long-term credentials (`sts.md` §3 step 2).
pub fn session_token_needs_long_term_key() -> ApiError {
    ApiError::new(
        ErrorCode::AccessDenied,
        "Cannot call GetSessionToken with session credentials",
    )
}

pub fn signature_error(error: SigV4Error) -> ApiError {
    match error {
        SigV4Error::Missing => ApiError::new(
            ErrorCode::MissingAuthenticationToken,
            "Request is missing Authentication Token",
        ),
        SigV4Error::Incomplete(message) => ApiError::new(ErrorCode::IncompleteSignature, message),
        SigV4Error::DoesNotMatch(message) => ApiError::new(ErrorCode::SignatureDoesNotMatch, message),
        SigV4Error::PresignExpired => ApiError::new(ErrorCode::RequestExpired, "Request has expired."),
    }
}

/// Stands in for a secret when the key is unknown; the outcome is discarded.
const DECOY_SECRET: &[u8] = b"tessera-decoy-secret-for-unknown-keys";

/// A key that resolved: who it is, its sealed secret, and what kind of credential it is.
struct Resolved {
    key_id: AccessKeyId,
    principal: PrincipalIdentity,
    sealed_secret: Vec<u8>,
    credential: Credential,
    session: Option<CallerSession>,
    /// Long-term keys only: where the key was last used (not worth rewriting every request).
    last_used: Option<Option<KeyUse>>,
}

/// The credential a claim names, `None` for anything that must be refused as an invalid token.
async fn resolve(state: &ApiState, claim: &Claim) -> Result<Option<Resolved>, ApiError> {
    let Some((key_id, kind)) = AccessKeyId::parse(&claim.access_key_id) else {
        return Ok(None);
    };
    match kind {
        KeyKind::LongTerm => {
            // A session token sent with a long-term key is refused (§8.6 step 2).
            if claim.session_token.is_some() {
                return Ok(None);
            }
            let Some(credential) = state.store.key_credential(&key_id).await? else {
                return Ok(None);
            };
            if credential.key.status != AccessKeyStatus::Active {
                return Ok(None);
            }
            Ok(Some(Resolved {
                key_id,
                principal: credential.principal,
                sealed_secret: credential.sealed_secret,
                credential: Credential::LongTerm,
                session: None,
                last_used: Some(credential.key.last_used),
            }))
        }
        KeyKind::Session => {
            let Some(token) = &claim.session_token else {
                return Ok(None);
            };
            let Some(session) = state.store.session_credential(&key_id).await? else {
                return Ok(None);
            };
            // Only the token's hash is stored; compare in constant time (§8.6 step 3).
            let presented = Sha256::digest(token.as_bytes());
            if !bool::from(presented.as_slice().ct_eq(&session.token_hash)) {
                return Ok(None);
            }
            if state.clock.now() >= session.session.expires_at {
                return Err(ApiError::new(
                    ErrorCode::ExpiredToken,
                    "The security token included in the request is expired",
                ));
            }
            let audited = CallerSession {
                created_at: session.session.created_at,
                mfa_authenticated: session.session.mfa.is_some(),
            };
            let credential = match session.principal {
                PrincipalIdentity::AssumedRole { .. } => Credential::RoleSession,
                PrincipalIdentity::Root { .. } | PrincipalIdentity::User { .. } => Credential::Session {
                    mfa: session.session.mfa,
                },
            };
            Ok(Some(Resolved {
                key_id,
                principal: session.principal,
                sealed_secret: session.sealed_secret,
                credential,
                session: Some(audited),
                last_used: None,
            }))
        }
    }
}

/// Resolves the claim's key, checks the signature and, on success, notes a long-term key's use.
pub async fn authenticate(
    state: &ApiState,
    request: &HttpRequest<'_>,
    claim: &Claim,
    service: Service,
) -> Result<Caller, ApiError> {
    let Some(resolved) = resolve(state, claim).await? else {
        // Do the signature work anyway, so unknown and known keys cost the same (§8.6).
        let _ = sigv4::verify(
            request,
            claim,
            DECOY_SECRET,
            service.signing_name(),
            None,
            Clock::real_now(),
        );
        return Err(invalid_token());
    };
    let mut secret = state
        .data_key
        .open(&resolved.sealed_secret, resolved.key_id.as_str().as_bytes())
        .map_err(super::errors::internal)?;
    let verified = sigv4::verify(
        request,
        claim,
        &secret,
        service.signing_name(),
        state.allowed_regions.as_deref(),
        Clock::real_now(),
    );
    secret.zeroize();
    verified.map_err(signature_error)?;
    if let Some(last_used) = &resolved.last_used {
        note_key_use(state, last_used, &resolved.key_id, claim, service).await;
    }
    Ok(Caller {
        principal: resolved.principal,
        access_key_id: resolved.key_id,
        region: claim.scope.region.clone(),
        credential: resolved.credential,
        session: resolved.session,
    })
}

/// What session credentials may call (`sts.md` §4, §6), checked before any policy. Role
/// sessions may call IAM and every other STS action (role chaining included).
pub fn check_restrictions(caller: &Caller, action: Action) -> Result<(), ApiError> {
    match (&caller.credential, action) {
        (Credential::Session { .. } | Credential::RoleSession, Action::GetSessionToken) => {
            Err(session_token_needs_long_term_key())
        }
        // IAM refuses sessions opened without MFA outright [AWS, observed].
        (Credential::Session { mfa: None }, action) if action.service() == Service::Iam => Err(invalid_token()),
        _ => Ok(()),
    }
}

/// Last-used data has minute precision in AWS; writing it more often only costs commits.
const LAST_USED_GRANULARITY_SECONDS: i64 = 60;

async fn note_key_use(state: &ApiState, last: &Option<KeyUse>, key: &AccessKeyId, claim: &Claim, service: Service) {
    let now = state.clock.now();
    let used = KeyUse {
        at: now,
        region: claim.scope.region.clone(),
        service: service.signing_name().to_owned(),
    };
    let fresh = last.as_ref().is_some_and(|last| {
        last.region == used.region
            && last.service == used.service
            && (now - last.at).whole_seconds().abs() < LAST_USED_GRANULARITY_SECONDS
    });
    if !fresh {
        // The request itself does not depend on this bookkeeping; a failure is only logged.
        if let Err(error) = state.store.record_key_use(key, used).await {
            tracing::warn!(error = %error, "could not record access key use");
        }
    }
}
