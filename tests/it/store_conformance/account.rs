//! The account: initialisation, the data-key check, the alias, summary counts and the
//! test-mode reset (`iam-mfa.md` §5.8–5.9, `test-mode.md`).

use super::*;
use crate::harness::{KEY_CHECK_CONTEXT, KEY_CHECK_PLAINTEXT, new_account};

store_test!(
    empty_store_has_no_account_until_initialised,
    raw | store
        | async move {
            store.ping().await.unwrap();
            assert_eq!(store.first_account().await.unwrap(), None);
            assert_eq!(store.data_key_check().await.unwrap(), None);

            let data_key = DataKey::generate().unwrap();
            let (account, root_secret) = new_account(&data_key);
            let (id, root_key) = (account.id.clone(), account.root_key_id.clone());
            assert!(store.initialise(account).await.unwrap());

            let expected = Account {
                id: id.clone(),
                root_email: "root@example.test".into(),
                alias: None,
                created_at: T0,
            };
            assert_eq!(store.first_account().await.unwrap().as_ref(), Some(&expected));
            assert_eq!(store.account(&id).await.unwrap().as_ref(), Some(&expected));
            assert_eq!(
                store.account(&AccountId::parse("999999999999").unwrap()).await.unwrap(),
                None
            );
            let root = store.key_credential(&root_key).await.unwrap().unwrap();
            assert_eq!(
                data_key
                    .open_text(&root.sealed_secret, root_key.as_str().as_bytes())
                    .unwrap(),
                root_secret.expose()
            );
        }
);

store_test!(initialising_twice_changes_nothing, |fx| async move {
    let before = fx.store.first_account().await.unwrap().unwrap();
    let check_before = fx.store.data_key_check().await.unwrap();

    let other_key = DataKey::generate().unwrap();
    let (mut second, _) = new_account(&other_key);
    second.now = T0 + Duration::days(1);
    second.root_email = "other@example.test".into();
    let second_id = second.id.clone();
    let second_key = second.root_key_id.clone();
    assert!(!fx.store.initialise(second).await.unwrap());

    assert_eq!(fx.store.first_account().await.unwrap().unwrap(), before);
    assert_eq!(fx.store.account(&second_id).await.unwrap(), None);
    assert!(fx.store.key_credential(&second_key).await.unwrap().is_none());
    assert_eq!(fx.store.data_key_check().await.unwrap(), check_before);
    let check = check_before.unwrap();
    assert_eq!(
        fx.data_key.open(&check, KEY_CHECK_CONTEXT).unwrap(),
        KEY_CHECK_PLAINTEXT
    );
    assert!(other_key.open(&check, KEY_CHECK_CONTEXT).is_err());
    let counts = fx.store.account_counts(&fx.account).await.unwrap();
    assert_eq!((counts.users, counts.root_access_keys), (0, 1));
});

store_test!(data_key_check_opens_only_with_the_data_key, |fx| async move {
    let check = fx.store.data_key_check().await.unwrap().expect("initialised");
    assert_eq!(
        fx.data_key.open(&check, KEY_CHECK_CONTEXT).unwrap(),
        KEY_CHECK_PLAINTEXT
    );
    assert!(DataKey::generate().unwrap().open(&check, KEY_CHECK_CONTEXT).is_err());
    assert!(fx.data_key.open(&check, b"another context").is_err());
});

