//! The store's behaviour through the `Store` trait, each case run on SQLite and PostgreSQL
//! (`harness::store_test!`). What a case checks is the contract the API relies on: outcomes,
//! error variants and what is stored afterwards.

mod access_keys;
mod account;
mod audit;
mod durability;
mod groups;
mod lifecycle;
mod login_profiles;
mod mfa_devices;
mod policies;
mod races;
mod reports;
mod roles;
mod tags;
mod users;

use crate::harness::{Fixture, T0, new_user, store_test, tag};
use std::sync::Arc;
use tessera::domain::*;
use tessera::secret::{DataKey, PasswordHash};
use tessera::store::*;
use time::Duration;
use tokio::task::JoinSet;

/// Every user of the account under `/`, paging with a generous limit.
async fn all_user_names(fx: &Fixture) -> Vec<String> {
    let page = fx
        .store
        .list_users(
            &fx.account,
            "/",
            PageRequest {
                after: None,
                limit: 1000,
            },
        )
        .await
        .expect("list users");
    assert!(!page.more);
    page.items.into_iter().map(|u| u.name).collect()
}

/// Runs every future at once on the runtime's threads; results in completion order.
async fn race<T, F>(futures: impl IntoIterator<Item = F>) -> Vec<T>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let mut set = JoinSet::new();
    // A barrier holds every task until all exist, so they reach the store together.
    let futures: Vec<F> = futures.into_iter().collect();
    let barrier = Arc::new(tokio::sync::Barrier::new(futures.len()));
    for future in futures {
        let barrier = Arc::clone(&barrier);
        set.spawn(async move {
            barrier.wait().await;
            future.await
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        results.push(joined.expect("racer panicked"));
    }
    results
}
