//! Create/Get/Update/DeleteLoginProfile (`iam-mfa.md` §5.5), with AWS's default password policy.

use super::{must_name_user, target_arn};
use crate::api::action::Action;
use crate::api::errors::internal;
use crate::api::{Caller, Ctx, Operation};
use crate::auth::password;
use crate::domain::PrincipalIdentity;
use crate::domain::password_policy;
use crate::secret::{Password, PasswordHash};
use crate::store::Target;
use crate::wire::shapes::{PASSWORD, USER_NAME};
use crate::wire::validate::Validator;
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

/// Login profiles belong to IAM users; root's password is managed outside the API.
fn profile_owner(caller: &Caller, name: Option<String>) -> Result<String, ApiError> {
    match (name, &caller.principal) {
        (Some(name), _) => Ok(name),
        (None, PrincipalIdentity::User { user }) => Ok(user.name.clone()),
        (None, PrincipalIdentity::Root { .. } | PrincipalIdentity::AssumedRole { .. }) => Err(must_name_user()),
    }
}

/// Checks the default policy, then hashes (Argon2id) off the async threads.
async fn checked_hash(ctx: &Ctx<'_>, password: Password) -> Result<PasswordHash, ApiError> {
    let account = ctx.state.store.account(ctx.caller.principal.account_id()).await?;
    let (alias, email) = account
        .map(|a| (a.alias.unwrap_or_default(), a.root_email))
        .unwrap_or_default();
    password_policy::check(password.expose(), &[&alias, &email])
        .map_err(|e| ApiError::new(ErrorCode::PasswordPolicyViolation, e.to_string()))?;
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(internal)?
        .map_err(internal)
}

fn write_profile(xml: &mut Xml, user_name: &str, profile: &crate::domain::LoginProfile) {
    xml.node("LoginProfile", |xml| {
        xml.leaf("UserName", user_name)
            .leaf("CreateDate", &timestamp(profile.created_at))
            .leaf(
                "PasswordResetRequired",
                if profile.reset_required { "true" } else { "false" },
            );
    });
}

pub struct CreateLoginProfile {
    user: String,
    password: Password,
    reset_required: bool,
}

#[async_trait]
impl Operation for CreateLoginProfile {
    const ACTION: Action = Action::CreateLoginProfile;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.optional(params, "UserName", &USER_NAME);
        // Optional in the model; a profile without a password makes no sense here.
        let password = v.required(params, "Password", &PASSWORD);
        let reset_required = v.optional_bool(params, "PasswordResetRequired");
        v.finish()?;
        Ok(Self {
            user: profile_owner(caller, name)?,
            password: Password::new(password.unwrap_or_default()),
            reset_required: reset_required.unwrap_or(false),
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &Target::UserNamed(self.user.clone()))
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let hash = checked_hash(ctx, self.password).await?;
        let (name, profile) = ctx
            .state
            .store
            .create_login_profile(
                ctx.caller.principal.account_id(),
                &self.user,
                hash,
                self.reset_required,
                ctx.now,
            )
            .await?;
        let mut xml = Xml::new();
        write_profile(&mut xml, &name, &profile);
        Ok(Some(xml))
    }
}

pub struct GetLoginProfile {
    user: String,
}

#[async_trait]
impl Operation for GetLoginProfile {
    const ACTION: Action = Action::GetLoginProfile;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.optional(params, "UserName", &USER_NAME);
        v.finish()?;
        Ok(Self {
            user: profile_owner(caller, name)?,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &Target::UserNamed(self.user.clone()))
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let (name, profile) = ctx
            .state
            .store
            .login_profile(ctx.caller.principal.account_id(), &self.user)
            .await?;
        let mut xml = Xml::new();
        write_profile(&mut xml, &name, &profile);
        Ok(Some(xml))
    }
}

pub struct UpdateLoginProfile {
    user: String,
    password: Option<Password>,
    reset_required: Option<bool>,
}

#[async_trait]
impl Operation for UpdateLoginProfile {
    const ACTION: Action = Action::UpdateLoginProfile;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.required(params, "UserName", &USER_NAME);
        let password = v.optional(params, "Password", &PASSWORD);
        let reset_required = v.optional_bool(params, "PasswordResetRequired");
        v.finish()?;
        Ok(Self {
            user: name.unwrap_or_default(),
            password: password.map(Password::new),
            reset_required,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &Target::UserNamed(self.user.clone()))
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let hash = match self.password {
            Some(password) => Some(checked_hash(ctx, password).await?),
            None => None,
        };
        ctx.state
            .store
            .update_login_profile(
                ctx.caller.principal.account_id(),
                &self.user,
                hash,
                self.reset_required,
                ctx.now,
            )
            .await?;
        Ok(None)
    }
}

pub struct DeleteLoginProfile {
    user: String,
}

#[async_trait]
impl Operation for DeleteLoginProfile {
    const ACTION: Action = Action::DeleteLoginProfile;

    fn parse(params: &Params, caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let name = v.optional(params, "UserName", &USER_NAME);
        v.finish()?;
        Ok(Self {
            user: profile_owner(caller, name)?,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        target_arn(caller, &Target::UserNamed(self.user.clone()))
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .delete_login_profile(ctx.caller.principal.account_id(), &self.user)
            .await?;
        Ok(None)
    }
}
