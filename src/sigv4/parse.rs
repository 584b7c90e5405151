//! Locating the signature (§8.1) and the structural checks (§8.2). Every failure here is
//! `IncompleteSignature` with AWS's wording where AWS has one; nothing here needs the secret.

use std::borrow::Cow;

use percent_encoding::percent_decode;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::canonical::query_pairs;
use super::{ALGORITHM, Claim, Form, HttpRequest, Scope, SigV4Error};

const Q_ALGORITHM: &str = "X-Amz-Algorithm";
const Q_CREDENTIAL: &str = "X-Amz-Credential";
const Q_DATE: &str = "X-Amz-Date";
const Q_EXPIRES: &str = "X-Amz-Expires";
const Q_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
const Q_SIGNATURE: &str = "X-Amz-Signature";
const Q_SECURITY_TOKEN: &str = "X-Amz-Security-Token";
const QUERY_AUTH_PARAMS: [&str; 7] = [
    Q_ALGORITHM,
    Q_CREDENTIAL,
    Q_DATE,
    Q_EXPIRES,
    Q_SIGNED_HEADERS,
    Q_SIGNATURE,
    Q_SECURITY_TOKEN,
];
/// Any of these next to an `Authorization` header means two signature claims (§8.1).
const QUERY_CLAIM_PARAMS: [&str; 4] = [Q_ALGORITHM, Q_CREDENTIAL, Q_SIGNATURE, Q_SIGNED_HEADERS];

/// Presigned URLs live at most 7 days (§8.2).
const MAX_EXPIRES: u32 = 604_800;

const MSG_REQUIRES_DATE: &str = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";
const MSG_HOST_NOT_SIGNED: &str = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
const MSG_REEXAMINE_QUERY: &str = "Re-examine the query-string parameters.";

/// Find the signature claim in `req` and check its structure (§8.1–8.2).
pub fn parse(req: &HttpRequest<'_>) -> Result<Claim, SigV4Error> {
    let query = QueryAuth::from_raw(req.raw_query);
    let mut authorization = req.header_values("authorization");
    match (authorization.next(), authorization.next()) {
        (Some(_), Some(_)) => Err(incomplete("Only one Authorization header is allowed.".into())),
        (Some(header), None) => match query.claim_param() {
            Some(name) => Err(incomplete(format!(
                "Found both '{name}' as a query-string param and 'Authorization' as HTTP header."
            ))),
            None => header_form(req, header, &query),
        },
        (None, _) if query.has(Q_ALGORITHM) => query_form(req, &query),
        // SigV2 is refused as a malformed signature rather than a missing one (§8) so the
        // client learns why, not just that.
        (None, _) if signs_with_v2(req) => Err(incomplete(
            "Signature Version 2 is not supported; sign requests with AWS4-HMAC-SHA256.".into(),
        )),
        (None, _) => Err(SigV4Error::Missing),
    }
}

fn incomplete(message: String) -> SigV4Error {
    SigV4Error::Incomplete(message)
}

/// The pieces of a claim as found, before their own format checks.
struct Found<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
    date: Cow<'a, str>,
    expires: Option<u32>,
    form: Form,
}

