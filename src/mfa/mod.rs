//! Multi-factor authentication: the pure OTP engine (`spec/otp.md`, `spec/iam-mfa.md` §2).
//!
//! - [`totp`]: HOTP/TOTP maths (RFC 4226, RFC 6238) and new virtual-device seeds.
//! - [`otp_check`]: the decisions — single code, consecutive pair, replay, drift, throttling.
//! - [`base32`]: RFC 4648 Base32 for seeds.
//! - [`key_uri`] and [`qr`]: the `otpauth://` URI and its QR code as PNG.
//! - [`import`]: hardware-token seed files (PSKC, CSV) to validated tokens.
//!
//! Everything here is pure: the current time comes in as `now_unix`, device state comes in and
//! the state to store goes out. No store, no HTTP, no system clock; only `secret` is used.
//! The store makes each returned state durable with a guarded write (`otp.md` §6.4).

pub mod base32;
pub mod import;
pub mod key_uri;
pub mod otp_check;
pub mod qr;
pub mod totp;
