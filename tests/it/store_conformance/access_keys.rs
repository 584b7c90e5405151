//! Access keys: the two-key limit, status, deletion, and resolving a key for SigV4
//! (`iam-mfa.md` §5.6, `wire-protocol.md` §8.6).

use super::*;

fn all() -> PageRequest {
    PageRequest {
        after: None,
        limit: 100,
    }
}

async fn key_ids(fx: &Fixture, target: &Target) -> Vec<String> {
    let page = fx.store.list_access_keys(&fx.account, target, all()).await.unwrap().1;
    assert!(!page.more);
    page.items.into_iter().map(|k| k.id.as_str().to_owned()).collect()
}

store_test!(a_user_holds_at_most_two_keys_listed_by_creation, |fx| async move {
    let alice = fx.user("alice").await;
    let target = Target::UserNamed("ALICE".into());
    // Created out of ID order, so the listing order can only come from creation time.
    let second = fx.key(&target, T0 + Duration::minutes(2)).await;
    let (first_id, first_sort) = {
        let (id, sealed) = fx.sealed_key();
        let key = fx
            .store
            .create_access_key(&fx.account, &target, id.clone(), sealed, T0 + Duration::minutes(1))
            .await
            .unwrap()
            .1;
        assert_eq!(key.id, id);
        assert_eq!(key.owner, Owner::User(alice.id.clone()));
        assert_eq!(key.status, AccessKeyStatus::Active);
        assert_eq!(key.created_at, T0 + Duration::minutes(1));
        assert_eq!(key.last_used, None);
        (id, tessera::store::key_sort_key(&key))
    };
    assert_eq!(key_ids(&fx, &target).await, vec![first_id.as_str(), second.id.as_str()]);

    let (id, sealed) = fx.sealed_key();
    let third = fx
        .store
        .create_access_key(&fx.account, &target, id.clone(), sealed, T0)
        .await;
    assert!(
        matches!(third, Err(IamError::LimitExceeded(Quota::AccessKeysPerUser))),
        "{third:?}"
    );
    assert!(fx.store.key_credential(&id).await.unwrap().is_none());

    // Pages of one, keyed by the last key's sort key.
    let page = fx
        .store
        .list_access_keys(&fx.account, &target, PageRequest { after: None, limit: 1 })
        .await
        .unwrap()
        .1;
    assert!(page.more);
    assert_eq!(page.items[0].id, first_id);
    let page = fx
        .store
        .list_access_keys(
            &fx.account,
            &target,
            PageRequest {
                after: Some(first_sort),
                limit: 1,
            },
        )
        .await
        .unwrap()
        .1;
    assert!(!page.more);
    assert_eq!(page.items[0].id, second.id);

    // Another user starts with none; a missing user is NotFound, not an empty list.
    fx.user("bob").await;
    assert!(key_ids(&fx, &Target::UserNamed("bob".into())).await.is_empty());
    let missing = fx
        .store
        .list_access_keys(&fx.account, &Target::UserNamed("nobody".into()), all())
        .await;
    assert!(
        matches!(missing, Err(IamError::NotFound(Entity::User(_)))),
        "{missing:?}"
    );
    let (id, sealed) = fx.sealed_key();
    let missing = fx
        .store
        .create_access_key(&fx.account, &Target::UserNamed("nobody".into()), id, sealed, T0)
        .await;
    assert!(
        matches!(missing, Err(IamError::NotFound(Entity::User(_)))),
        "{missing:?}"
    );
});

store_test!(root_keys_count_against_the_same_limit, |fx| async move {
    assert_eq!(key_ids(&fx, &Target::Root).await, vec![fx.root_key.as_str()]);
    let extra = fx.key(&Target::Root, T0 + Duration::minutes(1)).await;
    assert_eq!(extra.owner, Owner::Root);
    let (id, sealed) = fx.sealed_key();
    let refused = fx
        .store
        .create_access_key(&fx.account, &Target::Root, id, sealed, T0)
        .await;
    assert!(
        matches!(refused, Err(IamError::LimitExceeded(Quota::AccessKeysPerUser))),
        "{refused:?}"
    );
    assert_eq!(
        key_ids(&fx, &Target::Root).await,
        vec![fx.root_key.as_str(), extra.id.as_str()]
    );
    // Users' keys are not root's and the other way round.
    fx.user("alice").await;
    fx.key(&Target::UserNamed("alice".into()), T0).await;
    assert_eq!(key_ids(&fx, &Target::Root).await.len(), 2);
    assert_eq!(fx.store.account_counts(&fx.account).await.unwrap().root_access_keys, 2);
});

