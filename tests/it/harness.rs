//! Fresh stores on both backends, an initialised account on them, and the `store_test!` macro
//! that writes a case once and runs it on SQLite and PostgreSQL.
//!
//! SQLite runs always, on a file in a temporary directory. PostgreSQL runs when
//! `TESSERA_TEST_POSTGRES_URL` names a superuser connection: every test gets a database of its
//! own, dropped afterwards. Without it the PostgreSQL half of a case prints one `SKIPPED:` line
//! and passes, unless `TESSERA_REQUIRE_POSTGRES=1`, which turns the skip into a failure.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use tessera::domain::{AccessKeyId, AccountId, KeyKind, generate_secret_access_key};
use tessera::secret::{DataKey, PasswordHash, SecretAccessKey};
use tessera::store::{NewAccount, NewUser, SqlStore, Store};
use time::OffsetDateTime;
use time::macros::datetime;

pub const POSTGRES_URL_VAR: &str = "TESSERA_TEST_POSTGRES_URL";
pub const REQUIRE_POSTGRES_VAR: &str = "TESSERA_REQUIRE_POSTGRES";

/// What `cli::bootstrap` seals at initialisation, so the check value opens the same way here.
pub const KEY_CHECK_PLAINTEXT: &[u8] = b"tessera data key check";
pub const KEY_CHECK_CONTEXT: &[u8] = b"settings/data_key_check";

/// When the fixture's account was created; later test times are offsets from it.
pub const T0: OffsetDateTime = datetime!(2024-01-15 12:00:00 UTC);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Keeps a test's database alive; dropping it removes the database.
pub struct Guard {
    /// The URL the store was opened with, for opening a second store on the same database.
    pub url: String,
    /// References to the stores opened on the database, released last on a plain thread
    /// (see `Drop`).
    keep: Mutex<Vec<Arc<dyn Store>>>,
    cleanup: Cleanup,
}

impl Guard {
    /// Keeps `store` until the guard drops, so its last reference is released safely.
    pub fn hold(&self, store: Arc<dyn Store>) {
        self.keep.lock().unwrap_or_else(PoisonError::into_inner).push(store);
    }
}

enum Cleanup {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { admin_url: String, database: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        let keep = std::mem::take(self.keep.get_mut().unwrap_or_else(PoisonError::into_inner));
        let database = match &self.cleanup {
            Cleanup::Sqlite { .. } => None,
            Cleanup::Postgres { admin_url, database } => Some((admin_url.clone(), database.clone())),
        };
        // The blocking PostgreSQL client starts a runtime of its own when a connection is
        // dropped, which panics on a runtime thread; guards drop at the end of async tests, so
        // the store's last reference and the cleanup go to a plain thread. Dropping the
        // database is best effort: a leftover test database is harmless.
        let cleaned = std::thread::spawn(move || {
            drop(keep);
            let Some((admin_url, database)) = database else {
                return Ok(());
            };
            let mut client = postgres::Client::connect(&admin_url, postgres::NoTls)?;
            client
                .batch_execute(&format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"))
                .map_err(|e| postgres_error(&e))?;
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        match cleaned {
            Ok(Ok(())) => {}
            Ok(Err(error)) => say(&format!("note: could not drop a test database: {error}")),
            Err(_) => say("note: releasing a test store panicked"),
        }
    }
}

/// Writes one line past libtest's output capture, so skips are visible in a normal run.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

fn postgres_required() -> bool {
    std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v == "1")
}

/// Skips the PostgreSQL half of a test, or fails it when PostgreSQL is required.
fn skip_postgres<T>(reason: &str) -> Option<T> {
    assert!(
        !postgres_required(),
        "PostgreSQL backend required ({REQUIRE_POSTGRES_VAR}=1) but unavailable: {reason}"
    );
    say(&format!("SKIPPED: PostgreSQL backend: {reason}"));
    None
}

/// `url` with its database name replaced by `database` (keeps user, host, port and options).
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// An empty, migrated store on `backend`, or `None` when that backend is not available here.
pub async fn fresh_store(backend: Backend) -> Option<(Arc<dyn Store>, Guard)> {
    fresh_store_with(backend, "").await
}

/// `postgres::Error` displays as "db error"; the server's message is in its source.
fn postgres_error(error: &postgres::Error) -> String {
    match std::error::Error::source(error) {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    }
}

/// Like [`fresh_store`]; on PostgreSQL `create_options` is appended to `CREATE DATABASE`
/// (e.g. a collation), on SQLite it is ignored.
pub async fn fresh_store_with(backend: Backend, create_options: &str) -> Option<(Arc<dyn Store>, Guard)> {
    let guard = fresh_database(backend, create_options).await?;
    let store = SqlStore::open(&guard.url).await.expect("open the store").into_shared();
    guard.hold(Arc::clone(&store));
    Some((store, guard))
}

/// A database no store has opened yet (for SQLite: a path in an empty directory).
pub async fn fresh_database(backend: Backend, create_options: &str) -> Option<Guard> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            Some(Guard {
                url: format!("sqlite://{}", dir.path().join("tessera.db").display()),
                keep: Mutex::default(),
                cleanup: Cleanup::Sqlite { _dir: dir },
            })
        }
        Backend::Postgres => {
            let admin_url = match std::env::var(POSTGRES_URL_VAR) {
                Ok(url) if !url.is_empty() => url,
                _ => return skip_postgres(&format!("{POSTGRES_URL_VAR} is not set")),
            };
            let database = format!("tessera_it_{}", uuid::Uuid::new_v4().simple());
            let create = {
                let admin_url = admin_url.clone();
                let statement = format!("CREATE DATABASE \"{database}\" {create_options}");
                tokio::task::spawn_blocking(move || {
                    let mut client = postgres::Client::connect(&admin_url, postgres::NoTls)?;
                    client.batch_execute(&statement)
                })
                .await
                .expect("database creation task")
            };
            if let Err(error) = create {
                let error = postgres_error(&error);
                return skip_postgres(&format!("cannot create a database through {POSTGRES_URL_VAR}: {error}"));
            }
            Some(Guard {
                url: with_database(&admin_url, &database),
                keep: Mutex::default(),
                cleanup: Cleanup::Postgres { admin_url, database },
            })
        }
    }
}