/// `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (§8.1):
/// components separated by `,` with optional spaces, none after the algorithm.
fn header_form(req: &HttpRequest<'_>, header: &str, query: &QueryAuth) -> Result<Claim, SigV4Error> {
    let header = header.trim_matches(|c: char| c.is_ascii_whitespace());
    let (algorithm, rest) = header
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((header, ""));
    check_algorithm(algorithm)?;

    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim_matches(|c: char| c.is_ascii_whitespace());
        if part.is_empty() {
            continue;
        }
        let Some((key, value)) = part.split_once('=') else {
            return Err(incomplete(format!(
                "'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            )));
        };
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => {
                return Err(incomplete(format!(
                    "'{key}' is not a component of an AWS4-HMAC-SHA256 Authorization header: '{header}'."
                )));
            }
        };
        if slot.replace(value).is_some() {
            return Err(incomplete(format!(
                "Authorization header contains '{key}' more than once."
            )));
        }
    }

    // AWS reports every missing part in one message, in this order (§8.2).
    let mut missing: Vec<String> = [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ]
    .into_iter()
    .filter(|(_, value)| value.is_none_or(str::is_empty))
    .map(|(name, _)| format!("Authorization header requires '{name}' parameter."))
    .collect();
    // A repeated X-Amz-Date is joined so the format check below rejects it, showing both.
    let dates: Vec<&str> = req.header_values("x-amz-date").collect();
    if dates.is_empty() {
        missing.push(MSG_REQUIRES_DATE.into());
    }
    if !missing.is_empty() {
        return Err(incomplete(missing.join(" ")));
    }
    build(
        req,
        Found {
            credential: credential.unwrap_or_default(),
            signed_headers: signed_headers.unwrap_or_default(),
            signature: signature.unwrap_or_default(),
            date: Cow::Owned(dates.join(",")),
            expires: None,
            form: Form::Header,
        },
        query,
    )
}

/// Presigned URL: the claim is in `X-Amz-*` query parameters (§8.1).
fn query_form(req: &HttpRequest<'_>, query: &QueryAuth) -> Result<Claim, SigV4Error> {
    check_algorithm(query.get(Q_ALGORITHM)?.unwrap_or_default())?;
    let credential = query.get(Q_CREDENTIAL)?.unwrap_or_default();
    let signature = query.get(Q_SIGNATURE)?.unwrap_or_default();
    let signed_headers = query.get(Q_SIGNED_HEADERS)?.unwrap_or_default();
    let date = query.get(Q_DATE)?.unwrap_or_default();
    let expires = query.get(Q_EXPIRES)?.unwrap_or_default();

    let missing: Vec<String> = [
        (Q_CREDENTIAL, credential),
        (Q_SIGNATURE, signature),
        (Q_SIGNED_HEADERS, signed_headers),
        (Q_DATE, date),
        (Q_EXPIRES, expires),
    ]
    .into_iter()
    .filter(|(_, value)| value.is_empty())
    .map(|(name, _)| format!("AWS query-string parameters must include '{name}'."))
    .collect();
    if !missing.is_empty() {
        return Err(incomplete(format!("{} {MSG_REEXAMINE_QUERY}", missing.join(" "))));
    }
    let expires = parse_expires(expires)?;
    build(
        req,
        Found {
            credential,
            signed_headers,
            signature,
            date: Cow::Borrowed(date),
            expires: Some(expires),
            form: Form::Query,
        },
        query,
    )
}

/// Checks shared by both forms (§8.2), then the claim.
fn build(req: &HttpRequest<'_>, found: Found<'_>, query: &QueryAuth) -> Result<Claim, SigV4Error> {
    let amz_date = parse_amz_date(&found.date).ok_or_else(|| {
        incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{}'. See http://en.wikipedia.org/wiki/ISO_8601",
            found.date
        ))
    })?;
    let (access_key_id, scope) = parse_credential(found.credential)?;
    check_signature_format(found.signature)?;
    let signed_headers = parse_signed_headers(found.signed_headers)?;
    if !signed_headers.iter().any(|name| name == "host") {
        return Err(incomplete(MSG_HOST_NOT_SIGNED.into()));
    }
    if let Some(absent) = signed_headers
        .iter()
        .find(|name| req.header_values(name).next().is_none())
    {
        return Err(incomplete(format!(
            "Header '{absent}' is listed in SignedHeaders but is not present in the request."
        )));
    }
    Ok(Claim {
        access_key_id,
        scope,
        signed_headers,
        signature: found.signature.to_owned(),
        amz_date,
        amz_date_text: found.date.into_owned(),
        session_token: session_token(req, query)?,
        presigned_expires: found.expires,
        form: found.form,
    })
}

/// Only `AWS4-HMAC-SHA256`; SigV4A (`AWS4-ECDSA-P256-SHA256`) and anything else are refused
/// with AWS's message, trailing space included (§8).
fn check_algorithm(algorithm: &str) -> Result<(), SigV4Error> {
    if algorithm == ALGORITHM {
        Ok(())
    } else {
        Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "
        )))
    }
}

