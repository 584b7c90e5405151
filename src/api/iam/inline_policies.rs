//! Put/Get/List/Delete{User,Group,Role}Policy, once for every owner kind
//! (`iam-mfa.md` §5.7).

use super::Paging;
use super::policy_documents::{DocumentKind, encode_document, validate_policy_document};
use super::policy_owners::OwnerSpec;
use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::store::PolicyOwner;
use crate::wire::shapes::{POLICY_DOCUMENT, POLICY_NAME};
use crate::wire::validate::Validator;
use crate::wire::xml::Xml;
use crate::wire::{ApiError, Params};
use async_trait::async_trait;
use std::marker::PhantomData;

/// The owner and policy name every inline-policy operation but List names.
struct Named<K> {
    owner: PolicyOwner,
    policy: String,
    kind: PhantomData<K>,
}

impl<K: OwnerSpec> Named<K> {
    fn parse(v: &mut Validator, params: &Params) -> Self {
        let owner = K::parse_owner(v, params, K::inline_shape());
        let policy = v.required(params, "PolicyName", &POLICY_NAME).unwrap_or_default();
        Self {
            owner,
            policy,
            kind: PhantomData,
        }
    }
}

pub struct PutPolicy<K> {
    named: Named<K>,
    document: String,
}

#[async_trait]
impl<K: OwnerSpec> Operation for PutPolicy<K> {
    const ACTION: Action = K::PUT;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let named = Named::parse(&mut v, params);
        let document = v
            .required(params, "PolicyDocument", &POLICY_DOCUMENT)
            .unwrap_or_default();
        v.finish()?;
        Ok(Self { named, document })
    }

    fn resource(&self, caller: &Caller) -> String {
        K::resource(caller, &self.named.owner.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        validate_policy_document(&self.document, DocumentKind::Inline)?;
        ctx.state
            .store
            .put_inline_policy(
                ctx.caller.principal.account_id(),
                &self.named.owner,
                &self.named.policy,
                &self.document,
            )
            .await?;
        Ok(None)
    }
}

pub struct GetPolicy<K>(Named<K>);

#[async_trait]
impl<K: OwnerSpec> Operation for GetPolicy<K> {
    const ACTION: Action = K::GET;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let named = Named::parse(&mut v, params);
        v.finish()?;
        Ok(Self(named))
    }

    fn resource(&self, caller: &Caller) -> String {
        K::resource(caller, &self.0.owner.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let (owner_name, document) = ctx
            .state
            .store
            .inline_policy(ctx.caller.principal.account_id(), &self.0.owner, &self.0.policy)
            .await?;
        let mut xml = Xml::new();
        xml.leaf(K::MEMBER, &owner_name)
            .leaf("PolicyName", &self.0.policy)
            .leaf("PolicyDocument", &encode_document(&document));
        Ok(Some(xml))
    }
}

pub struct ListPolicies<K> {
    owner: PolicyOwner,
    paging: Paging,
    kind: PhantomData<K>,
}

#[async_trait]
impl<K: OwnerSpec> Operation for ListPolicies<K> {
    const ACTION: Action = K::LIST;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let owner = K::parse_owner(&mut v, params, K::inline_shape());
        let paging = Paging::parse(&mut v, params);
        v.finish()?;
        Ok(Self {
            owner,
            paging,
            kind: PhantomData,
        })
    }

    fn resource(&self, caller: &Caller) -> String {
        K::resource(caller, &self.owner.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let operation = K::LIST.name();
        let request = self.paging.request(ctx, operation)?;
        let page = ctx
            .state
            .store
            .list_inline_policies(ctx.caller.principal.account_id(), &self.owner, request)
            .await?;
        let mut xml = Xml::new();
        xml.list("PolicyNames", &page.items, |xml, name| {
            xml.out_text(name);
        });
        Paging::write(
            ctx,
            operation,
            &mut xml,
            page.more,
            page.items.last().map(String::as_str),
        );
        Ok(Some(xml))
    }
}

pub struct DeletePolicy<K>(Named<K>);

#[async_trait]
impl<K: OwnerSpec> Operation for DeletePolicy<K> {
    const ACTION: Action = K::DELETE;

    fn parse(params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        let mut v = Validator::new();
        let named = Named::parse(&mut v, params);
        v.finish()?;
        Ok(Self(named))
    }

    fn resource(&self, caller: &Caller) -> String {
        K::resource(caller, &self.0.owner.name)
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        ctx.state
            .store
            .delete_inline_policy(ctx.caller.principal.account_id(), &self.0.owner, &self.0.policy)
            .await?;
        Ok(None)
    }
}
