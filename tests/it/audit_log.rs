//! Delivery of stored audit records to CloudTrail log files and their retention
//! (`cloudtrail.md` §7, §8.4), over a real store on both backends and a temporary directory.

use crate::harness::{Fixture, T0, new_user, store_test};
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration as StdDuration;
use tessera::audit_log::{Delivery, Retention, RoundReport};
use tessera::clock::Clock;
use tessera::config::AuditConfig;
use tessera::domain::AccountId;
use tessera::store::{AuditEntry, AuditStore, with_pending_record};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const OTHER_ACCOUNT: &str = "999999999999";
/// When the test deliveries happen: files land under 2026/11/22 with `20261122T1020Z`.
const DELIVERED_AT: OffsetDateTime = datetime!(2026-11-22 10:20:30 UTC);

fn record_text(id: &str) -> String {
    // Spacing and member order a re-serialisation would change.
    format!(r#"{{"eventVersion": "1.11", "eventID":"{id}", "z": 1, "a": [true]}}"#)
}

fn entry(account: &AccountId, id: &str, region: &str, at: OffsetDateTime) -> AuditEntry {
    AuditEntry {
        event_id: id.to_owned(),
        account_id: account.clone(),
        event_time: at,
        event_name: "CreateUser".to_owned(),
        event_source: "iam.amazonaws.com".to_owned(),
        region: region.to_owned(),
        read_only: false,
        username: None,
        access_key_id: None,
        resources: Vec::new(),
        record: record_text(id),
    }
}

fn store(fx: &Fixture) -> Arc<dyn AuditStore> {
    Arc::clone(&fx.store) as Arc<dyn AuditStore>
}

fn config(log_dir: &Path, interval_seconds: u32, batch: u32) -> AuditConfig {
    AuditConfig {
        log_dir: log_dir.to_owned(),
        region: "us-east-1".to_owned(),
        retention_days: 90,
        delivery_interval_seconds: interval_seconds,
        delivery_batch: batch,
        trusted_proxies: Vec::new(),
    }
}

fn delivery(fx: &Fixture, log_dir: &Path, batch: u32) -> Delivery {
    Delivery::new(store(fx), Clock::fixed(DELIVERED_AT), &config(log_dir, 300, batch))
}

async fn record_all(fx: &Fixture, entries: Vec<AuditEntry>) {
    for entry in entries {
        fx.store.record_audit(entry).await.unwrap();
    }
}

/// Every file under `root`, as paths relative to it, sorted.
fn files_under(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    let mut relative: Vec<PathBuf> = out.iter().map(|p| p.strip_prefix(root).unwrap().to_owned()).collect();
    relative.sort();
    relative
}

fn gunzip(path: &Path) -> String {
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The eventIDs in a log file, in file order.
fn event_ids(path: &Path) -> Vec<String> {
    let body: serde_json::Value = serde_json::from_str(&gunzip(path)).unwrap();
    let object = body.as_object().unwrap();
    assert_eq!(object.keys().collect::<Vec<_>>(), vec!["Records"]);
    object["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["eventID"].as_str().unwrap().to_owned())
        .collect()
}

/// The directory and file-name prefix of a file for `account` and `region` at `DELIVERED_AT`.
fn expected_prefix(account: &str, region: &str) -> (PathBuf, String) {
    (
        PathBuf::from(format!("AWSLogs/{account}/CloudTrail/{region}/2026/11/22")),
        format!("{account}_CloudTrail_{region}_20261122T1020Z_"),
    )
}

store_test!(a_round_writes_one_file_per_account_and_region, |fx| async move {
    let logs = tempfile::tempdir().unwrap();
    let other = AccountId::parse(OTHER_ACCOUNT).unwrap();
    record_all(
        &fx,
        vec![
            entry(&fx.account, "e1", "us-east-1", T0),
            entry(&fx.account, "e2", "eu-west-1", T0),
            entry(&other, "e3", "us-east-1", T0),
            entry(&fx.account, "e4", "us-east-1", T0 - Duration::days(3)),
        ],
    )
    .await;
    let report = delivery(&fx, logs.path(), 1000).deliver_pending().await;
    assert_eq!(
        report,
        RoundReport {
            read: 4,
            delivered: 4,
            files: 3
        }
    );
    assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 0);

    let files = files_under(logs.path());
    assert_eq!(files.len(), 3, "{files:?}");
    let mut found = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let (account, region) = if file.starts_with(format!("AWSLogs/{OTHER_ACCOUNT}")) {
            (OTHER_ACCOUNT, "us-east-1")
        } else if file.to_str().unwrap().contains("eu-west-1") {
            (fx.account.as_str(), "eu-west-1")
        } else {
            (fx.account.as_str(), "us-east-1")
        };
        let (dir, prefix) = expected_prefix(account, region);
        assert_eq!(file.parent().unwrap(), dir);
        let unique = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".json.gz"))
            .unwrap_or_else(|| panic!("{name}"));
        assert!(
            unique.len() == 16 && unique.bytes().all(|b| b.is_ascii_alphanumeric()),
            "{name}"
        );
        found.push((
            account.to_owned(),
            region.to_owned(),
            event_ids(&logs.path().join(file)),
        ));
    }
    found.sort();
    let mut expected = vec![
        (OTHER_ACCOUNT.to_owned(), "us-east-1".to_owned(), vec!["e3".to_owned()]),
        (
            fx.account.as_str().to_owned(),
            "eu-west-1".to_owned(),
            vec!["e2".to_owned()],
        ),
        (
            fx.account.as_str().to_owned(),
            "us-east-1".to_owned(),
            vec!["e1".to_owned(), "e4".to_owned()],
        ),
    ];
    expected.sort();
    assert_eq!(found, expected);

    // Records go in exactly as stored.
    let e2_file = files
        .iter()
        .find(|f| f.to_str().unwrap().contains("eu-west-1"))
        .unwrap();
    assert_eq!(
        gunzip(&logs.path().join(e2_file)),
        format!(r#"{{"Records":[{}]}}"#, record_text("e2"))
    );

    // Nothing is pending, so a further round writes nothing.
    assert_eq!(
        delivery(&fx, logs.path(), 1000).deliver_pending().await,
        RoundReport::default()
    );
    assert_eq!(files_under(logs.path()).len(), 3);
});

