//! Opening the store and, on an empty database, creating the account (`tessera init`, and
//! `tessera serve` on first start). Root credentials are printed once, as JSON, on stdout.

use crate::auth::password;
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::password_policy;
use crate::domain::{AccessKeyId, AccountId, KeyKind, is_secret_access_key_text};
use crate::secret::{DataKey, Password, SecretAccessKey};
use crate::store::{NewAccount, SqlStore, Store};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

const KEY_CHECK_PLAINTEXT: &[u8] = b"tessera data key check";
const KEY_CHECK_CONTEXT: &[u8] = b"settings/data_key_check";

pub async fn open(config: &Config) -> Result<Arc<dyn Store>, String> {
    let store = SqlStore::open(&config.database)
        .await
        .map_err(|e| format!("database: {e}"))?;
    Ok(store.into_shared())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The data key from `TESSERA_DATA_KEY` or its file; `None` when neither exists yet.
fn existing_data_key(config: &Config) -> Result<Option<DataKey>, String> {
    if let Some(text) = env("TESSERA_DATA_KEY") {
        return DataKey::from_base64(&text)
            .map(Some)
            .map_err(|e| format!("TESSERA_DATA_KEY: {e}"));
    }
    let Some(path) = config.data_key_path() else {
        return Ok(None);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => DataKey::from_base64(&text)
            .map(Some)
            .map_err(|e| format!("data_key_file {}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("data_key_file {}: {e}", path.display())),
    }
}

/// Writes a new key file readable by its owner only, without replacing an existing file.
fn write_key_file(path: &Path, key: &DataKey) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("data_key_file {}: {e}", path.display()))?;
    file.write_all(key.to_base64().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("data_key_file {}: {e}", path.display()))
}

/// What init prints once.
struct RootCredentials {
    account: AccountId,
    key_id: AccessKeyId,
    secret: SecretAccessKey,
    email: String,
    password: Option<String>,
}

fn root_credentials() -> Result<RootCredentials, String> {
    let account = match env("TESSERA_ACCOUNT_ID") {
        Some(text) => AccountId::parse(&text).ok_or("TESSERA_ACCOUNT_ID: expected 12 digits")?,
        None => AccountId::generate().map_err(|e| e.to_string())?,
    };
    let key_id = match env("TESSERA_ROOT_ACCESS_KEY_ID") {
        Some(text) => match AccessKeyId::parse(&text) {
            Some((id, KeyKind::LongTerm)) => id,
            _ => {
                return Err(
                    "TESSERA_ROOT_ACCESS_KEY_ID: expected AKIA followed by 16 characters of A-Z and 2-7".into(),
                );
            }
        },
        None => AccessKeyId::generate(KeyKind::LongTerm).map_err(|e| e.to_string())?,
    };
    let secret = match env("TESSERA_ROOT_SECRET_ACCESS_KEY") {
        Some(text) if is_secret_access_key_text(&text) => SecretAccessKey::new(text),
        Some(_) => {
            return Err("TESSERA_ROOT_SECRET_ACCESS_KEY: expected 40 characters of A-Z, a-z, 0-9, + and /".into());
        }
        None => crate::domain::generate_secret_access_key().map_err(|e| e.to_string())?,
    };
    let email = env("TESSERA_ROOT_EMAIL").unwrap_or_else(|| "root@tessera.invalid".into());
    let password = env("TESSERA_ROOT_PASSWORD");
    if let Some(password) = &password {
        password_policy::check(password, &[&email]).map_err(|e| format!("TESSERA_ROOT_PASSWORD: {e}"))?;
    }
    Ok(RootCredentials {
        account,
        key_id,
        secret,
        email,
        password,
    })
}

/// The data key given for an initialised database, checked against the value sealed at init.
fn checked_key(config: &Config, check: &[u8]) -> Result<DataKey, String> {
    let key = existing_data_key(config)?.ok_or(
        "data key: this database is initialised but no data key was given (TESSERA_DATA_KEY or data_key_file)",
    )?;
    if key.open(check, KEY_CHECK_CONTEXT).ok().as_deref() != Some(KEY_CHECK_PLAINTEXT) {
        return Err("data key: it does not match the one this database was initialised with".into());
    }
    Ok(key)
}

/// Opens an initialised database with its data key (administrative commands never initialise).
pub async fn open_initialised(config: &Config) -> Result<(Arc<dyn Store>, DataKey), String> {
    let store = open(config).await?;
    let check = store.data_key_check().await.map_err(|e| format!("database: {e}"))?;
    let check = check.ok_or("database: it is not initialised yet; run `tessera init` first")?;
    let key = checked_key(config, &check)?;
    Ok((store, key))
}

/// Opens the store, initialises an empty database, and checks the data key against it.
pub async fn open_and_initialise(config: &Config) -> Result<(Arc<dyn Store>, DataKey), String> {
    let store = open(config).await?;
    let key = match store.data_key_check().await.map_err(|e| format!("database: {e}"))? {
        Some(check) => checked_key(config, &check)?,
        None => {
            // Validate what init was given before anything is written.
            let root = root_credentials()?;
            let key = match existing_data_key(config)? {
                Some(key) => key,
                None => {
                    let path = config
                        .data_key_path()
                        .ok_or("data key: PostgreSQL deployments must supply TESSERA_DATA_KEY or data_key_file")?;
                    let key = DataKey::generate().map_err(|e| e.to_string())?;
                    write_key_file(&path, &key)?;
                    tracing::info!(path = %path.display(), "generated a new data key");
                    key
                }
            };
            initialise(&*store, &key, root).await?;
            key
        }
    };
    Ok((store, key))
}

async fn initialise(store: &dyn Store, key: &DataKey, root: RootCredentials) -> Result<(), String> {
    let root_email = root.email.clone();
    let root_password_hash = match root.password {
        Some(text) => {
            let password = Password::new(text);
            Some(
                tokio::task::spawn_blocking(move || password::hash(&password))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?,
            )
        }
        None => None,
    };
    let account = NewAccount {
        id: root.account.clone(),
        root_email,
        root_password_hash,
        root_key_id: root.key_id.clone(),
        root_sealed_secret: key
            .seal_text(root.secret.expose(), root.key_id.as_str().as_bytes())
            .map_err(|e| e.to_string())?,
        data_key_check: key
            .seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_CONTEXT)
            .map_err(|e| e.to_string())?,
        now: Clock::system().now(),
    };
    if store.initialise(account).await.map_err(|e| format!("database: {e}"))? {
        let block = serde_json::json!({
            "AccountId": root.account.as_str(),
            "AccessKeyId": root.key_id.as_str(),
            "SecretAccessKey": root.secret.expose(),
        });
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", serde_json::to_string_pretty(&block).unwrap_or_default())
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
