//! Roles: CRUD with case-insensitive names, tags, delete conflicts with policies, and role
//! sessions that resolve to the assumed role and end with it.

use super::*;
use crate::harness::execute_sql;

const TRUST: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;

fn new_role(name: &str, path: &str) -> NewRole {
    NewRole {
        id: RoleId::generate().expect("role id"),
        name: name.into(),
        path: path.into(),
        trust_policy: TRUST.into(),
        description: None,
        max_session_duration: 3600,
        tags: Vec::new(),
        now: T0,
    }
}

async fn role_named(fx: &Fixture, name: &str) -> Option<Role> {
    fx.store.role_by_name(&fx.account, name).await.unwrap()
}

/// A role session opened at `T0` for an hour, signed for by root's key.
fn role_session(fx: &Fixture, role: &Role, session_name: &str) -> (AccessKeyId, NewSession) {
    let key = AccessKeyId::generate(KeyKind::Session).expect("key id");
    let session = NewSession {
        access_key_id: key.clone(),
        holder: SessionHolder::Role {
            id: role.id.clone(),
            session_name: session_name.into(),
            region: "eu-west-1".into(),
        },
        token_hash: vec![7; 32],
        sealed_secret: vec![1, 2, 3],
        created_at: T0,
        expires_at: T0 + Duration::hours(1),
        source_key_id: fx.root_key.clone(),
        mfa: None,
    };
    (key, session)
}

store_test!(roles_are_created_found_and_updated, |fx| async move {
    let mut new = new_role("Deployer", "/ci/");
    new.description = Some("deploys".into());
    new.tags = vec![tag("Team", "ops")];
    let created = fx.store.create_role(&fx.account, new).await.unwrap();
    assert_eq!(
        created.arn(),
        format!("arn:aws:iam::{}:role/ci/Deployer", fx.account.as_str())
    );

    let found = role_named(&fx, "DEPLOYER").await.expect("found case-insensitively");
    assert_eq!(found, created);
    assert_eq!(found.trust_policy, TRUST, "stored exactly as received");
    assert_eq!(found.last_used, None);

    let taken = fx.store.create_role(&fx.account, new_role("deployer", "/")).await;
    assert!(
        matches!(taken, Err(IamError::AlreadyExists(Entity::Role(_)))),
        "{taken:?}"
    );

    fx.store
        .update_role(
            &fx.account,
            "deployer",
            RoleUpdate {
                description: None,
                max_session_duration: Some(7200),
            },
        )
        .await
        .unwrap();
    let document = "{ \"Version\": \"2012-10-17\",\n \"Statement\": [] }".to_owned();
    fx.store
        .update_trust_policy(&fx.account, "Deployer", document.clone())
        .await
        .unwrap();
    let updated = role_named(&fx, "Deployer").await.unwrap();
    assert_eq!(updated.max_session_duration, 7200);
    assert_eq!(updated.description.as_deref(), Some("deploys"), "absent members stay");
    assert_eq!(updated.trust_policy, document);

    let missing = fx.store.update_role(&fx.account, "nobody", RoleUpdate::default()).await;
    assert!(
        matches!(missing, Err(IamError::NotFound(Entity::Role(_)))),
        "{missing:?}"
    );
});

store_test!(roles_list_by_path_prefix_in_name_order, |fx| async move {
    for (name, path) in [("b", "/x/"), ("A", "/x/y/"), ("c", "/"), ("D", "/x/")] {
        fx.store.create_role(&fx.account, new_role(name, path)).await.unwrap();
    }
    let page = |after: Option<&str>, prefix: &'static str, limit| {
        let store = Arc::clone(&fx.store);
        let account = fx.account.clone();
        let after = after.map(str::to_owned);
        async move {
            store
                .list_roles(&account, prefix, PageRequest { after, limit })
                .await
                .unwrap()
        }
    };
    let first = page(None, "/x/", 2).await;
    let names: Vec<_> = first.items.iter().map(|r| r.name.as_str()).collect();
    assert_eq!((names, first.more), (vec!["A", "b"], true));
    let rest = page(Some("b"), "/x/", 2).await;
    let names: Vec<_> = rest.items.iter().map(|r| r.name.as_str()).collect();
    assert_eq!((names, rest.more), (vec!["D"], false));
    assert_eq!(page(None, "/", 100).await.items.len(), 4);
});

