//! The small SQL surface both backends offer to the intent logic: typed values, rows, and a
//! transaction that runs statements. Statements use `$1`-style placeholders, which SQLite and
//! PostgreSQL both accept; where the dialects differ the logic asks [`Dialect`].

use super::StoreError;
use time::OffsetDateTime;

/// A bound parameter or a returned column. Nulls carry their type because PostgreSQL checks
/// parameter types.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(Some(v))
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Self::Int(Some(i64::from(v)))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(Some(v.to_owned()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Self::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Self::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Self::Text(v.map(str::to_owned))
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Self::Bytes(Some(v))
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Self::Bytes(Some(v.to_vec()))
    }
}
/// Times are stored as whole Unix seconds (AWS dates carry seconds).
impl From<OffsetDateTime> for Value {
    fn from(v: OffsetDateTime) -> Self {
        Self::Int(Some(v.unix_timestamp()))
    }
}
impl From<Option<OffsetDateTime>> for Value {
    fn from(v: Option<OffsetDateTime>) -> Self {
        Self::Int(v.map(OffsetDateTime::unix_timestamp))
    }
}

/// One result row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, index: usize) -> Result<&Value, StoreError> {
        self.0
            .get(index)
            .ok_or_else(|| StoreError::Corrupt(format!("missing column {index}")))
    }
    pub fn int(&self, index: usize) -> Result<i64, StoreError> {
        self.opt_int(index)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {index} is null")))
    }
    pub fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        match self.at(index)? {
            Value::Int(v) => Ok(*v),
            other => Err(StoreError::Corrupt(format!(
                "column {index}: expected integer, got {other:?}"
            ))),
        }
    }
    pub fn bool(&self, index: usize) -> Result<bool, StoreError> {
        Ok(self.int(index)? != 0)
    }
    pub fn text(&self, index: usize) -> Result<String, StoreError> {
        self.opt_text(index)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {index} is null")))
    }
    pub fn opt_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        match self.at(index)? {
            Value::Text(v) => Ok(v.clone()),
            Value::Int(None) | Value::Bytes(None) => Ok(None),
            other => Err(StoreError::Corrupt(format!(
                "column {index}: expected text, got type {}",
                type_name(other)
            ))),
        }
    }
    pub fn bytes(&self, index: usize) -> Result<Vec<u8>, StoreError> {
        match self.at(index)? {
            Value::Bytes(Some(v)) => Ok(v.clone()),
            other => Err(StoreError::Corrupt(format!(
                "column {index}: expected bytes, got type {}",
                type_name(other)
            ))),
        }
    }
    pub fn time(&self, index: usize) -> Result<OffsetDateTime, StoreError> {
        to_time(self.int(index)?)
    }
    pub fn opt_time(&self, index: usize) -> Result<Option<OffsetDateTime>, StoreError> {
        self.opt_int(index)?.map(to_time).transpose()
    }
}

/// Never prints values: a row may hold sealed secrets.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Int(_) => "integer",
        Value::Text(_) => "text",
        Value::Bytes(_) => "bytes",
    }
}

fn to_time(seconds: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| StoreError::Corrupt(format!("bad time {seconds}")))
}

/// What differs between the two SQL dialects, as far as the intent logic cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Suffix that row-locks what a `SELECT` read, so concurrent writers on PostgreSQL queue up
    /// behind each other. SQLite has a single writer, so nothing is needed there.
    pub fn for_update(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE",
        }
    }
}

/// A transaction in progress. Everything a store method does happens inside one.
pub trait SqlTx {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; returns the number of rows changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Corrupt("expected a row".into()))
    }
    fn count(&mut self, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
        self.query_one(sql, params)?.int(0)
    }
}