/// `YYYYMMDDTHHMMSSZ` exactly (ISO 8601 basic format, UTC), with a real calendar date.
pub(super) fn parse_amz_date(text: &str) -> Option<OffsetDateTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes.get(8) != Some(&b'T') || bytes.get(15) != Some(&b'Z') {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u16> {
        bytes.get(from..to)?.iter().try_fold(0u16, |acc, &digit| {
            digit.is_ascii_digit().then(|| acc * 10 + u16::from(digit - b'0'))
        })
    };
    let month = Month::try_from(u8::try_from(number(4, 6)?).ok()?).ok()?;
    let date = Date::from_calendar_date(i32::from(number(0, 4)?), month, u8::try_from(number(6, 8)?).ok()?).ok()?;
    let time = Time::from_hms(
        u8::try_from(number(9, 11)?).ok()?,
        u8::try_from(number(11, 13)?).ok()?,
        u8::try_from(number(13, 15)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// `AKID/YYYYMMDD/REGION/SERVICE/TERMINATOR`: five parts, AWS's message otherwise. The parts'
/// values are judged later by the scope checks (§8.3), which answer SignatureDoesNotMatch.
fn parse_credential(text: &str) -> Result<(String, Scope), SigV4Error> {
    let parts: Vec<&str> = text.split('/').collect();
    let [key, date, region, service, terminator] = parts.as_slice() else {
        return Err(incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{text}'"
        )));
    };
    let scope = Scope {
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
        terminator: (*terminator).to_owned(),
    };
    Ok(((*key).to_owned(), scope))
}

/// 64 lower-case hex characters: what every SDK sends, and what the constant-time comparison
/// expects (§8.2).
fn check_signature_format(signature: &str) -> Result<(), SigV4Error> {
    let hex = signature.len() == 64 && signature.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if hex {
        Ok(())
    } else {
        Err(incomplete(format!(
            "Signature must be 64 lower-case hexadecimal characters, got '{signature}'."
        )))
    }
}

/// Lower-case header names (RFC 9110 tokens), `;`-separated, strictly ascending (so sorted
/// and without duplicates), as the canonical request lists them (§8.2, §8.4).
fn parse_signed_headers(text: &str) -> Result<Vec<String>, SigV4Error> {
    let names: Vec<&str> = text.split(';').collect();
    let well_formed = names
        .iter()
        .all(|name| !name.is_empty() && name.bytes().all(is_lower_tchar))
        && names.windows(2).all(|pair| matches!(pair, [a, b] if a < b));
    if well_formed {
        Ok(names.into_iter().map(str::to_owned).collect())
    } else {
        Err(incomplete(format!(
            "SignedHeaders must be lower-case header names separated by ';', sorted and without duplicates, got '{text}'."
        )))
    }
}

fn is_lower_tchar(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `X-Amz-Expires`: decimal digits only (Rust's integer parser would also take `+5`),
/// 1..=604800 (§8.2).
fn parse_expires(text: &str) -> Result<u32, SigV4Error> {
    Some(text)
        .filter(|t| t.len() <= 6 && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse::<u32>().ok())
        .filter(|seconds| (1..=MAX_EXPIRES).contains(seconds))
        .ok_or_else(|| {
            incomplete(format!(
                "X-Amz-Expires must be an integer from 1 to {MAX_EXPIRES} (seconds), got '{text}'."
            ))
        })
}

/// The session token, from the `X-Amz-Security-Token` header or query parameter, signed or
/// not; whether it is required or valid is the caller's decision (§8.6). Two different
/// tokens in one request are refused rather than one silently picked. (Both values come from
/// the client, so comparing them need not be constant-time.)
fn session_token(req: &HttpRequest<'_>, query: &QueryAuth) -> Result<Option<String>, SigV4Error> {
    let mut headers = req.header_values("x-amz-security-token");
    let from_header = match (headers.next(), headers.next()) {
        (Some(_), Some(_)) => {
            return Err(incomplete("Only one X-Amz-Security-Token header is allowed.".into()));
        }
        (value, _) => value,
    };
    match (from_header, query.get(Q_SECURITY_TOKEN)?) {
        (Some(header), Some(param)) if header != param => Err(incomplete(
            "X-Amz-Security-Token differs between the header and the query string.".into(),
        )),
        (header, param) => Ok(header.or(param).map(str::to_owned)),
    }
}

/// SigV2 puts `SignatureVersion` and `AWSAccessKeyId` among the parameters, in the query or
/// the form body.
fn signs_with_v2(req: &HttpRequest<'_>) -> bool {
    let query_names = query_pairs(req.raw_query).map(|(name, _)| name);
    let body_names = req.body.split(|&b| b == b'&').map(|part| {
        let name = part.split(|&b| b == b'=').next().unwrap_or_default();
        Cow::from(percent_decode(name))
    });
    query_names
        .chain(body_names)
        .any(|name| matches!(name.as_ref(), b"SignatureVersion" | b"AWSAccessKeyId"))
}

/// The SigV4 parameters found in the query string, decoded; `None` marks a value that is
/// not UTF-8.
struct QueryAuth {
    found: Vec<(&'static str, Option<String>)>,
}

impl QueryAuth {
    fn from_raw(raw_query: &str) -> Self {
        let found = query_pairs(raw_query)
            .filter_map(|(name, value)| {
                let known = QUERY_AUTH_PARAMS.iter().find(|p| p.as_bytes() == name.as_ref())?;
                Some((*known, String::from_utf8(value.into_owned()).ok()))
            })
            .collect();
        Self { found }
    }

    fn has(&self, name: &str) -> bool {
        self.found.iter().any(|(n, _)| *n == name)
    }

    /// The first claim parameter present, if any.
    fn claim_param(&self) -> Option<&'static str> {
        QUERY_CLAIM_PARAMS.into_iter().find(|name| self.has(name))
    }

    /// The value of `name` if present once; a repeated or non-UTF-8 value is refused.
    fn get(&self, name: &str) -> Result<Option<&str>, SigV4Error> {
        let mut values = self.found.iter().filter(|(n, _)| *n == name).map(|(_, v)| v);
        match (values.next(), values.next()) {
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(incomplete(format!(
                "AWS query-string parameter '{name}' must appear only once. {MSG_REEXAMINE_QUERY}"
            ))),
            (Some(Some(value)), None) => Ok(Some(value)),
            (Some(None), None) => Err(incomplete(format!(
                "AWS query-string parameter '{name}' is not valid UTF-8. {MSG_REEXAMINE_QUERY}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::test_support::{FORM, HOST, Signer, header, worked_example_request};
    use time::macros::datetime;

    const SIG: &str = "896d053eb17759123df5e169a6b45f50e5546d94b1ac804a1e2dbdfe6c9c367f";
    const CRED: &str = "AKIAIOSFODNN7EXAMPLE/20240115/us-east-1/iam/aws4_request";

    fn auth(credential: &str, signed: &str, signature: &str) -> String {
        format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed}, Signature={signature}")
    }

    /// The §8.7 headers with the Authorization header replaced (or dropped if `None`).
    fn headers_with(authorization: Option<&str>) -> Vec<(String, String)> {
        let mut headers = vec![
            header("content-type", FORM),
            header("host", HOST),
            header("x-amz-date", "20240115T120000Z"),
        ];
        if let Some(value) = authorization {
            headers.push(header("authorization", value));
        }
        headers
    }

    fn parse_with(headers: &[(String, String)], query: &str, body: &[u8]) -> Result<Claim, SigV4Error> {
        parse(&HttpRequest {
            method: "POST",
            raw_path: "/",
            raw_query: query,
            headers,
            body,
        })
    }

    fn incomplete_msg(headers: &[(String, String)], query: &str) -> String {
        match parse_with(headers, query, b"") {
            Err(SigV4Error::Incomplete(message)) => message,
            other => panic!("expected IncompleteSignature, got {other:?}"),
        }
    }

    fn header_msg(authorization: &str) -> String {
        incomplete_msg(&headers_with(Some(authorization)), "")
    }

    #[test]
    fn worked_example_claim_fields() {
        let (headers, body) = worked_example_request();
        let claim = parse_with(&headers, "", &body).unwrap();
        assert_eq!(claim.access_key_id, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(
            claim.scope,
            Scope {
                date: "20240115".into(),
                region: "us-east-1".into(),
                service: "iam".into(),
                terminator: "aws4_request".into()
            }
        );
        assert_eq!(claim.signed_headers, ["content-type", "host", "x-amz-date"]);
        assert_eq!(claim.signature, SIG);
        assert_eq!(claim.amz_date, datetime!(2024-01-15 12:00:00 UTC));
        assert_eq!(claim.amz_date_text, "20240115T120000Z");
        assert_eq!(claim.session_token, None);
        assert_eq!(claim.presigned_expires, None);
        assert_eq!(claim.form, Form::Header);
    }

    #[test]
    fn neither_form_is_missing() {
        assert_eq!(
            parse_with(&headers_with(None), "", b"").unwrap_err(),
            SigV4Error::Missing
        );
        assert!(matches!(
            parse_with(&headers_with(None), "Action=ListUsers", b"Version=1"),
            Err(SigV4Error::Missing)
        ));
        assert!(matches!(parse_with(&[], "", b""), Err(SigV4Error::Missing)));
        // Only X-Amz-Algorithm starts the query form (§5.1).
        assert!(matches!(
            parse_with(&headers_with(None), "X-Amz-Credential=a", b""),
            Err(SigV4Error::Missing)
        ));
    }

    #[test]
    fn separators_and_spacing_are_flexible() {
        for value in [
            format!("AWS4-HMAC-SHA256 Credential={CRED},SignedHeaders=content-type;host;x-amz-date,Signature={SIG}"),
            format!(
                "  AWS4-HMAC-SHA256   Credential={CRED} ,  SignedHeaders=content-type;host;x-amz-date ,Signature={SIG}  "
            ),
            format!("AWS4-HMAC-SHA256 Signature={SIG}, Credential={CRED}, SignedHeaders=content-type;host;x-amz-date"),
            format!(
                "AWS4-HMAC-SHA256\tCredential={CRED}, SignedHeaders=content-type;host;x-amz-date, Signature={SIG},"
            ),
        ] {
            let claim = parse_with(&headers_with(Some(&value)), "", b"").unwrap();
            assert_eq!(claim.signature, SIG, "{value}");
            assert_eq!(claim.signed_headers, ["content-type", "host", "x-amz-date"]);
        }
    }

    #[test]
    fn missing_components_are_listed() {
        assert_eq!(
            header_msg(&format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host")),
            "Authorization header requires 'Signature' parameter."
        );
        assert_eq!(
            header_msg(&format!(
                "AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host, Signature="
            )),
            "Authorization header requires 'Signature' parameter."
        );
        assert_eq!(
            header_msg(&format!("AWS4-HMAC-SHA256 Signature={SIG}")),
            "Authorization header requires 'Credential' parameter. \
             Authorization header requires 'SignedHeaders' parameter."
        );
        // Everything missing, date included: one message, AWS's order.
        let mut headers = headers_with(Some("AWS4-HMAC-SHA256"));
        headers.retain(|(name, _)| name != "x-amz-date");
        assert_eq!(
            incomplete_msg(&headers, ""),
            "Authorization header requires 'Credential' parameter. \
             Authorization header requires 'Signature' parameter. \
             Authorization header requires 'SignedHeaders' parameter. \
             Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        );
    }

    #[test]
    fn missing_date() {
        let (mut headers, _) = worked_example_request();
        headers.retain(|(name, _)| name != "x-amz-date");
        assert_eq!(
            incomplete_msg(&headers, ""),
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        );
        // A Date header is not taken instead (SDKs always send X-Amz-Date; §8.2 MAY).
        headers.push(header("date", "Mon, 15 Jan 2024 12:00:00 GMT"));
        assert_eq!(
            incomplete_msg(&headers, ""),
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        );
    }

    #[test]
    fn malformed_dates() {
        for bad in [
            "2024-01-15T12:00:00Z",
            "20240115T120000",
            "20240115 120000Z",
            "20240115t120000z",
            "20241315T120000Z",
            "20240230T120000Z",
            "20240115T250000Z",
            "20240115T126000Z",
            "20240115T120060Z",
            "+2024011T120000Z",
            "2024011５T120000Z",
            "",
            "20240115T120000Z ",
        ] {
            let mut headers = headers_with(Some(&auth(CRED, "content-type;host;x-amz-date", SIG)));
            headers.retain(|(name, _)| name != "x-amz-date");
            headers.push(header("x-amz-date", bad));
            assert_eq!(
                incomplete_msg(&headers, ""),
                format!(
                    "Date must be in ISO-8601 'basic format'. Got '{bad}'. See http://en.wikipedia.org/wiki/ISO_8601"
                ),
                "{bad:?}"
            );
        }
        // Leap day is a real date.
        assert!(parse_amz_date("20240229T235959Z").is_some());
        assert!(parse_amz_date("20230229T000000Z").is_none());
        // Two X-Amz-Date headers: refused, both shown.
        let mut headers = headers_with(Some(&auth(CRED, "content-type;host;x-amz-date", SIG)));
        headers.push(header("x-amz-date", "20240115T120000Z"));
        assert_eq!(
            incomplete_msg(&headers, ""),
            "Date must be in ISO-8601 'basic format'. Got '20240115T120000Z,20240115T120000Z'. \
             See http://en.wikipedia.org/wiki/ISO_8601"
        );
    }

    #[test]
    fn credential_must_have_five_parts() {
        for bad in [
            "AKIAIOSFODNN7EXAMPLE",
            "AKIAIOSFODNN7EXAMPLE/20240115/us-east-1/iam",
            "AKIAIOSFODNN7EXAMPLE/20240115/us-east-1/iam/aws4_request/",
            "AKIAIOSFODNN7EXAMPLE/20240115/us-east-1/iam/aws4_request/extra",
        ] {
            assert_eq!(
                header_msg(&auth(bad, "content-type;host;x-amz-date", SIG)),
                format!(
                    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{bad}'"
                )
            );
        }
    }

    #[test]
    fn signature_must_be_64_lower_hex() {
        for bad in [
            &SIG.to_uppercase()[..],
            &SIG[1..],
            "zz6d053eb17759123df5e169a6b45f50e5546d94b1ac804a1e2dbdfe6c9c367f",
        ] {
            assert_eq!(
                header_msg(&auth(CRED, "content-type;host;x-amz-date", bad)),
                format!("Signature must be 64 lower-case hexadecimal characters, got '{bad}'.")
            );
        }
        let too_long = format!("{SIG}0");
        assert!(header_msg(&auth(CRED, "content-type;host;x-amz-date", &too_long)).starts_with("Signature must be"));
    }

    #[test]
    fn signed_headers_must_be_lower_sorted_unique() {
        for bad in [
            "Content-Type;host;x-amz-date",
            "host;content-type;x-amz-date",
            "content-type;host;host;x-amz-date",
            "content-type;;host;x-amz-date",
            "content-type;host;x-amz-date;",
            "content-type host;x-amz-date",
            "content-type;host;x-amz-dätum",
        ] {
            assert_eq!(
                header_msg(&auth(CRED, bad, SIG)),
                format!(
                    "SignedHeaders must be lower-case header names separated by ';', sorted and without duplicates, got '{bad}'."
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn host_must_be_signed() {
        assert_eq!(
            header_msg(&auth(CRED, "content-type;x-amz-date", SIG)),
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        );
    }

    #[test]
    fn signed_headers_must_be_present() {
        assert_eq!(
            header_msg(&auth(CRED, "content-type;host;x-amz-date;x-custom", SIG)),
            "Header 'x-custom' is listed in SignedHeaders but is not present in the request."
        );
        let mut headers = headers_with(Some(&auth(CRED, "content-type;host;x-amz-date", SIG)));
        headers.retain(|(name, _)| name != "host");
        assert_eq!(
            incomplete_msg(&headers, ""),
            "Header 'host' is listed in SignedHeaders but is not present in the request."
        );
    }

    #[test]
    fn other_algorithms_are_refused() {
        let v4a = format!("AWS4-ECDSA-P256-SHA256 Credential={CRED}, SignedHeaders=host;x-amz-date, Signature={SIG}");
        assert_eq!(
            header_msg(&v4a),
            "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). "
        );
        assert_eq!(
            header_msg("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg="),
            "Unsupported AWS 'algorithm': 'AWS' (only AWS4-HMAC-SHA256 for now). "
        );
        assert_eq!(
            header_msg("Bearer abc"),
            "Unsupported AWS 'algorithm': 'Bearer' (only AWS4-HMAC-SHA256 for now). "
        );
        assert_eq!(
            header_msg(""),
            "Unsupported AWS 'algorithm': '' (only AWS4-HMAC-SHA256 for now). "
        );
        let comma = format!("AWS4-HMAC-SHA256, Credential={CRED}, SignedHeaders=host;x-amz-date, Signature={SIG}");
        assert!(header_msg(&comma).starts_with("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA256,'"));
        let query = format!(
            "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential={CRED}&X-Amz-Date=20240115T120000Z\
             &X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG}"
        );
        assert_eq!(
            incomplete_msg(&headers_with(None), &query),
            "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). "
        );
    }

    #[test]
    fn signature_version_2_is_refused() {
        let msg = "Signature Version 2 is not supported; sign requests with AWS4-HMAC-SHA256.";
        let sigv2 = "Action=ListUsers&Version=2010-05-08&SignatureVersion=2&SignatureMethod=HmacSHA256\
                     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Timestamp=2024-01-15T12%3A00%3A00Z&Signature=abc%3D";
        assert_eq!(incomplete_msg(&headers_with(None), sigv2), msg);
        assert_eq!(
            parse_with(&headers_with(None), "", sigv2.as_bytes()).unwrap_err(),
            SigV4Error::Incomplete(msg.into())
        );
        assert!(matches!(
            parse_with(&headers_with(None), "", b"Action=ListUsers&AWSAccessKeyId=AKID"),
            Err(SigV4Error::Incomplete(_))
        ));
    }

    #[test]
    fn malformed_components() {
        let value = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders, Signature={SIG}");
        assert_eq!(
            header_msg(&value),
            format!(
                "'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: '{value}'."
            )
        );
        let value = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host, Signature={SIG}, Extra=1");
        assert_eq!(
            header_msg(&value),
            format!("'Extra' is not a component of an AWS4-HMAC-SHA256 Authorization header: '{value}'.")
        );
        let value =
            format!("AWS4-HMAC-SHA256 Credential={CRED}, Credential={CRED}, SignedHeaders=host, Signature={SIG}");
        assert_eq!(
            header_msg(&value),
            "Authorization header contains 'Credential' more than once."
        );
        let mut headers = headers_with(Some(&auth(CRED, "content-type;host;x-amz-date", SIG)));
        headers.push(header(
            "authorization",
            &auth(CRED, "content-type;host;x-amz-date", SIG),
        ));
        assert_eq!(
            incomplete_msg(&headers, ""),
            "Only one Authorization header is allowed."
        );
    }

    #[test]
    fn both_forms_are_refused() {
        let (headers, _) = worked_example_request();
        let presigned = Signer::iam().presign("GET", "/", "Action=GetCallerIdentity", 60);
        assert_eq!(
            incomplete_msg(&headers, &presigned),
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
        );
        assert_eq!(
            incomplete_msg(&headers, &format!("X-Amz-Signature={SIG}")),
            "Found both 'X-Amz-Signature' as a query-string param and 'Authorization' as HTTP header."
        );
        // The token and the date may sit in the query next to a header signature.
        let claim = parse_with(&headers, "X-Amz-Security-Token=tok&X-Amz-Date=x", b"").unwrap();
        assert_eq!(claim.session_token.as_deref(), Some("tok"));
    }

    #[test]
    fn presigned_claim() {
        let query =
            Signer::iam()
                .with_token("tok/+=")
                .presign("GET", "/", "Action=GetCallerIdentity&Version=2011-06-15", 900);
        let headers = [header("host", HOST)];
        let claim = parse_with(&headers, &query, b"").unwrap();
        assert_eq!(claim.form, Form::Query);
        assert_eq!(claim.presigned_expires, Some(900));
        assert_eq!(claim.access_key_id, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(claim.scope.service, "iam");
        assert_eq!(claim.signed_headers, ["host"]);
        assert_eq!(claim.session_token.as_deref(), Some("tok/+="));
        assert_eq!(claim.amz_date_text, "20240115T120000Z");
    }

    #[test]
    fn presigned_missing_parameters() {
        assert_eq!(
            incomplete_msg(&headers_with(None), "X-Amz-Algorithm=AWS4-HMAC-SHA256"),
            "AWS query-string parameters must include 'X-Amz-Credential'. \
             AWS query-string parameters must include 'X-Amz-Signature'. \
             AWS query-string parameters must include 'X-Amz-SignedHeaders'. \
             AWS query-string parameters must include 'X-Amz-Date'. \
             AWS query-string parameters must include 'X-Amz-Expires'. \
             Re-examine the query-string parameters."
        );
        let query = Signer::iam().presign("GET", "/", "", 60);
        let without_sig: String = query
            .split('&')
            .filter(|p| !p.starts_with("X-Amz-Signature="))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            incomplete_msg(&[header("host", HOST)], &without_sig),
            "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."
        );
    }

    #[test]
    fn presigned_expires_range() {
        let base = |expires: &str| {
            format!(
                "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={CRED}&X-Amz-Date=20240115T120000Z\
                 &X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG}"
            )
        };
        let headers = [header("host", HOST)];
        for good in ["1", "60", "604800", "000060"] {
            let claim = parse_with(&headers, &base(good), b"").unwrap();
            assert_eq!(claim.presigned_expires, Some(good.parse().unwrap()));
        }
        for bad in [
            "0",
            "604801",
            "-1",
            "+5",
            "1.5",
            "abc",
            "1e3",
            "9999999",
            "4294967297",
            "%2B5",
        ] {
            let shown = if bad == "%2B5" { "+5" } else { bad };
            assert_eq!(
                incomplete_msg(&headers, &base(bad)),
                format!("X-Amz-Expires must be an integer from 1 to 604800 (seconds), got '{shown}'."),
                "{bad}"
            );
        }
    }

    #[test]
    fn repeated_or_undecodable_query_parameters() {
        let query = Signer::iam().presign("GET", "/", "", 60);
        assert_eq!(
            incomplete_msg(&[header("host", HOST)], &format!("{query}&X-Amz-Date=20240115T120000Z")),
            "AWS query-string parameter 'X-Amz-Date' must appear only once. Re-examine the query-string parameters."
        );
        assert_eq!(
            incomplete_msg(&[header("host", HOST)], &format!("{query}&X-Amz-Security-Token=%FF")),
            "AWS query-string parameter 'X-Amz-Security-Token' is not valid UTF-8. \
             Re-examine the query-string parameters."
        );
    }

    #[test]
    fn session_token_sources() {
        let value = auth(CRED, "content-type;host;x-amz-date", SIG);
        let mut headers = headers_with(Some(&value));
        assert_eq!(parse_with(&headers, "", b"").unwrap().session_token, None);
        headers.push(header("x-amz-security-token", "from-header"));
        assert_eq!(
            parse_with(&headers, "", b"").unwrap().session_token.as_deref(),
            Some("from-header")
        );
        assert_eq!(
            parse_with(&headers, "X-Amz-Security-Token=from-header", b"")
                .unwrap()
                .session_token
                .as_deref(),
            Some("from-header")
        );
        assert_eq!(
            incomplete_msg(&headers, "X-Amz-Security-Token=other"),
            "X-Amz-Security-Token differs between the header and the query string."
        );
        headers.push(header("x-amz-security-token", "again"));
        assert_eq!(
            incomplete_msg(&headers, ""),
            "Only one X-Amz-Security-Token header is allowed."
        );
    }
}
