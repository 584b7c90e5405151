//! The canonical request (§8.4), recomputed from the bytes received: never from decoded
//! parameters, so what is verified is exactly what was signed.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};

use super::sign::hex_sha256;
use super::{Claim, Form, HttpRequest};

/// Everything but the RFC 3986 unreserved characters `A-Z a-z 0-9 - _ . ~` is encoded;
/// `percent_encode` writes upper-case hex, as SigV4 requires (§8.4).
const QUERY_SET: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// The path keeps its `/` separators.
const PATH_SET: &AsciiSet = &QUERY_SET.remove(b'/');

/// The presigned signature itself is the one query parameter left out (§8.4).
const SIGNATURE_PARAM: &[u8] = b"X-Amz-Signature";

/// The canonical request for `req` as signed under `claim` (§8.4):
/// method, URI, query, headers, signed-header list, payload hash, joined by `\n`.
pub fn canonical_request(req: &HttpRequest<'_>, claim: &Claim) -> String {
    let mut out = String::with_capacity(256 + req.raw_query.len());
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.raw_path));
    out.push('\n');
    out.push_str(&canonical_query_string(req.raw_query, claim.form == Form::Query));
    out.push('\n');
    for name in &claim.signed_headers {
        out.push_str(name);
        out.push(':');
        out.push_str(&canonical_header_value(req, name));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&claim.signed_headers.join(";"));
    out.push('\n');
    out.push_str(&hex_sha256(req.body));
    out
}

/// CanonicalURI: remove dot segments from the still-encoded path, then encode every byte
/// outside the unreserved set and `/`. An existing `%` becomes `%25`: IAM and STS, like every
/// non-S3 service, "double-encode" (§8.4), so the path is never decoded first.
pub(super) fn canonical_uri(raw_path: &str) -> String {
    percent_encode(remove_dot_segments(raw_path).as_bytes(), PATH_SET).to_string()
}

/// RFC 3986 §5.2.4 dot-segment removal as AWS applies it to non-S3 paths: empty segments
/// (`//`) are dropped too, so `//example//` is `/example/` (AWS test suite
/// `normalize-path/get-slashes`; botocore `utils.remove_dot_segments`, which every SDK
/// request we verify was signed with). A trailing `/` survives unless nothing is left;
/// an empty path is `/`.
fn remove_dot_segments(path: &str) -> Cow<'_, str> {
    if path.is_empty() {
        return Cow::Borrowed("/");
    }
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            other => kept.push(other),
        }
    }
    let lead = if path.starts_with('/') { "/" } else { "" };
    let trail = if path.ends_with('/') && !kept.is_empty() {
        "/"
    } else {
        ""
    };
    Cow::Owned(format!("{lead}{}{trail}", kept.join("/")))
}

