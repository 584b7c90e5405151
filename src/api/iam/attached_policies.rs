//! Attach/Detach{User,Group,Role}Policy and ListAttached{User,Group,Role}Policies, once for
//! every owner kind.

use super::Paging;
use super::managed_policies::parse_policy_arn;
use super::policy_owners::OwnerSpec;
use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::PolicyArn;
use crate::store::{PolicyOwner, policy_sort_key};
use crate::wire::shapes::POLICY_PATH;
use crate::wire::validate::Validator;
use crate::wire::xml::Xml;
use crate::wire::{ApiError, Params};
use async_trait::async_trait;
use std::marker::PhantomData;

/// An owner and a policy ARN, as attach and detach requests name them.
pub struct Attachment<K> {
    owner: PolicyOwner,
    arn: PolicyArn,
    kind: PhantomData<K>,
}

impl<K: OwnerSpec> Attachment<K> {
    fn parse(params: &Params) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let owner = K::parse_owner(&mut v, params, K::attach_shape());
        let arn = parse_policy_arn(v, params)?;
        Ok(Self {
            owner,
            arn,
            kind: PhantomData,
        })
    }
}

pub struct AttachPolicy<K>(Attachment<K>);

#[async_trait]
impl<K: OwnerSpec> Operation for AttachPolicy<K> {
    const ACTION: Action = K::ATTACH;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Attachment::parse(params).map(Self)
    }

    fn resource(&self, caller: &Caller) -> String {
        K::resource(caller, &self.0.owner.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .attach_policy(ctx.caller.principal.account_id(), &self.0.owner, &self.0.arn, ctx.now)
            .await?;
        Ok(None)
    }
}

pub struct DetachPolicy<K>(Attachment<K>);

#[async_trait]
impl<K: OwnerSpec> Operation for DetachPolicy<K> {
    const ACTION: Action = K::DETACH;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Attachment::parse(params).map(Self)
    }

    fn resource(&self, caller: &Caller) -> String {
        K::resource(caller, &self.0.owner.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .detach_policy(ctx.caller.principal.account_id(), &self.0.owner, &self.0.arn)
            .await?;
        Ok(None)
    }
}

pub struct ListAttachedPolicies<K> {
    owner: PolicyOwner,
    path_prefix: String,
    paging: Paging,
    kind: PhantomData<K>,
}

#[async_trait]
impl<K: OwnerSpec> Operation for ListAttachedPolicies<K> {
    const ACTION: Action = K::LIST_ATTACHED;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let owner = K::parse_owner(&mut v, params, K::attach_shape());
        let path_prefix = v.optional(params, "PathPrefix", &POLICY_PATH);
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self {
            owner,
            path_prefix: path_prefix.unwrap_or_else(|| "/".into()),
            paging,
            kind: PhantomData,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        K::resource(caller, &self.owner.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let operation = K::LIST_ATTACHED.name();
        let request = self.paging.request(ctx, operation)?;
        let page = ctx
            .state
            .store
            .attached_policies(
                ctx.caller.principal.account_id(),
                &self.owner,
                &self.path_prefix,
                request,
            )
            .await?;
        let mut xml = Xml::new();
        xml.list("AttachedPolicies", &page.items, |xml, policy| {
            xml.leaf("PolicyName", &policy.name).leaf("PolicyArn", &policy.arn);
        });
        let last = page.items.last().map(|p| policy_sort_key(&p.name, &p.arn));
        Paging::write(ctx, operation, &mut xml, page.more, last.as_deref());
        Ok(Some(xml))
    }
}
