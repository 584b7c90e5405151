//! Inline and managed policies: upsert and the aggregate size quota, versions (five at most,
//! numbers never reused, default handling), attachments and their quota, the identity-policy
//! snapshot, the test-mode reset, and the attachment race.

use super::groups::new_group;
use super::*;

const DOC: &str = r#"{"Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}"#;
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn new_policy(name: &str, document: &str) -> NewPolicy {
    NewPolicy {
        id: PolicyId::generate().expect("policy id"),
        name: name.into(),
        path: "/".into(),
        description: None,
        document: document.into(),
        tags: Vec::new(),
        now: T0,
    }
}

fn arn(text: &str) -> PolicyArn {
    PolicyArn::parse(text).expect("policy ARN")
}

fn all() -> PageRequest {
    PageRequest {
        after: None,
        limit: 1000,
    }
}

/// A JSON object of `n` characters, whitespace not counted.
fn doc_of_size(n: usize) -> String {
    format!("{{\"S\": \"{}\"}}", "x".repeat(n - 8))
}

store_test!(inline_policies_upsert_within_the_aggregate_quota, |fx| async move {
    fx.user("alice").await;
    let owner = PolicyOwner::user("ALICE");
    fx.store
        .put_inline_policy(&fx.account, &owner, "b", &doc_of_size(1000))
        .await
        .unwrap();
    fx.store
        .put_inline_policy(&fx.account, &owner, "a", &doc_of_size(1048))
        .await
        .unwrap();
    let over = fx.store.put_inline_policy(&fx.account, &owner, "c", "{}").await;
    assert!(
        matches!(&over, Err(IamError::PolicySizeExceeded { kind: OwnerKind::User, name }) if name == "alice"),
        "{over:?}"
    );
    // Replacing counts the new document instead of the old one.
    fx.store.put_inline_policy(&fx.account, &owner, "a", DOC).await.unwrap();
    let (name, document) = fx.store.inline_policy(&fx.account, &owner, "a").await.unwrap();
    assert_eq!((name.as_str(), document.as_str()), ("alice", DOC));
    let names = fx.store.list_inline_policies(&fx.account, &owner, all()).await.unwrap();
    assert_eq!(names.items, ["a", "b"]);
    fx.store.delete_inline_policy(&fx.account, &owner, "b").await.unwrap();
    let gone = fx.store.inline_policy(&fx.account, &owner, "b").await;
    assert!(
        matches!(
            gone,
            Err(IamError::NotFound(Entity::InlinePolicy {
                kind: OwnerKind::User,
                ..
            }))
        ),
        "{gone:?}"
    );

    // Groups have a larger quota; roles are looked up in the roles table.
    fx.store.create_group(&fx.account, new_group("g")).await.unwrap();
    let group = PolicyOwner::group("g");
    fx.store
        .put_inline_policy(&fx.account, &group, "big", &doc_of_size(5120))
        .await
        .unwrap();
    let over = fx.store.put_inline_policy(&fx.account, &group, "more", "{}").await;
    assert!(
        matches!(
            over,
            Err(IamError::PolicySizeExceeded {
                kind: OwnerKind::Group,
                ..
            })
        ),
        "{over:?}"
    );
    let role = fx
        .store
        .put_inline_policy(&fx.account, &PolicyOwner::role("r"), "p", DOC)
        .await;
    assert!(matches!(role, Err(IamError::NotFound(Entity::Role(_)))), "{role:?}");
});

