//! `userIdentity` (`cloudtrail.md` §2.2, §4.1): who made the request, in the shape CloudTrail
//! gives each kind of caller.

use super::time_text::serialize_record_time;
use crate::domain::{AccessKeyId, Account, AccountId, PrincipalIdentity, User};
use serde::Serialize;
use time::OffsetDateTime;

/// The user name sign-in records show when the typed name matches no user: the typed text may
/// be a mistyped password, so it is never recorded [AWS].
const HIDDEN_USER_NAME: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// Who a record is about. Absent members are left out of the JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_context: Option<SessionContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
}

/// What a caller signing with session credentials (STS or console) brings along.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerSession {
    /// When the session was issued (`creationDate`).
    pub created_at: OffsetDateTime,
    /// Whether the session was opened with MFA (`mfaAuthenticated`).
    pub mfa_authenticated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext {
    pub session_issuer: SessionIssuer,
    /// Always `{}`: Tessera has no web-identity federation.
    pub web_id_federation_data: Empty,
    pub attributes: SessionAttributes,
}

/// The role behind a role session; `{}` for sessions of users and root [AWS].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Empty {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAttributes {
    #[serde(serialize_with = "serialize_record_time")]
    pub creation_date: OffsetDateTime,
    /// A string, `"true"` or `"false"`, not a boolean [AWS].
    pub mfa_authenticated: &'static str,
}

/// Who is signing in to the console, as far as the attempt got to know them (§4.1).
#[derive(Clone, Copy, Debug)]
pub enum SignInPrincipal<'a> {
    Root(&'a Account),
    User(&'a User),
    /// A user name that matches no user of a known account.
    UnknownUser(&'a AccountId),
}

impl SignInPrincipal<'_> {
    pub(super) fn account_id(&self) -> &AccountId {
        match self {
            Self::Root(account) => &account.id,
            Self::User(user) => &user.account_id,
            Self::UnknownUser(account) => account,
        }
    }
}

impl UserIdentity {
    fn new(kind: &'static str) -> Self {
        Self {
            kind,
            principal_id: None,
            arn: None,
            account_id: None,
            access_key_id: None,
            user_name: None,
            session_context: None,
            invoked_by: None,
        }
    }

    /// An API or console caller: root, an IAM user or a role session, with the access key it
    /// signed with, and its session when it used session credentials.
    pub fn caller(principal: &PrincipalIdentity, access_key_id: &AccessKeyId, session: Option<&CallerSession>) -> Self {
        let kind = match principal {
            PrincipalIdentity::Root { .. } => "Root",
            PrincipalIdentity::User { .. } => "IAMUser",
            PrincipalIdentity::AssumedRole { .. } => "AssumedRole",
        };
        let session_issuer = match principal {
            PrincipalIdentity::AssumedRole { role, .. } => SessionIssuer {
                kind: Some("Role"),
                principal_id: Some(role.id.as_str().to_owned()),
                arn: Some(role.arn()),
                account_id: Some(role.account_id.as_str().to_owned()),
                user_name: Some(role.name.clone()),
            },
            PrincipalIdentity::Root { .. } | PrincipalIdentity::User { .. } => SessionIssuer::default(),
        };
        Self {
            principal_id: Some(principal.user_id()),
            arn: Some(principal.arn()),
            account_id: Some(principal.account_id().as_str().to_owned()),
            access_key_id: Some(access_key_id.as_str().to_owned()),
            user_name: match principal {
                PrincipalIdentity::User { user } => Some(user.name.clone()),
                PrincipalIdentity::Root { .. } | PrincipalIdentity::AssumedRole { .. } => None,
            },
            session_context: session.map(|session| SessionContext {
                session_issuer,
                web_id_federation_data: Empty {},
                attributes: SessionAttributes {
                    creation_date: session.created_at,
                    mfa_authenticated: if session.mfa_authenticated { "true" } else { "false" },
                },
            }),
            ..Self::new(kind)
        }
    }

    /// A console sign-in event. `signed_in`: the record of a completed sign-in, where an IAM
    /// user is shown with its ARN and without an access key; every other sign-in record
    /// (failures, `CheckMfa`) shows an empty access key and no ARN. Root always has both.
    pub fn sign_in(principal: SignInPrincipal<'_>, signed_in: bool) -> Self {
        let account_id = Some(principal.account_id().as_str().to_owned());
        let no_key = Some(String::new());
        match principal {
            SignInPrincipal::Root(account) => Self {
                principal_id: account_id.clone(),
                arn: Some(account.root_arn()),
                account_id,
                access_key_id: no_key,
                ..Self::new("Root")
            },
            SignInPrincipal::User(user) => Self {
                principal_id: Some(user.id.as_str().to_owned()),
                arn: signed_in.then(|| user.arn()),
                account_id,
                access_key_id: if signed_in { None } else { no_key },
                user_name: Some(user.name.clone()),
                ..Self::new("IAMUser")
            },
            SignInPrincipal::UnknownUser(_) => Self {
                account_id,
                access_key_id: no_key,
                user_name: Some(HIDDEN_USER_NAME.to_owned()),
                ..Self::new("IAMUser")
            },
        }
    }

    /// The operator running `tessera` administration commands (§2.2) [Tessera].
    pub fn operator() -> Self {
        Self {
            invoked_by: Some(super::service_event::OPERATOR.to_owned()),
            ..Self::new("AWSService")
        }
    }
}
