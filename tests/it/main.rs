//! Tessera's one integration-test binary (`cargo test --test it`).

mod audit;
mod audit_log;
mod harness;
mod layering;
mod lookup_events;
mod sdk;
mod store_conformance;
mod wire;
