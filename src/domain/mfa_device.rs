//! MFA devices (`iam-mfa.md` §0.1, §1): kinds, serials, ownership and the limits.
//!
//! ```text
//!  virtual:  CreateVirtualMFADevice ──► Unassigned ──EnableMFADevice──► Assigned
//!                       ▲                   │  ▲                            │
//!      DeleteVirtual ◄──┘                   │  └────DeactivateMFADevice─────┘
//!  hardware: import ──► Unassigned (inventory) ⇄ Assigned (same transitions, never deleted by IAM)
//!  FIDO:     console registration ──► Assigned ──Deactivate──► deleted
//! ```

use super::entities::{Owner, Tag};
use super::ids::AccountId;
use time::OffsetDateTime;

/// Assigned devices per principal, all kinds together (SR-01, `iam-mfa.md` §1.4).
pub const DEVICES_PER_PRINCIPAL: i64 = 8;
/// Virtual devices per account, assigned or not (= the user quota).
pub const VIRTUAL_DEVICES_PER_ACCOUNT: i64 = 5000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    Virtual,
    Hardware,
    Fido,
}

impl DeviceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Virtual => "virtual",
            Self::Hardware => "hardware",
            Self::Fido => "fido",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Virtual, Self::Hardware, Self::Fido]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A device as listed: who holds it and since when. Seeds never leave the store this way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaDevice {
    pub serial: String,
    pub kind: DeviceKind,
    /// `None` while unassigned.
    pub owner: Option<Owner>,
    pub enabled_at: Option<OffsetDateTime>,
    pub tags: Vec<Tag>,
}

/// The serial (= ARN) of a virtual device (`iam-mfa.md` §0.1).
pub fn virtual_serial(account: &AccountId, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{}:mfa{}{}", account.as_str(), path, name)
}

/// What a device's sealed seed is bound to: its account and serial (`otp.md` §3), so a sealed
/// seed copied onto another device does not open.
pub fn seed_context(account: &AccountId, serial: &str) -> Vec<u8> {
    format!("{}/{serial}", account.as_str()).into_bytes()
}

/// FIDO serials can never be enabled through the API nor passed to STS (SR-25, SR-26).
pub fn is_fido_serial(serial: &str) -> bool {
    serial.starts_with("arn:") && serial.contains(":u2f/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials() {
        let account = AccountId::parse("123456789012").unwrap();
        assert_eq!(
            virtual_serial(&account, "/team/", "ops-1"),
            "arn:aws:iam::123456789012:mfa/team/ops-1"
        );
        assert!(is_fido_serial(
            "arn:aws:iam::123456789012:u2f/user/bob/yubikey-7XNL7NFNLZ3Q2B5HV4KD6MEXAM"
        ));
        assert!(!is_fido_serial("arn:aws:iam::123456789012:mfa/bob-phone"));
        assert!(!is_fido_serial("GAHT12345678"));
        assert_eq!(DeviceKind::parse("hardware"), Some(DeviceKind::Hardware));
    }
}