/// An initialised store: one account with a root password and a root access key.
pub struct Fixture {
    pub store: Arc<dyn Store>,
    pub account: AccountId,
    pub data_key: DataKey,
    pub root_key: AccessKeyId,
    pub root_secret: SecretAccessKey,
    pub guard: Guard,
}

/// What `init` would write for a new account sealed with `data_key`.
pub fn new_account(data_key: &DataKey) -> (NewAccount, SecretAccessKey) {
    let id = AccountId::generate().expect("account id");
    let root_key_id = AccessKeyId::generate(KeyKind::LongTerm).expect("key id");
    let secret = generate_secret_access_key().expect("secret");
    let account = NewAccount {
        id,
        root_email: "root@example.test".into(),
        root_password_hash: Some(PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into())),
        root_sealed_secret: data_key
            .seal_text(secret.expose(), root_key_id.as_str().as_bytes())
            .expect("seal"),
        root_key_id,
        data_key_check: data_key.seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_CONTEXT).expect("seal"),
        now: T0,
    };
    (account, secret)
}

pub async fn fixture(backend: Backend) -> Option<Fixture> {
    let (store, guard) = fresh_store(backend).await?;
    Some(initialise(store, guard).await)
}

/// Initialises a fresh store the way `init` does.
pub async fn initialise(store: Arc<dyn Store>, guard: Guard) -> Fixture {
    let data_key = DataKey::generate().expect("data key");
    let (account, root_secret) = new_account(&data_key);
    let (account_id, root_key) = (account.id.clone(), account.root_key_id.clone());
    let created = store.initialise(account).await.expect("initialise");
    assert!(created, "store was not empty");
    Fixture {
        store,
        account: account_id,
        data_key,
        root_key,
        root_secret,
        guard,
    }
}

impl Fixture {
    /// Creates a user under `/` without tags at `T0`.
    pub async fn user(&self, name: &str) -> tessera::domain::User {
        self.store
            .create_user(&self.account, new_user(name))
            .await
            .unwrap_or_else(|e| panic!("create user {name}: {e}"))
    }

