//! Scope checks (§8.3), payload hash and signature (§8.4–8.5), then the clock (§8.5). Every
//! failure is SignatureDoesNotMatch except a presigned URL past its expiry (RequestExpired).

use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime, UtcOffset};

use super::canonical::canonical_request;
use super::sign::{hex_sha256, signature, signing_key, string_to_sign};
use super::{Claim, HttpRequest, SigV4Error};

/// Allowed clock skew between client and server (§8.5).
const SKEW: Duration = Duration::minutes(15);
const TERMINATOR: &str = "aws4_request";
const MSG_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. \
                            Check your AWS Secret Access Key and signing method. \
                            Consult the service documentation for details.";
const MSG_PAYLOAD_HASH: &str = "The provided 'x-amz-content-sha256' header does not match what was computed.";

/// Check `claim` (from [`super::parse`] on the same `req`) against the secret of the access
/// key it names. `expected_service` is the service addressed (`iam` / `sts`, §1);
/// `allowed_regions` is the operator's allow-list, if any; `now` comes from the caller's clock.
pub fn verify(
    req: &HttpRequest<'_>,
    claim: &Claim,
    secret: &[u8],
    expected_service: &str,
    allowed_regions: Option<&[String]>,
    now: OffsetDateTime,
) -> Result<(), SigV4Error> {
    check_scope(claim, expected_service, allowed_regions)?;
    check_payload_hash(req)?;
    check_signature(req, claim, secret)?;
    check_time(claim, now)
}

/// §8.3. AWS reports every scope fault in one message, region, service, terminator, then
/// date; the first three texts end with a space, which is why they simply concatenate.
fn check_scope(claim: &Claim, expected_service: &str, allowed_regions: Option<&[String]>) -> Result<(), SigV4Error> {
    let scope = &claim.scope;
    let mut message = String::new();
    let region_ok =
        is_region_shaped(&scope.region) && allowed_regions.is_none_or(|allowed| allowed.contains(&scope.region));
    if !region_ok {
        message.push_str(&format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            scope.region
        ));
    }
    if scope.service != expected_service {
        message.push_str(&format!(
            "Credential should be scoped to correct service: '{expected_service}'. "
        ));
    }
    if scope.terminator != TERMINATOR {
        message.push_str(&format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{}'. ",
            scope.terminator
        ));
    }
    let request_date = claim.amz_date_text.get(..8).unwrap_or_default();
    if scope.date != request_date {
        message.push_str(&format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
             '{}' != '{request_date}', from '{}'.",
            scope.date, claim.amz_date_text
        ));
    }
    if message.is_empty() {
        Ok(())
    } else {
        Err(SigV4Error::DoesNotMatch(message))
    }
}

/// Regions Tessera accepts without an allow-list: `^[a-z0-9-]{1,32}$` (§1).
fn is_region_shaped(region: &str) -> bool {
    (1..=32).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A client-sent `x-amz-content-sha256` must be the body's hash: the canonical request always
/// uses the hash of the bytes received, and `UNSIGNED-PAYLOAD` is not accepted for IAM/STS
/// (§8.4), so a body can never go unsigned.
fn check_payload_hash(req: &HttpRequest<'_>) -> Result<(), SigV4Error> {
    let mut sent = req.header_values("x-amz-content-sha256").peekable();
    if sent.peek().is_none() {
        return Ok(());
    }
    let actual = hex_sha256(req.body);
    if sent.all(|value| value.trim() == actual) {
        Ok(())
    } else {
        Err(SigV4Error::DoesNotMatch(MSG_PAYLOAD_HASH.into()))
    }
}

/// Recompute the signature and compare in constant time (§8.5), so response timing says
/// nothing about how much of a forged signature was right.
fn check_signature(req: &HttpRequest<'_>, claim: &Claim, secret: &[u8]) -> Result<(), SigV4Error> {
    let canonical = canonical_request(req, claim);
    let to_sign = string_to_sign(&claim.amz_date_text, &claim.scope, &canonical);
    let key = zeroize::Zeroizing::new(signing_key(
        secret,
        &claim.scope.date,
        &claim.scope.region,
        &claim.scope.service,
    ));
    let expected = signature(&key, &to_sign);
    if bool::from(expected.as_bytes().ct_eq(claim.signature.as_bytes())) {
        Ok(())
    } else {
        Err(SigV4Error::DoesNotMatch(MSG_MISMATCH.into()))
    }
}

/// §8.5. Header form: the request time must be within 15 minutes of `now`, either way, the
/// bounds included. Presigned: not more than 15 minutes in the future, and `now` not past
/// `X-Amz-Date + X-Amz-Expires`. Date arithmetic is checked, never a panic: a bound beyond
/// the representable range (year ±9999) excludes no representable date.
fn check_time(claim: &Claim, now: OffsetDateTime) -> Result<(), SigV4Error> {
    // AWS compares and reports whole seconds, in UTC.
    let now = now
        .checked_to_offset(UtcOffset::UTC)
        .unwrap_or(now)
        .truncate_to_second();
    if let Some(latest) = now.checked_add(SKEW)
        && claim.amz_date > latest
    {
        return Err(SigV4Error::DoesNotMatch(format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            claim.amz_date_text,
            basic(latest),
            basic(now)
        )));
    }
    match claim.presigned_expires {
        None => {
            if let Some(earliest) = now.checked_sub(SKEW)
                && claim.amz_date < earliest
            {
                return Err(SigV4Error::DoesNotMatch(format!(
                    "Signature expired: {} is now earlier than {} ({} - 15 min.)",
                    claim.amz_date_text,
                    basic(earliest),
                    basic(now)
                )));
            }
        }
        Some(seconds) => {
            let lifetime = Duration::seconds(i64::from(seconds));
            if let Some(expiry) = claim.amz_date.checked_add(lifetime)
                && now > expiry
            {
                return Err(SigV4Error::PresignExpired);
            }
        }
    }
    Ok(())
}

