//! Issuing session credentials (`sts.md` §2), shared by GetSessionToken and AssumeRole: an
//! `ASIA` key, a secret sealed for SigV4, a token of which only the hash is stored.

use crate::api::Ctx;
use crate::api::errors::internal;
use crate::domain::session::MfaContext;
use crate::domain::{AccessKeyId, KeyKind, generate_secret_access_key};
use crate::secret::{SecretAccessKey, random_bytes};
use crate::store::{NewSession, SessionHolder};
use crate::wire::ApiError;
use crate::wire::xml::{Xml, timestamp};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Random bytes behind a session token (`sts.md` §2: at least 32).
const TOKEN_BYTES: usize = 48;

/// Credentials just stored, to be answered once.
pub struct Issued {
    key_id: AccessKeyId,
    secret: SecretAccessKey,
    token: String,
    expires_at: OffsetDateTime,
}

/// Opens a session for `holder` until `expires_at`, signed for by the caller's key.
pub async fn issue(
    ctx: &Ctx<'_>,
    holder: SessionHolder,
    expires_at: OffsetDateTime,
    mfa: Option<MfaContext>,
) -> Result<Issued, ApiError> {
    let key_id = AccessKeyId::generate(KeyKind::Session).map_err(internal)?;
    let secret = generate_secret_access_key().map_err(internal)?;
    let mut token_bytes = [0u8; TOKEN_BYTES];
    random_bytes(&mut token_bytes).map_err(internal)?;
    let token = data_encoding::BASE64.encode(&token_bytes);
    let session = NewSession {
        access_key_id: key_id.clone(),
        holder,
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
    ctx.state
        .store
        .create_session(ctx.caller.principal.account_id(), session)
        .await?;
    Ok(Issued {
        key_id,
        secret,
        token,
        expires_at,
    })
}

impl Issued {
    /// The `Credentials` member.
    pub fn write(&self, xml: &mut Xml) {
        xml.node("Credentials", |xml| {
            xml.leaf("AccessKeyId", self.key_id.as_str())
                .leaf("SecretAccessKey", self.secret.expose())
                .leaf("SessionToken", &self.token)
                .leaf("Expiration", &timestamp(self.expires_at));
        });
    }
}
