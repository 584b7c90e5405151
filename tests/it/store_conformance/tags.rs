//! User tags: case-insensitive merge, the 50-tag limit, untagging (`iam-mfa.md` §0.5).

use super::*;

async fn tags_of(fx: &Fixture, name: &str) -> Vec<Tag> {
    fx.store.user_by_name(&fx.account, name).await.unwrap().unwrap().tags
}

store_test!(tagging_merges_keys_case_insensitively, |fx| async move {
    let mut new = new_user("alice");
    new.tags = vec![tag("Dept", "a"), tag("Env", "prod")];
    fx.store.create_user(&fx.account, new).await.unwrap();

    // Same key in another case replaces the value and takes the new spelling, in place.
    fx.store
        .tag_user(&fx.account, "ALICE", vec![tag("DEPT", "b"), tag("Team", "x")])
        .await
        .unwrap();
    assert_eq!(
        tags_of(&fx, "alice").await,
        vec![tag("DEPT", "b"), tag("Env", "prod"), tag("Team", "x")]
    );

    // Untag matches keys case-insensitively; unknown keys are ignored.
    fx.store
        .untag_user(&fx.account, "alice", vec!["env".into(), "missing".into()])
        .await
        .unwrap();
    assert_eq!(tags_of(&fx, "alice").await, vec![tag("DEPT", "b"), tag("Team", "x")]);
    fx.store
        .untag_user(&fx.account, "alice", vec!["dept".into(), "TEAM".into()])
        .await
        .unwrap();
    assert!(tags_of(&fx, "alice").await.is_empty());
});

store_test!(tagging_refuses_bad_requests_without_changes, |fx| async move {
    let mut new = new_user("alice");
    new.tags = vec![tag("Dept", "a")];
    fx.store.create_user(&fx.account, new).await.unwrap();

    let duplicate = fx
        .store
        .tag_user(&fx.account, "alice", vec![tag("k", "1"), tag("K", "2")])
        .await;
    assert!(matches!(duplicate, Err(IamError::Invalid(_))), "{duplicate:?}");
    let reserved = fx.store.tag_user(&fx.account, "alice", vec![tag("aws:x", "1")]).await;
    assert!(matches!(reserved, Err(IamError::Invalid(_))), "{reserved:?}");
    assert_eq!(tags_of(&fx, "alice").await, vec![tag("Dept", "a")]);

    let missing = fx.store.tag_user(&fx.account, "nobody", vec![tag("k", "v")]).await;
    assert!(
        matches!(missing, Err(IamError::NotFound(Entity::User(_)))),
        "{missing:?}"
    );
    let missing = fx.store.untag_user(&fx.account, "nobody", vec!["k".into()]).await;
    assert!(
        matches!(missing, Err(IamError::NotFound(Entity::User(_)))),
        "{missing:?}"
    );
});

store_test!(a_user_holds_at_most_fifty_tags, |fx| async move {
    fx.user("alice").await;
    let first: Vec<Tag> = (0..30).map(|i| tag(&format!("k{i:02}"), "1")).collect();
    let second: Vec<Tag> = (30..50).map(|i| tag(&format!("k{i:02}"), "2")).collect();
    fx.store.tag_user(&fx.account, "alice", first).await.unwrap();
    fx.store.tag_user(&fx.account, "alice", second).await.unwrap();
    assert_eq!(tags_of(&fx, "alice").await.len(), 50);

    // One more key breaks the limit and changes nothing, even combined with a replacement.
    let refused = fx
        .store
        .tag_user(&fx.account, "alice", vec![tag("K00", "new"), tag("k50", "x")])
        .await;
    assert!(
        matches!(refused, Err(IamError::LimitExceeded(Quota::TagsPerUser))),
        "{refused:?}"
    );
    let tags = tags_of(&fx, "alice").await;
    assert_eq!(tags.len(), 50);
    assert_eq!(tags[0], tag("k00", "1"));

    // Replacing values of existing keys at the limit is fine.
    fx.store
        .tag_user(&fx.account, "alice", vec![tag("K00", "new")])
        .await
        .unwrap();
    let tags = tags_of(&fx, "alice").await;
    assert_eq!(tags.len(), 50);
    assert_eq!(tags[0], tag("K00", "new"));

    // After untagging one, there is room for one.
    fx.store
        .untag_user(&fx.account, "alice", vec!["k49".into()])
        .await
        .unwrap();
    fx.store
        .tag_user(&fx.account, "alice", vec![tag("k50", "x")])
        .await
        .unwrap();
    let tags = tags_of(&fx, "alice").await;
    assert_eq!(tags.len(), 50);
    assert_eq!(tags.last(), Some(&tag("k50", "x")));
});
