//! Account aliases and GetAccountSummary (`iam-mfa.md` §5.8–5.9).

use super::Paging;
use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::wire::shapes::ACCOUNT_ALIAS;
use crate::wire::validate::Validator;
use crate::wire::xml::Xml;
use crate::wire::{ApiError, Params};
use async_trait::async_trait;

fn parse_alias(params: &Params) -> Result<String, ApiError> {
    let mut v = Validator::new();
    let alias = v.required(params, "AccountAlias", &ACCOUNT_ALIAS);
    if let Some(alias) = &alias {
        if alias.contains("--") {
            v.custom(
                "accountAlias",
                alias,
                &format!(
                    "Member must satisfy regular expression pattern: {}",
                    ACCOUNT_ALIAS.pattern.unwrap_or_default()
                ),
            );
        }
        // An alias that looks like an account ID would make sign-in URLs ambiguous [AWS].
        if alias.len() == 12 && alias.bytes().all(|b| b.is_ascii_digit()) {
            v.custom("accountAlias", alias, "Member must not be a 12-digit number");
        }
    }
    v.finish()?;
    Ok(alias.unwrap_or_default())
}

pub struct CreateAccountAlias {
    alias: String,
}

#[async_trait]
impl Operation for CreateAccountAlias {
    const ACTION: Action = Action::CreateAccountAlias;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Ok(Self {
            alias: parse_alias(params)?,
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .set_account_alias(ctx.caller.principal.account_id(), &self.alias)
            .await?;
        Ok(None)
    }
}

pub struct DeleteAccountAlias {
    alias: String,
}

#[async_trait]
impl Operation for DeleteAccountAlias {
    const ACTION: Action = Action::DeleteAccountAlias;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Ok(Self {
            alias: parse_alias(params)?,
        })
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .delete_account_alias(ctx.caller.principal.account_id(), &self.alias)
            .await?;
        Ok(None)
    }
}

pub struct ListAccountAliases;

#[async_trait]
impl Operation for ListAccountAliases {
    const ACTION: Action = Action::ListAccountAliases;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        // An account has at most one alias, so a page always holds everything.
        let _paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self)
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let account = ctx.state.store.account(ctx.caller.principal.account_id()).await?;
        let aliases: Vec<String> = account.and_then(|a| a.alias).into_iter().collect();
        let mut xml = Xml::new();
        xml.list("AccountAliases", &aliases, |xml, alias| {
            xml.out_text(alias);
        });
        xml.leaf("IsTruncated", "false");
        Ok(Some(xml))
    }
}

pub struct GetAccountSummary;

#[async_trait]
impl Operation for GetAccountSummary {
    const ACTION: Action = Action::GetAccountSummary;

    fn parse(_params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Ok(Self)
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let counts = ctx
            .state
            .store
            .account_counts(ctx.caller.principal.account_id())
            .await?;
        let summary: [(&str, i64); 34] = [
            ("Users", counts.users),
            ("UsersQuota", 5000),
            ("MFADevices", counts.mfa_devices),
            ("MFADevicesInUse", counts.mfa_devices_in_use),
            ("AccountMFAEnabled", i64::from(counts.root_mfa_devices > 0)),
            ("AccountAccessKeysPresent", i64::from(counts.root_access_keys > 0)),
            ("AccountPasswordPresent", i64::from(counts.root_password_present)),
            ("AccountSigningCertificatesPresent", 0),
            ("AccessKeysPerUserQuota", 2),
            ("UserPolicySizeQuota", 2048),
            ("GroupsPerUserQuota", 10),
            ("SigningCertificatesPerUserQuota", 2),
            ("AttachedPoliciesPerUserQuota", 10),
            ("AttachedPoliciesPerGroupQuota", 10),
            ("AttachedPoliciesPerRoleQuota", 10),
            ("GroupPolicySizeQuota", 5120),
            ("RolePolicySizeQuota", 10240),
            ("AssumeRolePolicySizeQuota", 2048),
            ("PolicySizeQuota", 6144),
            ("VersionsPerPolicyQuota", 5),
            ("PolicyVersionsInUseQuota", 10000),
            ("GroupsQuota", 300),
            ("RolesQuota", 1000),
            ("PoliciesQuota", 1500),
            ("InstanceProfilesQuota", 1000),
            ("ServerCertificatesQuota", 20),
            ("Groups", counts.groups),
            ("Roles", counts.roles),
            ("Policies", counts.policies),
            ("PolicyVersionsInUse", counts.policy_versions_in_use),
            ("InstanceProfiles", 0),
            ("ServerCertificates", 0),
            ("Providers", 0),
            ("GlobalEndpointTokenVersion", 1),
        ];
        let mut xml = Xml::new();
        xml.node("SummaryMap", |xml| {
            for (key, value) in summary {
                xml.node("entry", |xml| {
                    xml.leaf("key", key).leaf("value", &value.to_string());
                });
            }
        });
        Ok(Some(xml))
    }
}
