//! Audit records (`cloudtrail.md` §1, §7, §8): the outbox that stores a request's record with
//! its change, `LookupEvents` queries, the delivery state and pruning.

use super::*;
use time::OffsetDateTime;

const OTHER_ACCOUNT: &str = "999999999999";

/// A record of `fx`'s account at `at` whose stored text names its ID.
fn entry(fx: &Fixture, id: &str, at: OffsetDateTime) -> AuditEntry {
    AuditEntry {
        event_id: id.to_owned(),
        account_id: fx.account.clone(),
        event_time: at,
        event_name: "CreateUser".to_owned(),
        event_source: "iam.amazonaws.com".to_owned(),
        region: "us-east-1".to_owned(),
        read_only: false,
        username: Some("admin".to_owned()),
        access_key_id: Some("AKIAEXAMPLEADMINKEY1".to_owned()),
        resources: vec![("AWS::IAM::User".to_owned(), "bob".to_owned())],
        record: record_text(id, "pending"),
    }
}

fn record_text(id: &str, stage: &str) -> String {
    format!(r#"{{"eventID":"{id}","stage":"{stage}"}}"#)
}

/// A query of `fx`'s account over the day around `T0`, newest first, up to 50 records.
fn query(fx: &Fixture, filter: Option<AuditFilter>) -> AuditQuery {
    AuditQuery {
        account_id: fx.account.clone(),
        filter,
        start: T0 - Duration::days(1),
        end: T0 + Duration::days(1),
        after: None,
        limit: 50,
    }
}

async fn lookup_ids(fx: &Fixture, query: AuditQuery) -> Vec<String> {
    let page = fx.store.lookup_audit(query).await.unwrap();
    page.items.into_iter().map(|e| e.event_id).collect()
}

/// Every undelivered record as `(event ID from its text, revision)`, oldest first.
async fn undelivered(fx: &Fixture) -> Vec<(String, i64)> {
    fx.store
        .undelivered_audit(1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let parsed: serde_json::Value = serde_json::from_str(&r.record).unwrap();
            (parsed["eventID"].as_str().unwrap().to_owned(), r.revision)
        })
        .collect()
}

async fn record(fx: &Fixture, entry: AuditEntry) {
    fx.store.record_audit(entry).await.unwrap();
}

/// Marks every undelivered record delivered at the revision just read.
async fn deliver_all(fx: &Fixture) {
    let keys = fx
        .store
        .undelivered_audit(1000)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.seq, r.revision))
        .collect();
    fx.store.mark_audit_delivered(keys).await.unwrap();
}

// --- the outbox -------------------------------------------------------------------------------

store_test!(a_write_in_scope_stores_the_pending_record_with_it, |fx| async move {
    let pending = entry(&fx, "e1", T0);
    let (created, landed) =
        with_pending_record(pending.clone(), fx.store.create_user(&fx.account, new_user("bob"))).await;
    created.unwrap();
    assert!(landed);
    let page = fx.store.lookup_audit(query(&fx, None)).await.unwrap();
    assert_eq!(page.items, vec![pending]);
    assert!(!page.more);
    assert_eq!(undelivered(&fx).await, vec![("e1".to_owned(), 0)]);
});

store_test!(a_failed_write_stores_neither_change_nor_record, |fx| async move {
    fx.user("bob").await;
    let (refused, landed) =
        with_pending_record(entry(&fx, "e1", T0), fx.store.create_user(&fx.account, new_user("bob"))).await;
    assert!(
        matches!(refused, Err(IamError::AlreadyExists(Entity::User(_)))),
        "{refused:?}"
    );
    assert!(!landed);
    assert!(lookup_ids(&fx, query(&fx, None)).await.is_empty());
    assert!(undelivered(&fx).await.is_empty());

    // A later write of the same request still carries the record.
    let store = Arc::clone(&fx.store);
    let account = fx.account.clone();
    let (outcomes, landed) = with_pending_record(entry(&fx, "e2", T0), async move {
        let refused = store.create_user(&account, new_user("bob")).await.is_err();
        let created = store.create_user(&account, new_user("carol")).await.is_ok();
        (refused, created)
    })
    .await;
    assert_eq!(outcomes, (true, true));
    assert!(landed);
    assert_eq!(lookup_ids(&fx, query(&fx, None)).await, vec!["e2"]);
});