/// CanonicalQueryString (§8.4): each `&`-separated part split on its first `=`, name and value
/// percent-decoded (`+` stays a literal plus) and re-encoded with the strict set, sorted by
/// name then value, joined with `&`; a part without `=` gets an empty value. Empty parts
/// (`a=1&&b=2`) carry no parameter and are skipped. For presigned requests `X-Amz-Signature`
/// is left out.
pub(super) fn canonical_query_string(raw_query: &str, presigned: bool) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(raw_query)
        .filter(|(name, _)| !(presigned && name.as_ref() == SIGNATURE_PARAM))
        .map(|(name, value)| {
            (
                percent_encode(&name, QUERY_SET).to_string(),
                percent_encode(&value, QUERY_SET).to_string(),
            )
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(raw_query.len() + 16);
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The query string's parameters, percent-decoded (a `+` is a literal plus, §2.2), in order.
/// A `%` not followed by two hex digits is kept as is.
pub(super) fn query_pairs(raw_query: &str) -> impl Iterator<Item = (Cow<'_, [u8]>, Cow<'_, [u8]>)> {
    raw_query.split('&').filter(|part| !part.is_empty()).map(|part| {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        (
            percent_decode(name.as_bytes()).into(),
            percent_decode(value.as_bytes()).into(),
        )
    })
}

/// CanonicalHeaders value (§8.4): every value of the header in arrival order, each trimmed
/// with inner runs of whitespace collapsed to one space, joined by `,`.
fn canonical_header_value(req: &HttpRequest<'_>, name: &str) -> String {
    let mut out = String::new();
    for (i, value) in req.header_values(name).enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, word) in value.split_ascii_whitespace().enumerate() {
            if j > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::parse;
    use crate::sigv4::test_support::{header, worked_example_request};

    #[test]
    fn uri_dot_segments_and_slashes() {
        for (raw, want) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/.", "/"),
            ("/..", "/"),
            ("/../..", "/"),
            ("/a/b/../..", "/"),
            ("/a/..", "/"),
            ("/./a", "/a"),
            ("//a//", "/a/"),
            ("/a/./b/../c/", "/a/c/"),
            ("/a/b/..", "/a"),
            ("/a/b/../", "/a/"),
            ("/a..b/.c/", "/a..b/.c/"),
        ] {
            assert_eq!(canonical_uri(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn uri_double_encodes() {
        assert_eq!(canonical_uri("/example space/"), "/example%20space/");
        assert_eq!(canonical_uri("/a%2Fb"), "/a%252Fb");
        assert_eq!(canonical_uri("/%E1%88%B4"), "/%25E1%2588%25B4");
        assert_eq!(canonical_uri("/\u{1234}"), "/%E1%88%B4");
        assert_eq!(canonical_uri("/example/$delete"), "/example/%24delete");
        assert_eq!(canonical_uri("/-._~AZaz09+!*'()"), "/-._~AZaz09%2B%21%2A%27%28%29");
        // Encoded dots are not dot segments: the path is never decoded.
        assert_eq!(canonical_uri("/a/%2E%2E/b"), "/a/%252E%252E/b");
    }

    #[test]
    fn query_string_rules() {
        assert_eq!(canonical_query_string("", false), "");
        // Sorted by name then value, byte order (upper case first).
        assert_eq!(canonical_query_string("b=2&a=2&a=1&B=0", false), "B=0&a=1&a=2&b=2");
        // Without `=` the value is empty; `=` is still written.
        assert_eq!(canonical_query_string("flag&x=", false), "flag=&x=");
        // `+` is a literal plus, space and slash are encoded, hex is upper case.
        assert_eq!(canonical_query_string("k=a+b%20c/d%2fe", false), "k=a%2Bb%20c%2Fd%2Fe");
        // Decoding then re-encoding normalises needless escapes.
        assert_eq!(canonical_query_string("%41%62=%7e", false), "Ab=~");
        // Only the first `=` splits.
        assert_eq!(canonical_query_string("k=a=b", false), "k=a%3Db");
        // Empty parts are not parameters.
        assert_eq!(canonical_query_string("&a=1&&b=2&", false), "a=1&b=2");
        // A stray `%` is kept and encoded.
        assert_eq!(canonical_query_string("k=100%", false), "k=100%25");
        assert_eq!(canonical_query_string("k=%zz", false), "k=%25zz");
        // Raw UTF-8 is encoded byte by byte.
        assert_eq!(canonical_query_string("\u{1234}=bar", false), "%E1%88%B4=bar");
    }

    #[test]
    fn presigned_query_drops_only_the_signature() {
        let q = "Action=GetCallerIdentity&X-Amz-Signature=abc&X-Amz-Date=20240115T120000Z";
        assert_eq!(
            canonical_query_string(q, true),
            "Action=GetCallerIdentity&X-Amz-Date=20240115T120000Z"
        );
        assert_eq!(
            canonical_query_string(q, false),
            "Action=GetCallerIdentity&X-Amz-Date=20240115T120000Z&X-Amz-Signature=abc"
        );
    }

    #[test]
    fn header_values_are_trimmed_collapsed_and_joined() {
        let headers = vec![
            header("host", "example.com"),
            header("my-header", "  a   b \t c  "),
            header("other", "x"),
            header("My-Header", "second"),
            header("my-header", ""),
        ];
        let req = HttpRequest {
            method: "GET",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: b"",
        };
        assert_eq!(canonical_header_value(&req, "my-header"), "a b c,second,");
        assert_eq!(canonical_header_value(&req, "host"), "example.com");
    }

    /// Spec §8.7: the exact canonical request and its hash.
    #[test]
    fn worked_example_canonical_request() {
        let (headers, body) = worked_example_request();
        let req = HttpRequest {
            method: "POST",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: &body,
        };
        let claim = parse(&req).unwrap();
        let creq = canonical_request(&req, &claim);
        assert_eq!(
            creq,
            "POST\n/\n\n\
             content-type:application/x-www-form-urlencoded; charset=utf-8\n\
             host:localhost:8080\n\
             x-amz-date:20240115T120000Z\n\n\
             content-type;host;x-amz-date\n\
             cce79b19e3b4b7b03ff21a8592d8605d90ab8644b3e81f3501f6a6fcbecf5565"
        );
        assert_eq!(
            hex_sha256(creq.as_bytes()),
            "6e0d879fc7b74098a70e934e21024ca21dbf7711d58555f2e29c6d40ace76052"
        );
    }

    #[test]
    fn empty_body_hash() {
        assert_eq!(
            hex_sha256(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