store_test!(versions_stop_at_five_and_numbers_are_never_reused, |fx| async move {
    let created = fx.store.create_policy(&fx.account, new_policy("p", DOC)).await.unwrap();
    assert_eq!((created.default_version, created.attachment_count), (1, 0));
    let p = arn(&created.arn);
    let dup = fx.store.create_policy(&fx.account, new_policy("P", DOC)).await;
    assert!(
        matches!(dup, Err(IamError::AlreadyExists(Entity::PolicyName(_)))),
        "{dup:?}"
    );
    let later = T0 + Duration::hours(1);
    for n in 2..=5 {
        let version = fx
            .store
            .create_policy_version(&fx.account, &p, "{}", n == 3, later)
            .await
            .unwrap();
        assert_eq!((version.version, version.is_default), (n, n == 3));
    }
    let limited = fx
        .store
        .create_policy_version(&fx.account, &p, "{}", false, later)
        .await;
    assert!(
        matches!(limited, Err(IamError::LimitExceeded(Quota::VersionsPerPolicy))),
        "{limited:?}"
    );
    let policy = fx.store.policy(&fx.account, &p).await.unwrap();
    assert_eq!((policy.default_version, policy.updated_at), (3, later));

    let default = fx.store.delete_policy_version(&fx.account, &p, 3).await;
    assert!(
        matches!(
            default,
            Err(IamError::DeleteConflict(DeleteBlocker::DefaultPolicyVersion))
        ),
        "{default:?}"
    );
    fx.store.delete_policy_version(&fx.account, &p, 5).await.unwrap();
    let next = fx
        .store
        .create_policy_version(&fx.account, &p, "{}", false, later)
        .await
        .unwrap();
    assert_eq!(next.version, 6, "version numbers are never reused");
    let versions = fx.store.list_policy_versions(&fx.account, &p).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [6, 4, 3, 2, 1]);
    fx.store.set_default_policy_version(&fx.account, &p, 1).await.unwrap();
    let v1 = fx.store.policy_version(&fx.account, &p, 1).await.unwrap();
    assert!(v1.is_default && v1.document == DOC);
    let missing = fx.store.set_default_policy_version(&fx.account, &p, 5).await;
    assert!(
        matches!(
            missing,
            Err(IamError::NotFound(Entity::PolicyVersion { version: 5, .. }))
        ),
        "{missing:?}"
    );

    let versions_left = fx.store.delete_policy(&fx.account, &p).await;
    assert!(
        matches!(
            versions_left,
            Err(IamError::DeleteConflict(DeleteBlocker::PolicyVersions))
        ),
        "{versions_left:?}"
    );
    for v in [2, 3, 4, 6] {
        fx.store.delete_policy_version(&fx.account, &p, v).await.unwrap();
    }
    fx.store.delete_policy(&fx.account, &p).await.unwrap();
    let gone = fx.store.policy(&fx.account, &p).await;
    assert!(matches!(gone, Err(IamError::NotFound(Entity::Policy(_)))), "{gone:?}");
});

store_test!(attachments_count_limit_and_block_deletion, |fx| async move {
    fx.user("u").await;
    let user = PolicyOwner::user("u");
    let mut arns = Vec::new();
    for i in 0..10 {
        let policy = fx
            .store
            .create_policy(&fx.account, new_policy(&format!("p{i}"), DOC))
            .await
            .unwrap();
        arns.push(arn(&policy.arn));
    }
    for a in &arns {
        fx.store.attach_policy(&fx.account, &user, a, T0).await.unwrap();
    }
    // Attaching again is a no-op; an eleventh is refused.
    fx.store.attach_policy(&fx.account, &user, &arns[0], T0).await.unwrap();
    let limited = fx.store.attach_policy(&fx.account, &user, &arn(ADMIN), T0).await;
    assert!(
        matches!(
            limited,
            Err(IamError::LimitExceeded(Quota::PolicyAttachments(OwnerKind::User)))
        ),
        "{limited:?}"
    );
    assert_eq!(
        fx.store.policy(&fx.account, &arns[0]).await.unwrap().attachment_count,
        1
    );
    let attached = fx
        .store
        .attached_policies(&fx.account, &user, "/", all())
        .await
        .unwrap();
    assert_eq!(attached.items.len(), 10);

    let in_use = fx.store.delete_policy(&fx.account, &arns[0]).await;
    assert!(
        matches!(in_use, Err(IamError::DeleteConflict(DeleteBlocker::PolicyAttached))),
        "{in_use:?}"
    );
    let ghost = arn(&format!("arn:aws:iam::{}:policy/ghost", fx.account.as_str()));
    let missing = fx.store.attach_policy(&fx.account, &user, &ghost, T0).await;
    assert!(
        matches!(missing, Err(IamError::NotFound(Entity::AttachablePolicy(_)))),
        "{missing:?}"
    );
    let foreign = arn("arn:aws:iam::999999999999:policy/p0");
    let missing = fx.store.attach_policy(&fx.account, &user, &foreign, T0).await;
    assert!(
        matches!(missing, Err(IamError::NotFound(Entity::AttachablePolicy(_)))),
        "{missing:?}"
    );
    let not_attached = fx.store.detach_policy(&fx.account, &user, &arn(ADMIN)).await;
    assert!(
        matches!(not_attached, Err(IamError::NotFound(Entity::Policy(_)))),
        "{not_attached:?}"
    );

    let counts = fx.store.account_counts(&fx.account).await.unwrap();
    assert_eq!(
        (
            counts.policies,
            counts.policy_versions_in_use,
            counts.groups,
            counts.roles
        ),
        (10, 10, 0, 0)
    );
});

