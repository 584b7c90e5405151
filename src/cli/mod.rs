//! Command line: `serve`, `init`, `migrate`. Each verb calls the same store and domain code as
//! the API; none carries a second copy of a rule.

mod bootstrap;
mod mfa;
mod serve;

use crate::config::{AuditOverrides, Config, Overrides};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    about = "Self-hosted identity service speaking the AWS IAM and STS APIs"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the IAM/STS Query API (initialises and migrates the database first if needed).
    Serve(ServeArgs),
    /// Create the schema and the account on an empty database; print root credentials once.
    Init(StoreArgs),
    /// Apply pending database migrations.
    Migrate(StoreArgs),
    /// MFA administration.
    Mfa {
        #[command(subcommand)]
        command: MfaCommand,
    },
}

#[derive(Debug, Subcommand)]
enum MfaCommand {
    /// Import hardware TOTP tokens from a vendor seed file (PSKC or CSV) into an account's
    /// inventory; all or nothing.
    ImportHardware(ImportArgs),
}

#[derive(Debug, Args)]
struct ImportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The seed file: PSKC (RFC 6030) XML, or CSV `serial,seed_hex_or_base32,digits,period`.
    #[arg(long)]
    file: PathBuf,
    /// Force the format instead of detecting it.
    #[arg(long, value_parser = ["pskc", "csv"])]
    format: Option<String>,
    /// Account to import into (default: the account `init` created).
    #[arg(long)]
    account: Option<String>,
    /// Pre-shared AES key of an encrypted PSKC file, hex.
    #[arg(long, env = "TESSERA_IMPORT_KEY", conflicts_with = "passphrase")]
    pre_shared_key: Option<String>,
    /// Passphrase of a PBKDF2-protected PSKC file.
    #[arg(long, env = "TESSERA_IMPORT_PASSPHRASE")]
    passphrase: Option<String>,
    /// Prefix added to every serial (vendor serials shorter than 9 characters need one).
    #[arg(long)]
    serial_prefix: Option<String>,
    /// Replace tokens already imported with the same serial, if unassigned.
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    audit_region: AuditRegionArg,
}

#[derive(Debug, Args)]
struct StoreArgs {
    /// TOML configuration file.
    #[arg(long, env = "TESSERA_CONFIG")]
    config: Option<PathBuf>,
    /// `sqlite://PATH` (default `sqlite://tessera.db`) or `postgres://…`.
    #[arg(long, env = "TESSERA_DATABASE")]
    database: Option<String>,
    /// File holding the base64 data key (default for SQLite: the database path + `.key`).
    #[arg(long, env = "TESSERA_DATA_KEY_FILE")]
    data_key_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on (default 127.0.0.1:8900; port 0 picks a free port).
    #[arg(long, env = "TESSERA_LISTEN")]
    listen: Option<String>,
    /// DANGER: enables unauthenticated reset and clock control for test suites.
    #[arg(long, env = "TESSERA_DANGER_TEST_MODE", num_args = 0..=1, default_missing_value = "true")]
    danger_test_mode: Option<bool>,
    /// Comma-separated regions accepted in SigV4 credential scopes (default: any).
    #[arg(long, env = "TESSERA_ALLOWED_REGIONS")]
    allowed_regions: Option<String>,
    /// Issuer shown by authenticator apps for virtual MFA devices (default: Tessera).
    #[arg(long, env = "TESSERA_OTP_ISSUER")]
    otp_issuer: Option<String>,
    #[command(flatten)]
    audit: AuditArgs,
}

/// The region of the audit records a command writes.
#[derive(Debug, Args)]
struct AuditRegionArg {
    /// `awsRegion` of audit records and of log file names (default: us-east-1).
    #[arg(long, env = "TESSERA_AUDIT_REGION")]
    audit_region: Option<String>,
}

impl AuditRegionArg {
    fn overrides(&self) -> AuditOverrides {
        AuditOverrides {
            region: self.audit_region.clone(),
            ..AuditOverrides::default()
        }
    }
}

/// Audit log delivery and retention (`cloudtrail.md` §7, §8.4).
#[derive(Debug, Args)]
struct AuditArgs {
    /// Directory receiving CloudTrail log files under `AWSLogs/` (default: `audit`, relative to
    /// the working directory).
    #[arg(long, env = "TESSERA_AUDIT_LOG_DIR")]
    audit_log_dir: Option<PathBuf>,
    #[command(flatten)]
    region: AuditRegionArg,
    /// Days audit records stay in the database once delivered (default: 90).
    #[arg(long, env = "TESSERA_AUDIT_RETENTION_DAYS")]
    audit_retention_days: Option<u32>,
    /// Seconds between log file deliveries (default: 300).
    #[arg(long, env = "TESSERA_AUDIT_DELIVERY_INTERVAL")]
    audit_delivery_interval: Option<u32>,
    /// Pending records that trigger a delivery before the interval ends, and the most records
    /// one delivery round reads (default: 1000).
    #[arg(long, env = "TESSERA_AUDIT_DELIVERY_BATCH")]
    audit_delivery_batch: Option<u32>,
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client in audit records,
    /// comma-separated (default: none; records show the TCP peer).
    #[arg(long, env = "TESSERA_AUDIT_TRUSTED_PROXIES")]
    audit_trusted_proxies: Option<String>,
}

impl AuditArgs {
    fn overrides(&self) -> AuditOverrides {
        AuditOverrides {
            log_dir: self.audit_log_dir.clone(),
            retention_days: self.audit_retention_days,
            delivery_interval_seconds: self.audit_delivery_interval,
            delivery_batch: self.audit_delivery_batch,
            trusted_proxies: self.audit_trusted_proxies.clone(),
            ..self.region.overrides()
        }
    }
}

impl StoreArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            database: self.database.clone(),
            data_key_file: self.data_key_file.clone(),
            ..Overrides::default()
        }
    }
}

/// Runs the command line; the returned error is printed as one line by `main`.
pub fn run(cli: Cli) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start runtime: {e}"))?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => {
                let overrides = Overrides {
                    listen: args.listen.clone(),
                    danger_test_mode: args.danger_test_mode,
                    allowed_regions: args.allowed_regions.clone(),
                    otp_issuer: args.otp_issuer.clone(),
                    audit: args.audit.overrides(),
                    ..args.store.overrides()
                };
                let config = Config::load(&overrides).map_err(|e| e.to_string())?;
                serve::serve(config).await
            }
            Command::Init(args) => {
                let config = Config::load(&args.overrides()).map_err(|e| e.to_string())?;
                bootstrap::open_and_initialise(&config).await.map(|_| ())
            }
            Command::Mfa {
                command: MfaCommand::ImportHardware(args),
            } => {
                let overrides = Overrides {
                    audit: args.audit_region.overrides(),
                    ..args.store.overrides()
                };
                let config = Config::load(&overrides).map_err(|e| e.to_string())?;
                let format = args.format.as_deref().map(|f| match f {
                    "csv" => crate::mfa::import::ImportFormat::Csv,
                    _ => crate::mfa::import::ImportFormat::Pskc,
                });
                let request = mfa::ImportRequest {
                    file: args.file,
                    account: args.account,
                    format,
                    pre_shared_key_hex: args.pre_shared_key,
                    passphrase: args.passphrase,
                    serial_prefix: args.serial_prefix,
                    replace: args.replace,
                };
                mfa::import_hardware(&config, request).await
            }
            Command::Migrate(args) => {
                let config = Config::load(&args.overrides()).map_err(|e| e.to_string())?;
                bootstrap::open(&config).await.map(|_| {
                    println!("database is at the current schema version");
                })
            }
        }
    })
}
