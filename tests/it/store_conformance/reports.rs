//! What credential reports are built from, and the newest saved report (`iam-mfa.md` §5.10).

use super::*;

store_test!(report_rows_list_root_then_users_by_name, |fx| async move {
    let root_key = fx.store.key_credential(&fx.root_key).await.unwrap().unwrap().key;
    let rows = fx.store.credential_report_rows(&fx.account).await.unwrap();
    assert_eq!(
        rows,
        vec![CredentialReportRow {
            user: None,
            created_at: T0,
            password: Some(PasswordFacts {
                last_used: None,
                last_changed: T0
            }),
            mfa_active: false,
            keys: vec![root_key.clone()],
        }]
    );

    let t1 = T0 + Duration::hours(1);
    let bob = fx.user("bob").await;
    let mut new = new_user("Alice");
    new.now = t1;
    let alice = fx.store.create_user(&fx.account, new).await.unwrap();
    fx.user("carol").await;
    fx.store
        .create_login_profile(&fx.account, "alice", PasswordHash::new("h".into()), false, t1)
        .await
        .unwrap();
    let target = Target::UserNamed("bob".into());
    let later = fx.key(&target, T0 + Duration::minutes(2)).await;
    let earlier = fx.key(&target, T0 + Duration::minutes(1)).await;
    let used = KeyUse {
        at: t1,
        region: "us-east-1".into(),
        service: "iam".into(),
    };
    fx.store.record_key_use(&later.id, used.clone()).await.unwrap();

    let rows = fx.store.credential_report_rows(&fx.account).await.unwrap();
    let names: Vec<Option<&str>> = rows.iter().map(|r| r.user.as_ref().map(|u| u.name.as_str())).collect();
    assert_eq!(names, vec![None, Some("Alice"), Some("bob"), Some("carol")]);

    let alice_row = &rows[1];
    assert_eq!(alice_row.user.as_ref().map(|u| &u.id), Some(&alice.id));
    assert_eq!(alice_row.created_at, t1);
    assert_eq!(
        alice_row.password,
        Some(PasswordFacts {
            last_used: None,
            last_changed: t1
        })
    );
    assert!(alice_row.keys.is_empty());

    let bob_row = &rows[2];
    assert_eq!(bob_row.user.as_ref().map(|u| &u.id), Some(&bob.id));
    assert_eq!(bob_row.password, None);
    let key_ids: Vec<&AccessKeyId> = bob_row.keys.iter().map(|k| &k.id).collect();
    assert_eq!(key_ids, vec![&earlier.id, &later.id], "keys in creation order");
    assert_eq!(bob_row.keys[1].last_used.as_ref(), Some(&used));
    assert_eq!(rows[3].keys, Vec::new());
    assert_eq!(rows[0].keys, vec![root_key]);
});

store_test!(latest_report_is_the_last_saved, |fx| async move {
    assert_eq!(fx.store.latest_credential_report(&fx.account).await.unwrap(), None);
    let first = CredentialReport {
        generated_at: T0,
        csv: b"user,arn\n".to_vec(),
    };
    fx.store
        .save_credential_report(&fx.account, first.clone())
        .await
        .unwrap();
    assert_eq!(
        fx.store.latest_credential_report(&fx.account).await.unwrap(),
        Some(first)
    );

    let second = CredentialReport {
        generated_at: T0 + Duration::hours(5),
        csv: (0..=255u8).collect(),
    };
    fx.store
        .save_credential_report(&fx.account, second.clone())
        .await
        .unwrap();
    assert_eq!(
        fx.store.latest_credential_report(&fx.account).await.unwrap(),
        Some(second)
    );

    let other_account = AccountId::parse("999999999999").unwrap();
    assert_eq!(fx.store.latest_credential_report(&other_account).await.unwrap(), None);
});