store_test!(aws_managed_policies_are_listed_read_and_attachable, |fx| async move {
    fx.store
        .create_policy(&fx.account, new_policy("AdministratorAccess", DOC))
        .await
        .unwrap();
    let filter = |scope| PolicyFilter {
        scope,
        only_attached: false,
        path_prefix: "/".into(),
    };
    let aws = fx
        .store
        .list_policies(&fx.account, filter(PolicyScope::Aws), all())
        .await
        .unwrap();
    assert_eq!(aws.items.len(), 4);
    let local = fx
        .store
        .list_policies(&fx.account, filter(PolicyScope::Local), all())
        .await
        .unwrap();
    assert_eq!(local.items.len(), 1);
    let everything = fx
        .store
        .list_policies(&fx.account, filter(PolicyScope::All), all())
        .await
        .unwrap();
    // Same name in both: the ARN orders them.
    assert_eq!(
        everything.items[0].arn,
        format!("arn:aws:iam::{}:policy/AdministratorAccess", fx.account.as_str())
    );
    assert_eq!(everything.items[1].arn, ADMIN);
    let after = Some(policy_sort_key(&everything.items[1].name, &everything.items[1].arn));
    let rest = fx
        .store
        .list_policies(&fx.account, filter(PolicyScope::All), PageRequest { after, limit: 10 })
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 3);

    let admin = fx.store.policy(&fx.account, &arn(ADMIN)).await.unwrap();
    assert_eq!((admin.id.as_str(), admin.default_version), ("ANPAIWMBCKSKIEE64ZLYK", 1));
    let version = fx.store.policy_version(&fx.account, &arn(ADMIN), 1).await.unwrap();
    assert!(version.document.contains("\"Action\": \"*\""));
    let wrong = fx.store.policy_version(&fx.account, &arn(ADMIN), 2).await;
    assert!(
        matches!(wrong, Err(IamError::NotFound(Entity::PolicyVersion { .. }))),
        "{wrong:?}"
    );
    // The store never changes AWS's policies.
    let delete = fx.store.delete_policy(&fx.account, &arn(ADMIN)).await;
    assert!(
        matches!(delete, Err(IamError::NotFound(Entity::Policy(_)))),
        "{delete:?}"
    );
});

