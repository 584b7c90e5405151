//! Secret values as types: redacted `Debug`, no `Display`/`Serialize`, zeroized on drop,
//! constant-time equality, read only through `expose`. Sealing (AES-256-GCM) under the data key.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Fill `buf` from the operating system's CSPRNG.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), SecretError> {
    getrandom::fill(buf).map_err(|_| SecretError::Randomness)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the operating system's random source failed")]
    Randomness,
    #[error("sealed value could not be opened (wrong data key or corrupted record)")]
    Unseal,
    #[error("data key must be 32 bytes, base64-encoded")]
    BadDataKey,
}

/// Declares a secret string type. One definition serves every kind of secret text so none of
/// them can drift into printing itself.
macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: String) -> Self {
                Self(value)
            }
            /// The plaintext; call sites are where a secret leaves its type.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(redacted)"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
            }
        }
        impl Eq for $name {}
    };
}

secret_string!(
    /// An AWS secret access key (40 characters), long-term or session.
    SecretAccessKey
);
secret_string!(
    /// A plaintext password as received; hashed with Argon2id before storage.
    Password
);
secret_string!(
    /// An Argon2id PHC string; not reversible, but still never printed.
    PasswordHash
);
secret_string!(
    /// An STS session token.
    SessionToken
);

/// A TOTP key: the raw key bytes fed to HMAC, never its Base32 text (`otp.md` §3).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TotpSeed(Vec<u8>);

impl TotpSeed {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
    /// The key bytes; call sites are where a seed leaves its type.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for TotpSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSeed(redacted)")
    }
}

impl PartialEq for TotpSeed {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}
impl Eq for TotpSeed {}

/// The 256-bit key that seals secrets at rest.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(redacted)")
    }
}

const NONCE_LEN: usize = 12;

impl DataKey {
    pub fn generate() -> Result<Self, SecretError> {
        let mut key = [0u8; 32];
        random_bytes(&mut key)?;
        Ok(Self(key))
    }

    /// Parse the base64 text form (`TESSERA_DATA_KEY`, the key file).
    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        let mut bytes = data_encoding::BASE64
            .decode(text.trim().as_bytes())
            .map_err(|_| SecretError::BadDataKey)?;
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| SecretError::BadDataKey)?;
        bytes.zeroize();
        Ok(Self(key))
    }

    pub fn to_base64(&self) -> String {
        data_encoding::BASE64.encode(&self.0)
    }

    /// A key for another purpose (e.g. pagination-marker MACs), so the data key itself is
    /// used for one job only.
    pub fn derive(&self, purpose: &str) -> Result<[u8; 32], SecretError> {
        use hmac::{KeyInit as _, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0).map_err(|_| SecretError::BadDataKey)?;
        mac.update(purpose.as_bytes());
        Ok(mac.finalize().into_bytes().into())
    }

    /// Seal `plaintext`; `context` (e.g. the access key ID) is bound as associated data, so a
    /// sealed value copied onto another record does not open.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>, SecretError> {
        let cipher = Aes256Gcm::new(&self.0.into());
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce)?;
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .map_err(|_| SecretError::Unseal)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, SecretError> {
        let (nonce, body) = sealed.split_at_checked(NONCE_LEN).ok_or(SecretError::Unseal)?;
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SecretError::Unseal)?;
        Aes256Gcm::new(&self.0.into())
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .map_err(|_| SecretError::Unseal)
    }

    pub fn seal_text(&self, plaintext: &str, context: &[u8]) -> Result<Vec<u8>, SecretError> {
        self.seal(plaintext.as_bytes(), context)
    }

    pub fn open_text(&self, sealed: &[u8], context: &[u8]) -> Result<String, SecretError> {
        String::from_utf8(self.open(sealed, context)?).map_err(|_| SecretError::Unseal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let key = SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY".into());
        assert_eq!(format!("{key:?}"), "SecretAccessKey(redacted)");
        let data_key = DataKey::generate().unwrap();
        assert_eq!(format!("{data_key:?}"), "DataKey(redacted)");
        assert_eq!(
            format!("{:?}", TotpSeed::new(b"12345678901234567890".to_vec())),
            "TotpSeed(redacted)"
        );
    }

    #[test]
    fn sealed_values_open_only_with_key_and_context() {
        let key = DataKey::generate().unwrap();
        let sealed = key.seal_text("top secret", b"AKIA1").unwrap();
        assert!(!sealed.windows(10).any(|w| w == b"top secret"));
        assert_eq!(key.open_text(&sealed, b"AKIA1").unwrap(), "top secret");
        assert_eq!(key.open_text(&sealed, b"AKIA2"), Err(SecretError::Unseal));
        let other = DataKey::generate().unwrap();
        assert_eq!(other.open_text(&sealed, b"AKIA1"), Err(SecretError::Unseal));
        assert_eq!(key.open_text(&sealed[..5], b"AKIA1"), Err(SecretError::Unseal));
    }

    #[test]
    fn data_key_round_trips_through_base64() {
        let key = DataKey::generate().unwrap();
        let again = DataKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(key.derive("x").unwrap(), again.derive("x").unwrap());
        assert_eq!(DataKey::from_base64("c2hvcnQ=").unwrap_err(), SecretError::BadDataKey);
    }

    #[test]
    fn equality_compares_contents() {
        assert_eq!(Password::new("a".into()), Password::new("a".into()));
        assert_ne!(Password::new("a".into()), Password::new("b".into()));
        assert_eq!(TotpSeed::new(vec![1, 2]), TotpSeed::new(vec![1, 2]));
        assert_ne!(TotpSeed::new(vec![1, 2]), TotpSeed::new(vec![1, 3]));
        assert_ne!(TotpSeed::new(vec![1, 2]), TotpSeed::new(vec![1, 2, 0]));
    }
}
