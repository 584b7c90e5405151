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
    // Released by the guard, off the runtime (see the next case for why that matters).
    fx.guard.hold(second);
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

// Several nodes starting together on one new database (`store/postgres.rs`: "nodes starting
// together migrate one at a time").
store_test!(
    concurrent_opens_of_a_new_database_all_succeed,
    database
        | guard
        | async move {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..4 {
                let url = guard.url.clone();
                set.spawn(async move { SqlStore::open(&url).await.map(SqlStore::into_shared) });
            }
            while let Some(opened) = set.join_next().await {
                let store = opened.unwrap().unwrap_or_else(|e| panic!("open: {e}"));
                store.ping().await.unwrap();
                assert_eq!(store.first_account().await.unwrap(), None);
                guard.hold(store);
            }
        }
);

// … and then initialising it together: one creates the account, the others find it done.
store_test!(
    concurrent_initialisation_has_one_winner,
    raw | store
        | async move {
            // Warm the connection pool so the attempts reach the database together.
            race((0..8).map(|_| {
                let store = Arc::clone(&store);
                async move { store.ping().await.unwrap() }
            }))
            .await;
            let accounts: Vec<NewAccount> = (0..8)
                .map(|_| crate::harness::new_account(&DataKey::generate().unwrap()).0)
                .collect();
            let ids: Vec<AccountId> = accounts.iter().map(|a| a.id.clone()).collect();
            let results = race(accounts.into_iter().map(|account| {
                let store = Arc::clone(&store);
                async move { (account.id.clone(), store.initialise(account).await) }
            }))
            .await;
            let mut winners = Vec::new();
            for (id, result) in results {
                match result {
                    Ok(true) => winners.push(id),
                    Ok(false) => {}
                    Err(error) => panic!("initialise {id:?} failed instead of finding the account: {error}"),
                }
            }
            assert_eq!(winners.len(), 1, "{winners:?}");
            let first = store.first_account().await.unwrap().unwrap();
            assert_eq!(first.id, winners[0]);
            for id in ids.iter().filter(|id| **id != winners[0]) {
                assert_eq!(store.account(id).await.unwrap(), None, "a second account was created");
            }
        }
);
