//! Requests signed by botocore itself (`testdata/botocore_fixtures.json`, written by
//! `testdata/make_fixtures.py`): real IAM and STS calls as the SDKs send them must verify,
//! and changing any signed byte must not.

use serde::Deserialize;

use super::parse::parse_amz_date;
use super::{HttpRequest, SigV4Error, parse, verify};

#[derive(Deserialize)]
struct Fixtures {
    now: String,
    fixtures: Vec<Fixture>,
}

#[derive(Deserialize, Clone)]
struct Fixture {
    name: String,
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
    access_key_id: String,
    secret: String,
    session_token: Option<String>,
    service: String,
    region: String,
    /// `valid`, or the `SigV4Error` variant expected.
    expected: String,
}

impl Fixture {
    fn http(&self) -> HttpRequest<'_> {
        HttpRequest {
            method: &self.method,
            raw_path: &self.path,
            raw_query: &self.query,
            headers: &self.headers,
            body: self.body.as_bytes(),
        }
    }

    fn run(&self, now: time::OffsetDateTime) -> Result<(), SigV4Error> {
        let req = self.http();
        let claim = parse(&req)?;
        verify(&req, &claim, self.secret.as_bytes(), &self.service, None, now)
    }

    fn is_presigned(&self) -> bool {
        self.query.contains("X-Amz-Signature=")
    }

    fn signed_header_names(&self) -> Vec<String> {
        parse(&self.http()).unwrap().signed_headers
    }
}

fn load() -> (time::OffsetDateTime, Vec<Fixture>) {
    let file: Fixtures = serde_json::from_str(include_str!("testdata/botocore_fixtures.json")).unwrap();
    (parse_amz_date(&file.now).unwrap(), file.fixtures)
}

fn valid() -> (time::OffsetDateTime, Vec<Fixture>) {
    let (now, fixtures) = load();
    (now, fixtures.into_iter().filter(|f| f.expected == "valid").collect())
}

fn is_mismatch(result: &Result<(), SigV4Error>) -> bool {
    matches!(result, Err(SigV4Error::DoesNotMatch(m)) if m.starts_with("The request signature we calculated"))
}

/// Change one character in the middle of `text` to a different one of the same class.
fn flip_middle(text: &str) -> String {
    let middle = text.len() / 2;
    text.char_indices()
        .map(|(i, c)| {
            if i == middle {
                if c == 'a' { 'b' } else { 'a' }
            } else {
                c
            }
        })
        .collect()
}

#[test]
fn fixtures_cover_the_brief() {
    let (_, fixtures) = load();
    let has = |pred: &dyn Fn(&Fixture) -> bool| fixtures.iter().any(pred);
    assert!(has(&|f| f.method == "POST"
        && f.body.contains("Action=")
        && f.service == "iam"));
    assert!(has(&|f| f.service == "sts"
        && f.session_token.is_some()
        && !f.is_presigned()));
    assert!(has(&|f| f.method == "GET"
        && f.query.contains("Action=")
        && !f.is_presigned()));
    assert!(has(&|f| f.is_presigned() && f.expected == "valid"));
    assert!(has(&|f| f.is_presigned() && f.session_token.is_some()));
    assert!(has(&|f| f.body.contains('+')
        && f.body.contains("%25")
        && f.body.contains("%C3%BC")));
    assert!(has(&|f| f.region == "us-west-2"));
    assert!(fixtures.len() >= 10);
}

/// Every fixture reaches its expected verdict, and a valid claim reports what botocore sent.
#[test]
fn botocore_signed_requests_verify() {
    let (now, fixtures) = load();
    for f in &fixtures {
        let verdict = f.run(now);
        match f.expected.as_str() {
            "valid" => {
                assert_eq!(verdict, Ok(()), "{}", f.name);
                let claim = parse(&f.http()).unwrap();
                assert_eq!(claim.access_key_id, f.access_key_id, "{}", f.name);
                assert_eq!(claim.scope.region, f.region, "{}", f.name);
                assert_eq!(claim.scope.service, f.service, "{}", f.name);
                assert_eq!(claim.session_token, f.session_token, "{}", f.name);
                assert_eq!(claim.presigned_expires.is_some(), f.is_presigned(), "{}", f.name);
            }
            "DoesNotMatch" => assert!(
                matches!(verdict, Err(SigV4Error::DoesNotMatch(_))),
                "{}: {verdict:?}",
                f.name
            ),
            "PresignExpired" => assert_eq!(verdict, Err(SigV4Error::PresignExpired), "{}", f.name),
            other => panic!("{}: unknown expectation {other}", f.name),
        }
    }
}

