//! The keys of an encrypted PSKC file (`otp.md` §8.3; RFC 6030 §6.1 pre-shared key, §6.2
//! PBKDF2, §6.1.1 MAC): the container key from the operator's hex key or passphrase, and the
//! MAC key, which the file carries encrypted under the container key.
//!
//! A MAC key that does not decrypt (bad padding) means the container key is wrong; the file is
//! refused as a whole, before any value is looked at.

use data_encoding::HEXLOWER_PERMISSIVE;
use roxmltree::Node;
use zeroize::Zeroizing;

use super::crypto::{CryptoError, HmacHash};
use super::value::cipher_of;
use super::xml::{base64, child, child_text_nonempty, shown, text};
use super::{ImportError, ImportOptions, SeedProtection};

/// PBKDF2 as named by PKCS #5 v2.0 (RFC 6030 §6.2) and by XML Encryption 1.1.
const PBKDF2_URIS: [&str; 2] = [
    "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2",
    "http://www.w3.org/2009/xmlenc11#pbkdf2",
];
/// Upper bound on PBKDF2 rounds, so a hostile file cannot stall the importer [Tessera].
const MAX_ITERATIONS: u32 = 10_000_000;
/// AES key lengths in bytes (`otp.md` §8.3: 32, 48 or 64 hex digits).
const AES_KEY_BYTES: [usize; 3] = [16, 24, 32];

/// The keys that decrypt and authenticate every encrypted value of one file.
pub(crate) struct Keys {
    pub(crate) container: Zeroizing<Vec<u8>>,
    pub(crate) mac_hash: HmacHash,
    pub(crate) mac_key: Zeroizing<Vec<u8>>,
    /// How the container key was established.
    pub(crate) protection: SeedProtection,
}

/// Establish the container key and decrypt the MAC key. Called only for files that hold at
/// least one `EncryptedValue`.
pub(crate) fn resolve(root: Node<'_, '_>, options: &ImportOptions) -> Result<Keys, ImportError> {
    // A file with encrypted values and no MACMethod is refused (`otp.md` §8.3) [Tessera].
    let method = child(root, "MACMethod").ok_or(ImportError::MissingMac)?;
    let algorithm = method.attribute("Algorithm").unwrap_or("");
    let mac_hash = HmacHash::from_uri(algorithm)
        .ok_or_else(|| ImportError::MacKey(format!("unsupported MAC algorithm {}", shown(algorithm))))?;
    let mac_key = match child(method, "MACKey") {
        Some(key) => key,
        None if child(method, "MACKeyReference").is_some() => {
            return Err(ImportError::MacKey(
                "MACKeyReference (a MAC key agreed out of band) is not supported".to_owned(),
            ));
        }
        None => return Err(ImportError::MacKey("no MACKey".to_owned())),
    };
    let mac_cipher = cipher_of(mac_key).map_err(|e| ImportError::MacKey(format!("MACKey {e}")))?;
    let sealed = child(mac_key, "CipherData")
        .and_then(|d| child(d, "CipherValue"))
        .and_then(|v| base64(&text(v)))
        .ok_or_else(|| ImportError::MacKey("MACKey has no valid base64 CipherValue".to_owned()))?;

    let container = container_key(root, options, mac_cipher.key_len())?;
    let derived = child(root, "EncryptionKey").and_then(|key| child(key, "DerivedKey"));
    let protection = if derived.is_some() {
        SeedProtection::Pbkdf2
    } else {
        SeedProtection::PreSharedKey
    };
    let mac_key = mac_cipher.decrypt(&container, &sealed).map_err(|e| match e {
        CryptoError::Padding => ImportError::WrongKey,
        CryptoError::KeyLength { .. } => ImportError::MacKey(e.to_string()),
        other => ImportError::MacKey(format!("MACKey: {other}")),
    })?;
    Ok(Keys {
        container,
        mac_hash,
        mac_key,
        protection,
    })
}

