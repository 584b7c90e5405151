//! CloudTrail `LookupEvents` through `app::router` over records stored with `record_audit`, on
//! both backends (`cloudtrail.md` §8): the JSON wire, scope, each filter, the time range and
//! paging. Which records API calls produce is tested with the recording itself.

use crate::harness::{Fixture, router, store_test};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tessera::clock::Clock;
use tessera::domain::AccountId;
use tessera::sigv4::{self, HttpRequest};
use tessera::store::AuditEntry;
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

/// A request signed for `cloudtrail` with the fixture's root key, as botocore signs it.
fn signed(fx: &Fixture, target: &str, body: &str) -> Request<Body> {
    let now = Clock::real_now();
    let amz_date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut headers = vec![
        ("content-type".to_owned(), "application/x-amz-json-1.1".to_owned()),
        ("host".to_owned(), "localhost".to_owned()),
        ("x-amz-date".to_owned(), amz_date.clone()),
        ("x-amz-target".to_owned(), target.to_owned()),
    ];
    let authorization = |signature: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{}/us-east-1/cloudtrail/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={signature}",
            fx.root_key.as_str(),
            &amz_date[..8]
        )
    };
    headers.push(("authorization".to_owned(), authorization(&"0".repeat(64))));
    let request = HttpRequest {
        method: "POST",
        raw_path: "/",
        raw_query: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    let claim = sigv4::parse(&request).expect("well-formed claim");
    let key = sigv4::signing_key(
        fx.root_secret.expose().as_bytes(),
        &claim.scope.date,
        "us-east-1",
        "cloudtrail",
    );
    let to_sign = sigv4::string_to_sign(
        &claim.amz_date_text,
        &claim.scope,
        &sigv4::canonical_request(&request, &claim),
    );
    let signature = sigv4::signature(&key, &to_sign);
    let mut builder = Request::post("/");
    for (name, value) in &headers[..4] {
        builder = builder.header(name, value);
    }
    builder
        .header("authorization", authorization(&signature))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

async fn call(fx: &Fixture, target: &str, body: Value) -> (StatusCode, Value) {
    let response = router(fx, false)
        .oneshot(signed(fx, target, &body.to_string()))
        .await
        .expect("router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/x-amz-json-1.1");
    assert!(headers.contains_key("x-amzn-requestid"));
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).expect("a JSON body"))
}

async fn lookup(fx: &Fixture, body: Value) -> Value {
    let (status, output) = call(fx, TARGET, body).await;
    assert_eq!(status, StatusCode::OK, "{output}");
    output
}

