//! Tessera's one integration-test binary (`cargo test --test it`).

mod harness;
mod store_conformance;
mod wire;