store_test!(two_writes_in_scope_store_the_record_once, |fx| async move {
    let store = Arc::clone(&fx.store);
    let account = fx.account.clone();
    let (created, landed) = with_pending_record(entry(&fx, "e1", T0), async move {
        store.create_user(&account, new_user("bob")).await?;
        store.set_account_alias(&account, "once").await?;
        Ok::<_, IamError>(())
    })
    .await;
    created.unwrap();
    assert!(landed);
    assert_eq!(lookup_ids(&fx, query(&fx, None)).await, vec!["e1"]);
    assert_eq!(undelivered(&fx).await, vec![("e1".to_owned(), 0)]);
});

store_test!(the_final_record_replaces_the_pending_one, |fx| async move {
    let (created, landed) =
        with_pending_record(entry(&fx, "e1", T0), fx.store.create_user(&fx.account, new_user("bob"))).await;
    created.unwrap();
    assert!(landed);
    let mut last = entry(&fx, "e1", T0 + Duration::seconds(1));
    last.record = record_text("e1", "final");
    last.read_only = true;
    last.resources = vec![
        ("AWS::IAM::User".to_owned(), "carol".to_owned()),
        ("AWS::IAM::AccessKey".to_owned(), "AKIAEXAMPLECAROLKEY1".to_owned()),
    ];
    record(&fx, last.clone()).await;

    let page = fx.store.lookup_audit(query(&fx, None)).await.unwrap();
    // Resources come back ordered by type, then name.
    last.resources.sort();
    assert_eq!(page.items, vec![last]);
    let stored = fx.store.undelivered_audit(10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].revision, stored[0].record.as_str()),
        (1, record_text("e1", "final").as_str())
    );
    // The old resource no longer matches.
    let by_old = lookup_ids(&fx, query(&fx, Some(AuditFilter::ResourceName("bob".into())))).await;
    assert!(by_old.is_empty(), "{by_old:?}");
});

store_test!(
    writes_outside_the_scope_and_reads_inside_it_store_nothing,
    |fx| async move {
        fx.user("bob").await;
        let (found, landed) =
            with_pending_record(entry(&fx, "e1", T0), fx.store.user_by_name(&fx.account, "bob")).await;
        assert!(found.unwrap().is_some());
        assert!(!landed);
        assert!(lookup_ids(&fx, query(&fx, None)).await.is_empty());
        assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 0);
    }
);

// --- LookupEvents queries ---------------------------------------------------------------------

store_test!(each_filter_matches_its_attribute_exactly, |fx| async move {
    let t = |s: i64| T0 + Duration::seconds(s);
    let create = entry(&fx, "e1", t(0));
    let mut session = entry(&fx, "e2", t(1));
    session.event_name = "GetSessionToken".into();
    session.event_source = "sts.amazonaws.com".into();
    session.read_only = true;
    session.username = Some("alice".into());
    session.access_key_id = Some("AKIAEXAMPLEALICEKEY1".into());
    session.resources = Vec::new();
    let mut login = entry(&fx, "e3", t(2));
    login.event_name = "ConsoleLogin".into();
    login.event_source = "signin.amazonaws.com".into();
    login.username = None;
    login.access_key_id = None;
    login.resources = vec![
        ("AWS::IAM::User".into(), "alice".into()),
        ("AWS::IAM::AccessKey".into(), "AKIAEXAMPLEALICEKEY1".into()),
    ];
    for e in [create, session, login] {
        record(&fx, e).await;
    }

    let cases: Vec<(AuditFilter, Vec<&str>)> = vec![
        (AuditFilter::EventId("e2".into()), vec!["e2"]),
        (AuditFilter::EventId("E2".into()), vec![]),
        (AuditFilter::EventName("ConsoleLogin".into()), vec!["e3"]),
        (AuditFilter::EventName("consolelogin".into()), vec![]),
        (AuditFilter::ReadOnly(true), vec!["e2"]),
        (AuditFilter::ReadOnly(false), vec!["e3", "e1"]),
        (AuditFilter::Username("admin".into()), vec!["e1"]),
        (AuditFilter::Username("alice".into()), vec!["e2"]),
        (AuditFilter::Username("Alice".into()), vec![]),
        (AuditFilter::EventSource("sts.amazonaws.com".into()), vec!["e2"]),
        (AuditFilter::AccessKeyId("AKIAEXAMPLEALICEKEY1".into()), vec!["e2"]),
        (AuditFilter::ResourceType("AWS::IAM::User".into()), vec!["e3", "e1"]),
        (AuditFilter::ResourceType("AWS::IAM::AccessKey".into()), vec!["e3"]),
        (AuditFilter::ResourceName("alice".into()), vec!["e3"]),
        (AuditFilter::ResourceName("bob".into()), vec!["e1"]),
        (AuditFilter::ResourceName("AKIAEXAMPLEALICEKEY1".into()), vec!["e3"]),
        (AuditFilter::ResourceName("nobody".into()), vec![]),
    ];
    for (filter, expected) in cases {
        let found = lookup_ids(&fx, query(&fx, Some(filter.clone()))).await;
        assert_eq!(found, expected, "{filter:?}");
    }
    assert_eq!(lookup_ids(&fx, query(&fx, None)).await, vec!["e3", "e2", "e1"]);
});

