//! Users: create, look up, list by prefix and by page, rename, delete (`iam-mfa.md` §5.1–5.4).

use super::*;

store_test!(create_then_get_keeps_case_path_and_tags, |fx| async move {
    let mut new = new_user("Alice");
    new.path = "/team/ops/".into();
    new.tags = vec![tag("Dept", "Ops"), tag("Env", "")];
    let id = new.id.clone();
    let created = fx.store.create_user(&fx.account, new).await.unwrap();
    assert_eq!(created.name, "Alice");
    assert_eq!(created.id, id);
    assert_eq!(created.path, "/team/ops/");
    assert_eq!(created.account_id, fx.account);
    assert_eq!(created.created_at, T0);
    assert_eq!(created.password_last_used, None);
    assert_eq!(created.tags, vec![tag("Dept", "Ops"), tag("Env", "")]);
    assert_eq!(
        created.arn(),
        format!("arn:aws:iam::{}:user/team/ops/Alice", fx.account.as_str())
    );

    // Lookups ignore case; the stored name keeps it.
    for name in ["Alice", "alice", "ALICE"] {
        let found = fx.store.user_by_name(&fx.account, name).await.unwrap();
        assert_eq!(found.as_ref(), Some(&created), "lookup by {name}");
    }
    assert_eq!(fx.store.user_by_name(&fx.account, "Alicia").await.unwrap(), None);
    let other_account = AccountId::parse("999999999999").unwrap();
    assert_eq!(fx.store.user_by_name(&other_account, "Alice").await.unwrap(), None);
});

store_test!(create_refuses_taken_names_case_insensitively, |fx| async move {
    fx.user("bob").await;
    for name in ["bob", "BOB", "Bob"] {
        let refused = fx.store.create_user(&fx.account, new_user(name)).await;
        assert!(
            matches!(&refused, Err(IamError::AlreadyExists(Entity::User(n))) if n == name),
            "{name}: {refused:?}"
        );
    }
    // The account ID names root in MFA operations (`iam-mfa.md` §0.4).
    let refused = fx.store.create_user(&fx.account, new_user(fx.account.as_str())).await;
    assert!(
        matches!(refused, Err(IamError::AlreadyExists(Entity::User(_)))),
        "{refused:?}"
    );
    assert_eq!(all_user_names(&fx).await, vec!["bob"]);
});

store_test!(create_with_bad_tags_creates_nothing, |fx| async move {
    type Expected = fn(&IamError) -> bool;
    let cases: Vec<(Vec<Tag>, Expected)> = vec![
        (vec![tag("Dept", "a"), tag("DEPT", "b")], |e| {
            matches!(e, IamError::Invalid(_))
        }),
        (vec![tag("aws:owner", "x")], |e| matches!(e, IamError::Invalid(_))),
        (vec![tag("AWS:Owner", "x")], |e| matches!(e, IamError::Invalid(_))),
        ((0..51).map(|i| tag(&format!("k{i}"), "v")).collect(), |e| {
            matches!(e, IamError::LimitExceeded(Quota::TagsPerUser))
        }),
    ];
    for (tags, expected) in cases {
        let mut new = new_user("carol");
        new.tags = tags.clone();
        let error = fx.store.create_user(&fx.account, new).await.unwrap_err();
        assert!(expected(&error), "tags {tags:?}: {error:?}");
        assert_eq!(fx.store.user_by_name(&fx.account, "carol").await.unwrap(), None);
    }
    let mut new = new_user("carol");
    new.tags = (0..50).map(|i| tag(&format!("k{i}"), "v")).collect();
    let created = fx.store.create_user(&fx.account, new).await.unwrap();
    assert_eq!(created.tags.len(), 50);
    let stored = fx.store.user_by_name(&fx.account, "carol").await.unwrap().unwrap();
    assert_eq!(stored.tags, created.tags, "tags keep their order");
});

store_test!(
    list_filters_by_path_prefix_and_sorts_by_lower_case_name,
    |fx| async move {
        for (name, path) in [
            ("bob", "/a/"),
            ("Alice", "/a/b/"),
            ("carol", "/c/"),
            ("dave", "/a_b/"),
            ("Erin", "/"),
        ] {
            let mut new = new_user(name);
            new.path = path.into();
            fx.store.create_user(&fx.account, new).await.unwrap();
        }
        let list = |prefix: &'static str| {
            let store = Arc::clone(&fx.store);
            let account = fx.account.clone();
            async move {
                let page = store
                    .list_users(
                        &account,
                        prefix,
                        PageRequest {
                            after: None,
                            limit: 100,
                        },
                    )
                    .await
                    .unwrap();
                assert!(!page.more);
                page.items.into_iter().map(|u| u.name).collect::<Vec<_>>()
            }
        };
        assert_eq!(list("/").await, vec!["Alice", "bob", "carol", "dave", "Erin"]);
        assert_eq!(list("/a").await, vec!["Alice", "bob", "dave"]);
        assert_eq!(list("/a/").await, vec!["Alice", "bob"]);
        assert_eq!(list("/a/b/").await, vec!["Alice"]);
        // '_' and '%' are literal in a prefix, not LIKE wildcards.
        assert_eq!(list("/a_").await, vec!["dave"]);
        assert_eq!(list("/a%").await, Vec::<String>::new());
        assert_eq!(list("/x/").await, Vec::<String>::new());

        let other_account = AccountId::parse("999999999999").unwrap();
        let page = fx
            .store
            .list_users(
                &other_account,
                "/",
                PageRequest {
                    after: None,
                    limit: 100,
                },
            )
            .await
            .unwrap();
        assert!(page.items.is_empty() && !page.more);
    }
);

