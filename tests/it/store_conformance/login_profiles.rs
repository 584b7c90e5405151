//! Login profiles (`iam-mfa.md` §5.5).

use super::*;

fn hash(text: &str) -> PasswordHash {
    PasswordHash::new(text.into())
}

/// The password facts the credential report has for `name`.
async fn password_facts(fx: &Fixture, name: &str) -> Option<PasswordFacts> {
    let rows = fx.store.credential_report_rows(&fx.account).await.unwrap();
    rows.into_iter()
        .find(|row| row.user.as_ref().is_some_and(|u| u.name == name))
        .unwrap_or_else(|| panic!("no report row for {name}"))
        .password
}

store_test!(create_get_update_delete_login_profile, |fx| async move {
    fx.user("Alice").await;
    let (name, profile) = fx
        .store
        .create_login_profile(&fx.account, "alice", hash("h1"), true, T0)
        .await
        .unwrap();
    assert_eq!(name, "Alice", "the stored name, case kept");
    assert_eq!(
        profile,
        LoginProfile {
            created_at: T0,
            reset_required: true
        }
    );
    assert_eq!(
        password_facts(&fx, "Alice").await,
        Some(PasswordFacts {
            last_used: None,
            last_changed: T0
        })
    );

    let again = fx
        .store
        .create_login_profile(&fx.account, "ALICE", hash("h2"), false, T0)
        .await;
    assert!(
        matches!(&again, Err(IamError::AlreadyExists(Entity::LoginProfile(n))) if n == "Alice"),
        "{again:?}"
    );

    let (name, got) = fx.store.login_profile(&fx.account, "ALICE").await.unwrap();
    assert_eq!((name.as_str(), &got), ("Alice", &profile));

    // Only the reset flag: the password's change time stays.
    let t1 = T0 + Duration::hours(1);
    fx.store
        .update_login_profile(&fx.account, "alice", None, Some(false), t1)
        .await
        .unwrap();
    let (_, got) = fx.store.login_profile(&fx.account, "alice").await.unwrap();
    assert_eq!(
        got,
        LoginProfile {
            created_at: T0,
            reset_required: false
        }
    );
    assert_eq!(password_facts(&fx, "Alice").await.unwrap().last_changed, T0);

    // A new password moves the change time, not the creation time.
    let t2 = T0 + Duration::hours(2);
    fx.store
        .update_login_profile(&fx.account, "alice", Some(hash("h3")), None, t2)
        .await
        .unwrap();
    let (_, got) = fx.store.login_profile(&fx.account, "alice").await.unwrap();
    assert_eq!(
        got,
        LoginProfile {
            created_at: T0,
            reset_required: false
        }
    );
    assert_eq!(password_facts(&fx, "Alice").await.unwrap().last_changed, t2);

    fx.store.delete_login_profile(&fx.account, "alice").await.unwrap();
    assert_eq!(password_facts(&fx, "Alice").await, None);
    let gone = fx.store.login_profile(&fx.account, "alice").await;
    assert!(
        matches!(&gone, Err(IamError::NotFound(Entity::LoginProfile(n))) if n == "Alice"),
        "{gone:?}"
    );
    let gone = fx.store.delete_login_profile(&fx.account, "alice").await;
    assert!(
        matches!(gone, Err(IamError::NotFound(Entity::LoginProfile(_)))),
        "{gone:?}"
    );
    let gone = fx
        .store
        .update_login_profile(&fx.account, "alice", Some(hash("h4")), None, t2)
        .await;
    assert!(
        matches!(gone, Err(IamError::NotFound(Entity::LoginProfile(_)))),
        "{gone:?}"
    );

    // A deleted profile can be created again.
    fx.store
        .create_login_profile(&fx.account, "alice", hash("h5"), false, t2)
        .await
        .unwrap();
});

store_test!(login_profile_operations_need_the_user, |fx| async move {
    let missing = |result: Result<(), IamError>| {
        assert!(
            matches!(&result, Err(IamError::NotFound(Entity::User(n))) if n == "nobody"),
            "{result:?}"
        );
    };
    missing(
        fx.store
            .create_login_profile(&fx.account, "nobody", hash("h"), false, T0)
            .await
            .map(|_| ()),
    );
    missing(fx.store.login_profile(&fx.account, "nobody").await.map(|_| ()));
    missing(
        fx.store
            .update_login_profile(&fx.account, "nobody", None, Some(true), T0)
            .await,
    );
    missing(fx.store.delete_login_profile(&fx.account, "nobody").await);

    // A user without a profile: the profile is what is missing.
    fx.user("bob").await;
    let none = fx.store.login_profile(&fx.account, "bob").await;
    assert!(
        matches!(&none, Err(IamError::NotFound(Entity::LoginProfile(n))) if n == "bob"),
        "{none:?}"
    );
});
