//! Audit records (`cloudtrail.md` §1, §7, §8): stored as CloudTrail JSON with the columns
//! `LookupEvents` filters on, delivered to log files from here, and pruned after retention.
//!
//! Outbox: while a request runs inside [`with_pending_record`], every write transaction it
//! makes also inserts the request's pending record, so a committed change always has its
//! record, even after `kill -9`. When the request has answered, [`AuditStore::record_audit`]
//! replaces the pending record by the final one (same `event_id`), or writes it when the
//! request changed nothing.

use super::sql::{SqlTx, Value};
use super::{Page, SqlStore, StoreError};
use crate::domain::AccountId;
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use time::OffsetDateTime;

/// One audit record with the facts it is looked up by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// CloudTrail's `eventID`, unique per record.
    pub event_id: String,
    pub account_id: AccountId,
    pub event_time: OffsetDateTime,
    pub event_name: String,
    pub event_source: String,
    pub region: String,
    pub read_only: bool,
    /// The `Username` LookupEvents shows and matches (§8.3).
    pub username: Option<String>,
    pub access_key_id: Option<String>,
    /// `(ResourceType, ResourceName)` pairs (§8.3).
    pub resources: Vec<(String, String)>,
    /// The record as CloudTrail JSON.
    pub record: String,
}

/// What one `LookupEvents` attribute matches (§8.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditFilter {
    EventId(String),
    EventName(String),
    ReadOnly(bool),
    Username(String),
    EventSource(String),
    AccessKeyId(String),
    ResourceType(String),
    ResourceName(String),
}

/// Where a page of records resumes: after the record at this `(event_time, event_id)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCursor {
    pub event_time: OffsetDateTime,
    pub event_id: String,
}

/// A `LookupEvents` query: one account, a closed time range, at most one filter, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditQuery {
    pub account_id: AccountId,
    pub filter: Option<AuditFilter>,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub after: Option<AuditCursor>,
    pub limit: u32,
}

/// A record waiting for delivery to a log file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndeliveredRecord {
    /// Delivery order; what [`AuditStore::mark_audit_delivered`] takes back.
    pub seq: i64,
    /// The stored revision, so a record replaced after it was read stays undelivered.
    pub revision: i64,
    pub account_id: AccountId,
    pub region: String,
    pub record: String,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Writes `entry` in its own transaction, replacing a pending record with its `event_id`.
    async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError>;
    /// The matching stored entries, newest first (`event_time`, then `event_id`, descending).
    async fn lookup_audit(&self, query: AuditQuery) -> Result<Page<AuditEntry>, StoreError>;
    /// Up to `limit` records not yet in a log file, oldest first.
    async fn undelivered_audit(&self, limit: u32) -> Result<Vec<UndeliveredRecord>, StoreError>;
    /// How many records wait for delivery, counting no further than `limit` (a cheap poll).
    async fn pending_audit_count(&self, limit: u32) -> Result<u64, StoreError>;
    /// Marks `(seq, revision)` records delivered, unless they were replaced since they were read.
    async fn mark_audit_delivered(&self, delivered: Vec<(i64, i64)>) -> Result<(), StoreError>;
    /// Deletes up to `limit` delivered records older than `before`, oldest first; returns how
    /// many went. Callers repeat until fewer than `limit` go, so no transaction grows large.
    async fn prune_audit(&self, before: OffsetDateTime, limit: u32) -> Result<u64, StoreError>;
}

/// The record a request's writes carry, and whether one of them committed it.
struct Pending {
    entry: AuditEntry,
    landed: AtomicBool,
}

tokio::task_local! {
    static PENDING: Arc<Pending>;
}

/// Runs `work` so that each write transaction it makes also stores `entry` (once; later
/// transactions find it there). Returns `work`'s output and whether `entry` was committed.
pub async fn with_pending_record<F: Future>(entry: AuditEntry, work: F) -> (F::Output, bool) {
    let pending = Arc::new(Pending {
        entry,
        landed: AtomicBool::new(false),
    });
    let output = PENDING.scope(Arc::clone(&pending), work).await;
    (output, pending.landed.load(Ordering::Acquire))
}

/// The pending record of the request this task serves, if any.
fn pending() -> Option<Arc<Pending>> {
    PENDING.try_with(Arc::clone).ok()
}