store_test!(
    identity_policies_gather_user_group_and_attached_documents,
    |fx| async move {
        let alice = fx.user("alice").await;
        fx.user("bob").await;
        let user = PolicyOwner::user("alice");
        fx.store
            .put_inline_policy(&fx.account, &user, "own", r#"{"own": 1}"#)
            .await
            .unwrap();
        let mine = fx
            .store
            .create_policy(&fx.account, new_policy("mine", r#"{"v": 1}"#))
            .await
            .unwrap();
        let mine = arn(&mine.arn);
        fx.store
            .create_policy_version(&fx.account, &mine, r#"{"v": 2}"#, true, T0)
            .await
            .unwrap();
        fx.store
            .create_policy_version(&fx.account, &mine, r#"{"v": 3}"#, false, T0)
            .await
            .unwrap();
        fx.store.attach_policy(&fx.account, &user, &mine, T0).await.unwrap();
        fx.store.create_group(&fx.account, new_group("team")).await.unwrap();
        fx.store.create_group(&fx.account, new_group("other")).await.unwrap();
        let team = PolicyOwner::group("team");
        fx.store
            .add_user_to_group(&fx.account, "team", "alice", T0)
            .await
            .unwrap();
        fx.store
            .put_inline_policy(&fx.account, &team, "shared", r#"{"team": 1}"#)
            .await
            .unwrap();
        fx.store
            .attach_policy(&fx.account, &team, &arn(ADMIN), T0)
            .await
            .unwrap();
        fx.store
            .put_inline_policy(&fx.account, &PolicyOwner::group("other"), "x", r#"{"other": 1}"#)
            .await
            .unwrap();
        fx.store
            .put_inline_policy(&fx.account, &PolicyOwner::user("bob"), "x", r#"{"bob": 1}"#)
            .await
            .unwrap();

        let mut got = fx
            .store
            .identity_policies(&fx.account, PolicyPrincipal::User(alice.id.clone()))
            .await
            .unwrap();
        got.sort();
        let admin_document = tessera::domain::aws_managed_policies::find("AdministratorAccess")
            .unwrap()
            .document;
        let mut expected = vec![r#"{"own": 1}"#, r#"{"v": 2}"#, r#"{"team": 1}"#, admin_document];
        expected.sort();
        assert_eq!(
            got, expected,
            "the default version only, never another user's or group's"
        );

        let other_account = AccountId::parse("999999999999").unwrap();
        let foreign = fx
            .store
            .identity_policies(&other_account, PolicyPrincipal::User(alice.id))
            .await
            .unwrap();
        assert!(foreign.is_empty());
        let no_role = fx
            .store
            .identity_policies(
                &fx.account,
                PolicyPrincipal::Role(RoleId::from_stored("AROANOSUCHROLE0000000".into())),
            )
            .await
            .unwrap();
        assert!(no_role.is_empty());
    }
);

store_test!(reset_removes_groups_and_policies, |fx| async move {
    fx.user("u").await;
    fx.store.create_group(&fx.account, new_group("g")).await.unwrap();
    fx.store.add_user_to_group(&fx.account, "g", "u", T0).await.unwrap();
    fx.store
        .put_inline_policy(&fx.account, &PolicyOwner::user("u"), "p", DOC)
        .await
        .unwrap();
    let mut tagged = new_policy("p", DOC);
    tagged.tags = vec![tag("k", "v")];
    let p = arn(&fx.store.create_policy(&fx.account, tagged).await.unwrap().arn);
    fx.store
        .create_policy_version(&fx.account, &p, DOC, false, T0)
        .await
        .unwrap();
    fx.store
        .attach_policy(&fx.account, &PolicyOwner::group("g"), &p, T0)
        .await
        .unwrap();
    fx.store.reset_to_initial().await.unwrap();
    let counts = fx.store.account_counts(&fx.account).await.unwrap();
    assert_eq!(
        (
            counts.users,
            counts.groups,
            counts.policies,
            counts.policy_versions_in_use
        ),
        (0, 0, 0, 0)
    );
    // Names are free again.
    fx.store.create_policy(&fx.account, new_policy("p", DOC)).await.unwrap();
    fx.store.create_group(&fx.account, new_group("g")).await.unwrap();
});
