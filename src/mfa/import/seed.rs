//! The imported key bytes as a secret type, and the token's HMAC hash.
//!
//! `ImportedSeed` follows `STYLE.md` §5: redacted `Debug`, no `Display`, zeroized on drop,
//! constant-time equality, read only through [`ImportedSeed::expose`].

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Raw key bytes of one hardware token, after base64 decoding or decryption (`otp.md` §8.2–8.3).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ImportedSeed(Vec<u8>);

impl ImportedSeed {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The key bytes; call sites are where the seed leaves its type (sealing, tests).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for ImportedSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImportedSeed(redacted)")
    }
}

impl PartialEq for ImportedSeed {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}
impl Eq for ImportedSeed {}

/// HMAC hash of a token's TOTP (`otp.md` §2.2, §8.5 rule 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenHash {
    Sha1,
    Sha256,
    Sha512,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_bytes() {
        let seed = ImportedSeed::new(b"12345678901234567890".to_vec());
        let shown = format!("{seed:?}");
        assert_eq!(shown, "ImportedSeed(redacted)");
        assert_eq!(seed.expose(), b"12345678901234567890");
        assert_eq!(seed.len(), 20);
    }

    #[test]
    fn equality_compares_bytes() {
        let a = ImportedSeed::new(vec![1, 2, 3]);
        assert_eq!(a, ImportedSeed::new(vec![1, 2, 3]));
        assert_ne!(a, ImportedSeed::new(vec![1, 2, 4]));
        assert_ne!(a, ImportedSeed::new(vec![1, 2]));
    }
}
