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
//! The `[audit]` table (`cloudtrail.md` §7, §8.4):
//!
//! | key (`[audit]`)             | flag                        | environment                       | default     |
//! |-----------------------------|-----------------------------|-----------------------------------|-------------|
//! | `log_dir`                   | `--audit-log-dir`           | `TESSERA_AUDIT_LOG_DIR`           | `audit`     |
//! | `region`                    | `--audit-region`            | `TESSERA_AUDIT_REGION`            | `us-east-1` |
//! | `retention_days`            | `--audit-retention-days`    | `TESSERA_AUDIT_RETENTION_DAYS`    | `90`        |
//! | `delivery_interval_seconds` | `--audit-delivery-interval` | `TESSERA_AUDIT_DELIVERY_INTERVAL` | `300`       |
//! | `delivery_batch`            | `--audit-delivery-batch`    | `TESSERA_AUDIT_DELIVERY_BATCH`    | `1000`      |
//! | `trusted_proxies`           | `--audit-trusted-proxies`   | `TESSERA_AUDIT_TRUSTED_PROXIES`   | none        |
//!
//! `log_dir` is relative to the working directory unless absolute; `region` is the `awsRegion`
//! of every record and a path component of every log file.
//!
//! The data key itself may also come from `TESSERA_DATA_KEY` (base64 of 32 bytes).

use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8900";
pub const DEFAULT_DATABASE: &str = "sqlite://tessera.db";
pub const DEFAULT_AUDIT_LOG_DIR: &str = "audit";
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
pub const DEFAULT_DELIVERY_INTERVAL_SECONDS: u32 = 300;
pub const DEFAULT_DELIVERY_BATCH: u32 = 1000;
/// A delivery round holds one batch of records in memory.
pub const MAX_DELIVERY_BATCH: u32 = 100_000;

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
    pub audit: AuditOverrides,
}

/// The `[audit]` values given on the command line or in the environment.
#[derive(Debug, Default, Clone)]
pub struct AuditOverrides {
    pub log_dir: Option<PathBuf>,
    pub region: Option<String>,
    pub retention_days: Option<u32>,
    pub delivery_interval_seconds: Option<u32>,
    pub delivery_batch: Option<u32>,
    /// Comma-separated addresses.
    pub trusted_proxies: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAudit {
    log_dir: Option<PathBuf>,
    region: Option<String>,
    retention_days: Option<u32>,
    delivery_interval_seconds: Option<u32>,
    delivery_batch: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
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
    audit: Option<FileAudit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: String,
    pub data_key_file: Option<PathBuf>,
    pub danger_test_mode: bool,
    pub allowed_regions: Option<Vec<String>>,
    pub otp_issuer: String,
    pub audit: AuditConfig,
}

/// Where audit records are delivered and how long the database keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    pub log_dir: PathBuf,
    pub region: String,
    pub retention_days: u32,
    pub delivery_interval_seconds: u32,
    pub delivery_batch: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`cloudtrail.md` §2.1).
    pub trusted_proxies: Vec<IpAddr>,
}