store_test!(status_changes_and_deletes_touch_only_the_owners_key, |fx| async move {
    fx.user("alice").await;
    fx.user("bob").await;
    let alice = Target::UserNamed("alice".into());
    let bob = Target::UserNamed("bob".into());
    let key = fx.key(&alice, T0).await;
    let bobs = fx.key(&bob, T0).await;

    fx.store
        .set_access_key_status(&fx.account, &alice, key.id.as_str(), AccessKeyStatus::Inactive)
        .await
        .unwrap();
    let listed = fx.store.list_access_keys(&fx.account, &alice, all()).await.unwrap().1;
    assert_eq!(listed.items[0].status, AccessKeyStatus::Inactive);
    let credential = fx.store.key_credential(&key.id).await.unwrap().unwrap();
    assert_eq!(credential.key.status, AccessKeyStatus::Inactive);
    fx.store
        .set_access_key_status(&fx.account, &alice, key.id.as_str(), AccessKeyStatus::Active)
        .await
        .unwrap();
    let credential = fx.store.key_credential(&key.id).await.unwrap().unwrap();
    assert_eq!(credential.key.status, AccessKeyStatus::Active);

    // Someone else's key, root's key and an unknown key are all NotFound for alice.
    for other in [bobs.id.as_str(), fx.root_key.as_str(), "AKIAAAAAAAAAAAAAAAAA"] {
        let refused = fx
            .store
            .set_access_key_status(&fx.account, &alice, other, AccessKeyStatus::Inactive)
            .await;
        assert!(
            matches!(&refused, Err(IamError::NotFound(Entity::AccessKey(id))) if id == other),
            "{refused:?}"
        );
        let refused = fx.store.delete_access_key(&fx.account, &alice, other).await;
        assert!(
            matches!(&refused, Err(IamError::NotFound(Entity::AccessKey(id))) if id == other),
            "{refused:?}"
        );
    }
    let bobs_now = fx.store.key_credential(&bobs.id).await.unwrap().unwrap();
    assert_eq!(bobs_now.key.status, AccessKeyStatus::Active);

    fx.store
        .delete_access_key(&fx.account, &alice, key.id.as_str())
        .await
        .unwrap();
    assert!(key_ids(&fx, &alice).await.is_empty());
    assert!(fx.store.key_credential(&key.id).await.unwrap().is_none());
    let again = fx.store.delete_access_key(&fx.account, &alice, key.id.as_str()).await;
    assert!(
        matches!(again, Err(IamError::NotFound(Entity::AccessKey(_)))),
        "{again:?}"
    );
    assert_eq!(key_ids(&fx, &bob).await, vec![bobs.id.as_str()]);
});