/// Names whose order differs between byte order and a linguistic collation (which ignores
/// punctuation at first level), in byte order of their lower-cased form.
const PUNCTUATED: [&str; 9] = ["a+b", "A,c", "a-c", "a.b", "a1", "a=b", "A@b", "a_b", "ab"];

async fn check_byte_order_listing(fx: &Fixture) {
    for name in PUNCTUATED.iter().rev() {
        fx.user(name).await;
    }
    assert_eq!(all_user_names(fx).await, PUNCTUATED);
    // Paging agrees with the order.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = fx
            .store
            .list_users(
                &fx.account,
                "/",
                PageRequest {
                    after: after.clone(),
                    limit: 2,
                },
            )
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|u| u.name.clone()));
        after = page.items.last().map(|u| u.name.to_lowercase());
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, PUNCTUATED);
}

store_test!(list_orders_by_lower_cased_name_bytes, |fx| async move {
    check_byte_order_listing(&fx).await;
});

/// Most PostgreSQL clusters default to a linguistic collation (en_US.UTF-8); the order of
/// ListUsers must not change with it, nor differ from SQLite's.
#[tokio::test(flavor = "multi_thread")]
async fn list_order_does_not_depend_on_the_postgres_collation() {
    let options = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'";
    let Some((store, guard)) = crate::harness::fresh_store_with(crate::harness::Backend::Postgres, options).await
    else {
        return;
    };
    let fx = crate::harness::initialise(store, guard).await;
    check_byte_order_listing(&fx).await;
}

store_test!(list_pages_by_key_without_repeats_or_skips, |fx| async move {
    use std::collections::BTreeSet;
    // 25 users u00, u02, … u48; users inserted between pages get odd numbers, so they can
    // land on either side of the cursor without colliding with the originals.
    let original: BTreeSet<String> = (0..25).map(|i| format!("u{:02}", i * 2)).collect();
    for name in &original {
        fx.user(name).await;
    }
    // What a consistent pager must return: every original not deleted ahead of the cursor,
    // plus every user inserted ahead of it. Users behind the cursor are never returned again.
    let mut expected = original.clone();
    let mut inserted = BTreeSet::new();
    let mut seen: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = fx
            .store
            .list_users(
                &fx.account,
                "/",
                PageRequest {
                    after: after.clone(),
                    limit: 7,
                },
            )
            .await
            .unwrap();
        pages += 1;
        assert!(pages <= 10, "paging does not end");
        seen.extend(page.items.iter().map(|u| u.name.clone()));
        if !page.more {
            assert!(page.items.len() <= 7);
            break;
        }
        assert_eq!(page.items.len(), 7, "a page that is not the last is full");
        // The API's marker is the last user's lower-cased name (`api/iam/users.rs`).
        let cursor = page.items.last().unwrap().name.to_lowercase();
        let n: u32 = cursor[1..].parse().unwrap();
        after = Some(cursor);
        let behind = format!("u{:02}", n.saturating_sub(3) | 1);
        let ahead = format!("u{:02}", (n + 5) | 1);
        for name in [&behind, &ahead] {
            if inserted.insert(name.clone()) {
                fx.user(name).await;
            }
        }
        expected.insert(ahead);
        // Delete one user already returned and one not yet returned.
        for (name, ahead) in [
            (format!("u{:02}", n.saturating_sub(2)), false),
            (format!("u{:02}", n + 4), true),
        ] {
            if original.contains(&name) && fx.store.delete_user(&fx.account, &name).await.is_ok() && ahead {
                expected.remove(&name);
            }
        }
    }
    assert!(pages >= 4, "25 users in pages of 7 take at least 4 pages, took {pages}");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "pages come in name order and never repeat a user");
    let seen: BTreeSet<String> = seen.into_iter().collect();
    assert_eq!(seen, expected, "returned users differ from the surviving ones");
});

