//! AWS Signature Version 4 verification (pure: bytes in, decision out).
//!
//! Contract: `spec/wire-protocol.md` §8. The HTTP layer hands over an [`HttpRequest`] built
//! from the bytes it received; [`parse`] locates the signature claim and runs the structural
//! checks (§8.1–8.2), the caller resolves the access key (§8.6), and [`verify`] runs the scope
//! checks, the signature and the clock (§8.3–8.5).
//!
//! May not use: axum, http, SQL, the system clock (`now` is an argument), or any other
//! Tessera module. Files, one job each:
//! - `parse.rs`: header or presigned form → [`Claim`], structural checks;
//! - `canonical.rs`: the canonical request (§8.4);
//! - `sign.rs`: string to sign, signing key, signature (§8.5);
//! - `verify.rs`: scope, payload hash, signature comparison, time (§8.3, §8.5).

mod canonical;
mod parse;
mod sign;
mod verify;

#[cfg(test)]
mod aws4_suite;
#[cfg(test)]
mod botocore_fixtures;
#[cfg(test)]
mod test_support;

pub use canonical::canonical_request;
pub use parse::parse;
pub use sign::{signature, signing_key, string_to_sign};
pub use verify::verify;

/// The only algorithm accepted (§8).
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// What the HTTP layer hands over; no http/axum types here.
pub struct HttpRequest<'a> {
    /// As received, e.g. `"POST"`.
    pub method: &'a str,
    /// Still percent-encoded, e.g. `"/"`.
    pub raw_path: &'a str,
    /// Without `?`, may be `""`.
    pub raw_query: &'a str,
    /// Names lower-cased by the caller, values as received (a name may repeat).
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl HttpRequest<'_> {
    /// The first value of header `name`, if any.
    pub fn header<'s>(&'s self, name: &'s str) -> Option<&'s str> {
        self.header_values(name).next()
    }

    /// Every value of header `name`, in arrival order. Names are compared without regard to
    /// ASCII case so a caller that forgot to lower-case cannot open a gap.
    fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The signature claim found in a request, after structural checks (§8.1–8.2). Only
/// [`parse`] builds one, so [`verify`] can trust its fields agree with each other.
#[derive(Clone)]
pub struct Claim {
    pub access_key_id: String,
    pub scope: Scope,
    /// As listed by the client: lower-case, sorted, no duplicates, includes `host`.
    pub signed_headers: Vec<String>,
    /// 64 lower-case hex characters.
    pub signature: String,
    pub amz_date: time::OffsetDateTime,
    /// `YYYYMMDDTHHMMSSZ`, exactly as received; it goes into the string to sign.
    pub amz_date_text: String,
    /// `X-Amz-Security-Token` from the header or the query, signed or not (§8.6 step 3).
    pub session_token: Option<String>,
    /// `X-Amz-Expires` (1..=604800) for the presigned form, `None` for the header form.
    pub presigned_expires: Option<u32>,
    form: Form,
}

/// Where the signature was found (§8.1). Presigned requests leave `X-Amz-Signature` out of
/// the canonical query string (§8.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Header,
    Query,
}

impl std::fmt::Debug for Claim {
    // The session token is a bearer credential: never printed (STYLE §5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claim")
            .field("access_key_id", &self.access_key_id)
            .field("scope", &self.scope)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature)
            .field("amz_date_text", &self.amz_date_text)
            .field("session_token", &self.session_token.as_ref().map(|_| "redacted"))
            .field("presigned_expires", &self.presigned_expires)
            .field("form", &self.form)
            .finish()
    }
}

/// The credential scope `DATE/REGION/SERVICE/TERMINATOR` as the client wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub date: String,
    pub region: String,
    pub service: String,
    pub terminator: String,
}

/// Why a request is not authenticated. Each variant maps to one wire error (§5.1); the
/// messages are AWS's wording where AWS has one.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SigV4Error {
    /// Neither an `Authorization` header nor `X-Amz-Algorithm` → 403 MissingAuthenticationToken.
    #[error("Request is missing Authentication Token")]
    Missing,
    /// Malformed or partial signature (§8.2) → 400 IncompleteSignature.
    #[error("{0}")]
    Incomplete(String),
    /// Scope, payload hash, signature or clock skew (§8.3, §8.5) → 403 SignatureDoesNotMatch.
    #[error("{0}")]
    DoesNotMatch(String),
    /// Presigned request used after `X-Amz-Date + X-Amz-Expires` → 400 RequestExpired.
    #[error("Request has expired.")]
    PresignExpired,
}

