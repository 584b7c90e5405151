//! Server configuration, validated once and passed down (no globals).
//! Precedence: command-line flag > `TESSERA_*` environment variable > TOML file > default.
//!
//! | key (TOML)        | flag                 | environment                | default               |
//! |-------------------|----------------------|----------------------------|-----------------------|
//! | `listen`          | `--listen`           | `TESSERA_LISTEN`           | `127.0.0.1:8900`      |
//! | `database`        | `--database`         | `TESSERA_DATABASE`         | `sqlite://tessera.db` |
//! | `data_key_file`   | `--data-key-file`    | `TESSERA_DATA_KEY_FILE`    | SQLite: `<db>.key`    |
//! | `danger_test_mode`| `--danger-test-mode` | `TESSERA_DANGER_TEST_MODE` | `false`               |
//! | `allowed_regions` | `--allowed-regions`  | `TESSERA_ALLOWED_REGIONS`  | any region            |
//! | `otp_issuer`      | `--otp-issuer`       | `TESSERA_OTP_ISSUER`       | `Tessera`             |
//!
//! The data key itself may also come from `TESSERA_DATA_KEY` (base64 of 32 bytes).

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8900";
pub const DEFAULT_DATABASE: &str = "sqlite://tessera.db";

/// Values given on the command line or in the environment (clap merges those two).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub listen: Option<String>,
    pub database: Option<String>,
    pub data_key_file: Option<PathBuf>,
    pub danger_test_mode: Option<bool>,
    pub allowed_regions: Option<String>,
    pub otp_issuer: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    database: Option<String>,
    data_key_file: Option<PathBuf>,
    danger_test_mode: Option<bool>,
    allowed_regions: Option<Vec<String>>,
    otp_issuer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: String,
    pub data_key_file: Option<PathBuf>,
    pub danger_test_mode: bool,
    pub allowed_regions: Option<Vec<String>>,
    pub otp_issuer: String,
}

/// A one-line start-up error naming the offending key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Config {
    pub fn load(overrides: &Overrides) -> Result<Self, ConfigError> {
        let file = match &overrides.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| ConfigError(format!("config file {}: {}", path.display(), e.message())))?
            }
            None => FileConfig::default(),
        };
        let listen_text = overrides
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.into());
        let listen = listen_text
            .parse()
            .map_err(|_| ConfigError(format!("listen: '{listen_text}' is not an address like 127.0.0.1:8900")))?;
        let database = overrides
            .database
            .clone()
            .or(file.database)
            .unwrap_or_else(|| DEFAULT_DATABASE.into());
        if !(database.starts_with("sqlite://")
            || database.starts_with("postgres://")
            || database.starts_with("postgresql://"))
        {
            return Err(ConfigError(format!(
                "database: '{database}' must start with sqlite:// or postgres://"
            )));
        }
        let allowed_regions = match &overrides.allowed_regions {
            Some(list) => Some(
                list.split(',')
                    .map(|r| r.trim().to_owned())
                    .filter(|r| !r.is_empty())
                    .collect(),
            ),
            None => file.allowed_regions,
        };
        if let Some(bad) = allowed_regions.iter().flatten().find(|r: &&String| !valid_region(r)) {
            return Err(ConfigError(format!("allowed_regions: '{bad}' is not a region name")));
        }
        let otp_issuer = overrides
            .otp_issuer
            .clone()
            .or(file.otp_issuer)
            .unwrap_or_else(|| "Tessera".into());
        // The issuer sits in the otpauth label, where a colon would split it (`otp.md` §4.1).
        if otp_issuer.is_empty() || otp_issuer.contains(':') || otp_issuer.chars().count() > 64 {
            return Err(ConfigError(format!(
                "otp_issuer: '{otp_issuer}' must be 1-64 characters without ':'"
            )));
        }
        Ok(Self {
            otp_issuer,
            listen,
            data_key_file: overrides.data_key_file.clone().or(file.data_key_file),
            danger_test_mode: overrides.danger_test_mode.or(file.danger_test_mode).unwrap_or(false),
            allowed_regions,
            database,
        })
    }

    /// The SQLite file, if the database is SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        self.database.strip_prefix("sqlite://").map(Path::new)
    }

    /// Where the data key lives: as configured, or next to a SQLite database.
    pub fn data_key_path(&self) -> Option<PathBuf> {
        self.data_key_file.clone().or_else(|| {
            self.sqlite_path().map(|db| {
                let mut name = db.as_os_str().to_owned();
                name.push(".key");
                PathBuf::from(name)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(text: &str) -> (tempfile::NamedTempFile, Overrides) {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        let overrides = Overrides {
            config: Some(file.path().to_owned()),
            ..Overrides::default()
        };
        (file, overrides)
    }

    #[test]
    fn defaults_file_then_overrides() {
        let config = Config::load(&Overrides::default()).unwrap();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.data_key_path(), Some(PathBuf::from("tessera.db.key")));
        let (_file, mut overrides) = with_file("listen = \"127.0.0.1:9000\"\ndanger_test_mode = true\n");
        assert_eq!(Config::load(&overrides).unwrap().listen.to_string(), "127.0.0.1:9000");
        overrides.listen = Some("127.0.0.1:9001".into());
        let config = Config::load(&overrides).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9001");
        assert!(config.danger_test_mode);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let (_file, overrides) = with_file("listne = \"x\"\n");
        assert!(Config::load(&overrides).unwrap_err().0.contains("listne"));
        let bad = Overrides {
            listen: Some("nowhere".into()),
            ..Overrides::default()
        };
        assert!(Config::load(&bad).unwrap_err().0.starts_with("listen:"));
        let bad = Overrides {
            database: Some("mysql://x".into()),
            ..Overrides::default()
        };
        assert!(Config::load(&bad).unwrap_err().0.starts_with("database:"));
        let bad = Overrides {
            allowed_regions: Some("us-east-1,EU".into()),
            ..Overrides::default()
        };
        assert!(Config::load(&bad).unwrap_err().0.contains("'EU'"));
    }
}
