//! Hardware-token seed import (`otp.md` §8): a vendor's PSKC file (RFC 6030, plain or
//! encrypted) or a simple CSV becomes validated [`HardwareToken`]s.
//!
//! Pure: bytes and [`ImportOptions`] in, tokens or a refusal out. No store, no I/O, no clock
//! (the caller passes `now_unix`). May not use `store`, `api`, `app`, `cli`.
//!
//! ```text
//! bytes ─ size ≤ 10 MiB ─┬─ pskc: XML (no DTD) → container key → MAC key → KeyPackage → Candidate
//!                        └─ csv:  line → Candidate
//! Candidates ─ duplicate serials (rule 9) ─ accept (§8.5) ─┬─ all pass → ImportReport
//!                                                          └─ any fail → Rejected(every failure)
//! ```
//! All-or-nothing (§8.5): every entry is read, decrypted and checked before anything is
//! returned; one failure refuses the whole file. Messages never carry seed or key material.

mod accept;
mod crypto;
mod csv;
mod package;
mod protection;
mod pskc;
mod value;
mod xml;

use std::collections::HashMap;

/// Largest file accepted (`otp.md` §8.1).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Most key packages (or CSV records) in one file (`otp.md` §8.1).
pub const MAX_ENTRIES: usize = 10_000;

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// PSKC, RFC 6030.
    Pskc,
    /// `serial,seed_hex_or_base32,digits,period`, one token per line.
    Csv,
}

impl ImportFormat {
    /// XML (hence PSKC) if the first byte after a UTF-8 byte-order mark and whitespace is `<`.
    pub fn detect(bytes: &[u8]) -> ImportFormat {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => ImportFormat::Pskc,
            _ => ImportFormat::Csv,
        }
    }

    /// What one entry of this format is called in messages.
    pub fn entry_noun(self) -> &'static str {
        match self {
            ImportFormat::Pskc => "KeyPackage",
            ImportFormat::Csv => "line",
        }
    }
}

/// What the operator supplies besides the file.
#[derive(Clone, Default)]
pub struct ImportOptions {
    /// Container key for `EncryptionKey/ds:KeyName` files: 32, 48 or 64 hex digits.
    pub pre_shared_key_hex: Option<String>,
    /// Passphrase for PBKDF2 (`xenc11:DerivedKey`) files, used as UTF-8 bytes.
    pub passphrase: Option<String>,
    /// Put in front of every serial in the file (`otp.md` §8.5 rule 8), e.g. `ACME-0`.
    pub serial_prefix: Option<String>,
    /// Now, in unix seconds, for expiry checks.
    pub now_unix: i64,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = |o: &Option<String>| if o.is_some() { "Some(redacted)" } else { "None" };
        f.debug_struct("ImportOptions")
            .field("pre_shared_key_hex", &given(&self.pre_shared_key_hex))
            .field("passphrase", &given(&self.passphrase))
            .field("serial_prefix", &self.serial_prefix)
            .field("now_unix", &self.now_unix)
            .finish()
    }
}

/// One accepted token, ready to be sealed and stored (`otp.md` §8.5 rule 11).
#[derive(Debug, Clone)]
pub struct HardwareToken {
    /// Serial after the operator's prefix; fits `serialNumberType`.
    pub serial: String,
    pub seed: crate::secret::TotpSeed,
    pub algorithm: crate::mfa::totp::HashAlgorithm,
    /// Always 6 after acceptance.
    pub digits: u32,
    /// 30 or 60 seconds.
    pub period: u32,
    /// Initial drift in steps, from `TimeDrift`; `|drift| <= 120`.
    pub drift: i64,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub issuer: Option<String>,
    /// `Key @Id`.
    pub key_id: Option<String>,
    /// Unix seconds from `StartDate` (the later of `DeviceInfo` and `Policy`).
    pub not_before: Option<i64>,
    /// Unix seconds from `ExpiryDate` (the earlier of `DeviceInfo` and `Policy`).
    pub not_after: Option<i64>,
}

/// How the seeds in the file were protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedProtection {
    None,
    PreSharedKey,
    Pbkdf2,
}

impl SeedProtection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::PreSharedKey => "pre-shared-key",
            Self::Pbkdf2 => "pbkdf2",
        }
    }
}

/// The result of an accepted file.
#[derive(Debug)]
pub struct ImportReport {
    pub tokens: Vec<HardwareToken>,
    pub protection: SeedProtection,
    /// Things the operator should know, e.g. plaintext seeds, `ds:Signature` not verified.
    pub warnings: Vec<String>,
}

/// Why one entry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFailure {
    /// 1-based `KeyPackage` index (PSKC) or line number (CSV).
    pub index: usize,
    /// The serial as written in the file (before any prefix), when there is one.
    pub serial: Option<String>,
    /// Every problem found, joined with "; ". Never contains seed material.
    pub reason: String,
}

