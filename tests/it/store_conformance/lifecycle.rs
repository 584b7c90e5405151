//! Opening and releasing stores: several stores (nodes) on one database, migrations applied
//! once, and a store released wherever its last reference goes.

use super::*;

store_test!(a_second_store_on_the_same_database_shares_everything, |fx| async move {
    fx.user("alice").await;
    // Opening applies no migration twice and finds the initialised account.
    let second = SqlStore::open(&fx.guard.url).await.unwrap().into_shared();
    assert_eq!(
        second.first_account().await.unwrap().map(|a| a.id),
        Some(fx.account.clone())
    );
    assert!(second.user_by_name(&fx.account, "ALICE").await.unwrap().is_some());
    // The name is taken across stores too.
    let taken = second.create_user(&fx.account, new_user("Alice")).await;
    assert!(matches!(taken, Err(IamError::AlreadyExists(_))), "{taken:?}");
    second.create_user(&fx.account, new_user("bob")).await.unwrap();
    assert_eq!(all_user_names(&fx).await, vec!["alice", "bob"]);
    // Released off the runtime (see the next case for why that matters).
    tokio::task::spawn_blocking(move || drop(second)).await.unwrap();
});

// `serve` drops its state — and with it the store — inside the runtime when it shuts down.
store_test!(a_store_can_be_dropped_on_a_runtime_thread, |fx| async move {
    let second = SqlStore::open(&fx.guard.url).await.unwrap().into_shared();
    // Use it, so it holds pooled connections.
    second.ping().await.unwrap();
    assert!(second.first_account().await.unwrap().is_some());
    drop(second);
    fx.store.ping().await.unwrap();
});
