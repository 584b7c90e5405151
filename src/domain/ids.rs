//! Identifiers and their formats (`spec/README.md`, Constants).

use crate::secret::{SecretAccessKey, SecretError, random_bytes};

/// The 32 characters AWS uses in user IDs and access key IDs (`[A-Z2-7]`).
const ID_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Secret access keys: 40 characters of `[A-Za-z0-9+/]`.
const SECRET_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_text(prefix: &str, len: usize, alphabet: &[u8]) -> Result<String, SecretError> {
    let mut bytes = vec![0u8; len];
    random_bytes(&mut bytes)?;
    let mut out = String::with_capacity(prefix.len() + len);
    out.push_str(prefix);
    // Both alphabets have a power-of-two size, so masking keeps the choice uniform.
    let mask = alphabet.len() - 1;
    out.extend(
        bytes
            .iter()
            .filter_map(|b| alphabet.get(usize::from(*b) & mask))
            .map(|c| char::from(*c)),
    );
    Ok(out)
}

fn is_id_text(text: &str, prefix: &str, len: usize) -> bool {
    text.len() == prefix.len() + len
        && text.starts_with(prefix)
        && text.bytes().skip(prefix.len()).all(|b| ID_ALPHABET.contains(&b))
}

/// A 12-digit AWS account ID.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);

impl AccountId {
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())).then(|| Self(text.to_owned()))
    }
    pub fn generate() -> Result<Self, SecretError> {
        let mut bytes = [0u8; 12];
        random_bytes(&mut bytes)?;
        // First digit non-zero so the ID never looks shorter than 12 digits in tools.
        let digits: String = bytes
            .iter()
            .enumerate()
            .map(|(i, b)| char::from(if i == 0 { b'1' + b % 9 } else { b'0' + b % 10 }))
            .collect();
        Ok(Self(digits))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `AIDA` + 17 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UserId(String);

impl UserId {
    pub fn generate() -> Result<Self, SecretError> {
        random_text("AIDA", 17, ID_ALPHABET).map(Self)
    }
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Random IDs of IAM entities: a four-letter prefix naming the kind + 17 characters.
macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn generate() -> Result<Self, SecretError> {
                random_text($prefix, 17, ID_ALPHABET).map(Self)
            }
            pub fn from_stored(text: String) -> Self {
                Self(text)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

entity_id!(
    /// `AGPA` + 17 characters.
    GroupId,
    "AGPA"
);
entity_id!(
    /// `ANPA` + 17 characters: a managed policy.
    PolicyId,
    "ANPA"
);

entity_id!(
    /// `AROA` + 17 characters: a role.
    RoleId,
    "AROA"
);

/// Long-term (`AKIA`) or session (`ASIA`) access key ID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccessKeyId(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    LongTerm,
    Session,
}

impl AccessKeyId {
    pub fn generate(kind: KeyKind) -> Result<Self, SecretError> {
        let prefix = match kind {
            KeyKind::LongTerm => "AKIA",
            KeyKind::Session => "ASIA",
        };
        random_text(prefix, 16, ID_ALPHABET).map(Self)
    }
    /// Accepts the AWS formats only; anything else can never name a key.
    pub fn parse(text: &str) -> Option<(Self, KeyKind)> {
        if is_id_text(text, "AKIA", 16) {
            Some((Self(text.to_owned()), KeyKind::LongTerm))
        } else if is_id_text(text, "ASIA", 16) {
            Some((Self(text.to_owned()), KeyKind::Session))
        } else {
            None
        }
    }
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub fn generate_secret_access_key() -> Result<SecretAccessKey, SecretError> {
    random_text("", 40, SECRET_ALPHABET).map(SecretAccessKey::new)
}

pub fn is_secret_access_key_text(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| SECRET_ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_aws_formats() {
        let user = UserId::generate().unwrap();
        assert!(is_id_text(user.as_str(), "AIDA", 17), "{user:?}");
        let role = RoleId::generate().unwrap();
        assert!(is_id_text(role.as_str(), "AROA", 17), "{role:?}");
        let key = AccessKeyId::generate(KeyKind::LongTerm).unwrap();
        assert_eq!(AccessKeyId::parse(key.as_str()).unwrap().1, KeyKind::LongTerm);
        let session = AccessKeyId::generate(KeyKind::Session).unwrap();
        assert_eq!(AccessKeyId::parse(session.as_str()).unwrap().1, KeyKind::Session);
        assert!(is_secret_access_key_text(
            generate_secret_access_key().unwrap().expose()
        ));
        assert!(is_id_text(GroupId::generate().unwrap().as_str(), "AGPA", 17));
        assert!(is_id_text(PolicyId::generate().unwrap().as_str(), "ANPA", 17));
        let account = AccountId::generate().unwrap();
        assert_eq!(AccountId::parse(account.as_str()), Some(account));
    }

    #[test]
    fn malformed_ids_are_refused() {
        assert!(AccessKeyId::parse("AKIA123").is_none());
        assert!(AccessKeyId::parse("AKIAIOSFODNN7EXAMPL1").is_none()); // '1' not in [A-Z2-7]
        assert!(AccountId::parse("12345678901a").is_none());
        assert!(AccountId::parse("1234567890123").is_none());
    }
}
