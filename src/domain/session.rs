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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_aws() {
        assert_eq!(get_session_token_duration(false, None), 43_200);
        assert_eq!(get_session_token_duration(false, Some(129_600)), 129_600);
        assert_eq!(get_session_token_duration(true, None), 3600);
        assert_eq!(get_session_token_duration(true, Some(7200)), 3600);
        assert_eq!(get_session_token_duration(true, Some(900)), 900);
    }
}