store_test!(alias_is_unique_replaced_and_deleted_by_name, |fx| async move {
    let alias_of = |fx: &Fixture| {
        let (store, account) = (Arc::clone(&fx.store), fx.account.clone());
        async move { store.account(&account).await.unwrap().unwrap().alias }
    };
    assert_eq!(alias_of(&fx).await, None);
    fx.store.set_account_alias(&fx.account, "first-alias").await.unwrap();
    assert_eq!(alias_of(&fx).await.as_deref(), Some("first-alias"));

    // Held by an account of this deployment — this one included — is taken.
    let taken = fx.store.set_account_alias(&fx.account, "first-alias").await;
    assert!(
        matches!(&taken, Err(IamError::AlreadyExists(Entity::AccountAlias(a))) if a == "first-alias"),
        "{taken:?}"
    );

    // A new alias replaces the current one, and the old one is free again.
    fx.store.set_account_alias(&fx.account, "second-alias").await.unwrap();
    assert_eq!(alias_of(&fx).await.as_deref(), Some("second-alias"));
    let stale = fx.store.delete_account_alias(&fx.account, "first-alias").await;
    assert!(
        matches!(&stale, Err(IamError::NotFound(Entity::AccountAlias(a))) if a == "first-alias"),
        "{stale:?}"
    );
    assert_eq!(alias_of(&fx).await.as_deref(), Some("second-alias"));

    let other_account = AccountId::parse("999999999999").unwrap();
    let foreign = fx.store.delete_account_alias(&other_account, "second-alias").await;
    assert!(
        matches!(foreign, Err(IamError::NotFound(Entity::AccountAlias(_)))),
        "{foreign:?}"
    );
    assert_eq!(alias_of(&fx).await.as_deref(), Some("second-alias"));

    fx.store
        .delete_account_alias(&fx.account, "second-alias")
        .await
        .unwrap();
    assert_eq!(alias_of(&fx).await, None);
    let gone = fx.store.delete_account_alias(&fx.account, "second-alias").await;
    assert!(
        matches!(gone, Err(IamError::NotFound(Entity::AccountAlias(_)))),
        "{gone:?}"
    );
    fx.store.set_account_alias(&fx.account, "first-alias").await.unwrap();
    assert_eq!(alias_of(&fx).await.as_deref(), Some("first-alias"));
});

store_test!(account_counts_follow_users_and_root_credentials, |fx| async move {
    let counts = fx.store.account_counts(&fx.account).await.unwrap();
    assert_eq!(
        counts,
        AccountCounts {
            users: 0,
            root_access_keys: 1,
            root_password_present: true,
            ..AccountCounts::default()
        }
    );
    for name in ["a", "b", "c"] {
        fx.user(name).await;
    }
    fx.key(&Target::UserNamed("a".into()), T0).await;
    fx.key(&Target::Root, T0).await;
    let counts = fx.store.account_counts(&fx.account).await.unwrap();
    assert_eq!((counts.users, counts.root_access_keys), (3, 2));
    fx.store.delete_user(&fx.account, "b").await.unwrap();
    fx.store
        .delete_access_key(&fx.account, &Target::Root, fx.root_key.as_str())
        .await
        .unwrap();
    let counts = fx.store.account_counts(&fx.account).await.unwrap();
    assert_eq!((counts.users, counts.root_access_keys), (2, 1));

    // Users of another account are not counted (there is none: counts are zero).
    let other = fx
        .store
        .account_counts(&AccountId::parse("999999999999").unwrap())
        .await
        .unwrap();
    assert_eq!(
        (other.users, other.root_access_keys, other.root_password_present),
        (0, 0, false)
    );
});

