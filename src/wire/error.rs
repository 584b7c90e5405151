//! AWS error codes Tessera returns, each with its HTTP status and fault type
//! (`wire-protocol.md` §5). A unit test checks the modelled ones against botocore.

/// Every error code on the wire. Codes are contract; messages are for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    MissingAuthenticationToken,
    IncompleteSignature,
    InvalidClientTokenId,
    SignatureDoesNotMatch,
    ExpiredToken,
    RequestExpired,
    AccessDenied,
    InvalidAction,
    MissingAction,
    MissingParameter,
    ValidationError,
    InvalidParameterValue,
    MalformedQueryString,
    RequestEntityTooLarge,
    MethodNotAllowed,
    NoSuchEntity,
    EntityAlreadyExists,
    DeleteConflict,
    LimitExceeded,
    InvalidInput,
    InvalidAuthenticationCode,
    PasswordPolicyViolation,
    MalformedPolicyDocument,
    /// AWS managed policies and other read-only entities.
    UnmodifiableEntity,
    ReportNotPresent,
    ReportExpired,
    ReportInProgress,
    ServiceFailure,
    InternalFailure,
    ServiceUnavailable,
    // CloudTrail `LookupEvents` (`cloudtrail.md` §8.5); JSON-only, named by their shapes.
    InvalidLookupAttributes,
    InvalidTimeRange,
    InvalidMaxResults,
    InvalidNextToken,
    InvalidEventCategory,
}

impl ErrorCode {
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken => "MissingAuthenticationToken",
            Self::IncompleteSignature => "IncompleteSignature",
            Self::InvalidClientTokenId => "InvalidClientTokenId",
            Self::SignatureDoesNotMatch => "SignatureDoesNotMatch",
            Self::ExpiredToken => "ExpiredToken",
            Self::RequestExpired => "RequestExpired",
            Self::AccessDenied => "AccessDenied",
            Self::InvalidAction | Self::MethodNotAllowed => "InvalidAction",
            Self::MissingAction => "MissingAction",
            Self::MissingParameter => "MissingParameter",
            Self::ValidationError => "ValidationError",
            Self::InvalidParameterValue => "InvalidParameterValue",
            Self::MalformedQueryString => "MalformedQueryString",
            Self::RequestEntityTooLarge => "RequestEntityTooLarge",
            Self::NoSuchEntity => "NoSuchEntity",
            Self::EntityAlreadyExists => "EntityAlreadyExists",
            Self::DeleteConflict => "DeleteConflict",
            Self::LimitExceeded => "LimitExceeded",
            Self::InvalidInput => "InvalidInput",
            Self::InvalidAuthenticationCode => "InvalidAuthenticationCode",
            Self::PasswordPolicyViolation => "PasswordPolicyViolation",
            Self::MalformedPolicyDocument => "MalformedPolicyDocument",
            Self::UnmodifiableEntity => "UnmodifiableEntity",
            Self::ReportNotPresent => "ReportNotPresent",
            Self::ReportExpired => "ReportExpired",
            Self::ReportInProgress => "ReportInProgress",
            Self::ServiceFailure => "ServiceFailure",
            Self::InternalFailure => "InternalFailure",
            Self::ServiceUnavailable => "ServiceUnavailable",
            Self::InvalidLookupAttributes => "InvalidLookupAttributesException",
            Self::InvalidTimeRange => "InvalidTimeRangeException",
            Self::InvalidMaxResults => "InvalidMaxResultsException",
            Self::InvalidNextToken => "InvalidNextTokenException",
            Self::InvalidEventCategory => "InvalidEventCategoryException",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            Self::IncompleteSignature
            | Self::RequestExpired
            | Self::InvalidAction
            | Self::MissingAction
            | Self::MissingParameter
            | Self::ValidationError
            | Self::InvalidParameterValue
            | Self::MalformedQueryString
            | Self::InvalidInput
            | Self::PasswordPolicyViolation
            | Self::MalformedPolicyDocument
            | Self::UnmodifiableEntity
            | Self::InvalidLookupAttributes
            | Self::InvalidTimeRange
            | Self::InvalidMaxResults
            | Self::InvalidNextToken
            | Self::InvalidEventCategory => 400,
            Self::MissingAuthenticationToken
            | Self::InvalidClientTokenId
            | Self::SignatureDoesNotMatch
            | Self::ExpiredToken
            | Self::AccessDenied
            | Self::InvalidAuthenticationCode => 403,
            Self::NoSuchEntity | Self::ReportInProgress => 404,
            Self::MethodNotAllowed => 405,
            Self::EntityAlreadyExists | Self::DeleteConflict | Self::LimitExceeded => 409,
            Self::ReportNotPresent | Self::ReportExpired => 410,
            Self::RequestEntityTooLarge => 413,
            Self::ServiceFailure | Self::InternalFailure => 500,
            Self::ServiceUnavailable => 503,
        }
    }

    /// `Sender` for client faults, `Receiver` for server faults (§5).
    pub fn fault(self) -> &'static str {
        if self.status() >= 500 { "Receiver" } else { "Sender" }
    }
}