store_test!(time_bounds_are_inclusive, |fx| async move {
    let t = |s: i64| T0 + Duration::seconds(s);
    for (id, s) in [("e1", 0), ("e2", 1), ("e3", 2)] {
        record(&fx, entry(&fx, id, t(s))).await;
    }
    let within = |start: i64, end: i64| {
        let mut q = query(&fx, None);
        q.start = t(start);
        q.end = t(end);
        q
    };
    assert_eq!(lookup_ids(&fx, within(0, 1)).await, vec!["e2", "e1"]);
    assert_eq!(lookup_ids(&fx, within(1, 1)).await, vec!["e2"]);
    assert_eq!(lookup_ids(&fx, within(1, 2)).await, vec!["e3", "e2"]);
    assert!(lookup_ids(&fx, within(3, 10)).await.is_empty());
    assert!(lookup_ids(&fx, within(-10, -1)).await.is_empty());
});

store_test!(pages_run_newest_first_then_by_event_id_descending, |fx| async move {
    let t = |s: i64| T0 + Duration::seconds(s);
    for (id, s) in [("a", 0), ("c", 0), ("b", 0), ("d", 1), ("e", -1)] {
        record(&fx, entry(&fx, id, t(s))).await;
    }
    assert_eq!(lookup_ids(&fx, query(&fx, None)).await, vec!["d", "c", "b", "a", "e"]);

    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let mut q = query(&fx, None);
        q.limit = 2;
        q.after = after.clone();
        let page = fx.store.lookup_audit(q).await.unwrap();
        pages.push(page.more);
        seen.extend(page.items.iter().map(|e| e.event_id.clone()));
        let Some(last) = page.items.last() else { break };
        after = Some(AuditCursor {
            event_time: last.event_time,
            event_id: last.event_id.clone(),
        });
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, vec!["d", "c", "b", "a", "e"]);
    assert_eq!(pages, vec![true, true, false]);

    // A cursor between equal times resumes after its event ID.
    let mut q = query(&fx, None);
    q.after = Some(AuditCursor {
        event_time: t(0),
        event_id: "b".into(),
    });
    assert_eq!(lookup_ids(&fx, q).await, vec!["a", "e"]);
});

store_test!(other_accounts_records_are_invisible, |fx| async move {
    record(&fx, entry(&fx, "mine", T0)).await;
    let other = AccountId::parse(OTHER_ACCOUNT).unwrap();
    let mut theirs = entry(&fx, "theirs", T0);
    theirs.account_id = other.clone();
    record(&fx, theirs.clone()).await;

    assert_eq!(lookup_ids(&fx, query(&fx, None)).await, vec!["mine"]);
    let by_id = query(&fx, Some(AuditFilter::EventId("theirs".into())));
    assert!(lookup_ids(&fx, by_id).await.is_empty());
    let mut q = query(&fx, None);
    q.account_id = other;
    let page = fx.store.lookup_audit(q).await.unwrap();
    assert_eq!(page.items, vec![theirs]);
});

// --- delivery state ---------------------------------------------------------------------------

