//! Delivery of stored audit records to log files (`cloudtrail.md` §7).
//!
//! Every interval, or as soon as a batch of records is pending (polled each second), a round
//! reads the oldest undelivered records, writes one file per (account, region) and only then
//! marks the records in files that were renamed into place. A failed file (disk full) is
//! logged and its records wait for the next round; a failed mark means those records are
//! written again, which CloudTrail consumers expect (they deduplicate by `eventID`). Several
//! servers on one PostgreSQL database may deliver the same record twice, never lose one.
//! The record's text goes into the file as stored.
//!
//! A request's writes store its pending record, which the final one (with output or error)
//! replaces once the request has answered, bumping the revision (`store::with_pending_record`).
//! So that files carry final records, a round reads twice, [`SETTLE`] apart, and delivers a
//! record only if it is final (revision above 0) or was there unchanged at the first read; a
//! record first seen at the second read waits for the next round. The flush on shutdown runs
//! after the last request has answered and delivers everything at once.

use super::layout::{LayoutError, log_file_path};
use super::writer::write_log_file;
use crate::clock::Clock;
use crate::config::AuditConfig;
use crate::domain::AccountId;
use crate::store::{AuditStore, StoreError, UndeliveredRecord};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::time::{Instant, MissedTickBehavior};

/// How often the pending count is checked between deliveries.
const POLL: Duration = Duration::from_secs(1);
/// How long a round waits for pending records to be replaced by final ones (a request answers
/// in milliseconds once its change is committed).
const SETTLE: Duration = Duration::from_secs(1);

/// The delivery task's settings and handles.
pub struct Delivery {
    store: Arc<dyn AuditStore>,
    clock: Clock,
    log_dir: PathBuf,
    interval: Duration,
    batch: u32,
}

/// What delivery rounds did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Records taken up: all those read, or when settling those found final or unchanged.
    pub read: usize,
    /// Records in files renamed into place and marked delivered.
    pub delivered: usize,
    pub files: usize,
}

impl std::ops::AddAssign for RoundReport {
    fn add_assign(&mut self, other: Self) {
        self.read += other.read;
        self.delivered += other.delivered;
        self.files += other.files;
    }
}

#[derive(Debug, thiserror::Error)]
enum FileError {
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("file writer stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl Delivery {
    pub fn new(store: Arc<dyn AuditStore>, clock: Clock, config: &AuditConfig) -> Self {
        Self {
            store,
            clock,
            log_dir: config.log_dir.clone(),
            interval: Duration::from_secs(u64::from(config.delivery_interval_seconds)),
            batch: config.delivery_batch,
        }
    }

    /// Delivers on schedule until `shutdown` completes, then flushes what is pending once.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let mut poll = tokio::time::interval(POLL);
        poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last = Instant::now();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                _ = poll.tick() => {}
            }
            if last.elapsed() >= self.interval || self.batch_is_pending().await {
                self.deliver_pending().await;
                last = Instant::now();
            }
        }
        self.deliver_rounds(None).await;
    }

    async fn batch_is_pending(&self) -> bool {
        match self.store.pending_audit_count(self.batch).await {
            Ok(count) => count >= u64::from(self.batch),
            Err(error) => {
                // The scheduled round reports a lasting failure; one per second would flood.
                tracing::debug!(%error, "cannot count pending audit records");
                false
            }
        }
    }

    /// What a scheduled delivery does: rounds that let pending records settle.
    pub async fn deliver_pending(&self) -> RoundReport {
        self.deliver_rounds(Some(SETTLE)).await
    }

    /// Runs rounds while each one delivers a full batch (more may be waiting); stops at the
    /// first round that delivers less, failures included.
    async fn deliver_rounds(&self, settle: Option<Duration>) -> RoundReport {
        let mut total = RoundReport::default();
        loop {
            let round = self.deliver_round(settle).await;
            total += round;
            if round.delivered < self.batch as usize {
                return total;
            }
        }
    }

    /// The records a round delivers: after `settle`, those that are final or were there
    /// unchanged before it (see the module documentation); without it, all undelivered ones.
    async fn deliverable(&self, settle: Option<Duration>) -> Result<Vec<UndeliveredRecord>, StoreError> {
        let first = self.store.undelivered_audit(self.batch).await?;
        let Some(settle) = settle.filter(|_| !first.is_empty()) else {
            return Ok(first);
        };
        let seen: HashSet<(i64, i64)> = first.iter().map(|r| (r.seq, r.revision)).collect();
        tokio::time::sleep(settle).await;
        let mut records = self.store.undelivered_audit(self.batch).await?;
        records.retain(|r| r.revision > 0 || seen.contains(&(r.seq, r.revision)));
        Ok(records)
    }

    /// One round: the oldest batch of undelivered records into one file per account and region.
    async fn deliver_round(&self, settle: Option<Duration>) -> RoundReport {
        let records = match self.deliverable(settle).await {
            Ok(records) => records,
            Err(error) => {
                tracing::error!(%error, "cannot read audit records for delivery; retrying next round");
                return RoundReport::default();
            }
        };
        let mut report = RoundReport {
            read: records.len(),
            ..RoundReport::default()
        };
        let delivered_at = self.clock.now();
        let mut groups: BTreeMap<(AccountId, String), Vec<UndeliveredRecord>> = BTreeMap::new();
        for record in records {
            groups
                .entry((record.account_id.clone(), record.region.clone()))
                .or_default()
                .push(record);
        }
        let mut delivered = Vec::new();
        for ((account, region), group) in groups {
            match self.deliver_group(&account, &region, group, delivered_at).await {
                Ok(keys) if keys.is_empty() => {}
                Ok(keys) => {
                    report.files += 1;
                    delivered.extend(keys);
                }
                Err(error) => tracing::error!(
                    %error,
                    account = account.as_str(),
                    %region,
                    "cannot deliver audit log file; retrying next round"
                ),
            }
        }
        if delivered.is_empty() {
            return report;
        }
        let count = delivered.len();
        match self.store.mark_audit_delivered(delivered).await {
            Ok(()) => {
                report.delivered = count;
                tracing::info!(records = count, files = report.files, "delivered audit log files");
            }
            Err(error) => tracing::error!(
                %error,
                records = count,
                "audit log files written but not marked delivered; their records will be delivered again"
            ),
        }
        report
    }

    /// Writes one file of `group`; returns the `(seq, revision)` of the records it holds.
    async fn deliver_group(
        &self,
        account: &AccountId,
        region: &str,
        group: Vec<UndeliveredRecord>,
        delivered_at: OffsetDateTime,
    ) -> Result<Vec<(i64, i64)>, FileError> {
        let path = log_file_path(&self.log_dir, account, region, delivered_at)?;
        tokio::task::spawn_blocking(move || {
            let mut records = Vec::with_capacity(group.len());
            let mut keys = Vec::with_capacity(group.len());
            for stored in &group {
                match serde_json::from_str::<&RawValue>(&stored.record) {
                    Ok(raw) if raw.get().starts_with('{') => {
                        records.push(raw);
                        keys.push((stored.seq, stored.revision));
                    }
                    // Only a damaged database gets here; the record stays for an operator.
                    _ => tracing::error!(
                        seq = stored.seq,
                        "stored audit record is not a JSON object; not delivered"
                    ),
                }
            }
            if !records.is_empty() {
                write_log_file(&path, &records).map_err(|source| FileError::Write { path, source })?;
            }
            Ok(keys)
        })
        .await?
    }
}
