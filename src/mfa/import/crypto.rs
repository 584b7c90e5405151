//! The cryptography of encrypted PSKC files (`otp.md` §8.3, RFC 6030 §6): AES-CBC with the IV
//! in front of the ciphertext and PKCS#7 padding, HMAC over IV ‖ ciphertext, PBKDF2 container
//! keys. Algorithms are named by their XML Encryption / XML Signature URIs.

use cbc::cipher::{Block, BlockModeDecrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use zeroize::Zeroizing;

const AES_BLOCK: usize = 16;

/// Why a value could not be decrypted or a key derived. The messages name no key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CryptoError {
    #[error("{algorithm} needs a {need}-byte key, but the container key has {have} bytes")]
    KeyLength {
        algorithm: &'static str,
        need: usize,
        have: usize,
    },
    #[error("CipherValue is not a 16-byte IV followed by whole 16-byte blocks")]
    Malformed,
    #[error("padding check failed after decryption: wrong key")]
    Padding,
    #[error("PBKDF2 could not run with these parameters")]
    Derivation,
}

/// Block ciphers for `EncryptedValue` and `MACKey` (`otp.md` §8.3 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CbcCipher {
    Aes128,
    Aes192,
    Aes256,
}

impl CbcCipher {
    /// The cipher a URI names. Key-wrap and 3DES URIs are known but not implemented
    /// (`otp.md` §8.3: key wrap MAY, 3DES rejected).
    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        match uri.trim() {
            "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => Some(Self::Aes128),
            "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => Some(Self::Aes192),
            "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => Some(Self::Aes256),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Aes128 => "aes128-cbc",
            Self::Aes192 => "aes192-cbc",
            Self::Aes256 => "aes256-cbc",
        }
    }

    pub(crate) fn key_len(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }

    /// Decrypt `IV (16 bytes) ‖ ciphertext` and strip PKCS#7 padding (`otp.md` §8.3).
    pub(crate) fn decrypt(self, key: &[u8], iv_and_ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if key.len() != self.key_len() {
            return Err(CryptoError::KeyLength {
                algorithm: self.name(),
                need: self.key_len(),
                have: key.len(),
            });
        }
        let (iv, body) = iv_and_ciphertext
            .split_at_checked(AES_BLOCK)
            .ok_or(CryptoError::Malformed)?;
        if body.is_empty() || !body.len().is_multiple_of(AES_BLOCK) {
            return Err(CryptoError::Malformed);
        }
        let mut plain = Zeroizing::new(body.to_vec());
        match self {
            Self::Aes128 => cbc_in_place::<cbc::Decryptor<aes::Aes128>>(key, iv, &mut plain)?,
            Self::Aes192 => cbc_in_place::<cbc::Decryptor<aes::Aes192>>(key, iv, &mut plain)?,
            Self::Aes256 => cbc_in_place::<cbc::Decryptor<aes::Aes256>>(key, iv, &mut plain)?,
        }
        let kept = unpadded_len(&plain)?;
        plain.truncate(kept);
        Ok(plain)
    }
}

fn cbc_in_place<D: KeyIvInit + BlockModeDecrypt>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
    let mut mode = D::new_from_slices(key, iv).map_err(|_| CryptoError::Malformed)?;
    for chunk in buf.chunks_exact_mut(AES_BLOCK) {
        let block: &mut Block<D> = chunk.try_into().map_err(|_| CryptoError::Malformed)?;
        mode.decrypt_block(block);
    }
    Ok(())
}

/// Length of the plaintext once PKCS#7 padding is removed: the last byte `n` is 1–16 and the
/// last `n` bytes all equal `n` (RFC 5652 §6.3; `otp.md` §8.3). A wrong key fails here
/// with probability about 255/256.
fn unpadded_len(plain: &[u8]) -> Result<usize, CryptoError> {
    let last = *plain.last().ok_or(CryptoError::Padding)?;
    let pad = usize::from(last);
    if pad == 0 || pad > AES_BLOCK || pad > plain.len() {
        return Err(CryptoError::Padding);
    }
    let kept = plain.len() - pad;
    let tail = plain.get(kept..).ok_or(CryptoError::Padding)?;
    if tail.iter().all(|&b| b == last) {
        Ok(kept)
    } else {
        Err(CryptoError::Padding)
    }
}

/// HMAC algorithms for `MACMethod` and the PBKDF2 PRF (`otp.md` §8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HmacHash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HmacHash {
    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        match uri.trim() {
            "http://www.w3.org/2000/09/xmldsig#hmac-sha1" => Some(Self::Sha1),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256" => Some(Self::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha384" => Some(Self::Sha384),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// Whether `tag` is the HMAC of `data` under `key`, compared in constant time
    /// (`Mac::verify_slice`; RFC 6030 §6.1.1 `ValueMAC`).
    pub(crate) fn verify(self, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
        match self {
            Self::Sha1 => verify_with::<Hmac<sha1::Sha1>>(key, data, tag),
            Self::Sha256 => verify_with::<Hmac<sha2::Sha256>>(key, data, tag),
            Self::Sha384 => verify_with::<Hmac<sha2::Sha384>>(key, data, tag),
            Self::Sha512 => verify_with::<Hmac<sha2::Sha512>>(key, data, tag),
        }
    }

    /// PBKDF2 (RFC 8018 §5.2) with this HMAC as PRF.
    pub(crate) fn pbkdf2(
        self,
        password: &[u8],
        salt: &[u8],
        rounds: u32,
        key_len: usize,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let mut out = Zeroizing::new(vec![0u8; key_len]);
        let done = match self {
            Self::Sha1 => pbkdf2::pbkdf2::<Hmac<sha1::Sha1>>(password, salt, rounds, &mut out),
            Self::Sha256 => pbkdf2::pbkdf2::<Hmac<sha2::Sha256>>(password, salt, rounds, &mut out),
            Self::Sha384 => pbkdf2::pbkdf2::<Hmac<sha2::Sha384>>(password, salt, rounds, &mut out),
            Self::Sha512 => pbkdf2::pbkdf2::<Hmac<sha2::Sha512>>(password, salt, rounds, &mut out),
        };
        done.map_err(|_| CryptoError::Derivation)?;
        Ok(out)
    }
}

