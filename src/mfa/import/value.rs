//! One PSKC data value (`Secret`, `Time`, `TimeInterval`, `TimeDrift`, …): `PlainValue`, or
//! `EncryptedValue` with its `ValueMAC` checked before decryption (`otp.md` §8.2–8.3,
//! RFC 6030 §6.1.1).

use roxmltree::Node;
use zeroize::Zeroizing;

use super::crypto::{CbcCipher, CryptoError};
use super::protection::Keys;
use super::xml::{base64, child, shown, text};

/// The value as found: plain text, or decrypted and MAC-verified bytes.
pub(crate) enum Raw {
    Plain(Zeroizing<String>),
    Decrypted(Zeroizing<Vec<u8>>),
}

/// Read the value held by a data element such as `<Secret>`.
pub(crate) fn read(element: Node<'_, '_>, keys: Option<&Keys>) -> Result<Raw, String> {
    match (child(element, "PlainValue"), child(element, "EncryptedValue")) {
        (Some(_), Some(_)) => Err("has both PlainValue and EncryptedValue".to_owned()),
        (Some(plain), None) => Ok(Raw::Plain(text(plain))),
        (None, Some(encrypted)) => decrypt(element, encrypted, keys).map(Raw::Decrypted),
        (None, None) => Err("has neither PlainValue nor EncryptedValue".to_owned()),
    }
}

/// Verify `ValueMAC` over IV ‖ ciphertext (constant time), then decrypt. A secret without a MAC
/// is refused (`otp.md` §8.3); so is every other encrypted value, since CBC alone is malleable.
fn decrypt(element: Node<'_, '_>, encrypted: Node<'_, '_>, keys: Option<&Keys>) -> Result<Zeroizing<Vec<u8>>, String> {
    let keys = keys.ok_or("is encrypted, but the file has no usable key")?;
    let cipher = cipher_of(encrypted)?;
    let data = child(encrypted, "CipherData")
        .and_then(|d| child(d, "CipherValue"))
        .ok_or("EncryptedValue has no CipherData/CipherValue")?;
    let data = base64(&text(data)).ok_or("CipherValue is not valid base64")?;
    let tag = child(element, "ValueMAC").ok_or("is encrypted but has no ValueMAC")?;
    let tag = base64(&text(tag)).ok_or("ValueMAC is not valid base64")?;
    if !keys.mac_hash.verify(&keys.mac_key, &data, &tag) {
        return Err("ValueMAC does not match: wrong key, or the value was altered".to_owned());
    }
    cipher.decrypt(&keys.container, &data).map_err(|e| match e {
        CryptoError::Padding => "does not decrypt (padding check failed): wrong key".to_owned(),
        other => format!("cannot be decrypted: {other}"),
    })
}

/// The cipher named by `xenc:EncryptionMethod @Algorithm` (`otp.md` §8.3 table).
pub(crate) fn cipher_of(encrypted: Node<'_, '_>) -> Result<CbcCipher, String> {
    let uri = child(encrypted, "EncryptionMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .ok_or("has no xenc:EncryptionMethod Algorithm")?;
    CbcCipher::from_uri(uri).ok_or_else(|| format!("uses unsupported encryption algorithm URI {}", shown(uri)))
}

/// An integer value: plain values are decimal (`otp.md` §8.2). Decrypted values are read as
/// ASCII decimal when they look like it, else as a big-endian unsigned number of up to 8 bytes
/// — the two forms python-pskc reads (it writes the big-endian one).
pub(crate) fn integer(raw: &Raw) -> Result<i64, String> {
    match raw {
        Raw::Plain(text) => text
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("{} is not an integer", shown(text))),
        Raw::Decrypted(bytes) => {
            let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
            if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
                return std::str::from_utf8(bytes)
                    .ok()
                    .and_then(|t| t.parse::<i64>().ok())
                    .ok_or_else(|| "does not decrypt to an integer".to_owned());
            }
            if bytes.is_empty() || bytes.len() > 8 {
                return Err("does not decrypt to an integer".to_owned());
            }
            let number = bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
            i64::try_from(number).map_err(|_| "decrypts to a number out of range".to_owned())
        }
    }
}

/// Secret bytes: plain values are base64 (`otp.md` §8.2); decrypted values are the key itself.
pub(crate) fn bytes(raw: Raw) -> Result<Zeroizing<Vec<u8>>, String> {
    match raw {
        Raw::Plain(text) => base64(&text).ok_or_else(|| "PlainValue is not valid base64".to_owned()),
        Raw::Decrypted(bytes) => Ok(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decrypted(bytes: &[u8]) -> Raw {
        Raw::Decrypted(Zeroizing::new(bytes.to_vec()))
    }

    #[test]
    fn integers() {
        assert_eq!(integer(&Raw::Plain(Zeroizing::new(" 30 ".into()))), Ok(30));
        assert_eq!(integer(&Raw::Plain(Zeroizing::new("-4".into()))), Ok(-4));
        assert!(integer(&Raw::Plain(Zeroizing::new("3O".into()))).is_err());
        assert_eq!(integer(&decrypted(&[0x1e])), Ok(30));
        assert_eq!(integer(&decrypted(&[0x00])), Ok(0));
        assert_eq!(integer(&decrypted(b"60")), Ok(60));
        assert_eq!(integer(&decrypted(b"-2")), Ok(-2));
        assert_eq!(integer(&decrypted(&[1, 0])), Ok(256));
        assert!(integer(&decrypted(&[])).is_err());
        assert!(integer(&decrypted(&[1; 9])).is_err());
        assert!(integer(&decrypted(&[0xff; 8])).is_err());
    }
}
