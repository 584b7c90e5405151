//! Numbered migrations, applied in order inside the caller's transaction, so a database is
//! either fully at the new version or untouched.

use super::StoreError;
use super::sql::SqlTx;

/// The numbered migrations, one list for both backends; each backend supplies its own SQL
/// files under `migrations/<backend>/` with these names.
macro_rules! migrations {
    ($backend:literal) => {
        [
            crate::store::migrate::Migration {
                version: 1,
                name: "accounts, users, keys, login profiles",
                sql: include_str!(concat!("migrations/", $backend, "/0001_foundation.sql")),
            },
            crate::store::migrate::Migration {
                version: 2,
                name: "MFA devices",
                sql: include_str!(concat!("migrations/", $backend, "/0002_mfa_devices.sql")),
            },
            crate::store::migrate::Migration {
                version: 3,
                name: "STS sessions",
                sql: include_str!(concat!("migrations/", $backend, "/0003_sessions.sql")),
            },
            crate::store::migrate::Migration {
                version: 4,
                name: "groups, roles, policies",
                sql: include_str!(concat!("migrations/", $backend, "/0004_policies_groups_roles.sql")),
            },
            crate::store::migrate::Migration {
                version: 5,
                name: "per-principal MFA guess throttling",
                sql: include_str!(concat!("migrations/", $backend, "/0005_principal_throttle.sql")),
            },
            crate::store::migrate::Migration {
                version: 6,
                name: "audit records",
                sql: include_str!(concat!("migrations/", $backend, "/0006_audit_events.sql")),
            },
        ]
    };
}
pub(crate) use migrations;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Applies every migration newer than the database's version. The caller owns the
/// transaction (and, on PostgreSQL, the lock that keeps two nodes from migrating at once).
pub fn apply(tx: &mut dyn SqlTx, migrations: &[Migration]) -> Result<(), StoreError> {
    tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
        &[],
    )?;
    let current = tx.count("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])?;
    if let Some(newest) = migrations.iter().map(|m| m.version).max()
        && current > newest
    {
        return Err(StoreError::Corrupt(format!(
            "database schema version {current} is newer than this Tessera ({newest}); upgrade Tessera"
        )));
    }
    for migration in migrations.iter().filter(|m| m.version > current) {
        // Migration files hold plain statements separated by `;`; comment lines are dropped
        // first so a `;` inside a comment cannot split a statement.
        let code: Vec<&str> = migration
            .sql
            .lines()
            .filter(|line| !line.trim_start().starts_with("--"))
            .collect();
        for statement in code.join("\n").split(';').map(str::trim).filter(|s| !s.is_empty()) {
            tx.execute(statement, &[])?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[migration.version.into(), migration.name.into()],
        )?;
        tracing::info!(version = migration.version, name = migration.name, "applied migration");
    }
    Ok(())
}