    /// Adds an access key with a fresh secret sealed the way the API seals it.
    pub async fn key(&self, target: &tessera::store::Target, now: OffsetDateTime) -> tessera::domain::AccessKey {
        let (id, sealed) = self.sealed_key();
        self.store
            .create_access_key(&self.account, target, id, sealed, now)
            .await
            .map(|(_, key)| key)
            .unwrap_or_else(|e| panic!("create access key for {target:?}: {e}"))
    }

    /// A new key ID and a secret sealed for it.
    pub fn sealed_key(&self) -> (AccessKeyId, Vec<u8>) {
        let id = AccessKeyId::generate(KeyKind::LongTerm).expect("key id");
        let secret = generate_secret_access_key().expect("secret");
        let sealed = self
            .data_key
            .seal_text(secret.expose(), id.as_str().as_bytes())
            .expect("seal");
        (id, sealed)
    }
}

/// Runs `sql` directly on the database at `url`, for rows no store intent writes yet. Runs on
/// a plain thread: the blocking PostgreSQL client must not be dropped on a runtime thread.
pub fn execute_sql(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || match url.strip_prefix("sqlite://") {
        Some(path) => {
            rusqlite::Connection::open(path)
                .and_then(|db| db.execute_batch(&sql))
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        None => {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
            client
                .batch_execute(&sql)
                .unwrap_or_else(|e| panic!("{sql}: {}", postgres_error(&e)));
        }
    })
    .join()
    .expect("raw SQL thread");
}

pub fn new_user(name: &str) -> NewUser {
    NewUser {
        id: tessera::domain::UserId::generate().expect("user id"),
        name: name.into(),
        path: "/".into(),
        tags: Vec::new(),
        now: T0,
    }
}

pub fn tag(key: &str, value: &str) -> tessera::domain::Tag {
    tessera::domain::Tag {
        key: key.into(),
        value: value.into(),
    }
}

/// Writes a store test once and runs it on both backends, as `NAME::sqlite` and
/// `NAME::postgres`.
///
/// `store_test!(name, |fx| async move { … })` hands the body an initialised [`Fixture`];
/// `store_test!(name, raw |store| async move { … })` an empty, migrated `Arc<dyn Store>`;
/// `store_test!(name, database |guard| async move { … })` a [`Guard`] whose `url` names a
/// database no store has opened yet.
macro_rules! store_test {
    ($name:ident, |$fx:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn case(backend: $crate::harness::Backend) {
                let Some($fx) = $crate::harness::fixture(backend).await else {
                    return;
                };
                $body.await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                case($crate::harness::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn postgres() {
                case($crate::harness::Backend::Postgres).await;
            }
        }
    };
    ($name:ident, database |$guard:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn case(backend: $crate::harness::Backend) {
                let Some($guard) = $crate::harness::fresh_database(backend, "").await else {
                    return;
                };
                $body.await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                case($crate::harness::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn postgres() {
                case($crate::harness::Backend::Postgres).await;
            }
        }
    };
    ($name:ident, raw |$store:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn case(backend: $crate::harness::Backend) {
                let Some(($store, _guard)) = $crate::harness::fresh_store(backend).await else {
                    return;
                };
                $body.await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                case($crate::harness::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn postgres() {
                case($crate::harness::Backend::Postgres).await;
            }
        }
    };
}
pub(crate) use store_test;

#[test]
fn database_name_is_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:55432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:55432/t1"
    );
    assert_eq!(with_database("postgresql://u:p@h", "t1"), "postgresql://u:p@h/t1");
    assert_eq!(
        with_database("postgres://u@h:5/db?sslmode=disable", "t1"),
        "postgres://u@h:5/t1?sslmode=disable"
    );
}

/// The HTTP app over an initialised SQLite store, as `serve` builds it.
pub async fn app(danger_test_mode: bool) -> (axum::Router, Fixture) {
    let fx = fixture(Backend::Sqlite).await.expect("SQLite is always available");
    (router(&fx, danger_test_mode), fx)
}

/// The HTTP app over the fixture's store, as `serve` builds it.
pub fn router(fx: &Fixture, danger_test_mode: bool) -> axum::Router {
    let api = tessera::api::ApiState::new(
        Arc::clone(&fx.store),
        tessera::clock::Clock::system(),
        fx.data_key.clone(),
        None,
    )
    .expect("API state");
    let state = Arc::new(tessera::app::AppState { api, danger_test_mode });
    tessera::app::router(state)
}
