//! PostgreSQL backend, for several Tessera nodes sharing one database. Each intent runs in
//! one READ COMMITTED transaction; writes that must not interleave lock their account row
//! (`Dialect::for_update`), which serialises them across nodes. Commits are durable with the
//! server's default `synchronous_commit = on`. Connections are plain TCP or Unix-socket
//! (no TLS yet: run the database on a trusted network or localhost).

use super::StoreError;
use super::migrate::{self, Migration};
use super::sql::{Dialect, Row, SqlTx, Value};
use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls, Transaction};
use std::sync::{Arc, Mutex, PoisonError};

const MIGRATIONS: &[Migration] = &crate::store::migrate::migrations!("postgres");

const POOL: usize = 16;
/// A serialisation failure or deadlock is retried this many times before giving up.
const RETRIES: usize = 3;

pub struct PgDb {
    url: String,
    idle: Arc<Mutex<Vec<Client>>>,
}

fn connect(url: &str) -> Result<Client, StoreError> {
    Client::connect(url, NoTls).map_err(|e| StoreError::Unavailable(format!("cannot connect to PostgreSQL: {e}")))
}

impl PgDb {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let db = Self {
            url: url.to_owned(),
            idle: Arc::new(Mutex::new(Vec::new())),
        };
        db.write(|tx: &mut dyn SqlTx| -> Result<(), StoreError> {
            if let Some(lock) = tx.dialect().deployment_lock() {
                tx.query(lock, &[])?;
            }
            migrate::apply(tx, MIGRATIONS)
        })
        .await?;
        Ok(db)
    }

    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn SqlTx) -> Result<T, E> + Send + 'static,
    {
        self.run(work).await
    }

    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn SqlTx) -> Result<T, E> + Send + 'static,
    {
        self.run(work).await
    }

    async fn run<T, E, F>(&self, mut work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn SqlTx) -> Result<T, E> + Send + 'static,
    {
        let idle = Arc::clone(&self.idle);
        let url = self.url.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut client = match pooled {
                Some(client) if !client.is_closed() => client,
                _ => connect(&url)?,
            };
            let mut attempt = 0;
            let result = loop {
                attempt += 1;
                let transaction = client.transaction().map_err(map_error)?;
                let mut tx = PgTx {
                    tx: transaction,
                    retry: false,
                };
                let result = work(&mut tx);
                let retry = tx.retry;
                let outcome = match result {
                    Ok(value) => tx.tx.commit().map_err(map_error).map(|()| value).map_err(E::from),
                    Err(e) => {
                        let _ = tx.tx.rollback();
                        Err(e)
                    }
                };
                if outcome.is_err() && retry && attempt < RETRIES {
                    continue;
                }
                break outcome;
            };
            if !client.is_closed() {
                let mut pool = idle.lock().unwrap_or_else(PoisonError::into_inner);
                if pool.len() < POOL {
                    pool.push(client);
                }
            }
            result
        })
        .await
        .map_err(|e| E::from(StoreError::Unavailable(e.to_string())))?
    }
}

/// `postgres::Client` shuts its connection down by blocking on a runtime of its own, which
/// panics on an async runtime thread; idle clients are therefore dropped on a plain thread.
impl Drop for PgDb {
    fn drop(&mut self) {
        let clients = std::mem::take(&mut *self.idle.lock().unwrap_or_else(PoisonError::into_inner));
        if !clients.is_empty() {
            let _ = std::thread::Builder::new()
                .name("pg-close".into())
                .spawn(move || drop(clients));
        }
    }
}

struct PgTx<'c> {
    tx: Transaction<'c>,
    /// Set when PostgreSQL asked for the transaction to be retried.
    retry: bool,
}

impl PgTx<'_> {
    fn note(&mut self, error: postgres::Error) -> StoreError {
        if matches!(error.code(), Some(code) if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED)
        {
            self.retry = true;
        }
        map_error(error)
    }
}

/// The database's message is kept (it names the failing statement's problem); its `detail`,
/// which can quote row values, is not.
fn map_error(error: postgres::Error) -> StoreError {
    let text = match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    };
    match error.code() {
        Some(code) if *code == SqlState::UNIQUE_VIOLATION => StoreError::UniqueViolation,
        _ if error.is_closed() => StoreError::Unavailable(text),
        _ => StoreError::Backend(text),
    }
}

fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|value| -> &(dyn ToSql + Sync) {
            match value {
                Value::Int(v) => v,
                Value::Text(v) => v,
                Value::Bytes(v) => v,
            }
        })
        .collect()
}

fn column(row: &postgres::Row, index: usize, kind: &Type) -> Result<Value, StoreError> {
    let get_error = |e: postgres::Error| StoreError::Corrupt(format!("column {index}: {e}"));
    Ok(match *kind {
        Type::INT8 => Value::Int(row.try_get::<_, Option<i64>>(index).map_err(get_error)?),
        Type::INT4 => Value::Int(row.try_get::<_, Option<i32>>(index).map_err(get_error)?.map(i64::from)),
        Type::INT2 => Value::Int(row.try_get::<_, Option<i16>>(index).map_err(get_error)?.map(i64::from)),
        Type::BOOL => Value::Int(row.try_get::<_, Option<bool>>(index).map_err(get_error)?.map(i64::from)),
        Type::BYTEA => Value::Bytes(row.try_get::<_, Option<Vec<u8>>>(index).map_err(get_error)?),
        Type::VOID => Value::Int(None),
        _ => Value::Text(row.try_get::<_, Option<String>>(index).map_err(get_error)?),
    })
}

impl SqlTx for PgTx<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, values: &[Value]) -> Result<u64, StoreError> {
        let bound = params(values);
        match self.tx.execute(sql, &bound) {
            Ok(changed) => Ok(changed),
            Err(e) => Err(self.note(e)),
        }
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Row>, StoreError> {
        let bound = params(values);
        let rows = match self.tx.query(sql, &bound) {
            Ok(rows) => rows,
            Err(e) => return Err(self.note(e)),
        };
        rows.iter()
            .map(|row| {
                row.columns()
                    .iter()
                    .enumerate()
                    .map(|(index, col)| column(row, index, col.type_()))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }
}
