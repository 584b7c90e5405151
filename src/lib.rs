//! Tessera: a self-hosted identity service that speaks the AWS IAM and STS Query APIs.
//!
//! Dependency rule ("→" = may use):
//! `cli, app → api → wire, sigv4, auth, domain, policy → secret, clock`; `cli → audit_log`;
//! `api`, `cli` and `audit_log` drive the store through [`store::Store`]'s traits; `store`
//! knows domain types, never the reverse.
//! `sigv4`, `wire`, `domain`, `policy` and `audit` are pure: no axum, no SQL, no system clock.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

pub mod api;
pub mod app;
pub mod audit;
pub mod audit_log;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod mfa;
pub mod policy;
pub mod secret;
pub mod sigv4;
pub mod store;
pub mod wire;