/// The container key named by `EncryptionKey` (`otp.md` §8.3). Without an `EncryptionKey` the
/// key can only have been agreed out of band, so it is treated as a pre-shared key.
fn container_key(
    root: Node<'_, '_>,
    options: &ImportOptions,
    default_len: usize,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let Some(protection) = child(root, "EncryptionKey") else {
        return pre_shared(options, "not named in the file");
    };
    if let Some(derived) = child(protection, "DerivedKey") {
        return derived_key(derived, options, default_len);
    }
    if let Some(name) = child(protection, "KeyName") {
        return pre_shared(options, &shown(&text(name)));
    }
    if child(protection, "X509Data").is_some() {
        return Err(ImportError::UnsupportedProtection(
            "asymmetric key transport (ds:X509Data) is not supported".to_owned(),
        ));
    }
    Err(ImportError::UnsupportedProtection(
        "EncryptionKey holds neither ds:KeyName nor xenc11:DerivedKey".to_owned(),
    ))
}

/// The operator's hex key; the file's `KeyName` is only informational.
fn pre_shared(options: &ImportOptions, key_name: &str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let hex = options
        .pre_shared_key_hex
        .as_deref()
        .ok_or_else(|| ImportError::PreSharedKeyRequired {
            key_name: key_name.to_owned(),
        })?;
    let key = HEXLOWER_PERMISSIVE
        .decode(hex.trim().as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| ImportError::BadPreSharedKey)?;
    if AES_KEY_BYTES.contains(&key.len()) {
        Ok(key)
    } else {
        Err(ImportError::BadPreSharedKey)
    }
}

/// PBKDF2 from `xenc11:DerivedKey/xenc11:KeyDerivationMethod/pkcs5:PBKDF2-params`; the
/// parameters may be in any namespace (RFC 6030 Figure 7 leaves them unprefixed).
fn derived_key(
    derived: Node<'_, '_>,
    options: &ImportOptions,
    default_len: usize,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let unsupported = |why: String| ImportError::UnsupportedProtection(why);
    let method = child(derived, "KeyDerivationMethod")
        .ok_or_else(|| unsupported("DerivedKey has no KeyDerivationMethod".to_owned()))?;
    let uri = method.attribute("Algorithm").unwrap_or("").trim();
    if !PBKDF2_URIS.contains(&uri) {
        return Err(unsupported(format!("key derivation {}", shown(uri))));
    }
    let params =
        child(method, "PBKDF2-params").ok_or_else(|| unsupported("PBKDF2 without PBKDF2-params".to_owned()))?;
    let salt = child(params, "Salt")
        .and_then(|s| child(s, "Specified"))
        .and_then(|s| base64(&text(s)))
        .ok_or_else(|| unsupported("PBKDF2 Salt must be a base64 Specified value".to_owned()))?;
    let iterations = child_text_nonempty(params, "IterationCount")
        .and_then(|t| t.parse::<u32>().ok())
        .filter(|n| (1..=MAX_ITERATIONS).contains(n))
        .ok_or_else(|| unsupported(format!("PBKDF2 IterationCount must be 1 to {MAX_ITERATIONS}")))?;
    let key_len = match child_text_nonempty(params, "KeyLength") {
        None => default_len,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| AES_KEY_BYTES.contains(n))
            .ok_or_else(|| unsupported("PBKDF2 KeyLength must be 16, 24 or 32".to_owned()))?,
    };
    // An empty or absent PRF means HMAC-SHA-1 (PKCS #5 v2.0 default). XML Encryption 1.1
    // names it in `@Algorithm`; python-pskc writes the URI as the element's text. Read both.
    let prf_uri = child(params, "PRF")
        .map(|p| match p.attribute("Algorithm") {
            Some(uri) => uri.trim().to_owned(),
            None => text(p).as_str().to_owned(),
        })
        .unwrap_or_default();
    let prf = if prf_uri.is_empty() {
        HmacHash::Sha1
    } else {
        HmacHash::from_uri(&prf_uri).ok_or_else(|| unsupported(format!("PBKDF2 PRF {}", shown(&prf_uri))))?
    };
    let passphrase = options.passphrase.as_deref().ok_or(ImportError::PassphraseRequired)?;
    prf.pbkdf2(passphrase.as_bytes(), &salt, iterations, key_len)
        .map_err(|e| unsupported(e.to_string()))
}
