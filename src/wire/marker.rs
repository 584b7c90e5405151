//! Opaque pagination markers (`wire-protocol.md` §7): the last returned sort key, bound by a
//! MAC to the account and operation so a marker cannot be forged or reused elsewhere.

use super::error::{ApiError, ErrorCode};
use hmac::{KeyInit, Mac};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;
const TAG_LEN: usize = 16;

pub struct MarkerKey([u8; 32]);

impl MarkerKey {
    pub fn new(key: [u8; 32]) -> Self {
        Self(key)
    }

    fn tag(&self, scope: &str, sort_key: &str) -> Option<Vec<u8>> {
        let mut mac = HmacSha256::new_from_slice(&self.0).ok()?;
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(sort_key.as_bytes());
        Some(mac.finalize().into_bytes().iter().take(TAG_LEN).copied().collect())
    }

    /// `scope` names the account and operation, e.g. `123456789012/ListUsers/`.
    pub fn encode(&self, scope: &str, sort_key: &str) -> String {
        let mut bytes = self.tag(scope, sort_key).unwrap_or_default();
        bytes.extend_from_slice(sort_key.as_bytes());
        data_encoding::BASE64URL_NOPAD.encode(&bytes)
    }

    pub fn decode(&self, scope: &str, marker: &str) -> Result<String, ApiError> {
        let invalid = || ApiError::new(ErrorCode::ValidationError, "Invalid Marker.");
        let bytes = data_encoding::BASE64URL_NOPAD
            .decode(marker.as_bytes())
            .map_err(|_| invalid())?;
        let (tag, key) = bytes.split_at_checked(TAG_LEN).ok_or_else(invalid)?;
        let key = std::str::from_utf8(key).map_err(|_| invalid())?;
        let expected = self.tag(scope, key).ok_or_else(invalid)?;
        if subtle::ConstantTimeEq::ct_eq(expected.as_slice(), tag).into() {
            Ok(key.to_owned())
        } else {
            Err(invalid())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_resist_forgery() {
        let key = MarkerKey::new([7; 32]);
        let marker = key.encode("1/ListUsers/", "bob");
        assert_eq!(key.decode("1/ListUsers/", &marker).unwrap(), "bob");
        assert!(key.decode("2/ListUsers/", &marker).is_err());
        assert!(key.decode("1/ListUsers/", "Ym9i").is_err());
        assert!(MarkerKey::new([8; 32]).decode("1/ListUsers/", &marker).is_err());
        assert!(key.decode("1/ListUsers/", "!!!").is_err());
    }
}
