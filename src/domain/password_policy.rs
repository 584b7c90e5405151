//! AWS's default password policy (`spec/iam-mfa.md` §5.5).

const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordPolicyError {
    #[error("Password should have a minimum length of 8")]
    TooShort,
    #[error("Password should have at most 128 characters")]
    TooLong,
    #[error(
        "Password should contain characters from at least three of: upper case letters, lower case letters, numbers, symbols"
    )]
    TooFewClasses,
    #[error("Password must not be the account alias or the root user's email address")]
    EqualsIdentity,
}

/// Checks `password` against the default policy; `forbidden` holds the account alias and the
/// root e-mail address.
pub fn check(password: &str, forbidden: &[&str]) -> Result<(), PasswordPolicyError> {
    let length = password.chars().count();
    if length < 8 {
        return Err(PasswordPolicyError::TooShort);
    }
    if length > 128 {
        return Err(PasswordPolicyError::TooLong);
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| SYMBOLS.contains(c)),
    ];
    if classes.iter().filter(|present| **present).count() < 3 {
        return Err(PasswordPolicyError::TooFewClasses);
    }
    if forbidden
        .iter()
        .any(|f| !f.is_empty() && f.eq_ignore_ascii_case(password))
    {
        return Err(PasswordPolicyError::EqualsIdentity);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy() {
        assert_eq!(check("Ab1!", &[]), Err(PasswordPolicyError::TooShort));
        assert_eq!(check("abcdefgh1", &[]), Err(PasswordPolicyError::TooFewClasses));
        assert_eq!(check("abcdefgH1", &[]), Ok(()));
        assert_eq!(check("abcdefg!1", &[]), Ok(()));
        assert_eq!(check(&"aA1".repeat(43), &[]), Err(PasswordPolicyError::TooLong));
        assert_eq!(
            check("Root@Example1", &["root@example1"]),
            Err(PasswordPolicyError::EqualsIdentity)
        );
    }
}