async fn refused(fx: &Fixture, body: Value) -> String {
    let (status, output) = call(fx, TARGET, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{output}");
    output["__type"].as_str().expect("__type").to_owned()
}

/// The IDs of the stored entries a lookup returned, leaving out the records of the test's own
/// earlier lookups (LookupEvents is itself recorded).
fn ids(output: &Value) -> Vec<String> {
    output["Events"]
        .as_array()
        .expect("Events")
        .iter()
        .filter(|e| e["EventName"] != "LookupEvents")
        .map(|e| e["EventId"].as_str().unwrap().to_owned())
        .collect()
}

fn entry(account: &AccountId, id: &str, at: OffsetDateTime) -> AuditEntry {
    AuditEntry {
        event_id: id.to_owned(),
        account_id: account.clone(),
        event_time: at,
        event_name: "GetUser".to_owned(),
        event_source: "iam.amazonaws.com".to_owned(),
        region: "us-east-1".to_owned(),
        read_only: true,
        username: Some("admin".to_owned()),
        access_key_id: Some("AKIAADMINKEY00000000".to_owned()),
        resources: Vec::new(),
        record: format!(r#"{{"eventID":"{id}"}}"#),
    }
}

/// Whole seconds, as records are stored.
fn now() -> OffsetDateTime {
    let now = Clock::real_now();
    now.replace_nanosecond(0).unwrap_or(now)
}

store_test!(
    events_come_newest_first_and_from_the_callers_account_only,
    |fx| async move {
        let t = now();
        let other = AccountId::parse("999988887777").unwrap();
        for (id, at) in [
            ("a", t - Duration::hours(3)),
            ("c", t - Duration::hours(1)),
            ("b", t - Duration::hours(1)),
        ] {
            fx.store.record_audit(entry(&fx.account, id, at)).await.unwrap();
        }
        fx.store.record_audit(entry(&other, "z", t)).await.unwrap();

        let output = lookup(&fx, json!({})).await;
        assert_eq!(ids(&output), ["c", "b", "a"], "time, then eventID, descending");
        assert!(output.get("NextToken").is_none());
        let first = &output["Events"][0];
        assert_eq!(
            first["EventTime"],
            json!((t - Duration::hours(1)).unix_timestamp() as f64)
        );
        assert_eq!(first["ReadOnly"], "true");
        assert_eq!(first["CloudTrailEvent"], r#"{"eventID":"c"}"#);

        let insight = lookup(&fx, json!({"EventCategory": "insight"})).await;
        assert_eq!(insight, json!({"Events": []}));
    }
);

store_test!(each_attribute_matches_exactly, |fx| async move {
    let t = now() - Duration::minutes(5);
    let mut write = entry(&fx.account, "w", t);
    write.event_name = "CreateAccessKey".to_owned();
    write.read_only = false;
    write.username = Some("root".to_owned());
    write.access_key_id = Some("AKIAROOTKEY000000000".to_owned());
    write.resources = vec![
        ("AWS::IAM::AccessKey".to_owned(), "AKIANEWKEY0000000000".to_owned()),
        ("AWS::IAM::User".to_owned(), "bob".to_owned()),
    ];
    let mut sign_in = entry(&fx.account, "s", t);
    sign_in.event_name = "ConsoleLogin".to_owned();
    sign_in.event_source = "signin.amazonaws.com".to_owned();
    sign_in.read_only = false;
    sign_in.access_key_id = None;
    for record in [entry(&fx.account, "r", t), write, sign_in] {
        fx.store.record_audit(record).await.unwrap();
    }
    let matching =
        |key: &str, value: &str| json!({"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]});
    let cases: [(&str, &str, &[&str]); 12] = [
        ("EventId", "s", &["s"]),
        ("EventName", "CreateAccessKey", &["w"]),
        ("EventName", "createaccesskey", &[]),
        ("ReadOnly", "true", &["r"]),
        ("ReadOnly", "false", &["w", "s"]),
        ("Username", "admin", &["s", "r"]),
        ("Username", "root", &["w"]),
        ("EventSource", "signin.amazonaws.com", &["s"]),
        ("AccessKeyId", "AKIAROOTKEY000000000", &["w"]),
        ("ResourceType", "AWS::IAM::User", &["w"]),
        ("ResourceName", "AKIANEWKEY0000000000", &["w"]),
        ("ResourceName", "alice", &[]),
    ];
    for (key, value, expected) in cases {
        assert_eq!(ids(&lookup(&fx, matching(key, value)).await), expected, "{key}={value}");
    }
    let shown = lookup(&fx, matching("EventId", "w")).await;
    assert_eq!(
        shown["Events"][0]["Resources"],
        json!([
            {"ResourceType": "AWS::IAM::AccessKey", "ResourceName": "AKIANEWKEY0000000000"},
            {"ResourceType": "AWS::IAM::User", "ResourceName": "bob"},
        ])
    );
    let sign_in = lookup(&fx, matching("EventId", "s")).await;
    assert!(sign_in["Events"][0].get("AccessKeyId").is_none());
    assert_eq!(
        refused(&fx, matching("ReadOnly", "maybe")).await,
        "InvalidLookupAttributesException"
    );
});

store_test!(the_time_range_is_inclusive_and_defaults_to_90_days, |fx| async move {
    let t = now();
    let at = |days: i64| t - Duration::days(days);
    for (id, time) in [
        ("d0", at(0)),
        ("d10", at(10)),
        ("d20", at(20)),
        ("d89", at(89)),
        ("d91", at(91)),
    ] {
        fx.store.record_audit(entry(&fx.account, id, time)).await.unwrap();
    }
    assert_eq!(ids(&lookup(&fx, json!({})).await), ["d0", "d10", "d20", "d89"]);
    let range = json!({"StartTime": at(20).unix_timestamp(), "EndTime": at(10).unix_timestamp()});
    assert_eq!(ids(&lookup(&fx, range).await), ["d10", "d20"]);
    let text = json!({"StartTime": "1970-01-01T00:00:00Z", "EndTime": at(90).unix_timestamp() as f64 + 0.5});
    assert_eq!(ids(&lookup(&fx, text).await), ["d91"]);
    let inverted = json!({"StartTime": at(10).unix_timestamp(), "EndTime": at(20).unix_timestamp()});
    assert_eq!(refused(&fx, inverted).await, "InvalidTimeRangeException");
});

store_test!(pages_join_without_gaps_or_duplicates, |fx| async move {
    let t = now() - Duration::hours(1);
    // 105 records, several per second, so pages split inside one second too.
    let mut expected = Vec::new();
    for n in 0..105_i64 {
        let id = format!("e{n:03}");
        fx.store
            .record_audit(entry(&fx.account, &id, t + Duration::seconds(n / 4)))
            .await
            .unwrap();
        expected.push(id);
    }
    expected.reverse();
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body =
            json!({"MaxResults": 10, "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "GetUser"}]});
        if let Some(token) = &token {
            body["NextToken"] = token.as_str().into();
        }
        let output = lookup(&fx, body).await;
        seen.extend(ids(&output));
        pages += 1;
        match output.get("NextToken") {
            Some(next) => token = Some(next.as_str().unwrap().to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 11);
    assert_eq!(seen, expected);

    // A token belongs to its parameters, and its bytes are checked.
    let get_user = json!([{"AttributeKey": "EventName", "AttributeValue": "GetUser"}]);
    let first = lookup(&fx, json!({"MaxResults": 10, "LookupAttributes": get_user})).await;
    let token = first["NextToken"].as_str().unwrap().to_owned();
    let next = lookup(
        &fx,
        json!({"MaxResults": 10, "NextToken": token, "LookupAttributes": get_user}),
    )
    .await;
    assert_eq!(ids(&next), expected[10..20]);
    let other_filter =
        json!({"NextToken": token, "LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "true"}]});
    assert_eq!(refused(&fx, other_filter).await, "InvalidNextTokenException");
    let tampered = format!("{}{}", if token.starts_with('A') { 'B' } else { 'A' }, &token[1..]);
    assert_eq!(
        refused(&fx, json!({"NextToken": tampered, "LookupAttributes": get_user})).await,
        "InvalidNextTokenException"
    );
});

store_test!(json_calls_answer_json_errors, |fx| async move {
    let (status, output) = call(
        &fx,
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(output["__type"], "UnknownOperationException");
    assert!(output["message"].is_string());
    let (status, output) = call(&fx, TARGET, json!([])).await;
    assert_eq!(
        (status, output["__type"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ValidationException"))
    );
    assert_eq!(
        refused(&fx, json!({"MaxResults": 0})).await,
        "InvalidMaxResultsException"
    );
    assert_eq!(refused(&fx, json!({"MaxResults": "5"})).await, "ValidationException");
});

#[tokio::test]
async fn oversized_json_calls_are_answered_in_json() {
    let (router, _fx) = crate::harness::app(false).await;
    let request = Request::post("/")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", TARGET)
        .body(Body::from(vec![b' '; tessera::app::MAX_BODY + 1]))
        .unwrap();
    let response = router.oneshot(request).await.expect("router is infallible");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["content-type"], "application/x-amz-json-1.1");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["__type"], "RequestEntityTooLarge");
}