store_test!(
    files_carry_the_final_record_that_replaced_a_pending_one,
    |fx| async move {
        let logs = tempfile::tempdir().unwrap();
        // A request's write leaves its pending record (revision 0)...
        let mut pending = entry(&fx.account, "e1", "us-east-1", T0);
        pending.record = r#"{"eventID":"e1","stage":"pending"}"#.to_owned();
        let (created, landed) = with_pending_record(pending, fx.store.create_user(&fx.account, new_user("bob"))).await;
        created.unwrap();
        assert!(landed);
        let scheduled = delivery(&fx, logs.path(), 1000);
        let round = tokio::spawn(async move { scheduled.deliver_pending().await });
        // ...and answers while the round settles: the final record replaces it (revision 1).
        tokio::time::sleep(StdDuration::from_millis(500)).await;
        fx.store
            .record_audit(entry(&fx.account, "e1", "us-east-1", T0))
            .await
            .unwrap();
        // Another request's pending record, first seen at the second read, waits.
        let (created, landed) = with_pending_record(
            entry(&fx.account, "e2", "us-east-1", T0),
            fx.store.create_user(&fx.account, new_user("carol")),
        )
        .await;
        created.unwrap();
        assert!(landed);
        let report = round.await.unwrap();
        assert_eq!((report.delivered, report.files), (1, 1));
        let files = files_under(logs.path());
        assert_eq!(
            gunzip(&logs.path().join(&files[0])),
            format!(r#"{{"Records":[{}]}}"#, record_text("e1"))
        );
        assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 1);
        // The next round finds it unchanged and delivers it.
        let report = delivery(&fx, logs.path(), 1000).deliver_pending().await;
        assert_eq!((report.delivered, report.files), (1, 1));
        assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 0);
    }
);

store_test!(records_whose_file_fails_wait_for_the_next_round, |fx| async move {
    let dir = tempfile::tempdir().unwrap();
    // A file where the log directory should be: nothing can be written below it.
    let logs = dir.path().join("logs");
    std::fs::write(&logs, b"in the way").unwrap();
    record_all(
        &fx,
        vec![
            entry(&fx.account, "e1", "us-east-1", T0),
            entry(&fx.account, "e2", "us-east-1", T0),
        ],
    )
    .await;
    let report = delivery(&fx, &logs, 1000).deliver_pending().await;
    assert_eq!(
        report,
        RoundReport {
            read: 2,
            delivered: 0,
            files: 0
        }
    );
    assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 2);

    std::fs::remove_file(&logs).unwrap();
    let report = delivery(&fx, &logs, 1000).deliver_pending().await;
    assert_eq!((report.delivered, report.files), (2, 1));
    let files = files_under(&logs);
    assert_eq!(files.len(), 1);
    assert_eq!(event_ids(&logs.join(&files[0])), vec!["e1", "e2"]);
});

