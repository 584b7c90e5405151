//! The `otpauth://` key URI that authenticator apps scan (`otp.md` §4).
//!
//! The URI carries the seed in Base32: it is as secret as the seed and is shown once only.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::base32;
use crate::secret::TotpSeed;

/// Everything but RFC 3986's unreserved characters is percent-encoded in each label part and
/// parameter value: a space becomes `%20`, never `+`; `:`, `@`, `/`, `?`, `#`, `&`, `%`, `+`
/// and non-ASCII bytes are escaped, so the `ISSUER:` prefix and the `@ACCOUNT` suffix stay
/// unambiguous (`otp.md` §4.1).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Tessera's URI for a virtual device (`otp.md` §4.3):
/// `otpauth://totp/ISSUER:DEVICENAME@ACCOUNT?secret=BASE32&issuer=ISSUER`.
///
/// `account_label` is the account alias if one is set, else the 12-digit account ID. The
/// algorithm, digits and period parameters are omitted: virtual devices use the defaults
/// (SHA-1, 6, 30 s), which some apps ignore anyway (`otp.md` §4.1).
pub fn virtual_device_uri(issuer: &str, device_name: &str, account_label: &str, seed: &TotpSeed) -> String {
    let issuer = utf8_percent_encode(issuer, COMPONENT);
    let device_name = utf8_percent_encode(device_name, COMPONENT);
    let account_label = utf8_percent_encode(account_label, COMPONENT);
    let secret = base32::encode(seed.expose());
    format!("otpauth://totp/{issuer}:{device_name}@{account_label}?secret={secret}&issuer={issuer}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_seed() -> TotpSeed {
        TotpSeed::new(base32::decode("JBSWY3DPEHPK3PXP").unwrap())
    }

    /// The example of `otp.md` §4.3, byte for byte.
    #[test]
    fn spec_example() {
        assert_eq!(
            virtual_device_uri("Tessera", "alice-phone", "111122223333", &example_seed()),
            "otpauth://totp/Tessera:alice-phone@111122223333?secret=JBSWY3DPEHPK3PXP&issuer=Tessera"
        );
    }

    #[test]
    fn awkward_characters_are_percent_encoded() {
        let uri = virtual_device_uri("Acme Corp & Co", "bob+work=1,a.b@c_d-e", "my-alias", &example_seed());
        assert_eq!(
            uri,
            "otpauth://totp/Acme%20Corp%20%26%20Co:bob%2Bwork%3D1%2Ca.b%40c_d-e@my-alias\
             ?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Corp%20%26%20Co"
        );
        let uri = virtual_device_uri("Ünï:c/o?#%", "x", "y", &example_seed());
        assert!(
            uri.starts_with("otpauth://totp/%C3%9Cn%C3%AF%3Ac%2Fo%3F%23%25:x@y?"),
            "{uri}"
        );
        assert!(!uri.contains('+'));
    }

    #[test]
    fn virtual_seeds_give_64_character_secrets() {
        let seed = crate::mfa::totp::generate_virtual_seed().unwrap();
        let uri = virtual_device_uri("Tessera", "d", "111122223333", &seed);
        let secret = uri.split("secret=").nth(1).unwrap().split('&').next().unwrap();
        assert_eq!(secret.len(), 64);
        assert_eq!(base32::decode(secret).unwrap(), seed.expose());
    }
}