store_test!(reset_keeps_only_what_init_created, |fx| async move {
    // Fill every table.
    let mut new = new_user("alice");
    new.tags = vec![tag("Dept", "Ops")];
    fx.store.create_user(&fx.account, new).await.unwrap();
    fx.user("bob").await;
    let alices_key = fx.key(&Target::UserNamed("alice".into()), T0).await;
    let root_extra = fx.key(&Target::Root, T0).await;
    fx.store
        .create_login_profile(&fx.account, "alice", PasswordHash::new("h".into()), false, T0)
        .await
        .unwrap();
    fx.store.set_account_alias(&fx.account, "reset-me").await.unwrap();
    fx.store
        .set_access_key_status(
            &fx.account,
            &Target::Root,
            fx.root_key.as_str(),
            AccessKeyStatus::Inactive,
        )
        .await
        .unwrap();
    fx.store
        .record_key_use(
            &fx.root_key,
            KeyUse {
                at: T0,
                region: "us-east-1".into(),
                service: "iam".into(),
            },
        )
        .await
        .unwrap();
    fx.store
        .save_credential_report(
            &fx.account,
            CredentialReport {
                generated_at: T0,
                csv: b"x\n".to_vec(),
            },
        )
        .await
        .unwrap();
    // An MFA device assigned to alice (with a tag) and an unassigned one.
    for name in ["alices-phone", "spare"] {
        let device = NewVirtualDevice {
            serial: format!("arn:aws:iam::{}:mfa/{name}", fx.account.as_str()),
            name: name.into(),
            path: "/".into(),
            sealed_seed: vec![7; 28],
            tags: vec![tag("k", "v")],
            now: T0,
        };
        fx.store.create_virtual_mfa_device(&fx.account, device).await.unwrap();
    }
    let accept: CodeCheck = Box::new(|secret: &DeviceSecret| tessera::mfa::otp_check::Verdict {
        outcome: tessera::mfa::otp_check::Outcome::Accepted,
        state: tessera::mfa::otp_check::OtpState {
            last_used_step: Some(1),
            ..secret.state
        },
    });
    let serial = format!("arn:aws:iam::{}:mfa/alices-phone", fx.account.as_str());
    assert!(
        fx.store
            .enable_mfa_device(&fx.account, &Target::UserNamed("alice".into()), &serial, T0, accept)
            .await
            .unwrap()
    );
    let check = fx.store.data_key_check().await.unwrap();
    let account = fx.store.first_account().await.unwrap().unwrap();

    fx.store.reset_to_initial().await.unwrap();

    let devices = fx
        .store
        .list_virtual_mfa_devices(
            &fx.account,
            AssignmentFilter::Any,
            PageRequest {
                after: None,
                limit: 100,
            },
        )
        .await
        .unwrap();
    assert!(devices.items.is_empty(), "{devices:?}");

    assert!(all_user_names(&fx).await.is_empty());
    assert_eq!(fx.store.user_by_name(&fx.account, "alice").await.unwrap(), None);
    assert!(fx.store.key_credential(&alices_key.id).await.unwrap().is_none());
    assert!(fx.store.key_credential(&root_extra.id).await.unwrap().is_none());
    assert_eq!(fx.store.latest_credential_report(&fx.account).await.unwrap(), None);
    assert_eq!(
        fx.store.first_account().await.unwrap().unwrap(),
        Account { alias: None, ..account }
    );
    assert_eq!(fx.store.data_key_check().await.unwrap(), check);

    // init's root key is back to how init left it, and still opens.
    let root = fx.store.key_credential(&fx.root_key).await.unwrap().unwrap();
    assert_eq!(root.key.status, AccessKeyStatus::Active);
    assert_eq!(root.key.last_used, None);
    assert_eq!(root.key.created_at, T0);
    assert_eq!(
        fx.data_key
            .open_text(&root.sealed_secret, fx.root_key.as_str().as_bytes())
            .unwrap(),
        fx.root_secret.expose()
    );
    let counts = fx.store.account_counts(&fx.account).await.unwrap();
    assert_eq!(
        counts,
        AccountCounts {
            users: 0,
            root_access_keys: 1,
            root_password_present: true,
            ..AccountCounts::default()
        }
    );

    // Everything that was taken is free again.
    fx.user("alice").await;
    let alice = fx.store.user_by_name(&fx.account, "alice").await.unwrap().unwrap();
    assert!(alice.tags.is_empty());
    fx.store.set_account_alias(&fx.account, "reset-me").await.unwrap();
    fx.key(&Target::Root, T0).await;
    // A second reset on a reset store is fine.
    fx.store.reset_to_initial().await.unwrap();
    assert!(all_user_names(&fx).await.is_empty());
});
