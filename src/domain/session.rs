//! STS session credentials (`sts.md` §2–3): durations, and the MFA context a session carries.

use time::OffsetDateTime;

/// The device that authenticated a session, and when (`aws:MultiFactorAuthAge` counts from it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaContext {
    pub serial: String,
    pub authenticated_at: OffsetDateTime,
}

/// A live session, as request authentication sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub mfa: Option<MfaContext>,
}

/// `GetSessionToken` durations [AWS]: IAM users 900–129600 s, default 43200; root default 3600,
/// and longer requests are cut to 3600 rather than refused. The model's range is checked earlier.
pub fn get_session_token_duration(root: bool, requested: Option<i64>) -> i64 {
    match (root, requested) {
        (true, requested) => requested.unwrap_or(3600).min(3600),
        (false, requested) => requested.unwrap_or(43_200),
    }
}

/// Role sessions opened with role-session credentials last at most an hour [AWS].
pub const ROLE_CHAINING_MAX_SECONDS: i64 = 3600;

/// Why an `AssumeRole` duration is refused (AWS's messages).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RoleDurationError {
    #[error("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")]
    AboveRoleMaximum,
    #[error("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")]
    AboveChainingLimit,
}

/// `AssumeRole` durations [AWS]: default 3600, at most the role's `MaxSessionDuration`, and
/// at most an hour when a role session assumes a role (chaining). The model's 900–43200
/// range is checked earlier.
pub fn assume_role_duration(
    requested: Option<i64>,
    role_maximum: i64,
    chained: bool,
) -> Result<i64, RoleDurationError> {
    let duration = requested.unwrap_or(3600);
    if chained && duration > ROLE_CHAINING_MAX_SECONDS {
        return Err(RoleDurationError::AboveChainingLimit);
    }
    if duration > role_maximum {
        return Err(RoleDurationError::AboveRoleMaximum);
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_durations_follow_aws() {
        assert_eq!(assume_role_duration(None, 3600, false), Ok(3600));
        assert_eq!(assume_role_duration(Some(900), 3600, true), Ok(900));
        assert_eq!(assume_role_duration(Some(7200), 43_200, false), Ok(7200));
        assert_eq!(
            assume_role_duration(Some(7200), 3600, false),
            Err(RoleDurationError::AboveRoleMaximum)
        );
        assert_eq!(
            assume_role_duration(Some(7200), 43_200, true),
            Err(RoleDurationError::AboveChainingLimit)
        );
    }

    #[test]
    fn durations_follow_aws() {
        assert_eq!(get_session_token_duration(false, None), 43_200);
        assert_eq!(get_session_token_duration(false, Some(129_600)), 129_600);
        assert_eq!(get_session_token_duration(true, None), 3600);
        assert_eq!(get_session_token_duration(true, Some(7200)), 3600);
        assert_eq!(get_session_token_duration(true, Some(900)), 900);
    }
}
