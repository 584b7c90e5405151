//! STS actions, and what they share: issuing session credentials and checking MFA proofs.

pub mod assume_role;
mod credentials;
pub mod identity;
mod mfa_proof;
pub mod session_token;