store_test!(
    a_record_that_is_not_a_json_object_is_left_undelivered,
    |fx| async move {
        let logs = tempfile::tempdir().unwrap();
        let mut broken = entry(&fx.account, "e2", "us-east-1", T0);
        broken.record = "not json".to_owned();
        record_all(
            &fx,
            vec![
                entry(&fx.account, "e1", "us-east-1", T0),
                broken,
                entry(&fx.account, "e3", "us-east-1", T0),
            ],
        )
        .await;
        let report = delivery(&fx, logs.path(), 1000).deliver_pending().await;
        assert_eq!((report.read, report.delivered, report.files), (3, 2, 1));
        let files = files_under(logs.path());
        assert_eq!(event_ids(&logs.path().join(&files[0])), vec!["e1", "e3"]);
        let left = fx.store.undelivered_audit(10).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].record, "not json");
    }
);

store_test!(full_batches_are_delivered_round_after_round, |fx| async move {
    let logs = tempfile::tempdir().unwrap();
    record_all(
        &fx,
        (0..5)
            .map(|i| entry(&fx.account, &format!("e{i}"), "us-east-1", T0))
            .collect(),
    )
    .await;
    let report = delivery(&fx, logs.path(), 2).deliver_pending().await;
    assert_eq!(
        report,
        RoundReport {
            read: 5,
            delivered: 5,
            files: 3
        }
    );
    let mut ids: Vec<String> = files_under(logs.path())
        .iter()
        .flat_map(|f| event_ids(&logs.path().join(f)))
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["e0", "e1", "e2", "e3", "e4"]);
});

store_test!(stopping_flushes_pending_records_once, |fx| async move {
    let logs = tempfile::tempdir().unwrap();
    record_all(&fx, vec![entry(&fx.account, "e1", "us-east-1", T0)]).await;
    // The interval is far away and the batch not reached: only the flush delivers.
    delivery(&fx, logs.path(), 1000).run(std::future::ready(())).await;
    assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 0);
    let files = files_under(logs.path());
    assert_eq!(files.len(), 1);
    assert_eq!(event_ids(&logs.path().join(&files[0])), vec!["e1"]);
});

store_test!(a_full_batch_is_delivered_before_the_interval, |fx| async move {
    let logs = tempfile::tempdir().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(delivery(&fx, logs.path(), 3).run(async move {
        let _ = stopped.await;
    }));
    record_all(
        &fx,
        (0..2)
            .map(|i| entry(&fx.account, &format!("e{i}"), "us-east-1", T0))
            .collect(),
    )
    .await;
    // Below the batch: the 300 s interval holds them back.
    tokio::time::sleep(StdDuration::from_millis(2500)).await;
    assert_eq!(fx.store.pending_audit_count(10).await.unwrap(), 2);
    record_all(&fx, vec![entry(&fx.account, "e2", "us-east-1", T0)]).await;
    let mut waited = 0;
    while fx.store.pending_audit_count(10).await.unwrap() > 0 {
        assert!(waited < 100, "a full batch was not delivered within 10 s");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(files_under(logs.path()).len(), 1);
    stop.send(()).unwrap();
    running.await.unwrap();
});

store_test!(retention_prunes_delivered_records_past_the_period, |fx| async move {
    let logs = tempfile::tempdir().unwrap();
    let day = Duration::days(1);
    record_all(
        &fx,
        vec![
            entry(&fx.account, "old", "us-east-1", T0 - 91 * day),
            entry(&fx.account, "recent", "us-east-1", T0 - 89 * day),
        ],
    )
    .await;
    let retention = Retention::new(store(&fx), Clock::fixed(T0), 90);
    // Undelivered records stay whatever their age.
    assert_eq!(retention.prune().await.unwrap(), 0);
    delivery(&fx, logs.path(), 1000).deliver_pending().await;
    record_all(&fx, vec![entry(&fx.account, "old-pending", "us-east-1", T0 - 91 * day)]).await;
    assert_eq!(retention.prune().await.unwrap(), 1);
    let query = tessera::store::AuditQuery {
        account_id: fx.account.clone(),
        filter: None,
        start: T0 - 365 * day,
        end: T0,
        after: None,
        limit: 50,
    };
    let ids: Vec<String> = fx
        .store
        .lookup_audit(query)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(ids, vec!["recent", "old-pending"]);
    // Log files are never deleted.
    assert_eq!(files_under(logs.path()).len(), 1);
});
