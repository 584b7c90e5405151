//! Console sign-in records (`cloudtrail.md` §3.3, §4): `ConsoleLogin` for each outcome of an
//! attempt and `CheckMfa` when the password step leads to MFA; `eventType` `AwsConsoleSignIn`.

use super::identity::{SignInPrincipal, UserIdentity};
use super::record::{AuditRecord, EventSource, EventType, RequestContext};
use super::redact::Member;
use crate::domain::mfa_device::DeviceKind;

/// How a sign-in attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleLoginOutcome<'a> {
    /// Signed in; `mfa_device` is the serial of the device that completed the sign-in.
    Success { mfa_device: Option<&'a str> },
    /// Refused at the password step: wrong password, unknown user, no login profile, throttled.
    PasswordFailure,
    /// The password was right and the MFA step failed; `device` is the FIDO device whose
    /// assertion failed, when it could be identified [Tessera extension].
    MfaFailure { device: Option<&'a str> },
}

fn sign_in_record(
    context: &RequestContext,
    principal: SignInPrincipal<'_>,
    signed_in: bool,
    event: &str,
) -> AuditRecord {
    AuditRecord::new(
        context,
        UserIdentity::sign_in(principal, signed_in),
        EventSource::SignIn,
        event,
        EventType::AwsConsoleSignIn,
        principal.account_id(),
    )
}

fn named(name: &str, value: &str) -> (String, Member) {
    (name.to_owned(), Member::text(value))
}

/// `ConsoleLogin`; `login_to` is the absolute URL of the console page the user was going to.
pub fn console_login(
    context: &RequestContext,
    principal: SignInPrincipal<'_>,
    login_to: &str,
    outcome: ConsoleLoginOutcome<'_>,
) -> AuditRecord {
    let signed_in = matches!(outcome, ConsoleLoginOutcome::Success { .. });
    let mut record = sign_in_record(context, principal, signed_in, "ConsoleLogin");
    let (mfa_used, mfa_identifier) = match outcome {
        ConsoleLoginOutcome::Success { mfa_device } => (mfa_device.is_some(), mfa_device),
        ConsoleLoginOutcome::PasswordFailure => (false, None),
        ConsoleLoginOutcome::MfaFailure { device } => (true, device),
    };
    // The casing AWS's published records use: "YES" for root, "Yes" for IAM users (§4.2).
    let mfa_used = match (mfa_used, principal) {
        (false, _) => "No",
        (true, SignInPrincipal::Root(_)) => "YES",
        (true, _) => "Yes",
    };
    let mut data = vec![named("LoginTo", login_to), named("MobileVersion", "No")];
    data.extend(mfa_identifier.map(|serial| named("MFAIdentifier", serial)));
    data.push(named("MFAUsed", mfa_used));
    record.additional_event_data = Some(Member::Structure(data));
    if !signed_in {
        record.error_message = Some(
            match principal {
                SignInPrincipal::UnknownUser(_) => "No username found in supplied account",
                SignInPrincipal::Root(_) | SignInPrincipal::User(_) => "Failed authentication",
            }
            .to_owned(),
        );
    }
    let result = if signed_in { "Success" } else { "Failure" };
    record.response_elements = Some(Member::Structure(vec![named("ConsoleLogin", result)]));
    record
}

/// `CheckMfa`, written when the password was right and the principal holds devices of the
/// given kinds; `None` when it holds none (no MFA step, no record).
pub fn check_mfa(
    context: &RequestContext,
    principal: SignInPrincipal<'_>,
    kinds: &[DeviceKind],
) -> Option<AuditRecord> {
    let first = kinds.first()?;
    let mfa_type = if kinds.iter().any(|kind| kind != first) {
        "Multiple MFA Devices"
    } else {
        match first {
            DeviceKind::Fido => "U2F MFA",
            DeviceKind::Virtual => "Virtual MFA",
            DeviceKind::Hardware => "Hardware MFA",
        }
    };
    let mut record = sign_in_record(context, principal, false, "CheckMfa");
    record.response_elements = Some(Member::Structure(vec![named("CheckMfa", "Success")]));
    record.additional_event_data = Some(Member::Structure(vec![named("MfaType", mfa_type)]));
    Some(record)
}
