//! A PSKC document (RFC 6030) → candidates: XML without DTDs, the `KeyContainer` envelope, the
//! keys when anything is encrypted, then each `KeyPackage` (`otp.md` §8.1).

use roxmltree::{Document, ParsingOptions};

use super::accept::Candidate;
use super::protection::{self, Keys};
use super::xml::{child, children, shown};
use super::{ImportError, ImportOptions, MAX_ENTRIES, package};

const PSKC_NS: &str = "urn:ietf:params:xml:ns:keyprov:pskc";

/// Everything read from one file, before the acceptance rules.
pub(crate) struct Decoded {
    pub(crate) candidates: Vec<Candidate>,
    pub(crate) warnings: Vec<String>,
    /// The container and MAC keys, when the file is encrypted.
    pub(crate) keys: Option<Keys>,
}

pub(crate) fn decode(bytes: &[u8], options: &ImportOptions) -> Result<Decoded, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotUtf8)?;
    // DTDs are refused outright: no internal or external entities, so no XXE or entity
    // expansion (`otp.md` §8.1) [Tessera]. roxmltree refuses them by default; say so anyway.
    let parsing = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, parsing).map_err(|e| match e {
        roxmltree::Error::DtdDetected => ImportError::Dtd,
        other => ImportError::Xml(other.to_string()),
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "KeyContainer" || root.tag_name().namespace() != Some(PSKC_NS) {
        return Err(ImportError::NotPskc(format!(
            "the root element must be KeyContainer in {PSKC_NS}"
        )));
    }
    match root.attribute("Version").map(str::trim) {
        Some("1.0") => {}
        Some(other) => {
            return Err(ImportError::NotPskc(format!(
                "KeyContainer Version {} is not 1.0",
                shown(other)
            )));
        }
        None => return Err(ImportError::NotPskc("KeyContainer has no Version".to_owned())),
    }

    let packages: Vec<_> = children(root, "KeyPackage").collect();
    if packages.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries { count: packages.len() });
    }
    if packages.is_empty() {
        return Err(ImportError::Empty);
    }

    let encrypted = packages.iter().any(|p| {
        p.descendants()
            .any(|n| n.is_element() && n.tag_name().name() == "EncryptedValue")
    });
    let keys = if encrypted {
        Some(protection::resolve(root, options)?)
    } else {
        None
    };

    let mut warnings = Vec::new();
    let plain_secrets = packages
        .iter()
        .filter_map(|p| child(*p, "Key"))
        .filter_map(|k| child(k, "Data"))
        .filter_map(|d| child(d, "Secret"))
        .filter(|s| child(*s, "PlainValue").is_some())
        .count();
    if plain_secrets > 0 {
        warnings.push(format!(
            "{plain_secrets} seed(s) in this file are in plain text: destroy the file after import"
        ));
    }
    if child(root, "Signature").is_some() {
        warnings.push("the file's ds:Signature was not verified".to_owned());
    }
    if !encrypted && (options.pre_shared_key_hex.is_some() || options.passphrase.is_some()) {
        warnings.push("a key or passphrase was given, but the file is not encrypted".to_owned());
    }

    let candidates = packages
        .iter()
        .enumerate()
        .map(|(i, p)| package::read(i + 1, *p, keys.as_ref()))
        .collect();
    Ok(Decoded {
        candidates,
        warnings,
        keys,
    })
}