const ENTRY_COLUMNS: &str = "event_id, account_id, event_time, event_name, event_source, aws_region, read_only, username, access_key_id, record";

fn entry_values(entry: &AuditEntry) -> Vec<Value> {
    vec![
        entry.event_id.as_str().into(),
        entry.account_id.as_str().into(),
        entry.event_time.into(),
        entry.event_name.as_str().into(),
        entry.event_source.as_str().into(),
        entry.region.as_str().into(),
        entry.read_only.into(),
        entry.username.clone().into(),
        entry.access_key_id.clone().into(),
        entry.record.as_str().into(),
    ]
}

fn insert_resources(tx: &mut dyn SqlTx, entry: &AuditEntry) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM audit_event_resources WHERE event_id = $1",
        &[entry.event_id.as_str().into()],
    )?;
    for (kind, name) in &entry.resources {
        tx.execute(
            "INSERT INTO audit_event_resources (event_id, resource_type, resource_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[entry.event_id.as_str().into(), kind.into(), name.into()],
        )?;
    }
    Ok(())
}

/// Stores the pending record unless an earlier transaction of the request already did.
fn insert_pending(tx: &mut dyn SqlTx, entry: &AuditEntry) -> Result<(), StoreError> {
    let inserted = tx.execute(
        &format!(
            "INSERT INTO audit_events ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id) DO NOTHING"
        ),
        &entry_values(entry),
    )?;
    if inserted > 0 {
        insert_resources(tx, entry)?;
    }
    Ok(())
}

/// Stores `entry`, replacing the record with its `event_id`; a replaced record is delivered again.
fn upsert(tx: &mut dyn SqlTx, entry: &AuditEntry) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO audit_events ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (event_id) DO UPDATE SET event_time = excluded.event_time, event_name = excluded.event_name, \
             event_source = excluded.event_source, aws_region = excluded.aws_region, read_only = excluded.read_only, \
             username = excluded.username, access_key_id = excluded.access_key_id, record = excluded.record, delivered = 0, \
             revision = audit_events.revision + 1"
        ),
        &entry_values(entry),
    )?;
    insert_resources(tx, entry)
}

fn read_entry(tx: &mut dyn SqlTx, row: &super::sql::Row) -> Result<AuditEntry, StoreError> {
    let event_id = row.text(0)?;
    let account = row.text(1)?;
    let resources = tx
        .query(
            "SELECT resource_type, resource_name FROM audit_event_resources WHERE event_id = $1 ORDER BY resource_type, resource_name",
            &[event_id.as_str().into()],
        )?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(AuditEntry {
        account_id: AccountId::parse(&account)
            .ok_or_else(|| StoreError::Corrupt(format!("bad account id {account}")))?,
        event_id,
        event_time: row.time(2)?,
        event_name: row.text(3)?,
        event_source: row.text(4)?,
        region: row.text(5)?,
        read_only: row.bool(6)?,
        username: row.opt_text(7)?,
        access_key_id: row.opt_text(8)?,
        resources,
        record: row.text(9)?,
    })
}

