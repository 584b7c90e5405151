//! What the API does with policy documents on the way in and out: the write-time check
//! (`mfa-policy.md` §2) and the URL-encoding of documents in responses (`iam-mfa.md` §5.7).
//! [`validate_policy_document`] is the one place that decides whether a document may be
//! stored: documents are parsed once, at write time, by the policy language parser.

use crate::domain::MANAGED_POLICY_SIZE;
use crate::policy::{self, PolicyKind, size_without_whitespace};
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

/// Refuses a document that exceeds its kind's own size limit or is not a valid identity
/// policy (`MalformedPolicyDocument` with the parser's AWS-style message).
pub fn validate_policy_document(text: &str, kind: DocumentKind) -> Result<(), ApiError> {
    if kind == DocumentKind::Managed && size_without_whitespace(text) > MANAGED_POLICY_SIZE {
        return Err(ApiError::new(
            ErrorCode::LimitExceeded,
            format!("Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}"),
        ));
    }
    policy::parse(text, PolicyKind::Identity)
        .map(|_| ())
        .map_err(|error| ApiError::new(ErrorCode::MalformedPolicyDocument, error.message()))
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
    fn only_valid_policies_within_size_pass() {
        let valid = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
        assert!(validate_policy_document(valid, DocumentKind::Inline).is_ok());
        for bad in ["", "[]", "\"text\"", "{", "{\"a\":1} x", "null"] {
            let error = validate_policy_document(bad, DocumentKind::Inline).unwrap_err();
            assert_eq!(error.code, ErrorCode::MalformedPolicyDocument, "{bad:?}");
        }
        let padded = format!(
            r#"{{"Statement": {{"Sid": "{}", "Effect": "Allow", "Action": "*", "Resource": "*"}}}}"#,
            "x".repeat(6076)
        );
        assert_eq!(size_without_whitespace(&padded), 6145);
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
