//! AWS Signature Version 4 verification (pure: bytes in, decision out).