store_test!(role_tags_merge_and_untag, |fx| async move {
    let mut new = new_role("r", "/");
    new.tags = vec![tag("Env", "prod")];
    fx.store.create_role(&fx.account, new).await.unwrap();
    fx.store
        .tag_role(&fx.account, "R", vec![tag("ENV", "dev"), tag("Team", "x")])
        .await
        .unwrap();
    assert_eq!(
        role_named(&fx, "r").await.unwrap().tags,
        vec![tag("ENV", "dev"), tag("Team", "x")]
    );
    fx.store.untag_role(&fx.account, "r", vec!["env".into()]).await.unwrap();
    assert_eq!(role_named(&fx, "r").await.unwrap().tags, vec![tag("Team", "x")]);
    let many: Vec<Tag> = (0..50).map(|i| tag(&format!("k{i}"), "")).collect();
    let over = fx.store.tag_role(&fx.account, "r", many).await;
    assert!(
        matches!(over, Err(IamError::LimitExceeded(Quota::TagsPerRole))),
        "{over:?}"
    );
});

store_test!(role_with_policies_cannot_be_deleted, |fx| async move {
    let role = fx.store.create_role(&fx.account, new_role("r", "/")).await.unwrap();
    let (id, account) = (role.id.as_str(), fx.account.as_str());
    execute_sql(
        &fx.guard.url,
        &format!(
            "INSERT INTO inline_policies (owner_id, account_id, policy_name, document) VALUES ('{id}', '{account}', 'p', '{{}}')"
        ),
    );
    let blocked = fx.store.delete_role(&fx.account, "r").await;
    assert!(
        matches!(blocked, Err(IamError::DeleteConflict(DeleteBlocker::InlinePolicies))),
        "{blocked:?}"
    );
    execute_sql(&fx.guard.url, "DELETE FROM inline_policies");
    execute_sql(
        &fx.guard.url,
        &format!(
            "INSERT INTO policy_attachments (owner_id, account_id, policy_arn, attached_at) VALUES ('{id}', '{account}', 'arn:aws:iam::aws:policy/ReadOnlyAccess', 0)"
        ),
    );
    let blocked = fx.store.delete_role(&fx.account, "r").await;
    assert!(
        matches!(blocked, Err(IamError::DeleteConflict(DeleteBlocker::AttachedPolicies))),
        "{blocked:?}"
    );
    execute_sql(&fx.guard.url, "DELETE FROM policy_attachments");
    fx.store.delete_role(&fx.account, "R").await.unwrap();
    assert_eq!(role_named(&fx, "r").await, None);
    let again = fx.store.delete_role(&fx.account, "r").await;
    assert!(matches!(again, Err(IamError::NotFound(Entity::Role(_)))), "{again:?}");
});

store_test!(role_sessions_resolve_to_the_assumed_role, |fx| async move {
    let role = fx
        .store
        .create_role(&fx.account, new_role("Admin", "/ops/"))
        .await
        .unwrap();
    let (key, session) = role_session(&fx, &role, "alice@example");
    fx.store.create_session(&fx.account, session).await.unwrap();

    let found = fx.store.session_credential(&key).await.unwrap().expect("session");
    let PrincipalIdentity::AssumedRole {
        role: assumed,
        session_name,
    } = &found.principal
    else {
        panic!("not a role session: {:?}", found.principal);
    };
    assert_eq!(session_name, "alice@example");
    assert_eq!(assumed.id, role.id);
    assert_eq!(found.session.mfa, None);
    assert_eq!(found.session.expires_at, T0 + Duration::hours(1));
    assert_eq!(
        found.principal.arn(),
        format!("arn:aws:sts::{}:assumed-role/Admin/alice@example", fx.account.as_str())
    );
    assert_eq!(found.principal.user_id(), format!("{}:alice@example", role.id.as_str()));
    assert_eq!(found.principal.owner(), None);

    // Opening the session recorded the role's use.
    let used = role_named(&fx, "admin").await.unwrap().last_used.expect("last used");
    assert_eq!((used.at, used.region.as_str()), (T0, "eu-west-1"));
});

store_test!(role_sessions_end_with_their_role, |fx| async move {
    let role = fx.store.create_role(&fx.account, new_role("r", "/")).await.unwrap();
    let (key, session) = role_session(&fx, &role, "s1");
    fx.store.create_session(&fx.account, session).await.unwrap();
    fx.store.delete_role(&fx.account, "r").await.unwrap();
    assert!(fx.store.session_credential(&key).await.unwrap().is_none());

    // A role deleted before its session is stored gets none.
    let (_, late) = role_session(&fx, &role, "s2");
    let refused = fx.store.create_session(&fx.account, late).await;
    assert!(
        matches!(refused, Err(IamError::NotFound(Entity::Role(_)))),
        "{refused:?}"
    );
});
