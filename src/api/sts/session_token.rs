//! GetSessionToken (`sts.md` §3): session credentials, with MFA when a serial and code are
//! given. Any one of the caller's TOTP devices is enough (SR-12); FIDO devices never (SR-26).

use crate::api::action::Action;
use crate::api::errors::internal;
use crate::api::mfa_check::single_check;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::mfa_device::is_fido_serial;
use crate::domain::session::{MfaContext, get_session_token_duration};
use crate::domain::{AccessKeyId, KeyKind, PrincipalIdentity, generate_secret_access_key};
use crate::secret::random_bytes;
use crate::store::{CodeVerdict, NewSession};
use crate::wire::shapes::{SESSION_DURATION, STS_SERIAL_NUMBER, TOKEN_CODE};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;
use sha2::{Digest, Sha256};

/// Random bytes behind a session token (`sts.md` §2: at least 32).
const TOKEN_BYTES: usize = 48;

const NOT_THIS_USERS_DEVICE: &str = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.";
const WRONG_CODE: &str = "MultiFactorAuthentication failed with invalid MFA one time pass code.";

pub struct GetSessionToken {
    duration: Option<i64>,
    mfa: Option<(String, String)>,
}

#[async_trait]
impl Operation for GetSessionToken {
    const ACTION: Action = Action::GetSessionToken;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let duration = v.optional_int(params, "DurationSeconds", &SESSION_DURATION);
        let serial = v.optional(params, "SerialNumber", &STS_SERIAL_NUMBER);
        let code = v.optional(params, "TokenCode", &TOKEN_CODE);
        v.finish()?;
        let mfa = match (serial, code) {
            (None, None) => None,
            (Some(serial), Some(code)) => Some((serial, code)),
            _ => {
                return Err(ApiError::new(
                    ErrorCode::AccessDenied,
                    "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
                ));
            }
        };
        Ok(Self { duration, mfa })
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let principal = &ctx.caller.principal;
        let account = principal.account_id();
        let mfa = match self.mfa {
            None => None,
            Some((serial, code)) => {
                // FIDO information can never be passed to STS [AWS].
                if is_fido_serial(&serial) {
                    return Err(ApiError::new(ErrorCode::AccessDenied, NOT_THIS_USERS_DEVICE));
                }
                let check = single_check(ctx.state, account, code, ctx.now.unix_timestamp());
                match ctx
                    .state
                    .store
                    .verify_mfa_code(account, &principal.owner(), &serial, check)
                    .await?
                {
                    CodeVerdict::Accepted => Some(MfaContext {
                        serial,
                        authenticated_at: ctx.now,
                    }),
                    CodeVerdict::Refused => return Err(ApiError::new(ErrorCode::AccessDenied, WRONG_CODE)),
                    CodeVerdict::NoSuchDevice => {
                        return Err(ApiError::new(ErrorCode::AccessDenied, NOT_THIS_USERS_DEVICE));
                    }
                }
            }
        };
        let root = matches!(principal, PrincipalIdentity::Root { .. });
        let expires_at = ctx.now + time::Duration::seconds(get_session_token_duration(root, self.duration));
        let key_id = AccessKeyId::generate(KeyKind::Session).map_err(internal)?;
        let secret = generate_secret_access_key().map_err(internal)?;
        let mut token_bytes = [0u8; TOKEN_BYTES];
        random_bytes(&mut token_bytes).map_err(internal)?;
        let token = data_encoding::BASE64.encode(&token_bytes);
        let session = NewSession {
            access_key_id: key_id.clone(),
            owner: principal.owner(),
            token_hash: Sha256::digest(token.as_bytes()).to_vec(),
            sealed_secret: ctx
                .state
                .data_key
                .seal_text(secret.expose(), key_id.as_str().as_bytes())
                .map_err(internal)?,
            created_at: ctx.now,
            expires_at,
            source_key_id: ctx.caller.access_key_id.clone(),
            mfa,
        };
        ctx.state.store.create_session(account, session).await?;
        let mut xml = Xml::new();
        xml.node("Credentials", |xml| {
            xml.leaf("AccessKeyId", key_id.as_str())
                .leaf("SecretAccessKey", secret.expose())
                .leaf("SessionToken", &token)
                .leaf("Expiration", &timestamp(expires_at));
        });
        Ok(Some(xml))
    }
}
