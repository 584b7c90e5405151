//! String to sign, signing key and signature (§8.5). The same maths signs and verifies; the
//! verifier recomputes the signature and compares (in `verify.rs`).

use data_encoding::HEXLOWER;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{ALGORITHM, Scope};

/// SHA-256's block size: HMAC keys are padded (or first hashed) to this length (RFC 2104 §2).
const BLOCK: usize = 64;

/// The string to sign (§8.5), without a trailing newline:
/// algorithm, request date, credential scope, hex SHA-256 of the canonical request.
pub fn string_to_sign(amz_date_text: &str, scope: &Scope, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date_text}\n{}/{}/{}/{}\n{}",
        scope.date,
        scope.region,
        scope.service,
        scope.terminator,
        hex_sha256(canonical_request.as_bytes())
    )
}

/// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
/// (§8.5). The terminator is always `aws4_request`: any other is refused by the scope check.
pub fn signing_key(secret: &[u8], date: &str, region: &str, service: &str) -> [u8; 32] {
    let mut seed = Zeroizing::new(Vec::with_capacity(4 + secret.len()));
    seed.extend_from_slice(b"AWS4");
    seed.extend_from_slice(secret);
    let k_date = Zeroizing::new(hmac_sha256(&seed, date.as_bytes()));
    let k_region = Zeroizing::new(hmac_sha256(&*k_date, region.as_bytes()));
    let k_service = Zeroizing::new(hmac_sha256(&*k_region, service.as_bytes()));
    hmac_sha256(&*k_service, b"aws4_request")
}

/// Lower-case hex HMAC-SHA256 of the string to sign under the signing key (§8.5).
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    HEXLOWER.encode(&hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

/// Lower-case hex SHA-256, as the canonical request and string to sign write hashes.
pub(super) fn hex_sha256(bytes: &[u8]) -> String {
    HEXLOWER.encode(&Sha256::digest(bytes))
}

/// HMAC-SHA256 with a key of any length. `Hmac::new_from_slice` returns a `Result` although
/// HMAC accepts every key length; rather than an unreachable error path (whose fallback key
/// would be a known key) the key is brought to block size here exactly as RFC 2104 §2
/// prescribes (hashed if longer than a block, then zero-padded) and the infallible
/// fixed-size constructor is used.
fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut block = Zeroizing::new([0u8; BLOCK]);
    let hashed;
    let key = if key.len() > BLOCK {
        hashed = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(key)));
        &hashed[..]
    } else {
        key
    };
    block.iter_mut().zip(key).for_each(|(slot, byte)| *slot = *byte);
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&(*block).into());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        HEXLOWER.encode(bytes)
    }

    /// RFC 4231 test cases 1, 2 and 6 (6 has a 131-byte key, which must be hashed first).
    #[test]
    fn hmac_rfc4231() {
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        // Exactly one block: padded, not hashed.
        let key = [0x11u8; 64];
        let mut reference = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
        reference.update(b"x");
        assert_eq!(
            hmac_sha256(&key, b"x"),
            <[u8; 32]>::from(reference.finalize().into_bytes())
        );
    }

    /// Spec §8.7: signing key and signature.
    #[test]
    fn worked_example_key_and_signature() {
        let key = signing_key(
            b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
            "20240115",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex(&key),
            "981896fe91e671ad47fb39e5d549991c732f47caf8f2a6f86050e5e5a55a24c8"
        );
        let scope = Scope {
            date: "20240115".into(),
            region: "us-east-1".into(),
            service: "iam".into(),
            terminator: "aws4_request".into(),
        };
        let creq = "POST\n/\n\n\
                    content-type:application/x-www-form-urlencoded; charset=utf-8\n\
                    host:localhost:8080\n\
                    x-amz-date:20240115T120000Z\n\n\
                    content-type;host;x-amz-date\n\
                    cce79b19e3b4b7b03ff21a8592d8605d90ab8644b3e81f3501f6a6fcbecf5565";
        let sts = string_to_sign("20240115T120000Z", &scope, creq);
        assert_eq!(
            sts,
            "AWS4-HMAC-SHA256\n20240115T120000Z\n20240115/us-east-1/iam/aws4_request\n\
             6e0d879fc7b74098a70e934e21024ca21dbf7711d58555f2e29c6d40ace76052"
        );
        assert_eq!(
            signature(&key, &sts),
            "896d053eb17759123df5e169a6b45f50e5546d94b1ac804a1e2dbdfe6c9c367f"
        );
    }

    /// AWS's published signing-key example (General Reference, "Examples of how to derive a
    /// signing key for Signature Version 4").
    #[test]
    fn aws_documented_signing_key() {
        let key = signing_key(
            b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex(&key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }
}
