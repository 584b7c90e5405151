//! What the API does with policy documents on the way in and out: the write-time check
//! (`mfa-policy.md` §2) and the URL-encoding of documents in responses (`iam-mfa.md` §5.7).
//!
//! The check is deliberately narrow until the policy language parser is wired in here:
//! [`validate_policy_document`] is the one place that decides whether a document may be
//! stored.

use crate::domain::{MANAGED_POLICY_SIZE, policy_size};
use crate::wire::{ApiError, ErrorCode};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What a document is for; kinds differ in the limits they are checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// Inline policies: their size quota is per owner, all documents together, and the store
    /// checks it in the transaction that writes them.
    Inline,
    /// A managed policy version (`PolicySizeQuota`).
    Managed,
}

/// Refuses a document that is not a JSON object or exceeds its kind's own size limit.
pub fn validate_policy_document(text: &str, kind: DocumentKind) -> Result<(), ApiError> {
    let syntax = || ApiError::new(ErrorCode::MalformedPolicyDocument, "Syntax errors in policy.");
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| syntax())?;
    if !value.is_object() {
        return Err(syntax());
    }
    if kind == DocumentKind::Managed && policy_size(text) > MANAGED_POLICY_SIZE {
        return Err(ApiError::new(
            ErrorCode::LimitExceeded,
            format!("Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}"),
        ));
    }
    Ok(())
}

/// RFC 3986 unreserved characters stay; every other byte becomes `%XX`.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A document as IAM returns it: URL-encoded (botocore decodes it before handing it over).
pub fn encode_document(document: &str) -> String {
    utf8_percent_encode(document, NOT_UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_objects_within_size_pass() {
        assert!(validate_policy_document(r#"{"Statement": []}"#, DocumentKind::Inline).is_ok());
        for bad in ["", "[]", "\"text\"", "{", "{\"a\":1} x", "null"] {
            let error = validate_policy_document(bad, DocumentKind::Inline).unwrap_err();
            assert_eq!(error.code, ErrorCode::MalformedPolicyDocument, "{bad:?}");
        }
        let padded = format!("{{\"S\": \"{}\"}}", "x".repeat(6137));
        assert_eq!(policy_size(&padded), 6145);
        assert_eq!(
            validate_policy_document(&padded, DocumentKind::Managed)
                .unwrap_err()
                .code,
            ErrorCode::LimitExceeded
        );
        assert!(validate_policy_document(&padded, DocumentKind::Inline).is_ok());
    }

    #[test]
    fn encoding_keeps_only_unreserved() {
        assert_eq!(
            encode_document("{\"a\": \"b~-._/*\"}\n"),
            "%7B%22a%22%3A%20%22b~-._%2F%2A%22%7D%0A"
        );
        assert_eq!(encode_document("é"), "%C3%A9");
    }
}