/// The SQL condition and its value for one filter; `$N` is the next free placeholder.
fn filter_condition(filter: &AuditFilter, n: usize) -> (String, Value) {
    let column = |name: &str, value: &str| (format!("e.{name} = ${n}"), Value::from(value));
    let resource = |name: &str, value: &str| {
        (
            format!("EXISTS (SELECT 1 FROM audit_event_resources r WHERE r.event_id = e.event_id AND r.{name} = ${n})"),
            Value::from(value),
        )
    };
    match filter {
        AuditFilter::EventId(v) => column("event_id", v),
        AuditFilter::EventName(v) => column("event_name", v),
        AuditFilter::ReadOnly(v) => (format!("e.read_only = ${n}"), Value::from(*v)),
        AuditFilter::Username(v) => column("username", v),
        AuditFilter::EventSource(v) => column("event_source", v),
        AuditFilter::AccessKeyId(v) => column("access_key_id", v),
        AuditFilter::ResourceType(v) => resource("resource_type", v),
        AuditFilter::ResourceName(v) => resource("resource_name", v),
    }
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        self.write_unaudited(move |tx| upsert(tx, &entry)).await
    }

    async fn lookup_audit(&self, query: AuditQuery) -> Result<Page<AuditEntry>, StoreError> {
        self.read(move |tx| {
            let mut conditions = vec![
                "e.account_id = $1".to_owned(),
                "e.event_time >= $2".to_owned(),
                "e.event_time <= $3".to_owned(),
            ];
            let mut values: Vec<Value> = vec![query.account_id.as_str().into(), query.start.into(), query.end.into()];
            if let Some(filter) = &query.filter {
                let (condition, value) = filter_condition(filter, values.len() + 1);
                conditions.push(condition);
                values.push(value);
            }
            if let Some(after) = &query.after {
                let (t, id) = (values.len() + 1, values.len() + 2);
                conditions.push(format!(
                    "(e.event_time < ${t} OR (e.event_time = ${t} AND e.event_id < ${id}))"
                ));
                values.push(after.event_time.into());
                values.push(after.event_id.as_str().into());
            }
            let sql = format!(
                "SELECT {} FROM audit_events e WHERE {} ORDER BY e.event_time DESC, e.event_id DESC LIMIT {}",
                ENTRY_COLUMNS
                    .split(", ")
                    .map(|c| format!("e.{c}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                conditions.join(" AND "),
                u64::from(query.limit) + 1
            );
            let rows = tx.query(&sql, &values)?;
            let more = rows.len() > query.limit as usize;
            let items = rows
                .iter()
                .take(query.limit as usize)
                .map(|row| read_entry(tx, row))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page { items, more })
        })
        .await
    }

    async fn undelivered_audit(&self, limit: u32) -> Result<Vec<UndeliveredRecord>, StoreError> {
        self.read(move |tx| {
            tx.query(
                &format!(
                    "SELECT seq, account_id, aws_region, record, revision FROM audit_events WHERE delivered = 0 ORDER BY seq LIMIT {limit}"
                ),
                &[],
            )?
            .iter()
            .map(|row| {
                let account = row.text(1)?;
                Ok(UndeliveredRecord {
                    seq: row.int(0)?,
                    revision: row.int(4)?,
                    account_id: AccountId::parse(&account)
                        .ok_or_else(|| StoreError::Corrupt(format!("bad account id {account}")))?,
                    region: row.text(2)?,
                    record: row.text(3)?,
                })
            })
            .collect()
        })
        .await
    }

    async fn pending_audit_count(&self, limit: u32) -> Result<u64, StoreError> {
        self.read(move |tx| {
            let count = tx.count(
                &format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM audit_events WHERE delivered = 0 LIMIT {limit}) AS pending"
                ),
                &[],
            )?;
            u64::try_from(count).map_err(|_| StoreError::Corrupt(format!("negative count {count}")))
        })
        .await
    }

    async fn mark_audit_delivered(&self, delivered: Vec<(i64, i64)>) -> Result<(), StoreError> {
        self.write_unaudited(move |tx| {
            for (seq, revision) in &delivered {
                tx.execute(
                    "UPDATE audit_events SET delivered = 1 WHERE seq = $1 AND revision = $2",
                    &[(*seq).into(), (*revision).into()],
                )?;
            }
            Ok(())
        })
        .await
    }

    async fn prune_audit(&self, before: OffsetDateTime, limit: u32) -> Result<u64, StoreError> {
        // Resources go with their record (ON DELETE CASCADE). The outer conditions are checked
        // again on the row deleted, so a record replaced meanwhile (undelivered again) stays.
        self.write_unaudited(move |tx| {
            tx.execute(
                &format!(
                    "DELETE FROM audit_events WHERE delivered = 1 AND event_time < $1 AND seq IN \
                     (SELECT seq FROM audit_events WHERE delivered = 1 AND event_time < $1 ORDER BY seq LIMIT {limit})"
                ),
                &[before.into()],
            )
        })
        .await
    }
}

impl SqlStore {
    /// The write path of every intent: runs `work` and, inside the same transaction, stores
    /// the pending record of the request being served (see [`with_pending_record`]).
    pub(super) async fn write<T, E, F>(&self, mut work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn SqlTx) -> Result<T, E> + Send + 'static,
    {
        let Some(pending) = pending() else {
            return self.write_unaudited(work).await;
        };
        let entry = pending.entry.clone();
        let result = self
            .write_unaudited(move |tx| {
                let output = work(tx)?;
                insert_pending(tx, &entry)?;
                Ok(output)
            })
            .await;
        if result.is_ok() {
            pending.landed.store(true, Ordering::Release);
        }
        result
    }
}
