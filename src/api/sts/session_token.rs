//! GetSessionToken (`sts.md` §3): session credentials, with MFA when a serial and code are
//! given. Any one of the caller's TOTP devices is enough (SR-12); FIDO devices never (SR-26).

use super::credentials;
use super::mfa_proof::MfaParams;
use crate::api::action::Action;
use crate::api::caller::session_token_needs_long_term_key;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::PrincipalIdentity;
use crate::domain::session::get_session_token_duration;
use crate::store::SessionHolder;
use crate::wire::shapes::SESSION_DURATION;
use crate::wire::validate::Validator;
use crate::wire::xml::Xml;
use crate::wire::{ApiError, Params};
use async_trait::async_trait;

pub struct GetSessionToken {
    duration: Option<i64>,
    mfa: Option<super::mfa_proof::MfaProof>,
}

#[async_trait]
impl Operation for GetSessionToken {
    const ACTION: Action = Action::GetSessionToken;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let duration = v.optional_int(params, "DurationSeconds", &SESSION_DURATION);
        let mfa = MfaParams::parse(&mut v, params);
        v.finish()?;
        Ok(Self {
            duration,
            mfa: mfa.proof()?,
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        // Only long-term keys of root and users get here (`check_restrictions`).
        let Some(owner) = ctx.caller.principal.owner() else {
            return Err(session_token_needs_long_term_key());
        };
        let mfa = match self.mfa {
            None => None,
            Some(proof) => Some(proof.verify(ctx).await?),
        };
        let root = matches!(ctx.caller.principal, PrincipalIdentity::Root { .. });
        let expires_at = ctx.now + time::Duration::seconds(get_session_token_duration(root, self.duration));
        let issued = credentials::issue(ctx, SessionHolder::Owner(owner), expires_at, mfa).await?;
        let mut xml = Xml::new();
        issued.write(&mut xml);
        Ok(Some(xml))
    }
}
