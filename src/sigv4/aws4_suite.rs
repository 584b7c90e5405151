//! The AWS SigV4 test suite (`testdata/aws4_testsuite/`, see `testdata/README.md`): every
//! vector's canonical request, string to sign and signature are recomputed and compared with
//! the files, and both the request and the signed request are run through `parse` + `verify`.
//!
//! The suite's service is a generic non-S3 one, the same "double-encoding" kind as IAM and
//! STS (§8.4), so every vector applies; none is skipped. In particular the `normalize-path`
//! vectors drop empty segments (`//example//` → `/example/`): that is AWS's dot-segment
//! removal for non-S3 services (the S3 exception is the suite's own `normalize-path.txt`),
//! and it is what botocore signs, so `canonical.rs` does the same.

use std::path::{Path, PathBuf};

use time::macros::datetime;

use super::{HttpRequest, SigV4Error, canonical_request, parse, signature, signing_key, string_to_sign, verify};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const REGION: &str = "us-east-1";
const SERVICE: &str = "service";
/// How many vectors the copied suite holds: a vanished directory must fail, not shrink the run.
const VECTOR_COUNT: usize = 34;

/// Vectors whose `.sreq` does not carry the signature of its own `.authz`, with why. The
/// `.req`/`.authz` pair of these vectors is still checked in full.
const SREQ_DEFECTS: &[(&str, &str)] = &[(
    "get-vanilla-with-session-token",
    "upstream .sreq signs x-amz-security-token but carries get-vanilla's signature (5fa00fa3…); \
     the .authz (07ec1639…) is the one that matches the .creq and .sts",
)];

struct Vector {
    name: String,
    req: String,
    creq: String,
    sts: String,
    authz: String,
    sreq: String,
}

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sigv4/testdata/aws4_testsuite")
}