store_test!(key_credential_resolves_principal_and_sealed_secret, |fx| async move {
    let mut new = new_user("alice");
    new.path = "/eng/".into();
    let alice = fx.store.create_user(&fx.account, new).await.unwrap();
    let id = AccessKeyId::generate(KeyKind::LongTerm).unwrap();
    let secret = generate_secret_access_key().unwrap();
    let sealed = fx.data_key.seal_text(secret.expose(), id.as_str().as_bytes()).unwrap();
    fx.store
        .create_access_key(&fx.account, &Target::UserNamed("alice".into()), id.clone(), sealed, T0)
        .await
        .unwrap();

    let credential = fx.store.key_credential(&id).await.unwrap().unwrap();
    assert_eq!(credential.key.id, id);
    assert_eq!(credential.key.owner, Owner::User(alice.id.clone()));
    assert_eq!(credential.key.status, AccessKeyStatus::Active);
    match &credential.principal {
        PrincipalIdentity::User { user } => {
            assert_eq!(user.id, alice.id);
            assert_eq!(user.name, "alice");
            assert_eq!(user.account_id, fx.account);
        }
        other => panic!("expected alice, got {other:?}"),
    }
    assert_eq!(
        credential.principal.arn(),
        format!("arn:aws:iam::{}:user/eng/alice", fx.account.as_str())
    );
    // The secret opens with the data key, bound to its own key ID only.
    let opened = fx
        .data_key
        .open_text(&credential.sealed_secret, id.as_str().as_bytes())
        .unwrap();
    assert_eq!(opened, secret.expose());
    assert!(
        fx.data_key
            .open_text(&credential.sealed_secret, fx.root_key.as_str().as_bytes())
            .is_err()
    );
    assert!(
        DataKey::generate()
            .unwrap()
            .open_text(&credential.sealed_secret, id.as_str().as_bytes())
            .is_err()
    );

    // Root's key resolves to root.
    let root = fx.store.key_credential(&fx.root_key).await.unwrap().unwrap();
    match &root.principal {
        PrincipalIdentity::Root { account } => {
            assert_eq!(account.id, fx.account);
            assert_eq!(account.root_email, "root@example.test");
        }
        other => panic!("expected root, got {other:?}"),
    }
    assert_eq!(
        root.principal.arn(),
        format!("arn:aws:iam::{}:root", fx.account.as_str())
    );
    let opened = fx
        .data_key
        .open_text(&root.sealed_secret, fx.root_key.as_str().as_bytes())
        .unwrap();
    assert_eq!(opened, fx.root_secret.expose());

    let unknown = AccessKeyId::generate(KeyKind::LongTerm).unwrap();
    assert!(fx.store.key_credential(&unknown).await.unwrap().is_none());
});

store_test!(keys_are_found_within_their_account_with_owner_name, |fx| async move {
    fx.user("Alice").await;
    let key = fx.key(&Target::UserNamed("alice".into()), T0).await;
    let (found, owner) = fx
        .store
        .access_key_in_account(&fx.account, key.id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, key);
    assert_eq!(owner.as_deref(), Some("Alice"));
    let (found, owner) = fx
        .store
        .access_key_in_account(&fx.account, fx.root_key.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.owner, Owner::Root);
    assert_eq!(owner, None);
    let other_account = AccountId::parse("999999999999").unwrap();
    assert!(
        fx.store
            .access_key_in_account(&other_account, key.id.as_str())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        fx.store
            .access_key_in_account(&fx.account, "AKIAAAAAAAAAAAAAAAAA")
            .await
            .unwrap()
            .is_none()
    );
});

store_test!(key_use_is_recorded, |fx| async move {
    fx.user("alice").await;
    let target = Target::UserNamed("alice".into());
    let key = fx.key(&target, T0).await;
    let used = KeyUse {
        at: T0 + Duration::minutes(5),
        region: "eu-west-1".into(),
        service: "sts".into(),
    };
    fx.store.record_key_use(&key.id, used.clone()).await.unwrap();
    let listed = fx.store.list_access_keys(&fx.account, &target, all()).await.unwrap().1;
    assert_eq!(listed.items[0].last_used.as_ref(), Some(&used));
    let later = KeyUse {
        at: T0 + Duration::minutes(9),
        region: "us-east-1".into(),
        service: "iam".into(),
    };
    fx.store.record_key_use(&key.id, later.clone()).await.unwrap();
    let credential = fx.store.key_credential(&key.id).await.unwrap().unwrap();
    assert_eq!(credential.key.last_used, Some(later));
});

// `wire-protocol.md` §7: deletes between pages never skip surviving items — including the
// delete of the very key the marker names.
store_test!(key_pages_survive_deleting_the_marker_key, |fx| async move {
    fx.user("alice").await;
    let target = Target::UserNamed("alice".into());
    let first = fx.key(&target, T0).await;
    let second = fx.key(&target, T0 + Duration::minutes(1)).await;
    let page = fx
        .store
        .list_access_keys(&fx.account, &target, PageRequest { after: None, limit: 1 })
        .await
        .unwrap()
        .1;
    assert_eq!(page.items, vec![first.clone()]);
    assert!(page.more);
    fx.store
        .delete_access_key(&fx.account, &target, first.id.as_str())
        .await
        .unwrap();
    let page = fx
        .store
        .list_access_keys(
            &fx.account,
            &target,
            PageRequest {
                after: Some(tessera::store::key_sort_key(&first)),
                limit: 1,
            },
        )
        .await
        .unwrap()
        .1;
    assert_eq!(page.items, vec![second], "the surviving key was skipped");
    assert!(!page.more);
});
