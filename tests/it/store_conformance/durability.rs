//! SQLite acknowledges a write only once it is committed: a second store opened on the same
//! file — while the first is still open — sees every acknowledged write, including writes that
//! shared a group commit with failing ones.

use super::*;
use crate::harness::{Backend, fixture};
use tokio::task::JoinSet;

#[tokio::test(flavor = "multi_thread")]
async fn second_sqlite_store_sees_every_acknowledged_write() {
    let fx = fixture(Backend::Sqlite).await.expect("SQLite is always available");

    // Sequential writes of every kind.
    let mut new = new_user("alice");
    new.tags = vec![tag("Dept", "Ops")];
    fx.store.create_user(&fx.account, new).await.unwrap();
    let key = fx.key(&Target::UserNamed("alice".into()), T0).await;
    fx.store
        .create_login_profile(&fx.account, "alice", PasswordHash::new("h".into()), true, T0)
        .await
        .unwrap();
    fx.store.set_account_alias(&fx.account, "durable").await.unwrap();
    let report = CredentialReport {
        generated_at: T0,
        csv: b"report\n".to_vec(),
    };
    fx.store
        .save_credential_report(&fx.account, report.clone())
        .await
        .unwrap();

    // Concurrent writes, so several share one commit; the duplicates fail inside it.
    let mut set = JoinSet::new();
    for i in 0..48 {
        let (store, account) = (Arc::clone(&fx.store), fx.account.clone());
        // Names repeat every 32: 16 of the 48 creates collide with another one.
        let user = new_user(&format!("bulk{:02}", i % 32));
        set.spawn(async move { (user.name.clone(), store.create_user(&account, user).await) });
    }
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    while let Some(joined) = set.join_next().await {
        match joined.unwrap() {
            (name, Ok(_)) => acknowledged.push(name),
            (_, Err(IamError::AlreadyExists(_))) => refused += 1,
            (name, Err(other)) => panic!("create {name}: {other:?}"),
        }
    }
    assert_eq!((acknowledged.len(), refused), (32, 16));

    // The first store stays open while the second reads the same file.
    let second = SqlStore::open(&fx.guard.url).await.unwrap().into_shared();
    let account = second.first_account().await.unwrap().unwrap();
    assert_eq!(account.id, fx.account);
    assert_eq!(account.alias.as_deref(), Some("durable"));
    let alice = second.user_by_name(&fx.account, "alice").await.unwrap().unwrap();
    assert_eq!(alice.tags, vec![tag("Dept", "Ops")]);
    let (_, profile) = second.login_profile(&fx.account, "alice").await.unwrap();
    assert!(profile.reset_required);
    let credential = second.key_credential(&key.id).await.unwrap().unwrap();
    assert_eq!(credential.key, key);
    assert_eq!(
        second.latest_credential_report(&fx.account).await.unwrap(),
        Some(report)
    );
    for name in &acknowledged {
        assert!(
            second.user_by_name(&fx.account, name).await.unwrap().is_some(),
            "acknowledged user {name} is missing"
        );
    }
    let page = second
        .list_users(
            &fx.account,
            "/",
            PageRequest {
                after: None,
                limit: 1000,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 33);

    // And the other way round: what the second store writes, the first one reads.
    second.create_user(&fx.account, new_user("from-second")).await.unwrap();
    assert!(
        fx.store
            .user_by_name(&fx.account, "from-second")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        !second
            .initialise(crate::harness::new_account(&fx.data_key).0)
            .await
            .unwrap()
    );
}