/// True for query parameters that belong to SigV4 rather than to the action (§2.1): every
/// SigV4 query parameter starts with `X-Amz-` and no IAM or STS action parameter does, so the
/// whole prefix is reserved (compared without regard to ASCII case).
pub fn is_auth_query_param(name: &str) -> bool {
    name.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("X-Amz-"))
}

#[cfg(test)]
mod tests {
    use super::test_support::{Signer, header};
    use super::*;

    #[test]
    fn auth_query_params_are_recognised() {
        for name in [
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-Expires",
            "X-Amz-SignedHeaders",
            "X-Amz-Signature",
            "X-Amz-Security-Token",
            "x-amz-date",
        ] {
            assert!(is_auth_query_param(name), "{name}");
        }
        for name in ["Action", "Version", "UserName", "X-Amz", "Amz-Date", "", "X-Am"] {
            assert!(!is_auth_query_param(name), "{name}");
        }
    }

    #[test]
    fn claim_debug_redacts_the_session_token() {
        let signer = Signer::iam().with_token("very-secret-token");
        let headers = signer.sign_headers("POST", "/", "", b"Action=ListUsers");
        let req = HttpRequest {
            method: "POST",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: b"Action=ListUsers",
        };
        let claim = parse(&req).unwrap();
        assert_eq!(claim.session_token.as_deref(), Some("very-secret-token"));
        let printed = format!("{claim:?}");
        assert!(!printed.contains("very-secret-token"), "{printed}");
        assert!(printed.contains("redacted"));
    }

    #[test]
    fn error_texts() {
        assert_eq!(
            SigV4Error::Missing.to_string(),
            "Request is missing Authentication Token"
        );
        assert_eq!(SigV4Error::Incomplete("x".into()).to_string(), "x");
        assert_eq!(SigV4Error::DoesNotMatch("y".into()).to_string(), "y");
        assert_eq!(SigV4Error::PresignExpired.to_string(), "Request has expired.");
    }

