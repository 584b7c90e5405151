//! IAM entities and their rules, in domain words. Pure: no HTTP, no SQL, no system clock.

pub mod aws_managed_policies;
pub mod credential_report;
pub mod entities;
pub mod groups;
pub mod ids;
pub mod mfa_device;
pub mod password_policy;
pub mod policies;
pub mod session;
pub mod tags;

pub use entities::*;
pub use groups::*;
pub use ids::*;
pub use policies::*;
