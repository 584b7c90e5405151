//! SQLite backend: WAL journal, `synchronous=FULL` (a commit is on disk before it is
//! acknowledged), one writer thread and a pool of reader connections.
//!
//! Group commit: the writer takes every write job waiting in its queue, runs each inside its
//! own SAVEPOINT of one transaction, commits once, and only then answers the jobs. A job that
//! fails rolls back to its savepoint without disturbing the others; a failed COMMIT fails them
//! all. Under load many requests share one fsync.

use super::StoreError;
use super::migrate::{self, Migration};
use super::sql::{Dialect, Row, SqlTx, Value};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{mpsc, oneshot};

const MIGRATIONS: &[Migration] = &crate::store::migrate::migrations!("sqlite");

/// Most jobs one commit carries; bounds the latency a batch adds to its first job.
const MAX_BATCH: usize = 128;
const READ_POOL: usize = 8;

type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
type Job = Box<dyn FnOnce(&mut dyn SqlTx) -> (bool, Finish) + Send>;

pub struct SqliteDb {
    path: String,
    jobs: mpsc::UnboundedSender<Job>,
    readers: Arc<Mutex<Vec<Connection>>>,
}

fn open_connection(path: &str) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StoreError::Unavailable(format!("cannot open {path}: {e}")))?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
    )
    .map_err(map_error)?;
    Ok(conn)
}

impl SqliteDb {
    pub async fn open(path: &str) -> Result<Self, StoreError> {
        if path.is_empty() {
            return Err(StoreError::BadUrl("sqlite:// needs a file path".into()));
        }
        let owned = path.to_owned();
        let writer = tokio::task::spawn_blocking(move || -> Result<Connection, StoreError> {
            let mut conn = open_connection(&owned)?;
            let mut tx = SqliteTx { conn: &mut conn };
            tx.execute("BEGIN IMMEDIATE", &[])?;
            match migrate::apply(&mut tx, MIGRATIONS) {
                Ok(()) => tx.execute("COMMIT", &[])?,
                Err(e) => {
                    let _ = tx.execute("ROLLBACK", &[]);
                    return Err(e);
                }
            };
            Ok(conn)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))??;
        let (jobs, queue) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run_writer(writer, queue))
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            jobs,
            readers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    pub async fn write<T, E, F>(&self, mut work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn SqlTx) -> Result<T, E> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |tx| {
            let result = work(tx);
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |commit| {
                let outcome = match (result, commit) {
                    (Ok(_), Err(e)) => Err(E::from(e)),
                    (result, _) => result,
                };
                let _ = answer.send(outcome);
            });
            (ok, finish)
        });
        self.jobs
            .send(job)
            .map_err(|_| E::from(StoreError::Unavailable("writer stopped".into())))?;
        answered
            .await
            .map_err(|_| E::from(StoreError::Unavailable("write was abandoned".into())))?
    }

    pub async fn read<T, E, F>(&self, mut work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn SqlTx) -> Result<T, E> + Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut conn = match pooled {
                Some(conn) => conn,
                None => open_connection(&path)?,
            };
            let result = {
                let mut tx = SqliteTx { conn: &mut conn };
                tx.execute("BEGIN", &[])?;
                let result = work(&mut tx);
                tx.execute("COMMIT", &[])?;
                result
            };
            let mut pool = readers.lock().unwrap_or_else(PoisonError::into_inner);
            if pool.len() < READ_POOL {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(|e| E::from(StoreError::Unavailable(e.to_string())))?
    }
}

fn run_writer(mut conn: Connection, mut queue: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = queue.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut tx = SqliteTx { conn: &mut conn };
        if let Err(e) = tx.execute("BEGIN IMMEDIATE", &[]) {
            // Dropping the jobs answers each of them with "write was abandoned".
            tracing::error!(error = %e, "cannot start a write transaction");
            drop(batch);
            continue;
        }
        let mut finishers = Vec::with_capacity(batch.len());
        for job in batch {
            if tx.execute("SAVEPOINT job", &[]).is_err() {
                continue; // dropping the job answers it with "abandoned"
            }
            match std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut tx))) {
                Ok((true, finish)) => {
                    let _ = tx.execute("RELEASE job", &[]);
                    finishers.push(finish);
                }
                Ok((false, finish)) => {
                    let _ = tx.execute("ROLLBACK TO job", &[]);
                    let _ = tx.execute("RELEASE job", &[]);
                    finishers.push(finish);
                }
                Err(_) => {
                    tracing::error!("a write job panicked; its changes were rolled back");
                    let _ = tx.execute("ROLLBACK TO job", &[]);
                    let _ = tx.execute("RELEASE job", &[]);
                }
            }
        }
        let commit = tx.execute("COMMIT", &[]).map(|_| ());
        if commit.is_err() {
            let _ = tx.execute("ROLLBACK", &[]);
        }
        for finish in finishers {
            let outcome = match &commit {
                Ok(()) => Ok(()),
                Err(e) => Err(StoreError::Unavailable(format!("commit failed: {e}"))),
            };
            finish(outcome);
        }
    }
}

struct SqliteTx<'c> {
    conn: &'c mut Connection,
}

fn bind(value: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match value {
        Value::Int(Some(v)) => V::Integer(*v),
        Value::Text(Some(v)) => V::Text(v.clone()),
        Value::Bytes(Some(v)) => V::Blob(v.clone()),
        Value::Int(None) | Value::Text(None) | Value::Bytes(None) => V::Null,
    }
}

fn column(value: ValueRef<'_>) -> Result<Value, StoreError> {
    Ok(match value {
        ValueRef::Null => Value::Int(None),
        ValueRef::Integer(v) => Value::Int(Some(v)),
        ValueRef::Text(v) => Value::Text(Some(
            String::from_utf8(v.to_vec()).map_err(|_| StoreError::Corrupt("text is not UTF-8".into()))?,
        )),
        ValueRef::Blob(v) => Value::Bytes(Some(v.to_vec())),
        ValueRef::Real(_) => return Err(StoreError::Corrupt("unexpected REAL column".into())),
    })
}

fn map_error(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(e, _) => match e.code {
            rusqlite::ErrorCode::ConstraintViolation
                if matches!(
                    e.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
            {
                StoreError::UniqueViolation
            }
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                StoreError::Unavailable(error.to_string())
            }
            _ => StoreError::Backend(error.to_string()),
        },
        _ => StoreError::Backend(error.to_string()),
    }
}

impl SqlTx for SqliteTx<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut statement = self.conn.prepare_cached(sql).map_err(map_error)?;
        let bound: Vec<rusqlite::types::Value> = params.iter().map(bind).collect();
        let changed = statement
            .execute(rusqlite::params_from_iter(bound))
            .map_err(map_error)?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self.conn.prepare_cached(sql).map_err(map_error)?;
        let width = statement.column_count();
        let bound: Vec<rusqlite::types::Value> = params.iter().map(bind).collect();
        let mut rows = statement.query(rusqlite::params_from_iter(bound)).map_err(map_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map_error)? {
            let mut values = Vec::with_capacity(width);
            for index in 0..width {
                values.push(column(row.get_ref(index).map_err(map_error)?)?);
            }
            out.push(Row(values));
        }
        Ok(out)
    }
}
