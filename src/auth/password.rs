//! Passwords are stored as Argon2id PHC strings (argon2's defaults: m=19456 KiB, t=2, p=1,
//! OWASP's recommended minimum) and checked in constant time by the argon2 crate.

use crate::secret::{Password, PasswordHash, SecretError, random_bytes};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error(transparent)]
    Random(#[from] SecretError),
    #[error("password hashing failed")]
    Hash,
}

pub fn hash(password: &Password) -> Result<PasswordHash, PasswordError> {
    let mut salt = [0u8; 16];
    random_bytes(&mut salt)?;
    let phc: Phc = Argon2::default()
        .hash_password_with_salt(password.expose().as_bytes(), &salt)
        .map_err(|_| PasswordError::Hash)?;
    Ok(PasswordHash::new(phc.to_string()))
}

/// `false` for a wrong password and for a hash that does not parse.
pub fn verify(password: &Password, hash: &PasswordHash) -> bool {
    let Ok(parsed) = Phc::new(hash.expose()) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.expose().as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let password = Password::new("Correct-Horse-9".into());
        let hashed = hash(&password).unwrap();
        assert!(hashed.expose().starts_with("$argon2id$"));
        assert!(verify(&password, &hashed));
        assert!(!verify(&Password::new("wrong".into()), &hashed));
        assert!(!verify(&password, &PasswordHash::new("garbage".into())));
    }
}
