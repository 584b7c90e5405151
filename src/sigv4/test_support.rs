//! Test helpers: a small signer built from this module's own building blocks (which the
//! external vectors in `aws4_suite.rs` and `botocore_fixtures.rs` pin down), so structural,
//! scope and time tests can start from a correctly signed request and break one thing.

use time::OffsetDateTime;
use time::macros::datetime;

use super::{Claim, Form, HttpRequest, Scope, canonical_request, signature, signing_key, string_to_sign};

pub const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
pub const HOST: &str = "localhost:8080";
pub const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

pub fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// The instant the test signer signs at, and the default "now" of the tests.
pub fn now() -> OffsetDateTime {
    datetime!(2024-01-15 12:00:00 UTC)
}

/// Spec §8.7: the boto3-signed `ListMFADevices` request, headers and body.
pub fn worked_example_request() -> (Vec<(String, String)>, Vec<u8>) {
    let headers = vec![
        header("content-type", FORM),
        header("host", HOST),
        header("x-amz-date", "20240115T120000Z"),
        header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240115/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=896d053eb17759123df5e169a6b45f50e5546d94b1ac804a1e2dbdfe6c9c367f",
        ),
    ];
    (
        headers,
        b"Action=ListMFADevices&Version=2010-05-08&UserName=bob".to_vec(),
    )
}

/// Signs requests for `localhost:8080` the way an SDK would.
#[derive(Clone)]
pub struct Signer {
    pub region: String,
    pub service: String,
    pub date: String,
    pub token: Option<String>,
    /// Further headers to send and sign.
    pub extra: Vec<(String, String)>,
}

impl Signer {
    pub fn iam() -> Self {
        Self {
            region: "us-east-1".into(),
            service: "iam".into(),
            date: "20240115T120000Z".into(),
            token: None,
            extra: vec![],
        }
    }

    pub fn with_token(mut self, token: &str) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.extra.push(header(name, value));
        self
    }

    pub fn with_date(mut self, date: &str) -> Self {
        self.date = date.into();
        self
    }

    fn claim(&self, signed_headers: Vec<String>, form: Form, expires: Option<u32>) -> Claim {
        Claim {
            access_key_id: AKID.into(),
            scope: Scope {
                date: self.date.get(..8).unwrap_or_default().into(),
                region: self.region.clone(),
                service: self.service.clone(),
                terminator: "aws4_request".into(),
            },
            signed_headers,
            signature: String::new(),
            amz_date: now(),
            amz_date_text: self.date.clone(),
            session_token: None,
            presigned_expires: expires,
            form,
        }
    }

    fn sign(&self, req: &HttpRequest<'_>, claim: &Claim) -> String {
        let key = signing_key(SECRET.as_bytes(), &claim.scope.date, &self.region, &self.service);
        signature(
            &key,
            &string_to_sign(&self.date, &claim.scope, &canonical_request(req, claim)),
        )
    }

    fn credential(&self) -> String {
        format!(
            "{AKID}/{}/{}/{}/aws4_request",
            self.date.get(..8).unwrap_or_default(),
            self.region,
            self.service
        )
    }

    /// Header-form headers (host, content-type, x-amz-date, token if any, authorization),
    /// every one of them signed.
    pub fn sign_headers(&self, method: &str, path: &str, query: &str, body: &[u8]) -> Vec<(String, String)> {
        let mut headers = vec![
            header("content-type", FORM),
            header("host", HOST),
            header("x-amz-date", &self.date),
        ];
        if let Some(token) = &self.token {
            headers.push(header("x-amz-security-token", token));
        }
        headers.extend(self.extra.iter().cloned());
        headers.sort();
        let names: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
        let claim = self.claim(names.clone(), Form::Header, None);
        let req = HttpRequest {
            method,
            raw_path: path,
            raw_query: query,
            headers: &headers,
            body,
        };
        let sig = self.sign(&req, &claim);
        let value = format!(
            "AWS4-HMAC-SHA256 Credential={}, SignedHeaders={}, Signature={sig}",
            self.credential(),
            names.join(";")
        );
        headers.push(header("authorization", &value));
        headers
    }

    /// Presigned-URL query string (`query` first, then the `X-Amz-*` parameters, signature
    /// last), signing only `host`, as botocore's `SigV4QueryAuth` does.
    pub fn presign(&self, method: &str, path: &str, query: &str, expires: u32) -> String {
        let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let mut full = String::from(query);
        if !full.is_empty() {
            full.push('&');
        }
        full.push_str(&format!(
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={}&X-Amz-Date={}&X-Amz-Expires={expires}\
             &X-Amz-SignedHeaders=host",
            enc(&self.credential()),
            self.date
        ));
        if let Some(token) = &self.token {
            full.push_str(&format!("&X-Amz-Security-Token={}", enc(token)));
        }
        let headers = vec![header("host", HOST)];
        let claim = self.claim(vec!["host".into()], Form::Query, Some(expires));
        let req = HttpRequest {
            method,
            raw_path: path,
            raw_query: &full,
            headers: &headers,
            body: b"",
        };
        let sig = self.sign(&req, &claim);
        format!("{full}&X-Amz-Signature={sig}")
    }
}