/// Every directory holding a `NAME.req` is a vector (some are nested one level deeper).
fn vectors() -> Vec<Vector> {
    let mut found = Vec::new();
    let mut dirs = vec![suite_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "req") {
                let stem = path.with_extension("");
                let read = |ext: &str| std::fs::read_to_string(stem.with_extension(ext)).unwrap();
                found.push(Vector {
                    name: stem.file_name().unwrap().to_string_lossy().into_owned(),
                    req: read("req"),
                    creq: read("creq"),
                    sts: read("sts"),
                    authz: read("authz"),
                    sreq: read("sreq"),
                });
            }
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// A request as an HTTP/1.1 server would hand it over: method, raw target split at `?`,
/// header names lower-cased, values stripped of surrounding blanks, folded lines joined
/// with a space (RFC 9112 §5.2), the body after the first blank line.
struct RawRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawRequest {
    fn parse(text: &str) -> Self {
        let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
        let mut lines = head.lines();
        let request_line = lines.next().unwrap();
        let (method, rest) = request_line.split_once(' ').unwrap();
        // The target may contain a space (`normalize-path/get-space`): the version is last.
        let (target, _version) = rest.rsplit_once(' ').unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                let (_, value) = headers.last_mut().unwrap();
                value.push(' ');
                value.push_str(line.trim());
            } else {
                let (name, value) = line.split_once(':').unwrap();
                headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn http(&self) -> HttpRequest<'_> {
        HttpRequest {
            method: &self.method,
            raw_path: &self.path,
            raw_query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }
}

/// The `.req`, plus, like botocore's harness, the session token named in the expected
/// canonical request as a header when the `.req` omits it (`get-vanilla-with-session-token`).
fn request_with_token(v: &Vector) -> RawRequest {
    let mut raw = RawRequest::parse(&v.req);
    let token = v.creq.lines().find_map(|l| l.strip_prefix("x-amz-security-token:"));
    let has_token = raw.headers.iter().any(|(n, _)| n == "x-amz-security-token");
    if let Some(token) = token
        && !has_token
    {
        raw.headers.push(("x-amz-security-token".into(), token.into()));
    }
    raw
}

fn suite_now() -> time::OffsetDateTime {
    datetime!(2015-08-30 12:36:00 UTC)
}

fn verify_at_suite_time(req: &HttpRequest<'_>) -> Result<(), SigV4Error> {
    let claim = parse(req)?;
    verify(req, &claim, SECRET.as_bytes(), SERVICE, None, suite_now())
}

#[test]
fn suite_is_complete() {
    assert_eq!(vectors().len(), VECTOR_COUNT);
}

/// `.req` + `.authz`: canonical request, string to sign and signature equal the files.
#[test]
fn suite_canonical_request_string_to_sign_and_signature() {
    let mut failures = Vec::new();
    for v in vectors() {
        let mut raw = request_with_token(&v);
        raw.headers.push(("authorization".into(), v.authz.clone()));
        let req = raw.http();
        let claim = match parse(&req) {
            Ok(claim) => claim,
            Err(e) => {
                failures.push(format!("{}: parse: {e:?}", v.name));
                continue;
            }
        };
        let creq = canonical_request(&req, &claim);
        let sts = string_to_sign(&claim.amz_date_text, &claim.scope, &creq);
        let key = signing_key(SECRET.as_bytes(), &claim.scope.date, REGION, SERVICE);
        let sig = signature(&key, &sts);
        let expected_sig = v.authz.rsplit_once("Signature=").unwrap().1;
        if creq != v.creq {
            failures.push(format!("{}: canonical request\n{creq}\n!=\n{}", v.name, v.creq));
        }
        if sts != v.sts {
            failures.push(format!("{}: string to sign\n{sts}\n!=\n{}", v.name, v.sts));
        }
        if sig != expected_sig {
            failures.push(format!("{}: signature {sig} != {expected_sig}", v.name));
        }
        if let Err(e) = verify(&req, &claim, SECRET.as_bytes(), SERVICE, None, suite_now()) {
            failures.push(format!("{}: verify: {e:?}", v.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `.sreq`: the signed request as a server receives it verifies (defects listed above
/// must fail, and with a mismatch only).
#[test]
fn suite_signed_requests_verify() {
    let mut failures = Vec::new();
    for v in vectors() {
        let raw = RawRequest::parse(&v.sreq);
        let verdict = verify_at_suite_time(&raw.http());
        let defect = SREQ_DEFECTS.iter().any(|(name, _)| *name == v.name);
        let ok = match &verdict {
            Ok(()) => !defect,
            Err(SigV4Error::DoesNotMatch(m)) => defect && m.starts_with("The request signature"),
            Err(_) => false,
        };
        if !ok {
            failures.push(format!("{}: {verdict:?} (listed defect: {defect})", v.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The suite's unsigned-token case: the token is still handed to the caller.
#[test]
fn suite_token_added_after_signing_is_reported() {
    let v = vectors()
        .into_iter()
        .find(|v| v.name == "post-sts-header-after")
        .unwrap();
    let raw = RawRequest::parse(&v.sreq);
    let req = raw.http();
    let claim = parse(&req).unwrap();
    assert!(
        claim
            .session_token
            .unwrap()
            .starts_with("AQoDYXdzEPT//////////wEXAMPLE")
    );
    assert_eq!(claim.signed_headers, ["host", "x-amz-date"]);
}

/// Each vector with one byte of its signature changed does not match.
#[test]
fn suite_flipped_signatures_do_not_match() {
    for v in vectors() {
        let mut raw = request_with_token(&v);
        let (head, sig) = v.authz.rsplit_once("Signature=").unwrap();
        let flipped: String = sig
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 10 { if c == '0' { '1' } else { '0' } } else { c })
            .collect();
        raw.headers
            .push(("authorization".into(), format!("{head}Signature={flipped}")));
        assert!(
            matches!(verify_at_suite_time(&raw.http()), Err(SigV4Error::DoesNotMatch(_))),
            "{}",
            v.name
        );
    }
}
