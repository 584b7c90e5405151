//! Concurrent intents on one account: limits and uniqueness hold with exactly one winner, and
//! a delete racing a create never leaves both done (`iam-mfa.md` §8).

use super::*;

const RACERS: usize = 16;

store_test!(parallel_key_creation_stops_at_two, |fx| async move {
    fx.user("alice").await;
    let target = Target::UserNamed("alice".into());
    fx.key(&target, T0).await;
    let attempts = (0..RACERS).map(|_| {
        let (store, account, target) = (Arc::clone(&fx.store), fx.account.clone(), target.clone());
        let (id, sealed) = fx.sealed_key();
        async move { store.create_access_key(&account, &target, id, sealed, T0).await }
    });
    let results = race(attempts).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    let limited = results
        .iter()
        .filter(|r| matches!(r, Err(IamError::LimitExceeded(Quota::AccessKeysPerUser))))
        .count();
    assert_eq!((won, limited), (1, RACERS - 1), "{results:?}");
    let keys = fx
        .store
        .list_access_keys(
            &fx.account,
            &target,
            PageRequest {
                after: None,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .1;
    assert_eq!(keys.items.len(), 2);
});

/// `name` spelled with the case of each letter taken from the bits of `n`.
fn casing(name: &str, n: usize) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| if n >> i & 1 == 1 { c.to_ascii_uppercase() } else { c })
        .collect()
}

store_test!(parallel_creation_of_one_name_has_one_winner, |fx| async move {
    let names: Vec<String> = (0..RACERS).map(|n| casing("racer", n)).collect();
    let attempts = names.iter().map(|name| {
        let (store, account) = (Arc::clone(&fx.store), fx.account.clone());
        let user = new_user(name);
        async move { store.create_user(&account, user).await }
    });
    let results = race(attempts).await;
    let winners: Vec<&User> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let taken = results
        .iter()
        .filter(|r| matches!(r, Err(IamError::AlreadyExists(Entity::User(_)))))
        .count();
    assert_eq!((winners.len(), taken), (1, RACERS - 1), "{results:?}");
    assert_eq!(all_user_names(&fx).await, vec![winners[0].name.clone()]);
    let stored = fx.store.user_by_name(&fx.account, "RACER").await.unwrap().unwrap();
    assert_eq!(stored.id, winners[0].id);
});

store_test!(delete_user_racing_key_creation_never_both_succeed, |fx| async move {
    for round in 0..12 {
        let name = format!("victim{round}");
        fx.user(&name).await;
        let target = Target::UserNamed(name.clone());
        let (key_id, sealed) = fx.sealed_key();
        let delete = {
            let (store, account, name) = (Arc::clone(&fx.store), fx.account.clone(), name.clone());
            tokio::spawn(async move { store.delete_user(&account, &name).await })
        };
        let create = {
            let (store, account, id) = (Arc::clone(&fx.store), fx.account.clone(), key_id.clone());
            tokio::spawn(async move { store.create_access_key(&account, &target, id, sealed, T0).await })
        };
        let (deleted, created) = (delete.await.unwrap(), create.await.unwrap());
        let user = fx.store.user_by_name(&fx.account, &name).await.unwrap();
        let key = fx.store.key_credential(&key_id).await.unwrap();
        match (&deleted, &created) {
            (Ok(()), Err(IamError::NotFound(Entity::User(_)))) => {
                assert!(user.is_none(), "round {round}: deleted user still exists");
                assert!(key.is_none(), "round {round}: a key outlived its user");
            }
            (Err(IamError::DeleteConflict(DeleteBlocker::AccessKeys)), Ok(_)) => {
                let user = user.unwrap_or_else(|| panic!("round {round}: user vanished"));
                let key = key.unwrap_or_else(|| panic!("round {round}: created key vanished"));
                assert_eq!(key.key.owner, Owner::User(user.id));
            }
            other => panic!("round {round}: delete and create ended as {other:?}"),
        }
    }
});

store_test!(parallel_tagging_loses_no_tag, |fx| async move {
    fx.user("alice").await;
    let attempts = (0..RACERS).map(|i| {
        let (store, account) = (Arc::clone(&fx.store), fx.account.clone());
        async move {
            store
                .tag_user(&account, "alice", vec![tag(&format!("k{i:02}"), "v")])
                .await
        }
    });
    for result in race(attempts).await {
        result.unwrap();
    }
    let mut keys: Vec<String> = fx
        .store
        .user_by_name(&fx.account, "alice")
        .await
        .unwrap()
        .unwrap()
        .tags
        .into_iter()
        .map(|t| t.key)
        .collect();
    keys.sort();
    let expected: Vec<String> = (0..RACERS).map(|i| format!("k{i:02}")).collect();
    assert_eq!(keys, expected);
});

store_test!(parallel_login_profile_creation_has_one_winner, |fx| async move {
    fx.user("alice").await;
    let attempts = (0..RACERS).map(|i| {
        let (store, account) = (Arc::clone(&fx.store), fx.account.clone());
        let hash = PasswordHash::new(format!("hash-{i}"));
        async move { store.create_login_profile(&account, "alice", hash, false, T0).await }
    });
    let results = race(attempts).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    let taken = results
        .iter()
        .filter(|r| matches!(r, Err(IamError::AlreadyExists(Entity::LoginProfile(_)))))
        .count();
    assert_eq!((won, taken), (1, RACERS - 1), "{results:?}");
});