fn verify_with<M: KeyInit + Mac>(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.verify_slice(tag).is_ok()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use data_encoding::{BASE64, HEXLOWER};

    fn hex(s: &str) -> Vec<u8> {
        HEXLOWER.decode(s.as_bytes()).unwrap()
    }

    // RFC 6030 §6.1 example (Figure 6), values as listed in otp.md §8.4.
    const PSK: &str = "12345678901234567890123456789012";
    const MAC_KEY_CV: &str = "ESIzRFVmd4iZABEiM0RVZgKn6WjLaTC1sbeBMSvIhRejN9vJa2BOlSaMrR7I5wSX";
    const SECRET_CV: &str = "AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv";
    const VALUE_MAC: &str = "Su+NvtQfmvfJzF6bmQiJqoLRExc=";

    #[test]
    fn rfc6030_pre_shared_key_values() {
        let key = hex(PSK);
        let mac_cv = BASE64.decode(MAC_KEY_CV.as_bytes()).unwrap();
        assert_eq!(mac_cv[..16], hex("11223344556677889900112233445566")[..]);
        let mac_key = CbcCipher::Aes128.decrypt(&key, &mac_cv).unwrap();
        assert_eq!(&mac_key[..], &hex("1122334455667788990011223344556677889900")[..]);

        let secret_cv = BASE64.decode(SECRET_CV.as_bytes()).unwrap();
        assert_eq!(secret_cv[..16], hex("000102030405060708090a0b0c0d0e0f")[..]);
        let tag = BASE64.decode(VALUE_MAC.as_bytes()).unwrap();
        assert!(HmacHash::Sha1.verify(&mac_key, &secret_cv, &tag));
        let secret = CbcCipher::Aes128.decrypt(&key, &secret_cv).unwrap();
        assert_eq!(&secret[..], b"12345678901234567890");
    }

    #[test]
    fn rfc6030_pbkdf2_key() {
        let salt = BASE64.decode(b"Ej7/PEpyEpw=").unwrap();
        assert_eq!(salt, hex("123eff3c4a72129c"));
        let key = HmacHash::Sha1.pbkdf2(b"qwerty", &salt, 1000, 16).unwrap();
        assert_eq!(&key[..], &hex("651e63cd57008476af1ff6422cd02e41")[..]);
    }

    #[test]
    fn mac_rejects_a_changed_byte_or_length() {
        let key = hex("1122334455667788990011223344556677889900");
        let data = BASE64.decode(SECRET_CV.as_bytes()).unwrap();
        let mut tag = BASE64.decode(VALUE_MAC.as_bytes()).unwrap();
        assert!(HmacHash::Sha1.verify(&key, &data, &tag));
        assert!(!HmacHash::Sha1.verify(&key, &data, &tag[..19]));
        assert!(!HmacHash::Sha256.verify(&key, &data, &tag));
        tag[0] ^= 1;
        assert!(!HmacHash::Sha1.verify(&key, &data, &tag));
    }

    #[test]
    fn wrong_key_or_length_never_yields_plaintext() {
        let secret_cv = BASE64.decode(SECRET_CV.as_bytes()).unwrap();
        let wrong = hex("00000000000000000000000000000000");
        assert_eq!(CbcCipher::Aes128.decrypt(&wrong, &secret_cv), Err(CryptoError::Padding));
        assert!(matches!(
            CbcCipher::Aes256.decrypt(&hex(PSK), &secret_cv),
            Err(CryptoError::KeyLength { need: 32, have: 16, .. })
        ));
        assert_eq!(
            CbcCipher::Aes128.decrypt(&hex(PSK), &secret_cv[..16]),
            Err(CryptoError::Malformed)
        );
        assert_eq!(
            CbcCipher::Aes128.decrypt(&hex(PSK), &secret_cv[..40]),
            Err(CryptoError::Malformed)
        );
    }

    #[test]
    fn padding_rules() {
        let mut block = [7u8; 16];
        assert_eq!(unpadded_len(&block), Ok(9));
        block[15] = 16;
        assert_eq!(unpadded_len(&block), Err(CryptoError::Padding));
        block = [16u8; 16];
        assert_eq!(unpadded_len(&block), Ok(0));
        block[15] = 0;
        assert_eq!(unpadded_len(&block), Err(CryptoError::Padding));
        block[15] = 17;
        assert_eq!(unpadded_len(&block), Err(CryptoError::Padding));
        assert_eq!(unpadded_len(&[]), Err(CryptoError::Padding));
    }

    #[test]
    fn uris() {
        assert_eq!(
            CbcCipher::from_uri("http://www.w3.org/2001/04/xmlenc#aes256-cbc"),
            Some(CbcCipher::Aes256)
        );
        assert_eq!(CbcCipher::from_uri("http://www.w3.org/2001/04/xmlenc#kw-aes128"), None);
        assert_eq!(
            CbcCipher::from_uri("http://www.w3.org/2001/04/xmlenc#tripledes-cbc"),
            None
        );
        assert_eq!(
            HmacHash::from_uri("http://www.w3.org/2000/09/xmldsig#hmac-sha1"),
            Some(HmacHash::Sha1)
        );
        assert_eq!(HmacHash::from_uri("http://www.w3.org/2000/09/xmldsig#rsa-sha1"), None);
    }
}
