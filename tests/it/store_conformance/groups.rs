//! Groups and membership: create, list, rename, the GroupsPerUser quota, delete conflicts.

use super::*;

pub fn new_group(name: &str) -> NewGroup {
    NewGroup {
        id: GroupId::generate().expect("group id"),
        name: name.into(),
        path: "/".into(),
        now: T0,
    }
}

fn all() -> PageRequest {
    PageRequest {
        after: None,
        limit: 1000,
    }
}

store_test!(groups_are_unique_ignoring_case_and_list_by_prefix, |fx| async move {
    let created = fx.store.create_group(&fx.account, new_group("Admins")).await.unwrap();
    assert!(created.id.as_str().starts_with("AGPA"));
    assert_eq!(
        created.arn(),
        format!("arn:aws:iam::{}:group/Admins", fx.account.as_str())
    );
    let refused = fx.store.create_group(&fx.account, new_group("ADMINS")).await;
    assert!(
        matches!(refused, Err(IamError::AlreadyExists(Entity::Group(_)))),
        "{refused:?}"
    );
    let mut ops = new_group("ops");
    ops.path = "/eng/".into();
    fx.store.create_group(&fx.account, ops).await.unwrap();
    let names = |page: Page<Group>| page.items.into_iter().map(|g| g.name).collect::<Vec<_>>();
    assert_eq!(
        names(fx.store.list_groups(&fx.account, "/", all()).await.unwrap()),
        ["Admins", "ops"]
    );
    assert_eq!(
        names(fx.store.list_groups(&fx.account, "/eng/", all()).await.unwrap()),
        ["ops"]
    );
    let first = fx
        .store
        .list_groups(&fx.account, "/", PageRequest { after: None, limit: 1 })
        .await
        .unwrap();
    assert!(first.more);
    let after = Some(first.items[0].name.to_lowercase());
    let rest = fx
        .store
        .list_groups(&fx.account, "/", PageRequest { after, limit: 1 })
        .await
        .unwrap();
    assert_eq!((names(rest.clone()), rest.more), (vec!["ops".to_owned()], false));

    fx.store
        .update_group(&fx.account, "ops", Some("Operators".into()), Some("/x/".into()))
        .await
        .unwrap();
    let (group, _) = fx
        .store
        .group_with_members(&fx.account, "operators", all())
        .await
        .unwrap();
    assert_eq!((group.name.as_str(), group.path.as_str()), ("Operators", "/x/"));
    let clash = fx
        .store
        .update_group(&fx.account, "Operators", Some("admins".into()), None)
        .await;
    assert!(
        matches!(clash, Err(IamError::AlreadyExists(Entity::Group(_)))),
        "{clash:?}"
    );
});

store_test!(membership_is_idempotent_and_limited_to_ten_groups, |fx| async move {
    fx.user("bob").await;
    fx.user("alice").await;
    for i in 0..11 {
        fx.store
            .create_group(&fx.account, new_group(&format!("g{i:02}")))
            .await
            .unwrap();
    }
    for i in 0..10 {
        fx.store
            .add_user_to_group(&fx.account, &format!("g{i:02}"), "bob", T0)
            .await
            .unwrap();
    }
    // Already a member: success, nothing added.
    fx.store.add_user_to_group(&fx.account, "g00", "BOB", T0).await.unwrap();
    let limited = fx.store.add_user_to_group(&fx.account, "g10", "bob", T0).await;
    assert!(
        matches!(limited, Err(IamError::LimitExceeded(Quota::GroupsPerUser))),
        "{limited:?}"
    );
    fx.store
        .add_user_to_group(&fx.account, "g00", "alice", T0)
        .await
        .unwrap();
    let (_, members) = fx.store.group_with_members(&fx.account, "g00", all()).await.unwrap();
    assert_eq!(
        members.items.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["alice", "bob"]
    );
    assert_eq!(
        fx.store
            .groups_for_user(&fx.account, "bob", all())
            .await
            .unwrap()
            .items
            .len(),
        10
    );

    fx.store
        .remove_user_from_group(&fx.account, "g00", "bob")
        .await
        .unwrap();
    let again = fx.store.remove_user_from_group(&fx.account, "g00", "bob").await;
    assert!(
        matches!(again, Err(IamError::NotFound(Entity::GroupMember { .. }))),
        "{again:?}"
    );
    let ghost = fx.store.add_user_to_group(&fx.account, "g00", "ghost", T0).await;
    assert!(matches!(ghost, Err(IamError::NotFound(Entity::User(_)))), "{ghost:?}");
    let no_group = fx.store.add_user_to_group(&fx.account, "nope", "bob", T0).await;
    assert!(
        matches!(no_group, Err(IamError::NotFound(Entity::Group(_)))),
        "{no_group:?}"
    );
});

store_test!(delete_group_and_user_report_what_remains, |fx| async move {
    fx.user("m").await;
    fx.store.create_group(&fx.account, new_group("team")).await.unwrap();
    fx.store.add_user_to_group(&fx.account, "team", "m", T0).await.unwrap();
    let group = PolicyOwner::group("team");
    fx.store
        .put_inline_policy(&fx.account, &group, "p", "{}")
        .await
        .unwrap();
    let admin = PolicyArn::parse("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
    fx.store.attach_policy(&fx.account, &group, &admin, T0).await.unwrap();
    let user = PolicyOwner::user("m");
    fx.store.put_inline_policy(&fx.account, &user, "p", "{}").await.unwrap();
    fx.store.attach_policy(&fx.account, &user, &admin, T0).await.unwrap();

    let blocked = |r: Result<(), IamError>| match r {
        Err(IamError::DeleteConflict(b)) => b,
        other => panic!("expected a delete conflict, got {other:?}"),
    };
    assert_eq!(
        blocked(fx.store.delete_user(&fx.account, "m").await),
        DeleteBlocker::InlinePolicies
    );
    fx.store.delete_inline_policy(&fx.account, &user, "p").await.unwrap();
    assert_eq!(
        blocked(fx.store.delete_user(&fx.account, "m").await),
        DeleteBlocker::AttachedPolicies
    );
    fx.store.detach_policy(&fx.account, &user, &admin).await.unwrap();
    assert_eq!(
        blocked(fx.store.delete_user(&fx.account, "m").await),
        DeleteBlocker::GroupMemberships
    );

    assert_eq!(
        blocked(fx.store.delete_group(&fx.account, "team").await),
        DeleteBlocker::GroupMembers
    );
    fx.store.remove_user_from_group(&fx.account, "team", "m").await.unwrap();
    assert_eq!(
        blocked(fx.store.delete_group(&fx.account, "team").await),
        DeleteBlocker::InlinePolicies
    );
    fx.store.delete_inline_policy(&fx.account, &group, "p").await.unwrap();
    assert_eq!(
        blocked(fx.store.delete_group(&fx.account, "team").await),
        DeleteBlocker::AttachedPolicies
    );
    fx.store.detach_policy(&fx.account, &group, &admin).await.unwrap();
    fx.store.delete_group(&fx.account, "team").await.unwrap();
    fx.store.delete_user(&fx.account, "m").await.unwrap();
    assert!(
        fx.store
            .list_groups(&fx.account, "/", all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
});