store_test!(
    rename_racing_creation_of_the_same_name_has_one_winner,
    |fx| async move {
        for round in 0..8 {
            let (old, new) = (format!("old{round}"), format!("new{round}"));
            fx.user(&old).await;
            let rename = {
                let (store, account, old, new) = (Arc::clone(&fx.store), fx.account.clone(), old.clone(), new.clone());
                tokio::spawn(async move { store.update_user(&account, &old, Some(new), None).await })
            };
            let create = {
                let (store, account) = (Arc::clone(&fx.store), fx.account.clone());
                let user = new_user(&new.to_uppercase());
                tokio::spawn(async move { store.create_user(&account, user).await.map(|_| ()) })
            };
            let (renamed, created) = (rename.await.unwrap(), create.await.unwrap());
            let outcome = (renamed.is_ok(), created.is_ok());
            assert!(
                outcome == (true, false) || outcome == (false, true),
                "round {round}: {renamed:?} {created:?}"
            );
            for loser in [&renamed, &created] {
                if let Err(error) = loser {
                    assert!(
                        matches!(error, IamError::AlreadyExists(Entity::User(_))),
                        "round {round}: {error:?}"
                    );
                }
            }
            let holder = fx.store.user_by_name(&fx.account, &new).await.unwrap().unwrap();
            let old_left = fx.store.user_by_name(&fx.account, &old).await.unwrap();
            // Exactly one user holds the name; the old user exists only if it was not renamed.
            assert_eq!(old_left.is_some(), created.is_ok(), "round {round}");
            assert_eq!(holder.name == new, renamed.is_ok(), "round {round}");
        }
    }
);

store_test!(
    delete_user_racing_login_profile_creation_never_both_succeed,
    |fx| async move {
        for round in 0..12 {
            let name = format!("victim{round}");
            fx.user(&name).await;
            let delete = {
                let (store, account, name) = (Arc::clone(&fx.store), fx.account.clone(), name.clone());
                tokio::spawn(async move { store.delete_user(&account, &name).await })
            };
            let create = {
                let (store, account, name) = (Arc::clone(&fx.store), fx.account.clone(), name.clone());
                let hash = PasswordHash::new("h".into());
                tokio::spawn(async move { store.create_login_profile(&account, &name, hash, false, T0).await })
            };
            let (deleted, created) = (delete.await.unwrap(), create.await.unwrap());
            let user = fx.store.user_by_name(&fx.account, &name).await.unwrap();
            match (&deleted, &created) {
                (Ok(()), Err(IamError::NotFound(Entity::User(_)))) => assert!(user.is_none(), "round {round}"),
                (Err(IamError::DeleteConflict(DeleteBlocker::LoginProfile)), Ok(_)) => {
                    assert!(user.is_some(), "round {round}");
                    fx.store.login_profile(&fx.account, &name).await.unwrap();
                }
                other => panic!("round {round}: delete and create ended as {other:?}"),
            }
        }
    }
);

store_test!(parallel_alias_creation_has_one_winner, |fx| async move {
    let attempts = (0..RACERS).map(|_| {
        let (store, account) = (Arc::clone(&fx.store), fx.account.clone());
        async move { store.set_account_alias(&account, "contested").await }
    });
    let results = race(attempts).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    let taken = results
        .iter()
        .filter(|r| matches!(r, Err(IamError::AlreadyExists(Entity::AccountAlias(_)))))
        .count();
    assert_eq!((won, taken), (1, RACERS - 1), "{results:?}");
});

store_test!(
    parallel_attachments_to_a_user_holding_nine_have_one_winner,
    |fx| async move {
        fx.user("holder").await;
        let owner = PolicyOwner::user("holder");
        let mut arns = Vec::new();
        for i in 0..(9 + RACERS) {
            let policy = NewPolicy {
                id: PolicyId::generate().unwrap(),
                name: format!("p{i:02}"),
                path: "/".into(),
                description: None,
                document: "{}".into(),
                tags: Vec::new(),
                now: T0,
            };
            let created = fx.store.create_policy(&fx.account, policy).await.unwrap();
            arns.push(PolicyArn::parse(&created.arn).unwrap());
        }
        for arn in &arns[..9] {
            fx.store.attach_policy(&fx.account, &owner, arn, T0).await.unwrap();
        }
        let attempts = arns[9..].iter().map(|arn| {
            let (store, account, owner, arn) = (Arc::clone(&fx.store), fx.account.clone(), owner.clone(), arn.clone());
            async move { store.attach_policy(&account, &owner, &arn, T0).await }
        });
        let results = race(attempts).await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        let limited = results
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    Err(IamError::LimitExceeded(Quota::PolicyAttachments(OwnerKind::User)))
                )
            })
            .count();
        assert_eq!((won, limited), (1, RACERS - 1), "{results:?}");
        let attached = fx
            .store
            .attached_policies(
                &fx.account,
                &owner,
                "/",
                PageRequest {
                    after: None,
                    limit: 100,
                },
            )
            .await
            .unwrap();
        assert_eq!(attached.items.len(), 10);
    }
);