    /// Bounded property test (STYLE §6): garbage `Authorization` headers, queries, dates and
    /// bodies never panic, and nothing but a correctly signed request is accepted.
    #[test]
    fn garbage_never_panics_and_is_never_accepted() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let pieces: &[&str] = &[
            "AWS4-HMAC-SHA256",
            "AWS4-ECDSA-P256-SHA256",
            " ",
            ",",
            ", ",
            "=",
            "/",
            ";",
            "&",
            "%",
            "%2",
            "%zz",
            "%E1%88",
            "Credential=",
            "SignedHeaders=",
            "Signature=",
            "AKIDEXAMPLE/20240115/us-east-1/iam/aws4_request",
            "host;x-amz-date",
            "host",
            "x-amz-date",
            "Host",
            "896d053eb17759123df5e169a6b45f50e5546d94b1ac804a1e2dbdfe6c9c367f",
            "X-Amz-Algorithm=",
            "X-Amz-Credential=",
            "X-Amz-Date=",
            "X-Amz-Expires=",
            "X-Amz-SignedHeaders=",
            "X-Amz-Signature=",
            "X-Amz-Security-Token=",
            "20240115T120000Z",
            "2024011",
            "99999999T999999Z",
            "604800",
            "604801",
            "-1",
            "+5",
            "..",
            ".",
            "\u{1234}",
            "é",
            "\t",
            "\n",
            "SignatureVersion=2",
            "aws4_request",
            "iam",
            "us-east-1",
        ];
        let pick = |rng: &mut XorShift, max: usize| -> String {
            let n = rng.below(max);
            (0..n).map(|_| pieces[rng.below(pieces.len())]).collect()
        };
        let now = test_support::now();
        for _ in 0..5000 {
            let auth = pick(&mut rng, 12);
            let query = pick(&mut rng, 10);
            let date = pick(&mut rng, 3);
            let path = format!("/{}", pick(&mut rng, 4));
            let body = pick(&mut rng, 4);
            let mut headers = vec![header("host", "localhost:8080")];
            if rng.below(4) != 0 {
                headers.push(header("authorization", &auth));
            }
            if rng.below(3) != 0 {
                headers.push(header("x-amz-date", &date));
            }
            if rng.below(5) == 0 {
                headers.push(header("x-amz-security-token", &pick(&mut rng, 2)));
            }
            if rng.below(5) == 0 {
                headers.push(header("x-amz-content-sha256", &pick(&mut rng, 2)));
            }
            let req = HttpRequest {
                method: "POST",
                raw_path: &path,
                raw_query: &query,
                headers: &headers,
                body: body.as_bytes(),
            };
            // Canonicalisation must not panic either, whatever the claim.
            let _ = canonical::canonical_uri(&path);
            let _ = canonical::canonical_query_string(&query, rng.below(2) == 0);
            if let Ok(claim) = parse(&req) {
                let _ = canonical_request(&req, &claim);
                let regions = vec!["us-east-1".to_string()];
                let allowed = if rng.below(2) == 0 {
                    Some(regions.as_slice())
                } else {
                    None
                };
                let verdict = verify(&req, &claim, b"secret", "iam", allowed, now);
                assert!(verdict.is_err(), "garbage accepted: auth={auth:?} query={query:?}");
            }
        }
    }

    /// Bounded property test: correctly signed requests with random edits (in the
    /// Authorization header, the query, the date, the path, the body) never panic, and an
    /// edited body or X-Amz-Date is never accepted.
    #[test]
    fn edited_signed_requests_never_panic() {
        let pieces = [
            " ",
            ",",
            "=",
            "/",
            ";",
            "&",
            "%",
            "%2F",
            "+",
            ".",
            "..",
            "a",
            "Z",
            "0",
            "\u{1234}",
            "X-Amz-Date=",
            "Signature=",
            "host",
            "\t",
        ];
        let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
        let signer = Signer::iam().with_token("token");
        let signed_body = "Action=ListUsers&Version=2010-05-08";
        let signed = signer.sign_headers("POST", "/", "a=1", signed_body.as_bytes());
        let presigned = signer.presign("GET", "/", "Action=ListUsers", 900);
        let edit = |rng: &mut XorShift, text: &str| -> String {
            let mut chars: Vec<String> = text.chars().map(String::from).collect();
            let at = rng.below(chars.len() + 1);
            match rng.below(3) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 if at < chars.len() => chars[at] = pieces[rng.below(pieces.len())].into(),
                _ => chars.insert(at, pieces[rng.below(pieces.len())].into()),
            }
            chars.concat()
        };
        let mut accepted = 0;
        for round in 0..3000 {
            let mut headers = signed.clone();
            let mut query = "a=1".to_string();
            let mut path = "/".to_string();
            let mut body = signed_body.to_string();
            let mut method = "POST";
            if round % 2 == 1 {
                headers = vec![header("host", test_support::HOST)];
                query = presigned.clone();
                body.clear();
                method = "GET";
            }
            let original_body = body.clone();
            let target = rng.below(5);
            match target {
                0 => {
                    for (name, value) in headers.iter_mut() {
                        if name == "authorization" || (name == "host" && round % 2 == 1) {
                            *value = edit(&mut rng, value);
                        }
                    }
                }
                1 => query = edit(&mut rng, &query),
                2 => {
                    for (name, value) in headers.iter_mut() {
                        if name == "x-amz-date" {
                            *value = edit(&mut rng, value);
                        }
                    }
                }
                3 => path = edit(&mut rng, &path),
                _ => body = edit(&mut rng, &body),
            }
            let req = HttpRequest {
                method,
                raw_path: &path,
                raw_query: &query,
                headers: &headers,
                body: body.as_bytes(),
            };
            let verdict = parse(&req).and_then(|claim| {
                verify(
                    &req,
                    &claim,
                    test_support::SECRET.as_bytes(),
                    "iam",
                    None,
                    test_support::now(),
                )
            });
            if body != original_body {
                assert!(verdict.is_err(), "changed body accepted: {body:?}");
            }
            let date = headers.iter().find(|(name, _)| name == "x-amz-date");
            if date.is_some_and(|(_, value)| value != &signer.date) {
                assert!(verdict.is_err(), "changed date accepted: {date:?}");
            }
            if verdict.is_ok() {
                accepted += 1;
            }
        }
        // Some edits are harmless (a space after a comma, `/` → `//`, blanks around Host, a
        // different access key ID, which only selects the secret): both outcomes occur.
        assert!((1..3000).contains(&accepted), "{accepted}");
    }

    /// xorshift64: a seeded generator so the property test is repeatable without a dependency.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }
}
