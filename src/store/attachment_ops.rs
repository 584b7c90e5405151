//! Managed policies attached to users, groups and roles (written once over the owner kind),
//! and the one read the authorizer needs: every policy document that applies to a principal.

use super::account_ops::lock_account;
use super::group_ops::group_ids_of_user;
use super::managed_policy_ops::{aws_policy, default_document, find_policy, policy_sort_key};
use super::policy_owner::{PolicyOwner, resolve_owner};
use super::sql::SqlTx;
use super::{Entity, IamError, Page, PageRequest, Quota, SqlStore, StoreError};
use crate::domain::*;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Whose identity policies the authorizer evaluates (`mfa-policy.md` §1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyPrincipal {
    User(UserId),
    Role(RoleId),
}

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Attaches an existing managed policy (the account's or AWS's); already attached is
    /// success [AWS]; at most ten per owner.
    async fn attach_policy(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        arn: &PolicyArn,
        now: OffsetDateTime,
    ) -> Result<(), IamError>;
    async fn detach_policy(&self, account: &AccountId, owner: &PolicyOwner, arn: &PolicyArn) -> Result<(), IamError>;
    /// The owner's attached policies whose path starts with `path_prefix`, ordered by
    /// lower-cased name then ARN.
    async fn attached_policies(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        path_prefix: &str,
        page: PageRequest,
    ) -> Result<Page<AttachedPolicy>, IamError>;
    /// Every identity-policy document that applies to the principal, read in one snapshot:
    /// a user's inline and attached policies and those of each of its groups; a role's
    /// inline and attached policies. Attached policies contribute their default version.
    async fn identity_policies(
        &self,
        account: &AccountId,
        principal: PolicyPrincipal,
    ) -> Result<Vec<String>, StoreError>;
}

/// Whether the ARN names a policy that can be attached in this account.
fn exists(tx: &mut dyn SqlTx, account: &AccountId, arn: &PolicyArn) -> Result<bool, StoreError> {
    if arn.is_aws_managed() {
        return Ok(aws_policy(arn).is_some());
    }
    Ok(find_policy(tx, account, arn)?.is_some())
}

/// Inline documents and attached policies' default documents of one owner.
fn owner_documents(
    tx: &mut dyn SqlTx,
    account: &AccountId,
    owner_id: &str,
    out: &mut Vec<String>,
) -> Result<(), StoreError> {
    let inline = tx.query(
        "SELECT document FROM inline_policies WHERE account_id = $1 AND owner_id = $2 ORDER BY policy_name",
        &[account.as_str().into(), owner_id.into()],
    )?;
    for row in &inline {
        out.push(row.text(0)?);
    }
    let attached = tx.query(
        "SELECT policy_arn FROM policy_attachments WHERE account_id = $1 AND owner_id = $2 ORDER BY policy_arn",
        &[account.as_str().into(), owner_id.into()],
    )?;
    for row in &attached {
        if let Some(document) = default_document(tx, account, &row.text(0)?)? {
            out.push(document);
        }
    }
    Ok(())
}

#[async_trait]
impl AttachmentStore for SqlStore {
    async fn attach_policy(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        arn: &PolicyArn,
        now: OffsetDateTime,
    ) -> Result<(), IamError> {
        let (account, owner, arn) = (account.clone(), owner.clone(), arn.clone());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let resolved = resolve_owner(tx, &account, &owner)?;
            if !exists(tx, &account, &arn)? {
                return Err(IamError::NotFound(Entity::AttachablePolicy(arn.render())));
            }
            let canonical = arn.render();
            let attached = tx.count(
                "SELECT COUNT(*) FROM policy_attachments WHERE owner_id = $1 AND policy_arn = $2",
                &[resolved.id.as_str().into(), canonical.as_str().into()],
            )? > 0;
            if attached {
                return Ok(());
            }
            if tx.count("SELECT COUNT(*) FROM policy_attachments WHERE owner_id = $1", &[resolved.id.as_str().into()])?
                >= ATTACHED_POLICIES_PER_OWNER
            {
                return Err(IamError::LimitExceeded(Quota::PolicyAttachments(owner.kind)));
            }
            tx.execute(
                "INSERT INTO policy_attachments (owner_id, account_id, policy_arn, attached_at) VALUES ($1, $2, $3, $4)",
                &[resolved.id.as_str().into(), account.as_str().into(), canonical.into(), now.into()],
            )?;
            Ok(())
        })
        .await
    }

    async fn detach_policy(&self, account: &AccountId, owner: &PolicyOwner, arn: &PolicyArn) -> Result<(), IamError> {
        let (account, owner, arn) = (account.clone(), owner.clone(), arn.clone());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let resolved = resolve_owner(tx, &account, &owner)?;
            let removed = tx.execute(
                "DELETE FROM policy_attachments WHERE owner_id = $1 AND policy_arn = $2",
                &[resolved.id.as_str().into(), arn.render().into()],
            )?;
            if removed == 0 {
                return Err(IamError::NotFound(Entity::Policy(arn.render())));
            }
            Ok(())
        })
        .await
    }

    async fn attached_policies(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        path_prefix: &str,
        page: PageRequest,
    ) -> Result<Page<AttachedPolicy>, IamError> {
        let (account, owner, prefix) = (account.clone(), owner.clone(), path_prefix.to_owned());
        self.read(move |tx| {
            let resolved = resolve_owner(tx, &account, &owner)?;
            let rows = tx.query(
                "SELECT policy_arn FROM policy_attachments WHERE owner_id = $1",
                &[resolved.id.as_str().into()],
            )?;
            let mut all = Vec::new();
            for row in &rows {
                let text = row.text(0)?;
                let arn = PolicyArn::parse(&text)
                    .ok_or_else(|| StoreError::Corrupt(format!("bad attached policy ARN {text}")))?;
                if arn.path.starts_with(&prefix) {
                    all.push(AttachedPolicy {
                        name: arn.name,
                        arn: text,
                    });
                }
            }
            all.sort_by_key(|p| policy_sort_key(&p.name, &p.arn));
            let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
            let rest: Vec<AttachedPolicy> = all
                .into_iter()
                .filter(|p| {
                    page.after
                        .as_ref()
                        .is_none_or(|after| policy_sort_key(&p.name, &p.arn) > *after)
                })
                .collect();
            let more = rest.len() > limit;
            Ok(Page {
                items: rest.into_iter().take(limit).collect(),
                more,
            })
        })
        .await
    }

    async fn identity_policies(
        &self,
        account: &AccountId,
        principal: PolicyPrincipal,
    ) -> Result<Vec<String>, StoreError> {
        let account = account.clone();
        self.read(move |tx| {
            let mut documents = Vec::new();
            match &principal {
                PolicyPrincipal::User(user) => {
                    owner_documents(tx, &account, user.as_str(), &mut documents)?;
                    for group in group_ids_of_user(tx, user.as_str())? {
                        owner_documents(tx, &account, &group, &mut documents)?;
                    }
                }
                PolicyPrincipal::Role(role) => owner_documents(tx, &account, role.as_str(), &mut documents)?,
            }
            Ok(documents)
        })
        .await
    }
}
