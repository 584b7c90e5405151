//! `tessera mfa import-hardware`: adds hardware TOTP tokens from a vendor seed file (PSKC or
//! CSV) to an account's inventory, all or nothing (`otp.md` §8). Only imported serials can be
//! enabled (SR-07).

use super::bootstrap;
use crate::api::audit_entry;
use crate::audit;
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::AccountId;
use crate::domain::mfa_device::seed_context;
use crate::mfa::import::{self, ImportError, ImportFormat, ImportOptions};
use crate::mfa::totp::TotpParams;
use crate::store::{self, NewHardwareToken};
use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub struct ImportRequest {
    pub file: PathBuf,
    pub account: Option<String>,
    pub format: Option<ImportFormat>,
    pub pre_shared_key_hex: Option<String>,
    pub passphrase: Option<String>,
    pub serial_prefix: Option<String>,
    pub replace: bool,
}

pub async fn import_hardware(config: &Config, request: ImportRequest) -> Result<(), String> {
    let file = request.file.display().to_string();
    let size = std::fs::metadata(&request.file)
        .map_err(|e| format!("{file}: {e}"))?
        .len();
    if size > import::MAX_FILE_BYTES as u64 {
        return Err(format!("{file}: larger than 10 MiB"));
    }
    let bytes = std::fs::read(&request.file).map_err(|e| format!("{file}: {e}"))?;
    let (store, data_key) = bootstrap::open_initialised(config).await?;
    let account = match &request.account {
        Some(text) => AccountId::parse(text).ok_or("--account: expected a 12-digit account ID")?,
        None => {
            store
                .first_account()
                .await
                .map_err(|e| format!("database: {e}"))?
                .ok_or("database: no account")?
                .id
        }
    };
    if store
        .account(&account)
        .await
        .map_err(|e| format!("database: {e}"))?
        .is_none()
    {
        return Err(format!("--account: no account {} in this database", account.as_str()));
    }
    let now = Clock::system().now();
    let options = ImportOptions {
        pre_shared_key_hex: request.pre_shared_key_hex,
        passphrase: request.passphrase,
        serial_prefix: request.serial_prefix,
        now_unix: now.unix_timestamp(),
    };
    let format = request.format.unwrap_or_else(|| ImportFormat::detect(&bytes));
    let report = match import::parse(&bytes, format, &options) {
        Ok(report) => report,
        Err(ImportError::Rejected(failures)) => {
            for failure in &failures {
                eprintln!("tessera: {file}: {}", failure.describe(format));
            }
            return Err(format!(
                "{file}: {} item(s) refused; nothing was imported",
                failures.len()
            ));
        }
        Err(other) => return Err(format!("{file}: {other}; nothing was imported")),
    };
    for warning in &report.warnings {
        eprintln!("tessera: warning: {warning}");
    }
    let mut tokens = Vec::with_capacity(report.tokens.len());
    for token in &report.tokens {
        let sealed_seed = data_key
            .seal(token.seed.expose(), &seed_context(&account, &token.serial))
            .map_err(|e| e.to_string())?;
        tokens.push(NewHardwareToken {
            serial: token.serial.clone(),
            sealed_seed,
            params: TotpParams {
                algorithm: token.algorithm,
                digits: token.digits,
                period: token.period,
            },
            drift: token.drift,
            manufacturer: token.manufacturer.clone(),
            model: token.model.clone(),
            not_before: token.not_before,
            not_after: token.not_after,
        });
    }
    let imported: Vec<String> = report.tokens.iter().map(|token| token.serial.clone()).collect();
    let record = audit::hardware_token_import(
        &audit::RequestContext {
            event_time: now,
            event_id: uuid::Uuid::new_v4(),
            region: config.audit.region.clone(),
            source_ip: String::new(),
            user_agent: String::new(),
            tls: None,
        },
        &account,
        audit::TokenImport {
            file_sha256: &HEXLOWER.encode(&Sha256::digest(&bytes)),
            protection: report.protection,
            serial_prefix: options.serial_prefix.as_deref(),
            imported: &imported,
            // The import is all or nothing: an accepted file has no rejected entry.
            rejected: &[],
        },
    );
    // The record is stored in the import's own transaction (`cloudtrail.md` §1).
    let import = store.import_hardware_tokens(&account, tokens, request.replace, now);
    let (count, _) = store::with_pending_record(audit_entry(&record, None, None, Vec::new()), import).await;
    let count = count.map_err(|e| {
        format!(
            "{file}: {}; nothing was imported",
            crate::wire::ApiError::from(e).message.trim_end_matches('.')
        )
    })?;
    for token in &report.tokens {
        println!("imported {}", token.serial);
    }
    println!("{count} hardware token(s) imported into account {}", account.as_str());
    Ok(())
}