impl AuditConfig {
    fn load(overrides: &AuditOverrides, file: FileAudit) -> Result<Self, ConfigError> {
        let region = overrides
            .region
            .clone()
            .or(file.region)
            .unwrap_or_else(|| crate::api::DEFAULT_AUDIT_REGION.into());
        if !valid_region(&region) {
            return Err(ConfigError(format!("audit.region: '{region}' is not a region name")));
        }
        let at_least_one = |key: &str, value: u32| {
            if value == 0 {
                Err(ConfigError(format!("audit.{key}: must be at least 1")))
            } else {
                Ok(value)
            }
        };
        let delivery_batch = at_least_one(
            "delivery_batch",
            overrides
                .delivery_batch
                .or(file.delivery_batch)
                .unwrap_or(DEFAULT_DELIVERY_BATCH),
        )?;
        if delivery_batch > MAX_DELIVERY_BATCH {
            return Err(ConfigError(format!(
                "audit.delivery_batch: must be at most {MAX_DELIVERY_BATCH}"
            )));
        }
        let proxies: Vec<String> = match &overrides.trusted_proxies {
            Some(list) => list
                .split(',')
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
            None => file.trusted_proxies.unwrap_or_default(),
        };
        let trusted_proxies = proxies
            .iter()
            .map(|p| {
                p.parse::<IpAddr>()
                    .map_err(|_| ConfigError(format!("audit.trusted_proxies: '{p}' is not an IP address")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            trusted_proxies,
            log_dir: overrides
                .log_dir
                .clone()
                .or(file.log_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_AUDIT_LOG_DIR)),
            region,
            retention_days: at_least_one(
                "retention_days",
                overrides
                    .retention_days
                    .or(file.retention_days)
                    .unwrap_or(DEFAULT_RETENTION_DAYS),
            )?,
            delivery_interval_seconds: at_least_one(
                "delivery_interval_seconds",
                overrides
                    .delivery_interval_seconds
                    .or(file.delivery_interval_seconds)
                    .unwrap_or(DEFAULT_DELIVERY_INTERVAL_SECONDS),
            )?,
            delivery_batch,
        })
    }
}

/// A one-line start-up error naming the offending key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Region names as AWS spells them (`us-east-1`); also safe as a path component.
pub fn valid_region(region: &str) -> bool {
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
        let audit = AuditConfig::load(&overrides.audit, file.audit.unwrap_or_default())?;
        Ok(Self {
            audit,
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

    #[test]
    fn audit_defaults_file_then_overrides() {
        let audit = Config::load(&Overrides::default()).unwrap().audit;
        assert_eq!(
            audit,
            AuditConfig {
                log_dir: PathBuf::from("audit"),
                region: "us-east-1".into(),
                retention_days: 90,
                delivery_interval_seconds: 300,
                delivery_batch: 1000,
                trusted_proxies: Vec::new(),
            }
        );
        let (_file, mut overrides) = with_file(
            "[audit]\nlog_dir = \"/var/log/tessera\"\nregion = \"eu-west-1\"\nretention_days = 7\n\
             delivery_interval_seconds = 60\ndelivery_batch = 10\ntrusted_proxies = [\"10.0.0.2\", \"::1\"]\n",
        );
        let audit = Config::load(&overrides).unwrap().audit;
        assert_eq!(
            audit,
            AuditConfig {
                log_dir: PathBuf::from("/var/log/tessera"),
                region: "eu-west-1".into(),
                retention_days: 7,
                delivery_interval_seconds: 60,
                delivery_batch: 10,
                trusted_proxies: vec!["10.0.0.2".parse().unwrap(), "::1".parse().unwrap()],
            }
        );
        overrides.audit = AuditOverrides {
            log_dir: Some("elsewhere".into()),
            region: Some("ap-south-2".into()),
            retention_days: Some(1),
            delivery_interval_seconds: Some(1),
            delivery_batch: Some(1),
            trusted_proxies: Some(" 127.0.0.1 ,".into()),
        };
        let audit = Config::load(&overrides).unwrap().audit;
        assert_eq!(
            audit,
            AuditConfig {
                log_dir: PathBuf::from("elsewhere"),
                region: "ap-south-2".into(),
                retention_days: 1,
                delivery_interval_seconds: 1,
                delivery_batch: 1,
                trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            }
        );
    }

    #[test]
    fn bad_audit_values_are_named() {
        let refused = |audit: AuditOverrides| {
            Config::load(&Overrides {
                audit,
                ..Overrides::default()
            })
            .unwrap_err()
            .0
        };
        let message = refused(AuditOverrides {
            region: Some("../etc".into()),
            ..AuditOverrides::default()
        });
        assert_eq!(message, "audit.region: '../etc' is not a region name");
        let message = refused(AuditOverrides {
            retention_days: Some(0),
            ..AuditOverrides::default()
        });
        assert_eq!(message, "audit.retention_days: must be at least 1");
        let message = refused(AuditOverrides {
            delivery_interval_seconds: Some(0),
            ..AuditOverrides::default()
        });
        assert_eq!(message, "audit.delivery_interval_seconds: must be at least 1");
        let message = refused(AuditOverrides {
            delivery_batch: Some(0),
            ..AuditOverrides::default()
        });
        assert_eq!(message, "audit.delivery_batch: must be at least 1");
        let message = refused(AuditOverrides {
            trusted_proxies: Some("10.0.0.1,proxy.internal".into()),
            ..AuditOverrides::default()
        });
        assert_eq!(message, "audit.trusted_proxies: 'proxy.internal' is not an IP address");
        let message = refused(AuditOverrides {
            delivery_batch: Some(MAX_DELIVERY_BATCH + 1),
            ..AuditOverrides::default()
        });
        assert_eq!(message, "audit.delivery_batch: must be at most 100000");
        let (_file, overrides) = with_file("[audit]\nretention = 5\n");
        assert!(Config::load(&overrides).unwrap_err().0.contains("retention"));
    }
}
