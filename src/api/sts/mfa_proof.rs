//! The MFA proof STS actions accept (`SerialNumber` + `TokenCode`), verified with the
//! single-code rule against the caller's own TOTP devices (`sts.md` §3 step 4). One code path
//! for GetSessionToken and AssumeRole, so both answer alike.

use crate::api::Ctx;
use crate::api::mfa_check::single_check;
use crate::domain::mfa_device::is_fido_serial;
use crate::domain::session::MfaContext;
use crate::store::CodeVerdict;
use crate::wire::shapes::{STS_SERIAL_NUMBER, TOKEN_CODE};
use crate::wire::validate::Validator;
use crate::wire::{ApiError, ErrorCode, Params};

const NOT_THIS_USERS_DEVICE: &str = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.";
const WRONG_CODE: &str = "MultiFactorAuthentication failed with invalid MFA one time pass code.";
const HALF_PROOF: &str =
    "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.";

/// `SerialNumber` and `TokenCode` as validated; whether they form a proof is decided after the
/// request's validation errors, which come first.
pub struct MfaParams {
    serial: Option<String>,
    code: Option<String>,
}

/// A serial and a code, both present.
pub struct MfaProof {
    serial: String,
    code: String,
}

impl MfaParams {
    pub fn parse(v: &mut Validator, params: &Params) -> Self {
        Self {
            serial: v.optional(params, "SerialNumber", &STS_SERIAL_NUMBER),
            code: v.optional(params, "TokenCode", &TOKEN_CODE),
        }
    }

    /// Neither → no proof; only one of the two → `AccessDenied`.
    pub fn proof(self) -> Result<Option<MfaProof>, ApiError> {
        match (self.serial, self.code) {
            (None, None) => Ok(None),
            (Some(serial), Some(code)) => Ok(Some(MfaProof { serial, code })),
            _ => Err(ApiError::new(ErrorCode::AccessDenied, HALF_PROOF)),
        }
    }
}

impl MfaProof {
    /// Checks the code once (a code is accepted only once per device); success is the MFA
    /// context of whatever the proof opens.
    pub async fn verify(self, ctx: &Ctx<'_>) -> Result<MfaContext, ApiError> {
        let principal = &ctx.caller.principal;
        // FIDO information can never be passed to STS, and role sessions hold no devices [AWS].
        let owner = match principal.owner() {
            Some(owner) if !is_fido_serial(&self.serial) => owner,
            _ => return Err(ApiError::new(ErrorCode::AccessDenied, NOT_THIS_USERS_DEVICE)),
        };
        let account = principal.account_id();
        let check = single_check(ctx.state, account, self.code, ctx.now.unix_timestamp());
        match ctx
            .state
            .store
            .verify_mfa_code(account, &owner, &self.serial, ctx.now, check)
            .await?
        {
            CodeVerdict::Accepted => Ok(MfaContext {
                serial: self.serial,
                authenticated_at: ctx.now,
            }),
            CodeVerdict::Refused => Err(ApiError::new(ErrorCode::AccessDenied, WRONG_CODE)),
            CodeVerdict::NoSuchDevice => Err(ApiError::new(ErrorCode::AccessDenied, NOT_THIS_USERS_DEVICE)),
        }
    }
}