/// An error answer: code and a message safe to show the caller (never an internal cause).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 35] = [
        ErrorCode::MissingAuthenticationToken,
        ErrorCode::IncompleteSignature,
        ErrorCode::InvalidClientTokenId,
        ErrorCode::SignatureDoesNotMatch,
        ErrorCode::ExpiredToken,
        ErrorCode::RequestExpired,
        ErrorCode::AccessDenied,
        ErrorCode::InvalidAction,
        ErrorCode::MissingAction,
        ErrorCode::MissingParameter,
        ErrorCode::ValidationError,
        ErrorCode::InvalidParameterValue,
        ErrorCode::MalformedQueryString,
        ErrorCode::RequestEntityTooLarge,
        ErrorCode::MethodNotAllowed,
        ErrorCode::NoSuchEntity,
        ErrorCode::EntityAlreadyExists,
        ErrorCode::DeleteConflict,
        ErrorCode::LimitExceeded,
        ErrorCode::InvalidInput,
        ErrorCode::InvalidAuthenticationCode,
        ErrorCode::PasswordPolicyViolation,
        ErrorCode::MalformedPolicyDocument,
        ErrorCode::UnmodifiableEntity,
        ErrorCode::ReportNotPresent,
        ErrorCode::ReportExpired,
        ErrorCode::ReportInProgress,
        ErrorCode::ServiceFailure,
        ErrorCode::InternalFailure,
        ErrorCode::ServiceUnavailable,
        ErrorCode::InvalidLookupAttributes,
        ErrorCode::InvalidTimeRange,
        ErrorCode::InvalidMaxResults,
        ErrorCode::InvalidNextToken,
        ErrorCode::InvalidEventCategory,
    ];

    /// Every error shape botocore models for IAM and STS that we return must agree on code,
    /// status and fault type.
    #[test]
    fn modelled_errors_match_botocore() {
        let mut checked = 0;
        for service in ["iam", "sts"] {
            let Some(model) = crate::wire::botocore_model(service) else {
                println!("SKIPPED: botocore is not installed; cannot check the error table");
                return;
            };
            let shapes = model["shapes"].as_object().unwrap();
            for shape in shapes.values().filter(|s| s["exception"] == true) {
                let Some(error) = shape.get("error") else {
                    continue;
                };
                let code = error["code"].as_str().unwrap();
                let Some(ours) = ALL.iter().find(|c| c.code() == code) else {
                    continue;
                };
                assert_eq!(
                    u64::from(ours.status()),
                    error["httpStatusCode"].as_u64().unwrap(),
                    "{code} status"
                );
                let fault = if error["senderFault"] == true {
                    "Sender"
                } else {
                    "Receiver"
                };
                assert_eq!(ours.fault(), fault, "{code} fault");
                checked += 1;
            }
        }
        // NoSuchEntity, EntityAlreadyExists, DeleteConflict, LimitExceeded, InvalidInput,
        // PasswordPolicyViolation, the three report errors, ServiceFailure at least.
        assert!(checked >= 10, "only {checked} codes were checked against botocore");
    }

    /// JSON-protocol errors are named by their shapes: each CloudTrail code we return must be
    /// one of the exceptions botocore models for LookupEvents.
    #[test]
    fn cloudtrail_codes_are_modelled_exceptions() {
        let Some(model) = crate::wire::botocore_model("cloudtrail") else {
            println!("SKIPPED: botocore is not installed; cannot check the CloudTrail codes");
            return;
        };
        let errors = model["operations"]["LookupEvents"]["errors"].as_array().unwrap();
        let modelled: Vec<&str> = errors.iter().map(|e| e["shape"].as_str().unwrap()).collect();
        for code in [
            ErrorCode::InvalidLookupAttributes,
            ErrorCode::InvalidTimeRange,
            ErrorCode::InvalidMaxResults,
            ErrorCode::InvalidNextToken,
            ErrorCode::InvalidEventCategory,
        ] {
            assert!(modelled.contains(&code.code()), "{} is not modelled", code.code());
            assert_eq!(code.status(), 400);
        }
    }
}