store_test!(rename_keeps_identity_keys_tags_and_profile, |fx| async move {
    let mut new = new_user("alice");
    new.tags = vec![tag("Dept", "Ops")];
    let alice = fx.store.create_user(&fx.account, new).await.unwrap();
    let key = fx.key(&Target::UserNamed("alice".into()), T0).await;
    fx.store
        .create_login_profile(&fx.account, "alice", PasswordHash::new("h".into()), false, T0)
        .await
        .unwrap();

    fx.store
        .update_user(&fx.account, "ALICE", Some("Alicia".into()), Some("/new/".into()))
        .await
        .unwrap();
    assert_eq!(fx.store.user_by_name(&fx.account, "alice").await.unwrap(), None);
    let renamed = fx.store.user_by_name(&fx.account, "alicia").await.unwrap().unwrap();
    assert_eq!(renamed.id, alice.id);
    assert_eq!(renamed.name, "Alicia");
    assert_eq!(renamed.path, "/new/");
    assert_eq!(renamed.created_at, alice.created_at);
    assert_eq!(renamed.tags, vec![tag("Dept", "Ops")]);

    let keys = fx
        .store
        .list_access_keys(
            &fx.account,
            &Target::UserNamed("Alicia".into()),
            PageRequest { after: None, limit: 10 },
        )
        .await
        .unwrap()
        .1;
    assert_eq!(keys.items.iter().map(|k| &k.id).collect::<Vec<_>>(), vec![&key.id]);
    let credential = fx.store.key_credential(&key.id).await.unwrap().unwrap();
    assert_eq!(
        credential.principal.arn(),
        format!("arn:aws:iam::{}:user/new/Alicia", fx.account.as_str())
    );
    let (name, _) = fx.store.login_profile(&fx.account, "alicia").await.unwrap();
    assert_eq!(name, "Alicia");

    // The old name is free again.
    fx.user("alice").await;

    // Path only, then name only.
    fx.store
        .update_user(&fx.account, "alicia", None, Some("/".into()))
        .await
        .unwrap();
    fx.store
        .update_user(&fx.account, "alicia", Some("Ally".into()), None)
        .await
        .unwrap();
    let ally = fx.store.user_by_name(&fx.account, "ally").await.unwrap().unwrap();
    assert_eq!(
        (ally.name.as_str(), ally.path.as_str(), &ally.id),
        ("Ally", "/", &alice.id)
    );
});

store_test!(rename_onto_a_taken_name_conflicts, |fx| async move {
    fx.user("alice").await;
    fx.user("bob").await;
    for taken in ["bob", "BOB", fx.account.as_str()] {
        let refused = fx
            .store
            .update_user(&fx.account, "alice", Some(taken.into()), None)
            .await;
        assert!(
            matches!(&refused, Err(IamError::AlreadyExists(Entity::User(n))) if n == taken),
            "{taken}: {refused:?}"
        );
    }
    // A user may change the case of its own name.
    fx.store
        .update_user(&fx.account, "alice", Some("ALICE".into()), None)
        .await
        .unwrap();
    assert_eq!(all_user_names(&fx).await, vec!["ALICE", "bob"]);

    let missing = fx
        .store
        .update_user(&fx.account, "nobody", Some("x".into()), None)
        .await;
    assert!(
        matches!(&missing, Err(IamError::NotFound(Entity::User(n))) if n == "nobody"),
        "{missing:?}"
    );
});

store_test!(delete_checks_login_profile_then_access_keys, |fx| async move {
    let mut new = new_user("alice");
    new.tags = vec![tag("Dept", "Ops")];
    fx.store.create_user(&fx.account, new).await.unwrap();
    let alice = Target::UserNamed("alice".into());
    let key = fx.key(&alice, T0).await;
    fx.store
        .create_login_profile(&fx.account, "alice", PasswordHash::new("h".into()), false, T0)
        .await
        .unwrap();

    let refused = fx.store.delete_user(&fx.account, "alice").await;
    assert!(
        matches!(refused, Err(IamError::DeleteConflict(DeleteBlocker::LoginProfile))),
        "{refused:?}"
    );
    fx.store.delete_login_profile(&fx.account, "alice").await.unwrap();
    let refused = fx.store.delete_user(&fx.account, "ALICE").await;
    assert!(
        matches!(refused, Err(IamError::DeleteConflict(DeleteBlocker::AccessKeys))),
        "{refused:?}"
    );
    assert!(fx.store.user_by_name(&fx.account, "alice").await.unwrap().is_some());
    fx.store
        .delete_access_key(&fx.account, &alice, key.id.as_str())
        .await
        .unwrap();
    fx.store.delete_user(&fx.account, "Alice").await.unwrap();

    assert_eq!(fx.store.user_by_name(&fx.account, "alice").await.unwrap(), None);
    assert!(all_user_names(&fx).await.is_empty());
    let missing = fx.store.delete_user(&fx.account, "alice").await;
    assert!(
        matches!(&missing, Err(IamError::NotFound(Entity::User(n))) if n == "alice"),
        "{missing:?}"
    );

    // The name is free and the new user starts without the old one's tags.
    let again = fx.user("alice").await;
    assert!(again.tags.is_empty());
    let stored = fx.store.user_by_name(&fx.account, "alice").await.unwrap().unwrap();
    assert!(
        stored.tags.is_empty(),
        "tags of a deleted user came back: {:?}",
        stored.tags
    );
});