impl PackageFailure {
    /// "KeyPackage 3 (serial 9999999): …" or "line 3 (serial …): …".
    pub fn describe(&self, format: ImportFormat) -> String {
        format!("{} {self}", format.entry_noun())
    }
}

impl std::fmt::Display for PackageFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.serial {
            Some(serial) => write!(f, "{} (serial {}): {}", self.index, xml::shown(serial), self.reason),
            None => write!(f, "{}: {}", self.index, self.reason),
        }
    }
}

/// Why a file was refused. Whatever the variant, nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes (10 MiB)")]
    TooLarge { size: usize },
    #[error("the file holds {count} tokens; the limit is {MAX_ENTRIES} per file")]
    TooManyEntries { count: usize },
    #[error("the file holds no tokens")]
    Empty,
    #[error("the file is not UTF-8 text")]
    NotUtf8,
    #[error("the file has a document type declaration (DOCTYPE); DTDs and entities are refused")]
    Dtd,
    #[error("the file is not well-formed XML: {0}")]
    Xml(String),
    #[error("not a PSKC file: {0}")]
    NotPskc(String),
    #[error("the file is encrypted with a pre-shared key ({key_name}); supply it as hex")]
    PreSharedKeyRequired { key_name: String },
    #[error("the file is encrypted with a key derived from a passphrase; supply the passphrase")]
    PassphraseRequired,
    #[error("the pre-shared key must be 32, 48 or 64 hex digits")]
    BadPreSharedKey,
    #[error("unsupported key protection: {0}")]
    UnsupportedProtection(String),
    #[error("the file has encrypted values but no MACMethod, so they cannot be authenticated")]
    MissingMac,
    #[error("MACMethod cannot be used: {0}")]
    MacKey(String),
    #[error("wrong key: the MAC key does not decrypt with this pre-shared key or passphrase")]
    WrongKey,
    #[error("{}", rejected_summary(.0))]
    Rejected(Vec<PackageFailure>),
}

fn rejected_summary(failures: &[PackageFailure]) -> String {
    let listed: Vec<String> = failures.iter().map(|f| format!("#{f}")).collect();
    format!(
        "{} of the file's entries failed, so nothing was imported: {}",
        failures.len(),
        listed.join(" | ")
    )
}

/// Read, decrypt and validate every token in `bytes`; all of them, or an error and none.
pub fn parse(bytes: &[u8], format: ImportFormat, options: &ImportOptions) -> Result<ImportReport, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { size: bytes.len() });
    }
    let (candidates, warnings, protection) = match format {
        ImportFormat::Pskc => {
            let decoded = pskc::decode(bytes, options)?;
            let protection = decoded
                .keys
                .as_ref()
                .map_or(SeedProtection::None, |keys| keys.protection);
            (decoded.candidates, decoded.warnings, protection)
        }
        ImportFormat::Csv => {
            let (candidates, warnings) = csv::read(bytes)?;
            (candidates, warnings, SeedProtection::None)
        }
    };
    let tokens = finish(candidates, format, options)?;
    Ok(ImportReport {
        tokens,
        protection,
        warnings,
    })
}

/// Duplicate serials (rule 9), then the per-entry rules; any failure refuses the file.
fn finish(
    candidates: Vec<accept::Candidate>,
    format: ImportFormat,
    options: &ImportOptions,
) -> Result<Vec<HardwareToken>, ImportError> {
    let prefix = options.serial_prefix.as_deref().unwrap_or("");
    let mut by_serial: HashMap<&str, Vec<usize>> = HashMap::new();
    for c in &candidates {
        if let Some(serial) = &c.serial {
            by_serial.entry(serial.as_str()).or_default().push(c.index);
        }
    }
    let duplicates: HashMap<usize, String> = by_serial
        .values()
        .filter(|indexes| indexes.len() > 1)
        .flat_map(|indexes| {
            indexes.iter().map(move |&index| {
                let others: Vec<String> = indexes.iter().filter(|&&i| i != index).map(usize::to_string).collect();
                (index, others.join(", "))
            })
        })
        .collect();

    let mut tokens = Vec::with_capacity(candidates.len());
    let mut failures = Vec::new();
    for mut candidate in candidates {
        let index = candidate.index;
        let serial = candidate.serial.clone();
        if let Some(others) = duplicates.get(&index) {
            candidate.problems.push(format!(
                "duplicate serial: also used by {} {others}",
                format.entry_noun()
            ));
        }
        match accept::accept(candidate, prefix, options.now_unix) {
            Ok(token) => tokens.push(token),
            Err(problems) => failures.push(PackageFailure {
                index,
                serial,
                reason: problems.join("; "),
            }),
        }
    }
    if failures.is_empty() {
        Ok(tokens)
    } else {
        Err(ImportError::Rejected(failures))
    }
}

#[cfg(test)]
mod tests;
