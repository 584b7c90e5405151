//! Who is calling: SigV4 verification and credential resolution (`wire-protocol.md` §8.6).
//! Every failure to resolve a key gives the same answer, so callers cannot probe which keys
//! or users exist.

use super::ApiState;
use crate::clock::Clock;
use crate::domain::{AccessKeyId, AccessKeyStatus, KeyCredential, KeyKind, KeyUse, PrincipalIdentity};
use crate::sigv4::{self, Claim, HttpRequest, SigV4Error};
use crate::wire::{ApiError, ErrorCode, Service};
use zeroize::Zeroize;

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    pub principal: PrincipalIdentity,
    pub access_key_id: AccessKeyId,
    /// The region the request was signed for.
    pub region: String,
}

pub fn invalid_token() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidClientTokenId,
        "The security token included in the request is invalid.",
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

/// Resolves the claim's key, checks the signature and, on success, notes the key's use.
pub async fn authenticate(
    state: &ApiState,
    request: &HttpRequest<'_>,
    claim: &Claim,
    service: Service,
) -> Result<Caller, ApiError> {
    let Some(credential) = resolve_key(state, claim).await? else {
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
    let key_id = credential.key.id.clone();
    let mut secret = state
        .data_key
        .open(&credential.sealed_secret, key_id.as_str().as_bytes())
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
    note_key_use(state, &credential.key.last_used, &key_id, claim, service).await;
    Ok(Caller {
        principal: credential.principal,
        access_key_id: key_id,
        region: claim.scope.region.clone(),
    })
}

/// Stands in for a secret when the key is unknown; the outcome is discarded.
const DECOY_SECRET: &[u8] = b"tessera-decoy-secret-for-unknown-keys";

/// The active long-term credential a claim names, or `None` for anything that must be refused.
async fn resolve_key(state: &ApiState, claim: &Claim) -> Result<Option<KeyCredential>, ApiError> {
    let Some((key_id, kind)) = AccessKeyId::parse(&claim.access_key_id) else {
        return Ok(None);
    };
    // Only long-term keys exist so far; a session token sent with one is refused (§8.6 step 2).
    if kind == KeyKind::Session || claim.session_token.is_some() {
        return Ok(None);
    }
    let credential = state.store.key_credential(&key_id).await?;
    Ok(credential.filter(|c| c.key.status == AccessKeyStatus::Active))
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
