//! STS actions.

pub mod identity;
pub mod session_token;