#[test]
fn flipped_body_byte_does_not_match() {
    let (now, fixtures) = valid();
    for mut f in fixtures {
        if f.body.is_empty() {
            // Presigned requests sign the empty body: any body breaks them.
            f.body = "Action=ListUsers".into();
        } else {
            f.body = flip_middle(&f.body);
        }
        let verdict = f.run(now);
        let payload_hash_refused =
            matches!(&verdict, Err(SigV4Error::DoesNotMatch(m)) if m.contains("x-amz-content-sha256"));
        assert!(is_mismatch(&verdict) || payload_hash_refused, "{}: {verdict:?}", f.name);
    }
}

#[test]
fn flipped_signature_does_not_match() {
    let (now, fixtures) = valid();
    for mut f in fixtures {
        if f.is_presigned() {
            let (rest, sig) = f.query.split_once("X-Amz-Signature=").unwrap();
            f.query = format!("{rest}X-Amz-Signature={}", flip_middle(sig));
        } else {
            for (name, value) in f.headers.iter_mut() {
                if name == "authorization" {
                    let (rest, sig) = value.split_once("Signature=").unwrap();
                    *value = format!("{rest}Signature={}", flip_middle(sig));
                }
            }
        }
        assert!(is_mismatch(&f.run(now)), "{}", f.name);
    }
}

/// Each signed header changed in turn does not match; unsigned ones may change freely.
#[test]
fn changed_headers() {
    let (now, fixtures) = valid();
    for f in fixtures {
        let signed = f.signed_header_names();
        for index in 0..f.headers.len() {
            let mut changed = f.clone();
            let (name, value) = &mut changed.headers[index];
            if name == "authorization" {
                continue;
            }
            *value = if name == "x-amz-date" {
                "20240115T120001Z".into()
            } else {
                format!("{value}x")
            };
            let is_signed = signed.contains(name);
            let name = name.clone();
            let verdict = changed.run(now);
            if name == "x-amz-content-sha256" {
                // Checked against the body before the signature (spec 8.4).
                let refused = SigV4Error::DoesNotMatch(
                    "The provided 'x-amz-content-sha256' header does not match what was computed.".into(),
                );
                assert_eq!(verdict, Err(refused), "{}", f.name);
            } else if is_signed {
                assert!(is_mismatch(&verdict), "{}: signed header {name}: {verdict:?}", f.name);
            } else {
                assert_eq!(verdict, Ok(()), "{}: unsigned header {name}", f.name);
            }
        }
    }
}

#[test]
fn changed_request_line_does_not_match() {
    let (now, fixtures) = valid();
    for f in fixtures {
        let mut other_path = f.clone();
        other_path.path = format!("{}x", f.path);
        assert!(is_mismatch(&other_path.run(now)), "{}: path", f.name);

        let mut other_method = f.clone();
        other_method.method = if f.method == "GET" { "POST".into() } else { "GET".into() };
        assert!(is_mismatch(&other_method.run(now)), "{}: method", f.name);

        let mut extra_param = f.clone();
        extra_param.query = if f.query.is_empty() {
            "Extra=1".into()
        } else {
            format!("{}&Extra=1", f.query)
        };
        assert!(is_mismatch(&extra_param.run(now)), "{}: query", f.name);

        if f.query.contains("Action=") {
            let mut other_action = f.clone();
            other_action.query = f.query.replacen("Action=", "Action=X", 1);
            assert!(is_mismatch(&other_action.run(now)), "{}: action", f.name);
        }
    }
}

#[test]
fn wrong_secret_or_service() {
    let (now, fixtures) = valid();
    for f in fixtures {
        let mut wrong_secret = f.clone();
        wrong_secret.secret = flip_middle(&f.secret);
        assert!(is_mismatch(&wrong_secret.run(now)), "{}", f.name);

        let mut wrong_service = f.clone();
        wrong_service.service = if f.service == "iam" { "sts".into() } else { "iam".into() };
        assert_eq!(
            wrong_service.run(now),
            Err(SigV4Error::DoesNotMatch(format!(
                "Credential should be scoped to correct service: '{}'. ",
                wrong_service.service
            ))),
            "{}",
            f.name
        );
    }
}

/// botocore's own signature for `ListMFADevices` is the spec's worked example (§8.7).
#[test]
fn botocore_reproduces_the_worked_example() {
    let (_, fixtures) = load();
    let f = fixtures.iter().find(|f| f.name == "iam-list-mfa-devices").unwrap();
    let claim = parse(&f.http()).unwrap();
    assert_eq!(
        claim.signature,
        "896d053eb17759123df5e169a6b45f50e5546d94b1ac804a1e2dbdfe6c9c367f"
    );
}