store_test!(undelivered_records_come_oldest_first_until_marked, |fx| async move {
    // Stored order, not event time, is delivery order.
    for (id, s) in [("e1", 5), ("e2", 0), ("e3", 9)] {
        record(&fx, entry(&fx, id, T0 + Duration::seconds(s))).await;
    }
    let other = AccountId::parse(OTHER_ACCOUNT).unwrap();
    let mut theirs = entry(&fx, "e4", T0);
    theirs.account_id = other.clone();
    theirs.region = "eu-west-1".into();
    record(&fx, theirs).await;

    let first_two = fx.store.undelivered_audit(2).await.unwrap();
    assert_eq!(first_two.len(), 2);
    assert!(first_two[0].seq < first_two[1].seq);
    assert_eq!(first_two[0].record, record_text("e1", "pending"));
    assert_eq!(first_two[0].account_id, fx.account);
    assert_eq!(first_two[0].region, "us-east-1");
    let all = fx.store.undelivered_audit(10).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(
        (all[3].account_id.clone(), all[3].region.as_str()),
        (other, "eu-west-1")
    );
    assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 4);
    assert_eq!(fx.store.pending_audit_count(3).await.unwrap(), 3);

    fx.store
        .mark_audit_delivered(first_two.iter().map(|r| (r.seq, r.revision)).collect())
        .await
        .unwrap();
    assert_eq!(undelivered(&fx).await, vec![("e3".to_owned(), 0), ("e4".to_owned(), 0)]);
    assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 2);
    // Delivered records are still looked up.
    assert_eq!(lookup_ids(&fx, query(&fx, None)).await, vec!["e3", "e1", "e2"]);

    deliver_all(&fx).await;
    assert!(undelivered(&fx).await.is_empty());
    assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 0);
});

store_test!(a_record_replaced_after_it_was_read_stays_undelivered, |fx| async move {
    record(&fx, entry(&fx, "e1", T0)).await;
    let read = fx.store.undelivered_audit(10).await.unwrap();
    assert_eq!(read[0].revision, 0);

    // The final record lands between reading and marking.
    let mut last = entry(&fx, "e1", T0);
    last.record = record_text("e1", "final");
    record(&fx, last.clone()).await;
    fx.store.mark_audit_delivered(vec![(read[0].seq, 0)]).await.unwrap();
    let again = fx.store.undelivered_audit(10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].seq, again[0].revision), (read[0].seq, 1));
    assert_eq!(again[0].record, record_text("e1", "final"));

    fx.store.mark_audit_delivered(vec![(again[0].seq, 1)]).await.unwrap();
    assert!(undelivered(&fx).await.is_empty());

    // Replacing a delivered record delivers it again.
    last.record = record_text("e1", "corrected");
    record(&fx, last).await;
    assert_eq!(undelivered(&fx).await, vec![("e1".to_owned(), 2)]);
});

// --- pruning ----------------------------------------------------------------------------------

store_test!(
    pruning_removes_only_delivered_records_older_than_the_limit,
    |fx| async move {
        let cutoff = T0 - Duration::days(90);
        let old = cutoff - Duration::seconds(1);
        record(&fx, entry(&fx, "old-delivered", old)).await;
        record(&fx, entry(&fx, "at-cutoff", cutoff)).await;
        record(&fx, entry(&fx, "new-delivered", T0)).await;
        deliver_all(&fx).await;
        record(&fx, entry(&fx, "old-undelivered", old)).await;

        assert_eq!(fx.store.prune_audit(cutoff, 100).await.unwrap(), 1);
        let mut q = query(&fx, None);
        q.start = T0 - Duration::days(365);
        assert_eq!(
            lookup_ids(&fx, q.clone()).await,
            vec!["new-delivered", "at-cutoff", "old-undelivered"]
        );
        assert_eq!(fx.store.prune_audit(cutoff, 100).await.unwrap(), 0);

        // Once delivered, the old record goes too.
        deliver_all(&fx).await;
        assert_eq!(fx.store.prune_audit(cutoff, 100).await.unwrap(), 1);
        assert_eq!(lookup_ids(&fx, q).await, vec!["new-delivered", "at-cutoff"]);
        let by_resource = query(&fx, Some(AuditFilter::ResourceName("bob".into())));
        assert_eq!(lookup_ids(&fx, by_resource).await, vec!["new-delivered"]);
    }
);

store_test!(pruning_deletes_at_most_the_limit_oldest_first, |fx| async move {
    let old = T0 - Duration::days(100);
    for i in 0..5 {
        record(&fx, entry(&fx, &format!("e{i}"), old + Duration::seconds(i))).await;
    }
    deliver_all(&fx).await;
    let mut q = query(&fx, None);
    q.start = old;
    assert_eq!(fx.store.prune_audit(T0, 2).await.unwrap(), 2);
    assert_eq!(lookup_ids(&fx, q.clone()).await, vec!["e4", "e3", "e2"]);
    assert_eq!(fx.store.prune_audit(T0, 2).await.unwrap(), 2);
    assert_eq!(fx.store.prune_audit(T0, 2).await.unwrap(), 1);
    assert_eq!(fx.store.prune_audit(T0, 2).await.unwrap(), 0);
    assert!(lookup_ids(&fx, q).await.is_empty());
});
