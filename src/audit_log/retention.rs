//! Retention of audit records in the database (`cloudtrail.md` §8.4): delivered records older
//! than `retention_days` (by `eventTime` against the server's clock) are deleted once at start
//! and then hourly, a batch per transaction so requests are never held up behind a large
//! delete. Undelivered records stay whatever their age; log files are never deleted.

use crate::clock::Clock;
use crate::store::{AuditStore, StoreError};
use std::sync::Arc;
use std::time::Duration;

const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Records deleted per transaction.
const PRUNE_BATCH: u32 = 1000;

pub struct Retention {
    store: Arc<dyn AuditStore>,
    clock: Clock,
    keep: time::Duration,
}

impl Retention {
    pub fn new(store: Arc<dyn AuditStore>, clock: Clock, retention_days: u32) -> Self {
        Self {
            store,
            clock,
            keep: time::Duration::days(i64::from(retention_days)),
        }
    }

    /// Prunes now and then every hour, forever.
    pub async fn run(self) {
        let mut tick = tokio::time::interval(PRUNE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.prune().await {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(records = pruned, "pruned audit records past retention"),
                Err(error) => tracing::error!(%error, "cannot prune audit records; retrying in an hour"),
            }
        }
    }

    /// Deletes delivered records older than the retention period; returns how many went.
    pub async fn prune(&self) -> Result<u64, StoreError> {
        // A retention reaching before year -9999 keeps everything.
        let Some(before) = self.clock.now().checked_sub(self.keep) else {
            return Ok(0);
        };
        let mut pruned = 0;
        loop {
            let gone = self.store.prune_audit(before, PRUNE_BATCH).await?;
            pruned += gone;
            if gone < u64::from(PRUNE_BATCH) {
                return Ok(pruned);
            }
            // Let queued requests take the database between batches.
            tokio::task::yield_now().await;
        }
    }
}
