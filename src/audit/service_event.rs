//! The operator's hardware-token seed import (`cloudtrail.md` §3.5) [Tessera]: `eventType`
//! `AwsServiceEvent`, one record per account the file imported into. Never seeds, keys or
//! passphrases: only the file's hash and what happened to each entry.

use super::identity::UserIdentity;
use super::record::{AuditRecord, EventSource, EventType, RequestContext};
use super::redact::Member;
use crate::domain::AccountId;
use crate::mfa::import::{PackageFailure, SeedProtection};

const TOKEN_IMPORT_EVENT: &str = "ImportHardwareMFATokens";
/// Stands for the operator as `invokedBy`, `sourceIPAddress` and `userAgent`.
pub(super) const OPERATOR: &str = "tessera-admin";

/// One import, as seen by one account.
#[derive(Clone, Copy, Debug)]
pub struct TokenImport<'a> {
    /// Hex SHA-256 of the file.
    pub file_sha256: &'a str,
    pub protection: SeedProtection,
    pub serial_prefix: Option<&'a str>,
    /// Serials imported into this account.
    pub imported: &'a [String],
    pub rejected: &'a [PackageFailure],
}

fn named(name: &str, value: Member) -> (String, Member) {
    (name.to_owned(), value)
}

pub fn hardware_token_import(context: &RequestContext, account: &AccountId, import: TokenImport<'_>) -> AuditRecord {
    let operator_context = RequestContext {
        source_ip: OPERATOR.to_owned(),
        user_agent: OPERATOR.to_owned(),
        tls: None,
        ..context.clone()
    };
    let mut record = AuditRecord::new(
        &operator_context,
        UserIdentity::operator(),
        EventSource::Iam,
        TOKEN_IMPORT_EVENT,
        EventType::AwsServiceEvent,
        account,
    );
    record.request_parameters = Some(Member::Structure(vec![
        named("fileSha256", Member::text(import.file_sha256)),
        named("encryption", Member::text(import.protection.as_str())),
        named("serialPrefix", import.serial_prefix.map_or(Member::Null, Member::text)),
    ]));
    let rejected = import.rejected.iter().map(|failure| {
        Member::Structure(vec![
            named(
                "index",
                Member::Integer(i64::try_from(failure.index).unwrap_or(i64::MAX)),
            ),
            named("serial", failure.serial.as_deref().map_or(Member::Null, Member::text)),
            named("reason", Member::text(&failure.reason)),
        ])
    });
    record.response_elements = Some(Member::Structure(vec![
        named(
            "imported",
            Member::List(import.imported.iter().map(Member::text).collect()),
        ),
        named("rejected", Member::List(rejected.collect())),
    ]));
    record.service_event_details = Some(Member::Structure(vec![named(
        TOKEN_IMPORT_EVENT,
        Member::text("Success"),
    )]));
    record
}