/// `YYYYMMDDTHHMMSSZ`, the form AWS's skew messages use.
fn basic(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::parse;
    use crate::sigv4::test_support::{HOST, SECRET, Signer, header, now, worked_example_request};
    use time::macros::datetime;

    const BODY: &[u8] = b"Action=ListUsers&Version=2010-05-08";

    fn post(headers: &[(String, String)], body: &[u8]) -> Result<(), SigV4Error> {
        post_at(headers, body, now())
    }

    fn post_at(headers: &[(String, String)], body: &[u8], at: OffsetDateTime) -> Result<(), SigV4Error> {
        let req = HttpRequest {
            method: "POST",
            raw_path: "/",
            raw_query: "",
            headers,
            body,
        };
        let claim = parse(&req)?;
        verify(&req, &claim, SECRET.as_bytes(), "iam", None, at)
    }

    fn does_not_match(message: &str) -> Result<(), SigV4Error> {
        Err(SigV4Error::DoesNotMatch(message.into()))
    }

    /// Replace `from` by `to` in the Authorization header (scope tests break the scope only).
    fn edit_authorization(headers: &mut [(String, String)], from: &str, to: &str) {
        for (name, value) in headers.iter_mut() {
            if name == "authorization" {
                *value = value.replace(from, to);
            }
        }
    }

    #[test]
    fn worked_example_verifies() {
        let (headers, body) = worked_example_request();
        assert_eq!(post(&headers, &body), Ok(()));
        // The signature is over exactly these bytes.
        assert_eq!(
            post(&headers, b"Action=ListMFADevices&Version=2010-05-08&UserName=bob "),
            does_not_match(MSG_MISMATCH)
        );
    }

    #[test]
    fn wrong_secret_or_tampering_does_not_match() {
        let headers = Signer::iam().sign_headers("POST", "/", "", BODY);
        assert_eq!(post(&headers, BODY), Ok(()));
        let req = HttpRequest {
            method: "POST",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: BODY,
        };
        let claim = parse(&req).unwrap();
        assert_eq!(
            verify(&req, &claim, b"not the secret", "iam", None, now()),
            does_not_match(MSG_MISMATCH)
        );
        for (method, path, query) in [
            ("GET", "/", ""),
            ("POST", "/x", ""),
            ("POST", "/", "a=b"),
            ("post", "/", ""),
        ] {
            let req = HttpRequest {
                method,
                raw_path: path,
                raw_query: query,
                headers: &headers,
                body: BODY,
            };
            assert_eq!(
                verify(&req, &claim, SECRET.as_bytes(), "iam", None, now()),
                does_not_match(MSG_MISMATCH)
            );
        }
        // A repeated signed header changes the canonical value.
        let mut doubled = headers.clone();
        doubled.push(header("content-type", "text/plain"));
        assert_eq!(post(&doubled, BODY), does_not_match(MSG_MISMATCH));
        // An unsigned extra header does not matter.
        let mut extra = headers.clone();
        extra.push(header("user-agent", "test"));
        assert_eq!(post(&extra, BODY), Ok(()));
    }

    #[test]
    fn scope_service() {
        let signer = Signer {
            service: "sts".into(),
            ..Signer::iam()
        };
        let headers = signer.sign_headers("POST", "/", "", BODY);
        assert_eq!(
            post(&headers, BODY),
            does_not_match("Credential should be scoped to correct service: 'iam'. ")
        );
    }

    #[test]
    fn scope_region() {
        let headers = Signer {
            region: "eu-west-1".into(),
            ..Signer::iam()
        }
        .sign_headers("POST", "/", "", BODY);
        let req = HttpRequest {
            method: "POST",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: BODY,
        };
        let claim = parse(&req).unwrap();
        // Any well-formed region is accepted without an allow-list, and signs with itself.
        assert_eq!(verify(&req, &claim, SECRET.as_bytes(), "iam", None, now()), Ok(()));
        let allowed = vec!["us-east-1".to_string(), "eu-west-1".to_string()];
        assert_eq!(
            verify(&req, &claim, SECRET.as_bytes(), "iam", Some(&allowed), now()),
            Ok(())
        );
        let allowed = vec!["us-east-1".to_string()];
        assert_eq!(
            verify(&req, &claim, SECRET.as_bytes(), "iam", Some(&allowed), now()),
            does_not_match("Credential should be scoped to a valid region, not 'eu-west-1'. ")
        );
        // Outside ^[a-z0-9-]{1,32}$ even without an allow-list (§1).
        for bad in ["US-EAST-1", "us_east_1", "", &"a".repeat(33)] {
            let headers = Signer {
                region: bad.into(),
                ..Signer::iam()
            }
            .sign_headers("POST", "/", "", BODY);
            assert_eq!(
                post(&headers, BODY),
                does_not_match(&format!("Credential should be scoped to a valid region, not '{bad}'. ")),
                "{bad}"
            );
        }
        let headers = Signer {
            region: "a".repeat(32),
            ..Signer::iam()
        }
        .sign_headers("POST", "/", "", BODY);
        assert_eq!(post(&headers, BODY), Ok(()));
    }

    #[test]
    fn scope_terminator() {
        let mut headers = Signer::iam().sign_headers("POST", "/", "", BODY);
        edit_authorization(&mut headers, "/aws4_request", "/aws5_request");
        assert_eq!(
            post(&headers, BODY),
            does_not_match("Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ")
        );
    }

    #[test]
    fn scope_date() {
        let mut headers = Signer::iam().sign_headers("POST", "/", "", BODY);
        edit_authorization(&mut headers, "/20240115/", "/20240114/");
        assert_eq!(
            post(&headers, BODY),
            does_not_match(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
                 '20240114' != '20240115', from '20240115T120000Z'."
            )
        );
    }

    #[test]
    fn scope_faults_are_reported_together() {
        let mut headers = Signer::iam().sign_headers("POST", "/", "", BODY);
        edit_authorization(&mut headers, "/20240115/us-east-1/iam/aws4_request", "/b/C/d/e");
        assert_eq!(
            post(&headers, BODY),
            does_not_match(
                "Credential should be scoped to a valid region, not 'C'. \
                 Credential should be scoped to correct service: 'iam'. \
                 Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. \
                 Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
                 'b' != '20240115', from '20240115T120000Z'."
            )
        );
    }

    #[test]
    fn scope_is_checked_before_the_signature() {
        let headers = Signer {
            service: "sts".into(),
            ..Signer::iam()
        }
        .sign_headers("POST", "/", "", BODY);
        let req = HttpRequest {
            method: "POST",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: BODY,
        };
        let claim = parse(&req).unwrap();
        assert_eq!(
            verify(&req, &claim, b"wrong", "iam", None, now()),
            does_not_match("Credential should be scoped to correct service: 'iam'. ")
        );
    }

    /// Spec §8.5's example texts, exactly.
    #[test]
    fn skew_messages_match_the_spec() {
        let headers = Signer::iam().sign_headers("POST", "/", "", BODY);
        assert_eq!(
            post_at(&headers, BODY, datetime!(2024-01-15 12:30:01 UTC)),
            does_not_match(
                "Signature expired: 20240115T120000Z is now earlier than 20240115T121501Z (20240115T123001Z - 15 min.)"
            )
        );
        let headers = Signer::iam()
            .with_date("20240115T130000Z")
            .sign_headers("POST", "/", "", BODY);
        assert_eq!(
            post_at(&headers, BODY, datetime!(2024-01-15 12:30:01 UTC)),
            does_not_match(
                "Signature not yet current: 20240115T130000Z is still later than 20240115T124501Z (20240115T123001Z + 15 min.)"
            )
        );
    }

    #[test]
    fn skew_boundaries() {
        let headers = Signer::iam().sign_headers("POST", "/", "", BODY);
        // Request at 12:00:00: accepted from 11:45:00 through 12:15:00 inclusive.
        for ok in [
            datetime!(2024-01-15 11:45:00 UTC),
            datetime!(2024-01-15 11:59:59 UTC),
            datetime!(2024-01-15 12:00:00 UTC),
            datetime!(2024-01-15 12:14:59 UTC),
            datetime!(2024-01-15 12:15:00 UTC),
            // Sub-second parts are dropped, as AWS reports whole seconds.
            datetime!(2024-01-15 12:15:00.999 UTC),
            // Same instant in another offset.
            datetime!(2024-01-15 13:15:00 +01:00),
        ] {
            assert_eq!(post_at(&headers, BODY, ok), Ok(()), "{ok}");
        }
        assert_eq!(
            post_at(&headers, BODY, datetime!(2024-01-15 12:15:01 UTC)),
            does_not_match(
                "Signature expired: 20240115T120000Z is now earlier than 20240115T120001Z (20240115T121501Z - 15 min.)"
            )
        );
        assert_eq!(
            post_at(&headers, BODY, datetime!(2024-01-15 13:15:01 +01:00)),
            does_not_match(
                "Signature expired: 20240115T120000Z is now earlier than 20240115T120001Z (20240115T121501Z - 15 min.)"
            )
        );
        assert_eq!(
            post_at(&headers, BODY, datetime!(2024-01-15 11:44:59 UTC)),
            does_not_match(
                "Signature not yet current: 20240115T120000Z is still later than 20240115T115959Z (20240115T114459Z + 15 min.)"
            )
        );
    }

    #[test]
    fn the_signature_is_checked_before_the_clock() {
        let headers = Signer::iam().sign_headers("POST", "/", "", BODY);
        let req = HttpRequest {
            method: "POST",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: BODY,
        };
        let claim = parse(&req).unwrap();
        let late = datetime!(2024-01-16 12:00:00 UTC);
        assert_eq!(
            verify(&req, &claim, b"wrong", "iam", None, late),
            does_not_match(MSG_MISMATCH)
        );
    }

    #[test]
    fn extreme_clock_values_do_not_panic() {
        let headers = Signer::iam()
            .with_date("99991231T235959Z")
            .sign_headers("POST", "/", "", BODY);
        let max = datetime!(9999-12-31 23:59:59 UTC);
        assert_eq!(post_at(&headers, BODY, max), Ok(()));
        let headers = Signer::iam()
            .with_date("00000101T000000Z")
            .sign_headers("POST", "/", "", BODY);
        let min = datetime!(-9999-01-01 00:00:00 UTC);
        assert!(matches!(post_at(&headers, BODY, min), Err(SigV4Error::DoesNotMatch(_))));
        let at = datetime!(0000-01-01 00:10:00 UTC);
        assert_eq!(post_at(&headers, BODY, at), Ok(()));
        // Expiry beyond year 9999 is not reached by any representable clock.
        let query = Signer::iam()
            .with_date("99991231T235959Z")
            .presign("GET", "/", "", 604800);
        let headers = [header("host", HOST)];
        let req = HttpRequest {
            method: "GET",
            raw_path: "/",
            raw_query: &query,
            headers: &headers,
            body: b"",
        };
        let claim = parse(&req).unwrap();
        assert_eq!(verify(&req, &claim, SECRET.as_bytes(), "iam", None, max), Ok(()));
    }

    #[test]
    fn content_sha256_must_be_the_body_hash() {
        let hash = hex_sha256(BODY);
        let headers = Signer::iam()
            .with_header("x-amz-content-sha256", &hash)
            .sign_headers("POST", "/", "", BODY);
        assert_eq!(post(&headers, BODY), Ok(()));
        let msg = "The provided 'x-amz-content-sha256' header does not match what was computed.";
        for sent in [
            "UNSIGNED-PAYLOAD",
            &hex_sha256(b"other"),
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            &hash.to_uppercase(),
        ] {
            let headers = Signer::iam()
                .with_header("x-amz-content-sha256", sent)
                .sign_headers("POST", "/", "", BODY);
            assert_eq!(post(&headers, BODY), does_not_match(msg), "{sent}");
        }
        // Unsigned, it is still checked.
        let mut headers = Signer::iam().sign_headers("POST", "/", "", BODY);
        headers.push(header("x-amz-content-sha256", "UNSIGNED-PAYLOAD"));
        assert_eq!(post(&headers, BODY), does_not_match(msg));
    }

    fn presigned(query: &str, at: OffsetDateTime) -> Result<(), SigV4Error> {
        let headers = [header("host", HOST)];
        let req = HttpRequest {
            method: "GET",
            raw_path: "/",
            raw_query: query,
            headers: &headers,
            body: b"",
        };
        let claim = parse(&req)?;
        verify(&req, &claim, SECRET.as_bytes(), "iam", None, at)
    }

    #[test]
    fn presigned_expiry() {
        let query = Signer::iam().presign("GET", "/", "Action=ListUsers&Version=2010-05-08", 3600);
        assert_eq!(presigned(&query, now()), Ok(()));
        // The header form's 15-minute window does not apply to the past: X-Amz-Expires does.
        assert_eq!(presigned(&query, datetime!(2024-01-15 12:59:59 UTC)), Ok(()));
        assert_eq!(presigned(&query, datetime!(2024-01-15 13:00:00 UTC)), Ok(()));
        assert_eq!(
            presigned(&query, datetime!(2024-01-15 13:00:01 UTC)),
            Err(SigV4Error::PresignExpired)
        );
        // Still no more than 15 minutes ahead of the clock.
        assert_eq!(presigned(&query, datetime!(2024-01-15 11:45:00 UTC)), Ok(()));
        assert_eq!(
            presigned(&query, datetime!(2024-01-15 11:44:59 UTC)),
            does_not_match(
                "Signature not yet current: 20240115T120000Z is still later than 20240115T115959Z (20240115T114459Z + 15 min.)"
            )
        );
        let week = Signer::iam().presign("GET", "/", "", 604800);
        assert_eq!(presigned(&week, datetime!(2024-01-22 12:00:00 UTC)), Ok(()));
        assert_eq!(
            presigned(&week, datetime!(2024-01-22 12:00:01 UTC)),
            Err(SigV4Error::PresignExpired)
        );
    }

    #[test]
    fn presigned_tampering() {
        let query = Signer::iam()
            .with_token("tok")
            .presign("GET", "/", "Action=ListUsers&Version=2010-05-08", 60);
        assert_eq!(presigned(&query, now()), Ok(()));
        for (from, to) in [
            ("Action=ListUsers", "Action=ListRoles"),
            ("X-Amz-Expires=60", "X-Amz-Expires=61"),
            ("X-Amz-Security-Token=tok", "X-Amz-Security-Token=tol"),
        ] {
            assert_eq!(
                presigned(&query.replace(from, to), now()),
                does_not_match(MSG_MISMATCH),
                "{to}"
            );
        }
        assert_eq!(
            presigned(&format!("{query}&Extra=1"), now()),
            does_not_match(MSG_MISMATCH)
        );
        // Moving the signature elsewhere in the query changes nothing.
        let (rest, sig) = query.rsplit_once('&').unwrap();
        assert_eq!(presigned(&format!("{sig}&{rest}"), now()), Ok(()));
    }

    #[test]
    fn session_token_signed_or_not() {
        let headers = Signer::iam()
            .with_token("signed-token")
            .sign_headers("POST", "/", "", BODY);
        assert_eq!(post(&headers, BODY), Ok(()));
        let mut changed = headers.clone();
        for (name, value) in changed.iter_mut() {
            if name == "x-amz-security-token" {
                *value = "other-token".into();
            }
        }
        assert_eq!(post(&changed, BODY), does_not_match(MSG_MISMATCH));
        // Unsigned token (header added after signing, as in the suite's post-sts-header-after).
        let mut headers = Signer::iam().sign_headers("POST", "/", "", BODY);
        headers.push(header("x-amz-security-token", "unsigned"));
        assert_eq!(post(&headers, BODY), Ok(()));
    }
}
