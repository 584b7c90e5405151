//! Inline policies of users, groups and roles, written once over the owner kind
//! (`iam-mfa.md` §5.7). Documents are stored exactly as received.

use super::account_ops::lock_account;
use super::group_ops::keyed_page;
use super::policy_owner::{PolicyOwner, resolve_owner};
use super::{Entity, IamError, Page, PageRequest, SqlStore};
use crate::domain::AccountId;
use crate::policy::size_without_whitespace;
use async_trait::async_trait;

#[async_trait]
pub trait InlinePolicyStore: Send + Sync {
    /// Creates or replaces the owner's policy `name`, unless all its inline documents together
    /// would exceed the owner kind's size quota. The caller has validated the document.
    async fn put_inline_policy(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        name: &str,
        document: &str,
    ) -> Result<(), IamError>;
    /// The owner's name as stored and the document.
    async fn inline_policy(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        name: &str,
    ) -> Result<(String, String), IamError>;
    /// The owner's policy names, sorted.
    async fn list_inline_policies(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        page: PageRequest,
    ) -> Result<Page<String>, IamError>;
    async fn delete_inline_policy(&self, account: &AccountId, owner: &PolicyOwner, name: &str) -> Result<(), IamError>;
}

fn missing(owner: &PolicyOwner, name: &str) -> IamError {
    IamError::NotFound(Entity::InlinePolicy {
        kind: owner.kind,
        name: name.to_owned(),
    })
}

#[async_trait]
impl InlinePolicyStore for SqlStore {
    async fn put_inline_policy(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        name: &str,
        document: &str,
    ) -> Result<(), IamError> {
        let (account, owner, name, document) = (account.clone(), owner.clone(), name.to_owned(), document.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let resolved = resolve_owner(tx, &account, &owner)?;
            let others = tx.query(
                "SELECT document FROM inline_policies WHERE owner_id = $1 AND policy_name <> $2",
                &[resolved.id.as_str().into(), name.as_str().into()],
            )?;
            let mut total = size_without_whitespace(&document);
            for row in &others {
                total += size_without_whitespace(&row.text(0)?);
            }
            if total > owner.kind.inline_size_quota() {
                return Err(IamError::PolicySizeExceeded {
                    kind: owner.kind,
                    name: resolved.name,
                });
            }
            tx.execute(
                "INSERT INTO inline_policies (owner_id, account_id, policy_name, document) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (owner_id, policy_name) DO UPDATE SET document = excluded.document",
                &[
                    resolved.id.as_str().into(),
                    account.as_str().into(),
                    name.as_str().into(),
                    document.as_str().into(),
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn inline_policy(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        name: &str,
    ) -> Result<(String, String), IamError> {
        let (account, owner, name) = (account.clone(), owner.clone(), name.to_owned());
        self.read(move |tx| {
            let resolved = resolve_owner(tx, &account, &owner)?;
            let row = tx.query_opt(
                "SELECT document FROM inline_policies WHERE owner_id = $1 AND policy_name = $2",
                &[resolved.id.as_str().into(), name.as_str().into()],
            )?;
            let row = row.ok_or_else(|| missing(&owner, &name))?;
            Ok((resolved.name, row.text(0)?))
        })
        .await
    }

    async fn list_inline_policies(
        &self,
        account: &AccountId,
        owner: &PolicyOwner,
        page: PageRequest,
    ) -> Result<Page<String>, IamError> {
        let (account, owner) = (account.clone(), owner.clone());
        self.read(move |tx| {
            let resolved = resolve_owner(tx, &account, &owner)?;
            Ok(keyed_page(
                tx,
                "SELECT policy_name FROM inline_policies WHERE owner_id = $1 AND policy_name > $2 ORDER BY policy_name LIMIT $3",
                vec![resolved.id.as_str().into()],
                &page,
                |row| row.text(0),
            )?)
        })
        .await
    }

    async fn delete_inline_policy(&self, account: &AccountId, owner: &PolicyOwner, name: &str) -> Result<(), IamError> {
        let (account, owner, name) = (account.clone(), owner.clone(), name.to_owned());
        self.write(move |tx| {
            lock_account(tx, &account)?;
            let resolved = resolve_owner(tx, &account, &owner)?;
            let deleted = tx.execute(
                "DELETE FROM inline_policies WHERE owner_id = $1 AND policy_name = $2",
                &[resolved.id.as_str().into(), name.as_str().into()],
            )?;
            if deleted == 0 {
                return Err(missing(&owner, &name));
            }
            Ok(())
        })
        .await
    }
}
