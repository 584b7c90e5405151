//! Hardware-token seed import.

mod crypto;
mod seed;
